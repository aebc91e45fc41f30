#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"
#include "engine/database.h"
#include "engine/table_views.h"
#include "pipeline/runner.h"

namespace stedi::cli {
namespace {

Rows ToRows(const engine::QueryResult& result) {
  Rows rows;
  for (size_t column = 0; column < result.column_count(); ++column) {
    rows.columns.push_back(result.column_name(column));
    rows.numeric.push_back(result.column_is_numeric(column));
  }
  for (size_t row = 0; row < result.row_count(); ++row) {
    std::vector<std::optional<std::string>> values;
    for (size_t column = 0; column < result.column_count(); ++column) {
      values.push_back(result.GetString(column, row));
    }
    rows.values.push_back(std::move(values));
  }
  return rows;
}

// Returns `sql` wrapped so that nested values (LIST, STRUCT, MAP, ARRAY,
// UNION) are cast to VARCHAR. The C API returns no string for them, and
// other columns keep their types.
std::string QueryWithPrintableColumns(engine::Connection& connection, const std::string& sql) {
  Result<std::vector<engine::ViewColumn>> columns = engine::DescribeQuery(connection, sql);
  if (!columns.ok()) return sql;
  bool nested = false;
  std::string select;
  for (const engine::ViewColumn& column : *columns) {
    bool is_nested = column.type.find('[') != std::string::npos ||
                     column.type.rfind("STRUCT", 0) == 0 || column.type.rfind("MAP", 0) == 0 ||
                     column.type.rfind("UNION", 0) == 0;
    nested = nested || is_nested;
    std::string name = engine::QuoteIdentifier(column.name);
    if (!select.empty()) select += ", ";
    select += is_nested ? fmt::format("CAST(q.{0} AS VARCHAR) AS {0}", name) : "q." + name;
  }
  if (!nested) return sql;
  return fmt::format("SELECT {} FROM ({}) AS q", select, sql);
}

Status RunQuery(const GlobalOptions& global, const std::string& sql, OutputFormat format,
                int64_t as_of) {
  STEDI_ASSIGN_OR_RETURN(catalog::Lake lake, OpenLake(global));
  STEDI_ASSIGN_OR_RETURN(engine::Database db, engine::Database::Open(""));
  STEDI_ASSIGN_OR_RETURN(engine::Connection connection, db.Connect());
  if (as_of > 0) {
    STEDI_ASSIGN_OR_RETURN(std::vector<catalog::TableInfo> then,
                           lake.catalog->ListTablesAsOf(as_of));
    STEDI_ASSIGN_OR_RETURN(std::vector<catalog::TableInfo> now, lake.catalog->ListTables());
    int64_t newest = 0;
    for (const catalog::TableInfo& table : now) newest = std::max(newest, table.snapshot_id);
    if (as_of > newest || then.empty()) {
      return Status::NotFound(fmt::format(
          "snapshot {} does not exist; snapshot ids run up to {} (see `stedi history TABLE`)",
          as_of, newest));
    }
  }
  STEDI_RETURN_IF_ERROR(pipeline::RegisterTables(lake, connection, as_of));
  Result<std::string> violation = connection.ReadOnlyViolation(sql);
  if (!violation.ok()) {
    return violation.status().WithContext("query failed (list the tables with `stedi tables`)");
  }
  if (!violation->empty()) return Status::InvalidArgument("query rejected: " + *violation);
  Result<engine::QueryResult> result = connection.Query(QueryWithPrintableColumns(connection, sql));
  if (!result.ok()) {
    return result.status().WithContext("query failed (list the tables with `stedi tables`)");
  }
  PrintRows(ToRows(*result), format, std::cout);
  return Status::Ok();
}

}  // namespace

void AddQueryCommand(CLI::App& app, const GlobalOptions& global, CommandList& commands) {
  struct Options {
    std::string sql;
    std::string format = "table";
    int64_t as_of = 0;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand(
      "query", "Run SQL over the catalog's tables by name, such as customer_landing");
  command->add_option("sql", options->sql, "The SQL statement")->required();
  command->add_option("--format", options->format, "Output format: table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  command
      ->add_option("--as-of", options->as_of,
                   "Read every table as it was right after this snapshot id was committed\n"
                   "(see `stedi history TABLE`)")
      ->check(AtLeast(1));
  commands.push_back({command, [options, &global]() -> Status {
                        STEDI_ASSIGN_OR_RETURN(OutputFormat format,
                                               ParseOutputFormat(options->format));
                        return RunQuery(global, options->sql, format, options->as_of);
                      }});
}

}  // namespace stedi::cli
