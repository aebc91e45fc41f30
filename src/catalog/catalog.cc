#include "catalog/catalog.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

namespace stedi::catalog {
namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS tables (
  name TEXT PRIMARY KEY,
  zone TEXT NOT NULL,
  format TEXT NOT NULL,
  location TEXT NOT NULL,
  produced_by TEXT NOT NULL,
  current_snapshot INTEGER,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshots (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  table_name TEXT NOT NULL,
  run_id INTEGER,
  operation TEXT NOT NULL,
  row_count INTEGER NOT NULL,
  content_hash TEXT NOT NULL,
  columns TEXT NOT NULL,
  inputs TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshot_files (
  snapshot_id INTEGER NOT NULL,
  position INTEGER NOT NULL,
  key TEXT NOT NULL,
  row_count INTEGER NOT NULL,
  PRIMARY KEY (snapshot_id, position)
);
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  status TEXT NOT NULL,
  rows_read INTEGER NOT NULL DEFAULT 0,
  rows_written INTEGER NOT NULL DEFAULT 0,
  error TEXT
);
CREATE TABLE IF NOT EXISTS batches (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  started_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS landed_files (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  batch_id INTEGER,
  source TEXT NOT NULL,
  name TEXT NOT NULL,
  origin TEXT NOT NULL,
  raw_key TEXT NOT NULL,
  data_key TEXT NOT NULL,
  sha256 TEXT NOT NULL UNIQUE,
  size INTEGER NOT NULL,
  landed_at TEXT NOT NULL,
  records_read INTEGER NOT NULL,
  accepted INTEGER NOT NULL,
  coerced INTEGER NOT NULL,
  quarantined INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS quarantine (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  landed_file_id INTEGER NOT NULL,
  source TEXT NOT NULL,
  line INTEGER NOT NULL,
  byte_offset INTEGER NOT NULL,
  reason TEXT NOT NULL,
  raw TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS field_types (
  landed_file_id INTEGER NOT NULL,
  field TEXT NOT NULL,
  json_type TEXT NOT NULL,
  count INTEGER NOT NULL
);
)sql";

}  // namespace

std::string NowUtc() {
  auto now = std::chrono::system_clock::now();
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(now)), millis.count());
}

Result<std::unique_ptr<Catalog>> Catalog::Open(const std::string& path) {
  STEDI_ASSIGN_OR_RETURN(SqliteDatabase db, SqliteDatabase::Open(path));
  std::unique_ptr<Catalog> catalog(new Catalog(std::move(db)));
  STEDI_RETURN_IF_ERROR(catalog->Migrate());
  return catalog;
}

// Version of the catalog schema, stored as SQLite's user_version. Version 2
// added landed_files.content_sha256.
constexpr int64_t kSchemaVersion = 2;

// NOTE: a file landed by version 1 gets its byte hash as content hash, so a
// gzip-compressed or CRLF copy of it that arrives later lands again.
constexpr std::string_view kMigrateToVersion2 = R"sql(
ALTER TABLE landed_files ADD COLUMN content_sha256 TEXT NOT NULL DEFAULT '';
UPDATE landed_files SET content_sha256 = sha256;
CREATE INDEX IF NOT EXISTS landed_files_content ON landed_files (content_sha256);
)sql";

Status Catalog::Migrate() {
  STEDI_RETURN_IF_ERROR(db_.Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"));
  // An up-to-date catalog needs no write transaction, so readers that open
  // the lake never wait for a writer.
  {
    STEDI_ASSIGN_OR_RETURN(SqliteStatement version, db_.Prepare("PRAGMA user_version"));
    STEDI_ASSIGN_OR_RETURN(bool has_row, version.Step());
    if (has_row && version.ColumnInt64(0) == kSchemaVersion) return Status::Ok();
  }
  return InTransaction([&]() -> Status {
    STEDI_ASSIGN_OR_RETURN(SqliteStatement version, db_.Prepare("PRAGMA user_version"));
    STEDI_ASSIGN_OR_RETURN(bool has_row, version.Step());
    int64_t found = has_row ? version.ColumnInt64(0) : 0;
    if (found > kSchemaVersion) {
      return Status::InvalidArgument(fmt::format(
          "catalog schema version {} is newer than this stedi supports ({}); upgrade stedi", found,
          kSchemaVersion));
    }
    STEDI_RETURN_IF_ERROR(db_.Execute(kSchema));
    if (found < 2) STEDI_RETURN_IF_ERROR(db_.Execute(kMigrateToVersion2));
    return db_.Execute(fmt::format("PRAGMA user_version = {}", kSchemaVersion));
  });
}

Status Catalog::InTransaction(const std::function<Status()>& body, bool commit) {
  STEDI_RETURN_IF_ERROR(db_.Execute("BEGIN IMMEDIATE"));
  Status status = body();
  if (!status.ok() || !commit) {
    Status rollback = db_.Execute("ROLLBACK");
    (void)rollback;  // the body's error is the one to report
    return status;
  }
  return db_.Execute("COMMIT");
}

Result<std::vector<DataFile>> Catalog::SnapshotFiles(int64_t snapshot_id) {
  STEDI_ASSIGN_OR_RETURN(SqliteStatement query,
                         db_.Prepare("SELECT key, row_count FROM snapshot_files "
                                     "WHERE snapshot_id = ? ORDER BY position"));
  query.Bind(1, snapshot_id);
  std::vector<DataFile> files;
  while (true) {
    STEDI_ASSIGN_OR_RETURN(bool has_row, query.Step());
    if (!has_row) break;
    files.push_back({query.ColumnText(0), query.ColumnInt64(1)});
  }
  return files;
}

namespace {

// Selects tables with the snapshot that `s.id` names; callers add the join
// condition that picks the snapshot.
constexpr std::string_view kTableColumns =
    "SELECT t.name, t.zone, t.format, t.location, t.produced_by, s.id, s.row_count, "
    "       s.created_at, s.columns, s.operation, s.content_hash, s.inputs "
    "FROM tables t JOIN snapshots s ON s.table_name = t.name ";

constexpr std::string_view kZoneOrder =
    " ORDER BY CASE t.zone WHEN 'landing' THEN 0 WHEN 'trusted' THEN 1 ELSE 2 END, t.name";

TableInfo ReadTableRow(const SqliteStatement& row) {
  TableInfo table;
  table.name = row.ColumnText(0);
  table.zone = row.ColumnText(1);
  table.format = row.ColumnText(2);
  table.location = row.ColumnText(3);
  table.produced_by = row.ColumnText(4);
  table.snapshot_id = row.ColumnInt64(5);
  table.row_count = row.ColumnInt64(6);
  table.updated_at = row.ColumnText(7);
  for (const auto& column : nlohmann::json::parse(row.ColumnText(8), nullptr, false)) {
    table.columns.push_back({column.value("name", ""), column.value("type", "")});
  }
  table.operation = row.ColumnText(9);
  table.content_hash = row.ColumnText(10);
  nlohmann::json inputs = nlohmann::json::parse(row.ColumnText(11), nullptr, false);
  if (inputs.is_object()) {
    for (const auto& [name, state] : inputs.items()) {
      InputState input;
      input.snapshot_id = state.value("snapshot", int64_t{0});
      input.content_hash = state.value("hash", "");
      input.files = state.value("files", std::vector<std::string>{});
      table.inputs[name] = std::move(input);
    }
  }
  return table;
}

nlohmann::json InputsToJson(const std::map<std::string, InputState>& inputs) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [name, state] : inputs) {
    json[name] = {
        {"snapshot", state.snapshot_id}, {"hash", state.content_hash}, {"files", state.files}};
  }
  return json;
}

}  // namespace

Result<std::vector<TableInfo>> Catalog::QueryTables(const std::string& where, int64_t parameter) {
  STEDI_ASSIGN_OR_RETURN(SqliteStatement query,
                         db_.Prepare(std::string(kTableColumns) + where + std::string(kZoneOrder)));
  if (parameter != 0) query.Bind(1, parameter);
  std::vector<TableInfo> tables;
  while (true) {
    STEDI_ASSIGN_OR_RETURN(bool has_row, query.Step());
    if (!has_row) break;
    tables.push_back(ReadTableRow(query));
  }
  for (TableInfo& table : tables) {
    STEDI_ASSIGN_OR_RETURN(table.files, SnapshotFiles(table.snapshot_id));
  }
  return tables;
}

Result<std::vector<TableInfo>> Catalog::ListTables() {
  return QueryTables("WHERE s.id = t.current_snapshot", 0);
}

Result<std::vector<TableInfo>> Catalog::ListTablesAsOf(int64_t as_of) {
  return QueryTables(
      "WHERE s.id = (SELECT max(id) FROM snapshots WHERE table_name = t.name AND id <= ?1)", as_of);
}

Result<TableInfo> Catalog::GetTable(std::string_view name) {
  STEDI_ASSIGN_OR_RETURN(
      SqliteStatement query,
      db_.Prepare(std::string(kTableColumns) + "WHERE s.id = t.current_snapshot AND t.name = ?"));
  query.Bind(1, name);
  STEDI_ASSIGN_OR_RETURN(bool has_row, query.Step());
  if (!has_row) {
    return Status::NotFound(fmt::format("table {} does not exist (see `stedi tables`)", name));
  }
  TableInfo table = ReadTableRow(query);
  STEDI_ASSIGN_OR_RETURN(table.files, SnapshotFiles(table.snapshot_id));
  return table;
}

Result<int64_t> Catalog::CommitSnapshot(const SnapshotCommit& commit) {
  int64_t row_count = 0;
  for (const DataFile& file : commit.files) row_count += file.row_count;
  nlohmann::json columns = nlohmann::json::array();
  for (const ColumnInfo& column : commit.columns) {
    columns.push_back({{"name", column.name}, {"type", column.type}});
  }
  std::string now = NowUtc();

  STEDI_ASSIGN_OR_RETURN(
      SqliteStatement upsert,
      db_.Prepare("INSERT INTO tables (name, zone, format, location, produced_by, created_at) "
                  "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                  "zone = excluded.zone, format = excluded.format, "
                  "location = excluded.location, produced_by = excluded.produced_by"));
  upsert.Bind(1, commit.table).Bind(2, commit.zone).Bind(3, commit.format);
  upsert.Bind(4, commit.location).Bind(5, commit.produced_by).Bind(6, now);
  STEDI_RETURN_IF_ERROR(upsert.Run());

  STEDI_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      db_.Prepare("INSERT INTO snapshots (table_name, run_id, operation, row_count, content_hash, "
                  "columns, inputs, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  insert.Bind(1, commit.table).Bind(2, commit.run_id).Bind(3, commit.operation);
  insert.Bind(4, row_count).Bind(5, commit.content_hash).Bind(6, columns.dump());
  insert.Bind(7, InputsToJson(commit.inputs).dump()).Bind(8, now);
  STEDI_RETURN_IF_ERROR(insert.Run());
  int64_t snapshot_id = db_.LastInsertId();

  STEDI_ASSIGN_OR_RETURN(
      SqliteStatement add_file,
      db_.Prepare("INSERT INTO snapshot_files (snapshot_id, position, key, row_count) "
                  "VALUES (?, ?, ?, ?)"));
  for (size_t i = 0; i < commit.files.size(); ++i) {
    add_file.Bind(1, snapshot_id).Bind(2, static_cast<int64_t>(i));
    add_file.Bind(3, commit.files[i].key).Bind(4, commit.files[i].row_count);
    STEDI_RETURN_IF_ERROR(add_file.Run());
  }

  STEDI_ASSIGN_OR_RETURN(SqliteStatement point,
                         db_.Prepare("UPDATE tables SET current_snapshot = ? WHERE name = ?"));
  point.Bind(1, snapshot_id).Bind(2, commit.table);
  STEDI_RETURN_IF_ERROR(point.Run());
  return snapshot_id;
}

Result<std::vector<SnapshotInfo>> Catalog::ListSnapshots(std::string_view table) {
  STEDI_ASSIGN_OR_RETURN(
      SqliteStatement query,
      db_.Prepare("SELECT s.id, s.table_name, s.run_id, s.operation, s.row_count, "
                  "  (SELECT count(*) FROM snapshot_files f WHERE f.snapshot_id = s.id), "
                  "  s.content_hash, s.created_at, s.id = t.current_snapshot "
                  "FROM snapshots s JOIN tables t ON t.name = s.table_name "
                  "WHERE s.table_name = ? ORDER BY s.id DESC"));
  query.Bind(1, table);
  std::vector<SnapshotInfo> snapshots;
  while (true) {
    STEDI_ASSIGN_OR_RETURN(bool has_row, query.Step());
    if (!has_row) break;
    SnapshotInfo info;
    info.id = query.ColumnInt64(0);
    info.table = query.ColumnText(1);
    if (!query.ColumnIsNull(2)) info.run_id = query.ColumnInt64(2);
    info.operation = query.ColumnText(3);
    info.row_count = query.ColumnInt64(4);
    info.file_count = query.ColumnInt64(5);
    info.content_hash = query.ColumnText(6);
    info.created_at = query.ColumnText(7);
    info.current = query.ColumnInt64(8) != 0;
    snapshots.push_back(std::move(info));
  }
  if (snapshots.empty()) {
    return Status::NotFound(fmt::format("table {} does not exist (see `stedi tables`)", table));
  }
  return snapshots;
}

Result<int64_t> Catalog::Rollback(std::string_view table, int64_t snapshot_id) {
  STEDI_ASSIGN_OR_RETURN(std::vector<TableInfo> tables,
                         QueryTables("WHERE s.id = ?1", snapshot_id));
  if (tables.empty() || tables[0].name != table) {
    STEDI_RETURN_IF_ERROR(GetTable(table).status());
    return Status::NotFound(
        fmt::format("snapshot {} is not a snapshot of table {} (see `stedi history {}`)",
                    snapshot_id, table, table));
  }
  const TableInfo& old = tables[0];
  SnapshotCommit commit;
  commit.table = old.name;
  commit.zone = old.zone;
  commit.format = old.format;
  commit.location = old.location;
  commit.produced_by = old.produced_by;
  commit.operation = fmt::format("rollback to {}", snapshot_id);
  commit.content_hash = old.content_hash;
  commit.columns = old.columns;
  commit.files = old.files;
  commit.inputs = old.inputs;
  return CommitSnapshot(commit);
}

Result<int64_t> Catalog::ExpireSnapshots(int64_t keep) {
  if (keep < 1) return Status::InvalidArgument("keep at least 1 snapshot per table");
  STEDI_ASSIGN_OR_RETURN(
      SqliteStatement expired,
      db_.Prepare("SELECT s.id FROM snapshots s JOIN tables t ON t.name = s.table_name "
                  "WHERE s.id <> t.current_snapshot AND s.id NOT IN ("
                  "  SELECT id FROM snapshots s2 WHERE s2.table_name = s.table_name "
                  "  ORDER BY id DESC LIMIT ?)"));
  expired.Bind(1, keep);
  std::vector<int64_t> ids;
  while (true) {
    STEDI_ASSIGN_OR_RETURN(bool has_row, expired.Step());
    if (!has_row) break;
    ids.push_back(expired.ColumnInt64(0));
  }
  STEDI_ASSIGN_OR_RETURN(SqliteStatement drop_files,
                         db_.Prepare("DELETE FROM snapshot_files WHERE snapshot_id = ?"));
  STEDI_ASSIGN_OR_RETURN(SqliteStatement drop, db_.Prepare("DELETE FROM snapshots WHERE id = ?"));
  for (int64_t id : ids) {
    drop_files.Bind(1, id);
    STEDI_RETURN_IF_ERROR(drop_files.Run());
    drop.Bind(1, id);
    STEDI_RETURN_IF_ERROR(drop.Run());
  }
  return static_cast<int64_t>(ids.size());
}

Result<std::vector<std::string>> Catalog::ReferencedKeys() {
  STEDI_ASSIGN_OR_RETURN(
      SqliteStatement query,
      db_.Prepare("SELECT key FROM snapshot_files UNION SELECT raw_key FROM landed_files "
                  "UNION SELECT data_key FROM landed_files"));
  std::vector<std::string> keys;
  while (true) {
    STEDI_ASSIGN_OR_RETURN(bool has_row, query.Step());
    if (!has_row) break;
    keys.push_back(query.ColumnText(0));
  }
  return keys;
}

Result<int64_t> Catalog::AbandonUnfinishedRuns() {
  STEDI_ASSIGN_OR_RETURN(SqliteStatement update,
                         db_.Prepare("UPDATE runs SET status = 'abandoned', ended_at = ?, "
                                     "error = 'the process ended before the run finished' "
                                     "WHERE status = 'running'"));
  update.Bind(1, NowUtc());
  STEDI_RETURN_IF_ERROR(update.Run());
  STEDI_ASSIGN_OR_RETURN(SqliteStatement changes, db_.Prepare("SELECT changes()"));
  STEDI_ASSIGN_OR_RETURN(bool has_row, changes.Step());
  return has_row ? changes.ColumnInt64(0) : 0;
}

Result<int64_t> Catalog::StartRun(std::string_view job) {
  STEDI_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      db_.Prepare("INSERT INTO runs (job, started_at, status) VALUES (?, ?, 'running')"));
  insert.Bind(1, job).Bind(2, NowUtc());
  STEDI_RETURN_IF_ERROR(insert.Run());
  return db_.LastInsertId();
}

Status Catalog::FinishRun(const RunInfo& run) {
  STEDI_ASSIGN_OR_RETURN(
      SqliteStatement update,
      db_.Prepare("UPDATE runs SET ended_at = ?, status = ?, rows_read = ?, rows_written = ?, "
                  "error = ? WHERE id = ?"));
  update.Bind(1, NowUtc()).Bind(2, run.status).Bind(3, run.rows_read).Bind(4, run.rows_written);
  if (run.error.empty()) {
    update.BindNull(5);
  } else {
    update.Bind(5, run.error);
  }
  update.Bind(6, run.id);
  return update.Run();
}

Result<std::vector<RunInfo>> Catalog::ListRuns(int limit) {
  STEDI_ASSIGN_OR_RETURN(
      SqliteStatement query,
      db_.Prepare("SELECT id, job, started_at, coalesce(ended_at, ''), status, rows_read, "
                  "rows_written, coalesce(error, '') FROM runs ORDER BY id DESC LIMIT ?"));
  query.Bind(1, static_cast<int64_t>(limit));
  std::vector<RunInfo> runs;
  while (true) {
    STEDI_ASSIGN_OR_RETURN(bool has_row, query.Step());
    if (!has_row) break;
    runs.push_back({query.ColumnInt64(0), query.ColumnText(1), query.ColumnText(2),
                    query.ColumnText(3), query.ColumnText(4), query.ColumnInt64(5),
                    query.ColumnInt64(6), query.ColumnText(7)});
  }
  return runs;
}

namespace {

constexpr std::string_view kLandedFileColumns =
    "id, coalesce(batch_id, 0), source, name, origin, raw_key, data_key, sha256, content_sha256, "
    "size, landed_at, records_read, accepted, coerced, quarantined";

LandedFile ReadLandedFileRow(const SqliteStatement& row) {
  LandedFile file;
  file.id = row.ColumnInt64(0);
  file.batch_id = row.ColumnInt64(1);
  file.source = row.ColumnText(2);
  file.name = row.ColumnText(3);
  file.origin = row.ColumnText(4);
  file.raw_key = row.ColumnText(5);
  file.data_key = row.ColumnText(6);
  file.sha256 = row.ColumnText(7);
  file.content_sha256 = row.ColumnText(8);
  file.size = row.ColumnInt64(9);
  file.landed_at = row.ColumnText(10);
  file.records_read = row.ColumnInt64(11);
  file.accepted = row.ColumnInt64(12);
  file.coerced = row.ColumnInt64(13);
  file.quarantined = row.ColumnInt64(14);
  return file;
}

}  // namespace

Result<std::optional<LandedFile>> Catalog::FindLandedFile(std::string_view sha256,
                                                          std::string_view content_sha256) {
  STEDI_ASSIGN_OR_RETURN(
      SqliteStatement query,
      db_.Prepare(fmt::format("SELECT {} FROM landed_files WHERE sha256 = ? OR content_sha256 = ? "
                              "ORDER BY id LIMIT 1",
                              kLandedFileColumns)));
  query.Bind(1, sha256).Bind(2, content_sha256.empty() ? sha256 : content_sha256);
  STEDI_ASSIGN_OR_RETURN(bool has_row, query.Step());
  if (!has_row) return std::optional<LandedFile>();
  return std::optional<LandedFile>(ReadLandedFileRow(query));
}

Result<int64_t> Catalog::AddLandedFile(const LandedFile& file) {
  STEDI_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      db_.Prepare("INSERT INTO landed_files (source, name, origin, raw_key, data_key, sha256, "
                  "size, landed_at, records_read, accepted, coerced, quarantined, batch_id, "
                  "content_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  insert.Bind(1, file.source).Bind(2, file.name).Bind(3, file.origin).Bind(4, file.raw_key);
  insert.Bind(5, file.data_key).Bind(6, file.sha256).Bind(7, file.size).Bind(8, NowUtc());
  insert.Bind(9, file.records_read).Bind(10, file.accepted).Bind(11, file.coerced);
  insert.Bind(12, file.quarantined)
      .Bind(13, file.batch_id)
      .Bind(14, file.content_sha256.empty() ? file.sha256 : file.content_sha256);
  STEDI_RETURN_IF_ERROR(insert.Run());
  return db_.LastInsertId();
}

Status Catalog::RemoveLandedFile(int64_t landed_file_id) {
  for (const char* sql : {"DELETE FROM quarantine WHERE landed_file_id = ?",
                          "DELETE FROM field_types WHERE landed_file_id = ?",
                          "DELETE FROM landed_files WHERE id = ?"}) {
    STEDI_ASSIGN_OR_RETURN(SqliteStatement statement, db_.Prepare(sql));
    statement.Bind(1, landed_file_id);
    STEDI_RETURN_IF_ERROR(statement.Run());
  }
  return Status::Ok();
}

Result<int64_t> Catalog::StartBatch() {
  STEDI_ASSIGN_OR_RETURN(SqliteStatement insert,
                         db_.Prepare("INSERT INTO batches (started_at) VALUES (?)"));
  insert.Bind(1, NowUtc());
  STEDI_RETURN_IF_ERROR(insert.Run());
  return db_.LastInsertId();
}

Result<bool> Catalog::IsRawKeyUsed(std::string_view raw_key) {
  STEDI_ASSIGN_OR_RETURN(SqliteStatement query,
                         db_.Prepare("SELECT 1 FROM landed_files WHERE raw_key = ?"));
  query.Bind(1, raw_key);
  return query.Step();
}

Result<std::vector<LandedFile>> Catalog::ListLandedFiles(std::string_view source) {
  STEDI_ASSIGN_OR_RETURN(
      SqliteStatement query,
      db_.Prepare(fmt::format("SELECT {} FROM landed_files WHERE ? = '' OR source = ? ORDER BY id",
                              kLandedFileColumns)));
  query.Bind(1, source).Bind(2, source);
  std::vector<LandedFile> files;
  while (true) {
    STEDI_ASSIGN_OR_RETURN(bool has_row, query.Step());
    if (!has_row) break;
    files.push_back(ReadLandedFileRow(query));
  }
  return files;
}

Status Catalog::AddQuarantine(int64_t landed_file_id, std::string_view source,
                              const std::vector<QuarantineEntry>& entries) {
  STEDI_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      db_.Prepare("INSERT INTO quarantine (landed_file_id, source, line, byte_offset, reason, raw) "
                  "VALUES (?, ?, ?, ?, ?, ?)"));
  for (const QuarantineEntry& entry : entries) {
    insert.Bind(1, landed_file_id).Bind(2, source).Bind(3, entry.line);
    insert.Bind(4, entry.byte_offset).Bind(5, entry.reason).Bind(6, entry.raw);
    STEDI_RETURN_IF_ERROR(insert.Run());
  }
  return Status::Ok();
}

Status Catalog::AddFieldTypes(int64_t landed_file_id, const std::vector<FieldTypeCount>& counts) {
  STEDI_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      db_.Prepare("INSERT INTO field_types (landed_file_id, field, json_type, count) "
                  "VALUES (?, ?, ?, ?)"));
  for (const FieldTypeCount& count : counts) {
    insert.Bind(1, landed_file_id).Bind(2, count.field).Bind(3, count.json_type);
    insert.Bind(4, count.count);
    STEDI_RETURN_IF_ERROR(insert.Run());
  }
  return Status::Ok();
}

}  // namespace stedi::catalog
