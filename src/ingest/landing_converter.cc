#include "ingest/landing_converter.h"

#include <fmt/format.h>

#include <atomic>

namespace stedi::ingest {
namespace {

using engine::ColumnValues;
using engine::QuoteIdentifier;
using engine::QuoteLiteral;

ColumnValues ValuesOf(const ColumnBuffer& column) {
  ColumnValues values;
  values.valid = column.valid.data();
  switch (column.type) {
    case FieldType::kInt64:
      values.kind = ColumnValues::Kind::kBigint;
      values.bigints = column.int64_values.data();
      break;
    case FieldType::kInt32:
      values.kind = ColumnValues::Kind::kInteger;
      values.integers = column.int32_values.data();
      break;
    case FieldType::kDouble:
      values.kind = ColumnValues::Kind::kDouble;
      values.doubles = column.double_values.data();
      break;
    case FieldType::kString:
      values.kind = ColumnValues::Kind::kVarchar;
      values.string_data = column.string_data.data();
      values.string_ends = column.string_ends.data();
      break;
  }
  return values;
}

// Appends the accepted rows to `table`, which has the contract's columns.
Status AppendBatches(engine::Connection& connection, const std::string& table,
                     const std::vector<RecordBatch>& batches) {
  STEDI_ASSIGN_OR_RETURN(engine::Appender appender, connection.CreateAppender(table));
  for (const RecordBatch& batch : batches) {
    std::vector<ColumnValues> columns;
    columns.reserve(batch.columns.size());
    for (const ColumnBuffer& column : batch.columns) columns.push_back(ValuesOf(column));
    STEDI_RETURN_IF_ERROR(appender.AppendColumns(columns, static_cast<size_t>(batch.rows)));
  }
  return appender.Close();
}

// Writes the accepted rows, in file order, to a zstd Parquet file through a
// temporary table that is dropped again whatever happens.
Status WriteParquet(const ParsedFile& parsed, const RecordContract& contract,
                    engine::Connection& connection, const std::string& parquet_path) {
  static std::atomic<int64_t> next_table{0};
  std::string table = fmt::format("stedi_ingest_{}_{}", contract.table, next_table++);
  std::string columns;
  for (const FieldSpec& field : contract.fields) {
    if (!columns.empty()) columns += ", ";
    columns += fmt::format("{} {}", QuoteIdentifier(field.name), SqlTypeName(field.type));
  }
  STEDI_RETURN_IF_ERROR(connection.Execute(
      fmt::format("CREATE TEMP TABLE {} ({})", QuoteIdentifier(table), columns)));
  Status status = AppendBatches(connection, table, parsed.batches);
  if (status.ok()) {
    status = connection.Execute(fmt::format("COPY {} TO {} (FORMAT parquet, COMPRESSION zstd)",
                                            QuoteIdentifier(table), QuoteLiteral(parquet_path)));
  }
  Status dropped = connection.Execute(fmt::format("DROP TABLE {}", QuoteIdentifier(table)));
  if (!status.ok()) return status;
  return dropped;
}

}  // namespace

Result<ConvertedFile> ConvertLandingFile(std::string_view file_name, std::string_view bytes,
                                         const RecordContract& contract,
                                         engine::Connection& connection,
                                         const std::string& parquet_path,
                                         const ParseOptions& options) {
  ParsedFile parsed = ParseRecords(bytes, contract, options);
  Status written = WriteParquet(parsed, contract, connection, parquet_path);
  if (!written.ok()) return written.WithContext(fmt::format("convert {}", file_name));

  ConvertedFile converted;
  converted.records_read = parsed.records_read;
  converted.accepted = parsed.accepted;
  converted.coerced = parsed.coerced;
  converted.quarantined = parsed.quarantined;
  converted.unknown_keys = parsed.unknown_keys;
  converted.quarantine = std::move(parsed.quarantine);
  converted.drift = std::move(parsed.drift);
  converted.coercions = std::move(parsed.coercions);
  converted.key_spellings = std::move(parsed.key_spellings);
  converted.layout = parsed.layout;
  return converted;
}

}  // namespace stedi::ingest
