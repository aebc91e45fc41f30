// Turns the bytes of one landed file into a Parquet file of typed records
// (the landing table's data) and a list of quarantined records.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/database.h"
#include "ingest/contract.h"

namespace stedi::ingest {

// A record that could not be accepted, kept with the reason.
struct QuarantinedRecord {
  int64_t line = 0;         // 1-based line in the landed file
  int64_t byte_offset = 0;  // 0-based offset of the record's first byte
  std::string reason;       // such as `distanceFromObject: expected integer, got string "218cm"`
  std::string raw;          // the record's text as received
};

// How often a field held a value of a given JSON type in one file.
struct FieldTypeCount {
  std::string field;      // canonical field name
  std::string json_type;  // "string", "integer", "float", "boolean", "null", "object", "array"
  int64_t count = 0;
};

struct ConvertedFile {
  int64_t records_read = 0;  // always accepted + quarantined
  int64_t accepted = 0;
  int64_t coerced = 0;       // accepted records with at least one safe coercion
  int64_t quarantined = 0;
  std::vector<QuarantinedRecord> quarantine;
  std::vector<FieldTypeCount> drift;
};

// Parses `bytes` (the content of `file_name` as landed) against `contract`
// and writes the accepted records, in file order and with the contract's
// columns, to a zstd Parquet file at `parquet_path`. Returns an error only
// when the output cannot be written; bad records are quarantined instead.
Result<ConvertedFile> ConvertLandingFile(std::string_view file_name, std::string_view bytes,
                                         const RecordContract& contract,
                                         engine::Connection& connection,
                                         const std::string& parquet_path);

}  // namespace stedi::ingest
