// A lake: its storage and its catalog, opened together.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "catalog/catalog.h"
#include "common/status.h"
#include "storage/storage.h"

namespace stedi::catalog {

struct Lake {
  std::unique_ptr<storage::Storage> storage;
  std::unique_ptr<Catalog> catalog;

  // Opens the lake at `location` (a folder), creating it when missing.
  static Result<Lake> Open(const std::string& location);
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
