#include "ingest/landing_converter.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace stedi::ingest {

using engine::QuoteIdentifier;
using engine::QuoteLiteral;

// TODO: this first version lets DuckDB's read_json parse the whole file, so
// one bad record fails the file instead of being quarantined, and it does
// not count JSON types per field.
Result<ConvertedFile> ConvertLandingFile(std::string_view file_name, std::string_view bytes,
                                         const RecordContract& contract,
                                         engine::Connection& connection,
                                         const std::string& parquet_path) {
  std::string temp = parquet_path + ".json";
  {
    std::ofstream out(temp, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) return Status::IOError(fmt::format("write {}", temp));
  }
  std::string columns;
  std::string select;
  for (const FieldSpec& field : contract.fields) {
    if (!columns.empty()) {
      columns += ", ";
      select += ", ";
    }
    columns += fmt::format("{}: {}", QuoteLiteral(field.name), QuoteLiteral(SqlTypeName(field.type)));
    select += QuoteIdentifier(field.name);
  }
  std::string sql = fmt::format(
      "COPY (SELECT {} FROM read_json({}, format='newline_delimited', columns={{{}}})) "
      "TO {} (FORMAT parquet, COMPRESSION zstd)",
      select, QuoteLiteral(temp), columns, QuoteLiteral(parquet_path));
  Status status = connection.Execute(sql);
  std::filesystem::remove(temp);
  if (!status.ok()) return status.WithContext(fmt::format("convert {}", file_name));

  STEDI_ASSIGN_OR_RETURN(int64_t rows,
                         connection.QueryInt64(fmt::format("SELECT count(*) FROM read_parquet({})",
                                                           QuoteLiteral(parquet_path))));
  ConvertedFile converted;
  converted.records_read = rows;
  converted.accepted = rows;
  return converted;
}

}  // namespace stedi::ingest
