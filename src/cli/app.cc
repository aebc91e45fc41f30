#include "cli/app.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string_view>

#include "cli/commands.h"

namespace stedi::cli {
namespace {

void SetUpLogging(const GlobalOptions& global) {
  auto logger = spdlog::stderr_color_mt("stedi");
  logger->set_pattern("stedi: %l: %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(global.verbose ? spdlog::level::debug
                                   : (global.quiet ? spdlog::level::warn : spdlog::level::info));
}

std::string DefaultLake() {
  const char* from_env = std::getenv("STEDI_LAKE");
  return from_env != nullptr && *from_env != '\0' ? from_env : "lake";
}

// Returns the first argument that stands where a command belongs but names
// none, which CLI11 would only report as "A subcommand is required".
std::optional<std::string> UnknownCommand(CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--lake") {
      ++i;  // skip its value
      continue;
    }
    if (arg.empty() || arg[0] == '-') continue;
    for (const CLI::App* command : app.get_subcommands({})) {
      if (command->get_name() == arg) return std::nullopt;
    }
    return std::string(arg);
  }
  return std::nullopt;
}

}  // namespace

Result<catalog::Lake> OpenLake(const GlobalOptions& global) {
  Result<catalog::Lake> lake = catalog::Lake::Open(global.lake, /*create_if_missing=*/false);
  if (lake.status().code() == StatusCode::kNotFound) {
    return Status::NotFound(
        fmt::format("no lake at {}: create one with `stedi init` or by landing files with `stedi "
                    "ingest`, or name another lake with --lake or STEDI_LAKE",
                    global.lake));
  }
  if (!lake.ok()) return lake.status().WithContext(fmt::format("open lake {}", global.lake));
  return lake;
}

Result<catalog::Lake> OpenOrCreateLake(const GlobalOptions& global) {
  Result<catalog::Lake> lake = catalog::Lake::Open(global.lake, /*create_if_missing=*/true);
  if (!lake.ok()) return lake.status().WithContext(fmt::format("open lake {}", global.lake));
  return lake;
}

CLI::Validator AtLeast(int64_t min) {
  return CLI::Validator(
      [min](std::string& input) -> std::string {
        int64_t value = 0;
        auto [end, error] = std::from_chars(input.data(), input.data() + input.size(), value);
        if (error != std::errc() || end != input.data() + input.size()) {
          return fmt::format("expected a whole number, got '{}'", input);
        }
        if (value < min) return fmt::format("must be at least {}, got {}", min, value);
        return "";
      },
      fmt::format("INT>={}", min));
}

int RunApp(int argc, char** argv) {
  CLI::App app{
      "stedi: a local-first data lakehouse for the STEDI Step Trainer.\n"
      "Lands raw customer, accelerometer and step-trainer files, curates them under\n"
      "the customers' research consent and serves every table to SQL.",
      "stedi"};
  app.set_version_flag("--version", std::string("stedi ") + STEDI_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  GlobalOptions global;
  global.lake = DefaultLake();
  app.add_option("--lake", global.lake, "Lake folder (environment STEDI_LAKE; default ./lake)")
      ->capture_default_str();
  app.add_flag("-v,--verbose", global.verbose, "Log debugging detail on stderr");
  app.add_flag("-q,--quiet", global.quiet, "Log only warnings and errors on stderr");

  CommandList commands;
  AddInitCommand(app, global, commands);
  AddIngestCommand(app, global, commands);
  AddUnlandCommand(app, global, commands);
  AddRunCommand(app, global, commands);
  AddQueryCommand(app, global, commands);
  AddTablesCommands(app, global, commands);
  AddHistoryCommands(app, global, commands);
  AddQuarantineCommand(app, global, commands);
  AddCheckCommand(app, global, commands);
  AddGenerateCommand(app, global, commands);

  if (std::optional<std::string> unknown = UnknownCommand(app, argc, argv)) {
    std::cerr << "stedi: error: unknown command '" << *unknown
              << "'; run `stedi --help` for the list of commands\n";
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    // CLI11 returns 0 for --help; every other parse error is invalid usage.
    return code == 0 ? 0 : 2;
  }

  SetUpLogging(global);
  for (const Command& command : commands) {
    if (!command.app->parsed()) continue;
    Status status = command.run();
    if (!status.ok()) {
      std::cerr << "stedi: error: " << status.message() << '\n';
      return 1;
    }
    return 0;
  }
  return 2;
}

}  // namespace stedi::cli
