#include "ingest/ingester.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "test_support.h"

namespace stedi::ingest {
namespace {

using stedi::testing::Gzip;
using stedi::testing::TempDir;
using stedi::testing::WriteFile;

constexpr char kSteps[] =
    "{\"sensorReadingTime\":1655564376361,\"serialNumber\":\"a\",\"distanceFromObject\":5}\n"
    "{\"sensorReadingTime\":1655564376362,\"serialNumber\":\"a\",\"distanceFromObject\":6}\n";

std::vector<FileOutcome> Ingest(catalog::Lake& lake, const std::vector<std::string>& paths,
                                IngestOptions options = {}) {
  std::vector<FileOutcome> outcomes;
  Status status =
      IngestPaths(lake, paths, options, [&](const FileOutcome& o) { outcomes.push_back(o); });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return outcomes;
}

TEST(IngesterTest, RedeliveredFileIsSkipped) {
  TempDir input;
  TempDir lake_dir;
  WriteFile(input.path() / "steps-1.json", kSteps);
  WriteFile(input.path() / "again" / "steps-copy.json", kSteps);
  auto lake = catalog::Lake::Open(lake_dir.str());
  ASSERT_TRUE(lake.ok());

  auto outcomes = Ingest(*lake, {input.str()});
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].kind, FileOutcomeKind::kLanded);
  EXPECT_EQ(outcomes[0].source, Source::kStepTrainer);
  EXPECT_EQ(outcomes[1].kind, FileOutcomeKind::kSkippedDuplicate);
  EXPECT_EQ(outcomes[1].duplicate_of, "landing/step_trainer/raw/steps-copy.json");

  auto table = lake->catalog->GetTable("step_trainer_landing");
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->row_count, 2);
  EXPECT_EQ(table->files.size(), 1u);
}

// A re-delivered file may come compressed, with CRLF line ends or with a
// byte-order mark: its records are the same, so it must not land twice.
TEST(IngesterTest, RedeliveredContentIsSkipped) {
  TempDir input;
  TempDir lake_dir;
  std::string crlf;
  for (char c : std::string(kSteps)) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  WriteFile(input.path() / "a-steps.json", kSteps);
  WriteFile(input.path() / "b-steps.json.gz", Gzip(kSteps));
  WriteFile(input.path() / "c-steps-crlf.json", crlf);
  WriteFile(input.path() / "d-steps-crlf.json.gz", Gzip("\xEF\xBB\xBF" + crlf));
  auto lake = catalog::Lake::Open(lake_dir.str());
  ASSERT_TRUE(lake.ok());

  auto outcomes = Ingest(*lake, {input.str()});
  ASSERT_EQ(outcomes.size(), 4u);
  EXPECT_EQ(outcomes[0].kind, FileOutcomeKind::kLanded);
  for (size_t i = 1; i < outcomes.size(); ++i) {
    EXPECT_EQ(outcomes[i].kind, FileOutcomeKind::kSkippedDuplicate) << outcomes[i].path;
    EXPECT_EQ(outcomes[i].duplicate_of, "landing/step_trainer/raw/a-steps.json")
        << outcomes[i].path;
  }
  auto table = lake->catalog->GetTable("step_trainer_landing");
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->row_count, 2);

  // In a later batch too, and the other way round: the plain file after
  // its compressed copy.
  TempDir other_lake_dir;
  auto other_lake = catalog::Lake::Open(other_lake_dir.str());
  ASSERT_TRUE(other_lake.ok());
  ASSERT_EQ(Ingest(*other_lake, {(input.path() / "b-steps.json.gz").string()}).size(), 1u);
  auto later = Ingest(*other_lake, {(input.path() / "a-steps.json").string()});
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].kind, FileOutcomeKind::kSkippedDuplicate);
}

TEST(IngesterTest, LandedBytesAreKeptAsReceived) {
  TempDir input;
  TempDir lake_dir;
  WriteFile(input.path() / "steps.json", kSteps);
  auto lake = catalog::Lake::Open(lake_dir.str());
  ASSERT_TRUE(lake.ok());
  Ingest(*lake, {(input.path() / "steps.json").string()});
  auto raw = lake->storage->Read("landing/step_trainer/raw/steps.json");
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(*raw, kSteps);
}

TEST(IngesterTest, SameNameWithOtherBytesLandsBeside) {
  TempDir first;
  TempDir second;
  TempDir lake_dir;
  WriteFile(first.path() / "steps.json", kSteps);
  WriteFile(
      second.path() / "steps.json",
      "{\"sensorReadingTime\":1655564376363,\"serialNumber\":\"b\",\"distanceFromObject\":7}\n");
  auto lake = catalog::Lake::Open(lake_dir.str());
  ASSERT_TRUE(lake.ok());
  Ingest(*lake, {first.str()});
  auto outcomes = Ingest(*lake, {second.str()});
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, FileOutcomeKind::kLanded);
  auto table = lake->catalog->GetTable("step_trainer_landing");
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->row_count, 3);
  auto files = lake->catalog->ListLandedFiles("step_trainer");
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 2u);
  EXPECT_NE((*files)[0].raw_key, (*files)[1].raw_key);
}

TEST(IngesterTest, SameNameInOneBatchLandsBeside) {
  TempDir input;
  TempDir lake_dir;
  WriteFile(input.path() / "a" / "steps.json", kSteps);
  WriteFile(
      input.path() / "b" / "steps.json",
      "{\"sensorReadingTime\":1655564376363,\"serialNumber\":\"b\",\"distanceFromObject\":7}\n");
  auto lake = catalog::Lake::Open(lake_dir.str());
  ASSERT_TRUE(lake.ok());
  auto outcomes = Ingest(*lake, {input.str()});
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].kind, FileOutcomeKind::kLanded);
  EXPECT_EQ(outcomes[1].kind, FileOutcomeKind::kLanded);
  auto files = lake->catalog->ListLandedFiles("step_trainer");
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].raw_key, "landing/step_trainer/raw/steps.json");
  EXPECT_NE((*files)[1].raw_key, (*files)[0].raw_key);
  auto raw = lake->storage->Read((*files)[1].raw_key);
  ASSERT_TRUE(raw.ok());
  EXPECT_NE(raw->find("1655564376363"), std::string::npos);
}

TEST(IngesterTest, LandingHashIgnoresBatching) {
  TempDir input;
  std::vector<std::string> paths;
  for (int i = 0; i < 70; ++i) {
    std::string path = (input.path() / fmt::format("steps-{:03d}.json", i)).string();
    WriteFile(path, fmt::format("{{\"sensorReadingTime\":{},\"serialNumber\":\"a\","
                                "\"distanceFromObject\":5}}\n",
                                1655564376000 + i));
    paths.push_back(path);
  }
  TempDir together_dir;
  TempDir apart_dir;
  auto together = catalog::Lake::Open(together_dir.str());
  auto apart = catalog::Lake::Open(apart_dir.str());
  ASSERT_TRUE(together.ok());
  ASSERT_TRUE(apart.ok());
  Ingest(*together, {input.str()});
  Ingest(*apart, {paths.begin(), paths.begin() + 10});
  Ingest(*apart, {paths.begin() + 10, paths.end()});

  auto one = together->catalog->GetTable("step_trainer_landing");
  auto two = apart->catalog->GetTable("step_trainer_landing");
  ASSERT_TRUE(one.ok());
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(one->row_count, 70);
  EXPECT_EQ(two->row_count, 70);
  EXPECT_EQ(one->content_hash, two->content_hash);
  // Files keep the input order, across the groups of one batch too.
  ASSERT_EQ(one->files.size(), 70u);
  auto landed = together->catalog->ListLandedFiles("step_trainer");
  ASSERT_TRUE(landed.ok());
  ASSERT_EQ(landed->size(), 70u);
  for (size_t i = 0; i < landed->size(); ++i) {
    EXPECT_EQ((*landed)[i].name, fmt::format("steps-{:03d}.json", i));
    EXPECT_EQ(one->files[i].key, (*landed)[i].data_key);
  }
}

TEST(IngesterTest, FailedFileKeepsEarlierFiles) {
  TempDir input;
  TempDir lake_dir;
  WriteFile(input.path() / "1-steps.json", kSteps);
  WriteFile(input.path() / "2-odd.json", "{\"something\":1}\n");
  WriteFile(
      input.path() / "3-steps.json",
      "{\"sensorReadingTime\":1655564376363,\"serialNumber\":\"b\",\"distanceFromObject\":7}\n");
  auto lake = catalog::Lake::Open(lake_dir.str());
  ASSERT_TRUE(lake.ok());
  std::vector<FileOutcome> outcomes;
  Status status =
      IngestPaths(*lake, {input.str()}, {}, [&](const FileOutcome& o) { outcomes.push_back(o); });
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_NE(outcomes[0].path.find("1-steps.json"), std::string::npos);
  auto table = lake->catalog->GetTable("step_trainer_landing");
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->row_count, 2);
  // No temporary copy of the later files is left behind.
  auto objects = lake->storage->List("landing/");
  ASSERT_TRUE(objects.ok());
  EXPECT_EQ(objects->size(), 2u);  // the raw copy and the Parquet file of 1-steps.json
  for (const auto& entry : std::filesystem::recursive_directory_iterator(lake_dir.path())) {
    EXPECT_EQ(entry.path().string().find(".tmp-ingest"), std::string::npos) << entry.path();
  }
}

TEST(IngesterTest, UndetectableSourceNamesTheFile) {
  TempDir input;
  TempDir lake_dir;
  WriteFile(input.path() / "odd.json", "{\"something\":1}\n");
  auto lake = catalog::Lake::Open(lake_dir.str());
  ASSERT_TRUE(lake.ok());
  Status status = IngestPaths(*lake, {input.str()}, {}, [](const FileOutcome&) {});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("odd.json"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("--source"), std::string::npos) << status.message();
}

// Spark and Glue write empty part files beside the ones with data.
TEST(IngesterTest, EmptyFilesAreSkipped) {
  TempDir input;
  TempDir lake_dir;
  WriteFile(input.path() / "part-0000.json", "");
  WriteFile(input.path() / "part-0001.json", kSteps);
  WriteFile(input.path() / "part-0002.json.gz", Gzip(" \n\n"));
  WriteFile(input.path() / "part-0003.json", "[ ]\n");
  auto lake = catalog::Lake::Open(lake_dir.str());
  ASSERT_TRUE(lake.ok());

  auto outcomes = Ingest(*lake, {input.str()});
  ASSERT_EQ(outcomes.size(), 4u);
  EXPECT_EQ(outcomes[0].kind, FileOutcomeKind::kSkippedEmpty);
  EXPECT_EQ(outcomes[1].kind, FileOutcomeKind::kLanded);
  EXPECT_EQ(outcomes[2].kind, FileOutcomeKind::kSkippedEmpty);
  EXPECT_EQ(outcomes[3].kind, FileOutcomeKind::kSkippedEmpty);
  auto files = lake->catalog->ListLandedFiles("");
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(files->size(), 1u);
}

TEST(IngesterTest, MissingPathIsNotFound) {
  TempDir lake_dir;
  auto lake = catalog::Lake::Open(lake_dir.str());
  ASSERT_TRUE(lake.ok());
  Status status = IngestPaths(*lake, {"/no/such/folder"}, {}, [](const FileOutcome&) {});
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "input /no/such/folder does not exist");
}

TEST(ContractTest, DetectsSourceFromFirstRecord) {
  EXPECT_EQ(DetectSource("{\"customerName\":\"a\",\"email\":\"b\"}"), Source::kCustomer);
  EXPECT_EQ(DetectSource("\n{\"user\":\"a\",\"timestamp\":1}"), Source::kAccelerometer);
  EXPECT_EQ(DetectSource("{\"sensorReadingTime\":1}"), Source::kStepTrainer);
  EXPECT_EQ(DetectSource("{\"SensorReadingTime\":1}"), Source::kStepTrainer);
  EXPECT_EQ(DetectSource("{\"other\":1}"), std::nullopt);
  EXPECT_EQ(DetectSource(""), std::nullopt);
}

}  // namespace
}  // namespace stedi::ingest
