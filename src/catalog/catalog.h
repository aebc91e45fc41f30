// The catalog: every table of the lake, its snapshots and their files, the
// job runs, and the files that landed. It is a SQLite database (WAL mode)
// inside the lake, so a lake folder carries its own metadata.
//
// A table's content is its current snapshot: a fixed list of data files.
// A writer adds data files first and then commits a snapshot in one SQLite
// transaction, so readers see either the old or the new table, never a mix.
//
// Thread-safety: one Catalog per thread; several processes may open the
// same catalog file.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/sqlite.h"
#include "common/status.h"

namespace stedi::catalog {

struct ColumnInfo {
  std::string name;
  std::string type;  // DuckDB SQL type, such as "BIGINT"
};

struct DataFile {
  std::string key;  // storage key of a Parquet file
  int64_t row_count = 0;
};

// What a job read from one input table: enough to tell later whether the
// input has changed since, and whether it only gained files.
struct InputState {
  int64_t snapshot_id = 0;
  std::string content_hash;
  std::vector<std::string> files;  // data file keys, in snapshot order
};

struct TableInfo {
  std::string name;
  std::string zone;         // landing, trusted or curated
  std::string format;       // parquet
  std::string location;     // storage key prefix of the table's files
  std::string produced_by;  // job name, or "ingest" for landing tables
  int64_t snapshot_id = 0;
  int64_t row_count = 0;
  std::string updated_at;    // UTC, ISO 8601
  std::string operation;     // what made the snapshot: ingest, overwrite, append, rollback
  std::string content_hash;  // order-independent; see SnapshotCommit::content_hash
  std::vector<ColumnInfo> columns;
  std::vector<DataFile> files;
  std::map<std::string, InputState> inputs;  // input table -> what the producing job read
};

// One version of a table, as listed by `stedi history`.
struct SnapshotInfo {
  int64_t id = 0;
  std::string table;
  std::optional<int64_t> run_id;
  std::string operation;
  int64_t row_count = 0;
  int64_t file_count = 0;
  std::string content_hash;
  std::string created_at;
  bool current = false;
};

// A new version of one table.
struct SnapshotCommit {
  std::string table;
  std::string zone;
  std::string format = "parquet";
  std::string location;
  std::string produced_by;
  std::optional<int64_t> run_id;
  std::vector<ColumnInfo> columns;
  std::string operation = "overwrite";
  // Order-independent and additive over the files. Job outputs hash their
  // rows (engine::ContentHash); landing tables sum a hash of each file's
  // bytes (its sha256), since a landing file's rows follow from its bytes.
  std::string content_hash;
  std::vector<DataFile> files;               // the whole table, not only new files
  std::map<std::string, InputState> inputs;  // input table -> what the job read
};

struct RunInfo {
  int64_t id = 0;
  std::string job;
  std::string started_at;
  std::string ended_at;
  std::string status;  // running, succeeded, failed, skipped
  int64_t rows_read = 0;
  int64_t rows_written = 0;
  std::string error;
};

struct LandedFile {
  int64_t id = 0;
  int64_t batch_id = 0;  // one batch per `stedi ingest` command
  std::string source;
  std::string name;            // file name as received
  std::string origin;          // path or URL it was landed from
  std::string raw_key;         // storage key of the byte-for-byte copy
  std::string data_key;        // storage key of the typed Parquet file
  std::string sha256;          // of the bytes as received
  std::string content_sha256;  // of the text after gzip, a byte-order mark and CRLF are undone
  int64_t size = 0;
  std::string landed_at;
  int64_t records_read = 0;
  int64_t accepted = 0;
  int64_t coerced = 0;
  int64_t quarantined = 0;
};

// A landing record that was not accepted.
struct QuarantineEntry {
  int64_t line = 0;
  int64_t byte_offset = 0;
  std::string reason;
  std::string raw;
};

// How often a field held a value of one JSON type in one landed file.
struct FieldTypeCount {
  std::string field;
  std::string json_type;
  int64_t count = 0;
};

// Quarantined records of one kind, as listed by `stedi quarantine`.
struct QuarantineGroup {
  std::string source;
  std::string reason;  // the reason up to its first quoted value
  int64_t count = 0;
  std::string sample_file;  // file name of the first such record
  int64_t sample_line = 0;
  std::string sample_reason;  // the first record's full reason
};

// A quarantined record with the file it came from.
struct QuarantinedRecordInfo {
  std::string source;
  std::string file;  // file name as received
  QuarantineEntry entry;
};

// How often a field held each JSON type in one ingest batch.
struct FieldDrift {
  int64_t batch_id = 0;
  std::string field;
  std::string json_type;
  int64_t count = 0;
  int64_t files = 0;
};

class Catalog {
 public:
  // Opens or creates the catalog database at `path`.
  static Result<std::unique_ptr<Catalog>> Open(const std::string& path);

  // Runs `body` in one write transaction: committed when it returns ok and
  // `commit` is true, rolled back otherwise.
  Status InTransaction(const std::function<Status()>& body, bool commit = true);

  Result<std::vector<TableInfo>> ListTables();
  // The tables as they were right after snapshot `as_of` was committed:
  // each at its newest snapshot with an id not above `as_of`.
  Result<std::vector<TableInfo>> ListTablesAsOf(int64_t as_of);
  // The table at its current snapshot. kNotFound names the table.
  Result<TableInfo> GetTable(std::string_view name);
  Result<std::vector<SnapshotInfo>> ListSnapshots(std::string_view table);
  // Makes a copy of snapshot `snapshot_id` of `table` its current snapshot.
  // kNotFound when that snapshot is not one of the table's.
  Result<int64_t> Rollback(std::string_view table, int64_t snapshot_id);
  // Deletes all but the newest `keep` snapshots of every table (the current
  // one is always kept). Returns how many snapshots were deleted.
  Result<int64_t> ExpireSnapshots(int64_t keep);
  // Every storage key that a snapshot or a landed file refers to.
  Result<std::vector<std::string>> ReferencedKeys();
  // Marks runs left "running" by a process that died as "abandoned".
  Result<int64_t> AbandonUnfinishedRuns();
  // Creates a snapshot and makes it the table's current one; returns its id.
  Result<int64_t> CommitSnapshot(const SnapshotCommit& commit);

  Result<int64_t> StartRun(std::string_view job);
  Status FinishRun(const RunInfo& run);
  Result<std::vector<RunInfo>> ListRuns(int limit);

  // Starts an ingest batch and returns its id.
  Result<int64_t> StartBatch();
  // The first landed file with these bytes or this content, if any.
  Result<std::optional<LandedFile>> FindLandedFile(std::string_view sha256,
                                                   std::string_view content_sha256);
  // True when a landed file was stored under `raw_key`.
  Result<bool> IsRawKeyUsed(std::string_view raw_key);
  // Stores `file` and returns its id.
  Result<int64_t> AddLandedFile(const LandedFile& file);
  Result<std::vector<LandedFile>> ListLandedFiles(std::string_view source);
  Status AddQuarantine(int64_t landed_file_id, std::string_view source,
                       const std::vector<QuarantineEntry>& entries);
  Status AddFieldTypes(int64_t landed_file_id, const std::vector<FieldTypeCount>& counts);
  // Forgets a landed file with its quarantined records and field types, so
  // that its bytes may land again. Its stored objects stay until vacuum.
  Status RemoveLandedFile(int64_t landed_file_id);
  // Quarantined records grouped by source and reason; every source when
  // `source` is empty.
  Result<std::vector<QuarantineGroup>> SummarizeQuarantine(std::string_view source);
  Result<std::vector<QuarantinedRecordInfo>> ListQuarantine(std::string_view source);
  Result<std::vector<FieldDrift>> ListFieldDrift(std::string_view source);

  SqliteDatabase& database() { return db_; }

 private:
  explicit Catalog(SqliteDatabase db) : db_(std::move(db)) {}
  Status Migrate();
  Result<std::vector<DataFile>> SnapshotFiles(int64_t snapshot_id);
  Result<std::vector<TableInfo>> QueryTables(const std::string& where, int64_t parameter);

  SqliteDatabase db_;
};

// The current time in UTC as ISO 8601 with milliseconds.
std::string NowUtc();

}  // namespace stedi::catalog
