#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"

namespace stedi::cli {

// Prints every table with its zone and row count.
void PrintTableSummary(catalog::Lake& lake, std::ostream& out) {
  Result<std::vector<catalog::TableInfo>> tables = lake.catalog->ListTables();
  if (!tables.ok()) return;
  Rows rows;
  rows.columns = {"table", "zone", "rows"};
  rows.numeric = {false, false, true};
  for (const catalog::TableInfo& table : *tables) {
    rows.values.push_back({table.name, table.zone, std::to_string(table.row_count)});
  }
  PrintRows(rows, OutputFormat::kTable, out);
}

namespace {

Status ListTables(const GlobalOptions& global, OutputFormat format) {
  STEDI_ASSIGN_OR_RETURN(catalog::Lake lake, OpenLake(global));
  STEDI_ASSIGN_OR_RETURN(std::vector<catalog::TableInfo> tables, lake.catalog->ListTables());
  Rows rows;
  rows.columns = {"table", "zone", "format", "rows", "files", "snapshot", "updated_at",
                  "produced_by"};
  rows.numeric = {false, false, false, true, true, true, false, false};
  for (const catalog::TableInfo& table : tables) {
    rows.values.push_back({table.name, table.zone, table.format, std::to_string(table.row_count),
                           std::to_string(table.files.size()), std::to_string(table.snapshot_id),
                           table.updated_at, table.produced_by});
  }
  PrintRows(rows, format, std::cout);
  return Status::Ok();
}

Status DescribeTable(const GlobalOptions& global, const std::string& name, OutputFormat format) {
  STEDI_ASSIGN_OR_RETURN(catalog::Lake lake, OpenLake(global));
  STEDI_ASSIGN_OR_RETURN(catalog::TableInfo table, lake.catalog->GetTable(name));
  if (format == OutputFormat::kTable) {
    std::cout << fmt::format("table        {}\n", table.name)
              << fmt::format("zone         {}\n", table.zone)
              << fmt::format("format       {}\n", table.format)
              << fmt::format("location     {}/{}\n", lake.storage->Describe(), table.location)
              << fmt::format("rows         {}\n", table.row_count)
              << fmt::format("files        {}\n", table.files.size())
              << fmt::format("snapshot     {}\n", table.snapshot_id)
              << fmt::format("updated_at   {}\n", table.updated_at)
              << fmt::format("produced_by  {}\n\n", table.produced_by);
  }
  Rows rows;
  rows.columns = {"column", "type"};
  for (const catalog::ColumnInfo& column : table.columns) {
    rows.values.push_back({column.name, column.type});
  }
  PrintRows(rows, format, std::cout);
  return Status::Ok();
}

}  // namespace

void AddTablesCommands(CLI::App& app, const GlobalOptions& global, CommandList& commands) {
  auto format = std::make_shared<std::string>("table");
  CLI::App* tables = app.add_subcommand("tables", "List the catalog's tables with their row counts");
  tables->add_option("--format", *format, "Output format: table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  commands.push_back({tables, [format, &global]() -> Status {
    STEDI_ASSIGN_OR_RETURN(OutputFormat parsed, ParseOutputFormat(*format));
    return ListTables(global, parsed);
  }});

  struct DescribeOptions {
    std::string table;
    std::string format = "table";
  };
  auto options = std::make_shared<DescribeOptions>();
  CLI::App* describe =
      app.add_subcommand("describe", "Show a table's zone, location, snapshot and columns");
  describe->add_option("table", options->table, "Table name, such as customer_trusted")->required();
  describe->add_option("--format", options->format, "Output format: table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  commands.push_back({describe, [options, &global]() -> Status {
    STEDI_ASSIGN_OR_RETURN(OutputFormat parsed, ParseOutputFormat(options->format));
    return DescribeTable(global, options->table, parsed);
  }});
}

}  // namespace stedi::cli
