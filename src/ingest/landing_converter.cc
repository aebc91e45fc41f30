#include "ingest/landing_converter.h"

#include <fmt/format.h>

namespace stedi::ingest {
namespace {

using engine::ColumnValues;

ColumnValues::Kind KindOf(FieldType type) {
  switch (type) {
    case FieldType::kInt64:
      return ColumnValues::Kind::kBigint;
    case FieldType::kInt32:
      return ColumnValues::Kind::kInteger;
    case FieldType::kDouble:
      return ColumnValues::Kind::kDouble;
    case FieldType::kString:
      return ColumnValues::Kind::kVarchar;
  }
  return ColumnValues::Kind::kVarchar;
}

ColumnValues ValuesOf(const ColumnBuffer& column) {
  ColumnValues values;
  values.kind = KindOf(column.type);
  values.valid = column.valid.data();
  switch (column.type) {
    case FieldType::kInt64:
      values.bigints = column.int64_values.data();
      break;
    case FieldType::kInt32:
      values.integers = column.int32_values.data();
      break;
    case FieldType::kDouble:
      values.doubles = column.double_values.data();
      break;
    case FieldType::kString:
      values.string_data = column.string_data.data();
      values.string_ends = column.string_ends.data();
      break;
  }
  return values;
}

// Writes the accepted rows, in file order and with the contract's columns,
// to a zstd Parquet file.
Status WriteParquet(const ParsedFile& parsed, const RecordContract& contract,
                    engine::Connection& connection, const std::string& parquet_path) {
  std::vector<engine::ColumnDefinition> columns;
  for (size_t i = 0; i < contract.fields.size(); ++i) {
    columns.push_back({contract.fields[i].name, KindOf(contract.fields[i].type)});
  }
  std::vector<engine::ColumnBatch> batches;
  for (const RecordBatch& batch : parsed.batches) {
    engine::ColumnBatch& columns_of_batch = batches.emplace_back();
    columns_of_batch.rows = static_cast<size_t>(batch.rows);
    for (const ColumnBuffer& column : batch.columns) {
      columns_of_batch.columns.push_back(ValuesOf(column));
    }
  }
  return connection.CopyColumnsToParquet(columns, batches, parquet_path);
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
