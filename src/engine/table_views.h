// Makes catalog tables queryable by name in a DuckDB connection.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "engine/database.h"

namespace stedi::engine {

struct ViewColumn {
  std::string name;
  std::string type;
};

// Creates or replaces the view `name` over the Parquet files at
// `local_paths`. With no files, the view is empty but has `columns`.
Status CreateParquetView(Connection& connection, const std::string& name,
                         const std::vector<std::string>& local_paths,
                         const std::vector<ViewColumn>& columns);

// Writes the result of `select_sql` to a zstd Parquet file.
Status CopyToParquet(Connection& connection, const std::string& select_sql,
                     const std::string& local_path);

// Returns the columns (name, SQL type) that `select_sql` produces.
Result<std::vector<ViewColumn>> DescribeQuery(Connection& connection, const std::string& select_sql);

// Returns an order-independent hash of the rows of `select_sql`: the sum of
// DuckDB's hash of each row, modulo 2^64, so equal multisets of rows give
// equal hashes and the hash of a union is the sum of the parts' hashes.
Result<uint64_t> ContentHash(Connection& connection, const std::string& select_sql);

// Hex text of a content hash, as stored in the catalog.
std::string FormatContentHash(uint64_t hash);
// Parses FormatContentHash's text; 0 for empty text.
uint64_t ParseContentHash(const std::string& text);

// Returns the number of rows in a Parquet file, from its metadata.
Result<int64_t> ParquetRowCount(Connection& connection, const std::string& local_path);

}  // namespace stedi::engine
