// Command-line behaviour: help, exit codes and error messages.
#include <gtest/gtest.h>

#include "e2e/cli_support.h"
#include "test_support.h"

namespace stedi::testing {
namespace {

TEST(CliTest, HelpWorksForEveryCommand) {
  for (const char* command : {"init", "ingest", "run", "query", "tables", "describe", "history",
                              "runs", "rollback", "vacuum", "quarantine", "check", "generate"}) {
    CommandResult result = RunStedi("", {command, "--help"});
    EXPECT_EQ(result.exit_code, 0) << command << ": " << result.err;
    EXPECT_NE(result.out.find("Usage"), std::string::npos) << command << ": " << result.out;
  }
}

TEST(CliTest, VersionPrintsVersion) {
  CommandResult result = RunStedi("", {"--version"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.rfind("stedi ", 0), 0u) << result.out;
}

TEST(CliTest, MissingCommandIsUsageError) {
  CommandResult result = RunStedi("", {});
  EXPECT_EQ(result.exit_code, 2);
}

TEST(CliTest, UnknownCommandIsNamed) {
  CommandResult result = RunStedi("", {"injest", "x"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(
      result.err,
      "stedi: error: unknown command 'injest'; run `stedi --help` for the list of commands\n");
}

TEST(CliTest, OutOfRangeNumberIsUsageError) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"vacuum", "--keep", "0"},
                                               {"vacuum", "--min-age", "-1"},
                                               {"runs", "--limit", "0"},
                                               {"check", "--run", "x"}}) {
    CommandResult result = RunStedi("", args);
    EXPECT_EQ(result.exit_code, 2) << args[0];
    EXPECT_EQ(result.err.rfind(args[1] + ": ", 0), 0u) << result.err;
  }
}

TEST(CliTest, UnknownOptionIsUsageError) {
  CommandResult result = RunStedi("", {"tables", "--colour"});
  EXPECT_EQ(result.exit_code, 2);
}

TEST(CliTest, UnknownTableNamesIt) {
  TempDir lake;
  ASSERT_EQ(RunStedi(lake.str(), {"init"}).exit_code, 0);
  CommandResult result = RunStedi(lake.str(), {"query", "SELECT * FROM no_such_table"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err.rfind("stedi: error: ", 0), 0u) << result.err;
  EXPECT_NE(result.err.find("no_such_table"), std::string::npos) << result.err;
}

TEST(CliTest, DescribeUnknownTableFails) {
  TempDir lake;
  ASSERT_EQ(RunStedi(lake.str(), {"init"}).exit_code, 0);
  CommandResult result = RunStedi(lake.str(), {"describe", "nope"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "stedi: error: table nope does not exist (see `stedi tables`)\n");
}

TEST(CliTest, RunWithoutLandingDataExplains) {
  TempDir lake;
  ASSERT_EQ(RunStedi(lake.str(), {"init"}).exit_code, 0);
  CommandResult result = RunStedi(lake.str(), {"run"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("customer_landing does not exist"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("stedi ingest"), std::string::npos) << result.err;
}

TEST(CliTest, QueryFormats) {
  TempDir lake;
  ASSERT_EQ(RunStedi(lake.str(), {"init"}).exit_code, 0);
  const std::string sql = "SELECT 1 AS n, 'a,b' AS s, NULL AS z";
  CommandResult csv = RunStedi(lake.str(), {"query", "--format", "csv", sql});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out, "n,s,z\n1,\"a,b\",\n");
  CommandResult json = RunStedi(lake.str(), {"query", "--format", "json", sql});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(json.out, "{\"n\":1,\"s\":\"a,b\",\"z\":null}\n");
  CommandResult table = RunStedi(lake.str(), {"query", sql});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out, "n  s    z\n-  ---  ----\n1  a,b  NULL\n(1 row)\n");
}

TEST(CliTest, QueryRejectsStatementsThatWrite) {
  TempDir lake;
  ASSERT_EQ(RunStedi(lake.str(), {"init"}).exit_code, 0);
  const std::string target = (lake.path() / "out.csv").string();
  for (const std::string& sql :
       {"COPY (SELECT 1) TO '" + target + "'", std::string("CREATE TABLE t AS SELECT 1"),
        "ATTACH '" + target + ".duckdb' AS x", std::string("SELECT 1; SELECT 2"),
        // EXPLAIN ANALYZE runs the statement it explains.
        "EXPLAIN ANALYZE COPY (SELECT 1) TO '" + target + "'",
        "explain  analyse COPY (SELECT 1) TO '" + target + "'",
        "/* first */ EXPLAIN ANALYZE COPY (SELECT 1) TO '" + target + "'",
        "EXPLAIN (ANALYZE /* ) SELECT 1 -- */) COPY (SELECT 1) TO '" + target + "'",
        "EXPLAIN (ANALYZE) COPY (SELECT 1) TO '" + target + "'",
        "EXPLAIN ANALYZE /* x */ COPY (SELECT 1) TO '" + target + "'",
        "EXPORT DATABASE '" + target + ".dir'",
        std::string("WITH x AS (SELECT 1) SELECT * FROM x; DROP TABLE y")}) {
    CommandResult result = RunStedi(lake.str(), {"query", sql});
    EXPECT_EQ(result.exit_code, 1) << sql;
    EXPECT_EQ(result.err.rfind("stedi: error: query rejected: ", 0), 0u)
        << sql << ": " << result.err;
  }
  EXPECT_FALSE(std::filesystem::exists(target));
  EXPECT_FALSE(std::filesystem::exists(target + ".duckdb"));
  EXPECT_FALSE(std::filesystem::exists(target + ".dir"));
}

TEST(CliTest, QueryExplainsSelect) {
  TempDir lake;
  ASSERT_EQ(RunStedi(lake.str(), {"init"}).exit_code, 0);
  for (const std::string& sql :
       {"EXPLAIN SELECT 42", "EXPLAIN ANALYZE SELECT 42", "explain analyse select 42",
        "/* plan */ EXPLAIN SELECT 42", "WITH x AS (SELECT 42) SELECT * FROM x"}) {
    CommandResult result = RunStedi(lake.str(), {"query", sql});
    EXPECT_EQ(result.exit_code, 0) << sql << ": " << result.err;
  }
}

TEST(CliTest, QuerySqlErrorIsNotRejection) {
  TempDir lake;
  ASSERT_EQ(RunStedi(lake.str(), {"init"}).exit_code, 0);
  CommandResult result = RunStedi(lake.str(), {"query", "SELECT 1 +"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err.rfind("stedi: error: query failed", 0), 0u) << result.err;
}

TEST(CliTest, QueryPrintsNestedValues) {
  TempDir lake;
  ASSERT_EQ(RunStedi(lake.str(), {"init"}).exit_code, 0);
  CommandResult json = RunStedi(
      lake.str(), {"query", "--format", "json", "SELECT [1, 2] AS l, {'k': 1} AS s, 3 AS n"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(json.out, "{\"l\":\"[1, 2]\",\"s\":\"{'k': 1}\",\"n\":3}\n");
}

TEST(CliTest, LakeComesFromEnvironment) {
  TempDir lake;
  CommandResult init =
      RunShell("STEDI_LAKE=" + lake.str() + " " + std::string(STEDI_BINARY) + " init");
  EXPECT_EQ(init.exit_code, 0) << init.err;
  EXPECT_TRUE(std::filesystem::exists(lake.path() / "_catalog" / "catalog.db"));
  CommandResult tables =
      RunShell("STEDI_LAKE=" + lake.str() + " " + std::string(STEDI_BINARY) + " tables");
  EXPECT_EQ(tables.exit_code, 0) << tables.err;
}

// A mistyped --lake must not leave an empty lake behind.
TEST(CliTest, ReadCommandsNeedExistingLake) {
  TempDir work;
  std::filesystem::path missing = work.path() / "typo";
  for (const std::vector<std::string>& args : {std::vector<std::string>{"tables"},
                                               {"describe", "customer_landing"},
                                               {"query", "SELECT 1"},
                                               {"run"},
                                               {"runs"},
                                               {"history", "customer_trusted"},
                                               {"quarantine"},
                                               {"check"},
                                               {"vacuum"}}) {
    CommandResult result = RunStedi(missing.string(), args);
    EXPECT_EQ(result.exit_code, 1) << args[0];
    EXPECT_EQ(result.err.rfind("stedi: error: no lake at " + missing.string(), 0), 0u)
        << args[0] << ": " << result.err;
  }
  // An ingest that lands nothing does not create the lake either.
  WriteFile(work.path() / "empty.json", "");
  for (const std::string& input :
       {(work.path() / "none.json").string(), (work.path() / "empty.json").string()}) {
    RunStedi(missing.string(), {"ingest", input});
    EXPECT_FALSE(std::filesystem::exists(missing)) << input;
  }
}

TEST(CliTest, InitIsIdempotent) {
  TempDir work;
  std::string lake = (work.path() / "new").string();
  CommandResult first = RunStedi(lake, {"init"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, "created an empty lake at " + lake + "\n");
  CommandResult second = RunStedi(lake, {"init"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out, lake + " is a lake already; nothing changed\n");
}

}  // namespace
}  // namespace stedi::testing
