// Landing: copies received files into the lake byte for byte, converts each
// into a typed Parquet file, and commits the landing tables in the catalog.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "catalog/lake.h"
#include "common/status.h"
#include "ingest/contract.h"
#include "ingest/input_files.h"
#include "ingest/record_parser.h"

namespace stedi::ingest {

struct IngestOptions {
  std::optional<Source> source;  // nullopt: detect each file's source from its records
  // Opens the store of a URL input, such as "s3://bucket".
  StoreOpener open_store = storage::OpenStorage;
};

// kSkippedEmpty: the file contains no record (it is blank or an empty JSON
// array) and no --source was given, so it is not landed.
enum class FileOutcomeKind { kLanded, kSkippedDuplicate, kSkippedEmpty };

struct FileOutcome {
  std::string path;  // the file's local path or URL, as InputFile::location
  Source source = Source::kCustomer;
  FileOutcomeKind kind = FileOutcomeKind::kLanded;
  std::string duplicate_of;  // for kSkippedDuplicate: the landed file with the same bytes
  int64_t records_read = 0;
  int64_t accepted = 0;
  int64_t coerced = 0;
  int64_t quarantined = 0;
  std::vector<QuarantinedRecord> first_quarantined;  // at most kQuarantineSamples, in file order
};

inline constexpr size_t kQuarantineSamples = 5;

// Lands every file under `paths`, which are local paths or URLs listed as
// ExpandInputs does, and records where each file came from. A file whose
// bytes already landed, in an earlier batch or earlier in this one, is
// skipped. Files are read whole and converted on one worker per core, each
// holding one file's bytes at a time, and landed in the catalog in input
// order, in groups of up to 64 files or 2 seconds, one transaction each. A
// file that cannot be read or converted stops the batch after the files
// before it are committed; a catalog or storage error rolls back the open
// group, whose files land again on the next ingest. `on_file` is called for
// each file in input order, after its group is committed.
Status IngestPaths(catalog::Lake& lake, const std::vector<std::string>& paths,
                   const IngestOptions& options,
                   const std::function<void(const FileOutcome&)>& on_file);

// Finds the landed file that `name_or_path` names: the local path or URL it was
// landed from, its raw key, or its received name when only one landed file
// has that name. kNotFound, or kInvalidArgument for an ambiguous name.
Result<catalog::LandedFile> FindLandedFileToUnland(catalog::Lake& lake,
                                                   std::string_view name_or_path);

// Takes a landed file back out of its landing table, as a new snapshot of
// the table, and deletes its catalog record with its quarantined records, so
// that the same bytes can land again (with another --source, say).
Status UnlandFile(catalog::Lake& lake, const catalog::LandedFile& file);

}  // namespace stedi::ingest
