#include "pipeline/runner.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>

#include "engine/table_views.h"
#include "quality/checker.h"

namespace stedi::pipeline {
namespace {

Status RegisterTable(catalog::Lake& lake, engine::Connection& connection,
                     const catalog::TableInfo& table) {
  std::vector<std::string> paths;
  for (const catalog::DataFile& file : table.files) {
    STEDI_ASSIGN_OR_RETURN(std::string path, lake.storage->LocalPathForRead(file.key));
    paths.push_back(std::move(path));
  }
  std::vector<engine::ViewColumn> columns;
  for (const catalog::ColumnInfo& column : table.columns) columns.push_back({column.name, column.type});
  return engine::CreateParquetView(connection, table.name, paths, columns)
      .WithContext(fmt::format("register table {}", table.name));
}

class JobRunner {
 public:
  JobRunner(catalog::Lake& lake, engine::Connection& connection)
      : lake_(lake), connection_(connection) {}

  Result<JobResult> Run(const Model& model);

 private:
  Result<JobResult> Execute(const Model& model, int64_t run_id);
  // Runs the model's quality rules on its output before anything is
  // published. A violated fail rule stops the job.
  Status CheckOutput(const Model& model, int64_t run_id, const std::string& local_path);

  catalog::Lake& lake_;
  engine::Connection& connection_;
};

Result<JobResult> JobRunner::Run(const Model& model) {
  STEDI_ASSIGN_OR_RETURN(int64_t run_id, lake_.catalog->StartRun(model.name));
  Result<JobResult> result = Execute(model, run_id);
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

Result<JobResult> JobRunner::Execute(const Model& model, int64_t run_id) {
  auto start = std::chrono::steady_clock::now();
  JobResult result;
  result.job = model.name;
  result.run_id = run_id;

  catalog::SnapshotCommit commit;
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
    result.rows_read += table->row_count;
    commit.input_snapshots[input] = table->snapshot_id;
  }

  // A fresh location per run: the old snapshot's files stay readable until
  // the catalog points at the new ones.
  std::string location = storage::JoinKey({model.zone, model.name});
  std::string key = storage::JoinKey({location, fmt::format("run-{:06d}", run_id), "part-0.parquet"});
  STEDI_ASSIGN_OR_RETURN(std::string local_path, lake_.storage->LocalPathForWrite(key));
  STEDI_RETURN_IF_ERROR(engine::CopyToParquet(connection_, model.sql, local_path));
  STEDI_RETURN_IF_ERROR(CheckOutput(model, run_id, local_path));
  STEDI_RETURN_IF_ERROR(lake_.storage->PublishLocalFile(key, local_path));
  STEDI_ASSIGN_OR_RETURN(result.rows_written, engine::ParquetRowCount(connection_, local_path));
  STEDI_ASSIGN_OR_RETURN(std::vector<engine::ViewColumn> columns,
                         engine::DescribeQuery(connection_, model.sql));

  commit.table = model.name;
  commit.zone = model.zone;
  commit.format = model.format;
  commit.location = location;
  commit.produced_by = model.name;
  commit.run_id = run_id;
  for (const engine::ViewColumn& column : columns) commit.columns.push_back({column.name, column.type});
  commit.files.push_back({key, result.rows_written});
  STEDI_RETURN_IF_ERROR(lake_.catalog->InTransaction(
      [&] { return lake_.catalog->CommitSnapshot(commit).status(); }));

  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

Status JobRunner::CheckOutput(const Model& model, int64_t run_id, const std::string& local_path) {
  auto register_table = [this](const std::string& name) -> Status {
    STEDI_ASSIGN_OR_RETURN(catalog::TableInfo table, lake_.catalog->GetTable(name));
    return RegisterTable(lake_, connection_, table);
  };
  Status checked = quality::CheckJobOutput(*lake_.catalog, connection_, model.name, run_id,
                                           model.checks, local_path, register_table);
  if (!checked.ok()) {
    // The rejected output was never published, so nothing refers to it.
    std::error_code ignored;
    std::filesystem::remove(local_path, ignored);
  }
  return checked;
}

}  // namespace

Status RegisterTables(catalog::Lake& lake, engine::Connection& connection) {
  STEDI_ASSIGN_OR_RETURN(std::vector<catalog::TableInfo> tables, lake.catalog->ListTables());
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
  JobRunner runner(lake, connection);
  for (const Model& model : models) {
    spdlog::debug("running job {}", model.name);
    Result<JobResult> result = runner.Run(model);
    if (!result.ok()) return result.status().WithContext(fmt::format("job {}", model.name));
    on_job(*result);
  }
  return Status::Ok();
}

}  // namespace stedi::pipeline
