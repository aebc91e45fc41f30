#include "ingest/landing_converter.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_support.h"

namespace stedi::ingest {
namespace {

using engine::Connection;
using engine::Database;
using engine::QuoteLiteral;

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string TestData(const std::string& name) {
  return ReadFile(std::filesystem::path(STEDI_TEST_DATA_DIR) / "ingest" / name);
}

class LandingConverterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db_.ok()) << db_.status().ToString();
    ASSERT_TRUE(connection_.ok()) << connection_.status().ToString();
  }

  std::string ParquetPath(const std::string& name) const { return (dir_.path() / name).string(); }

  testing::TempDir dir_;
  Result<Database> db_ = Database::Open("");
  Result<Connection> connection_ =
      db_.ok() ? db_->Connect() : Result<Connection>(Status::Internal("no database"));
};

TEST_F(LandingConverterTest, WritesAcceptedRowsInContractOrder) {
  std::string parquet = ParquetPath("customer.parquet");
  auto converted = ConvertLandingFile("customer.json", TestData("customer_phone_number.json"),
                                      ContractFor(Source::kCustomer), connection_.value(), parquet);
  ASSERT_TRUE(converted.ok()) << converted.status().ToString();
  EXPECT_EQ(converted->records_read, 2);
  EXPECT_EQ(converted->accepted, 2);
  EXPECT_EQ(converted->coerced, 1);

  auto result = connection_->Query(fmt::format(
      "SELECT * FROM read_parquet({}) ORDER BY customerName DESC", QuoteLiteral(parquet)));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const RecordContract& contract = ContractFor(Source::kCustomer);
  ASSERT_EQ(result->column_count(), contract.fields.size());
  for (size_t i = 0; i < contract.fields.size(); ++i) {
    EXPECT_EQ(result->column_name(i), contract.fields[i].name);
    EXPECT_EQ(result->column_type(i), SqlTypeName(contract.fields[i].type));
  }
  ASSERT_EQ(result->row_count(), 2u);
  EXPECT_EQ(result->GetString(0, 0), "Santosh Clayton");
  EXPECT_EQ(result->GetString(2, 0), "8015551212");
  EXPECT_EQ(result->GetInt64(6, 0), 1655564376361);
  EXPECT_EQ(result->GetString(3, 1), std::nullopt);
  EXPECT_EQ(result->GetString(7, 1), std::nullopt);
}

TEST_F(LandingConverterTest, QuarantinedRecordsStayOutOfParquet) {
  std::string parquet = ParquetPath("step_trainer.parquet");
  auto converted =
      ConvertLandingFile("step.json", TestData("wrong_types.json"),
                         ContractFor(Source::kStepTrainer), connection_.value(), parquet);
  ASSERT_TRUE(converted.ok()) << converted.status().ToString();
  EXPECT_EQ(converted->accepted, 1);
  EXPECT_EQ(converted->quarantined, 6);
  EXPECT_EQ(converted->records_read, 7);
  ASSERT_EQ(converted->quarantine.size(), 6u);
  EXPECT_EQ(converted->quarantine[0].line, 1);
  auto rows = connection_->QueryInt64(
      fmt::format("SELECT count(*) FROM read_parquet({}) WHERE distanceFromObject = 218",
                  QuoteLiteral(parquet)));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, 1);
}

TEST_F(LandingConverterTest, EmptyFileGivesEmptyParquetWithColumns) {
  std::string parquet = ParquetPath("empty.parquet");
  auto converted = ConvertLandingFile("empty.json", "", ContractFor(Source::kAccelerometer),
                                      connection_.value(), parquet);
  ASSERT_TRUE(converted.ok()) << converted.status().ToString();
  EXPECT_EQ(converted->records_read, 0);
  auto result =
      connection_->Query(fmt::format("SELECT * FROM read_parquet({})", QuoteLiteral(parquet)));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->row_count(), 0u);
  EXPECT_EQ(result->column_count(), 5u);
}

TEST_F(LandingConverterTest, UnwritablePathIsAnError) {
  auto converted =
      ConvertLandingFile("crlf.json", TestData("crlf.json"), ContractFor(Source::kStepTrainer),
                         connection_.value(), ParquetPath("missing-folder/out.parquet"));
  ASSERT_FALSE(converted.ok());
  EXPECT_EQ(converted.status().message().rfind("convert crlf.json: ", 0), 0u)
      << converted.status().message();
}

// The starter data set, read-only, from STEDI_REAL_DATA: the folder that
// holds customer/, accelerometer/ and step_trainer/.
TEST_F(LandingConverterTest, RealStarterDataHasNoQuarantine) {
  const char* root = std::getenv("STEDI_REAL_DATA");
  if (root == nullptr || *root == '\0') GTEST_SKIP() << "STEDI_REAL_DATA is not set";
  const std::vector<std::pair<Source, int64_t>> expected = {
      {Source::kCustomer, 956}, {Source::kAccelerometer, 81273}, {Source::kStepTrainer, 28680}};
  int64_t total = 0;
  for (const auto& [source, expected_rows] : expected) {
    std::filesystem::path folder = std::filesystem::path(root) / SourceName(source);
    ASSERT_TRUE(std::filesystem::is_directory(folder)) << folder;
    int64_t accepted = 0;
    int files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
      std::string parquet = ParquetPath(fmt::format("{}-{}.parquet", SourceName(source), files++));
      auto converted = ConvertLandingFile(entry.path().filename().string(), ReadFile(entry.path()),
                                          ContractFor(source), connection_.value(), parquet);
      ASSERT_TRUE(converted.ok()) << converted.status().ToString();
      EXPECT_EQ(converted->quarantined, 0)
          << entry.path() << ": "
          << (converted->quarantine.empty() ? "" : converted->quarantine[0].reason);
      EXPECT_EQ(converted->records_read, converted->accepted + converted->quarantined);
      EXPECT_EQ(converted->coerced, 0);
      auto rows = connection_->QueryInt64(
          fmt::format("SELECT count(*) FROM read_parquet({})", QuoteLiteral(parquet)));
      ASSERT_TRUE(rows.ok()) << rows.status().ToString();
      EXPECT_EQ(*rows, converted->accepted);
      accepted += converted->accepted;
    }
    EXPECT_EQ(accepted, expected_rows) << SourceName(source);
    total += accepted;
  }
  EXPECT_EQ(total, 110909);
}

}  // namespace
}  // namespace stedi::ingest
