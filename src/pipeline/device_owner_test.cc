// Device resolution, duplicate customers and quality rules through ingest
// and the built-in jobs, on hand-written landing records shaped like a
// fulfilment fault: customers registered with serials from a small pool
// while each device reports its true serial.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "catalog/lake.h"
#include "engine/database.h"
#include "ingest/ingester.h"
#include "pipeline/model.h"
#include "pipeline/runner.h"
#include "quality/checker.h"
#include "test_support.h"

namespace stedi::pipeline {
namespace {

using stedi::testing::TempDir;
using stedi::testing::WriteFile;

constexpr int64_t kConsentDate = 1655564376361;
// Times in the tests are offsets from this epoch millisecond (June 2022),
// because the landing contract rejects times before 2000.
constexpr int64_t kEpoch = 1655564376361;

// Landing records written as the three JSON-lines files of one delivery.
struct Landing {
  std::string customers;
  std::string readings;
  std::string steps;

  // `updated` and `public_date` are offsets from kEpoch; a `public_date` of 0
  // leaves shareWithPublicAsOfDate out.
  void AddCustomer(const std::string& name, const std::string& serial, bool consents,
                   int64_t updated = 0, int64_t public_date = 0) {
    customers += fmt::format(
        R"({{"customerName":"{0}","email":"{0}@test.com","phone":"8015551212",)"
        R"("birthDay":"1900-01-01","serialNumber":"{1}","registrationDate":1655564376361,)"
        R"("lastUpdateDate":{2}{3}{4}}})"
        "\n",
        name, serial, kEpoch + updated,
        consents ? fmt::format(R"(,"shareWithResearchAsOfDate":{})", kConsentDate) : "",
        public_date != 0 ? fmt::format(R"(,"shareWithPublicAsOfDate":{})", kEpoch + public_date)
                         : "");
  }

  // The app of `name` records at each time, twice, as the starter data does.
  void AddAppReadings(const std::string& name, const std::vector<int64_t>& times) {
    for (int64_t time : times) {
      for (double x : {0.5, -0.5}) {
        readings += fmt::format(R"({{"user":"{}@test.com","timestamp":{},"x":{},"y":0.0,"z":1.0}})"
                                "\n",
                                name, time, x);
      }
    }
  }

  void AddDeviceReadings(const std::string& serial, const std::vector<int64_t>& times,
                         int distance = 250) {
    for (int64_t time : times) {
      steps += fmt::format(
          R"({{"sensorReadingTime":{},"serialNumber":"{}","distanceFromObject":{}}})"
          "\n",
          time, serial, distance);
    }
  }

  // `name` exercises on the device `serial`: both record at every time.
  void AddExercise(const std::string& name, const std::string& serial,
                   const std::vector<int64_t>& times) {
    AddAppReadings(name, times);
    AddDeviceReadings(serial, times);
  }
};

// `count` times one second apart, from kEpoch + `start` milliseconds.
std::vector<int64_t> Times(int64_t start, int count) {
  std::vector<int64_t> times;
  for (int i = 0; i < count; ++i) times.push_back(kEpoch + start + i * 1000);
  return times;
}

class DeviceOwnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto lake = catalog::Lake::Open(lake_dir_.str());
    ASSERT_TRUE(lake.ok()) << lake.status().ToString();
    lake_ = std::make_unique<catalog::Lake>(std::move(lake).value());
  }

  // Lands one delivery as a new folder and runs every built-in job.
  Status LandAndRun(const Landing& landing) {
    std::filesystem::path folder = input_.path() / std::to_string(deliveries_++);
    if (!landing.customers.empty()) WriteFile(folder / "customer.json", landing.customers);
    if (!landing.readings.empty()) WriteFile(folder / "accelerometer.json", landing.readings);
    if (!landing.steps.empty()) WriteFile(folder / "step_trainer.json", landing.steps);
    STEDI_RETURN_IF_ERROR(
        ingest::IngestPaths(*lake_, {folder.string()}, {}, [](const auto&) {}));
    STEDI_ASSIGN_OR_RETURN(std::vector<Model> models, BuiltInModels());
    return RunModels(*lake_, models, {}, [](const JobResult&) {});
  }

  // Returns the rows of `sql` as text, one string per row with values
  // separated by '|'.
  std::vector<std::string> Rows(const std::string& sql) {
    auto db = engine::Database::Open("");
    EXPECT_TRUE(db.ok());
    auto connection = db->Connect();
    EXPECT_TRUE(connection.ok());
    Status registered = RegisterTables(*lake_, *connection);
    EXPECT_TRUE(registered.ok()) << registered.ToString();
    auto result = connection->Query(sql);
    EXPECT_TRUE(result.ok()) << result.status().ToString() << " in " << sql;
    std::vector<std::string> rows;
    if (!result.ok()) return rows;
    for (size_t row = 0; row < result->row_count(); ++row) {
      std::string text;
      for (size_t column = 0; column < result->column_count(); ++column) {
        text += (column == 0 ? "" : "|") + result->GetString(column, row).value_or("NULL");
      }
      rows.push_back(text);
    }
    return rows;
  }

  int64_t Count(const std::string& sql) {
    std::vector<std::string> rows = Rows(sql);
    return rows.size() == 1 ? std::stoll(rows[0]) : -1;
  }

  // The stored result of `rule` in the latest checked run of `job`.
  quality::CheckResult Result(const std::string& job, const std::string& rule) {
    auto results = quality::ListResults(*lake_->catalog, std::nullopt);
    EXPECT_TRUE(results.ok()) << results.status().ToString();
    if (results.ok()) {
      for (const quality::CheckResult& result : *results) {
        if (result.job == job && result.rule == rule) return result;
      }
    }
    ADD_FAILURE() << "no result for " << job << ": " << rule;
    return {};
  }

  TempDir input_;
  TempDir lake_dir_;
  int deliveries_ = 0;
  std::unique_ptr<catalog::Lake> lake_;
};

// Eight consenting customers registered with serials from a pool of two.
// Neighbours 2k and 2k+1 exercised together for 7 of 2k's 10 readings, so
// the runner-up of device 2k shares 70% of the owner's times.
Landing RepeatedSerialLanding(std::map<std::string, std::string>* truth) {
  Landing landing;
  for (int i = 0; i < 8; ++i) {
    std::string name = fmt::format("c{}", i);
    std::string device = fmt::format("true-{}", i);
    landing.AddCustomer(name, fmt::format("pool-{}", i % 2), /*consents=*/true);
    std::vector<int64_t> times = Times(1'000'000 * (i + 1), 10);
    if (i % 2 == 1) {
      std::vector<int64_t> together = Times(1'000'000 * i, 7);
      times.insert(times.end(), together.begin(), together.end());
    }
    landing.AddExercise(name, device, times);
    (*truth)[device] = name + "@test.com";
  }
  return landing;
}

TEST_F(DeviceOwnerTest, RepeatedSerialsResolveToTrueOwners) {
  std::map<std::string, std::string> truth;
  ASSERT_TRUE(LandAndRun(RepeatedSerialLanding(&truth)).ok());

  for (const auto& [device, email] : truth) {
    EXPECT_EQ(Rows(fmt::format("SELECT email, resolution, evidence FROM device_owner "
                               "WHERE serialNumber = '{}'",
                               device)),
              (std::vector<std::string>{email + "|inferred|readings"}))
        << device;
    EXPECT_EQ(Rows(fmt::format("SELECT resolvedSerialNumber, serialResolution "
                               "FROM customers_curated WHERE email = '{}'",
                               email)),
              (std::vector<std::string>{device + "|inferred"}))
        << email;
  }
  EXPECT_EQ(Count("SELECT count(*) FROM customers_curated"), 8);
  // 4 customers with 10 readings and 4 with 17, every reading once.
  EXPECT_EQ(Count("SELECT count(*) FROM step_trainer_trusted"), 108);
  // Each device reading pairs with its owner's 2 app readings only.
  EXPECT_EQ(Count("SELECT count(*) FROM machine_learning_curated"), 216);
}

TEST_F(DeviceOwnerTest, SharedSerialsAreReportedAsFinding) {
  std::map<std::string, std::string> truth;
  ASSERT_TRUE(LandAndRun(RepeatedSerialLanding(&truth)).ok());
  quality::CheckResult finding =
      Result("customer_trusted", "determines(serialNumber, email) on customer_landing warn");
  EXPECT_EQ(finding.status, "warned");
  EXPECT_EQ(finding.table, "customer_landing");
  EXPECT_EQ(finding.violations, 2);
  EXPECT_EQ(finding.examples,
            (std::vector<std::string>{
                "serialNumber=pool-0: 4 values of email, such as c0@test.com, c2@test.com, "
                "c4@test.com",
                "serialNumber=pool-1: 4 values of email, such as c1@test.com, c3@test.com, "
                "c5@test.com"}));
}

TEST_F(DeviceOwnerTest, AmbiguousDeviceStaysUnresolved) {
  std::map<std::string, std::string> truth;
  Landing landing = RepeatedSerialLanding(&truth);
  // c0 and c1 both used their apps at 9 of the 10 readings of a device no
  // one registered: 9 of 10 is above the 80% margin, so neither owns it.
  std::vector<int64_t> times = Times(50'000'000, 10);
  landing.AddDeviceReadings("mystery", times);
  landing.AddAppReadings("c0", times);
  landing.AddAppReadings("c1", std::vector<int64_t>(times.begin(), times.begin() + 9));
  ASSERT_TRUE(LandAndRun(landing).ok());

  EXPECT_EQ(Rows("SELECT coalesce(email, 'NULL'), resolution, evidence, shared_readings, "
                 "runner_up_readings FROM device_owner WHERE serialNumber = 'mystery'"),
            (std::vector<std::string>{"NULL|unresolved|none|10|9"}));
  EXPECT_EQ(Count("SELECT count(*) FROM step_trainer_trusted WHERE serialNumber = 'mystery'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM device_owner WHERE email = 'c0@test.com'"), 1);
  quality::CheckResult unresolved = Result("device_owner", "not_null(email) warn");
  EXPECT_EQ(unresolved.status, "warned");
  EXPECT_EQ(unresolved.violations, 1);
  ASSERT_EQ(unresolved.examples.size(), 1u);
  EXPECT_NE(unresolved.examples[0].find("mystery"), std::string::npos) << unresolved.examples[0];
}

TEST_F(DeviceOwnerTest, DeviceOfCustomerWithoutConsentIsLeftOut) {
  // c1's readings coincide with 7 of 10 of c0's device, and c0 has no
  // consent: the device must not go to c1.
  Landing landing;
  landing.AddCustomer("c0", "pool-0", /*consents=*/false);
  landing.AddCustomer("c1", "pool-0", /*consents=*/true);
  landing.AddExercise("c0", "true-0", Times(1'000'000, 10));
  landing.AddAppReadings("c1", Times(1'000'000, 7));
  landing.AddExercise("c1", "true-1", Times(2'000'000, 10));
  ASSERT_TRUE(LandAndRun(landing).ok());

  EXPECT_EQ(Rows("SELECT serialNumber, email FROM device_owner"),
            (std::vector<std::string>{"true-1|c1@test.com"}));
  EXPECT_EQ(Count("SELECT count(*) FROM step_trainer_trusted WHERE serialNumber = 'true-0'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM machine_learning_curated"), 20);
}

TEST_F(DeviceOwnerTest, UniqueRegistrationWithoutReadingsIsKept) {
  // c0's app recorded nothing while the device did: the one registration of
  // the serial names the owner.
  Landing landing;
  landing.AddCustomer("c0", "dev-0", /*consents=*/true);
  landing.AddCustomer("c1", "dev-1", /*consents=*/true);
  landing.AddDeviceReadings("dev-0", Times(1'000'000, 5));
  landing.AddAppReadings("c0", Times(9'000'000, 5));
  landing.AddExercise("c1", "dev-1", Times(2'000'000, 5));
  ASSERT_TRUE(LandAndRun(landing).ok());

  EXPECT_EQ(Rows("SELECT serialNumber, email, resolution, evidence FROM device_owner "
                 "ORDER BY serialNumber"),
            (std::vector<std::string>{"dev-0|c0@test.com|registered|registration",
                                      "dev-1|c1@test.com|registered|readings"}));
  EXPECT_EQ(Count("SELECT count(*) FROM step_trainer_trusted"), 10);
  // dev-0's readings have no accelerometer reading at the same millisecond.
  EXPECT_EQ(Count("SELECT count(*) FROM machine_learning_curated"), 10);
}

TEST_F(DeviceOwnerTest, LatestDuplicateCustomerRecordWins) {
  // Delivered three times: consent given, then withdrawn and the serial
  // changed, then given again with a public-sharing date. The records are
  // not in time order in the file.
  Landing landing;
  landing.AddCustomer("dup", "old-serial", true, /*updated=*/300, /*public_date=*/77);
  landing.AddCustomer("dup", "old-serial", true, /*updated=*/100);
  landing.AddCustomer("dup", "new-serial", false, /*updated=*/200);
  landing.AddCustomer("gone", "g-serial", true, /*updated=*/100);
  landing.AddCustomer("gone", "g-serial", false, /*updated=*/200);
  landing.AddExercise("dup", "old-serial", Times(1'000'000, 4));
  landing.AddExercise("gone", "g-serial", Times(2'000'000, 4));
  ASSERT_TRUE(LandAndRun(landing).ok());

  EXPECT_EQ(Rows("SELECT email, serialNumber, lastUpdateDate, shareWithPublicAsOfDate "
                 "FROM customer_trusted"),
            (std::vector<std::string>{fmt::format("dup@test.com|old-serial|{}|{}", kEpoch + 300,
                                                  kEpoch + 77)}));
  EXPECT_EQ(Rows("SELECT email, lastUpdateDate, resolvedSerialNumber, serialResolution "
                 "FROM customers_curated"),
            (std::vector<std::string>{
                fmt::format("dup@test.com|{}|old-serial|registered", kEpoch + 300)}));
  EXPECT_EQ(Count("SELECT count(*) FROM accelerometer_trusted WHERE user = 'gone@test.com'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM step_trainer_trusted WHERE serialNumber = 'g-serial'"),
            0);

  quality::CheckResult duplicates = Result("customer_trusted", "unique(email) on customer_landing warn");
  EXPECT_EQ(duplicates.status, "warned");
  EXPECT_EQ(duplicates.violations, 2);
  EXPECT_EQ(duplicates.examples, (std::vector<std::string>{"email=dup@test.com (3 rows)",
                                                           "email=gone@test.com (2 rows)"}));
}

TEST_F(DeviceOwnerTest, FailingRuleKeepsPreviousSnapshot) {
  Landing first;
  first.AddCustomer("c0", "dev-0", /*consents=*/true);
  first.AddExercise("c0", "dev-0", Times(1'000'000, 3));
  ASSERT_TRUE(LandAndRun(first).ok());
  auto before = lake_->catalog->GetTable("step_trainer_trusted");
  ASSERT_TRUE(before.ok());

  // A distance beyond accepted_range(distanceFromObject, 0, 10000).
  Landing second;
  second.AddDeviceReadings("dev-0", Times(5'000'000, 1), /*distance=*/20000);
  Status ran = LandAndRun(second);
  ASSERT_FALSE(ran.ok());
  EXPECT_EQ(ran.code(), StatusCode::kCorruption);
  EXPECT_EQ(ran.message().rfind("job step_trainer_trusted: check `accepted_range("
                                "distanceFromObject, 0, 10000)` failed on step_trainer_trusted: "
                                "1 violation, such as distanceFromObject=20000",
                                0),
            0u)
      << ran.message();

  auto after = lake_->catalog->GetTable("step_trainer_trusted");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->snapshot_id, before->snapshot_id);
  EXPECT_EQ(after->row_count, 3);
  auto runs = lake_->catalog->ListRuns(1);
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ(runs->front().job, "step_trainer_trusted");
  EXPECT_EQ(runs->front().status, "failed");
  quality::CheckResult stored =
      Result("step_trainer_trusted", "accepted_range(distanceFromObject, 0, 10000)");
  EXPECT_EQ(stored.status, "failed");
  EXPECT_EQ(stored.run_id, runs->front().id);
  EXPECT_EQ(stored.examples, (std::vector<std::string>{"distanceFromObject=20000"}));
}

}  // namespace
}  // namespace stedi::pipeline
