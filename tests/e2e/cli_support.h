// Runs the stedi binary as a user would and captures what it prints.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace stedi::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;  // standard output
  std::string err;  // standard error
};

// Runs `STEDI_BINARY args...` with `lake` as its --lake.
CommandResult RunStedi(const std::string& lake, const std::vector<std::string>& args);

// Runs a shell command line; for scripts.
CommandResult RunShell(const std::string& command_line);

// Parses `stedi tables --format csv` into table -> rows.
std::map<std::string, int64_t> TableRows(const std::string& lake);

}  // namespace stedi::testing
