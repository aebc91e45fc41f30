#include "cli/app.h"

#include <CLI/CLI.hpp>

namespace stedi::cli {

int RunApp(int argc, char** argv) {
  CLI::App app{"stedi: a local-first data lakehouse for the STEDI Step Trainer", "stedi"};
  app.require_subcommand(1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  return 0;
}

}  // namespace stedi::cli
