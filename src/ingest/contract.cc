#include "ingest/contract.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace stedi::ingest {

const RecordContract& ContractFor(Source source) {
  static const RecordContract kCustomer{
      Source::kCustomer,
      "customer_landing",
      {
          {"customerName", FieldType::kString, true, true},
          {"email", FieldType::kString, true, false},
          {"phone", FieldType::kString, false, true},
          {"birthDay", FieldType::kString, false, true},
          {"serialNumber", FieldType::kString, true, true},
          {"registrationDate", FieldType::kInt64, true, true, kMinEpochMillis, kMaxEpochMillis},
          {"lastUpdateDate", FieldType::kInt64, true, true, kMinEpochMillis, kMaxEpochMillis},
          {"shareWithResearchAsOfDate", FieldType::kInt64, false, true, kMinEpochMillis,
           kMaxEpochMillis},
          {"shareWithPublicAsOfDate", FieldType::kInt64, false, true, kMinEpochMillis,
           kMaxEpochMillis},
          {"shareWithFriendsAsOfDate", FieldType::kInt64, false, true, kMinEpochMillis,
           kMaxEpochMillis},
      }};
  static const RecordContract kAccelerometer{
      Source::kAccelerometer,
      "accelerometer_landing",
      {
          {"user", FieldType::kString, true, false},
          {"timestamp", FieldType::kInt64, true, false, kMinEpochMillis, kMaxEpochMillis},
          {"x", FieldType::kDouble, true, false},
          {"y", FieldType::kDouble, true, false},
          {"z", FieldType::kDouble, true, false},
      }};
  static const RecordContract kStepTrainer{
      Source::kStepTrainer,
      "step_trainer_landing",
      {
          {"sensorReadingTime", FieldType::kInt64, true, false, kMinEpochMillis, kMaxEpochMillis},
          {"serialNumber", FieldType::kString, true, false},
          {"distanceFromObject", FieldType::kInt32, true, false},
      }};
  switch (source) {
    case Source::kCustomer: return kCustomer;
    case Source::kAccelerometer: return kAccelerometer;
    case Source::kStepTrainer: return kStepTrainer;
  }
  return kCustomer;
}

std::string_view SourceName(Source source) {
  switch (source) {
    case Source::kCustomer: return "customer";
    case Source::kAccelerometer: return "accelerometer";
    case Source::kStepTrainer: return "step_trainer";
  }
  return "unknown";
}

std::optional<Source> ParseSource(std::string_view name) {
  for (Source source : AllSources()) {
    if (SourceName(source) == name) return source;
  }
  return std::nullopt;
}

const std::vector<Source>& AllSources() {
  static const std::vector<Source> kSources = {Source::kCustomer, Source::kAccelerometer,
                                               Source::kStepTrainer};
  return kSources;
}

std::string_view SqlTypeName(FieldType type) {
  switch (type) {
    case FieldType::kString: return "VARCHAR";
    case FieldType::kInt64: return "BIGINT";
    case FieldType::kInt32: return "INTEGER";
    case FieldType::kDouble: return "DOUBLE";
  }
  return "VARCHAR";
}

namespace {

bool ContainsKeyIgnoringCase(std::string_view text, std::string_view key) {
  std::string quoted = "\"" + std::string(key) + "\"";
  auto it = std::search(text.begin(), text.end(), quoted.begin(), quoted.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
  return it != text.end();
}

}  // namespace

std::optional<Source> DetectSource(std::string_view sample) {
  // Look at the first non-blank line only: one record is enough, and a
  // record's keys identify its source.
  size_t start = sample.find('{');
  if (start == std::string_view::npos) return std::nullopt;
  size_t end = sample.find('\n', start);
  std::string_view first = sample.substr(start, end == std::string_view::npos ? sample.size() - start
                                                                              : end - start);
  // A key that only one source has, for each source.
  static const std::array<std::pair<Source, std::string_view>, 3> kMarkers = {{
      {Source::kCustomer, "customerName"},
      {Source::kAccelerometer, "user"},
      {Source::kStepTrainer, "sensorReadingTime"},
  }};
  std::optional<Source> found;
  for (const auto& [source, key] : kMarkers) {
    if (!ContainsKeyIgnoringCase(first, key)) continue;
    if (found) return std::nullopt;  // ambiguous
    found = source;
  }
  return found;
}

}  // namespace stedi::ingest
