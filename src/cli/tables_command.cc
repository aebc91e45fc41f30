#include <fmt/format.h>

#include <iostream>
#include <map>

#include "cli/commands.h"
#include "cli/output.h"
#include "ingest/contract.h"

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
  rows.columns = {"table", "zone",     "format",     "rows",
                  "files", "snapshot", "updated_at", "produced_by"};
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

Status DescribeDrift(const GlobalOptions& global, const std::string& name, OutputFormat format) {
  std::string source;
  for (ingest::Source candidate : ingest::AllSources()) {
    if (ingest::ContractFor(candidate).table == name) source = ingest::SourceName(candidate);
  }
  if (source.empty()) {
    return Status::InvalidArgument(
        fmt::format("--drift needs a landing table (customer_landing, accelerometer_landing or "
                    "step_trainer_landing), not {}",
                    name));
  }
  STEDI_ASSIGN_OR_RETURN(catalog::Lake lake, OpenLake(global));
  STEDI_ASSIGN_OR_RETURN(std::vector<catalog::FieldDrift> drift,
                         lake.catalog->ListFieldDrift(source));
  // Mark fields that held more than one JSON type other than null in a batch.
  std::map<std::pair<int64_t, std::string>, int> types_per_field;
  for (const catalog::FieldDrift& row : drift) {
    if (row.json_type != "null") ++types_per_field[{row.batch_id, row.field}];
  }
  Rows rows;
  rows.columns = {"batch", "field", "json_type", "values", "files", "mixed"};
  rows.numeric = {true, false, false, true, true, false};
  for (const catalog::FieldDrift& row : drift) {
    bool mixed = types_per_field[{row.batch_id, row.field}] > 1;
    rows.values.push_back({std::to_string(row.batch_id), row.field, row.json_type,
                           std::to_string(row.count), std::to_string(row.files),
                           mixed ? "yes" : ""});
  }
  PrintRows(rows, format, std::cout);
  return Status::Ok();
}

}  // namespace

void AddTablesCommands(CLI::App& app, const GlobalOptions& global, CommandList& commands) {
  auto format = std::make_shared<std::string>("table");
  CLI::App* tables =
      app.add_subcommand("tables", "List the catalog's tables with their row counts");
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
    bool drift = false;
  };
  auto options = std::make_shared<DescribeOptions>();
  CLI::App* describe =
      app.add_subcommand("describe", "Show a table's zone, location, snapshot and columns");
  describe->add_option("table", options->table, "Table name, such as customer_trusted")->required();
  describe->add_option("--format", options->format, "Output format: table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  describe->add_flag("--drift", options->drift,
                     "For a landing table: how many values of each JSON type every field held,\n"
                     "per ingest batch, so a field that changed type stands out");
  commands.push_back({describe, [options, &global]() -> Status {
                        STEDI_ASSIGN_OR_RETURN(OutputFormat parsed,
                                               ParseOutputFormat(options->format));
                        if (options->drift) return DescribeDrift(global, options->table, parsed);
                        return DescribeTable(global, options->table, parsed);
                      }});
}

}  // namespace stedi::cli
