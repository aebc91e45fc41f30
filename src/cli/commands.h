// The stedi subcommands. Each Add*Command registers one subcommand with its
// options and help, and the handler that runs it after parsing.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "catalog/lake.h"
#include "common/status.h"

namespace stedi::cli {

struct GlobalOptions {
  std::string lake;  // lake folder; from --lake, STEDI_LAKE, or ./lake
  bool verbose = false;
  bool quiet = false;
};

struct Command {
  CLI::App* app;
  std::function<Status()> run;
};

using CommandList = std::vector<Command>;

// Opens the lake named by the global options. kNotFound, with a hint, when
// no lake is there, since only `stedi init` and `stedi ingest` create one
// (OpenOrCreateLake).
Result<catalog::Lake> OpenLake(const GlobalOptions& global);
Result<catalog::Lake> OpenOrCreateLake(const GlobalOptions& global);

// A check for an integer option: the value must be at least `min`.
CLI::Validator AtLeast(int64_t min);

void AddInitCommand(CLI::App& app, const GlobalOptions& global, CommandList& commands);
void AddIngestCommand(CLI::App& app, const GlobalOptions& global, CommandList& commands);
void AddUnlandCommand(CLI::App& app, const GlobalOptions& global, CommandList& commands);
void AddRunCommand(CLI::App& app, const GlobalOptions& global, CommandList& commands);
void AddQueryCommand(CLI::App& app, const GlobalOptions& global, CommandList& commands);
void AddTablesCommands(CLI::App& app, const GlobalOptions& global, CommandList& commands);
void AddHistoryCommands(CLI::App& app, const GlobalOptions& global, CommandList& commands);
void AddQuarantineCommand(CLI::App& app, const GlobalOptions& global, CommandList& commands);
void AddCheckCommand(CLI::App& app, const GlobalOptions& global, CommandList& commands);
void AddGenerateCommand(CLI::App& app, const GlobalOptions& global, CommandList& commands);

}  // namespace stedi::cli
