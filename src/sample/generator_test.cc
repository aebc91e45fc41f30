#include "sample/generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.h"

namespace stedi::sample {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using stedi::testing::TempDir;

constexpr const char* kSources[] = {"customer", "accelerometer", "step_trainer"};
constexpr char kAllDefects[] =
    "malformed,type_drift,missing_consent,duplicate_customers,redelivered,repeated_serials";

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every file under the output folder, keyed by relative path.
std::map<std::string, std::string> ReadTree(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) {
      files[fs::relative(entry.path(), root).string()] = ReadBytes(entry.path());
    }
  }
  return files;
}

struct Line {
  std::string file;  // relative to the output folder
  int64_t number = 0;
  std::string text;
  json value;  // discarded when the line is not JSON
};

// The lines of one source's files, in file name order.
std::vector<Line> ReadLines(const fs::path& root, const std::string& source) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(root / source / "landing")) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  std::vector<Line> lines;
  for (const std::string& name : names) {
    std::string file = source + "/landing/" + name;
    std::ifstream in(root / file);
    std::string text;
    for (int64_t number = 1; std::getline(in, text); ++number) {
      lines.push_back({file, number, text, json::parse(text, nullptr, false)});
    }
  }
  return lines;
}

std::vector<json> ValidRecords(const std::vector<Line>& lines) {
  std::vector<json> records;
  for (const Line& line : lines) {
    if (!line.value.is_discarded()) records.push_back(line.value);
  }
  return records;
}

json ReadGroundTruth(const fs::path& root) {
  return json::parse(ReadBytes(root / "ground_truth.json"));
}

GenerateOptions SmallOptions(const TempDir& dir, int64_t customers) {
  GenerateOptions options;
  options.out_dir = (dir.path() / "out").string();
  options.customers = customers;
  options.records_per_file = 1000;
  return options;
}

GenerateSummary GenerateOrFail(const GenerateOptions& options) {
  auto summary = Generate(options);
  EXPECT_TRUE(summary.ok()) << summary.status().ToString();
  return summary.ok() ? *summary : GenerateSummary{};
}

TEST(GeneratorTest, SameSeedWritesSameBytes) {
  TempDir first;
  TempDir second;
  GenerateOptions options = SmallOptions(first, 80);
  options.defects = kAllDefects;
  GenerateOrFail(options);
  options.out_dir = (second.path() / "out").string();
  GenerateOrFail(options);

  auto first_files = ReadTree(first.path() / "out");
  auto second_files = ReadTree(second.path() / "out");
  EXPECT_GT(first_files.size(), 3u);
  EXPECT_TRUE(first_files == second_files);
}

TEST(GeneratorTest, OtherSeedWritesOtherBytes) {
  TempDir first;
  TempDir second;
  GenerateOptions options = SmallOptions(first, 80);
  GenerateOrFail(options);
  options.out_dir = (second.path() / "out").string();
  options.seed = 7;
  GenerateOrFail(options);

  auto first_lines = ReadLines(first.path() / "out", "accelerometer");
  auto second_lines = ReadLines(second.path() / "out", "accelerometer");
  ASSERT_FALSE(first_lines.empty());
  ASSERT_FALSE(second_lines.empty());
  EXPECT_NE(first_lines.front().text, second_lines.front().text);
  EXPECT_NE(ReadBytes(first.path() / "out" / first_lines.front().file),
            ReadBytes(second.path() / "out" / second_lines.front().file));
}

TEST(GeneratorTest, CountsMatchSummaryAndFiles) {
  TempDir dir;
  GenerateOptions options = SmallOptions(dir, 120);
  GenerateSummary summary = GenerateOrFail(options);
  fs::path root = options.out_dir;

  EXPECT_EQ(summary.customers, 120);
  EXPECT_EQ(ValidRecords(ReadLines(root, "customer")).size(), 120u);
  EXPECT_EQ(static_cast<int64_t>(ValidRecords(ReadLines(root, "accelerometer")).size()),
            summary.accelerometer_readings);
  EXPECT_EQ(static_cast<int64_t>(ValidRecords(ReadLines(root, "step_trainer")).size()),
            summary.step_trainer_readings);

  int64_t files = 0;
  int64_t bytes = 0;
  for (const char* source : kSources) {
    int64_t source_files = 0;
    for (const auto& entry : fs::directory_iterator(root / source / "landing")) {
      ++source_files;
      bytes += static_cast<int64_t>(entry.file_size());
      EXPECT_EQ(entry.path().extension(), ".json");
    }
    EXPECT_GE(source_files, 1) << source;
    files += source_files;
  }
  EXPECT_EQ(summary.files, files);
  EXPECT_EQ(summary.bytes, bytes);

  json truth = ReadGroundTruth(root);
  EXPECT_EQ(truth["records"]["accelerometer"], summary.accelerometer_readings);
  EXPECT_EQ(truth["files"].size(), static_cast<size_t>(files));
  EXPECT_TRUE(truth["defects"].empty());
}

TEST(GeneratorTest, ScaleOneIsAboutTheStarterSet) {
  TempDir dir;
  GenerateOptions options;
  options.out_dir = (dir.path() / "out").string();
  options.scale = 1;
  GenerateSummary summary = GenerateOrFail(options);
  fs::path root = options.out_dir;

  EXPECT_EQ(summary.customers, 956);
  EXPECT_GT(summary.accelerometer_readings, 76000);
  EXPECT_LT(summary.accelerometer_readings, 86000);
  EXPECT_GT(summary.step_trainer_readings, 27000);
  EXPECT_LT(summary.step_trainer_readings, 29000);
  EXPECT_GT(summary.bytes, 9'000'000);
  EXPECT_LT(summary.bytes, 12'000'000);
  // Like the starter deliveries: one customer file, 10000 readings per file.
  EXPECT_EQ(std::distance(fs::directory_iterator(root / "customer" / "landing"), {}), 1);
  EXPECT_EQ(std::distance(fs::directory_iterator(root / "accelerometer" / "landing"), {}), 9);
  EXPECT_EQ(std::distance(fs::directory_iterator(root / "step_trainer" / "landing"), {}), 3);
}

TEST(GeneratorTest, RecordsHaveStarterKeysAndTypes) {
  TempDir dir;
  GenerateOptions options = SmallOptions(dir, 60);
  GenerateOrFail(options);
  fs::path root = options.out_dir;
  const std::vector<std::string> customer_keys = {"customerName",
                                                  "email",
                                                  "phone",
                                                  "birthDay",
                                                  "serialNumber",
                                                  "registrationDate",
                                                  "lastUpdateDate",
                                                  "shareWithResearchAsOfDate",
                                                  "shareWithPublicAsOfDate",
                                                  "shareWithFriendsAsOfDate"};

  for (const Line& line : ReadLines(root, "customer")) {
    ASSERT_FALSE(line.value.is_discarded()) << line.text;
    // nlohmann::json sorts keys, so the order is checked on the text.
    size_t position = 0;
    for (const std::string& key : customer_keys) {
      size_t found = line.text.find("\"" + key + "\": ");
      if (found == std::string::npos) {
        EXPECT_EQ(key.rfind("share", 0), 0u) << line.text;
        continue;
      }
      EXPECT_GT(found, position) << key << " out of order in " << line.text;
      position = found;
    }
    EXPECT_TRUE(line.value["phone"].is_string());
    EXPECT_TRUE(line.value["registrationDate"].is_number_integer());
    EXPECT_EQ(line.value["lastUpdateDate"].get<int64_t>() >=
                  line.value["registrationDate"].get<int64_t>(),
              true);
  }
  for (const Line& line : ReadLines(root, "accelerometer")) {
    EXPECT_EQ(line.text.rfind("{\"user\":\"", 0), 0u) << line.text;
    EXPECT_TRUE(line.value["timestamp"].is_number_integer());
    EXPECT_TRUE(line.value["x"].is_number_float()) << line.text;
    EXPECT_NE(line.text.find("\"z\":"), std::string::npos);
  }
  for (const Line& line : ReadLines(root, "step_trainer")) {
    EXPECT_EQ(line.text.rfind("{\"sensorReadingTime\":", 0), 0u) << line.text;
    EXPECT_TRUE(line.value["distanceFromObject"].is_number_integer());
    EXPECT_TRUE(line.value["serialNumber"].is_string());
  }
}

TEST(GeneratorTest, AboutHalfConsentAndEmailsAreUnique) {
  TempDir dir;
  // More customers than the 957 name pairs, so e-mails need a number.
  GenerateOptions options = SmallOptions(dir, 1200);
  GenerateOrFail(options);
  std::vector<json> customers = ValidRecords(ReadLines(options.out_dir, "customer"));
  ASSERT_EQ(customers.size(), 1200u);

  std::set<std::string> emails;
  std::set<std::string> serials;
  int64_t consenting = 0;
  for (const json& customer : customers) {
    emails.insert(customer["email"].get<std::string>());
    serials.insert(customer["serialNumber"].get<std::string>());
    if (customer.contains("shareWithResearchAsOfDate")) ++consenting;
  }
  EXPECT_EQ(emails.size(), 1200u);
  EXPECT_EQ(serials.size(), 1200u);
  EXPECT_GT(consenting, 540);
  EXPECT_LT(consenting, 660);
  EXPECT_EQ(ReadGroundTruth(options.out_dir)["generated"]["sharing_with_research"], consenting);
}

TEST(GeneratorTest, StepTrainerTimesAreOwnersAccelerometerTimes) {
  TempDir dir;
  GenerateOptions options = SmallOptions(dir, 150);
  GenerateOrFail(options);
  fs::path root = options.out_dir;

  std::map<std::string, std::string> owner_of_serial;
  for (const json& customer : ValidRecords(ReadLines(root, "customer"))) {
    owner_of_serial[customer["serialNumber"]] = customer["email"];
  }
  std::map<std::string, std::set<int64_t>> times_of_user;
  for (const json& reading : ValidRecords(ReadLines(root, "accelerometer"))) {
    times_of_user[reading["user"]].insert(reading["timestamp"].get<int64_t>());
  }
  std::map<std::string, std::set<int64_t>> times_of_serial;
  for (const json& reading : ValidRecords(ReadLines(root, "step_trainer"))) {
    std::string serial = reading["serialNumber"];
    int64_t time = reading["sensorReadingTime"];
    ASSERT_EQ(owner_of_serial.count(serial), 1u) << serial;
    EXPECT_EQ(times_of_user[owner_of_serial[serial]].count(time), 1u) << serial << " " << time;
    EXPECT_TRUE(times_of_serial[serial].insert(time).second) << "repeated time " << time;
  }
  // Each device reports 30 times, the same set its owner's phone reports.
  for (const auto& [serial, times] : times_of_serial) {
    EXPECT_EQ(times.size(), 30u);
    EXPECT_EQ(times, times_of_user[owner_of_serial[serial]]);
  }
  EXPECT_EQ(times_of_serial.size(), times_of_user.size());
  EXPECT_LT(times_of_user.size(), 150u) << "some customers should have no readings";
}

TEST(GeneratorTest, ExpectedJobRowsMatchRecords) {
  TempDir dir;
  GenerateOptions options = SmallOptions(dir, 200);
  GenerateOrFail(options);
  fs::path root = options.out_dir;

  std::map<std::string, std::string> consenting_serial_owner;
  for (const json& customer : ValidRecords(ReadLines(root, "customer"))) {
    if (customer.contains("shareWithResearchAsOfDate")) {
      consenting_serial_owner[customer["serialNumber"]] = customer["email"];
    }
  }
  std::set<std::string> consenting;
  for (const auto& [serial, email] : consenting_serial_owner) consenting.insert(email);
  int64_t accelerometer_trusted = 0;
  std::set<std::string> curated;
  std::map<std::pair<std::string, int64_t>, int64_t> readings_at;
  for (const json& reading : ValidRecords(ReadLines(root, "accelerometer"))) {
    if (consenting.count(reading["user"]) == 0) continue;
    ++accelerometer_trusted;
    curated.insert(reading["user"]);
    readings_at[{reading["user"], reading["timestamp"]}] += 1;
  }
  int64_t step_trainer_trusted = 0;
  int64_t machine_learning = 0;
  for (const json& reading : ValidRecords(ReadLines(root, "step_trainer"))) {
    auto owner = consenting_serial_owner.find(reading["serialNumber"]);
    if (owner == consenting_serial_owner.end() || curated.count(owner->second) == 0) continue;
    ++step_trainer_trusted;
    machine_learning += readings_at[{owner->second, reading["sensorReadingTime"]}];
  }

  json expected = ReadGroundTruth(root)["expected_job_rows"];
  EXPECT_EQ(expected["customer_trusted"], consenting.size());
  EXPECT_EQ(expected["accelerometer_trusted"], accelerometer_trusted);
  EXPECT_EQ(expected["customers_curated"], curated.size());
  EXPECT_EQ(expected["step_trainer_trusted"], step_trainer_trusted);
  EXPECT_EQ(expected["machine_learning_curated"], machine_learning);
  EXPECT_GT(machine_learning, 0);
}

// Fixture for the defect tests: one small data set with every defect,
// generated once for the whole suite.
class GeneratorDefectsTest : public ::testing::Test {
 protected:
  struct Data {
    TempDir dir;
    fs::path root;
    GenerateSummary summary;
    json truth;
    std::map<std::string, Line> lines;  // keyed by "file:line"
  };

  static void SetUpTestSuite() {
    data_ = new Data;
    GenerateOptions options = SmallOptions(data_->dir, 400);
    options.defects = kAllDefects;
    data_->summary = GenerateOrFail(options);
    data_->root = options.out_dir;
    data_->truth = ReadGroundTruth(data_->root);
    for (const char* source : kSources) {
      for (Line& line : ReadLines(data_->root, source)) {
        std::string key = line.file + ":" + std::to_string(line.number);
        data_->lines[key] = std::move(line);
      }
    }
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }

  void SetUp() override {
    root_ = data_->root;
    summary_ = data_->summary;
    truth_ = data_->truth;
  }

  const std::map<std::string, Line>& lines() const { return data_->lines; }

  const Line& At(const json& file, const json& line) {
    std::string key = file.get<std::string>() + ":" + std::to_string(line.get<int64_t>());
    auto found = data_->lines.find(key);
    EXPECT_NE(found, data_->lines.end()) << key;
    static const Line kMissing;
    return found == data_->lines.end() ? kMissing : found->second;
  }

  static Data* data_;
  fs::path root_;
  GenerateSummary summary_;
  json truth_;
};

GeneratorDefectsTest::Data* GeneratorDefectsTest::data_ = nullptr;

TEST_F(GeneratorDefectsTest, MalformedLinesAreExactlyTheListedOnes) {
  const json& listed = truth_["defects"]["malformed"];
  ASSERT_GT(listed["count"].get<int64_t>(), 0);
  std::set<std::string> malformed;
  for (const json& entry : listed["lines"]) {
    const Line& line = At(entry["file"], entry["line"]);
    EXPECT_TRUE(line.value.is_discarded()) << line.text;
    EXPECT_TRUE(entry["kind"] == "truncated" || entry["kind"] == "invalid");
    malformed.insert(entry["file"].get<std::string>() + ":" +
                     std::to_string(entry["line"].get<int64_t>()));
  }
  // The copy of a redelivered file repeats its original's malformed lines.
  std::map<std::string, std::string> original_of;
  for (const json& entry : truth_["defects"]["redelivered"]["files"]) {
    original_of[entry["copy"]] = entry["original"];
  }
  for (const auto& [key, line] : lines()) {
    auto original = original_of.find(line.file);
    std::string listed_key =
        original == original_of.end() ? key : original->second + ":" + std::to_string(line.number);
    EXPECT_EQ(line.value.is_discarded(), malformed.count(listed_key) == 1) << key;
  }
}

TEST_F(GeneratorDefectsTest, DriftedFilesHoldOtherTypes) {
  const json& drift = truth_["defects"]["type_drift"];
  std::set<std::string> drifted;
  int64_t records = 0;
  for (const json& entry : drift["files"]) {
    drifted.insert(entry["file"]);
    records += entry["records"].get<int64_t>();
  }
  EXPECT_EQ(drift["count"], records);
  ASSERT_GE(drifted.size(), 3u);

  std::map<std::string, std::string> original_of;
  for (const json& entry : truth_["defects"]["redelivered"]["files"]) {
    original_of[entry["copy"]] = entry["original"];
  }
  for (const auto& [key, line] : lines()) {
    if (line.value.is_discarded()) continue;
    std::string file = original_of.count(line.file) ? original_of[line.file] : line.file;
    bool expect_drift = drifted.count(file) == 1;
    if (line.value.contains("phone")) {
      EXPECT_EQ(line.value["phone"].is_number(), expect_drift) << key;
    } else if (line.value.contains("x")) {
      EXPECT_EQ(line.value["x"].is_string(), expect_drift) << key;
      EXPECT_EQ(line.value["z"].is_string(), expect_drift) << key;
    } else {
      EXPECT_EQ(line.value["distanceFromObject"].is_string(), expect_drift) << key;
    }
  }
}

TEST_F(GeneratorDefectsTest, MissingConsentRecordsLackShareKeys) {
  const json& missing = truth_["defects"]["missing_consent"];
  ASSERT_GT(missing["count"].get<int64_t>(), 0);
  EXPECT_EQ(missing["records"].size(), missing["count"].get<size_t>());
  for (const json& entry : missing["records"]) {
    const Line& line = At(entry["file"], entry["line"]);
    EXPECT_EQ(line.value["email"], entry["email"]);
    EXPECT_FALSE(line.value.contains("shareWithResearchAsOfDate")) << line.text;
    EXPECT_FALSE(line.value.contains("shareWithPublicAsOfDate")) << line.text;
    EXPECT_FALSE(line.value.contains("shareWithFriendsAsOfDate")) << line.text;
  }
}

TEST_F(GeneratorDefectsTest, DuplicateCustomersRepeatEmailLater) {
  const json& duplicates = truth_["defects"]["duplicate_customers"];
  ASSERT_GT(duplicates["count"].get<int64_t>(), 0);
  int64_t changed = 0;
  for (const json& entry : duplicates["records"]) {
    const Line& first = At(entry["first_file"], entry["first_line"]);
    const Line& repeat = At(entry["file"], entry["line"]);
    EXPECT_EQ(first.value["email"], entry["email"]);
    EXPECT_EQ(repeat.value["email"], entry["email"]);
    EXPECT_NE(entry["file"], entry["first_file"]);
    EXPECT_GT(repeat.value["lastUpdateDate"].get<int64_t>(),
              first.value["lastUpdateDate"].get<int64_t>());
    EXPECT_EQ(repeat.value.contains("shareWithResearchAsOfDate"),
              entry["shares_with_research"].get<bool>());
    if (entry["consent_changed"].get<bool>()) ++changed;
  }
  EXPECT_EQ(duplicates["consent_changed"], changed);
}

TEST_F(GeneratorDefectsTest, RedeliveredCopiesAreByteIdentical) {
  const json& redelivered = truth_["defects"]["redelivered"];
  ASSERT_EQ(redelivered["count"], 3);
  for (const json& entry : redelivered["files"]) {
    std::string original = ReadBytes(root_ / entry["original"].get<std::string>());
    EXPECT_FALSE(original.empty());
    EXPECT_EQ(ReadBytes(root_ / entry["copy"].get<std::string>()), original);
    EXPECT_NE(entry["original"], entry["copy"]);
  }
}

TEST_F(GeneratorDefectsTest, RepeatedSerialsComeFromPool) {
  const json& repeated = truth_["defects"]["repeated_serials"];
  std::set<std::string> pool = repeated["pool"].get<std::set<std::string>>();
  ASSERT_EQ(pool.size(), 30u);
  const json& owners = repeated["device_owners"];

  std::map<std::string, std::set<int64_t>> times_of_user;
  for (const auto& [key, line] : lines()) {
    if (line.value.is_discarded()) continue;
    if (line.value.contains("customerName")) {
      EXPECT_EQ(pool.count(line.value["serialNumber"]), 1u) << line.text;
    } else if (line.value.contains("user")) {
      times_of_user[line.value["user"]].insert(line.value["timestamp"].get<int64_t>());
    }
  }
  EXPECT_EQ(owners.size(), times_of_user.size());
  for (const auto& [key, line] : lines()) {
    if (line.value.is_discarded() || !line.value.contains("sensorReadingTime")) continue;
    std::string serial = line.value["serialNumber"];
    ASSERT_TRUE(owners.contains(serial)) << serial;
    std::string owner = owners[serial];
    EXPECT_EQ(times_of_user[owner].count(line.value["sensorReadingTime"].get<int64_t>()), 1u);
  }
  EXPECT_GT(repeated["count"].get<int64_t>(), 300);
}

TEST_F(GeneratorDefectsTest, RecordCountsIncludeRepeatsAndCopies) {
  int64_t customers = 0;
  for (const auto& [key, line] : lines()) {
    if (!line.value.is_discarded() && line.value.contains("customerName")) ++customers;
  }
  EXPECT_EQ(truth_["records"]["customer"], customers);
  int64_t copied = 0;
  for (const json& entry : truth_["defects"]["redelivered"]["files"]) {
    if (entry["copy"].get<std::string>().rfind("customer/", 0) == 0)
      copied += entry["records"].get<int64_t>();
  }
  EXPECT_EQ(customers, summary_.customers +
                           truth_["defects"]["duplicate_customers"]["count"].get<int64_t>() +
                           copied);
}

TEST(GeneratorTest, UnknownDefectIsInvalidArgument) {
  TempDir dir;
  GenerateOptions options = SmallOptions(dir, 10);
  options.defects = "malformed,bit_rot";
  auto summary = Generate(options);
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.status().code(), StatusCode::kInvalidArgument);
  const std::string& message = summary.status().message();
  EXPECT_EQ(message.rfind("parse defects: unknown defect 'bit_rot'", 0), 0u) << message;
  for (std::string_view kind : kDefectKinds) {
    EXPECT_NE(message.find(kind), std::string::npos) << kind;
  }
}

TEST(GeneratorTest, FolderWithFilesIsRejected) {
  TempDir dir;
  GenerateOptions options = SmallOptions(dir, 10);
  GenerateOrFail(options);
  auto again = Generate(options);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(again.status().message().rfind("generate sample data in", 0), 0u)
      << again.status().message();
}

TEST(GeneratorTest, InvalidSizesAreRejected) {
  TempDir dir;
  GenerateOptions options = SmallOptions(dir, -1);
  EXPECT_EQ(Generate(options).status().code(), StatusCode::kInvalidArgument);
  options.customers = 0;
  options.scale = 0;
  EXPECT_EQ(Generate(options).status().code(), StatusCode::kInvalidArgument);
  options.scale = 1;
  options.records_per_file = 0;
  EXPECT_EQ(Generate(options).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace stedi::sample
