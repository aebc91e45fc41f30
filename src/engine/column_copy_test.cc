// Tests of the column-wise paths into DuckDB: Appender::AppendColumns and
// Connection::CopyColumnsToParquet.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "engine/database.h"
#include "test_support.h"

namespace stedi::engine {
namespace {

using Kind = ColumnValues::Kind;

// Three rows: (1, 10, 0.5, "a"), (2, NULL, 1.5, ""), (3, 30, 2.5, "ccc").
struct SampleColumns {
  std::vector<int64_t> bigints = {1, 2, 3};
  std::vector<int32_t> integers = {10, 0, 30};
  std::vector<uint8_t> integers_valid = {1, 0, 1};
  std::vector<double> doubles = {0.5, 1.5, 2.5};
  std::string string_data = "accc";
  std::vector<uint64_t> string_ends = {1, 1, 4};

  std::vector<ColumnValues> Values() const {
    ColumnValues a{Kind::kBigint};
    a.bigints = bigints.data();
    ColumnValues b{Kind::kInteger};
    b.integers = integers.data();
    b.valid = integers_valid.data();
    ColumnValues c{Kind::kDouble};
    c.doubles = doubles.data();
    ColumnValues d{Kind::kVarchar};
    d.string_data = string_data.data();
    d.string_ends = string_ends.data();
    return {a, b, c, d};
  }
};

class ColumnCopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db_.ok()) << db_.status().ToString();
    ASSERT_TRUE(connection_.ok()) << connection_.status().ToString();
  }

  // The rows of `from` as text, ordered by the first column.
  std::string Rows(const std::string& from) {
    auto result = connection_->Query(
        fmt::format("SELECT string_agg(concat_ws('|', a, coalesce(b::VARCHAR, 'NULL'), c, d), ';' "
                    "ORDER BY a) FROM {}",
                    from));
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? result->GetString(0, 0).value_or("") : "";
  }

  testing::TempDir dir_;
  Result<Database> db_ = Database::Open("");
  Result<Connection> connection_ =
      db_.ok() ? db_->Connect() : Result<Connection>(Status::Internal("no database"));
};

TEST_F(ColumnCopyTest, AppendColumnsFillsTable) {
  ASSERT_TRUE(
      connection_->Execute("CREATE TABLE t (a BIGINT, b INTEGER, c DOUBLE, d VARCHAR)").ok());
  SampleColumns sample;
  std::vector<ColumnValues> values = sample.Values();
  auto appender = connection_->CreateAppender("t");
  ASSERT_TRUE(appender.ok()) << appender.status().ToString();
  Status appended = appender->AppendColumns(values, 3);
  ASSERT_TRUE(appended.ok()) << appended.ToString();
  ASSERT_TRUE(appender->Close().ok());
  EXPECT_EQ(Rows("t"), "1|10|0.5|a;2|NULL|1.5|;3|30|2.5|ccc");
}

TEST_F(ColumnCopyTest, AppendColumnsRejectsWrongKind) {
  ASSERT_TRUE(
      connection_->Execute("CREATE TABLE t (a VARCHAR, b INTEGER, c DOUBLE, d VARCHAR)").ok());
  SampleColumns sample;
  std::vector<ColumnValues> values = sample.Values();
  auto appender = connection_->CreateAppender("t");
  ASSERT_TRUE(appender.ok());
  Status appended = appender->AppendColumns(values, 3);
  EXPECT_EQ(appended.code(), StatusCode::kInvalidArgument);
}

TEST_F(ColumnCopyTest, CopyToParquetKeepsBatchOrder) {
  SampleColumns sample;
  std::vector<ColumnDefinition> columns = {
      {"a", Kind::kBigint}, {"b", Kind::kInteger}, {"c", Kind::kDouble}, {"d", Kind::kVarchar}};
  // The same three rows twice, then a large batch spanning several chunks.
  std::vector<int64_t> many(5000);
  for (size_t i = 0; i < many.size(); ++i) many[i] = 100 + static_cast<int64_t>(i);
  std::vector<int32_t> many_integers(many.size(), 7);
  std::vector<double> many_doubles(many.size(), 0.25);
  std::vector<uint64_t> many_ends(many.size(), 0);
  ColumnBatch large;
  large.rows = many.size();
  large.columns = {ColumnValues{Kind::kBigint}, ColumnValues{Kind::kInteger},
                   ColumnValues{Kind::kDouble}, ColumnValues{Kind::kVarchar}};
  large.columns[0].bigints = many.data();
  large.columns[1].integers = many_integers.data();
  large.columns[2].doubles = many_doubles.data();
  large.columns[3].string_data = "";
  large.columns[3].string_ends = many_ends.data();
  std::vector<ColumnBatch> batches = {{sample.Values(), 3}, {sample.Values(), 3}, large};

  std::string path = (dir_.path() / "out.parquet").string();
  Status copied = connection_->CopyColumnsToParquet(columns, batches, path);
  ASSERT_TRUE(copied.ok()) << copied.ToString();

  std::string parquet = fmt::format("read_parquet({})", QuoteLiteral(path));
  auto count = connection_->QueryInt64("SELECT count(*) FROM " + parquet);
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(*count, 5006);
  // File order: row numbers follow the batches as given.
  auto ordered = connection_->QueryInt64(
      fmt::format("SELECT count(*) FROM (SELECT a, row_number() OVER () AS n FROM {}) "
                  "WHERE n > 6 AND a <> n + 93",
                  parquet));
  ASSERT_TRUE(ordered.ok()) << ordered.status().ToString();
  EXPECT_EQ(*ordered, 0);
  EXPECT_EQ(Rows(fmt::format("(SELECT * FROM {} LIMIT 3)", parquet)),
            "1|10|0.5|a;2|NULL|1.5|;3|30|2.5|ccc");
}

TEST_F(ColumnCopyTest, CopyToParquetRejectsMismatchedBatch) {
  SampleColumns sample;
  std::vector<ColumnDefinition> columns = {{"a", Kind::kBigint}, {"b", Kind::kInteger}};
  std::vector<ColumnBatch> batches = {{sample.Values(), 3}};
  Status copied =
      connection_->CopyColumnsToParquet(columns, batches, (dir_.path() / "x.parquet").string());
  EXPECT_EQ(copied.code(), StatusCode::kInvalidArgument);
}

TEST_F(ColumnCopyTest, CopyToParquetOnConnectionsAtOnce) {
  SampleColumns sample;
  std::vector<ColumnDefinition> columns = {
      {"a", Kind::kBigint}, {"b", Kind::kInteger}, {"c", Kind::kDouble}, {"d", Kind::kVarchar}};
  std::vector<ColumnBatch> batches = {{sample.Values(), 3}};
  // The scan function is registered on a connection's first copy, so each
  // round starts a fresh database whose connections all copy at once.
  // Without serialized registration, both of two runs of 100 rounds failed.
  constexpr int kRounds = 50;
  constexpr int kConnections = 8;
  for (int round = 0; round < kRounds; ++round) {
    auto db = Database::Open("");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    std::vector<Connection> connections;
    for (int i = 0; i < kConnections; ++i) {
      auto connection = db->Connect();
      ASSERT_TRUE(connection.ok()) << connection.status().ToString();
      connections.push_back(std::move(connection).value());
    }
    std::vector<Status> statuses(kConnections);
    std::vector<std::thread> threads;
    std::atomic<int> waiting{kConnections};
    for (int i = 0; i < kConnections; ++i) {
      threads.emplace_back([&, i] {
        // Start the copies together.
        --waiting;
        while (waiting.load() > 0) std::this_thread::yield();
        std::string path = (dir_.path() / fmt::format("r{}-c{}.parquet", round, i)).string();
        statuses[i] = connections[i].CopyColumnsToParquet(columns, batches, path);
      });
    }
    for (std::thread& thread : threads) thread.join();
    for (int i = 0; i < kConnections; ++i) {
      EXPECT_TRUE(statuses[i].ok()) << "round " << round << ": " << statuses[i].ToString();
    }
  }
}

}  // namespace
}  // namespace stedi::engine
