// Storage: every byte stedi reads from or writes to a lake goes through this
// interface, so a lake on local disk and one on S3 behave the same to the
// components above it. Keys are relative, '/'-separated paths inside the
// lake, such as "landing/customer/raw/customer-1.json".
//
// Thread-safety: implementations are safe to call from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace stedi::storage {

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  int64_t modified_ms = 0;  // when the object was last written, in Unix milliseconds
};

// The content of an object together with a version token that changes on
// every write (an S3 ETag, or a content hash on disk).
struct VersionedObject {
  std::string data;
  std::string version;
};

class Storage {
 public:
  virtual ~Storage() = default;

  // A printable location of the lake root, such as "/data/lake" or "s3://b/p".
  virtual std::string Describe() const = 0;

  // Reads a whole object. kNotFound when it does not exist.
  virtual Result<std::string> Read(std::string_view key) = 0;
  // Writes a whole object; readers see either the old or the new content.
  virtual Status Write(std::string_view key, std::string_view data) = 0;
  virtual Result<bool> Exists(std::string_view key) = 0;
  // Lists the objects whose key starts with `prefix`, sorted by key.
  virtual Result<std::vector<ObjectInfo>> List(std::string_view prefix) = 0;
  // Deletes one object; deleting a missing object succeeds.
  virtual Status Delete(std::string_view key) = 0;

  // Reads an object with its version. kNotFound when it does not exist.
  virtual Result<VersionedObject> ReadVersioned(std::string_view key) = 0;
  // Writes `data` only if the object's version is still `expected_version`,
  // or, when `expected_version` is empty, only if the object does not exist.
  // kConflict when another writer got there first. Returns the new version.
  virtual Result<std::string> WriteIfMatch(std::string_view key, std::string_view data,
                                           std::string_view expected_version) = 0;

  // Returns a local file path from which DuckDB can read the object. For a
  // remote store the object is staged in a local cache first.
  virtual Result<std::string> LocalPathForRead(std::string_view key) = 0;
  // Returns a local file path that DuckDB may write; PublishLocalFile then
  // makes its content the object `key`. The folders of the path exist.
  virtual Result<std::string> LocalPathForWrite(std::string_view key) = 0;
  virtual Status PublishLocalFile(std::string_view key, const std::string& local_path) = 0;
  // Like PublishLocalFile, but only when no object `key` exists yet:
  // kConflict otherwise, and the local file stays where it is.
  virtual Status PublishLocalFileIfAbsent(std::string_view key, const std::string& local_path) = 0;
};

// Opens a lake on local disk at `root`, creating the folder when missing.
Result<std::unique_ptr<Storage>> OpenLocalStorage(const std::string& root);

// Opens a lake in an S3 bucket, `url` being "s3://BUCKET" or
// "s3://BUCKET/PREFIX". The endpoint, region and credentials come from the
// AWS environment variables and profile files (see s3_client.h); objects
// staged for DuckDB are cached under STEDI_CACHE_DIR (default
// ~/.cache/stedi). kInvalidArgument for a malformed URL or no credentials.
// Opening sends no request, so an unreachable server shows on first use.
Result<std::unique_ptr<Storage>> OpenS3Storage(const std::string& url);

// Opens an S3 lake for an "s3://" location and a local one otherwise.
Result<std::unique_ptr<Storage>> OpenStorage(const std::string& location);

// Returns whether OpenStorage opens `location` as a remote store, which is
// the case for an "s3://" URL.
bool IsRemoteLocation(std::string_view location);

// A URL of an object or a folder in a remote store, split in two.
struct ObjectUrl {
  std::string store;  // the root of the store, for OpenStorage, such as "s3://bucket"
  std::string key;    // the key in the store with any trailing '/', or empty for the root
};

// Splits a URL such as "s3://bucket/customer/landing/" into the store
// "s3://bucket" and the key "customer/landing/". kInvalidArgument when `url`
// is not a remote location or names no bucket.
Result<ObjectUrl> SplitObjectUrl(std::string_view url);

// Joins key parts with '/', skipping empty parts.
std::string JoinKey(std::initializer_list<std::string_view> parts);

}  // namespace stedi::storage
