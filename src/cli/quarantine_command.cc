#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"
#include "ingest/contract.h"

namespace stedi::cli {
namespace {

// Maps a landing table name (or a source name) to its source name; empty
// input means every source.
Result<std::string> SourceOfTable(const std::string& table) {
  if (table.empty()) return std::string();
  for (ingest::Source source : ingest::AllSources()) {
    if (ingest::ContractFor(source).table == table || ingest::SourceName(source) == table) {
      return std::string(ingest::SourceName(source));
    }
  }
  return Status::NotFound(
      fmt::format("{} is not a landing table; use customer_landing, accelerometer_landing or "
                  "step_trainer_landing",
                  table));
}

Status ExportQuarantine(catalog::Lake& lake, const std::string& source, const std::string& path) {
  STEDI_ASSIGN_OR_RETURN(std::vector<catalog::QuarantinedRecordInfo> records,
                         lake.catalog->ListQuarantine(source));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::IOError(fmt::format("create {}: {}", path, std::strerror(errno)));
  for (const catalog::QuarantinedRecordInfo& record : records) {
    out << record.entry.raw << '\n';
  }
  out.flush();
  if (!out) return Status::IOError(fmt::format("write {}: I/O error", path));
  std::cout << fmt::format(
      "wrote {} quarantined record{} to {}, one per line as received; fix them and land the "
      "file again with `stedi ingest --source {} {}`\n",
      records.size(), records.size() == 1 ? "" : "s", path, source, path);
  return Status::Ok();
}

Status ShowQuarantine(catalog::Lake& lake, const std::string& source, OutputFormat format) {
  STEDI_ASSIGN_OR_RETURN(std::vector<catalog::QuarantineGroup> groups,
                         lake.catalog->SummarizeQuarantine(source));
  Rows rows;
  rows.columns = {"source", "reason", "records", "first", "first_reason"};
  rows.numeric = {false, false, true, false, false};
  for (const catalog::QuarantineGroup& group : groups) {
    rows.values.push_back({group.source, group.reason, std::to_string(group.count),
                           fmt::format("{}:{}", group.sample_file, group.sample_line),
                           group.sample_reason});
  }
  PrintRows(rows, format, std::cout);
  return Status::Ok();
}

}  // namespace

void AddQuarantineCommand(CLI::App& app, const GlobalOptions& global, CommandList& commands) {
  struct Options {
    std::string table;
    std::string export_path;
    std::string format = "table";
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand(
      "quarantine",
      "List the landing records that were not accepted, grouped by reason, with the first\n"
      "file and line of each; or export their raw text to fix and land again");
  CLI::Option* table = command->add_option(
      "table", options->table, "Landing table, such as step_trainer_landing (default: all)");
  // One exported file is landed again as one source, so it takes one table.
  command
      ->add_option("--export", options->export_path,
                   "Write the table's quarantined records' raw text to this file, one per line")
      ->needs(table);
  command->add_option("--format", options->format, "Output format: table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  commands.push_back({command, [options, &global]() -> Status {
                        STEDI_ASSIGN_OR_RETURN(std::string source, SourceOfTable(options->table));
                        STEDI_ASSIGN_OR_RETURN(OutputFormat format,
                                               ParseOutputFormat(options->format));
                        STEDI_ASSIGN_OR_RETURN(catalog::Lake lake, OpenLake(global));
                        if (!options->export_path.empty())
                          return ExportQuarantine(lake, source, options->export_path);
                        return ShowQuarantine(lake, source, format);
                      }});
}

}  // namespace stedi::cli
