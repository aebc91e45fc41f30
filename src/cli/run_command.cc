#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"
#include "pipeline/runner.h"

namespace stedi::cli {

void PrintTableSummary(catalog::Lake& lake, std::ostream& out);

void AddRunCommand(CLI::App& app, const GlobalOptions& global, CommandList& commands) {
  struct Options {
    std::vector<std::string> jobs;
    std::string memory_limit;
    bool list = false;
    bool full_refresh = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand(
      "run",
      "Run pipeline jobs in dependency order (default: all of them). Each job rewrites its\n"
      "output table as a new snapshot, so a re-run never duplicates rows.");
  command->add_option("jobs", options->jobs, "Jobs to run, such as customer_trusted");
  command->add_option("--memory-limit", options->memory_limit,
                      "DuckDB memory limit, such as 1GB; over it DuckDB spills to disk");
  command->add_flag("--list", options->list, "List the jobs with their zone and inputs, run none");
  command->add_flag("--full-refresh", options->full_refresh,
                    "Recompute every selected job, even those whose inputs did not change");

  commands.push_back(
      {command, [options, &global]() -> Status {
         STEDI_ASSIGN_OR_RETURN(std::vector<pipeline::Model> all, pipeline::BuiltInModels());
         STEDI_ASSIGN_OR_RETURN(std::vector<pipeline::Model> selected,
                                pipeline::SelectModels(all, options->jobs));
         if (options->list) {
           Rows rows;
           rows.columns = {"job", "zone", "inputs", "description"};
           for (const pipeline::Model& model : selected) {
             std::string inputs;
             for (const std::string& input : model.inputs)
               inputs += (inputs.empty() ? "" : ", ") + input;
             rows.values.push_back({model.name, model.zone, inputs, model.description});
           }
           PrintRows(rows, OutputFormat::kTable, std::cout);
           return Status::Ok();
         }

         STEDI_ASSIGN_OR_RETURN(catalog::Lake lake, OpenLake(global));
         pipeline::RunOptions run_options;
         run_options.memory_limit = options->memory_limit;
         run_options.full_refresh = options->full_refresh;
         STEDI_ASSIGN_OR_RETURN(catalog::WriterLock lock, catalog::AcquireWriterLock(lake, "run"));
         std::cout << fmt::format("{:<26} {:<10} {:>12} {:>13} {:>9}\n", "job", "action",
                                  "rows read", "rows written", "seconds");
         int committed = 0;
         Status ran = pipeline::RunModels(
             lake, selected, run_options, [&committed](const pipeline::JobResult& job) {
               if (job.action != pipeline::JobAction::kUpToDate) ++committed;
               std::cout << fmt::format("{:<26} {:<10} {:>12} {:>13} {:>9.3f}\n", job.job,
                                        pipeline::JobActionName(job.action), job.rows_read,
                                        job.rows_written, job.seconds)
                         << std::flush;
             });
         // Jobs that finished before a failure stay committed, in an S3 lake
         // too, unless the catalog cannot be published either.
         STEDI_RETURN_IF_ERROR(lake.PublishAfter(std::move(ran)));
         std::cout << '\n';
         if (committed == 0) {
           std::cout << "Nothing to do: no job's inputs changed since its last run, so no snapshot "
                        "was committed (use --full-refresh to recompute).\n\n";
         }
         PrintTableSummary(lake, std::cout);
         return Status::Ok();
       }});
}

}  // namespace stedi::cli
