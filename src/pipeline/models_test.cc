// The five built-in jobs on small hand-written landing records.
#include <gtest/gtest.h>

#include <string>

#include "catalog/lake.h"
#include "engine/database.h"
#include "ingest/ingester.h"
#include "pipeline/model.h"
#include "pipeline/runner.h"
#include "test_support.h"

namespace stedi::pipeline {
namespace {

using stedi::testing::TempDir;
using stedi::testing::WriteFile;

// Epoch milliseconds in June 2022, when the starter data was recorded; the
// landing contract rejects times before 2000.
constexpr int64_t kBase = 1655564376361;

std::string Customer(const std::string& name, const std::string& serial,
                     const std::string& consent_field, int64_t updated = 0) {
  return "{\"customerName\":\"" + name + "\",\"email\":\"" + name + "@test.com\",\"phone\":\"8015551212\","
         "\"birthDay\":\"1900-01-01\",\"serialNumber\":\"" + serial + "\","
         "\"registrationDate\":1655564376361,\"lastUpdateDate\":" + std::to_string(kBase + updated) +
         (consent_field.empty() ? "" : "," + consent_field) + "}\n";
}

std::string Reading(const std::string& name, int64_t timestamp, double x) {
  return "{\"user\":\"" + name + "@test.com\",\"timestamp\":" + std::to_string(kBase + timestamp) +
         ",\"x\":" + std::to_string(x) + ",\"y\":0.0,\"z\":1.0}\n";
}

std::string Step(const std::string& serial, int64_t time, int distance) {
  return "{\"sensorReadingTime\":" + std::to_string(kBase + time) + ",\"serialNumber\":\"" + serial +
         "\",\"distanceFromObject\":" + std::to_string(distance) + "}\n";
}

class ModelsTest : public ::testing::Test {
 protected:
  // Lands the three sources and runs every built-in job.
  void LandAndRun(const std::string& customers, const std::string& readings,
                  const std::string& steps) {
    WriteFile(input_.path() / "customer.json", customers);
    WriteFile(input_.path() / "accelerometer.json", readings);
    WriteFile(input_.path() / "step_trainer.json", steps);
    auto lake = catalog::Lake::Open(lake_dir_.str());
    ASSERT_TRUE(lake.ok()) << lake.status().ToString();
    lake_ = std::make_unique<catalog::Lake>(std::move(lake).value());
    Status ingested = ingest::IngestPaths(*lake_, {input_.str()}, {}, [](const auto&) {});
    ASSERT_TRUE(ingested.ok()) << ingested.ToString();
    auto models = BuiltInModels();
    ASSERT_TRUE(models.ok()) << models.status().ToString();
    Status ran = RunModels(*lake_, *models, {}, [](const JobResult&) {});
    ASSERT_TRUE(ran.ok()) << ran.ToString();
  }

  int64_t Count(const std::string& sql) {
    auto db = engine::Database::Open("");
    EXPECT_TRUE(db.ok());
    auto connection = db->Connect();
    EXPECT_TRUE(connection.ok());
    Status registered = RegisterTables(*lake_, *connection);
    EXPECT_TRUE(registered.ok()) << registered.ToString();
    auto count = connection->QueryInt64(sql);
    EXPECT_TRUE(count.ok()) << count.status().ToString() << " in " << sql;
    return count.ok() ? *count : -1;
  }

  TempDir input_;
  TempDir lake_dir_;
  std::unique_ptr<catalog::Lake> lake_;
};

TEST_F(ModelsTest, AbsentAndNullConsentAreNoConsent) {
  LandAndRun(Customer("Yes", "s1", "\"shareWithResearchAsOfDate\":1655564376361") +
                 Customer("Absent", "s2", "") +
                 Customer("Null", "s3", "\"shareWithResearchAsOfDate\":null"),
             Reading("Yes", 1, 0.5) + Reading("Absent", 1, 0.5) + Reading("Null", 1, 0.5),
             Step("s1", 1, 100) + Step("s2", 1, 100) + Step("s3", 1, 100));
  EXPECT_EQ(Count("SELECT count(*) FROM customer_landing"), 3);
  EXPECT_EQ(Count("SELECT count(*) FROM customer_trusted"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM customer_trusted WHERE email = 'Yes@test.com'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM accelerometer_trusted"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM step_trainer_trusted"), 1);
}

TEST_F(ModelsTest, CustomerWithoutReadingsIsNotCurated) {
  std::string consent = "\"shareWithResearchAsOfDate\":1655564376361";
  LandAndRun(Customer("Active", "s1", consent) + Customer("Idle", "s2", consent),
             Reading("Active", 10, 0.5), Step("s1", 10, 100) + Step("s2", 10, 120));
  EXPECT_EQ(Count("SELECT count(*) FROM customer_trusted"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM customers_curated"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM customers_curated WHERE email = 'Idle@test.com'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM step_trainer_trusted WHERE serialNumber = 's2'"), 0);
}

TEST_F(ModelsTest, CustomerAppearsOnceWithLatestRecord) {
  std::string consent = "\"shareWithResearchAsOfDate\":1655564376361";
  // The later record withdraws consent for Twice; Thrice's latest keeps it.
  LandAndRun(Customer("Twice", "s1", consent, 100) + Customer("Twice", "s1", "", 200) +
                 Customer("Thrice", "s2", "", 100) + Customer("Thrice", "s2", consent, 300) +
                 Customer("Thrice", "s2", consent, 200),
             Reading("Twice", 5, 0.1) + Reading("Thrice", 5, 0.2) + Reading("Thrice", 6, 0.3),
             Step("s1", 5, 100) + Step("s2", 5, 100) + Step("s2", 6, 100));
  EXPECT_EQ(Count("SELECT count(*) FROM customer_trusted"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM customers_curated"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM customers_curated WHERE lastUpdateDate = 1655564376661"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM machine_learning_curated"), 2);
}

TEST_F(ModelsTest, OtherCustomersReadingsAtSameMillisecondAreNotPaired) {
  std::string consent = "\"shareWithResearchAsOfDate\":1655564376361";
  // Both customers exercise at millisecond 1000; each device pairs only with
  // its owner's reading.
  LandAndRun(Customer("Ann", "dev-a", consent) + Customer("Bob", "dev-b", consent),
             Reading("Ann", 1000, 0.25) + Reading("Bob", 1000, 0.75) + Reading("Bob", 2000, 0.5),
             Step("dev-a", 1000, 10) + Step("dev-b", 1000, 20) + Step("dev-b", 2000, 30));
  EXPECT_EQ(Count("SELECT count(*) FROM machine_learning_curated"), 3);
  EXPECT_EQ(Count("SELECT count(*) FROM machine_learning_curated "
                  "WHERE serialNumber = 'dev-a' AND x = 0.25"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM machine_learning_curated "
                  "WHERE serialNumber = 'dev-a' AND x = 0.75"),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM machine_learning_curated "
                  "WHERE serialNumber = 'dev-b' AND sensorReadingTime = 1655564377361 AND x = 0.75"),
            1);
}

TEST_F(ModelsTest, NoIdentifierColumnReachesMachineLearningTable) {
  std::string consent = "\"shareWithResearchAsOfDate\":1655564376361";
  LandAndRun(Customer("Ann", "dev-a", consent), Reading("Ann", 1000, 0.25), Step("dev-a", 1000, 10));
  auto table = lake_->catalog->GetTable("machine_learning_curated");
  ASSERT_TRUE(table.ok());
  std::vector<std::string> names;
  for (const auto& column : table->columns) names.push_back(column.name);
  EXPECT_EQ(names, (std::vector<std::string>{"sensorReadingTime", "serialNumber",
                                             "distanceFromObject", "x", "y", "z"}));
  for (const std::string& identifier : {"customerName", "email", "user", "phone", "birthDay"}) {
    EXPECT_EQ(std::find(names.begin(), names.end(), identifier), names.end()) << identifier;
  }
}

TEST_F(ModelsTest, RerunKeepsEveryCount) {
  std::string consent = "\"shareWithResearchAsOfDate\":1655564376361";
  LandAndRun(Customer("Ann", "dev-a", consent), Reading("Ann", 1000, 0.25), Step("dev-a", 1000, 10));
  auto models = BuiltInModels();
  ASSERT_TRUE(models.ok());
  ASSERT_TRUE(RunModels(*lake_, *models, {}, [](const JobResult&) {}).ok());
  EXPECT_EQ(Count("SELECT count(*) FROM machine_learning_curated"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM customers_curated"), 1);
}

}  // namespace
}  // namespace stedi::pipeline
