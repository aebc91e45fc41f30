// RAII wrappers over the DuckDB C API. This is the only part of stedi that
// includes duckdb.h; everything else talks SQL through these types.
//
// Thread-safety: a Database may be shared by threads, each with its own
// Connection. A Connection, QueryResult or Appender is used by one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace stedi::engine {

// Settings applied when a database opens. Empty values keep DuckDB's defaults.
struct DatabaseOptions {
  std::string memory_limit;    // such as "1GB"
  std::string temp_directory;  // where DuckDB spills when over memory_limit
  int threads = 0;             // 0: one per core
};

class Connection;

// An open DuckDB database: in memory when the path is empty.
class Database {
 public:
  static Result<Database> Open(const std::string& path, const DatabaseOptions& options = {});

  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  ~Database();

  Result<Connection> Connect();

 private:
  struct Handle;
  explicit Database(std::unique_ptr<Handle> handle);
  std::unique_ptr<Handle> handle_;
};

// A materialized query result. Values are read by column and row.
class QueryResult {
 public:
  QueryResult(QueryResult&&) noexcept;
  QueryResult& operator=(QueryResult&&) noexcept;
  ~QueryResult();

  size_t column_count() const;
  size_t row_count() const;
  std::string column_name(size_t column) const;
  // DuckDB's SQL name of the column's type, such as "BIGINT" or "VARCHAR".
  std::string column_type(size_t column) const;
  // True for the integer, floating-point and decimal types.
  bool column_is_numeric(size_t column) const;

  bool IsNull(size_t column, size_t row) const;
  // The value cast to VARCHAR, or nullopt for NULL.
  std::optional<std::string> GetString(size_t column, size_t row) const;
  // The value cast to BIGINT; 0 for NULL or a failed cast.
  int64_t GetInt64(size_t column, size_t row) const;
  double GetDouble(size_t column, size_t row) const;

 private:
  friend class Connection;
  struct Handle;
  explicit QueryResult(std::unique_ptr<Handle> handle);
  std::unique_ptr<Handle> handle_;
};

// One column of values for Appender::AppendColumns, borrowed from the caller
// for the duration of the call. Only the pointers of `kind` are read.
struct ColumnValues {
  enum class Kind { kBigint, kInteger, kDouble, kVarchar };
  Kind kind = Kind::kBigint;
  const int64_t* bigints = nullptr;       // kBigint
  const int32_t* integers = nullptr;      // kInteger
  const double* doubles = nullptr;        // kDouble
  const char* string_data = nullptr;      // kVarchar: the values back to back
  const uint64_t* string_ends = nullptr;  // kVarchar: end of each value in string_data
  const uint8_t* valid = nullptr;         // 1 for a value, 0 for NULL; nullptr when none is NULL
};

// Rows given column by column, one ColumnValues per column, borrowed from
// the caller for the duration of a call.
struct ColumnBatch {
  std::vector<ColumnValues> columns;
  size_t rows = 0;
};

// A column's name and type, for Connection::CopyColumnsToParquet.
struct ColumnDefinition {
  std::string name;
  ColumnValues::Kind kind = ColumnValues::Kind::kBigint;
};

// Appends rows to one table, faster than INSERT statements. Rows become
// visible on Flush() or Close(); the destructor closes it too but drops the
// error, so call Close() to see one.
class Appender {
 public:
  Appender(Appender&&) noexcept;
  Appender& operator=(Appender&&) noexcept;
  ~Appender();

  Status AppendInt64(int64_t value);
  Status AppendDouble(double value);
  Status AppendString(std::string_view value);
  Status AppendNull();
  Status EndRow();
  // Appends `rows` rows given column by column, one column per table column
  // in table order, in whole data chunks: much faster than a value at a
  // time. Returns InvalidArgument when a kind does not match the table's
  // column type (BIGINT, INTEGER, DOUBLE or VARCHAR).
  Status AppendColumns(std::span<const ColumnValues> columns, size_t rows);
  Status Flush();
  Status Close();

 private:
  friend class Connection;
  struct Handle;
  explicit Appender(std::unique_ptr<Handle> handle);
  static Status ErrorOf(const Handle* handle, std::string_view operation);
  std::unique_ptr<Handle> handle_;
};

// A connection to a Database. Errors carry DuckDB's own message.
class Connection {
 public:
  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  // Runs one or more statements and discards any result.
  Status Execute(std::string_view sql);
  // Runs one statement and returns its whole result.
  Result<QueryResult> Query(std::string_view sql);
  // Returns why `sql` may change something, or "" when it is exactly one
  // statement that only reads: a SELECT, a plain EXPLAIN, or an EXPLAIN
  // ANALYZE of a SELECT. SQL that does not parse or bind is an error with
  // DuckDB's message; nothing of it ran.
  Result<std::string> ReadOnlyViolation(std::string_view sql);
  // Runs a query returning one row with one integer column.
  Result<int64_t> QueryInt64(std::string_view sql);

  Result<Appender> CreateAppender(const std::string& table);

  // Writes `batches`, in order, to a zstd Parquet file at `path` with the
  // columns `columns`. DuckDB scans the caller's buffers in place through a
  // table function, so no table is filled on the way. Every batch must have
  // one ColumnValues per column, of the column's kind.
  Status CopyColumnsToParquet(std::span<const ColumnDefinition> columns,
                              std::span<const ColumnBatch> batches, const std::string& path);

 private:
  friend class Database;
  struct Handle;
  explicit Connection(std::unique_ptr<Handle> handle);
  // `explained`: `sql` is the statement inside an EXPLAIN ANALYZE.
  Result<std::string> ReadOnlyViolation(std::string_view sql, bool explained);
  Result<std::string> ExplainViolation(std::string_view sql);
  std::unique_ptr<Handle> handle_;
};

// Quotes an SQL identifier: foo -> "foo", with inner quotes doubled.
std::string QuoteIdentifier(std::string_view name);
// Quotes an SQL string literal: it's -> 'it''s'.
std::string QuoteLiteral(std::string_view text);

}  // namespace stedi::engine
