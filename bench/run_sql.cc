// run_sql: runs the statements of one SQL file on an in-memory DuckDB
// database through stedi's engine wrapper, printing each statement's wall
// time on stderr and the rows of each SELECT on stdout. The benchmarks use it
// for the hand-written baseline pipeline.
//
//   run_sql [--var NAME=VALUE]... [--memory-limit 1GB] [--temp-dir DIR]
//           [--threads N] FILE.sql
//
// Each ${NAME} in the file is replaced by VALUE before it runs.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/database.h"

namespace {

using stedi::Result;
using stedi::Status;

struct Statement {
  std::string text;
  int line = 0;  // 1-based line of the statement's first character
};

// Splits SQL text at semicolons outside quotes and comments, dropping
// statements that contain only whitespace and comments.
std::vector<Statement> SplitStatements(const std::string& sql) {
  std::vector<Statement> statements;
  std::string current;
  bool has_code = false;
  int line = 1;
  int start_line = 1;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      size_t end = sql.find('\n', i);
      if (end == std::string::npos) end = sql.size();
      current.append(sql, i, end - i);
      i = end - 1;
      continue;
    }
    if (c == '\'' || c == '"') {
      size_t end = sql.find(c, i + 1);
      if (end == std::string::npos) end = sql.size() - 1;
      if (!has_code) start_line = line;
      for (size_t j = i; j <= end; ++j) line += sql[j] == '\n';
      current.append(sql, i, end - i + 1);
      has_code = true;
      i = end;
      continue;
    }
    if (c == ';') {
      if (has_code) statements.push_back({current, start_line});
      current.clear();
      has_code = false;
      continue;
    }
    if (c == '\n') ++line;
    if (!has_code && !std::isspace(static_cast<unsigned char>(c))) {
      has_code = true;
      start_line = line;
    }
    current.push_back(c);
  }
  if (has_code) statements.push_back({current, start_line});
  return statements;
}

// Replaces each ${NAME} with its value; an unknown name is an error.
Result<std::string> SubstituteVariables(const std::string& sql,
                                        const std::vector<std::string>& assignments) {
  std::string text = sql;
  for (const std::string& assignment : assignments) {
    size_t equals = assignment.find('=');
    if (equals == std::string::npos) {
      return Status::InvalidArgument(
          fmt::format("parse --var {}: expected NAME=VALUE", assignment));
    }
    std::string placeholder = "${" + assignment.substr(0, equals) + "}";
    std::string value = assignment.substr(equals + 1);
    for (size_t at = text.find(placeholder); at != std::string::npos;
         at = text.find(placeholder, at + value.size())) {
      text.replace(at, placeholder.size(), value);
    }
  }
  size_t unresolved = text.find("${");
  if (unresolved != std::string::npos) {
    return Status::InvalidArgument(
        fmt::format("substitute variables: no --var for {}",
                    text.substr(unresolved, text.find('}', unresolved) - unresolved + 1)));
  }
  return text;
}

// Returns the first line of code of a statement, for the timing report.
std::string Headline(const std::string& statement) {
  std::istringstream lines(statement);
  std::string line;
  while (std::getline(lines, line)) {
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line.compare(first, 2, "--") == 0) continue;
    line = line.substr(first);
    return line.size() > 72 ? line.substr(0, 69) + "..." : line;
  }
  return "";
}

bool IsSelect(const std::string& statement) {
  std::string headline = Headline(statement);
  for (const char* keyword : {"SELECT", "WITH", "FROM", "select", "with", "from"}) {
    if (headline.rfind(keyword, 0) == 0) return true;
  }
  return false;
}

void PrintRows(const stedi::engine::QueryResult& result) {
  for (size_t column = 0; column < result.column_count(); ++column) {
    std::cout << (column == 0 ? "" : "\t") << result.column_name(column);
  }
  std::cout << '\n';
  for (size_t row = 0; row < result.row_count(); ++row) {
    for (size_t column = 0; column < result.column_count(); ++column) {
      std::cout << (column == 0 ? "" : "\t") << result.GetString(column, row).value_or("NULL");
    }
    std::cout << '\n';
  }
}

struct Options {
  std::string file;
  std::vector<std::string> variables;
  stedi::engine::DatabaseOptions database;
};

Status Run(const Options& options) {
  std::ifstream in(options.file);
  if (!in) return Status::NotFound(fmt::format("open {}: no such readable file", options.file));
  std::stringstream text;
  text << in.rdbuf();
  STEDI_ASSIGN_OR_RETURN(std::string sql, SubstituteVariables(text.str(), options.variables));

  STEDI_ASSIGN_OR_RETURN(auto database, stedi::engine::Database::Open("", options.database));
  STEDI_ASSIGN_OR_RETURN(auto connection, database.Connect());
  using Clock = std::chrono::steady_clock;
  auto run_start = Clock::now();
  for (const Statement& statement : SplitStatements(sql)) {
    auto start = Clock::now();
    auto result = connection.Query(statement.text);
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (!result.ok()) {
      return result.status().WithContext(
          fmt::format("{}:{}: run statement", options.file, statement.line));
    }
    std::cerr << fmt::format("{:8.3f} s  {}\n", seconds, Headline(statement.text));
    if (IsSelect(statement.text)) PrintRows(*result);
  }
  double total = std::chrono::duration<double>(Clock::now() - run_start).count();
  std::cerr << fmt::format("{:8.3f} s  total\n", total);
  return Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Run the statements of an SQL file on an in-memory DuckDB database", "run_sql"};
  Options options;
  app.add_option("file", options.file, "SQL file; statements end with ';'")->required();
  app.add_option("--var", options.variables, "Replace ${NAME} in the file with VALUE (NAME=VALUE)");
  app.add_option("--memory-limit", options.database.memory_limit,
                 "DuckDB memory limit, such as 1GB; over it DuckDB spills to --temp-dir");
  app.add_option("--temp-dir", options.database.temp_directory, "Folder DuckDB spills into");
  app.add_option("--threads", options.database.threads, "DuckDB threads (default: one per core)");
  CLI11_PARSE(app, argc, argv);

  Status status = Run(options);
  if (!status.ok()) {
    std::cerr << "run_sql: error: " << status.message() << '\n';
    return 1;
  }
  return 0;
}
