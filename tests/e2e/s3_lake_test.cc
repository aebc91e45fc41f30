// A lake in an S3 bucket behaves like one on disk. Runs only when
// STEDI_S3_ENDPOINT names a server (scripts/test_s3.sh starts one on
// 127.0.0.1 and sets it with the AWS_* credentials).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "catalog/lake.h"
#include "e2e/cli_support.h"
#include "ingest/ingester.h"
#include "pipeline/model.h"
#include "pipeline/runner.h"
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
    std::filesystem::path in =
        real != nullptr && *real != '\0' ? std::filesystem::path(real) : work_.path() / "in";
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
    EXPECT_NE(s3_figures.find("machine_learning_curated=40981\n"), std::string::npos) << s3_figures;
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

// Splits the lines of `file` into `first` (the first half) and `second`.
void SplitLines(const std::filesystem::path& file, const std::filesystem::path& first,
                const std::filesystem::path& second) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::ofstream a(first);
  std::ofstream b(second);
  for (size_t i = 0; i < lines.size(); ++i) (i < lines.size() / 2 ? a : b) << lines[i] << "\n";
}

// Two writers start from the same catalog: one appends to accelerometer_trusted,
// the other recomputes it. Both write their data files before either
// publishes its catalog. The loser must not have replaced a file that the
// winner's catalog refers to.
TEST_F(S3LakeTest, LosingWriterLeavesWinnersFilesIntact) {
  std::filesystem::path in = work_.path() / "in";
  std::filesystem::path readings = work_.path() / "readings";
  std::filesystem::create_directories(readings);
  std::vector<std::filesystem::path> reading_files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(in / "accelerometer")) {
    if (entry.is_regular_file()) reading_files.push_back(entry.path());
  }
  ASSERT_EQ(reading_files.size(), 1u);
  SplitLines(reading_files.front(), readings / "readings-1.json", readings / "readings-2.json");

  ASSERT_EQ(RunStedi(lake_, {"ingest", (in / "customer").string(), (in / "step_trainer").string(),
                             (readings / "readings-1.json").string()})
                .exit_code,
            0);
  ASSERT_EQ(RunStedi(lake_, {"run"}).exit_code, 0);
  ASSERT_EQ(RunStedi(lake_, {"ingest", (readings / "readings-2.json").string()}).exit_code, 0);

  Result<catalog::Lake> appender = catalog::Lake::Open(lake_);
  ASSERT_TRUE(appender.ok()) << appender.status().ToString();
  Result<catalog::Lake> recomputer = catalog::Lake::Open(lake_);
  ASSERT_TRUE(recomputer.ok()) << recomputer.status().ToString();
  // Both run the one job, so both give its run the same number.
  Result<std::vector<pipeline::Model>> all_models = pipeline::BuiltInModels();
  ASSERT_TRUE(all_models.ok()) << all_models.status().ToString();
  std::vector<pipeline::Model> models;
  for (const pipeline::Model& model : *all_models) {
    if (model.name == "accelerometer_trusted") models.push_back(model);
  }
  ASSERT_EQ(models.size(), 1u);
  std::vector<pipeline::JobResult> appended;
  Status status = pipeline::RunModels(*appender, models, {},
                                      [&](const pipeline::JobResult& r) { appended.push_back(r); });
  ASSERT_TRUE(status.ok()) << status.ToString();
  // The scenario needs one writer to append where the other recomputes.
  bool accelerometer_appended = false;
  for (const pipeline::JobResult& result : appended) {
    if (result.job == "accelerometer_trusted") {
      accelerometer_appended = result.action == pipeline::JobAction::kAppend;
    }
  }
  ASSERT_TRUE(accelerometer_appended);
  pipeline::RunOptions full_refresh;
  full_refresh.full_refresh = true;
  status =
      pipeline::RunModels(*recomputer, models, full_refresh, [](const pipeline::JobResult&) {});
  ASSERT_TRUE(status.ok()) << status.ToString();

  Status won = appender->Publish();
  ASSERT_TRUE(won.ok()) << won.ToString();
  Status lost = recomputer->Publish();
  EXPECT_EQ(lost.code(), StatusCode::kConflict) << lost.ToString();

  std::string local = (work_.path() / "local-lake").string();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"ingest", (in / "customer").string(),
                                 (in / "step_trainer").string(),
                                 (readings / "readings-1.json").string()},
        std::vector<std::string>{"run"},
        std::vector<std::string>{"ingest", (readings / "readings-2.json").string()},
        std::vector<std::string>{"run"}}) {
    ASSERT_EQ(RunStedi(local, args).exit_code, 0);
  }
  const std::string count = "SELECT count(*) FROM accelerometer_trusted";
  CommandResult s3_rows = RunStedi(lake_, {"query", "--format", "csv", count});
  ASSERT_EQ(s3_rows.exit_code, 0) << s3_rows.err;
  CommandResult local_rows = RunStedi(local, {"query", "--format", "csv", count});
  ASSERT_EQ(local_rows.exit_code, 0) << local_rows.err;
  EXPECT_EQ(s3_rows.out, local_rows.out);
}

// Two writers land different files of the same name from the same catalog.
// The winner's raw copy must keep the winner's bytes.
// Neither catalog uses the name yet, so both writers would choose it.
TEST_F(S3LakeTest, LosingWriterLeavesWinnersRawCopyIntact) {
  std::filesystem::path in = work_.path() / "in";
  std::vector<std::filesystem::path> step_files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(in / "step_trainer")) {
    if (entry.is_regular_file()) step_files.push_back(entry.path());
  }
  ASSERT_FALSE(step_files.empty());
  std::filesystem::path winner_dir = work_.path() / "winner";
  std::filesystem::path loser_dir = work_.path() / "loser";
  std::filesystem::create_directories(winner_dir);
  std::filesystem::create_directories(loser_dir);
  SplitLines(step_files.front(), winner_dir / "steps.json", loser_dir / "steps.json");

  Result<catalog::Lake> winner = catalog::Lake::Open(lake_);
  ASSERT_TRUE(winner.ok()) << winner.status().ToString();
  Result<catalog::Lake> loser = catalog::Lake::Open(lake_);
  ASSERT_TRUE(loser.ok()) << loser.status().ToString();
  auto ignore = [](const ingest::FileOutcome&) {};
  Status status = ingest::IngestPaths(*winner, {(winner_dir / "steps.json").string()}, {}, ignore);
  ASSERT_TRUE(status.ok()) << status.ToString();
  status = ingest::IngestPaths(*loser, {(loser_dir / "steps.json").string()}, {}, ignore);
  ASSERT_TRUE(status.ok()) << status.ToString();
  Status won = winner->Publish();
  ASSERT_TRUE(won.ok()) << won.ToString();
  EXPECT_EQ(loser->Publish().code(), StatusCode::kConflict);

  Result<catalog::Lake> reader = catalog::Lake::Open(lake_);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Result<std::vector<catalog::LandedFile>> files = reader->catalog->ListLandedFiles("step_trainer");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 1u);
  Result<std::string> raw = reader->storage->Read((*files)[0].raw_key);
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  std::ifstream expected_file(winner_dir / "steps.json", std::ios::binary);
  std::string expected((std::istreambuf_iterator<char>(expected_file)),
                       std::istreambuf_iterator<char>());
  EXPECT_EQ(raw->size(), expected.size());
  EXPECT_TRUE(*raw == expected) << "the raw copy " << (*files)[0].raw_key
                                << " does not contain the winner's bytes";
}

TEST_F(S3LakeTest, WrongSecretGivesAuthenticationError) {
  CommandResult result = RunShell("AWS_SECRET_ACCESS_KEY=wrong-secret " +
                                  std::string(STEDI_BINARY) + " --lake " + lake_ + " tables");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("403"), std::string::npos) << result.err;
}

TEST_F(S3LakeTest, MissingBucketNamesTheBucket) {
  CommandResult result = RunStedi("s3://stedi-test-no-such-bucket/lake", {"tables"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("the bucket stedi-test-no-such-bucket does not exist"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(result.err.find("stedi init"), std::string::npos) << result.err;
}

TEST_F(S3LakeTest, UnreachableServerFailsCleanly) {
  ASSERT_EQ(RunStedi(lake_, IngestArgs()).exit_code, 0);
  // Nothing listens on port 1 of 127.0.0.1.
  CommandResult down = RunShell("AWS_ENDPOINT_URL=http://127.0.0.1:1 " + std::string(STEDI_BINARY) +
                                " --lake " + lake_ + " run");
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_NE(down.err.find("stedi: error: "), std::string::npos) << down.err;
  // The server is back: the run succeeds from where the lake was.
  CommandResult run = RunStedi(lake_, {"run"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
}

}  // namespace
}  // namespace stedi::testing
