#include "ingest/ingester.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "common/hash.h"
#include "engine/database.h"
#include "engine/table_views.h"
#include "ingest/gzip.h"
#include "ingest/landing_converter.h"

namespace stedi::ingest {
namespace {

Status WriteLocalFile(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::IOError(fmt::format("create {}: cannot write the file", path));
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.flush();
  if (!out) return Status::IOError(fmt::format("write {}: I/O error", path));
  return Status::Ok();
}

// Copies a file's bytes, staged at `staged_path`, to a raw key of their
// own and returns the key: the received name, or the name prefixed with the
// start of the content hash when another landed file has that name. The
// received name is taken only if no object has it yet, because another
// writer of a shared lake may have just written its own file there. An
// object there with the same bytes, such as one left by an interrupted
// ingest, is reused.
Result<std::string> PublishRawCopy(catalog::Lake& lake, Source source, const std::string& name,
                                   const std::string& sha256, const std::string& staged_path) {
  std::string folder = storage::JoinKey({"landing", SourceName(source), "raw"});
  std::string key = storage::JoinKey({folder, name});
  std::string prefixed = storage::JoinKey({folder, sha256.substr(0, 12) + "-" + name});
  STEDI_ASSIGN_OR_RETURN(bool used, lake.catalog->IsRawKeyUsed(key));
  if (!used) {
    Status published = lake.storage->PublishLocalFileIfAbsent(key, staged_path);
    if (published.code() != StatusCode::kConflict) {
      STEDI_RETURN_IF_ERROR(published);
      return key;
    }
    STEDI_ASSIGN_OR_RETURN(std::string existing, lake.storage->Read(key));
    if (HexSha256(existing) == sha256) {
      std::error_code ignored;
      std::filesystem::remove(staged_path, ignored);
      return key;
    }
  }
  // Only a file with the same bytes can have the prefixed name.
  STEDI_RETURN_IF_ERROR(lake.storage->PublishLocalFile(prefixed, staged_path));
  return prefixed;
}

// Returns the sha256 of a file's text once gzip, a UTF-8 byte-order mark
// and CRLF line ends are undone, so that a re-delivered file that differs
// only in those is known as a duplicate. `sha256` is the hash of `bytes`,
// which is the result for a plain file and for a gzip stream that does not
// decode.
std::string ContentSha256(std::string_view bytes, const std::string& sha256) {
  std::string decompressed;
  std::string_view text = bytes;
  if (IsGzip(bytes)) {
    GunzipResult gunzip = Gunzip(bytes, ParseOptions().max_decompressed_bytes);
    if (!gunzip.error.empty()) return sha256;
    decompressed = std::move(gunzip.text);
    text = decompressed;
  }
  constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
  bool has_mark = text.starts_with(kByteOrderMark);
  if (has_mark) text.remove_prefix(kByteOrderMark.size());
  if (text.find('\r') == std::string_view::npos) {
    return text.data() == bytes.data() && text.size() == bytes.size() ? sha256 : HexSha256(text);
  }
  std::string normalized;
  normalized.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    normalized += text[i];
  }
  return HexSha256(normalized);
}

// Returns whether `text` is blank or an empty JSON array.
bool ContainsNoRecord(std::string_view text) {
  auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  return IsBlank(text);
}

// The landing table's content hash of one file: the first 64 bits of the
// file's sha256. Landing tables need only a hash that changes with their
// content and adds up over their files, and a landing file's rows follow
// from its bytes, so no scan of the written rows is needed. Job outputs
// keep the row hash (engine::ContentHash).
uint64_t FileContentHash(const std::string& sha256) {
  return std::stoull(sha256.substr(0, 16), nullptr, 16);
}

// Files smaller than this are parsed on the worker's own thread; larger
// ones get the parser's threads too.
constexpr size_t kParallelParseBytes = size_t{16} << 20;
// The landing snapshots are committed once per group of files: after this
// many files, or once a group has been open this long, and at the end.
constexpr size_t kGroupFiles = 64;
constexpr auto kGroupTime = std::chrono::seconds(2);

// A file as a worker prepared it: read, hashed and, unless it had landed
// before the batch started, copied and converted to a Parquet file, both
// under temporary keys. The catalog has not seen it yet.
struct PreparedFile {
  Status status;
  const InputFile* input = nullptr;
  int64_t size = 0;
  std::string sha256;
  std::string content_sha256;  // see ContentSha256
  bool landed_before = false;  // its content had landed before this batch; not converted
  bool empty = false;          // contains no record and its source is unknown; not converted
  Source source = Source::kCustomer;
  std::string name;
  std::string data_key;
  std::string temp_key;      // where the Parquet file waits until the file is landed
  std::string raw_temp_key;  // where the copy of the bytes waits until the file is landed
  ConvertedFile converted;
};

// Reads, hashes and converts files on one worker per core, a few files
// ahead of the caller, which takes them back in input order. Workers touch
// no catalog: every catalog decision is the caller's, on its own thread.
class FilePipeline {
 public:
  FilePipeline(catalog::Lake& lake, engine::Database& db, const std::vector<InputFile>& files,
               const IngestOptions& options, std::unordered_set<std::string> landed_before)
      : lake_(lake),
        db_(db),
        files_(files),
        options_(options),
        landed_before_(std::move(landed_before)) {}

  ~FilePipeline() { Stop(); }

  Status Start() {
    size_t workers = std::max(1u, std::thread::hardware_concurrency());
    workers = std::min(workers, files_.size());
    window_ = 2 * workers;
    for (size_t i = 0; i < workers; ++i) {
      STEDI_ASSIGN_OR_RETURN(engine::Connection connection, db_.Connect());
      threads_.emplace_back(
          [this, connection = std::move(connection)]() mutable { Work(connection); });
    }
    return Status::Ok();
  }

  // The prepared file at `index`; call with 0, 1, 2, ... in turn.
  PreparedFile Take(size_t index) {
    std::unique_lock lock(mutex_);
    ready_changed_.wait(lock, [&] { return ready_.count(index) > 0; });
    PreparedFile file = std::move(ready_.at(index));
    ready_.erase(index);
    taken_ = index + 1;
    window_changed_.notify_all();
    return file;
  }

  // Stops the workers and removes the Parquet files of prepared files that
  // were never taken.
  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    window_changed_.notify_all();
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
    for (auto& [index, file] : ready_) {
      if (!file.temp_key.empty()) (void)lake_.storage->Delete(file.temp_key);
      if (!file.raw_temp_key.empty()) (void)lake_.storage->Delete(file.raw_temp_key);
    }
    ready_.clear();
  }

 private:
  void Work(engine::Connection& connection) {
    while (true) {
      size_t index = 0;
      {
        std::unique_lock lock(mutex_);
        window_changed_.wait(
            lock, [&] { return stopping_ || next_ >= files_.size() || next_ < taken_ + window_; });
        if (stopping_ || next_ >= files_.size()) return;
        index = next_++;
      }
      PreparedFile file = Prepare(index, connection);
      std::lock_guard lock(mutex_);
      ready_.emplace(index, std::move(file));
      ready_changed_.notify_all();
    }
  }

  PreparedFile Prepare(size_t index, engine::Connection& connection) {
    PreparedFile file;
    file.input = &files_[index];
    file.status = Convert(index, connection, file);
    if (!file.status.ok()) {
      // Nothing refers to a failed file's temporary copies: remove them.
      if (!file.temp_key.empty()) (void)lake_.storage->Delete(file.temp_key);
      if (!file.raw_temp_key.empty()) (void)lake_.storage->Delete(file.raw_temp_key);
      file.temp_key.clear();
      file.raw_temp_key.clear();
    }
    return file;
  }

  Status Convert(size_t index, engine::Connection& connection, PreparedFile& file) {
    STEDI_ASSIGN_OR_RETURN(std::string bytes, ReadInputFile(*file.input));
    file.size = static_cast<int64_t>(bytes.size());
    file.sha256 = HexSha256(bytes);
    file.content_sha256 = ContentSha256(bytes, file.sha256);

    if (landed_before_.count(file.content_sha256) > 0) {
      file.landed_before = true;
      return Status::Ok();
    }
    std::optional<Source> source = options_.source;
    if (!source) {
      // The first records are enough to tell the source.
      constexpr size_t kHeadBytes = size_t{1} << 20;
      std::string decompressed;
      std::string_view head = bytes;
      if (IsGzip(bytes)) {
        decompressed = Gunzip(bytes, kHeadBytes).text;
        head = decompressed;
      }
      source = DetectSource(head);
      if (!source && head.size() < kHeadBytes && ContainsNoRecord(head)) {
        file.empty = true;
        return Status::Ok();
      }
    }
    if (!source) {
      return Status::InvalidArgument(fmt::format(
          "land {}: cannot tell the source from its first record; name it with --source "
          "customer|accelerometer|step_trainer",
          file.input->location));
    }

    file.source = *source;
    file.name = file.input->name;
    file.data_key = storage::JoinKey(
        {"landing", SourceName(*source), "data", file.sha256.substr(0, 16) + ".parquet"});
    // Two byte-identical files of one batch are both converted, each to
    // keys of their own; the caller lands the first and removes the second.
    // The raw key is the caller's choice, so the copy waits beside it.
    file.raw_temp_key = storage::JoinKey(
        {"landing", SourceName(*source), "raw", fmt::format(".tmp-ingest-{}", index)});
    STEDI_ASSIGN_OR_RETURN(std::string raw_temp_path,
                           lake_.storage->LocalPathForWrite(file.raw_temp_key));
    STEDI_RETURN_IF_ERROR(WriteLocalFile(raw_temp_path, bytes));
    file.temp_key = fmt::format("{}.tmp-ingest-{}", file.data_key, index);
    STEDI_ASSIGN_OR_RETURN(std::string temp_path, lake_.storage->LocalPathForWrite(file.temp_key));

    ParseOptions parse_options;
    if (bytes.size() < kParallelParseBytes) parse_options.threads = 1;
    STEDI_ASSIGN_OR_RETURN(file.converted,
                           ConvertLandingFile(file.name, bytes, ContractFor(*source), connection,
                                              temp_path, parse_options));
    return Status::Ok();
  }

  catalog::Lake& lake_;
  engine::Database& db_;
  const std::vector<InputFile>& files_;
  const IngestOptions& options_;
  const std::unordered_set<std::string> landed_before_;

  std::mutex mutex_;
  std::condition_variable window_changed_;  // taken_ grew, or stopping_ was set
  std::condition_variable ready_changed_;
  std::map<size_t, PreparedFile> ready_;
  size_t next_ = 0;   // the next file a worker takes up
  size_t taken_ = 0;  // files the caller has taken
  size_t window_ = 2;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// The landing files of one table added in the current group.
struct TableAdditions {
  const RecordContract* contract = nullptr;
  std::vector<catalog::DataFile> files;
  uint64_t hash = 0;
};

// Lands prepared files in the catalog, one group per transaction.
class GroupLander {
 public:
  GroupLander(catalog::Lake& lake, int64_t batch_id) : lake_(lake), batch_id_(batch_id) {}

  // Checks `file` against every file landed so far, this group's included,
  // and either skips it or lands it in the open transaction.
  Result<FileOutcome> Land(PreparedFile& file);

  // Commits one landing snapshot per table that gained files in this group.
  Status CommitSnapshots();

 private:
  catalog::Lake& lake_;
  int64_t batch_id_;
  std::vector<std::pair<std::string, TableAdditions>> tables_;  // in order of first file
};

Result<FileOutcome> GroupLander::Land(PreparedFile& file) {
  catalog::Catalog& catalog = *lake_.catalog;
  FileOutcome outcome;
  outcome.path = file.input->location;
  if (file.empty) {
    outcome.kind = FileOutcomeKind::kSkippedEmpty;
    return outcome;
  }
  STEDI_ASSIGN_OR_RETURN(std::optional<catalog::LandedFile> existing,
                         catalog.FindLandedFile(file.sha256, file.content_sha256));
  if (existing) {
    if (!file.temp_key.empty()) STEDI_RETURN_IF_ERROR(lake_.storage->Delete(file.temp_key));
    if (!file.raw_temp_key.empty()) {
      STEDI_RETURN_IF_ERROR(lake_.storage->Delete(file.raw_temp_key));
    }
    outcome.kind = FileOutcomeKind::kSkippedDuplicate;
    outcome.duplicate_of = existing->raw_key;
    outcome.source = ParseSource(existing->source).value_or(Source::kCustomer);
    return outcome;
  }
  if (file.landed_before) {
    return Status::Internal(
        fmt::format("land {}: its landed copy is no longer in the catalog", file.input->location));
  }
  outcome.source = file.source;
  const RecordContract& contract = ContractFor(file.source);
  const ConvertedFile& converted = file.converted;

  // Write the data files first; nothing refers to them until the group's
  // transaction commits, so a failure leaves no visible trace.
  STEDI_ASSIGN_OR_RETURN(std::string raw_temp_path,
                         lake_.storage->LocalPathForWrite(file.raw_temp_key));
  STEDI_ASSIGN_OR_RETURN(std::string raw_key,
                         PublishRawCopy(lake_, file.source, file.name, file.sha256, raw_temp_path));
  file.raw_temp_key.clear();
  STEDI_ASSIGN_OR_RETURN(std::string temp_path, lake_.storage->LocalPathForWrite(file.temp_key));
  STEDI_RETURN_IF_ERROR(lake_.storage->PublishLocalFile(file.data_key, temp_path));
  file.temp_key.clear();

  catalog::LandedFile landed;
  landed.batch_id = batch_id_;
  landed.source = std::string(SourceName(file.source));
  landed.name = file.name;
  landed.origin = file.input->origin;
  landed.raw_key = raw_key;
  landed.data_key = file.data_key;
  landed.sha256 = file.sha256;
  landed.content_sha256 = file.content_sha256;
  landed.size = file.size;
  landed.records_read = converted.records_read;
  landed.accepted = converted.accepted;
  landed.coerced = converted.coerced;
  landed.quarantined = converted.quarantined;
  STEDI_ASSIGN_OR_RETURN(int64_t file_id, catalog.AddLandedFile(landed));
  std::vector<catalog::QuarantineEntry> quarantine;
  for (const QuarantinedRecord& record : converted.quarantine) {
    quarantine.push_back({record.line, record.byte_offset, record.reason, record.raw});
  }
  STEDI_RETURN_IF_ERROR(catalog.AddQuarantine(file_id, landed.source, quarantine));
  std::vector<catalog::FieldTypeCount> drift;
  for (const FieldTypeCount& count : converted.drift) {
    drift.push_back({count.field, count.json_type, count.count});
  }
  STEDI_RETURN_IF_ERROR(catalog.AddFieldTypes(file_id, drift));

  auto table = std::find_if(tables_.begin(), tables_.end(),
                            [&](const auto& entry) { return entry.first == contract.table; });
  if (table == tables_.end()) {
    tables_.push_back({contract.table, TableAdditions{&contract, {}, 0}});
    table = std::prev(tables_.end());
  }
  table->second.files.push_back({file.data_key, converted.accepted});
  table->second.hash += FileContentHash(file.sha256);

  outcome.records_read = converted.records_read;
  outcome.accepted = converted.accepted;
  outcome.coerced = converted.coerced;
  outcome.quarantined = converted.quarantined;
  for (const QuarantinedRecord& record : converted.quarantine) {
    if (outcome.first_quarantined.size() == kQuarantineSamples) break;
    outcome.first_quarantined.push_back(record);
  }
  file.converted = {};
  return outcome;
}

Status GroupLander::CommitSnapshots() {
  catalog::Catalog& catalog = *lake_.catalog;
  for (auto& [name, additions] : tables_) {
    const RecordContract& contract = *additions.contract;
    catalog::SnapshotCommit commit;
    commit.table = contract.table;
    commit.zone = "landing";
    commit.location = storage::JoinKey({"landing", SourceName(contract.source)});
    commit.produced_by = "ingest";
    commit.operation = "ingest";
    for (const FieldSpec& field : contract.fields) {
      commit.columns.push_back({field.name, std::string(SqlTypeName(field.type))});
    }
    uint64_t table_hash = additions.hash;
    Result<catalog::TableInfo> current = catalog.GetTable(contract.table);
    if (current.ok()) {
      commit.files = std::move(current->files);
      table_hash += engine::ParseContentHash(current->content_hash);
    } else if (current.status().code() != StatusCode::kNotFound) {
      return current.status();
    }
    commit.files.insert(commit.files.end(), additions.files.begin(), additions.files.end());
    commit.content_hash = engine::FormatContentHash(table_hash);
    STEDI_RETURN_IF_ERROR(catalog.CommitSnapshot(commit).status());
  }
  tables_.clear();
  return Status::Ok();
}

}  // namespace

Status IngestPaths(catalog::Lake& lake, const std::vector<std::string>& paths,
                   const IngestOptions& options,
                   const std::function<void(const FileOutcome&)>& on_file) {
  STEDI_ASSIGN_OR_RETURN(InputFiles inputs, ExpandInputs(paths, options.open_store));
  const std::vector<InputFile>& files = inputs.files;
  if (files.empty()) return Status::InvalidArgument("no files found under the given paths");
  STEDI_ASSIGN_OR_RETURN(engine::Database db, engine::Database::Open(""));
  STEDI_ASSIGN_OR_RETURN(int64_t batch_id, lake.catalog->StartBatch());
  std::unordered_set<std::string> landed_before;
  STEDI_ASSIGN_OR_RETURN(std::vector<catalog::LandedFile> landed,
                         lake.catalog->ListLandedFiles(""));
  for (const catalog::LandedFile& file : landed) landed_before.insert(file.content_sha256);

  FilePipeline pipeline(lake, db, files, options, std::move(landed_before));
  STEDI_RETURN_IF_ERROR(pipeline.Start());
  GroupLander lander(lake, batch_id);
  size_t next = 0;
  while (next < files.size()) {
    std::vector<FileOutcome> outcomes;
    Status stop;  // a file that could not be prepared: ends the batch after this group
    auto group_start = std::chrono::steady_clock::now();
    STEDI_RETURN_IF_ERROR(lake.catalog->InTransaction([&]() -> Status {
      while (next < files.size() && outcomes.size() < kGroupFiles &&
             std::chrono::steady_clock::now() - group_start < kGroupTime) {
        PreparedFile file = pipeline.Take(next);
        if (!file.status.ok()) {
          stop = file.status;
          break;
        }
        ++next;
        STEDI_ASSIGN_OR_RETURN(FileOutcome outcome, lander.Land(file));
        outcomes.push_back(std::move(outcome));
      }
      return lander.CommitSnapshots();
    }));
    for (const FileOutcome& outcome : outcomes) on_file(outcome);
    if (!stop.ok()) return stop;
  }
  return Status::Ok();
}

Result<catalog::LandedFile> FindLandedFileToUnland(catalog::Lake& lake,
                                                   std::string_view name_or_path) {
  STEDI_ASSIGN_OR_RETURN(std::vector<catalog::LandedFile> landed,
                         lake.catalog->ListLandedFiles(""));
  // Local paths compare in absolute, normal form, so "./a.json" and
  // "/work/a.json" name the same file.
  auto normal_origin = [](std::string_view path) {
    if (storage::IsRemoteLocation(path)) return std::string(path);
    std::error_code ignored;
    return std::filesystem::absolute(path, ignored).lexically_normal().string();
  };
  std::string origin = normal_origin(name_or_path);
  std::vector<const catalog::LandedFile*> matches;
  for (const catalog::LandedFile& file : landed) {
    if (file.raw_key == name_or_path || normal_origin(file.origin) == origin) {
      matches = {&file};
      break;
    }
    if (file.name == name_or_path) matches.push_back(&file);
  }
  if (matches.empty()) {
    return Status::NotFound(fmt::format(
        "no landed file is named {}; give the path `stedi ingest` landed it from, its raw key "
        "or its file name",
        name_or_path));
  }
  if (matches.size() > 1) {
    std::string keys;
    for (const catalog::LandedFile* file : matches) {
      keys += fmt::format("\n  {} (landed from {})", file->raw_key, file->origin);
    }
    return Status::InvalidArgument(
        fmt::format("{} landed files are named {}; give one of their raw keys:{}", matches.size(),
                    name_or_path, keys));
  }
  return *matches.front();
}

Status UnlandFile(catalog::Lake& lake, const catalog::LandedFile& file) {
  catalog::Catalog& catalog = *lake.catalog;
  std::optional<Source> source = ParseSource(file.source);
  if (!source) {
    return Status::Corruption(
        fmt::format("landed file {} has the unknown source '{}'", file.raw_key, file.source));
  }
  const RecordContract& contract = ContractFor(*source);

  STEDI_RETURN_IF_ERROR(catalog.InTransaction([&]() -> Status {
    STEDI_ASSIGN_OR_RETURN(catalog::TableInfo table, catalog.GetTable(contract.table));
    catalog::SnapshotCommit commit;
    commit.table = table.name;
    commit.zone = table.zone;
    commit.format = table.format;
    commit.location = table.location;
    commit.produced_by = "ingest";
    commit.operation = fmt::format("unland {}", file.raw_key);
    commit.columns = table.columns;
    for (catalog::DataFile& data : table.files) {
      if (data.key != file.data_key) commit.files.push_back(std::move(data));
    }
    // Landing table hashes add up over their files, so the file's share comes off.
    commit.content_hash = engine::FormatContentHash(engine::ParseContentHash(table.content_hash) -
                                                    FileContentHash(file.sha256));
    STEDI_RETURN_IF_ERROR(catalog.CommitSnapshot(commit).status());
    return catalog.RemoveLandedFile(file.id);
  }));
  return Status::Ok();
}

}  // namespace stedi::ingest
