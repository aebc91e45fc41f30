#include "ingest/ingester.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace stedi::ingest {
namespace {

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
  WriteFile(second.path() / "steps.json",
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
