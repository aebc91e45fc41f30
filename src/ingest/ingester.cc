#include "ingest/ingester.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/database.h"
#include "engine/table_views.h"
#include "ingest/gzip.h"
#include "ingest/landing_converter.h"

namespace stedi::ingest {
namespace {

namespace fs = std::filesystem;

std::string HexSha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

Result<std::string> ReadLocalFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(fmt::format("open {}: cannot read the file", path));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status::IOError(fmt::format("read {}: I/O error", path));
  return std::move(buffer).str();
}

bool IsHidden(const fs::path& path) {
  std::string name = path.filename().string();
  return !name.empty() && name[0] == '.';
}

// Chooses a raw key that no other landed file uses: the received name, or
// the name prefixed with the start of the content hash on a clash. A key
// that exists but no landed file records was left by an interrupted ingest
// and may be reused.
Result<std::string> ChooseRawKey(catalog::Lake& lake, Source source, const std::string& name,
                                 const std::string& sha256) {
  std::string folder = storage::JoinKey({"landing", SourceName(source), "raw"});
  std::string key = storage::JoinKey({folder, name});
  STEDI_ASSIGN_OR_RETURN(bool used, lake.catalog->IsRawKeyUsed(key));
  if (!used) return key;
  return storage::JoinKey({folder, sha256.substr(0, 12) + "-" + name});
}

class Ingester {
 public:
  Ingester(catalog::Lake& lake, engine::Connection connection, int64_t batch_id)
      : lake_(lake), connection_(std::move(connection)), batch_id_(batch_id) {}

  Result<FileOutcome> IngestFile(const std::string& path, const IngestOptions& options);

 private:
  Status CommitLandedFile(const catalog::LandedFile& file, const ConvertedFile& converted,
                          const RecordContract& contract, uint64_t content_hash);

  catalog::Lake& lake_;
  engine::Connection connection_;
  int64_t batch_id_;
};

Result<FileOutcome> Ingester::IngestFile(const std::string& path, const IngestOptions& options) {
  FileOutcome outcome;
  outcome.path = path;
  STEDI_ASSIGN_OR_RETURN(std::string bytes, ReadLocalFile(path));
  std::string sha256 = HexSha256(bytes);

  STEDI_ASSIGN_OR_RETURN(std::optional<catalog::LandedFile> existing,
                         lake_.catalog->FindLandedFile(sha256));
  if (existing) {
    outcome.kind = FileOutcomeKind::kSkippedDuplicate;
    outcome.duplicate_of = existing->raw_key;
    outcome.source = ParseSource(existing->source).value_or(Source::kCustomer);
    return outcome;
  }

  std::optional<Source> source = options.source;
  if (!source && IsGzip(bytes)) {
    // The first records are enough to tell the source.
    source = DetectSource(Gunzip(bytes, 1 << 20).text);
  } else if (!source) {
    source = DetectSource(bytes);
  }
  if (!source) {
    return Status::InvalidArgument(fmt::format(
        "land {}: cannot tell the source from its first record; name it with --source "
        "customer|accelerometer|step_trainer",
        path));
  }
  outcome.source = *source;
  const RecordContract& contract = ContractFor(*source);
  std::string name = fs::path(path).filename().string();

  // Write the data files first; nothing refers to them until the catalog
  // commit below, so a failure leaves no visible trace.
  STEDI_ASSIGN_OR_RETURN(std::string raw_key, ChooseRawKey(lake_, *source, name, sha256));
  STEDI_RETURN_IF_ERROR(lake_.storage->Write(raw_key, bytes));
  std::string data_key =
      storage::JoinKey({"landing", SourceName(*source), "data", sha256.substr(0, 16) + ".parquet"});
  STEDI_ASSIGN_OR_RETURN(std::string data_path, lake_.storage->LocalPathForWrite(data_key));
  STEDI_ASSIGN_OR_RETURN(ConvertedFile converted,
                         ConvertLandingFile(name, bytes, contract, connection_, data_path));
  STEDI_ASSIGN_OR_RETURN(
      uint64_t content_hash,
      engine::ContentHash(connection_, fmt::format("SELECT * FROM read_parquet({})",
                                                   engine::QuoteLiteral(data_path))));
  STEDI_RETURN_IF_ERROR(lake_.storage->PublishLocalFile(data_key, data_path));

  catalog::LandedFile landed;
  landed.batch_id = batch_id_;
  landed.source = std::string(SourceName(*source));
  landed.name = name;
  landed.origin = fs::absolute(path).string();
  landed.raw_key = raw_key;
  landed.data_key = data_key;
  landed.sha256 = sha256;
  landed.size = static_cast<int64_t>(bytes.size());
  landed.records_read = converted.records_read;
  landed.accepted = converted.accepted;
  landed.coerced = converted.coerced;
  landed.quarantined = converted.quarantined;
  STEDI_RETURN_IF_ERROR(CommitLandedFile(landed, converted, contract, content_hash));

  outcome.records_read = converted.records_read;
  outcome.accepted = converted.accepted;
  outcome.coerced = converted.coerced;
  outcome.quarantined = converted.quarantined;
  for (const QuarantinedRecord& record : converted.quarantine) {
    if (outcome.first_quarantined.size() == kQuarantineSamples) break;
    outcome.first_quarantined.push_back(record);
  }
  return outcome;
}

Status Ingester::CommitLandedFile(const catalog::LandedFile& file, const ConvertedFile& converted,
                                  const RecordContract& contract, uint64_t content_hash) {
  catalog::Catalog& catalog = *lake_.catalog;
  return catalog.InTransaction([&]() -> Status {
    STEDI_ASSIGN_OR_RETURN(int64_t file_id, catalog.AddLandedFile(file));
    std::vector<catalog::QuarantineEntry> quarantine;
    for (const QuarantinedRecord& record : converted.quarantine) {
      quarantine.push_back({record.line, record.byte_offset, record.reason, record.raw});
    }
    STEDI_RETURN_IF_ERROR(catalog.AddQuarantine(file_id, file.source, quarantine));
    std::vector<catalog::FieldTypeCount> drift;
    for (const FieldTypeCount& count : converted.drift) {
      drift.push_back({count.field, count.json_type, count.count});
    }
    STEDI_RETURN_IF_ERROR(catalog.AddFieldTypes(file_id, drift));

    catalog::SnapshotCommit commit;
    commit.table = contract.table;
    commit.zone = "landing";
    commit.location = storage::JoinKey({"landing", file.source});
    commit.produced_by = "ingest";
    commit.operation = "ingest";
    for (const FieldSpec& field : contract.fields) {
      commit.columns.push_back({field.name, std::string(SqlTypeName(field.type))});
    }
    uint64_t table_hash = content_hash;
    Result<catalog::TableInfo> current = catalog.GetTable(contract.table);
    if (current.ok()) {
      commit.files = current->files;
      table_hash += engine::ParseContentHash(current->content_hash);
    } else if (current.status().code() != StatusCode::kNotFound) {
      return current.status();
    }
    commit.files.push_back({file.data_key, converted.accepted});
    commit.content_hash = engine::FormatContentHash(table_hash);
    return catalog.CommitSnapshot(commit).status();
  });
}

}  // namespace

Result<std::vector<std::string>> ExpandInputPaths(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code error;
    fs::file_status status = fs::status(path, error);
    if (error || !fs::exists(status)) {
      return Status::NotFound(fmt::format("input {} does not exist", path));
    }
    if (fs::is_regular_file(status)) {
      files.push_back(path);
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(path, error);
         !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
      if (IsHidden(it->path())) {
        if (it->is_directory()) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file()) found.push_back(it->path().string());
    }
    if (error) return Status::IOError(fmt::format("list {}: {}", path, error.message()));
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

Status IngestPaths(catalog::Lake& lake, const std::vector<std::string>& paths,
                   const IngestOptions& options,
                   const std::function<void(const FileOutcome&)>& on_file) {
  STEDI_ASSIGN_OR_RETURN(std::vector<std::string> files, ExpandInputPaths(paths));
  if (files.empty()) return Status::InvalidArgument("no files found under the given paths");
  STEDI_ASSIGN_OR_RETURN(engine::Database db, engine::Database::Open(""));
  STEDI_ASSIGN_OR_RETURN(engine::Connection connection, db.Connect());
  STEDI_ASSIGN_OR_RETURN(int64_t batch_id, lake.catalog->StartBatch());
  Ingester ingester(lake, std::move(connection), batch_id);
  for (const std::string& file : files) {
    STEDI_ASSIGN_OR_RETURN(FileOutcome outcome, ingester.IngestFile(file, options));
    on_file(outcome);
  }
  return Status::Ok();
}

}  // namespace stedi::ingest
