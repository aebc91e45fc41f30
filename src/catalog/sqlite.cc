#include "catalog/sqlite.h"

#include <fmt/format.h>

namespace stedi::catalog {

Result<SqliteDatabase> SqliteDatabase::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int code = sqlite3_open_v2(path.c_str(), &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                             nullptr);
  if (code != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
    sqlite3_close(db);
    return Status::IOError(fmt::format("open catalog {}: {}", path, message));
  }
  // Another process may hold the write lock briefly; wait rather than fail.
  sqlite3_busy_timeout(db, 10000);
  return SqliteDatabase(db);
}

SqliteDatabase& SqliteDatabase::operator=(SqliteDatabase&& other) noexcept {
  if (this != &other) {
    sqlite3_close(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

SqliteDatabase::~SqliteDatabase() { sqlite3_close(db_); }

Status SqliteDatabase::Error(std::string_view operation) const {
  int code = sqlite3_errcode(db_);
  std::string message = fmt::format("{}: {}", operation, sqlite3_errmsg(db_));
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return Status::Conflict(message);
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) return Status::Corruption(message);
  return Status::IOError(message);
}

Status SqliteDatabase::Execute(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    Status status = Error("catalog statement failed");
    sqlite3_free(error);
    return status;
  }
  return Status::Ok();
}

Result<SqliteStatement> SqliteDatabase::Prepare(std::string_view sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &statement, nullptr) !=
      SQLITE_OK) {
    return Error(fmt::format("prepare catalog query `{}`", sql));
  }
  return SqliteStatement(db_, statement);
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(statement_); }

SqliteStatement& SqliteStatement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(statement_, index, value);
  return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, std::string_view value) {
  sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()),
                    SQLITE_TRANSIENT);
  return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, std::optional<int64_t> value) {
  if (value) return Bind(index, *value);
  return BindNull(index);
}

SqliteStatement& SqliteStatement::BindNull(int index) {
  sqlite3_bind_null(statement_, index);
  return *this;
}

Result<bool> SqliteStatement::Step() {
  int code = sqlite3_step(statement_);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  std::string message = fmt::format("catalog query failed: {}", sqlite3_errmsg(db_));
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return Status::Conflict(message);
  return Status::IOError(message);
}

Status SqliteStatement::Run() {
  STEDI_ASSIGN_OR_RETURN(bool has_row, Step());
  (void)has_row;
  return Reset();
}

Status SqliteStatement::Reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
  return Status::Ok();
}

std::string SqliteStatement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(statement_, column);
  if (text == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(statement_, column)));
}

}  // namespace stedi::catalog
