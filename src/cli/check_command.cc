#include <fmt/format.h>

#include <iostream>
#include <optional>

#include "cli/commands.h"
#include "cli/output.h"
#include "quality/checker.h"

namespace stedi::cli {
namespace {

struct CheckOptions {
  int64_t run_id = 0;  // 0: every job's latest checked run
  std::string format = "table";
};

Status ListChecks(const GlobalOptions& global, const CheckOptions& options) {
  STEDI_ASSIGN_OR_RETURN(OutputFormat format, ParseOutputFormat(options.format));
  STEDI_ASSIGN_OR_RETURN(catalog::Lake lake, OpenLake(global));
  std::optional<int64_t> run_id;
  if (options.run_id > 0) run_id = options.run_id;
  STEDI_ASSIGN_OR_RETURN(std::vector<quality::CheckResult> results,
                         quality::ListResults(*lake.catalog, run_id));
  if (results.empty() && run_id.has_value()) {
    return Status::NotFound(
        fmt::format("run {} has no check results (list the latest with `stedi check`)", *run_id));
  }

  Rows rows;
  rows.columns = {"run", "job", "table", "rule", "severity", "status", "violations", "examples"};
  rows.numeric = {true, false, false, false, false, false, true, false};
  int blocking = 0;
  for (const quality::CheckResult& result : results) {
    std::string examples;
    for (const std::string& example : result.examples) {
      examples += (examples.empty() ? "" : "; ") + example;
    }
    if (quality::BlocksCommit(result)) ++blocking;
    rows.values.push_back({std::to_string(result.run_id), result.job, result.table, result.rule,
                           result.severity, result.status, std::to_string(result.violations),
                           examples});
  }
  PrintRows(rows, format, std::cout);
  if (blocking > 0) {
    return Status::Corruption(fmt::format("{} of {} checks failed", blocking, results.size()));
  }
  return Status::Ok();
}

}  // namespace

void AddCheckCommand(CLI::App& app, const GlobalOptions& global, CommandList& commands) {
  auto options = std::make_shared<CheckOptions>();
  CLI::App* command = app.add_subcommand(
      "check",
      "List the results of the quality rules that `stedi run` checks on every job's output\n"
      "(the `-- check:` lines of each model). Exits 1 when a listed fail rule failed.");
  command
      ->add_option("--run", options->run_id,
                   "Run ID of one job run, as in the run column (default: each job's latest)")
      ->check(AtLeast(1));
  command->add_option("--format", options->format, "Output format: table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  commands.push_back(
      {command, [options, &global]() -> Status { return ListChecks(global, *options); }});
}

}  // namespace stedi::cli
