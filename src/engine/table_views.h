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

// Returns the number of rows in a Parquet file, from its metadata.
Result<int64_t> ParquetRowCount(Connection& connection, const std::string& local_path);

}  // namespace stedi::engine
