#include "engine/database.h"

#include <gtest/gtest.h>

namespace stedi::engine {
namespace {

TEST(DatabaseTest, QueryReturnsTypedValues) {
  auto db = Database::Open("");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto connection = db->Connect();
  ASSERT_TRUE(connection.ok());
  auto result = connection->Query("SELECT 42::BIGINT AS answer, 'x' AS name, NULL AS nothing");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->column_count(), 3u);
  EXPECT_EQ(result->row_count(), 1u);
  EXPECT_EQ(result->column_name(0), "answer");
  EXPECT_EQ(result->column_type(0), "BIGINT");
  EXPECT_TRUE(result->column_is_numeric(0));
  EXPECT_EQ(result->GetInt64(0, 0), 42);
  EXPECT_EQ(result->GetString(1, 0), "x");
  EXPECT_EQ(result->GetString(2, 0), std::nullopt);
}

TEST(DatabaseTest, ErrorCarriesDuckdbMessage) {
  auto db = Database::Open("");
  ASSERT_TRUE(db.ok());
  auto connection = db->Connect();
  ASSERT_TRUE(connection.ok());
  auto result = connection->Query("SELECT * FROM no_such_table");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("no_such_table"), std::string::npos)
      << result.status().message();
}

TEST(DatabaseTest, AppenderRowsBecomeVisibleOnClose) {
  auto db = Database::Open("");
  ASSERT_TRUE(db.ok());
  auto connection = db->Connect();
  ASSERT_TRUE(connection.ok());
  ASSERT_TRUE(connection->Execute("CREATE TABLE t (a BIGINT, b DOUBLE, c VARCHAR)").ok());
  auto appender = connection->CreateAppender("t");
  ASSERT_TRUE(appender.ok()) << appender.status().ToString();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(appender->AppendInt64(i).ok());
    ASSERT_TRUE(appender->AppendDouble(i / 2.0).ok());
    ASSERT_TRUE(appender->AppendNull().ok());
    ASSERT_TRUE(appender->EndRow().ok());
  }
  ASSERT_TRUE(appender->Close().ok());
  auto count = connection->QueryInt64("SELECT count(*) FROM t WHERE c IS NULL");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 3);
}

TEST(DatabaseTest, InvalidSettingIsRejected) {
  DatabaseOptions options;
  options.memory_limit = "lots";
  auto db = Database::Open("", options);
  EXPECT_FALSE(db.ok());
}

TEST(QuoteTest, DoublesEmbeddedQuotes) {
  EXPECT_EQ(QuoteIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(QuoteLiteral("it's"), "'it''s'");
}

}  // namespace
}  // namespace stedi::engine
