#include "quality/rule.h"

#include <gtest/gtest.h>

#include <memory>

#include "engine/database.h"
#include "quality/checker.h"

namespace stedi::quality {
namespace {

TEST(RuleTest, ParsesArgumentsTableAndSeverity) {
  auto rule = ParseRule("  determines(serialNumber, email) on customer_landing warn ");
  ASSERT_TRUE(rule.ok()) << rule.status().ToString();
  EXPECT_EQ(rule->type, "determines");
  EXPECT_EQ(rule->arguments, (std::vector<std::string>{"serialNumber", "email"}));
  EXPECT_EQ(rule->table, "customer_landing");
  EXPECT_EQ(rule->severity, Severity::kWarn);
  EXPECT_EQ(rule->text, "determines(serialNumber, email) on customer_landing warn");
}

TEST(RuleTest, SeverityDefaultsToFail) {
  auto rule = ParseRule("not_null(email)");
  ASSERT_TRUE(rule.ok());
  EXPECT_EQ(rule->severity, Severity::kFail);
  EXPECT_TRUE(rule->table.empty());
}

TEST(RuleTest, LiteralsKeepCommasAndParentheses) {
  auto rule = ParseRule("matches(email, '^(a,b)+@[^@]+$') fail");
  ASSERT_TRUE(rule.ok()) << rule.status().ToString();
  ASSERT_EQ(rule->arguments.size(), 2u);
  EXPECT_EQ(rule->arguments[1], "'^(a,b)+@[^@]+$'");
}

TEST(RuleTest, AcceptsEveryDocumentedShape) {
  for (const char* text : {
           "not_null(a, b)", "unique(a)", "accepted_range(a, -1.5, 10)",
           "accepted_values(a, 'x', 'it''s')", "matches(a, 'x')", "references(a, t.b)",
           "determines(a, b)", "rows_at_most(t)", "rows_at_most(t, a = b)",
           "no_columns(a, b)", "consenting_only(a)", "consenting_only(a, t)"}) {
    auto rule = ParseRule(text);
    EXPECT_TRUE(rule.ok()) << text << ": " << rule.status().ToString();
  }
}

TEST(RuleTest, RejectsMalformedRules) {
  struct Case {
    const char* text;
    const char* message_start;
  };
  for (const Case& c : std::vector<Case>{
           {"not_null", "parse check `not_null`: expected NAME(ARGUMENTS)"},
           {"not_null(a", "parse check `not_null(a`: missing ')'"},
           {"not_null()", "parse check `not_null()`: expected not_null(COLUMN, ...)"},
           {"not_null(a b)", "parse check `not_null(a b)`: 'a b' is not a column name"},
           {"shiny(a)", "parse check `shiny(a)`: unknown rule type 'shiny'"},
           {"accepted_range(a, 0, ten)", "parse check `accepted_range(a, 0, ten)`: MIN and MAX"},
           {"matches(a, x)", "parse check `matches(a, x)`: 'x' is not a string literal"},
           {"matches(a, 'x)", "parse check `matches(a, 'x)`: missing ')'"},
           {"references(a, b)", "parse check `references(a, b)`: 'b' is not TABLE.COLUMN"},
           {"rows_at_most(t, a)", "parse check `rows_at_most(t, a)`: 'a' is not KEY = TABLE_KEY"},
           {"unique(a) on", "parse check `unique(a) on`: `on` needs a table name"},
           {"unique(a) error", "parse check `unique(a) error`: unexpected 'error'"},
       }) {
    auto rule = ParseRule(c.text);
    ASSERT_FALSE(rule.ok()) << c.text;
    EXPECT_EQ(rule.status().code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_EQ(rule.status().message().rfind(c.message_start, 0), 0u)
        << c.text << ": " << rule.status().message();
  }
}

TEST(RuleTest, TablesReadNamesEveryOtherTable) {
  auto references = ParseRule("references(a, other.b) on source");
  ASSERT_TRUE(references.ok());
  EXPECT_EQ(TablesRead(*references), (std::vector<std::string>{"source", "other"}));
  auto consent = ParseRule("consenting_only(serialNumber, device_owner)");
  ASSERT_TRUE(consent.ok());
  EXPECT_EQ(TablesRead(*consent),
            (std::vector<std::string>{"customer_landing", "device_owner"}));
}

// Each rule compiled and run by DuckDB over small hand-written tables: the
// job's output is the table `output`.
class RuleSqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = engine::Database::Open("");
    ASSERT_TRUE(db.ok());
    db_ = std::make_unique<engine::Database>(std::move(db).value());
    auto connection = db_->Connect();
    ASSERT_TRUE(connection.ok());
    connection_ = std::make_unique<engine::Connection>(std::move(connection).value());
  }

  void Execute(const std::string& sql) {
    Status status = connection_->Execute(sql);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  CheckResult Check(const std::string& text) {
    auto rule = ParseRule(text);
    EXPECT_TRUE(rule.ok()) << rule.status().ToString();
    if (!rule.ok()) return {};
    std::vector<CheckResult> results = RunChecks(*connection_, "job", 7, {*rule}, "output");
    EXPECT_EQ(results.size(), 1u);
    return results.empty() ? CheckResult{} : results.front();
  }

  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> connection_;
};

TEST_F(RuleSqlTest, NotNullCountsRowsWithAnyNull) {
  Execute("CREATE TABLE output AS SELECT * FROM (VALUES (1, 'a'), (NULL, 'b'), (3, NULL)) "
          "AS t(id, name)");
  CheckResult id = Check("not_null(id)");
  EXPECT_EQ(id.status, "failed");
  EXPECT_EQ(id.violations, 1);
  EXPECT_EQ(id.examples, (std::vector<std::string>{"NULL in row {'id': NULL, 'name': b}"}));
  EXPECT_EQ(Check("not_null(id, name)").violations, 2);
  EXPECT_EQ(id.job, "job");
  EXPECT_EQ(id.run_id, 7);
  EXPECT_EQ(id.table, "output");
}

TEST_F(RuleSqlTest, UniqueReportsDuplicateKeys) {
  Execute("CREATE TABLE output AS SELECT * FROM (VALUES (1, 10), (1, 10), (1, 11), (2, 10)) "
          "AS t(time, serial)");
  CheckResult pair = Check("unique(time, serial)");
  EXPECT_EQ(pair.status, "failed");
  EXPECT_EQ(pair.violations, 1);
  EXPECT_EQ(pair.examples, (std::vector<std::string>{"time=1, serial=10 (2 rows)"}));
  EXPECT_EQ(Check("unique(time)").violations, 1);
  EXPECT_EQ(Check("unique(serial)").violations, 1);
}

TEST_F(RuleSqlTest, WarnRuleIsWarnedNotFailed) {
  Execute("CREATE TABLE output AS SELECT 1 AS id UNION ALL SELECT 1");
  CheckResult result = Check("unique(id) warn");
  EXPECT_EQ(result.status, "warned");
  EXPECT_EQ(result.severity, "warn");
  EXPECT_FALSE(BlocksCommit(result));
  EXPECT_TRUE(BlocksCommit(Check("unique(id)")));
}

TEST_F(RuleSqlTest, AcceptedRangeAllowsBoundsAndNull) {
  Execute("CREATE TABLE output AS SELECT * FROM (VALUES (0), (10000), (NULL), (-1), (10001)) "
          "AS t(distance)");
  CheckResult result = Check("accepted_range(distance, 0, 10000)");
  EXPECT_EQ(result.violations, 2);
  EXPECT_EQ(result.examples, (std::vector<std::string>{"distance=-1", "distance=10001"}));
}

TEST_F(RuleSqlTest, AcceptedValuesRejectsOtherValues) {
  Execute("CREATE TABLE output AS SELECT * FROM (VALUES ('inferred'), ('guessed'), (NULL)) "
          "AS t(resolution)");
  CheckResult result = Check("accepted_values(resolution, 'registered', 'inferred')");
  EXPECT_EQ(result.violations, 1);
  EXPECT_EQ(result.examples, (std::vector<std::string>{"resolution=guessed"}));
}

TEST_F(RuleSqlTest, MatchesChecksEveryValue) {
  Execute("CREATE TABLE output AS SELECT * FROM (VALUES ('a@b.com'), ('no-at'), ('a@b@c'), "
          "(NULL)) AS t(email)");
  CheckResult result = Check("matches(email, '^[^@]+@[^@]+$')");
  EXPECT_EQ(result.violations, 2);
  EXPECT_EQ(result.examples, (std::vector<std::string>{"email=a@b@c", "email=no-at"}));
}

TEST_F(RuleSqlTest, ReferencesCountsMissingValuesOnce) {
  Execute("CREATE TABLE output AS SELECT * FROM (VALUES ('s1'), ('s2'), ('s2'), (NULL)) "
          "AS t(serial)");
  Execute("CREATE TABLE owners AS SELECT 's1' AS serial");
  CheckResult result = Check("references(serial, owners.serial)");
  EXPECT_EQ(result.violations, 1);
  EXPECT_EQ(result.examples, (std::vector<std::string>{"serial=s2 is not in owners.serial"}));
}

TEST_F(RuleSqlTest, DeterminesFindsSharedSerials) {
  Execute("CREATE TABLE customers AS SELECT * FROM (VALUES ('s1', 'a@x'), ('s1', 'b@x'), "
          "('s1', 'c@x'), ('s1', 'd@x'), ('s2', 'e@x'), ('s2', 'e@x')) AS t(serial, email)");
  CheckResult result = Check("determines(serial, email) on customers warn");
  EXPECT_EQ(result.table, "customers");
  EXPECT_EQ(result.status, "warned");
  EXPECT_EQ(result.violations, 1);
  EXPECT_EQ(result.examples,
            (std::vector<std::string>{"serial=s1: 4 values of email, such as a@x, b@x, c@x"}));
}

TEST_F(RuleSqlTest, RowsAtMostComparesTotals) {
  Execute("CREATE TABLE output AS SELECT range AS id FROM range(3)");
  Execute("CREATE TABLE small AS SELECT range AS id FROM range(2)");
  Execute("CREATE TABLE large AS SELECT range AS id FROM range(3)");
  EXPECT_EQ(Check("rows_at_most(large)").violations, 0);
  CheckResult result = Check("rows_at_most(small)");
  EXPECT_EQ(result.violations, 1);
  EXPECT_EQ(result.examples, (std::vector<std::string>{"3 rows, more than the 2 of small"}));
}

TEST_F(RuleSqlTest, RowsAtMostPerKeyCatchesJoinExplosion) {
  // Two devices and two customers exercise at millisecond 1000. Pairing on
  // the timestamp alone gives 4 rows for the 2 accelerometer readings.
  Execute("CREATE TABLE accelerometer AS SELECT * FROM (VALUES ('ann', 1000), ('bob', 1000), "
          "('bob', 2000)) AS t(user, timestamp)");
  Execute("CREATE TABLE steps AS SELECT * FROM (VALUES ('dev-a', 1000), ('dev-b', 1000), "
          "('dev-b', 2000)) AS t(serial, time)");
  Execute("CREATE TABLE owners AS SELECT * FROM (VALUES ('dev-a', 'ann'), ('dev-b', 'bob')) "
          "AS t(serial, user)");
  Execute("CREATE VIEW output AS SELECT s.time, s.serial FROM steps AS s "
          "JOIN accelerometer AS a ON a.timestamp = s.time");
  CheckResult exploded = Check("rows_at_most(accelerometer, time = timestamp)");
  EXPECT_EQ(exploded.status, "failed");
  EXPECT_EQ(exploded.violations, 1);
  EXPECT_EQ(exploded.examples,
            (std::vector<std::string>{"time=1000: 4 rows, more than the 2 of accelerometer"}));

  Execute("CREATE OR REPLACE VIEW output AS SELECT s.time, s.serial FROM steps AS s "
          "JOIN owners AS o ON o.serial = s.serial "
          "JOIN accelerometer AS a ON a.user = o.user AND a.timestamp = s.time");
  EXPECT_EQ(Check("rows_at_most(accelerometer, time = timestamp)").status, "passed");
}

TEST_F(RuleSqlTest, NoColumnsIgnoresCase) {
  Execute("CREATE TABLE output AS SELECT 1 AS id, 'x' AS Email");
  CheckResult result = Check("no_columns(email, phone)");
  EXPECT_EQ(result.violations, 1);
  EXPECT_EQ(result.examples, (std::vector<std::string>{"column Email is present"}));
  EXPECT_EQ(Check("no_columns(phone)").status, "passed");
}

TEST_F(RuleSqlTest, ConsentingOnlyUsesLatestRecord) {
  // A consenting customer, one who withdrew consent in a later record, and
  // one who never gave it.
  Execute("CREATE TABLE customer_landing AS SELECT * FROM (VALUES "
          "('yes@x', 's1', 1, 1, 5, 'Yes'), "
          "('withdrew@x', 's2', 1, 1, 5, 'Withdrew'), ('withdrew@x', 's2', 1, 2, NULL, 'Withdrew'), "
          "('never@x', 's3', 1, 1, NULL, 'Never')) "
          "AS t(email, serialNumber, registrationDate, lastUpdateDate, "
          "shareWithResearchAsOfDate, customerName)");
  Execute("CREATE TABLE output AS SELECT * FROM (VALUES ('yes@x'), ('withdrew@x'), ('never@x'), "
          "('unknown@x'), (NULL)) AS t(user)");
  CheckResult result = Check("consenting_only(user)");
  EXPECT_EQ(result.violations, 3);
  EXPECT_EQ(result.examples,
            (std::vector<std::string>{"user=never@x is not a consenting customer's",
                                      "user=unknown@x is not a consenting customer's",
                                      "user=withdrew@x is not a consenting customer's"}));

  Execute("CREATE TABLE device_owner AS SELECT * FROM (VALUES ('s1', 'yes@x'), "
          "('s2', 'withdrew@x'), ('s4', NULL)) AS t(serialNumber, email)");
  Execute("CREATE TABLE steps AS SELECT * FROM (VALUES ('s1'), ('s2'), ('s4'), ('s5')) "
          "AS t(serialNumber)");
  CheckResult serials = Check("consenting_only(serialNumber, device_owner) on steps");
  EXPECT_EQ(serials.violations, 3);
  ASSERT_EQ(serials.examples.size(), 3u);
  EXPECT_EQ(serials.examples[0], "serialNumber=s2 is not a consenting customer's");
}

TEST_F(RuleSqlTest, QueryErrorIsReportedAsError) {
  Execute("CREATE TABLE output AS SELECT 1 AS id");
  CheckResult result = Check("not_null(missing_column) warn");
  EXPECT_EQ(result.status, "error");
  EXPECT_TRUE(BlocksCommit(result));
  ASSERT_EQ(result.examples.size(), 1u);
  EXPECT_NE(result.examples[0].find("missing_column"), std::string::npos) << result.examples[0];
}

}  // namespace
}  // namespace stedi::quality
