// Snapshots, incremental runs and failures of the job runner.
#include "pipeline/runner.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "engine/table_views.h"
#include "ingest/ingester.h"
#include "test_support.h"

namespace stedi::pipeline {
namespace {

using stedi::testing::TempDir;
using stedi::testing::WriteFile;

const char* const kTables[] = {"customer_trusted",     "accelerometer_trusted",
                               "device_owner",         "customers_curated",
                               "step_trainer_trusted", "machine_learning_curated"};

// Epoch milliseconds in June 2022; the landing contract rejects times before 2000.
constexpr int64_t kBase = 1655564376361;

std::string Customer(const std::string& name, const std::string& serial, bool consent,
                     int64_t updated) {
  return "{\"customerName\":\"" + name + "\",\"email\":\"" + name + "@x.com\",\"serialNumber\":\"" +
         serial + "\",\"registrationDate\":" + std::to_string(kBase) +
         ",\"lastUpdateDate\":" + std::to_string(kBase + updated) +
         (consent ? ",\"shareWithResearchAsOfDate\":" + std::to_string(kBase) : "") + "}\n";
}

// Readings of `name` with device `serial` at times [from, to).
void AddSession(std::string& readings, std::string& steps, const std::string& name,
                const std::string& serial, int from, int to) {
  for (int t = from; t < to; ++t) {
    readings += "{\"user\":\"" + name + "@x.com\",\"timestamp\":" + std::to_string(kBase + t) +
                ",\"x\":" + std::to_string(t % 7) + ".0,\"y\":1.0,\"z\":0.5}\n";
    steps += "{\"sensorReadingTime\":" + std::to_string(kBase + t) + ",\"serialNumber\":\"" + serial +
             "\",\"distanceFromObject\":" + std::to_string(200 + t % 50) + "}\n";
  }
}

class Lake {
 public:
  Lake() {
    auto lake = catalog::Lake::Open(dir_.str());
    EXPECT_TRUE(lake.ok()) << lake.status().ToString();
    lake_ = std::make_unique<catalog::Lake>(std::move(lake).value());
  }

  void Ingest(const std::vector<std::string>& paths) {
    Status status = ingest::IngestPaths(*lake_, paths, {}, [](const ingest::FileOutcome&) {});
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  std::vector<JobResult> Run(bool full_refresh = false) {
    auto models = BuiltInModels();
    EXPECT_TRUE(models.ok());
    RunOptions options;
    options.full_refresh = full_refresh;
    std::vector<JobResult> results;
    Status status =
        RunModels(*lake_, *models, options, [&](const JobResult& r) { results.push_back(r); });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return results;
  }

  catalog::TableInfo Table(const std::string& name) {
    auto table = lake_->catalog->GetTable(name);
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    return table.ok() ? *table : catalog::TableInfo{};
  }

  catalog::Lake& get() { return *lake_; }
  const TempDir& dir() const { return dir_; }

 private:
  TempDir dir_;
  std::unique_ptr<catalog::Lake> lake_;
};

// Counts rows of `table` in one lake that the other lacks, in both directions,
// counting duplicates (EXCEPT ALL).
int64_t RowDifference(Lake& a, Lake& b, const std::string& table) {
  auto db = engine::Database::Open("");
  auto connection = db->Connect();
  std::vector<std::string> a_files;
  for (const auto& file : a.Table(table).files) a_files.push_back(*a.get().storage->LocalPathForRead(file.key));
  std::vector<std::string> b_files;
  for (const auto& file : b.Table(table).files) b_files.push_back(*b.get().storage->LocalPathForRead(file.key));
  EXPECT_TRUE(engine::CreateParquetView(*connection, "a", a_files, {}).ok());
  EXPECT_TRUE(engine::CreateParquetView(*connection, "b", b_files, {}).ok());
  auto count = connection->QueryInt64(
      "SELECT (SELECT count(*) FROM (SELECT * FROM a EXCEPT ALL SELECT * FROM b)) + "
      "(SELECT count(*) FROM (SELECT * FROM b EXCEPT ALL SELECT * FROM a))");
  EXPECT_TRUE(count.ok()) << count.status().ToString();
  return count.ok() ? *count : -1;
}

TEST(RunnerTest, IncrementalRunsMatchFullRefresh) {
  TempDir input;
  std::string readings1, steps1, readings2, steps2, readings3, steps3;
  AddSession(readings1, steps1, "ann", "dev-a", 100, 130);
  AddSession(readings1, steps1, "bob", "dev-b", 100, 110);
  AddSession(readings2, steps2, "ann", "dev-a", 200, 220);
  AddSession(readings2, steps2, "cy", "dev-c", 300, 310);
  AddSession(readings3, steps3, "bob", "dev-b", 400, 405);
  WriteFile(input.path() / "1" / "customer.json",
            Customer("ann", "dev-a", true, 1) + Customer("bob", "dev-b", true, 1));
  WriteFile(input.path() / "1" / "accelerometer.json", readings1);
  WriteFile(input.path() / "1" / "step_trainer.json", steps1);
  // Appends only: new readings, and a new customer.
  WriteFile(input.path() / "2" / "customer.json", Customer("cy", "dev-c", true, 1));
  WriteFile(input.path() / "2" / "accelerometer.json", readings2);
  WriteFile(input.path() / "2" / "step_trainer.json", steps2);
  // A later record withdraws bob's consent: not an append.
  WriteFile(input.path() / "3" / "customer.json", Customer("bob", "dev-b", false, 9));
  WriteFile(input.path() / "3" / "accelerometer.json", readings3);
  WriteFile(input.path() / "3" / "step_trainer.json", steps3);

  Lake incremental;
  for (const char* batch : {"1", "2", "3"}) {
    incremental.Ingest({(input.path() / batch).string()});
    std::vector<JobResult> results = incremental.Run();
    if (std::string(batch) == "2") {
      EXPECT_EQ(results[1].job, "accelerometer_trusted");
      EXPECT_EQ(results[1].action, JobAction::kOverwrite) << "customer_trusted gained cy";
    }
  }
  Lake full;
  full.Ingest({input.str()});
  full.Run(/*full_refresh=*/true);

  for (const char* table : kTables) {
    EXPECT_EQ(RowDifference(incremental, full, table), 0) << table;
    EXPECT_EQ(incremental.Table(table).row_count, full.Table(table).row_count) << table;
    EXPECT_EQ(incremental.Table(table).content_hash, full.Table(table).content_hash) << table;
  }
  EXPECT_EQ(full.Table("customers_curated").row_count, 2);  // ann and cy; bob withdrew
}

TEST(RunnerTest, NewReadingsOnlyAreAppended) {
  TempDir input;
  std::string readings1, steps1, readings2, steps2;
  AddSession(readings1, steps1, "ann", "dev-a", 100, 130);
  AddSession(readings2, steps2, "ann", "dev-a", 200, 210);
  WriteFile(input.path() / "1" / "customer.json", Customer("ann", "dev-a", true, 1));
  WriteFile(input.path() / "1" / "accelerometer.json", readings1);
  WriteFile(input.path() / "1" / "step_trainer.json", steps1);
  WriteFile(input.path() / "2" / "accelerometer.json", readings2);
  Lake lake;
  lake.Ingest({(input.path() / "1").string()});
  lake.Run();
  lake.Ingest({(input.path() / "2").string()});
  std::vector<JobResult> results = lake.Run();
  ASSERT_EQ(results.size(), 6u);
  EXPECT_EQ(results[0].action, JobAction::kUpToDate);  // customer_trusted
  EXPECT_EQ(results[1].action, JobAction::kAppend);    // accelerometer_trusted
  EXPECT_EQ(results[1].rows_read, 11);  // 10 new readings and 1 trusted customer
  EXPECT_EQ(results[1].rows_written, 40);
  EXPECT_EQ(lake.Table("accelerometer_trusted").files.size(), 2u);
}

TEST(RunnerTest, RunWithoutNewInputCommitsNothing) {
  TempDir input;
  std::string readings, steps;
  AddSession(readings, steps, "ann", "dev-a", 100, 120);
  WriteFile(input.path() / "customer.json", Customer("ann", "dev-a", true, 1));
  WriteFile(input.path() / "accelerometer.json", readings);
  WriteFile(input.path() / "step_trainer.json", steps);
  Lake lake;
  lake.Ingest({input.str()});
  lake.Run();
  std::map<std::string, int64_t> snapshots;
  for (const char* table : kTables) snapshots[table] = lake.Table(table).snapshot_id;

  for (const JobResult& result : lake.Run()) {
    EXPECT_EQ(result.action, JobAction::kUpToDate) << result.job;
  }
  for (const char* table : kTables) EXPECT_EQ(lake.Table(table).snapshot_id, snapshots[table]);

  // A full refresh commits new snapshots with the same row content.
  std::map<std::string, std::string> hashes;
  for (const char* table : kTables) hashes[table] = lake.Table(table).content_hash;
  lake.Run(/*full_refresh=*/true);
  for (const char* table : kTables) {
    EXPECT_GT(lake.Table(table).snapshot_id, snapshots[table]) << table;
    EXPECT_EQ(lake.Table(table).content_hash, hashes[table]) << table;
  }
}

TEST(RunnerTest, FailedJobLeavesTableAsItWas) {
  TempDir input;
  std::string readings, steps;
  AddSession(readings, steps, "ann", "dev-a", 100, 120);
  WriteFile(input.path() / "customer.json", Customer("ann", "dev-a", true, 1));
  WriteFile(input.path() / "accelerometer.json", readings);
  WriteFile(input.path() / "step_trainer.json", steps);
  Lake lake;
  lake.Ingest({input.str()});
  lake.Run();
  int64_t before = lake.Table("customer_trusted").snapshot_id;

  auto broken = ParseModel("customer_trusted.sql",
                           "-- zone: trusted\n-- inputs: customer_landing\n"
                           "SELECT no_such_column FROM customer_landing");
  ASSERT_TRUE(broken.ok());
  RunOptions options;
  options.full_refresh = true;
  Status status = RunModels(lake.get(), {*broken}, options, [](const JobResult&) {});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message().rfind("job customer_trusted: ", 0), 0u) << status.message();
  EXPECT_EQ(lake.Table("customer_trusted").snapshot_id, before);
  auto runs = lake.get().catalog->ListRuns(1);
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].status, "failed");
  EXPECT_NE((*runs)[0].error.find("no_such_column"), std::string::npos) << (*runs)[0].error;
}

TEST(RunnerTest, RollbackRestoresEarlierContent) {
  TempDir input;
  std::string readings1, steps1, readings2, steps2;
  AddSession(readings1, steps1, "ann", "dev-a", 100, 110);
  AddSession(readings2, steps2, "ann", "dev-a", 200, 205);
  WriteFile(input.path() / "1" / "customer.json", Customer("ann", "dev-a", true, 1));
  WriteFile(input.path() / "1" / "accelerometer.json", readings1);
  WriteFile(input.path() / "1" / "step_trainer.json", steps1);
  WriteFile(input.path() / "2" / "accelerometer.json", readings2);
  Lake lake;
  lake.Ingest({(input.path() / "1").string()});
  lake.Run();
  catalog::TableInfo first = lake.Table("accelerometer_trusted");
  lake.Ingest({(input.path() / "2").string()});
  lake.Run();
  EXPECT_EQ(lake.Table("accelerometer_trusted").row_count, 15);

  auto tables_then = lake.get().catalog->ListTablesAsOf(first.snapshot_id);
  ASSERT_TRUE(tables_then.ok());
  for (const auto& table : *tables_then) {
    if (table.name == "accelerometer_trusted") EXPECT_EQ(table.row_count, 10);
  }

  auto rolled = lake.get().catalog->Rollback("accelerometer_trusted", first.snapshot_id);
  ASSERT_TRUE(rolled.ok()) << rolled.status().ToString();
  catalog::TableInfo now = lake.Table("accelerometer_trusted");
  EXPECT_EQ(now.snapshot_id, *rolled);
  EXPECT_EQ(now.row_count, 10);
  EXPECT_EQ(now.content_hash, first.content_hash);

  auto wrong = lake.get().catalog->Rollback("customer_trusted", first.snapshot_id);
  EXPECT_EQ(wrong.status().code(), StatusCode::kNotFound);
}

TEST(WriterLockTest, SecondWriterGetsConflictNamingHolder) {
  Lake lake;
  auto first = catalog::AcquireWriterLock(lake.get(), "run");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  // flock locks belong to the open file description, so a second open in
  // this process conflicts just as another process would.
  auto second = catalog::AcquireWriterLock(lake.get(), "ingest");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kConflict);
  EXPECT_NE(second.status().message().find("pid " + std::to_string(::getpid()) + ", stedi run"),
            std::string::npos)
      << second.status().message();
}

TEST(WriterLockTest, ReleasedLockCanBeTakenAgain) {
  Lake lake;
  { auto first = catalog::AcquireWriterLock(lake.get(), "run"); ASSERT_TRUE(first.ok()); }
  auto again = catalog::AcquireWriterLock(lake.get(), "run");
  EXPECT_TRUE(again.ok()) << again.status().ToString();
}

}  // namespace
}  // namespace stedi::pipeline
