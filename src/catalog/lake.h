// A lake: its storage and its catalog, opened together.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "catalog/catalog.h"
#include "common/status.h"
#include "storage/storage.h"

namespace stedi::catalog {

// On local disk the catalog is a SQLite file used in place. In an S3 lake
// (`s3://bucket/prefix`) a command works on a downloaded copy and Publish
// uploads it with a conditional write, so a whole command commits at once,
// or not at all when another writer published first.
struct Lake {
  std::unique_ptr<storage::Storage> storage;
  std::unique_ptr<Catalog> catalog;
  bool remote = false;
  std::string catalog_path;     // the local SQLite file
  std::string catalog_version;  // remote only: version downloaded, "" when none existed
  std::string catalog_bytes;    // remote only: content downloaded
  bool created = false;         // Open found no catalog and started an empty one
  // Remote only: a random id of this command that names the data folders it
  // writes. Writers of an S3 lake share no lock, so two of them may start
  // from the same catalog and pick the same run number. The id keeps their
  // keys apart, so the writer whose Publish fails cannot replace the files
  // that the other's catalog refers to.
  std::string writer_id;

  // Opens the lake at `location`: a folder or an "s3://bucket/prefix" URL.
  // A lake without a catalog is created when `create_if_missing` is set,
  // and is kNotFound otherwise.
  static Result<Lake> Open(const std::string& location, bool create_if_missing = true);

  // Uploads a remote lake's catalog if this process changed it. kConflict
  // when another writer published a catalog since this one was downloaded:
  // none of this command's changes is then visible, and running it again is
  // safe. Does nothing for a local lake.
  Status Publish();

  // Publishes what a command committed before it ended with `outcome`, so
  // that work done before an error is kept, and returns the error to report:
  // `outcome` when the command failed, else the publish error. When both
  // failed, the publish error is logged as a warning, since then nothing
  // the command did was kept. `on_published` runs once the publish
  // succeeded, to report what was committed.
  Status PublishAfter(Status outcome, const std::function<void()>& on_published = {});
};

// The lake's single-writer lock, held from AcquireWriterLock until the
// object is destroyed. Readers never take it.
class WriterLock {
 public:
  explicit WriterLock(int fd) : fd_(fd) {}
  WriterLock(WriterLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  WriterLock& operator=(WriterLock&&) = delete;
  ~WriterLock();

 private:
  int fd_;
};

// Takes the lake's writer lock for `command` (such as "run"). kConflict,
// naming the holder's pid, command and start time, when another process
// holds it. The lock is an flock(2) on a file in the lake, so the kernel
// releases it when its holder dies and a stale lock never blocks; runs that
// such a holder left "running" are then marked abandoned.
// NOTE: flock only excludes processes on the same machine.
Result<WriterLock> AcquireWriterLock(Lake& lake, std::string_view command);

// Storage key of the catalog database inside a lake.
inline constexpr std::string_view kCatalogKey = "_catalog/catalog.db";

}  // namespace stedi::catalog
