#include "storage/s3_storage.h"

#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>

#include "common/hash.h"
#include "storage/local_files.h"

namespace stedi::storage {
namespace {

namespace fs = std::filesystem;

std::string Getenv(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// The last part of a key. Staged files keep it so that DuckDB still sees
// the file's extension (".parquet", ".json.gz").
std::string BaseName(std::string_view key) {
  size_t slash = key.rfind('/');
  return std::string(slash == std::string_view::npos ? key : key.substr(slash + 1));
}

std::string RandomHex() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  return fmt::format("{:016x}", random());
}

class S3Storage final : public Storage {
 public:
  S3Storage(S3Location location, S3Config config, S3StorageOptions options, fs::path staging_dir)
      : location_(std::move(location)),
        client_(std::move(config)),
        options_(std::move(options)),
        objects_dir_(fs::path(options_.cache_dir) / "objects"),
        staging_dir_(std::move(staging_dir)) {}

  ~S3Storage() override {
    std::error_code ignored;
    fs::remove_all(staging_dir_, ignored);
  }

  std::string Describe() const override {
    if (location_.prefix.empty()) return "s3://" + location_.bucket;
    return fmt::format("s3://{}/{}", location_.bucket, location_.prefix);
  }

  Result<std::string> Read(std::string_view key) override {
    STEDI_ASSIGN_OR_RETURN(S3ObjectData object,
                           client_.GetObject(location_.bucket, ObjectKey(key)));
    return std::move(object.data);
  }

  Status Write(std::string_view key, std::string_view data) override {
    return client_.PutObject(location_.bucket, ObjectKey(key), data).status();
  }

  Result<bool> Exists(std::string_view key) override {
    Result<S3Object> head = client_.HeadObject(location_.bucket, ObjectKey(key));
    if (head.ok()) return true;
    if (head.status().code() == StatusCode::kNotFound) return false;
    return head.status();
  }

  Result<std::vector<ObjectInfo>> List(std::string_view prefix) override {
    std::string root = ObjectKey("");
    STEDI_ASSIGN_OR_RETURN(std::vector<S3Object> objects,
                           client_.ListObjects(location_.bucket, root + std::string(prefix)));
    std::vector<ObjectInfo> infos;
    infos.reserve(objects.size());
    for (S3Object& object : objects) {
      infos.push_back({object.key.substr(root.size()), object.size, object.modified_ms});
    }
    std::sort(infos.begin(), infos.end(),
              [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
    return infos;
  }

  Status Delete(std::string_view key) override {
    return client_.DeleteObject(location_.bucket, ObjectKey(key));
  }

  Result<VersionedObject> ReadVersioned(std::string_view key) override {
    STEDI_ASSIGN_OR_RETURN(S3ObjectData object,
                           client_.GetObject(location_.bucket, ObjectKey(key)));
    return VersionedObject{std::move(object.data), std::move(object.etag)};
  }

  // NOTE: S3Client::PutObject recognises its own earlier attempt by the
  // object's MD5 ETag. When a third writer replaced the object in between,
  // or the server's ETags are not MD5 digests, this returns kConflict
  // although the write took effect.
  Result<std::string> WriteIfMatch(std::string_view key, std::string_view data,
                                   std::string_view expected_version) override {
    PutCondition condition;
    if (expected_version.empty()) {
      condition.if_none_match_any = true;
    } else {
      condition.if_match = std::string(expected_version);
    }
    return client_.PutObject(location_.bucket, ObjectKey(key), data, condition);
  }

  Result<std::string> LocalPathForRead(std::string_view key) override {
    std::string object_key = ObjectKey(key);
    STEDI_ASSIGN_OR_RETURN(S3Object head, client_.HeadObject(location_.bucket, object_key));
    fs::path cached = CachePath(object_key, head.etag);
    std::error_code error;
    if (fs::exists(cached, error) && fs::file_size(cached, error) == head.size && !error) {
      fs::last_write_time(cached, fs::file_time_type::clock::now(), error);
      spdlog::trace("S3 cache hit for {}", object_key);
      return cached.string();
    }

    // Download beside the cache entry and rename, so that a reader never
    // sees a partial file, even one in another process.
    std::string temp = (objects_dir_ / fmt::format(".download-{}", RandomHex())).string();
    STEDI_ASSIGN_OR_RETURN(std::string etag,
                           client_.GetObjectToFile(location_.bucket, object_key, temp));
    cached = CachePath(object_key, etag);
    fs::rename(temp, cached, error);
    if (error) {
      fs::remove(temp, error);
      return Status::IOError(fmt::format("cache {}: rename into {}: {}", Describe(key),
                                         cached.string(), error.message()));
    }
    EvictFromCache(cached);
    return cached.string();
  }

  // The key's own path under the staging folder: asking again for a key
  // gives the same path, as on local disk.
  Result<std::string> LocalPathForWrite(std::string_view key) override {
    return PathWithFoldersUnder(staging_dir_, key);
  }

  Status PublishLocalFile(std::string_view key, const std::string& local_path) override {
    std::string object_key = ObjectKey(key);
    STEDI_ASSIGN_OR_RETURN(std::string etag, client_.UploadFile(location_.bucket, object_key,
                                                                local_path, options_.multipart));
    KeepInCache(object_key, etag, local_path);
    return Status::Ok();
  }

  // A file below the multipart threshold goes up in one PutObject with
  // If-None-Match: *, so the server decides. A larger one is checked with
  // HeadObject first.
  // NOTE: the check and the multipart upload are two steps, so a writer that
  // creates the key between them is overwritten. Conditional completion of
  // multipart uploads is not supported by every S3 server.
  Status PublishLocalFileIfAbsent(std::string_view key, const std::string& local_path) override {
    std::string object_key = ObjectKey(key);
    std::error_code error;
    uint64_t size = fs::file_size(local_path, error);
    if (error) {
      return Status::IOError(
          fmt::format("publish {}: {}: {}", Describe(key), local_path, error.message()));
    }
    if (size >= options_.multipart.threshold) {
      Result<S3Object> head = client_.HeadObject(location_.bucket, object_key);
      if (head.ok()) return Status::Conflict(fmt::format("{} exists already", Describe(key)));
      if (head.status().code() != StatusCode::kNotFound) return head.status();
      return PublishLocalFile(key, local_path);
    }

    std::ifstream in(local_path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (!in) {
      return Status::IOError(fmt::format("publish {}: cannot read {}", Describe(key), local_path));
    }
    PutCondition condition;
    condition.if_none_match_any = true;
    Result<std::string> etag =
        client_.PutObject(location_.bucket, object_key, content.view(), condition);
    if (!etag.ok()) {
      if (etag.status().code() == StatusCode::kConflict) {
        return Status::Conflict(fmt::format("{} exists already", Describe(key)));
      }
      return etag.status();
    }
    KeepInCache(object_key, *etag, local_path);
    return Status::Ok();
  }

 private:
  // The uploaded file is the object's content now, so it becomes a cache
  // entry: DuckDB often reads back what it has just written.
  void KeepInCache(const std::string& object_key, const std::string& etag,
                   const std::string& local_path) {
    fs::path cached = CachePath(object_key, etag);
    std::error_code error;
    fs::rename(local_path, cached, error);
    if (error) {
      spdlog::debug("S3 keep {} in the cache: {}", local_path, error.message());
      fs::remove(local_path, error);
      return;
    }
    EvictFromCache(cached);
  }

  std::string ObjectKey(std::string_view key) const {
    if (location_.prefix.empty()) return std::string(key);
    return fmt::format("{}/{}", location_.prefix, key);
  }

  std::string Describe(std::string_view key) const {
    return fmt::format("s3://{}/{}", location_.bucket, ObjectKey(key));
  }

  // The cache file of one version of an object: its name hashes the bucket,
  // key and ETag, and ends with the key's own file name.
  fs::path CachePath(const std::string& object_key, const std::string& etag) const {
    std::string id = HexSha256(fmt::format("{}\n{}\n{}", location_.bucket, object_key, etag));
    return objects_dir_ / fmt::format("{}-{}", id.substr(0, 32), BaseName(object_key));
  }

  // Removes the least recently used cache files until the cache fits in
  // cache_max_bytes, sparing `keep` and every file younger than cache_min_age.
  void EvictFromCache(const fs::path& keep) {
    std::lock_guard<std::mutex> guard(eviction_mutex_);
    struct Entry {
      fs::path path;
      fs::file_time_type used;
      uint64_t size;
    };
    std::vector<Entry> entries;
    uint64_t total = 0;
    std::error_code error;
    for (auto it = fs::directory_iterator(objects_dir_, error);
         !error && it != fs::directory_iterator(); it.increment(error)) {
      std::error_code entry_error;
      uint64_t size = it->file_size(entry_error);
      auto used = it->last_write_time(entry_error);
      if (entry_error || !it->is_regular_file(entry_error)) continue;
      total += size;
      entries.push_back({it->path(), used, size});
    }
    if (total <= options_.cache_max_bytes) return;

    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.used < b.used; });
    auto recent = fs::file_time_type::clock::now() - options_.cache_min_age;
    for (const Entry& entry : entries) {
      if (total <= options_.cache_max_bytes) break;
      if (entry.path == keep || entry.used > recent) continue;
      if (fs::remove(entry.path, error)) total -= entry.size;
    }
    spdlog::debug("S3 cache {} contains {} bytes after eviction", objects_dir_.string(), total);
  }

  S3Location location_;
  S3Client client_;
  S3StorageOptions options_;
  fs::path objects_dir_;
  fs::path staging_dir_;
  std::mutex eviction_mutex_;
};

// Removes the staging folders ("PID-RANDOM") of processes that no longer
// run, which a crash or a kill leaves behind.
void RemoveStagingOfExitedProcesses(const fs::path& staging_root) {
  std::error_code error;
  for (auto it = fs::directory_iterator(staging_root, error);
       !error && it != fs::directory_iterator(); it.increment(error)) {
    std::string name = it->path().filename().string();
    pid_t pid = 0;
    auto [end, parse_error] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (parse_error != std::errc() || end == name.data() || *end != '-' || pid <= 0) continue;
    if (::kill(pid, 0) == 0 || errno != ESRCH) continue;
    std::error_code remove_error;
    fs::remove_all(it->path(), remove_error);
    if (remove_error) {
      spdlog::warn("S3 cache: remove staging folder {} of exited process {}: {}",
                   it->path().string(), pid, remove_error.message());
    }
  }
}

fs::path DefaultCacheDir() {
  std::string dir = Getenv("STEDI_CACHE_DIR");
  if (!dir.empty()) return dir;
  std::string xdg = Getenv("XDG_CACHE_HOME");
  if (!xdg.empty()) return fs::path(xdg) / "stedi";
  std::string home = Getenv("HOME");
  if (!home.empty()) return fs::path(home) / ".cache" / "stedi";
  return fs::temp_directory_path() / "stedi-cache";
}

}  // namespace

Result<S3Location> ParseS3Url(const std::string& url) {
  constexpr std::string_view kScheme = "s3://";
  if (!url.starts_with(kScheme)) {
    return Status::InvalidArgument(
        fmt::format("invalid S3 URL '{}': expected s3://BUCKET/PREFIX", url));
  }
  std::string_view rest = std::string_view(url).substr(kScheme.size());
  size_t slash = rest.find('/');
  S3Location location;
  location.bucket = std::string(rest.substr(0, slash));
  if (location.bucket.empty()) {
    return Status::InvalidArgument(fmt::format("invalid S3 URL '{}': the bucket is missing", url));
  }
  if (slash != std::string_view::npos) {
    std::string_view prefix = rest.substr(slash + 1);
    while (!prefix.empty() && prefix.front() == '/') prefix.remove_prefix(1);
    while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
    location.prefix = std::string(prefix);
  }
  return location;
}

Result<S3StorageOptions> LoadS3StorageOptionsFromEnvironment() {
  S3StorageOptions options;
  options.cache_dir = DefaultCacheDir().string();
  std::string max_mb = Getenv("STEDI_CACHE_MAX_MB");
  if (!max_mb.empty()) {
    uint64_t megabytes = 0;
    auto [ptr, error] = std::from_chars(max_mb.data(), max_mb.data() + max_mb.size(), megabytes);
    if (error != std::errc() || ptr != max_mb.data() + max_mb.size() || megabytes == 0) {
      return Status::InvalidArgument(fmt::format(
          "invalid STEDI_CACHE_MAX_MB '{}': expected a positive number of megabytes", max_mb));
    }
    options.cache_max_bytes = megabytes << 20;
  }
  return options;
}

Result<std::unique_ptr<Storage>> OpenS3Storage(const S3Location& location, S3Config config,
                                               S3StorageOptions options) {
  if (options.cache_dir.empty()) options.cache_dir = DefaultCacheDir().string();
  // Each storage stages its files in a folder of its own and removes it when
  // destroyed, so processes sharing the cache never touch each other's files.
  fs::path staging_root = fs::path(options.cache_dir) / "staging";
  RemoveStagingOfExitedProcesses(staging_root);
  fs::path staging = staging_root / fmt::format("{}-{}", ::getpid(), RandomHex());
  std::error_code error;
  fs::create_directories(fs::path(options.cache_dir) / "objects", error);
  if (!error) fs::create_directories(staging, error);
  if (error) {
    return Status::IOError(
        fmt::format("create cache folder {}: {}", options.cache_dir, error.message()));
  }
  return std::unique_ptr<Storage>(
      std::make_unique<S3Storage>(location, std::move(config), std::move(options), staging));
}

Result<std::unique_ptr<Storage>> OpenS3Storage(const std::string& url) {
  STEDI_ASSIGN_OR_RETURN(S3Location location, ParseS3Url(url));
  Result<S3Config> config = LoadS3ConfigFromEnvironment();
  if (!config.ok()) return config.status().WithContext(fmt::format("open {}", url));
  STEDI_ASSIGN_OR_RETURN(S3StorageOptions options, LoadS3StorageOptionsFromEnvironment());
  return OpenS3Storage(location, std::move(config).value(), std::move(options));
}

Result<std::unique_ptr<Storage>> OpenStorage(const std::string& location) {
  if (IsRemoteLocation(location)) return OpenS3Storage(location);
  return OpenLocalStorage(location);
}

bool IsRemoteLocation(std::string_view location) { return location.starts_with("s3://"); }

Result<ObjectUrl> SplitObjectUrl(std::string_view url) {
  STEDI_ASSIGN_OR_RETURN(S3Location location, ParseS3Url(std::string(url)));
  // ParseS3Url drops the trailing '/', which marks a folder here, so the key
  // is taken from the URL itself.
  std::string_view key = url.substr(std::string_view("s3://").size() + location.bucket.size());
  while (!key.empty() && key.front() == '/') key.remove_prefix(1);
  return ObjectUrl{"s3://" + location.bucket, std::string(key)};
}

}  // namespace stedi::storage
