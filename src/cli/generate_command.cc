#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"
#include "sample/generator.h"

namespace stedi::cli {

void AddGenerateCommand(CLI::App& app, const GlobalOptions& /*global*/, CommandList& commands) {
  auto options = std::make_shared<sample::GenerateOptions>();
  CLI::App* command = app.add_subcommand(
      "generate",
      "Write deterministic sample landing files shaped like the STEDI starter data:\n"
      "OUT/customer/landing, OUT/accelerometer/landing and OUT/step_trainer/landing.");
  command->add_option("--out", options->out_dir, "Output folder")->required();
  command->add_option("--customers", options->customers,
                      "Number of customers (default: about 956 per unit of --scale)");
  command
      ->add_option("--scale", options->scale,
                   "Size relative to the starter data set; 100 is about 1 GB of JSON")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--seed", options->seed, "Random seed; the same seed writes the same bytes")
      ->capture_default_str();
  command->add_option("--defects", options->defects,
                      "Comma-separated faults to inject: malformed, type_drift, missing_consent,\n"
                      "duplicate_customers, redelivered, repeated_serials");
  commands.push_back(
      {command, [options]() -> Status {
         STEDI_ASSIGN_OR_RETURN(sample::GenerateSummary summary, sample::Generate(*options));
         std::cout << fmt::format(
             "generated {} customers, {} accelerometer and {} step-trainer readings in {} files "
             "({:.1f} MB) under {}\n",
             summary.customers, summary.accelerometer_readings, summary.step_trainer_readings,
             summary.files, summary.bytes / 1e6, options->out_dir);
         return Status::Ok();
       }});
}

}  // namespace stedi::cli
