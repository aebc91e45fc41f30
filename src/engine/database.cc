#include "engine/database.h"

#include <duckdb.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace stedi::engine {

struct Database::Handle {
  duckdb_database db = nullptr;
  ~Handle() {
    if (db != nullptr) duckdb_close(&db);
  }
};

struct Connection::Handle {
  duckdb_connection connection = nullptr;
  bool column_scan_registered = false;
  ~Handle() {
    if (connection != nullptr) duckdb_disconnect(&connection);
  }
};

struct QueryResult::Handle {
  duckdb_result result{};
  // duckdb_destroy_result must run even for a failed query (duckdb.h).
  ~Handle() { duckdb_destroy_result(&result); }
};

struct Appender::Handle {
  duckdb_appender appender = nullptr;
  std::string table;
  ~Handle() {
    if (appender != nullptr) duckdb_appender_destroy(&appender);
  }
};

namespace {

Status SetOption(duckdb_config config, const char* name, const std::string& value) {
  if (duckdb_set_config(config, name, value.c_str()) == DuckDBError) {
    return Status::InvalidArgument(fmt::format("invalid DuckDB setting {}={}", name, value));
  }
  return Status::Ok();
}

}  // namespace

Database::Database(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {}
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() = default;

Result<Database> Database::Open(const std::string& path, const DatabaseOptions& options) {
  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) == DuckDBError) {
    return Status::Internal("cannot create a DuckDB configuration");
  }
  // Extensions this build lacks are never fetched from the network: stedi
  // must work offline and run only the code it ships with.
  Status status = SetOption(config, "autoinstall_known_extensions", "false");
  if (status.ok() && !options.memory_limit.empty()) {
    status = SetOption(config, "memory_limit", options.memory_limit);
  }
  if (status.ok() && !options.temp_directory.empty()) {
    status = SetOption(config, "temp_directory", options.temp_directory);
  }
  if (status.ok() && options.threads > 0) {
    status = SetOption(config, "threads", std::to_string(options.threads));
  }
  if (!status.ok()) {
    duckdb_destroy_config(&config);
    return status;
  }

  auto handle = std::make_unique<Handle>();
  char* error = nullptr;
  const char* c_path = path.empty() ? nullptr : path.c_str();
  duckdb_state state = duckdb_open_ext(c_path, &handle->db, config, &error);
  duckdb_destroy_config(&config);
  if (state == DuckDBError) {
    std::string message = error != nullptr ? error : "unknown error";
    duckdb_free(error);
    return Status::IOError(fmt::format("open DuckDB database '{}': {}", path, message));
  }
  return Database(std::move(handle));
}

Result<Connection> Database::Connect() {
  auto connection = std::make_unique<Connection::Handle>();
  if (duckdb_connect(handle_->db, &connection->connection) == DuckDBError) {
    return Status::IOError("connect to DuckDB database failed");
  }
  return Connection(std::move(connection));
}

Connection::Connection(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

Result<QueryResult> Connection::Query(std::string_view sql) {
  auto result = std::make_unique<QueryResult::Handle>();
  std::string text(sql);
  if (duckdb_query(handle_->connection, text.c_str(), &result->result) == DuckDBError) {
    const char* message = duckdb_result_error(&result->result);
    return Status::InvalidArgument(message != nullptr ? message : "query failed");
  }
  return QueryResult(std::move(result));
}

Status Connection::Execute(std::string_view sql) {
  Result<QueryResult> result = Query(sql);
  return result.status();
}

namespace {

bool StartsWithWord(std::string_view text, std::string_view word) {
  if (text.size() < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != word[i]) return false;
  }
  return text.size() == word.size() ||
         !(std::isalnum(static_cast<unsigned char>(text[word.size()])) || text[word.size()] == '_');
}

std::string_view SkipSpace(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  return text;
}

// `sql` after its leading blanks and comments.
std::string_view SkipSpaceAndComments(std::string_view sql) {
  for (;;) {
    sql = SkipSpace(sql);
    if (sql.starts_with("--")) {
      size_t end = sql.find('\n');
      sql = end == std::string_view::npos ? std::string_view() : sql.substr(end + 1);
    } else if (sql.starts_with("/*")) {
      size_t end = sql.find("*/", 2);
      sql = end == std::string_view::npos ? std::string_view() : sql.substr(end + 2);
    } else {
      return sql;
    }
  }
}

bool ContainsIgnoringCase(std::string_view text, std::string_view lower_needle) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find(lower_needle) != std::string::npos;
}

// Statements that read start with one of these words, or with '('. Checking
// the word before DuckDB prepares a statement matters, because preparing
// some statements already acts, such as EXPORT DATABASE creating its folder.
bool StartsLikeRead(std::string_view sql) {
  sql = SkipSpaceAndComments(sql);
  if (sql.starts_with("(")) return true;
  for (std::string_view word : {"select", "with", "from", "values", "table", "explain", "describe",
                                "show", "summarize", "pivot", "unpivot"}) {
    if (StartsWithWord(sql, word)) return true;
  }
  return false;
}

constexpr std::string_view kOnlyReads =
    "only SELECT and EXPLAIN statements may run here, so that a query cannot change the lake";

}  // namespace

Result<std::string> Connection::ReadOnlyViolation(std::string_view sql) {
  return ReadOnlyViolation(sql, false);
}

Result<std::string> Connection::ReadOnlyViolation(std::string_view sql, bool explained) {
  if (!StartsLikeRead(sql)) return std::string(kOnlyReads);
  std::string text(sql);
  duckdb_extracted_statements statements = nullptr;
  idx_t count = duckdb_extract_statements(handle_->connection, text.c_str(), &statements);
  Result<std::string> violation = std::string();
  if (count == 0) {
    const char* error = duckdb_extract_statements_error(statements);
    violation = error != nullptr && *error != '\0'
                    ? Result<std::string>(Status::InvalidArgument(error))
                    : Result<std::string>(std::string("no SQL statement given"));
  } else if (count > 1) {
    violation = fmt::format("give one SQL statement, not {}", static_cast<uint64_t>(count));
  } else {
    duckdb_prepared_statement prepared = nullptr;
    if (duckdb_prepare_extracted_statement(handle_->connection, statements, 0, &prepared) ==
        DuckDBError) {
      const char* error = duckdb_prepare_error(prepared);
      violation = Status::InvalidArgument(error != nullptr ? error : "invalid SQL statement");
    } else {
      duckdb_statement_type type = duckdb_prepared_statement_type(prepared);
      if (type == DUCKDB_STATEMENT_TYPE_EXPLAIN && !explained) {
        violation = ExplainViolation(sql);
      } else if (type != DUCKDB_STATEMENT_TYPE_SELECT) {
        violation = std::string(kOnlyReads);
      }
    }
    duckdb_destroy_prepare(&prepared);
  }
  duckdb_destroy_extracted(&statements);
  return violation;
}

// A plain EXPLAIN only plans its statement, but EXPLAIN ANALYZE runs it.
// Any mention of ANALYZE (or a Unicode escape that could spell it) requires
// the one form whose explained statement is plain to see, and that
// statement must be a SELECT.
Result<std::string> Connection::ExplainViolation(std::string_view sql) {
  if (!ContainsIgnoringCase(sql, "analy") && !ContainsIgnoringCase(sql, "u&")) {
    return std::string();
  }
  constexpr std::string_view kForm =
      "EXPLAIN ANALYZE runs the statement it explains, so write it as EXPLAIN ANALYZE "
      "SELECT ..., with no comment or option list before the SELECT";
  std::string_view rest = SkipSpace(sql);
  if (!StartsWithWord(rest, "explain")) return std::string(kForm);
  rest = SkipSpace(rest.substr(7));
  if (!StartsWithWord(rest, "analyze") && !StartsWithWord(rest, "analyse")) {
    return std::string(kForm);
  }
  rest = SkipSpace(rest.substr(7));
  if (rest.starts_with("--") || rest.starts_with("/*") || rest.starts_with("(") ||
      !StartsWithWord(rest, "select")) {
    return std::string(kForm);
  }
  STEDI_ASSIGN_OR_RETURN(std::string inner, ReadOnlyViolation(rest, true));
  return inner;
}

Result<int64_t> Connection::QueryInt64(std::string_view sql) {
  STEDI_ASSIGN_OR_RETURN(QueryResult result, Query(sql));
  if (result.row_count() != 1 || result.column_count() < 1) {
    return Status::Internal(fmt::format("expected one row from: {}", sql));
  }
  return result.GetInt64(0, 0);
}

Result<Appender> Connection::CreateAppender(const std::string& table) {
  auto appender = std::make_unique<Appender::Handle>();
  appender->table = table;
  if (duckdb_appender_create(handle_->connection, nullptr, table.c_str(), &appender->appender) ==
      DuckDBError) {
    return Appender::ErrorOf(appender.get(), "create");
  }
  return Appender(std::move(appender));
}

QueryResult::QueryResult(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {}
QueryResult::QueryResult(QueryResult&&) noexcept = default;
QueryResult& QueryResult::operator=(QueryResult&&) noexcept = default;
QueryResult::~QueryResult() = default;

size_t QueryResult::column_count() const { return duckdb_column_count(&handle_->result); }
size_t QueryResult::row_count() const { return duckdb_row_count(&handle_->result); }

std::string QueryResult::column_name(size_t column) const {
  const char* name = duckdb_column_name(&handle_->result, column);
  return name != nullptr ? name : "";
}

std::string QueryResult::column_type(size_t column) const {
  duckdb_logical_type type = duckdb_column_logical_type(&handle_->result, column);
  char* text = duckdb_logical_type_get_alias(type);
  std::string name;
  if (text == nullptr) {
    switch (duckdb_get_type_id(type)) {
      case DUCKDB_TYPE_BOOLEAN:
        name = "BOOLEAN";
        break;
      case DUCKDB_TYPE_TINYINT:
        name = "TINYINT";
        break;
      case DUCKDB_TYPE_SMALLINT:
        name = "SMALLINT";
        break;
      case DUCKDB_TYPE_INTEGER:
        name = "INTEGER";
        break;
      case DUCKDB_TYPE_BIGINT:
        name = "BIGINT";
        break;
      case DUCKDB_TYPE_HUGEINT:
        name = "HUGEINT";
        break;
      case DUCKDB_TYPE_UTINYINT:
        name = "UTINYINT";
        break;
      case DUCKDB_TYPE_USMALLINT:
        name = "USMALLINT";
        break;
      case DUCKDB_TYPE_UINTEGER:
        name = "UINTEGER";
        break;
      case DUCKDB_TYPE_UBIGINT:
        name = "UBIGINT";
        break;
      case DUCKDB_TYPE_FLOAT:
        name = "FLOAT";
        break;
      case DUCKDB_TYPE_DOUBLE:
        name = "DOUBLE";
        break;
      case DUCKDB_TYPE_DECIMAL:
        name = "DECIMAL";
        break;
      case DUCKDB_TYPE_VARCHAR:
        name = "VARCHAR";
        break;
      case DUCKDB_TYPE_DATE:
        name = "DATE";
        break;
      case DUCKDB_TYPE_TIMESTAMP:
        name = "TIMESTAMP";
        break;
      case DUCKDB_TYPE_TIMESTAMP_TZ:
        name = "TIMESTAMP WITH TIME ZONE";
        break;
      case DUCKDB_TYPE_BLOB:
        name = "BLOB";
        break;
      case DUCKDB_TYPE_LIST:
        name = "LIST";
        break;
      case DUCKDB_TYPE_STRUCT:
        name = "STRUCT";
        break;
      case DUCKDB_TYPE_MAP:
        name = "MAP";
        break;
      default:
        name = "OTHER";
        break;
    }
  } else {
    name = text;
    duckdb_free(text);
  }
  duckdb_destroy_logical_type(&type);
  return name;
}

bool QueryResult::column_is_numeric(size_t column) const {
  switch (duckdb_column_type(&handle_->result, column)) {
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL:
      return true;
    default:
      return false;
  }
}

bool QueryResult::IsNull(size_t column, size_t row) const {
  return duckdb_value_is_null(&handle_->result, column, row);
}

std::optional<std::string> QueryResult::GetString(size_t column, size_t row) const {
  if (IsNull(column, row)) return std::nullopt;
  char* text = duckdb_value_varchar(&handle_->result, column, row);
  if (text == nullptr) return std::nullopt;
  std::string value(text);
  duckdb_free(text);
  return value;
}

int64_t QueryResult::GetInt64(size_t column, size_t row) const {
  return duckdb_value_int64(&handle_->result, column, row);
}

double QueryResult::GetDouble(size_t column, size_t row) const {
  return duckdb_value_double(&handle_->result, column, row);
}

Status Appender::ErrorOf(const Handle* handle, std::string_view operation) {
  const char* message = duckdb_appender_error(handle->appender);
  return Status::IOError(fmt::format("append to {} failed in {}: {}", handle->table, operation,
                                     message != nullptr ? message : "unknown error"));
}

Appender::Appender(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {}
Appender::Appender(Appender&&) noexcept = default;
Appender& Appender::operator=(Appender&&) noexcept = default;
Appender::~Appender() = default;

Status Appender::AppendInt64(int64_t value) {
  if (duckdb_append_int64(handle_->appender, value) == DuckDBError) {
    return ErrorOf(handle_.get(), "append");
  }
  return Status::Ok();
}

Status Appender::AppendDouble(double value) {
  if (duckdb_append_double(handle_->appender, value) == DuckDBError) {
    return ErrorOf(handle_.get(), "append");
  }
  return Status::Ok();
}

Status Appender::AppendString(std::string_view value) {
  if (duckdb_append_varchar_length(handle_->appender, value.data(), value.size()) == DuckDBError) {
    return ErrorOf(handle_.get(), "append");
  }
  return Status::Ok();
}

Status Appender::AppendNull() {
  if (duckdb_append_null(handle_->appender) == DuckDBError) {
    return ErrorOf(handle_.get(), "append");
  }
  return Status::Ok();
}

Status Appender::EndRow() {
  if (duckdb_appender_end_row(handle_->appender) == DuckDBError) {
    return ErrorOf(handle_.get(), "end row");
  }
  return Status::Ok();
}

namespace {

duckdb_type TypeIdOf(ColumnValues::Kind kind) {
  switch (kind) {
    case ColumnValues::Kind::kBigint:
      return DUCKDB_TYPE_BIGINT;
    case ColumnValues::Kind::kInteger:
      return DUCKDB_TYPE_INTEGER;
    case ColumnValues::Kind::kDouble:
      return DUCKDB_TYPE_DOUBLE;
    case ColumnValues::Kind::kVarchar:
      return DUCKDB_TYPE_VARCHAR;
  }
  return DUCKDB_TYPE_INVALID;
}

// Copies rows [first, first + count) of `column` into `vector`.
void FillVector(duckdb_vector vector, const ColumnValues& column, size_t first, size_t count) {
  switch (column.kind) {
    case ColumnValues::Kind::kBigint:
      std::memcpy(duckdb_vector_get_data(vector), column.bigints + first, count * sizeof(int64_t));
      break;
    case ColumnValues::Kind::kInteger:
      std::memcpy(duckdb_vector_get_data(vector), column.integers + first, count * sizeof(int32_t));
      break;
    case ColumnValues::Kind::kDouble:
      std::memcpy(duckdb_vector_get_data(vector), column.doubles + first, count * sizeof(double));
      break;
    case ColumnValues::Kind::kVarchar:
      for (size_t i = 0; i < count; ++i) {
        size_t row = first + i;
        uint64_t begin = row == 0 ? 0 : column.string_ends[row - 1];
        duckdb_vector_assign_string_element_len(vector, i, column.string_data + begin,
                                                column.string_ends[row] - begin);
      }
      break;
  }
  if (column.valid == nullptr) return;
  duckdb_vector_ensure_validity_writable(vector);
  uint64_t* validity = duckdb_vector_get_validity(vector);
  for (size_t i = 0; i < count; ++i) {
    if (column.valid[first + i] == 0) duckdb_validity_set_row_invalid(validity, i);
  }
}

}  // namespace

namespace {

// The columns and batches of one CopyColumnsToParquet call, as the table
// function reads them. Queries name a source by an id, since a table
// function's arguments are SQL values.
struct ColumnScanSource {
  std::span<const ColumnDefinition> columns;
  std::span<const ColumnBatch> batches;
};

// Position of one scan in its source.
struct ColumnScanState {
  size_t batch = 0;
  size_t row = 0;
};

constexpr char kColumnScanFunction[] = "stedi_column_batches";

std::mutex column_scan_mutex;
std::unordered_map<int64_t, const ColumnScanSource*> column_scan_sources;

void BindColumnScan(duckdb_bind_info info) {
  duckdb_value parameter = duckdb_bind_get_parameter(info, 0);
  int64_t id = duckdb_get_int64(parameter);
  duckdb_destroy_value(&parameter);
  const ColumnScanSource* source = nullptr;
  {
    std::lock_guard<std::mutex> lock(column_scan_mutex);
    auto it = column_scan_sources.find(id);
    if (it != column_scan_sources.end()) source = it->second;
  }
  if (source == nullptr) {
    duckdb_bind_set_error(info, "stedi_column_batches: no such source");
    return;
  }
  for (const ColumnDefinition& column : source->columns) {
    duckdb_logical_type type = duckdb_create_logical_type(TypeIdOf(column.kind));
    duckdb_bind_add_result_column(info, column.name.c_str(), type);
    duckdb_destroy_logical_type(&type);
  }
  duckdb_bind_set_bind_data(info, const_cast<ColumnScanSource*>(source), nullptr);
}

void InitColumnScan(duckdb_init_info info) {
  // One thread keeps the rows in the order they were given.
  duckdb_init_set_max_threads(info, 1);
  duckdb_init_set_init_data(info, new ColumnScanState(),
                            [](void* state) { delete static_cast<ColumnScanState*>(state); });
}

void RunColumnScan(duckdb_function_info info, duckdb_data_chunk output) {
  auto* source = static_cast<const ColumnScanSource*>(duckdb_function_get_bind_data(info));
  auto* state = static_cast<ColumnScanState*>(duckdb_function_get_init_data(info));
  while (state->batch < source->batches.size() &&
         state->row >= source->batches[state->batch].rows) {
    ++state->batch;
    state->row = 0;
  }
  if (state->batch == source->batches.size()) {
    duckdb_data_chunk_set_size(output, 0);
    return;
  }
  const ColumnBatch& batch = source->batches[state->batch];
  size_t count = std::min<size_t>(duckdb_vector_size(), batch.rows - state->row);
  for (size_t i = 0; i < source->columns.size(); ++i) {
    FillVector(duckdb_data_chunk_get_vector(output, i), batch.columns[i], state->row, count);
  }
  duckdb_data_chunk_set_size(output, count);
  state->row += count;
}

// Registers the scan function on `connection`. Another connection to the
// same database may have registered it already, which is fine. One
// registration runs at a time: with DuckDB 1.4.4, registrations on two
// connections at once sometimes left one unable to find the function.
void RegisterColumnScan(duckdb_connection connection) {
  static std::mutex registration_mutex;
  std::lock_guard<std::mutex> lock(registration_mutex);
  duckdb_table_function function = duckdb_create_table_function();
  duckdb_table_function_set_name(function, kColumnScanFunction);
  duckdb_logical_type id_type = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
  duckdb_table_function_add_parameter(function, id_type);
  duckdb_destroy_logical_type(&id_type);
  duckdb_table_function_set_bind(function, BindColumnScan);
  duckdb_table_function_set_init(function, InitColumnScan);
  duckdb_table_function_set_function(function, RunColumnScan);
  (void)duckdb_register_table_function(connection, function);
  duckdb_destroy_table_function(&function);
}

}  // namespace

Status Connection::CopyColumnsToParquet(std::span<const ColumnDefinition> columns,
                                        std::span<const ColumnBatch> batches,
                                        const std::string& path) {
  for (const ColumnBatch& batch : batches) {
    if (batch.columns.size() != columns.size()) {
      return Status::InvalidArgument(fmt::format("copy to {}: a batch has {} columns, expected {}",
                                                 path, batch.columns.size(), columns.size()));
    }
    for (size_t i = 0; i < columns.size(); ++i) {
      if (batch.columns[i].kind != columns[i].kind) {
        return Status::InvalidArgument(fmt::format(
            "copy to {}: column {} has another kind in a batch", path, columns[i].name));
      }
    }
  }
  if (!handle_->column_scan_registered) {
    RegisterColumnScan(handle_->connection);
    handle_->column_scan_registered = true;
  }

  static std::atomic<int64_t> next_id{0};
  int64_t id = next_id++;
  ColumnScanSource source{columns, batches};
  {
    std::lock_guard<std::mutex> lock(column_scan_mutex);
    column_scan_sources[id] = &source;
  }
  std::string select;
  for (const ColumnDefinition& column : columns) {
    if (!select.empty()) select += ", ";
    select += QuoteIdentifier(column.name);
  }
  Status status =
      Execute(fmt::format("COPY (SELECT {} FROM {}({})) TO {} (FORMAT parquet, COMPRESSION zstd)",
                          select, kColumnScanFunction, id, QuoteLiteral(path)));
  {
    std::lock_guard<std::mutex> lock(column_scan_mutex);
    column_scan_sources.erase(id);
  }
  return status;
}

Status Appender::AppendColumns(std::span<const ColumnValues> columns, size_t rows) {
  idx_t column_count = duckdb_appender_column_count(handle_->appender);
  if (columns.size() != column_count) {
    return Status::InvalidArgument(fmt::format("append to {}: {} columns given, the table has {}",
                                               handle_->table, columns.size(), column_count));
  }
  std::vector<duckdb_logical_type> types(column_count);
  Status status;
  for (idx_t i = 0; i < column_count; ++i) {
    types[i] = duckdb_appender_column_type(handle_->appender, i);
    if (status.ok() && duckdb_get_type_id(types[i]) != TypeIdOf(columns[i].kind)) {
      status = Status::InvalidArgument(fmt::format(
          "append to {}: column {} has another type than the values given", handle_->table, i));
    }
  }
  duckdb_data_chunk chunk =
      status.ok() ? duckdb_create_data_chunk(types.data(), column_count) : nullptr;
  for (duckdb_logical_type& type : types) duckdb_destroy_logical_type(&type);
  if (!status.ok()) return status;

  size_t chunk_rows = duckdb_vector_size();
  for (size_t first = 0; first < rows && status.ok(); first += chunk_rows) {
    size_t count = std::min(chunk_rows, rows - first);
    duckdb_data_chunk_reset(chunk);
    for (idx_t i = 0; i < column_count; ++i) {
      FillVector(duckdb_data_chunk_get_vector(chunk, i), columns[i], first, count);
    }
    duckdb_data_chunk_set_size(chunk, count);
    if (duckdb_append_data_chunk(handle_->appender, chunk) == DuckDBError) {
      status = ErrorOf(handle_.get(), "append data chunk");
    }
  }
  duckdb_destroy_data_chunk(&chunk);
  return status;
}

Status Appender::Flush() {
  if (duckdb_appender_flush(handle_->appender) == DuckDBError) {
    return ErrorOf(handle_.get(), "flush");
  }
  return Status::Ok();
}

Status Appender::Close() {
  if (duckdb_appender_close(handle_->appender) == DuckDBError) {
    return ErrorOf(handle_.get(), "close");
  }
  return Status::Ok();
}

std::string QuoteIdentifier(std::string_view name) {
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string QuoteLiteral(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') quoted += '\'';
    quoted += c;
  }
  quoted += '\'';
  return quoted;
}

}  // namespace stedi::engine
