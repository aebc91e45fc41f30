// MemoryStorage: a lake held in memory, for tests. It keeps the Storage
// contract (versions change on every write, WriteIfMatch is atomic) and can
// inject faults, so tests can show how the layers above react when a write
// fails. Files handed to DuckDB live in a private temporary folder that the
// storage removes when destroyed.
//
// Thread-safety: every method, fault injection included, is safe to call
// from several threads.
#pragma once

#include <memory>
#include <string>

#include "storage/storage.h"

namespace stedi::storage {

class MemoryStorage : public Storage {
 public:
  // Makes the `n`th write from now (1 is the next one) fail with `status`,
  // once. Writes are Write, WriteIfMatch, PublishLocalFile and Delete; a
  // failed write changes nothing.
  virtual void FailNthWrite(int n, Status status) = 0;
  // Makes every write to a key that starts with `prefix` fail with `status`
  // until ClearFaults.
  virtual void FailWritesWithPrefix(std::string prefix, Status status) = 0;
  // Makes every read (Read, ReadVersioned, LocalPathForRead) of a key that
  // starts with `prefix` fail with `status` until ClearFaults.
  virtual void FailReadsWithPrefix(std::string prefix, Status status) = 0;
  virtual void ClearFaults() = 0;
  // Writes attempted so far, failed ones included.
  virtual int write_count() const = 0;
};

// Creates an empty in-memory lake. kIOError when its temporary folder
// cannot be created.
Result<std::unique_ptr<MemoryStorage>> OpenMemoryStorage();

}  // namespace stedi::storage
