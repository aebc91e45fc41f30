#include "engine/table_views.h"

#include <fmt/format.h>

namespace stedi::engine {

Status CreateParquetView(Connection& connection, const std::string& name,
                         const std::vector<std::string>& local_paths,
                         const std::vector<ViewColumn>& columns) {
  std::string body;
  if (local_paths.empty()) {
    std::string select;
    for (const ViewColumn& column : columns) {
      if (!select.empty()) select += ", ";
      select += fmt::format("CAST(NULL AS {}) AS {}", column.type, QuoteIdentifier(column.name));
    }
    if (select.empty()) select = "NULL AS empty";
    body = fmt::format("SELECT {} WHERE false", select);
  } else {
    std::string list;
    for (const std::string& path : local_paths) {
      if (!list.empty()) list += ", ";
      list += QuoteLiteral(path);
    }
    body = fmt::format("SELECT * FROM read_parquet([{}])", list);
  }
  return connection.Execute(
      fmt::format("CREATE OR REPLACE VIEW {} AS {}", QuoteIdentifier(name), body));
}

Status CopyToParquet(Connection& connection, const std::string& select_sql,
                     const std::string& local_path) {
  return connection.Execute(fmt::format("COPY ({}) TO {} (FORMAT parquet, COMPRESSION zstd)",
                                        select_sql, QuoteLiteral(local_path)));
}

Result<std::vector<ViewColumn>> DescribeQuery(Connection& connection,
                                              const std::string& select_sql) {
  STEDI_ASSIGN_OR_RETURN(QueryResult result,
                         connection.Query(fmt::format("DESCRIBE ({})", select_sql)));
  std::vector<ViewColumn> columns;
  for (size_t row = 0; row < result.row_count(); ++row) {
    columns.push_back({result.GetString(0, row).value_or(""), result.GetString(1, row).value_or("")});
  }
  return columns;
}

Result<uint64_t> ContentHash(Connection& connection, const std::string& select_sql) {
  STEDI_ASSIGN_OR_RETURN(
      QueryResult result,
      connection.Query(fmt::format("SELECT coalesce(sum(hash(content_row)) % 18446744073709551616, "
                                   "0)::UBIGINT::VARCHAR FROM ({}) AS content_row",
                                   select_sql)));
  std::optional<std::string> text = result.GetString(0, 0);
  if (!text) return Status::Internal("content hash query returned NULL");
  return static_cast<uint64_t>(std::stoull(*text));
}

std::string FormatContentHash(uint64_t hash) { return fmt::format("{:016x}", hash); }

uint64_t ParseContentHash(const std::string& text) {
  if (text.empty()) return 0;
  return static_cast<uint64_t>(std::stoull(text, nullptr, 16));
}

Result<int64_t> ParquetRowCount(Connection& connection, const std::string& local_path) {
  return connection.QueryInt64(fmt::format(
      "SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata({})", QuoteLiteral(local_path)));
}

}  // namespace stedi::engine
