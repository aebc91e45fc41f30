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
#include "ingest/record_parser.h"

namespace stedi::ingest {

// The outcome of converting one landed file. The counts, quarantine and
// drift report come from ParseRecords (see record_parser.h for how lines and
// offsets are counted).
struct ConvertedFile {
  int64_t records_read = 0;  // always accepted + quarantined
  int64_t accepted = 0;      // rows written to the Parquet file
  int64_t coerced = 0;       // accepted records with at least one safe coercion
  int64_t quarantined = 0;
  int64_t unknown_keys = 0;                     // values under keys outside the contract, ignored
  std::vector<QuarantinedRecord> quarantine;    // in file order
  std::vector<FieldTypeCount> drift;            // per field, values seen of each JSON type
  std::vector<CoercionCount> coercions;         // per field and kind of safe coercion
  std::vector<KeySpellingCount> key_spellings;  // contract fields found under another spelling
  FileLayout layout;
};

// Parses `bytes` (the content of `file_name` as landed) against `contract`
// and writes the accepted records, in file order and with the contract's
// columns, to a zstd Parquet file at `parquet_path`. Returns an error only
// when the output cannot be written; bad records are quarantined instead.
// A gzip file is recognised by its magic bytes, not by its name. The rows
// pass through a temporary table on `connection`, dropped before return.
Result<ConvertedFile> ConvertLandingFile(std::string_view file_name, std::string_view bytes,
                                         const RecordContract& contract,
                                         engine::Connection& connection,
                                         const std::string& parquet_path,
                                         const ParseOptions& options = {});

}  // namespace stedi::ingest
