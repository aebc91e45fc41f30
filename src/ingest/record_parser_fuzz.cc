// libFuzzer target for ParseRecords. It checks, on arbitrary bytes, that
// every record read is accounted for (records_read == accepted +
// quarantined), that the columnar buffers are consistent, and that parsing
// on several threads gives the same records as parsing on one.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "ingest/gzip.h"
#include "ingest/record_parser.h"

namespace stedi::ingest {
namespace {

void Check(bool condition, const char* invariant) {
  if (condition) return;
  std::fprintf(stderr, "record parser invariant failed: %s\n", invariant);
  std::abort();
}

void CheckParsedFile(const ParsedFile& parsed, size_t text_size_bound) {
  Check(parsed.records_read == parsed.accepted + parsed.quarantined,
        "read = accepted + quarantined");
  Check(static_cast<int64_t>(parsed.quarantine.size()) == parsed.quarantined,
        "one quarantine entry per quarantined record");
  Check(parsed.coerced <= parsed.accepted, "coerced records are accepted records");
  int64_t rows = 0;
  for (const RecordBatch& batch : parsed.batches) {
    rows += batch.rows;
    for (const ColumnBuffer& column : batch.columns) {
      size_t expected = static_cast<size_t>(batch.rows);
      Check(column.valid.size() == expected, "one validity entry per row");
      switch (column.type) {
        case FieldType::kInt64:
          Check(column.int64_values.size() == expected, "int64 rows");
          break;
        case FieldType::kInt32:
          Check(column.int32_values.size() == expected, "int32 rows");
          break;
        case FieldType::kDouble:
          Check(column.double_values.size() == expected, "double rows");
          break;
        case FieldType::kString:
          Check(column.string_ends.size() == expected, "string rows");
          Check(expected == 0 || column.string_ends.back() == column.string_data.size(),
                "string data ends with the last value");
          break;
      }
    }
  }
  Check(rows == parsed.accepted, "rows = accepted");
  for (const QuarantinedRecord& record : parsed.quarantine) {
    Check(record.line >= 1, "line numbers start at 1");
    Check(record.byte_offset >= 0 && static_cast<size_t>(record.byte_offset) <= text_size_bound,
          "byte offset inside the text");
    Check(record.raw_size >= static_cast<int64_t>(record.raw.size()), "raw text within its size");
    Check(!record.reason.empty(), "every quarantined record has a reason");
  }
}

}  // namespace
}  // namespace stedi::ingest

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace stedi::ingest;
  if (size == 0) return 0;
  // The first byte picks the contract; the rest is the file.
  const RecordContract& contract = ContractFor(AllSources()[data[0] % AllSources().size()]);
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);

  ParseOptions serial;
  serial.threads = 1;
  serial.max_raw_bytes = 64;
  serial.max_decompressed_bytes = 1 << 20;
  ParseOptions parallel = serial;
  parallel.threads = 3;
  parallel.min_bytes_per_thread = 8;

  ParsedFile serial_result = ParseRecords(bytes, contract, serial);
  ParsedFile parallel_result = ParseRecords(bytes, contract, parallel);
  // A gzip file's offsets index its decompressed text, at most the limit.
  size_t bound = IsGzip(bytes) ? serial.max_decompressed_bytes : bytes.size();
  CheckParsedFile(serial_result, bound);
  CheckParsedFile(parallel_result, bound);

  Check(serial_result.accepted == parallel_result.accepted, "threads accept the same records");
  Check(serial_result.quarantined == parallel_result.quarantined,
        "threads quarantine the same records");
  for (size_t i = 0; i < serial_result.quarantine.size(); ++i) {
    Check(serial_result.quarantine[i].line == parallel_result.quarantine[i].line,
          "threads number lines alike");
    Check(serial_result.quarantine[i].byte_offset == parallel_result.quarantine[i].byte_offset,
          "threads give the same offsets");
    Check(serial_result.quarantine[i].reason == parallel_result.quarantine[i].reason,
          "threads give the same reasons");
  }
  return 0;
}
