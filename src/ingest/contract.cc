#include "ingest/contract.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

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
    case Source::kCustomer:
      return kCustomer;
    case Source::kAccelerometer:
      return kAccelerometer;
    case Source::kStepTrainer:
      return kStepTrainer;
  }
  return kCustomer;
}

bool IsBlank(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      if (!std::isspace(byte)) return false;
      ++i;
      continue;
    }
    // Decode one multi-byte UTF-8 sequence; anything malformed is not blank.
    int length = 0;
    if (byte >= 0xF0) {
      length = 4;
    } else if (byte >= 0xE0) {
      length = 3;
    } else if (byte >= 0xC0) {
      length = 2;
    } else {
      return false;  // a continuation byte cannot start a character
    }
    if (i + length > text.size()) return false;
    uint32_t code = byte & (0x7F >> length);
    for (int k = 1; k < length; ++k) {
      code = (code << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    bool space = code == 0x85 || code == 0xA0 || code == 0x1680 || code == 0x180E ||
                 (code >= 0x2000 && code <= 0x200B) || code == 0x2028 || code == 0x2029 ||
                 code == 0x202F || code == 0x205F || code == 0x3000 || code == 0xFEFF;
    if (!space) return false;
    i += length;
  }
  return true;
}

std::string_view SourceName(Source source) {
  switch (source) {
    case Source::kCustomer:
      return "customer";
    case Source::kAccelerometer:
      return "accelerometer";
    case Source::kStepTrainer:
      return "step_trainer";
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
    case FieldType::kString:
      return "VARCHAR";
    case FieldType::kInt64:
      return "BIGINT";
    case FieldType::kInt32:
      return "INTEGER";
    case FieldType::kDouble:
      return "DOUBLE";
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
  std::string_view first =
      sample.substr(start, end == std::string_view::npos ? sample.size() - start : end - start);
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
