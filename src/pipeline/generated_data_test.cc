// Device resolution on data from the sample generator with the
// repeated-serial fault, checked against the generator's ground truth.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "catalog/lake.h"
#include "engine/database.h"
#include "ingest/ingester.h"
#include "pipeline/model.h"
#include "pipeline/runner.h"
#include "sample/generator.h"
#include "test_support.h"

namespace stedi::pipeline {
namespace {

using stedi::testing::TempDir;

class GeneratedDataTest : public ::testing::Test {
 protected:
  // Generates `customers` customers with `defects`, lands them and runs
  // every job.
  void GenerateLandAndRun(const std::string& defects, int64_t customers) {
    sample::GenerateOptions options;
    options.out_dir = data_.str();
    options.customers = customers;
    options.defects = defects;
    options.seed = 7;
    auto summary = sample::Generate(options);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    std::ifstream file(data_.path() / "ground_truth.json");
    std::stringstream text;
    text << file.rdbuf();
    truth_ = nlohmann::json::parse(text.str());

    auto lake = catalog::Lake::Open(lake_dir_.str());
    ASSERT_TRUE(lake.ok()) << lake.status().ToString();
    lake_ = std::make_unique<catalog::Lake>(std::move(lake).value());
    std::vector<std::string> folders;
    for (const char* source : {"customer", "accelerometer", "step_trainer"}) {
      folders.push_back((data_.path() / source / "landing").string());
    }
    Status ingested = ingest::IngestPaths(*lake_, folders, {}, [](const auto&) {});
    ASSERT_TRUE(ingested.ok()) << ingested.ToString();
    auto models = BuiltInModels();
    ASSERT_TRUE(models.ok()) << models.status().ToString();
    Status ran = RunModels(*lake_, *models, {}, [](const JobResult&) {});
    ASSERT_TRUE(ran.ok()) << ran.ToString();

    auto db = engine::Database::Open("");
    ASSERT_TRUE(db.ok());
    auto connection = db->Connect();
    ASSERT_TRUE(connection.ok());
    Status registered = RegisterTables(*lake_, *connection);
    ASSERT_TRUE(registered.ok()) << registered.ToString();
    auto owners = connection->Query(
        "SELECT serialNumber, coalesce(email, ''), shared_readings, readings FROM device_owner");
    ASSERT_TRUE(owners.ok()) << owners.status().ToString();
    for (size_t row = 0; row < owners->row_count(); ++row) {
      resolved_[*owners->GetString(0, row)] = {*owners->GetString(1, row),
                                               owners->GetInt64(2, row), owners->GetInt64(3, row)};
    }
    // Devices whose true owner consents and whose readings coincide with at
    // least one of the owner's app readings, from the landed data itself.
    auto expected = connection->Query(
        "SELECT DISTINCT s.serialNumber, a.user FROM step_trainer_landing AS s "
        "JOIN accelerometer_landing AS a ON a.timestamp = s.sensorReadingTime "
        "WHERE a.user IN (SELECT email FROM customer_trusted)");
    ASSERT_TRUE(expected.ok()) << expected.status().ToString();
    for (size_t row = 0; row < expected->row_count(); ++row) {
      std::string serial = *expected->GetString(0, row);
      std::string user = *expected->GetString(1, row);
      if (TrueOwner(serial) == user) co_occurring_.insert(serial);
    }
    for (const char* table : {"customer_trusted", "accelerometer_trusted", "customers_curated",
                              "step_trainer_trusted", "machine_learning_curated"}) {
      auto info = lake_->catalog->GetTable(table);
      ASSERT_TRUE(info.ok()) << info.status().ToString();
      rows_[table] = info->row_count;
    }
  }

  std::string TrueOwner(const std::string& serial) const {
    const nlohmann::json& owners = truth_["defects"]["repeated_serials"]["device_owners"];
    return owners.contains(serial) ? owners[serial].get<std::string>() : "";
  }

  struct Owner {
    std::string email;  // empty when unresolved
    int64_t shared_readings = 0;
    int64_t readings = 0;
  };

  TempDir data_;
  TempDir lake_dir_;
  std::unique_ptr<catalog::Lake> lake_;
  nlohmann::json truth_;
  std::map<std::string, Owner> resolved_;
  std::set<std::string> co_occurring_;
  std::map<std::string, int64_t> rows_;
};

TEST_F(GeneratedDataTest, RepeatedSerialsMatchGroundTruth) {
  GenerateLandAndRun("repeated_serials", 300);
  ASSERT_GT(co_occurring_.size(), 100u);
  for (const std::string& serial : co_occurring_) {
    ASSERT_EQ(resolved_.count(serial), 1u) << serial;
    EXPECT_EQ(resolved_[serial].email, TrueOwner(serial)) << serial;
  }
  for (const auto& [serial, owner] : resolved_) {
    EXPECT_EQ(owner.email, TrueOwner(serial)) << serial;
  }
  for (const auto& [table, expected] : truth_["expected_job_rows"].items()) {
    EXPECT_EQ(rows_[table], expected.get<int64_t>()) << table;
  }
}

TEST_F(GeneratedDataTest, EveryDefectStillNeverPicksWrongOwner) {
  // Type drift and malformed lines cost some app readings, so some owners
  // share too few of their device's times to be accepted.
  GenerateLandAndRun(
      "malformed,type_drift,missing_consent,duplicate_customers,redelivered,repeated_serials",
      600);
  int resolved = 0;
  for (const auto& [serial, owner] : resolved_) {
    if (owner.email.empty()) {
      EXPECT_LT(owner.shared_readings * 10, owner.readings * 9) << serial;
      continue;
    }
    ++resolved;
    EXPECT_EQ(owner.email, TrueOwner(serial)) << serial;
  }
  EXPECT_GT(resolved, 0);
  EXPECT_EQ(rows_["customer_trusted"], truth_["expected_job_rows"]["customer_trusted"]);
}

}  // namespace
}  // namespace stedi::pipeline
