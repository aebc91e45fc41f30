#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "ingest/ingester.h"

namespace stedi::cli {

void AddIngestCommand(CLI::App& app, const GlobalOptions& global, CommandList& commands) {
  struct Options {
    std::vector<std::string> paths;
    std::string source;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand(
      "ingest",
      "Land files (or folders of files) in the lake byte for byte and load their records\n"
      "into the landing tables. A file whose bytes already landed is skipped.\n"
      "Files may also come from S3: s3://BUCKET/KEY is that object, or every object under\n"
      "KEY/ when no object has the key, and s3://BUCKET/PREFIX/ is every object under the\n"
      "prefix. The endpoint and credentials come from the same AWS variables and profiles\n"
      "as an S3 lake. Inside folders, names starting with . or _ are skipped.");
  command
      ->add_option("paths", options->paths, "Files or folders to land: local paths or s3:// URLs")
      ->required();
  command
      ->add_option("--source", options->source,
                   "Source of every file: customer, accelerometer or step_trainer "
                   "(default: detected from each file's first record)")
      ->check(CLI::IsMember({"customer", "accelerometer", "step_trainer"}));

  commands.push_back(
      {command, [options, &global]() -> Status {
         ingest::IngestOptions ingest_options;
         if (!options->source.empty()) ingest_options.source = ingest::ParseSource(options->source);
         // A lake that this ingest creates is dropped again when nothing
         // lands, so that a mistyped --lake leaves no empty lake behind.
         std::error_code ignored;
         bool folder_existed = storage::IsRemoteLocation(global.lake) ||
                               std::filesystem::exists(global.lake, ignored);
         STEDI_ASSIGN_OR_RETURN(catalog::Lake lake, OpenOrCreateLake(global));
         bool new_lake = lake.created;
         STEDI_ASSIGN_OR_RETURN(catalog::WriterLock lock,
                                catalog::AcquireWriterLock(lake, "ingest"));
         int64_t landed = 0;
         int64_t skipped = 0;
         int64_t empty = 0;
         int64_t records = 0;
         int64_t quarantined = 0;
         Status status = ingest::IngestPaths(
             lake, options->paths, ingest_options, [&](const ingest::FileOutcome& outcome) {
               // Each line is flushed, so that a pipe or a log file shows a group's
               // files as soon as the group's landing snapshots are committed.
               if (outcome.kind == ingest::FileOutcomeKind::kSkippedDuplicate) {
                 ++skipped;
                 std::cout << fmt::format("skipped {}: already landed as {}\n", outcome.path,
                                          outcome.duplicate_of)
                           << std::flush;
                 return;
               }
               if (outcome.kind == ingest::FileOutcomeKind::kSkippedEmpty) {
                 ++empty;
                 spdlog::warn("skipped {}: the file contains no records", outcome.path);
                 return;
               }
               ++landed;
               records += outcome.records_read;
               quarantined += outcome.quarantined;
               std::cout << fmt::format(
                   "landed {} as {}: {} records, {} accepted, {} coerced, {} quarantined\n",
                   outcome.path, ingest::SourceName(outcome.source), outcome.records_read,
                   outcome.accepted, outcome.coerced, outcome.quarantined);
               std::cout << std::flush;
               for (const ingest::QuarantinedRecord& record : outcome.first_quarantined) {
                 spdlog::warn("{}:{}: quarantined: {}", outcome.path, record.line, record.reason);
               }
               int64_t more =
                   outcome.quarantined - static_cast<int64_t>(outcome.first_quarantined.size());
               if (more > 0) {
                 spdlog::warn("{}: {} more quarantined record{}; see `stedi quarantine {}_landing`",
                              outcome.path, more, more == 1 ? "" : "s",
                              ingest::SourceName(outcome.source));
               }
             });
         // Files landed before an error stay landed, in an S3 lake too, unless
         // the catalog cannot be published either; then no summary is printed.
         auto print_summary = [&] {
           std::string empty_files = empty == 0 ? "" : fmt::format(", {} skipped as empty", empty);
           std::cout << fmt::format(
               "{} file{} landed, {} skipped as already landed{}; {} record{}, {} "
               "quarantined\n",
               landed, landed == 1 ? "" : "s", skipped, empty_files, records,
               records == 1 ? "" : "s", quarantined);
           if (quarantined > 0) {
             std::cout << "Quarantined records are kept with their reasons: list them with "
                          "`stedi quarantine`.\n";
           }
         };
         if (new_lake && landed == 0) {
           // An S3 lake that is never published does not exist.
           if (!folder_existed) std::filesystem::remove_all(global.lake, ignored);
           print_summary();
           return status;
         }
         return lake.PublishAfter(std::move(status), print_summary);
       }});
}

void AddUnlandCommand(CLI::App& app, const GlobalOptions& global, CommandList& commands) {
  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* command = app.add_subcommand(
      "unland",
      "Take landed files back out of their landing tables, as a new snapshot, and forget\n"
      "them, so that the same bytes can land again, such as with the right --source.\n"
      "Their quarantined records go too. The next `stedi run` recomputes what they fed.");
  command
      ->add_option("files", *files,
                   "Landed files: the raw key `stedi ingest` printed, such as "
                   "landing/customer/raw/customers.json, or the received file name")
      ->required();
  commands.push_back(
      {command, [files, &global]() -> Status {
         STEDI_ASSIGN_OR_RETURN(catalog::Lake lake, OpenLake(global));
         STEDI_ASSIGN_OR_RETURN(catalog::WriterLock lock,
                                catalog::AcquireWriterLock(lake, "unland"));
         // Every name must resolve before any file is taken out.
         std::vector<catalog::LandedFile> found;
         for (const std::string& name_or_path : *files) {
           STEDI_ASSIGN_OR_RETURN(catalog::LandedFile file,
                                  ingest::FindLandedFileToUnland(lake, name_or_path));
           bool seen = false;
           for (const catalog::LandedFile& other : found) seen |= other.id == file.id;
           if (!seen) found.push_back(std::move(file));
         }
         Status status;
         for (const catalog::LandedFile& file : found) {
           status = ingest::UnlandFile(lake, file);
           if (!status.ok()) break;
           std::cout << fmt::format("unlanded {} ({} records, {} quarantined) from {}_landing\n",
                                    file.raw_key, file.records_read, file.quarantined, file.source);
         }
         return lake.PublishAfter(std::move(status));
       }});
}

}  // namespace stedi::cli
