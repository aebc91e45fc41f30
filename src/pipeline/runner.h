// Runs pipeline models against a lake: each job reads its input tables at
// their current snapshots, writes its output under a fresh location, and
// commits a new snapshot of its table in the catalog.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "catalog/lake.h"
#include "common/status.h"
#include "engine/database.h"
#include "pipeline/model.h"

namespace stedi::pipeline {

// What a job did with its table.
enum class JobAction {
  kOverwrite,  // recomputed the whole table
  kAppend,     // added the rows of its incremental input's new files
  kUpToDate,   // no input changed since the current snapshot; nothing committed
};

std::string_view JobActionName(JobAction action);

struct JobResult {
  std::string job;
  JobAction action = JobAction::kOverwrite;
  int64_t run_id = 0;
  int64_t rows_read = 0;     // input rows the job read
  int64_t rows_written = 0;  // rows of the output table
  double seconds = 0;
};

struct RunOptions {
  std::string memory_limit;  // DuckDB memory_limit, such as "1GB"; empty: DuckDB's default
  bool full_refresh = false;  // recompute every selected job even when its inputs are unchanged
};

// Runs the selected models in dependency order. Stops at the first failing
// job, which is recorded as a failed run; jobs before it stay committed.
// `on_job` is called after each successful job.
Status RunModels(catalog::Lake& lake, const std::vector<Model>& models, const RunOptions& options,
                 const std::function<void(const JobResult&)>& on_job);

// Creates a view for every catalog table at its current snapshot, or with
// `as_of` > 0, as the tables were right after snapshot `as_of`.
Status RegisterTables(catalog::Lake& lake, engine::Connection& connection, int64_t as_of = 0);

}  // namespace stedi::pipeline
