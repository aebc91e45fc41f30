#include "quality/checker.h"

#include <gtest/gtest.h>

#include <memory>

#include "engine/database.h"
#include "test_support.h"

namespace stedi::quality {
namespace {

using stedi::testing::TempDir;

class CheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto catalog = catalog::Catalog::Open((dir_.path() / "catalog.db").string());
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    catalog_ = std::move(catalog).value();
    auto db = engine::Database::Open("");
    ASSERT_TRUE(db.ok());
    db_ = std::make_unique<engine::Database>(std::move(db).value());
    auto connection = db_->Connect();
    ASSERT_TRUE(connection.ok());
    connection_ = std::make_unique<engine::Connection>(std::move(connection).value());
  }

  // Writes `select_sql` to a Parquet file in the test folder.
  std::string WriteParquet(const std::string& name, const std::string& select_sql) {
    std::string path = (dir_.path() / name).string();
    Status written = connection_->Execute("COPY (" + select_sql + ") TO " +
                                          engine::QuoteLiteral(path) + " (FORMAT parquet)");
    EXPECT_TRUE(written.ok()) << written.ToString();
    return path;
  }

  Status Check(int64_t run_id, const std::vector<std::string>& checks,
               const std::vector<std::string>& paths) {
    return CheckJobOutput(*catalog_, *connection_, "job", run_id, checks, paths,
                          [this](const std::string& name) {
                            registered_.push_back(name);
                            return Status::Ok();
                          });
  }

  TempDir dir_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> connection_;
  std::vector<std::string> registered_;
};

TEST_F(CheckerTest, RulesSeeEveryFileOfTheTable) {
  std::string kept = WriteParquet("kept.parquet", "SELECT 1 AS id");
  std::string part = WriteParquet("part.parquet", "SELECT 1 AS id UNION ALL SELECT 2");
  EXPECT_TRUE(Check(1, {"unique(id)"}, {part}).ok());

  Status status = Check(2, {"unique(id)"}, {kept, part});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_EQ(status.message(),
            "check `unique(id)` failed on job: 1 violation, such as id=1 (2 rows) "
            "(snapshot not committed; see `stedi check --run 2`)");
}

TEST_F(CheckerTest, WarningsPassAndAreStored) {
  std::string part = WriteParquet("part.parquet", "SELECT * FROM (VALUES (1), (NULL)) AS t(id)");
  ASSERT_TRUE(Check(4, {"not_null(id) warn", "unique(id)"}, {part}).ok());

  auto results = ListResults(*catalog_, 4);
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  ASSERT_EQ(results->size(), 2u);
  EXPECT_EQ((*results)[0].rule, "not_null(id) warn");
  EXPECT_EQ((*results)[0].status, "warned");
  EXPECT_EQ((*results)[0].violations, 1);
  EXPECT_EQ((*results)[0].examples, (std::vector<std::string>{"NULL in row {'id': NULL}"}));
  EXPECT_EQ((*results)[0].table, "job");
  EXPECT_EQ((*results)[1].status, "passed");
  EXPECT_FALSE((*results)[1].checked_at.empty());
}

TEST_F(CheckerTest, ListsLatestRunOfEachJob) {
  std::vector<CheckResult> stored;
  for (auto [run_id, job] : std::vector<std::pair<int64_t, std::string>>{
           {1, "a"}, {2, "b"}, {3, "a"}}) {
    CheckResult result;
    result.run_id = run_id;
    result.job = job;
    result.rule = "unique(id)";
    result.table = job;
    result.severity = "fail";
    result.status = "passed";
    stored.push_back(result);
  }
  ASSERT_TRUE(StoreResults(*catalog_, stored).ok());

  auto latest = ListResults(*catalog_, std::nullopt);
  ASSERT_TRUE(latest.ok());
  ASSERT_EQ(latest->size(), 2u);
  EXPECT_EQ((*latest)[0].run_id, 2);
  EXPECT_EQ((*latest)[1].run_id, 3);
  auto first = ListResults(*catalog_, 1);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].job, "a");
}

TEST_F(CheckerTest, RegistersTablesRulesRead) {
  std::string part = WriteParquet("part.parquet", "SELECT 1 AS id");
  ASSERT_TRUE(connection_->Execute("CREATE TABLE other AS SELECT 1 AS id").ok());
  ASSERT_TRUE(Check(1, {"references(id, other.id)", "rows_at_most(other)"}, {part}).ok());
  EXPECT_EQ(registered_, (std::vector<std::string>{"other"}));
}

TEST_F(CheckerTest, InvalidRuleIsRejectedBeforeRunning) {
  std::string part = WriteParquet("part.parquet", "SELECT 1 AS id");
  Status status = Check(1, {"unique id"}, {part});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  auto results = ListResults(*catalog_, 1);
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  EXPECT_TRUE(results->empty());
}

}  // namespace
}  // namespace stedi::quality
