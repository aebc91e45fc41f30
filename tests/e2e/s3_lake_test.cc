// A lake in an S3 bucket behaves like one on disk. Runs only when
// STEDI_S3_ENDPOINT names a server (scripts/test_s3.sh starts one on
// 127.0.0.1 and sets it with the AWS_* credentials).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "e2e/cli_support.h"
#include "storage/s3_client.h"
#include "storage/s3_test_util.h"
#include "test_support.h"

namespace stedi::testing {
namespace {

using storage::testing::kSkipMessage;
using storage::testing::kTestBucket;

class S3LakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<storage::S3Config> config = storage::testing::TestS3Config();
    if (!config) GTEST_SKIP() << kSkipMessage;
    storage::S3Client client(*config);
    storage::testing::EnsureTestBucket(client);
    lake_ = std::string("s3://") + kTestBucket + "/" + storage::testing::UniquePrefix();

    CommandResult generated = RunStedi("", {"generate", "--out", (work_.path() / "in").string(),
                                            "--customers", "60", "--seed", "11"});
    ASSERT_EQ(generated.exit_code, 0) << generated.err;
  }

  // The starter data when STEDI_REAL_DATA names it, else the generated data.
  std::vector<std::string> IngestArgs() const {
    const char* real = std::getenv("STEDI_REAL_DATA");
    std::filesystem::path in = real != nullptr && *real != '\0'
                                   ? std::filesystem::path(real)
                                   : work_.path() / "in";
    return {"ingest", (in / "customer").string(), (in / "accelerometer").string(),
            (in / "step_trainer").string()};
  }

  // `stedi tables` as table,rows lines.
  std::string Figures(const std::string& lake) {
    CommandResult tables = RunStedi(lake, {"tables", "--format", "csv"});
    EXPECT_EQ(tables.exit_code, 0) << tables.err;
    std::string figures;
    size_t start = 0;
    while (start < tables.out.size()) {
      size_t end = tables.out.find('\n', start);
      std::string line = tables.out.substr(start, end - start);
      size_t first = line.find(',');
      size_t third = line.find(',', line.find(',', first + 1) + 1);
      size_t fourth = line.find(',', third + 1);
      figures += line.substr(0, first) + "=" + line.substr(third + 1, fourth - third - 1) + "\n";
      start = end + 1;
    }
    return figures;
  }

  TempDir work_;
  std::string lake_;
};

TEST_F(S3LakeTest, SameFiguresAsLocalLake) {
  std::string local = (work_.path() / "local-lake").string();
  for (const std::string& lake : {lake_, local}) {
    CommandResult ingest = RunStedi(lake, IngestArgs());
    ASSERT_EQ(ingest.exit_code, 0) << lake << ": " << ingest.err;
    CommandResult run = RunStedi(lake, {"run"});
    ASSERT_EQ(run.exit_code, 0) << lake << ": " << run.err;
  }
  std::string s3_figures = Figures(lake_);
  EXPECT_EQ(s3_figures, Figures(local));
  EXPECT_NE(s3_figures.find("machine_learning_curated="), std::string::npos) << s3_figures;
  const char* real = std::getenv("STEDI_REAL_DATA");
  if (real != nullptr && *real != '\0') {
    EXPECT_NE(s3_figures.find("machine_learning_curated=40981\n"), std::string::npos)
        << s3_figures;
    EXPECT_NE(s3_figures.find("step_trainer_trusted=14460\n"), std::string::npos) << s3_figures;
  }

  // A second process reads the same catalog: nothing new to land or run.
  CommandResult again = RunStedi(lake_, IngestArgs());
  EXPECT_NE(again.out.find("0 files landed"), std::string::npos) << again.out;
  CommandResult rerun = RunStedi(lake_, {"run"});
  EXPECT_NE(rerun.out.find("Nothing to do"), std::string::npos) << rerun.out;
}

TEST_F(S3LakeTest, ConcurrentWritersConflictCleanly) {
  ASSERT_EQ(RunStedi(lake_, IngestArgs()).exit_code, 0);
  ASSERT_EQ(RunStedi(lake_, {"run"}).exit_code, 0);
  std::string before = Figures(lake_);

  CommandResult first;
  CommandResult second;
  std::thread other([&] { first = RunStedi(lake_, {"run", "--full-refresh"}); });
  second = RunStedi(lake_, {"run", "--full-refresh"});
  other.join();
  // Both may succeed when they happen not to overlap; at least one must.
  EXPECT_TRUE(first.exit_code == 0 || second.exit_code == 0) << first.err << second.err;
  for (const CommandResult* result : {&first, &second}) {
    if (result->exit_code == 0) continue;
    EXPECT_EQ(result->exit_code, 1);
    EXPECT_NE(result->err.find("another writer committed to the lake"), std::string::npos)
        << result->err;
  }
  EXPECT_EQ(Figures(lake_), before);
}

TEST_F(S3LakeTest, WrongSecretGivesAuthenticationError) {
  CommandResult result = RunShell("AWS_SECRET_ACCESS_KEY=wrong-secret " +
                                  std::string(STEDI_BINARY) + " --lake " + lake_ + " tables");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("403"), std::string::npos) << result.err;
}

TEST_F(S3LakeTest, UnreachableServerFailsCleanly) {
  ASSERT_EQ(RunStedi(lake_, IngestArgs()).exit_code, 0);
  // Nothing listens on port 1 of 127.0.0.1.
  CommandResult down = RunShell("AWS_ENDPOINT_URL=http://127.0.0.1:1 " +
                                std::string(STEDI_BINARY) + " --lake " + lake_ + " run");
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_NE(down.err.find("stedi: error: "), std::string::npos) << down.err;
  // The server is back: the run succeeds from where the lake was.
  CommandResult run = RunStedi(lake_, {"run"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
}

}  // namespace
}  // namespace stedi::testing
