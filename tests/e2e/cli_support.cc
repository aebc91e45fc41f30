#include "e2e/cli_support.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_support.h"

namespace stedi::testing {
namespace {

std::string ShellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

CommandResult RunShell(const std::string& command_line) {
  TempDir capture;
  std::string out_path = (capture.path() / "out").string();
  std::string err_path = (capture.path() / "err").string();
  std::string full = command_line + " >" + ShellQuote(out_path) + " 2>" + ShellQuote(err_path);
  int status = std::system(full.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = ReadAll(out_path);
  result.err = ReadAll(err_path);
  return result;
}

CommandResult RunStedi(const std::string& lake, const std::vector<std::string>& args) {
  std::string command_line = ShellQuote(STEDI_BINARY);
  if (!lake.empty()) command_line += " --lake " + ShellQuote(lake);
  for (const std::string& arg : args) command_line += " " + ShellQuote(arg);
  return RunShell(command_line);
}

std::map<std::string, int64_t> TableRows(const std::string& lake) {
  CommandResult result = RunStedi(lake, {"tables", "--format", "csv"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::map<std::string, int64_t> rows;
  std::istringstream lines(result.out);
  std::string line;
  std::getline(lines, line);  // header: table,zone,format,rows,...
  while (std::getline(lines, line)) {
    std::vector<std::string> fields;
    std::istringstream cells(line);
    std::string cell;
    while (std::getline(cells, cell, ',')) fields.push_back(cell);
    if (fields.size() >= 4) rows[fields[0]] = std::stoll(fields[3]);
  }
  return rows;
}

}  // namespace stedi::testing
