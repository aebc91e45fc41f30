// Record-level parsing of one landed JSON file against a record contract.
//
// ParseRecords is pure: it reads only the bytes it is given, writes nothing
// and touches no database, so it can be fuzzed. Every record it reads is
// either accepted, with typed values in columnar buffers, or quarantined with
// its line, byte offset, a reason and its raw text, so that
// records_read == accepted + quarantined holds for every input.
//
// What counts as a record, and which line and offset it gets:
// - JSON lines: each non-blank line holds one record. A line ending in CRLF
//   loses its CR, and blank lines are skipped without being counted.
// - Several values on one line (`{...}{...}`) or values separated by stray
//   commas (`{...},`) are split into one record each. Every one of them gets
//   the line number on which its first byte sits, so records on one line
//   share a line number and differ in byte offset.
// - A file whose first non-blank byte is `[` is read as one JSON array of
//   records: each element is a record, with the line number of its first
//   byte. Text after the closing `]` is read as JSON lines again.
// - A gzip file (magic bytes 1f 8b) is decompressed first. Line numbers and
//   byte offsets then refer to the decompressed text.
// - A UTF-8 byte-order mark at the start is skipped but still counts in byte
//   offsets, so offsets always index the (decompressed) file as received.
// Line numbers are 1-based; byte offsets are 0-based and point at the
// record's first byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/contract.h"

namespace stedi::ingest {

// A record that could not be accepted, kept with the reason.
struct QuarantinedRecord {
  int64_t line = 0;         // 1-based line of the record's first byte
  int64_t byte_offset = 0;  // 0-based offset of the record's first byte
  std::string reason;       // such as `distanceFromObject: expected integer, got string "218cm"`
  std::string raw;          // the record's text as received, at most ParseOptions::max_raw_bytes
  int64_t raw_size = 0;     // the full size of the record's text; more than raw.size() if cut
};

// How often a field held a value of a given JSON type in one file, counted
// over every record read (accepted or quarantined) up to the first JSON
// syntax error in a record.
struct FieldTypeCount {
  std::string field;      // canonical name, or the key as spelt for a key outside the contract
  std::string json_type;  // "string", "integer", "float", "boolean", "null", "object", "array"
  int64_t count = 0;
  bool in_contract = true;  // false for an unknown key, which is ignored
};

// How many accepted values of one field went through one safe coercion.
struct CoercionCount {
  std::string field;
  std::string kind;  // "integral float to integer", "number to string", "integer to double"
  int64_t count = 0;
};

// How often a contract field was found under a key spelt differently from
// its canonical name (keys match case-insensitively).
struct KeySpellingCount {
  std::string field;     // canonical name, such as "timestamp"
  std::string spelling;  // the key as found, such as "timeStamp"
  int64_t count = 0;
};

// The shape of the file around its records.
struct FileLayout {
  bool gzip = false;
  bool byte_order_mark = false;
  bool json_array = false;           // the records came as elements of one JSON array
  int64_t blank_lines = 0;           // not records, not counted in records_read
  int64_t crlf_lines = 0;            // lines that ended in CR LF
  int64_t stray_commas = 0;          // commas between records outside an array
  int64_t records_sharing_line = 0;  // records that started on a line after another record
};

// The accepted values of one contract field. Exactly one of the value
// vectors is used, by the field's type; `valid` has one entry per row.
struct ColumnBuffer {
  FieldType type = FieldType::kString;
  std::vector<int64_t> int64_values;  // kInt64
  std::vector<int32_t> int32_values;  // kInt32
  std::vector<double> double_values;  // kDouble
  std::string string_data;            // kString: the values back to back
  std::vector<uint64_t> string_ends;  // kString: end of each value in string_data
  std::vector<uint8_t> valid;         // 1 for a value, 0 for NULL
};

// Accepted rows, one column per contract field in contract order.
struct RecordBatch {
  int64_t rows = 0;
  std::vector<ColumnBuffer> columns;
};

struct ParsedFile {
  std::vector<RecordBatch> batches;  // accepted rows, in file order
  int64_t records_read = 0;          // always accepted + quarantined
  int64_t accepted = 0;
  int64_t coerced = 0;  // accepted records with at least one safe coercion
  int64_t quarantined = 0;
  int64_t unknown_keys = 0;                   // values under keys outside the contract, ignored
  std::vector<QuarantinedRecord> quarantine;  // in file order
  std::vector<FieldTypeCount> drift;          // contract fields first, then unknown keys
  std::vector<CoercionCount> coercions;
  std::vector<KeySpellingCount> key_spellings;
  FileLayout layout;
};

struct ParseOptions {
  // Threads for a large JSON-lines file: 0 for one per core, 1 to parse on
  // the calling thread only.
  int threads = 0;
  // Smallest share of the text worth a thread of its own.
  size_t min_bytes_per_thread = 4 << 20;
  // Longest raw text kept per quarantined record; the rest is cut off.
  size_t max_raw_bytes = 1 << 20;
  // Largest decompressed size of a gzip file; the rest is quarantined.
  size_t max_decompressed_bytes = size_t{16} << 30;
};

// Parses every record in `bytes` (a landed file's content) against
// `contract`. Never fails: faults are reported per record in the result.
// With options.threads > 1 it starts threads and joins them before return.
ParsedFile ParseRecords(std::string_view bytes, const RecordContract& contract,
                        const ParseOptions& options = {});

}  // namespace stedi::ingest
