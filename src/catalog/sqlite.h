// Small RAII wrappers over the SQLite C API, used only by the catalog.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace stedi::catalog {

class SqliteStatement;

// An open SQLite database file.
class SqliteDatabase {
 public:
  static Result<SqliteDatabase> Open(const std::string& path);

  SqliteDatabase(SqliteDatabase&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  SqliteDatabase& operator=(SqliteDatabase&& other) noexcept;
  ~SqliteDatabase();

  // Runs statements that return no rows.
  Status Execute(std::string_view sql);
  Result<SqliteStatement> Prepare(std::string_view sql);
  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  Status Error(std::string_view operation) const;

 private:
  explicit SqliteDatabase(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

// A prepared statement. Bind parameters are 1-based, columns 0-based.
class SqliteStatement {
 public:
  SqliteStatement(SqliteStatement&& other) noexcept
      : db_(other.db_), statement_(std::exchange(other.statement_, nullptr)) {}
  SqliteStatement& operator=(SqliteStatement&&) = delete;
  ~SqliteStatement();

  SqliteStatement& Bind(int index, int64_t value);
  SqliteStatement& Bind(int index, std::string_view value);
  SqliteStatement& Bind(int index, std::optional<int64_t> value);
  SqliteStatement& BindNull(int index);

  // Advances to the next row: true when a row is ready, false when done.
  Result<bool> Step();
  // Runs a statement that returns no rows.
  Status Run();
  Status Reset();

  int64_t ColumnInt64(int column) const { return sqlite3_column_int64(statement_, column); }
  bool ColumnIsNull(int column) const {
    return sqlite3_column_type(statement_, column) == SQLITE_NULL;
  }
  std::string ColumnText(int column) const;

 private:
  friend class SqliteDatabase;
  SqliteStatement(sqlite3* db, sqlite3_stmt* statement) : db_(db), statement_(statement) {}
  sqlite3* db_;
  sqlite3_stmt* statement_;
};

}  // namespace stedi::catalog
