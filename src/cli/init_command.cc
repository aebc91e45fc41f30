#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"

namespace stedi::cli {

void AddInitCommand(CLI::App& app, const GlobalOptions& global, CommandList& commands) {
  CLI::App* command = app.add_subcommand(
      "init",
      "Create an empty lake (`stedi ingest` also creates one when it lands the first files)");
  commands.push_back({command, [&global]() -> Status {
                        STEDI_ASSIGN_OR_RETURN(catalog::Lake lake, OpenOrCreateLake(global));
                        if (!lake.created) {
                          std::cout << fmt::format("{} is a lake already; nothing changed\n",
                                                   global.lake);
                          return Status::Ok();
                        }
                        STEDI_RETURN_IF_ERROR(lake.Publish());
                        std::cout << fmt::format("created an empty lake at {}\n", global.lake);
                        return Status::Ok();
                      }});
}

}  // namespace stedi::cli
