// Record contracts: the canonical fields of each landing source, with their
// types and whether they are required, as the landing tables store them.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stedi::ingest {

enum class Source { kCustomer, kAccelerometer, kStepTrainer };

enum class FieldType {
  kString,  // VARCHAR
  kInt64,   // BIGINT; epoch milliseconds use this type
  kInt32,   // INTEGER
  kDouble,  // DOUBLE
};

// The range accepted for epoch-millisecond fields: 2000-01-01T00:00:00Z up to
// 2099-12-31T23:59:59.999Z. A clock reset to 0, a negative value or a value in
// seconds or microseconds falls outside it and is quarantined.
inline constexpr int64_t kMinEpochMillis = 946684800000;
inline constexpr int64_t kMaxEpochMillis = 4102444799999;

struct FieldSpec {
  std::string name;  // canonical spelling, such as "sensorReadingTime"
  FieldType type;
  bool required;  // a record without the key, or, unless nullable, with a blank string, is
                  // quarantined
  bool nullable;  // an explicit JSON null is accepted
  // Inclusive range for kInt64 and kInt32 values, further narrowed to the
  // type's own range; a value outside it is quarantined.
  int64_t min_value = std::numeric_limits<int64_t>::min();
  int64_t max_value = std::numeric_limits<int64_t>::max();
};

struct RecordContract {
  Source source;
  std::string table;  // landing table name, such as "customer_landing"
  std::vector<FieldSpec> fields;
};

const RecordContract& ContractFor(Source source);

// "customer", "accelerometer" or "step_trainer".
std::string_view SourceName(Source source);
std::optional<Source> ParseSource(std::string_view name);

// Returns whether UTF-8 `text` contains nothing but white space: ASCII blanks and the
// Unicode space separators, no-break and zero-width spaces included.
bool IsBlank(std::string_view text);
const std::vector<Source>& AllSources();

// DuckDB's SQL name of a field type, such as "BIGINT".
std::string_view SqlTypeName(FieldType type);

// Guesses the source from the keys of the first JSON object in `sample`, by
// the fields that only that source has; nullopt when no source fits.
std::optional<Source> DetectSource(std::string_view sample);

}  // namespace stedi::ingest
