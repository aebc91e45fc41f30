// `stedi ingest s3://...` lands objects of another bucket exactly as it
// lands the same files from local disk, into a local lake or an S3 lake.
// Runs only when STEDI_S3_ENDPOINT names a server (scripts/test_s3.sh
// starts one on 127.0.0.1 and sets it with the AWS_* credentials).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>

#include "catalog/lake.h"
#include "e2e/cli_support.h"
#include "storage/s3_client.h"
#include "storage/s3_test_util.h"
#include "test_support.h"

namespace stedi::testing {
namespace {

namespace fs = std::filesystem;

using storage::testing::kSkipMessage;
using storage::testing::kTestBucket;

// The bucket that the source files are uploaded to, apart from the lakes'.
constexpr char kSourceBucket[] = "stedi-test-source";

// The summary line of `stedi ingest`, such as "3 files landed, 3 skipped as
// already landed; 6858 records, 160 quarantined".
std::string IngestSummary(const CommandResult& ingest) {
  size_t summary = ingest.out.find(" landed, ");
  if (summary == std::string::npos) return "";
  size_t start = ingest.out.rfind('\n', summary);
  start = start == std::string::npos ? 0 : start + 1;
  return ingest.out.substr(start, ingest.out.find('\n', summary) - start);
}

int CountLinesStartingWith(const std::string& text, const std::string& start) {
  int count = text.starts_with(start) ? 1 : 0;
  for (size_t at = text.find("\n" + start); at != std::string::npos;
       at = text.find("\n" + start, at + 1)) {
    ++count;
  }
  return count;
}

class S3IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<storage::S3Config> config = storage::testing::TestS3Config();
    if (!config) GTEST_SKIP() << kSkipMessage;
    client_ = std::make_unique<storage::S3Client>(*config);
    storage::testing::EnsureTestBucket(*client_);
    Status created = client_->CreateBucket(kSourceBucket);
    ASSERT_TRUE(created.ok()) << created.ToString();
    prefix_ = storage::testing::UniquePrefix();
    lake_ = std::string("s3://") + kTestBucket + "/" + prefix_ + "/lake";
  }

  // Uploads every file under `folder` to the source bucket, keeping the
  // relative paths, under PREFIX/`name`/; returns "s3://BUCKET/PREFIX/name".
  std::string Upload(const fs::path& folder, const std::string& name) {
    std::string key_prefix = prefix_ + "/" + name;
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
      if (!entry.is_regular_file()) continue;
      std::string key = key_prefix + "/" + fs::relative(entry.path(), folder).string();
      Result<std::string> etag = client_->UploadFile(kSourceBucket, key, entry.path().string());
      EXPECT_TRUE(etag.ok()) << etag.status().ToString();
    }
    return std::string("s3://") + kSourceBucket + "/" + key_prefix;
  }

  // Generated files with malformed lines, type drift and re-delivered files.
  fs::path GenerateSample() {
    fs::path in = work_.path() / "sample";
    CommandResult generated =
        RunStedi("", {"generate", "--out", in.string(), "--customers", "60", "--seed", "11",
                      "--defects", "malformed,type_drift,redelivered"});
    EXPECT_EQ(generated.exit_code, 0) << generated.err;
    return in;
  }

  // Ingests the three sources under `local` into a local lake, and their
  // copies under `url` into a local lake and an S3 lake, then runs every job
  // in each lake. Checks that the three ingests print the same counts and
  // that the three lakes have the same table rows, and returns those rows.
  std::map<std::string, int64_t> ExpectSameAsLocalFiles(const fs::path& local,
                                                        const std::string& url,
                                                        const std::string& name) {
    std::vector<std::string> local_args = {"ingest", (local / "customer").string(),
                                           (local / "accelerometer").string(),
                                           (local / "step_trainer").string()};
    // A folder with a trailing '/', a key taken as a folder, and a deeper folder.
    std::vector<std::string> s3_args = {"ingest", url + "/customer/", url + "/accelerometer",
                                        url + "/step_trainer/landing/"};
    std::string files_lake = (work_.path() / (name + "-from-files")).string();
    std::string local_lake = (work_.path() / (name + "-from-s3")).string();
    std::string s3_lake = lake_ + "/" + name;

    std::map<std::string, std::string> summaries;
    for (const auto& [lake, args] : {std::pair{files_lake, local_args},
                                     std::pair{local_lake, s3_args}, std::pair{s3_lake, s3_args}}) {
      CommandResult ingest = RunStedi(lake, args);
      EXPECT_EQ(ingest.exit_code, 0) << lake << ": " << ingest.err;
      summaries[lake] = IngestSummary(ingest);
      CommandResult run = RunStedi(lake, {"run"});
      EXPECT_EQ(run.exit_code, 0) << lake << ": " << run.err;
    }
    EXPECT_NE(summaries[files_lake], "");
    EXPECT_EQ(summaries[local_lake], summaries[files_lake]);
    EXPECT_EQ(summaries[s3_lake], summaries[files_lake]);

    std::map<std::string, int64_t> rows = TableRows(files_lake);
    EXPECT_EQ(rows.size(), 9u);
    EXPECT_EQ(TableRows(local_lake), rows);
    EXPECT_EQ(TableRows(s3_lake), rows);
    return rows;
  }

  TempDir work_;
  std::unique_ptr<storage::S3Client> client_;
  std::string prefix_;
  std::string lake_;
};

TEST_F(S3IngestTest, SameFiguresAsLocalFiles) {
  fs::path in = GenerateSample();
  std::string url = Upload(in, "sample");
  std::map<std::string, int64_t> rows = ExpectSameAsLocalFiles(in, url, "sample");
  EXPECT_GT(rows["machine_learning_curated"], 0);

  // Every landed file records its URL as its origin.
  Result<catalog::Lake> lake = catalog::Lake::Open((work_.path() / "sample-from-s3").string());
  ASSERT_TRUE(lake.ok()) << lake.status().ToString();
  Result<std::vector<catalog::LandedFile>> landed = lake->catalog->ListLandedFiles("");
  ASSERT_TRUE(landed.ok()) << landed.status().ToString();
  ASSERT_FALSE(landed->empty());
  for (const catalog::LandedFile& file : *landed) {
    EXPECT_TRUE(file.origin.starts_with(url + "/")) << file.origin;
    EXPECT_TRUE(file.origin.ends_with("/" + file.name)) << file.origin;
  }
}

TEST_F(S3IngestTest, StarterDataGivesKnownFigures) {
  const char* real = std::getenv("STEDI_REAL_DATA");
  if (real == nullptr || *real == '\0') GTEST_SKIP() << "STEDI_REAL_DATA is not set";
  std::string url = Upload(real, "starter");
  std::map<std::string, int64_t> rows = ExpectSameAsLocalFiles(real, url, "starter");
  EXPECT_EQ(rows["machine_learning_curated"], 40981);
  EXPECT_EQ(rows["step_trainer_trusted"], 14460);
}

TEST_F(S3IngestTest, ReingestSkipsEveryFile) {
  fs::path in = GenerateSample();
  std::string url = Upload(in, "sample");
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(in)) {
    if (entry.is_regular_file() && entry.path().filename() != "ground_truth.json") ++files;
  }
  ASSERT_GT(files, 0);
  std::vector<std::string> args = {"ingest", url + "/customer", url + "/accelerometer",
                                   url + "/step_trainer"};
  CommandResult first = RunStedi(lake_, args);
  ASSERT_EQ(first.exit_code, 0) << first.err;

  CommandResult again = RunStedi(lake_, args);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(CountLinesStartingWith(again.out, "skipped " + url + "/"), files) << again.out;
  EXPECT_EQ(CountLinesStartingWith(again.out, "landed "), 0) << again.out;
  EXPECT_NE(again.out.find(fmt::format("0 files landed, {} skipped as already landed", files)),
            std::string::npos)
      << again.out;
}

TEST_F(S3IngestTest, MissingPrefixIsError) {
  std::string url = std::string("s3://") + kSourceBucket + "/" + prefix_ + "/no-such-folder/";
  CommandResult result = RunStedi(lake_, {"ingest", url});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("stedi: error: input " + url + " does not exist"), std::string::npos)
      << result.err;
}

TEST_F(S3IngestTest, MissingBucketIsError) {
  std::mt19937_64 random{std::random_device{}()};
  std::string url = fmt::format("s3://stedi-no-such-bucket-{}/customer/", random() % 1000000);
  for (const std::string& lake : {lake_, (work_.path() / "lake").string()}) {
    CommandResult result = RunStedi(lake, {"ingest", url});
    EXPECT_EQ(result.exit_code, 1) << lake;
    EXPECT_NE(result.err.find("stedi: error: list input " + url + ": "), std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("HTTP 404 NoSuchBucket"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("does not exist: check its name, or create it"), std::string::npos)
        << result.err;
  }
}

TEST_F(S3IngestTest, BadRecordIsQuarantinedWithUrlAndLine) {
  fs::path in = work_.path() / "bad";
  WriteFile(
      in / "steps.json",
      "{\"sensorReadingTime\":1655564376361,\"serialNumber\":\"a\",\"distanceFromObject\":5}\n"
      "{\"sensorReadingTime\":1655564376362,\"serialNumber\":\"a\","
      "\"distanceFromObject\":\"218cm\"}\n");
  std::string url = Upload(in, "bad");
  std::string file_url = url + "/steps.json";

  CommandResult ingest = RunStedi(lake_, {"ingest", url + "/"});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  EXPECT_NE(ingest.out.find("landed " + file_url +
                            " as step_trainer: 2 records, 1 accepted, 0 coerced, 1 quarantined"),
            std::string::npos)
      << ingest.out;
  EXPECT_NE(ingest.err.find(file_url + ":2: quarantined: distanceFromObject"), std::string::npos)
      << ingest.err;

  CommandResult quarantine = RunStedi(lake_, {"quarantine", "--format", "csv"});
  ASSERT_EQ(quarantine.exit_code, 0) << quarantine.err;
  EXPECT_NE(quarantine.out.find("steps.json:2"), std::string::npos) << quarantine.out;

  Result<catalog::Lake> lake = catalog::Lake::Open(lake_);
  ASSERT_TRUE(lake.ok()) << lake.status().ToString();
  Result<std::vector<catalog::LandedFile>> landed = lake->catalog->ListLandedFiles("step_trainer");
  ASSERT_TRUE(landed.ok()) << landed.status().ToString();
  ASSERT_EQ(landed->size(), 1u);
  EXPECT_EQ((*landed)[0].origin, file_url);
  EXPECT_EQ((*landed)[0].quarantined, 1);
}

}  // namespace
}  // namespace stedi::testing
