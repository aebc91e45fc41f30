// Generated data with each defect, ingested and run through every job, must
// yield exactly the counts its ground_truth.json predicts.
#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "catalog/lake.h"
#include "ingest/ingester.h"
#include "pipeline/model.h"
#include "pipeline/runner.h"
#include "sample/generator.h"
#include "test_support.h"

namespace stedi::pipeline {
namespace {

using stedi::testing::TempDir;

constexpr std::array<const char*, 5> kJobs = {"customer_trusted", "accelerometer_trusted",
                                              "customers_curated", "step_trainer_trusted",
                                              "machine_learning_curated"};

// What ingesting one source's landing folder counted.
struct SourceCounts {
  int64_t files_landed = 0;
  int64_t files_skipped = 0;
  int64_t read = 0;
  int64_t accepted = 0;
  int64_t coerced = 0;
  int64_t quarantined = 0;
};

class GroundTruthTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Generates data with `defects`, ingests each source's folder and runs
  // every job.
  void GenerateIngestAndRun(const std::string& defects) {
    sample::GenerateOptions options;
    options.out_dir = data_.str();
    options.customers = 300;
    options.records_per_file = 2000;
    options.defects = defects;
    options.seed = 11;
    auto summary = sample::Generate(options);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    std::ifstream file(data_.path() / "ground_truth.json");
    std::stringstream text;
    text << file.rdbuf();
    truth_ = nlohmann::json::parse(text.str());

    auto lake = catalog::Lake::Open(lake_dir_.str());
    ASSERT_TRUE(lake.ok()) << lake.status().ToString();
    lake_ = std::make_unique<catalog::Lake>(std::move(lake).value());
    for (const char* source : {"customer", "accelerometer", "step_trainer"}) {
      SourceCounts& counts = ingested_[source];
      Status status = ingest::IngestPaths(
          *lake_, {(data_.path() / source / "landing").string()}, {},
          [&counts](const ingest::FileOutcome& outcome) {
            if (outcome.kind == ingest::FileOutcomeKind::kSkippedDuplicate) {
              ++counts.files_skipped;
              return;
            }
            ++counts.files_landed;
            counts.read += outcome.records_read;
            counts.accepted += outcome.accepted;
            counts.coerced += outcome.coerced;
            counts.quarantined += outcome.quarantined;
          });
      ASSERT_TRUE(status.ok()) << status.ToString();
    }
    auto models = BuiltInModels();
    ASSERT_TRUE(models.ok()) << models.status().ToString();
    Status ran = RunModels(*lake_, *models, {}, [](const JobResult&) {});
    ASSERT_TRUE(ran.ok()) << ran.ToString();
    for (const char* job : kJobs) {
      auto info = lake_->catalog->GetTable(job);
      ASSERT_TRUE(info.ok()) << info.status().ToString();
      rows_[job] = info->row_count;
    }
  }

  TempDir data_;
  TempDir lake_dir_;
  std::unique_ptr<catalog::Lake> lake_;
  nlohmann::json truth_;
  std::map<std::string, SourceCounts> ingested_;
  std::map<std::string, int64_t> rows_;
};

TEST_P(GroundTruthTest, IngestAndJobRowsMatchGroundTruth) {
  const std::string& defects = GetParam();
  GenerateIngestAndRun(defects);
  if (HasFatalFailure()) return;

  for (const auto& [source, expected] : truth_["expected_ingest"].items()) {
    SCOPED_TRACE(source);
    const SourceCounts& counts = ingested_[source];
    EXPECT_EQ(counts.files_landed, expected["files_landed"].get<int64_t>());
    EXPECT_EQ(counts.files_skipped, expected["files_skipped"].get<int64_t>());
    EXPECT_EQ(counts.read, expected["read"].get<int64_t>());
    EXPECT_EQ(counts.accepted, expected["accepted"].get<int64_t>());
    EXPECT_EQ(counts.coerced, expected["coerced"].get<int64_t>());
    EXPECT_EQ(counts.quarantined, expected["quarantined"].get<int64_t>());
    EXPECT_EQ(counts.read, counts.accepted + counts.quarantined);
  }
  EXPECT_EQ(ingested_.size(), truth_["expected_ingest"].size());

  bool exact = truth_["expected_job_rows_exact"].get<bool>();
  for (const char* job : kJobs) {
    std::string name = job;
    // Without an exact prediction, only the jobs before device resolution
    // are predicted.
    if (!exact && name != "customer_trusted" && name != "accelerometer_trusted" &&
        name != "customers_curated") {
      continue;
    }
    EXPECT_EQ(rows_[name], truth_["expected_job_rows"][name].get<int64_t>()) << name;
  }
  // Every prediction is exact at this size, so a change that loses exactness fails here.
  EXPECT_TRUE(exact);

  // Each defect shows in the counts it should change.
  if (defects.find("type_drift") != std::string::npos) {
    EXPECT_GT(ingested_["customer"].coerced, 0);
    for (const char* source : {"accelerometer", "step_trainer"}) {
      EXPECT_GT(ingested_[source].coerced, 0) << source;
      EXPECT_GT(ingested_[source].quarantined, 0) << source;
    }
  }
  if (defects.find("malformed") != std::string::npos) {
    int64_t quarantined = 0;
    for (const auto& [source, counts] : ingested_) quarantined += counts.quarantined;
    EXPECT_GE(quarantined, truth_["defects"]["malformed"]["count"].get<int64_t>());
    EXPECT_GT(quarantined, 0);
  }
  if (defects.find("redelivered") != std::string::npos) {
    for (const auto& [source, counts] : ingested_) EXPECT_EQ(counts.files_skipped, 1) << source;
  } else {
    for (const auto& [source, counts] : ingested_) EXPECT_EQ(counts.files_skipped, 0) << source;
  }
}

std::vector<std::string> DefectCases() {
  std::vector<std::string> cases(sample::kDefectKinds.begin(), sample::kDefectKinds.end());
  std::string all;
  for (std::string_view kind : sample::kDefectKinds) {
    if (!all.empty()) all += ",";
    all += kind;
  }
  cases.push_back(all);
  return cases;
}

INSTANTIATE_TEST_SUITE_P(EachDefectAndAll, GroundTruthTest, ::testing::ValuesIn(DefectCases()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param.find(',') == std::string::npos
                                      ? info.param
                                      : std::string("all");
                         });

}  // namespace
}  // namespace stedi::pipeline
