#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <limits>
#include <set>

#include "cli/commands.h"
#include "cli/output.h"

namespace stedi::cli {
namespace {

Status ShowHistory(const GlobalOptions& global, const std::string& table, OutputFormat format) {
  STEDI_ASSIGN_OR_RETURN(catalog::Lake lake, OpenLake(global));
  STEDI_ASSIGN_OR_RETURN(std::vector<catalog::SnapshotInfo> snapshots,
                         lake.catalog->ListSnapshots(table));
  Rows rows;
  rows.columns = {"snapshot", "current", "operation", "rows", "files", "run", "created_at"};
  rows.numeric = {true, false, false, true, true, true, false};
  for (const catalog::SnapshotInfo& snapshot : snapshots) {
    rows.values.push_back(
        {std::to_string(snapshot.id), snapshot.current ? "*" : "", snapshot.operation,
         std::to_string(snapshot.row_count), std::to_string(snapshot.file_count),
         snapshot.run_id ? std::optional(std::to_string(*snapshot.run_id)) : std::nullopt,
         snapshot.created_at});
  }
  PrintRows(rows, format, std::cout);
  return Status::Ok();
}

Status ShowRuns(const GlobalOptions& global, int limit, OutputFormat format) {
  STEDI_ASSIGN_OR_RETURN(catalog::Lake lake, OpenLake(global));
  STEDI_ASSIGN_OR_RETURN(std::vector<catalog::RunInfo> runs, lake.catalog->ListRuns(limit));
  Rows rows;
  rows.columns = {"run",          "job",        "status",   "rows_read",
                  "rows_written", "started_at", "ended_at", "error"};
  rows.numeric = {true, false, false, true, true, false, false, false};
  for (const catalog::RunInfo& run : runs) {
    rows.values.push_back({std::to_string(run.id), run.job, run.status,
                           std::to_string(run.rows_read), std::to_string(run.rows_written),
                           run.started_at, run.ended_at, run.error});
  }
  PrintRows(rows, format, std::cout);
  return Status::Ok();
}

Status Rollback(const GlobalOptions& global, const std::string& table, int64_t snapshot) {
  STEDI_ASSIGN_OR_RETURN(catalog::Lake lake, OpenLake(global));
  STEDI_ASSIGN_OR_RETURN(catalog::WriterLock lock, catalog::AcquireWriterLock(lake, "rollback"));
  // A landing table must list exactly the landed files that ingest skips as
  // duplicates, which a rollback would break.
  STEDI_ASSIGN_OR_RETURN(catalog::TableInfo current, lake.catalog->GetTable(table));
  if (current.zone == "landing") {
    return Status::InvalidArgument(fmt::format(
        "{} is a landing table, which follows its landed files; take files out with `stedi "
        "unland FILE` (see `stedi history {}` for what each snapshot landed)",
        table, table));
  }
  int64_t created = 0;
  STEDI_RETURN_IF_ERROR(lake.catalog->InTransaction([&]() -> Status {
    STEDI_ASSIGN_OR_RETURN(created, lake.catalog->Rollback(table, snapshot));
    return Status::Ok();
  }));
  STEDI_RETURN_IF_ERROR(lake.Publish());
  std::cout << fmt::format("{} now has the content of snapshot {}, as new snapshot {}\n", table,
                           snapshot, created);
  return Status::Ok();
}

Status Vacuum(const GlobalOptions& global, int64_t keep, int64_t min_age_seconds, bool dry_run) {
  STEDI_ASSIGN_OR_RETURN(catalog::Lake lake, OpenLake(global));
  STEDI_ASSIGN_OR_RETURN(catalog::WriterLock lock, catalog::AcquireWriterLock(lake, "vacuum"));
  // Delete every data file that no snapshot and no landed file refers to:
  // files of expired snapshots, and files of runs that failed or were
  // killed before their commit. A dry run rolls the expiry back.
  int64_t expired = 0;
  std::vector<std::string> referenced;
  STEDI_RETURN_IF_ERROR(lake.catalog->InTransaction(
      [&]() -> Status {
        STEDI_ASSIGN_OR_RETURN(expired, lake.catalog->ExpireSnapshots(keep));
        STEDI_ASSIGN_OR_RETURN(referenced, lake.catalog->ReferencedKeys());
        return Status::Ok();
      },
      /*commit=*/!dry_run));
  // The catalog without the expired snapshots must be visible before their
  // files go, so a conflict here stops the vacuum before it deletes anything.
  if (!dry_run) STEDI_RETURN_IF_ERROR(lake.Publish());
  // A writer on another machine takes no lock here, so a file it has written
  // but not yet committed looks unreferenced. Only files older than the
  // minimum age are deleted, which spares such files.
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  // An age older than the clock itself keeps every file (and must not overflow).
  int64_t cutoff_ms = min_age_seconds > now_ms / 1000 ? std::numeric_limits<int64_t>::min()
                                                      : now_ms - min_age_seconds * 1000;
  std::set<std::string> keep_keys(referenced.begin(), referenced.end());
  int64_t deleted = 0;
  int64_t too_young = 0;
  uint64_t bytes = 0;
  for (std::string_view zone : {"landing/", "trusted/", "curated/"}) {
    STEDI_ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> objects, lake.storage->List(zone));
    for (const storage::ObjectInfo& object : objects) {
      if (keep_keys.count(object.key) > 0) continue;
      if (object.modified_ms > cutoff_ms) {
        ++too_young;
        continue;
      }
      if (dry_run) {
        std::cout << "would delete " << object.key << '\n';
      } else {
        STEDI_RETURN_IF_ERROR(lake.storage->Delete(object.key));
      }
      ++deleted;
      bytes += object.size;
    }
  }
  std::cout << fmt::format("{} {} snapshot{} and {} unreferenced file{} ({:.1f} MB)\n",
                           dry_run ? "would remove" : "removed", expired, expired == 1 ? "" : "s",
                           deleted, deleted == 1 ? "" : "s", bytes / 1e6);
  if (too_young > 0) {
    std::cout << fmt::format(
        "kept {} unreferenced file{} younger than {} s, which a writer may still commit\n",
        too_young, too_young == 1 ? "" : "s", min_age_seconds);
  }
  return Status::Ok();
}

void AddFormatOption(CLI::App* command, std::string& format) {
  command->add_option("--format", format, "Output format: table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
}

}  // namespace

void AddHistoryCommands(CLI::App& app, const GlobalOptions& global, CommandList& commands) {
  struct Options {
    std::string table;
    std::string format = "table";
    int limit = 50;
    int64_t snapshot = 0;
    int64_t keep = 5;
    int64_t min_age_seconds = 3600;
    bool dry_run = false;
  };
  auto options = std::make_shared<Options>();

  CLI::App* history = app.add_subcommand("history", "List a table's snapshots, newest first");
  history->add_option("table", options->table, "Table name")->required();
  AddFormatOption(history, options->format);
  commands.push_back({history, [options, &global]() -> Status {
                        STEDI_ASSIGN_OR_RETURN(OutputFormat format,
                                               ParseOutputFormat(options->format));
                        return ShowHistory(global, options->table, format);
                      }});

  CLI::App* runs = app.add_subcommand("runs", "List job runs, newest first");
  runs->add_option("--limit", options->limit, "Number of runs to list")
      ->check(AtLeast(1))
      ->capture_default_str();
  AddFormatOption(runs, options->format);
  commands.push_back({runs, [options, &global]() -> Status {
                        STEDI_ASSIGN_OR_RETURN(OutputFormat format,
                                               ParseOutputFormat(options->format));
                        return ShowRuns(global, options->limit, format);
                      }});

  CLI::App* rollback = app.add_subcommand(
      "rollback", "Give a table the content of one of its earlier snapshots, as a new snapshot");
  rollback->add_option("table", options->table, "Table name")->required();
  rollback->add_option("snapshot", options->snapshot, "Snapshot id, from `stedi history TABLE`")
      ->required();
  commands.push_back({rollback, [options, &global]() -> Status {
                        return Rollback(global, options->table, options->snapshot);
                      }});

  CLI::App* vacuum = app.add_subcommand(
      "vacuum",
      "Forget all but the newest snapshots of each table and delete the data files that\n"
      "no remaining snapshot refers to, including those of interrupted runs");
  vacuum->add_option("--keep", options->keep, "Snapshots to keep per table (at least 1)")
      ->check(AtLeast(1))
      ->capture_default_str();
  vacuum
      ->add_option("--min-age", options->min_age_seconds,
                   "Delete an unreferenced file only once it is this old, so that files a "
                   "writer on another machine has not committed yet survive; a number of "
                   "seconds, or with a unit: 30m, 2h, 7d")
      ->transform(CLI::AsNumberWithUnit(
          std::map<std::string, int64_t>{{"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}}))
      ->check(AtLeast(0))
      ->default_str("1h");
  vacuum->add_flag("--dry-run", options->dry_run, "List what would be deleted, delete nothing");
  commands.push_back({vacuum, [options, &global]() -> Status {
                        return Vacuum(global, options->keep, options->min_age_seconds,
                                      options->dry_run);
                      }});
}

}  // namespace stedi::cli
