// Snapshot history, time travel, rollback and vacuum through the CLI.
#include <gtest/gtest.h>

#include <filesystem>

#include "e2e/cli_support.h"
#include "test_support.h"

namespace stedi::testing {
namespace {

namespace fs = std::filesystem;

int CountParquetFiles(const fs::path& folder) {
  int count = 0;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (entry.path().extension() == ".parquet") ++count;
  }
  return count;
}

std::string Csv(const std::string& lake, const std::string& sql) {
  CommandResult result = RunStedi(lake, {"query", "--format", "csv", sql});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return result.out;
}

class HistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_ = (work_.path() / "lake").string();
    CommandResult generated = RunStedi("", {"generate", "--out", (work_.path() / "sample").string(),
                                            "--customers", "40", "--seed", "3"});
    ASSERT_EQ(generated.exit_code, 0) << generated.err;
    CommandResult ingest =
        RunStedi(lake_, {"ingest", (work_.path() / "sample" / "customer").string(),
                         (work_.path() / "sample" / "accelerometer").string(),
                         (work_.path() / "sample" / "step_trainer").string()});
    ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
    ASSERT_EQ(RunStedi(lake_, {"run"}).exit_code, 0);
  }

  TempDir work_;
  std::string lake_;
};

TEST_F(HistoryTest, VacuumKeepsCurrentSnapshotsReadable) {
  std::string before = Csv(lake_, "SELECT count(*) AS n FROM machine_learning_curated");
  ASSERT_EQ(RunStedi(lake_, {"run", "--full-refresh"}).exit_code, 0);
  ASSERT_EQ(RunStedi(lake_, {"run", "--full-refresh"}).exit_code, 0);
  // A file no snapshot refers to, as a killed run leaves behind.
  WriteFile(
      fs::path(lake_) / "curated" / "machine_learning_curated" / "run-999999" / "part-0.parquet",
      "partial");
  fs::path curated = fs::path(lake_) / "curated";
  int files_before = CountParquetFiles(curated);

  // Every unreferenced file is younger than the default minimum age: a
  // writer might still commit it, so none is deleted yet.
  CommandResult young = RunStedi(lake_, {"vacuum", "--keep", "1"});
  ASSERT_EQ(young.exit_code, 0) << young.err;
  EXPECT_NE(young.out.find("and 0 unreferenced files"), std::string::npos) << young.out;
  EXPECT_NE(young.out.find("younger than 3600 s"), std::string::npos) << young.out;
  EXPECT_EQ(CountParquetFiles(curated), files_before);

  CommandResult vacuum = RunStedi(lake_, {"vacuum", "--keep", "1", "--min-age", "0s"});
  ASSERT_EQ(vacuum.exit_code, 0) << vacuum.err;
  EXPECT_NE(vacuum.out.find("removed"), std::string::npos) << vacuum.out;
  EXPECT_FALSE(fs::exists(curated / "machine_learning_curated" / "run-999999" / "part-0.parquet"));
  // Two curated tables, one file each, remain.
  EXPECT_EQ(CountParquetFiles(curated), 2) << "before vacuum: " << files_before;
  EXPECT_EQ(Csv(lake_, "SELECT count(*) AS n FROM machine_learning_curated"), before);

  CommandResult history = RunStedi(lake_, {"history", "--format", "csv", "customers_curated"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_EQ(std::count(history.out.begin(), history.out.end(), '\n'), 2) << history.out;
}

TEST_F(HistoryTest, RollbackAndAsOfShowEarlierContent) {
  CommandResult history = RunStedi(lake_, {"history", "--format", "csv", "customer_trusted"});
  ASSERT_EQ(history.exit_code, 0);
  int64_t first_snapshot = std::stoll(history.out.substr(history.out.find('\n') + 1));
  std::string trusted_then = Csv(lake_, "SELECT count(*) AS n FROM customer_trusted");

  ASSERT_EQ(RunStedi(lake_, {"query", "SELECT 1"}).exit_code, 0);
  CommandResult as_of =
      RunStedi(lake_, {"query", "--format", "csv", "--as-of", std::to_string(first_snapshot),
                       "SELECT count(*) AS n FROM customer_trusted"});
  ASSERT_EQ(as_of.exit_code, 0) << as_of.err;
  EXPECT_EQ(as_of.out, trusted_then);

  CommandResult rollback =
      RunStedi(lake_, {"rollback", "customer_trusted", std::to_string(first_snapshot)});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.err;
  EXPECT_NE(rollback.out.find("customer_trusted now has the content of snapshot"),
            std::string::npos)
      << rollback.out;

  CommandResult wrong = RunStedi(lake_, {"rollback", "customer_trusted", "999999"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("snapshot 999999 is not a snapshot of table customer_trusted"),
            std::string::npos)
      << wrong.err;
  CommandResult landing = RunStedi(lake_, {"rollback", "customer_landing", "1"});
  EXPECT_EQ(landing.exit_code, 1);
  EXPECT_NE(landing.err.find("stedi unland"), std::string::npos) << landing.err;
  CommandResult unknown = RunStedi(lake_, {"rollback", "no_such_table", "1"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.err, "stedi: error: table no_such_table does not exist (see `stedi tables`)\n");
}

TEST_F(HistoryTest, SecondWriterIsRejectedWhileLockHeld) {
  // Hold the writer lock from a shell with flock(1) on the lake's lock file,
  // as a running `stedi run` would.
  std::string lock = (fs::path(lake_) / "_catalog" / "writer.lock").string();
  CommandResult result =
      RunShell("flock -n " + lock + " " + std::string(STEDI_BINARY) + " --lake " + lake_ + " run");
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_NE(result.err.find("is locked by another writer"), std::string::npos) << result.err;
  CommandResult reader = RunShell("flock -n " + lock + " " + std::string(STEDI_BINARY) +
                                  " --lake " + lake_ + " tables");
  EXPECT_EQ(reader.exit_code, 0) << reader.err;
}

}  // namespace
}  // namespace stedi::testing
