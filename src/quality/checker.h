// Runs a job's quality rules against its output before the output is
// committed, and stores every result in the catalog (table check_results).
//
// Thread-safety: call from one thread at a time, like the Catalog and
// Connection it works with.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"
#include "engine/database.h"
#include "quality/rule.h"

namespace stedi::quality {

// The outcome of one rule in one job run.
struct CheckResult {
  int64_t run_id = 0;
  std::string job;
  std::string rule;      // as declared
  std::string table;     // the table checked: the job's output or the rule's `on` table
  std::string severity;  // fail or warn
  std::string status;    // passed, warned, failed, or error when the rule's query failed
  int64_t violations = 0;             // rows, or keys for the key rules
  std::vector<std::string> examples;  // at most kMaxExamples, distinct, in sorted order
  std::string checked_at;             // UTC, ISO 8601
};

inline constexpr int kMaxExamples = 5;

// Runs each rule against `output_view` (a view of the job's output) or the
// table it names, which must already be a view in `connection`. A rule whose
// query fails gives a result with status error and DuckDB's message as its
// example, not an error Status.
std::vector<CheckResult> RunChecks(engine::Connection& connection, const std::string& job,
                                   int64_t run_id, const std::vector<Rule>& rules,
                                   const std::string& output_view);

// True when the result must stop the job: a failed fail rule, or any error.
bool BlocksCommit(const CheckResult& result);

// Stores results in the catalog's check_results table, creating it if needed.
Status StoreResults(catalog::Catalog& catalog, const std::vector<CheckResult>& results);

// Lists stored results: those of `run_id`, or else those of every job's
// latest checked run. Ordered by run and declaration.
Result<std::vector<CheckResult>> ListResults(catalog::Catalog& catalog,
                                             std::optional<int64_t> run_id);

// Makes the catalog table `name` a view in the connection at its current
// snapshot.
using RegisterTableFn = std::function<Status(const std::string& name)>;

// Checks a job's output before its snapshot is committed: parses `checks`
// (the model's `-- check:` lines), registers the tables they read through
// `register_table`, runs them against the Parquet files at
// `output_local_paths` (the whole output table) and stores the results. kCorruption when a fail rule
// is violated or a rule cannot run; its message names each such rule and
// its first examples.
Status CheckJobOutput(catalog::Catalog& catalog, engine::Connection& connection,
                      const std::string& job, int64_t run_id,
                      const std::vector<std::string>& checks,
                      const std::vector<std::string>& output_local_paths,
                      const RegisterTableFn& register_table);

}  // namespace stedi::quality
