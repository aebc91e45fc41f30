#include "quality/checker.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <set>

#include "engine/table_views.h"

namespace stedi::quality {
namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS check_results (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id INTEGER NOT NULL,
  job TEXT NOT NULL,
  rule TEXT NOT NULL,
  checked_table TEXT NOT NULL,
  severity TEXT NOT NULL,
  status TEXT NOT NULL,
  violations INTEGER NOT NULL,
  examples TEXT NOT NULL,
  checked_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS check_results_run ON check_results (run_id);
)sql";

// The view name under which a job's output is checked before its commit.
constexpr std::string_view kOutputView = "stedi_job_output";

CheckResult RunCheck(engine::Connection& connection, const Rule& rule,
                     const std::string& output_view) {
  CheckResult result;
  result.rule = rule.text;
  result.table = rule.table.empty() ? output_view : rule.table;
  result.severity = std::string(SeverityName(rule.severity));
  std::string relation = engine::QuoteIdentifier(result.table);
  // Violations count every row of the rule's query; equal examples are shown once.
  std::string sql = fmt::format(
      "SELECT sum(n) OVER () AS violations, example FROM "
      "(SELECT left(example, 300) AS example, count(*) AS n FROM ({}) GROUP BY ALL) "
      "ORDER BY example LIMIT {}",
      CompileRule(rule, relation), kMaxExamples);
  Result<engine::QueryResult> rows = connection.Query(sql);
  if (!rows.ok()) {
    result.status = "error";
    result.examples.push_back(rows.status().message());
    return result;
  }
  for (size_t row = 0; row < rows->row_count(); ++row) {
    result.violations = rows->GetInt64(0, row);
    result.examples.push_back(rows->GetString(1, row).value_or("NULL"));
  }
  if (result.violations == 0) {
    result.status = "passed";
  } else {
    result.status = rule.severity == Severity::kWarn ? "warned" : "failed";
  }
  return result;
}

std::string DescribeFailure(const CheckResult& result) {
  if (result.status == "error") {
    return fmt::format("check `{}` could not run: {}", result.rule,
                       result.examples.empty() ? "" : result.examples.front());
  }
  std::string examples;
  for (size_t i = 0; i < result.examples.size() && i < 3; ++i) {
    examples += (i == 0 ? "" : "; ") + result.examples[i];
  }
  return fmt::format("check `{}` failed on {}: {} violation{}, such as {}", result.rule,
                     result.table, result.violations, result.violations == 1 ? "" : "s", examples);
}

}  // namespace

std::vector<CheckResult> RunChecks(engine::Connection& connection, const std::string& job,
                                   int64_t run_id, const std::vector<Rule>& rules,
                                   const std::string& output_view) {
  std::vector<CheckResult> results;
  std::string now = catalog::NowUtc();
  for (const Rule& rule : rules) {
    CheckResult result = RunCheck(connection, rule, output_view);
    result.job = job;
    result.run_id = run_id;
    result.checked_at = now;
    results.push_back(std::move(result));
  }
  return results;
}

bool BlocksCommit(const CheckResult& result) {
  return result.status == "failed" || result.status == "error";
}

Status StoreResults(catalog::Catalog& catalog, const std::vector<CheckResult>& results) {
  catalog::SqliteDatabase& db = catalog.database();
  STEDI_RETURN_IF_ERROR(db.Execute(kSchema));
  STEDI_ASSIGN_OR_RETURN(
      catalog::SqliteStatement insert,
      db.Prepare("INSERT INTO check_results (run_id, job, rule, checked_table, severity, status, "
                 "violations, examples, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  for (const CheckResult& result : results) {
    insert.Bind(1, result.run_id).Bind(2, result.job).Bind(3, result.rule).Bind(4, result.table);
    insert.Bind(5, result.severity).Bind(6, result.status).Bind(7, result.violations);
    insert.Bind(8, nlohmann::json(result.examples).dump()).Bind(9, result.checked_at);
    STEDI_RETURN_IF_ERROR(insert.Run());
  }
  return Status::Ok();
}

Result<std::vector<CheckResult>> ListResults(catalog::Catalog& catalog,
                                             std::optional<int64_t> run_id) {
  catalog::SqliteDatabase& db = catalog.database();
  STEDI_RETURN_IF_ERROR(db.Execute(kSchema));
  std::string filter = run_id.has_value()
                           ? "run_id = ?"
                           : "run_id IN (SELECT max(run_id) FROM check_results GROUP BY job)";
  STEDI_ASSIGN_OR_RETURN(
      catalog::SqliteStatement query,
      db.Prepare("SELECT run_id, job, rule, checked_table, severity, status, violations, "
                 "examples, checked_at FROM check_results WHERE " +
                 filter + " ORDER BY run_id, id"));
  if (run_id.has_value()) query.Bind(1, *run_id);
  std::vector<CheckResult> results;
  while (true) {
    STEDI_ASSIGN_OR_RETURN(bool has_row, query.Step());
    if (!has_row) break;
    CheckResult result;
    result.run_id = query.ColumnInt64(0);
    result.job = query.ColumnText(1);
    result.rule = query.ColumnText(2);
    result.table = query.ColumnText(3);
    result.severity = query.ColumnText(4);
    result.status = query.ColumnText(5);
    result.violations = query.ColumnInt64(6);
    nlohmann::json examples = nlohmann::json::parse(query.ColumnText(7), nullptr, false);
    if (examples.is_array()) {
      for (const auto& example : examples) {
        if (example.is_string()) result.examples.push_back(example.get<std::string>());
      }
    }
    result.checked_at = query.ColumnText(8);
    results.push_back(std::move(result));
  }
  return results;
}

Status CheckJobOutput(catalog::Catalog& catalog, engine::Connection& connection,
                      const std::string& job, int64_t run_id,
                      const std::vector<std::string>& checks,
                      const std::vector<std::string>& output_local_paths,
                      const RegisterTableFn& register_table) {
  if (checks.empty()) return Status::Ok();
  std::vector<Rule> rules;
  std::set<std::string> tables;
  for (const std::string& text : checks) {
    STEDI_ASSIGN_OR_RETURN(Rule rule, ParseRule(text));
    for (std::string& table : TablesRead(rule)) tables.insert(std::move(table));
    rules.push_back(std::move(rule));
  }
  for (const std::string& table : tables) {
    if (table == job) continue;
    STEDI_RETURN_IF_ERROR(
        register_table(table).WithContext(fmt::format("prepare checks of job {}", job)));
  }

  std::string view(kOutputView);
  STEDI_RETURN_IF_ERROR(engine::CreateParquetView(connection, view, output_local_paths, {}));
  std::vector<CheckResult> results = RunChecks(connection, job, run_id, rules, view);
  for (CheckResult& result : results) {
    if (result.table == view) result.table = job;
  }
  STEDI_RETURN_IF_ERROR(StoreResults(catalog, results));

  std::string failures;
  int warned = 0;
  for (const CheckResult& result : results) {
    if (result.status == "warned") ++warned;
    if (!BlocksCommit(result)) continue;
    failures += (failures.empty() ? "" : "; ") + DescribeFailure(result);
  }
  spdlog::info("checked {}: {} rules, {} warned", job, results.size(), warned);
  if (!failures.empty()) {
    return Status::Corruption(
        fmt::format("{} (snapshot not committed; see `stedi check --run {}`)", failures, run_id));
  }
  return Status::Ok();
}

}  // namespace stedi::quality
