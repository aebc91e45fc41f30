#include "pipeline/runner.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>

#include "engine/table_views.h"
#include "quality/checker.h"

namespace stedi::pipeline {
namespace {

Status RegisterFiles(catalog::Lake& lake, engine::Connection& connection, const std::string& name,
                     const std::vector<catalog::ColumnInfo>& columns,
                     const std::vector<std::string>& keys) {
  std::vector<std::string> paths;
  for (const std::string& key : keys) {
    STEDI_ASSIGN_OR_RETURN(std::string path, lake.storage->LocalPathForRead(key));
    paths.push_back(std::move(path));
  }
  std::vector<engine::ViewColumn> view_columns;
  for (const catalog::ColumnInfo& column : columns) view_columns.push_back({column.name, column.type});
  return engine::CreateParquetView(connection, name, paths, view_columns)
      .WithContext(fmt::format("register table {}", name));
}

std::vector<std::string> FileKeys(const catalog::TableInfo& table) {
  std::vector<std::string> keys;
  for (const catalog::DataFile& file : table.files) keys.push_back(file.key);
  return keys;
}

Status RegisterTable(catalog::Lake& lake, engine::Connection& connection,
                     const catalog::TableInfo& table) {
  return RegisterFiles(lake, connection, table.name, table.columns, FileKeys(table));
}

// True when `prefix` equals the start of `files`.
bool IsPrefix(const std::vector<std::string>& prefix, const std::vector<std::string>& files) {
  return prefix.size() <= files.size() && std::equal(prefix.begin(), prefix.end(), files.begin());
}

class JobRunner {
 public:
  JobRunner(catalog::Lake& lake, engine::Connection& connection, const RunOptions& options)
      : lake_(lake), connection_(connection), options_(options) {}

  Result<JobResult> Run(const Model& model);

 private:
  // Reads the current snapshot of every input and registers it as a view.
  Status LoadInputs(const Model& model);
  JobAction ChooseAction(const Model& model, const Result<catalog::TableInfo>& current) const;
  Result<JobResult> Execute(const Model& model, int64_t run_id, JobAction action,
                            const catalog::TableInfo* current);
  // Runs the model's quality rules on the whole output table, the new part at
  // `local_path` and the `kept_files` an append keeps, before the new part
  // is published. A violated fail rule stops the job.
  Status CheckOutput(const Model& model, int64_t run_id, const std::string& local_path,
                     const std::vector<catalog::DataFile>& kept_files);

  catalog::Lake& lake_;
  engine::Connection& connection_;
  const RunOptions& options_;
  std::map<std::string, catalog::TableInfo> inputs_;
};

Status JobRunner::LoadInputs(const Model& model) {
  inputs_.clear();
  for (const std::string& input : model.inputs) {
    Result<catalog::TableInfo> table = lake_.catalog->GetTable(input);
    if (!table.ok()) {
      if (table.status().code() == StatusCode::kNotFound) {
        return Status::NotFound(fmt::format(
            "input table {} does not exist: land files with `stedi ingest` or run the job "
            "that produces it",
            input));
      }
      return table.status();
    }
    STEDI_RETURN_IF_ERROR(RegisterTable(lake_, connection_, *table));
    inputs_[input] = std::move(table).value();
  }
  return Status::Ok();
}

JobAction JobRunner::ChooseAction(const Model& model,
                                  const Result<catalog::TableInfo>& current) const {
  if (options_.full_refresh || !current.ok()) return JobAction::kOverwrite;
  bool unchanged = true;
  bool only_appended = !model.incremental.empty();
  for (const auto& [name, table] : inputs_) {
    auto recorded = current->inputs.find(name);
    if (recorded == current->inputs.end()) return JobAction::kOverwrite;
    if (recorded->second.content_hash == table.content_hash) continue;
    unchanged = false;
    if (name != model.incremental || !IsPrefix(recorded->second.files, FileKeys(table))) {
      only_appended = false;
    }
  }
  if (unchanged) return JobAction::kUpToDate;
  return only_appended ? JobAction::kAppend : JobAction::kOverwrite;
}

Result<JobResult> JobRunner::Run(const Model& model) {
  STEDI_RETURN_IF_ERROR(LoadInputs(model));
  Result<catalog::TableInfo> current = lake_.catalog->GetTable(model.name);
  if (!current.ok() && current.status().code() != StatusCode::kNotFound) return current.status();
  JobAction action = ChooseAction(model, current);
  if (action == JobAction::kUpToDate) {
    JobResult result;
    result.job = model.name;
    result.action = action;
    result.rows_written = current->row_count;
    return result;
  }

  STEDI_ASSIGN_OR_RETURN(int64_t run_id, lake_.catalog->StartRun(model.name));
  Result<JobResult> result = Execute(model, run_id, action, current.ok() ? &*current : nullptr);
  catalog::RunInfo run;
  run.id = run_id;
  if (result.ok()) {
    run.status = "succeeded";
    run.rows_read = result->rows_read;
    run.rows_written = result->rows_written;
  } else {
    run.status = "failed";
    run.error = result.status().message();
  }
  STEDI_RETURN_IF_ERROR(lake_.catalog->FinishRun(run));
  return result;
}

Result<JobResult> JobRunner::Execute(const Model& model, int64_t run_id, JobAction action,
                                     const catalog::TableInfo* current) {
  auto start = std::chrono::steady_clock::now();
  JobResult result;
  result.job = model.name;
  result.action = action;
  result.run_id = run_id;

  catalog::SnapshotCommit commit;
  for (const auto& [name, table] : inputs_) {
    commit.inputs[name] = {table.snapshot_id, table.content_hash, FileKeys(table)};
    result.rows_read += table.row_count;
  }
  uint64_t previous_hash = 0;
  if (action == JobAction::kAppend) {
    // Point the incremental input's view at its new files only.
    const catalog::TableInfo& input = inputs_.at(model.incremental);
    const std::vector<std::string>& seen = current->inputs.at(model.incremental).files;
    std::vector<std::string> all = FileKeys(input);
    std::vector<std::string> fresh(all.begin() + static_cast<std::ptrdiff_t>(seen.size()), all.end());
    STEDI_RETURN_IF_ERROR(RegisterFiles(lake_, connection_, input.name, input.columns, fresh));
    result.rows_read -= input.row_count;
    for (const catalog::DataFile& file : input.files) {
      if (std::find(fresh.begin(), fresh.end(), file.key) != fresh.end()) result.rows_read += file.row_count;
    }
    commit.files = current->files;
    previous_hash = engine::ParseContentHash(current->content_hash);
  }

  // A fresh location per run: the old snapshot's files stay readable until
  // the catalog points at the new ones.
  std::string location = storage::JoinKey({model.zone, model.name});
  std::string run_folder = fmt::format("run-{:06d}", run_id);
  if (!lake_.writer_id.empty()) run_folder += "-" + lake_.writer_id;
  std::string key = storage::JoinKey({location, run_folder, "part-0.parquet"});
  STEDI_ASSIGN_OR_RETURN(std::string local_path, lake_.storage->LocalPathForWrite(key));
  STEDI_RETURN_IF_ERROR(engine::CopyToParquet(connection_, model.sql, local_path));
  STEDI_RETURN_IF_ERROR(CheckOutput(model, run_id, local_path, commit.files));
  STEDI_ASSIGN_OR_RETURN(int64_t part_rows, engine::ParquetRowCount(connection_, local_path));
  std::string part_select = fmt::format("SELECT * FROM read_parquet({})", engine::QuoteLiteral(local_path));
  STEDI_ASSIGN_OR_RETURN(uint64_t part_hash, engine::ContentHash(connection_, part_select));
  STEDI_ASSIGN_OR_RETURN(std::vector<engine::ViewColumn> columns,
                         engine::DescribeQuery(connection_, part_select));
  // Publishing may move the file away from `local_path` (into a cache, for
  // an S3 lake), so everything that reads it comes first.
  STEDI_RETURN_IF_ERROR(lake_.storage->PublishLocalFile(key, local_path));

  commit.table = model.name;
  commit.zone = model.zone;
  commit.format = model.format;
  commit.location = location;
  commit.produced_by = model.name;
  commit.run_id = run_id;
  commit.operation = std::string(JobActionName(action));
  commit.content_hash = engine::FormatContentHash(previous_hash + part_hash);
  for (const engine::ViewColumn& column : columns) {
    commit.columns.push_back({column.name, column.type});
  }
  commit.files.push_back({key, part_rows});
  result.rows_written = 0;
  for (const catalog::DataFile& file : commit.files) result.rows_written += file.row_count;
  STEDI_RETURN_IF_ERROR(lake_.catalog->InTransaction(
      [&] { return lake_.catalog->CommitSnapshot(commit).status(); }));

  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

Status JobRunner::CheckOutput(const Model& model, int64_t run_id, const std::string& local_path,
                              const std::vector<catalog::DataFile>& kept_files) {
  std::vector<std::string> paths;
  for (const catalog::DataFile& file : kept_files) {
    STEDI_ASSIGN_OR_RETURN(std::string path, lake_.storage->LocalPathForRead(file.key));
    paths.push_back(std::move(path));
  }
  paths.push_back(local_path);
  auto register_table = [this](const std::string& name) -> Status {
    STEDI_ASSIGN_OR_RETURN(catalog::TableInfo table, lake_.catalog->GetTable(name));
    return RegisterTable(lake_, connection_, table);
  };
  Status checked = quality::CheckJobOutput(*lake_.catalog, connection_, model.name, run_id,
                                           model.checks, paths, register_table);
  if (!checked.ok()) {
    // The rejected part was never published, so nothing refers to it.
    std::error_code ignored;
    std::filesystem::remove(local_path, ignored);
  }
  return checked;
}

}  // namespace

std::string_view JobActionName(JobAction action) {
  switch (action) {
    case JobAction::kOverwrite: return "overwrite";
    case JobAction::kAppend: return "append";
    case JobAction::kUpToDate: return "up to date";
  }
  return "unknown";
}

Status RegisterTables(catalog::Lake& lake, engine::Connection& connection, int64_t as_of) {
  std::vector<catalog::TableInfo> tables;
  if (as_of > 0) {
    STEDI_ASSIGN_OR_RETURN(tables, lake.catalog->ListTablesAsOf(as_of));
  } else {
    STEDI_ASSIGN_OR_RETURN(tables, lake.catalog->ListTables());
  }
  for (const catalog::TableInfo& table : tables) {
    STEDI_RETURN_IF_ERROR(RegisterTable(lake, connection, table));
  }
  return Status::Ok();
}

Status RunModels(catalog::Lake& lake, const std::vector<Model>& models, const RunOptions& options,
                 const std::function<void(const JobResult&)>& on_job) {
  engine::DatabaseOptions db_options;
  db_options.memory_limit = options.memory_limit;
  STEDI_ASSIGN_OR_RETURN(engine::Database db, engine::Database::Open("", db_options));
  STEDI_ASSIGN_OR_RETURN(engine::Connection connection, db.Connect());
  JobRunner runner(lake, connection, options);
  for (const Model& model : models) {
    spdlog::debug("running job {}", model.name);
    Result<JobResult> result = runner.Run(model);
    if (!result.ok()) return result.status().WithContext(fmt::format("job {}", model.name));
    on_job(*result);
  }
  return Status::Ok();
}

}  // namespace stedi::pipeline
