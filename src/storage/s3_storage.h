// S3Storage: a lake kept under a prefix of an S3 bucket. Keys map to object
// keys "PREFIX/KEY". Versions are S3 ETags, and WriteIfMatch is a conditional
// PutObject (If-Match, or If-None-Match: * for a new key), so two writers
// racing on the same version cannot both win.
//
// DuckDB reads and writes local files only. So LocalPathForRead downloads an
// object into a local cache folder, where files are named by the object's
// ETag and reused across runs. LocalPathForWrite returns a path in a staging
// folder, and PublishLocalFile uploads that file (as a multipart upload when
// large) and moves it into the cache.
//
// Thread-safety: safe to call from several threads, and several processes
// may share one cache folder.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "storage/s3_client.h"
#include "storage/storage.h"

namespace stedi::storage {

struct S3Location {
  std::string bucket;
  std::string prefix;  // without leading or trailing '/'; may be empty
};

// Parses "s3://BUCKET[/PREFIX]". kInvalidArgument when `url` is not one.
Result<S3Location> ParseS3Url(const std::string& url);

struct S3StorageOptions {
  // Folder of the read cache and the staging files. Empty: STEDI_CACHE_DIR,
  // else $XDG_CACHE_HOME/stedi, else ~/.cache/stedi.
  std::string cache_dir;
  // The cache removes its least recently used files once it grows past this
  // many bytes (STEDI_CACHE_MAX_MB overrides the default).
  uint64_t cache_max_bytes = 4ull << 30;
  // Eviction spares files used more recently than this, because a caller
  // may not have opened the path it was given yet.
  std::chrono::seconds cache_min_age{120};
  MultipartOptions multipart;
};

// The options with STEDI_CACHE_DIR and STEDI_CACHE_MAX_MB applied.
// kInvalidArgument when STEDI_CACHE_MAX_MB is not a positive number.
Result<S3StorageOptions> LoadS3StorageOptionsFromEnvironment();

// Opens a lake at `location` with an explicit configuration; creates the
// cache folder. Sends no request.
Result<std::unique_ptr<Storage>> OpenS3Storage(const S3Location& location, S3Config config,
                                               S3StorageOptions options);

}  // namespace stedi::storage
