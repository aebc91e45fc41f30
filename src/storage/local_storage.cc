#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>

#include "common/hash.h"
#include "storage/storage.h"

namespace stedi::storage {
namespace {

namespace fs = std::filesystem;

std::string ErrnoText() { return std::strerror(errno); }

// A lake folder on local disk. Writes go to a temporary file in the same
// folder and are renamed into place, so readers never see a partial file.
// WriteIfMatch holds a process-wide mutex and an advisory lock file, so its
// compare-and-swap is atomic between processes on the same machine.
class LocalStorage final : public Storage {
 public:
  explicit LocalStorage(fs::path root) : root_(std::move(root)) {}

  std::string Describe() const override { return root_.string(); }

  Result<std::string> Read(std::string_view key) override {
    fs::path path = PathOf(key);
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      if (errno == ENOENT) return Status::NotFound(fmt::format("{} does not exist", path.string()));
      return Status::IOError(fmt::format("open {}: {}", path.string(), ErrnoText()));
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) return Status::IOError(fmt::format("read {}: {}", path.string(), ErrnoText()));
    return std::move(buffer).str();
  }

  Status Write(std::string_view key, std::string_view data) override {
    fs::path path = PathOf(key);
    std::error_code error;
    fs::create_directories(path.parent_path(), error);
    if (error) {
      return Status::IOError(
          fmt::format("create folder {}: {}", path.parent_path().string(), error.message()));
    }
    fs::path temp = path;
    temp += fmt::format(".tmp-{}-{}", ::getpid(), NextTempId());
    {
      std::ofstream out(temp, std::ios::binary | std::ios::trunc);
      if (!out) return Status::IOError(fmt::format("create {}: {}", temp.string(), ErrnoText()));
      out.write(data.data(), static_cast<std::streamsize>(data.size()));
      out.flush();
      if (!out) return Status::IOError(fmt::format("write {}: {}", temp.string(), ErrnoText()));
    }
    fs::rename(temp, path, error);
    if (error) {
      fs::remove(temp, error);
      return Status::IOError(fmt::format("rename into {}: {}", path.string(), error.message()));
    }
    return Status::Ok();
  }

  Result<bool> Exists(std::string_view key) override {
    std::error_code error;
    bool exists = fs::exists(PathOf(key), error);
    if (error) return Status::IOError(fmt::format("stat {}: {}", key, error.message()));
    return exists;
  }

  Result<std::vector<ObjectInfo>> List(std::string_view prefix) override {
    std::vector<ObjectInfo> objects;
    // Walk the deepest folder that the prefix names in full, then filter.
    std::string prefix_text(prefix);
    fs::path start = root_;
    if (auto slash = prefix_text.rfind('/'); slash != std::string::npos) {
      start = PathOf(prefix_text.substr(0, slash));
    }
    std::error_code error;
    if (!fs::exists(start, error)) return objects;
    for (auto it = fs::recursive_directory_iterator(start, error);
         !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
      if (!it->is_regular_file()) continue;
      std::string key = fs::relative(it->path(), root_).generic_string();
      if (key.find(".tmp-") != std::string::npos) continue;
      if (key.compare(0, prefix_text.size(), prefix_text) != 0) continue;
      struct stat info {};
      if (::stat(it->path().c_str(), &info) != 0) continue;  // removed while listing
      objects.push_back({key, static_cast<uint64_t>(info.st_size),
                         int64_t{info.st_mtim.tv_sec} * 1000 + info.st_mtim.tv_nsec / 1000000});
    }
    if (error) return Status::IOError(fmt::format("list {}: {}", start.string(), error.message()));
    std::sort(objects.begin(), objects.end(),
              [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
    return objects;
  }

  Status Delete(std::string_view key) override {
    std::error_code error;
    fs::remove(PathOf(key), error);
    if (error) return Status::IOError(fmt::format("delete {}: {}", key, error.message()));
    return Status::Ok();
  }

  Result<VersionedObject> ReadVersioned(std::string_view key) override {
    STEDI_ASSIGN_OR_RETURN(std::string data, Read(key));
    std::string version = HexSha256(data);
    return VersionedObject{std::move(data), std::move(version)};
  }

  Result<std::string> WriteIfMatch(std::string_view key, std::string_view data,
                                   std::string_view expected_version) override {
    std::lock_guard<std::mutex> guard(compare_and_swap_mutex_);
    STEDI_ASSIGN_OR_RETURN(std::string lock_path, LocalPathForWrite(std::string(key) + ".lock"));
    int lock_fd = ::open(lock_path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (lock_fd < 0) return Status::IOError(fmt::format("open {}: {}", lock_path, ErrnoText()));
    ::flock(lock_fd, LOCK_EX);
    Result<std::string> written = CompareAndWrite(key, data, expected_version);
    ::close(lock_fd);  // also releases the flock
    return written;
  }

  Result<std::string> CompareAndWrite(std::string_view key, std::string_view data,
                                      std::string_view expected_version) {
    Result<VersionedObject> current = ReadVersioned(key);
    if (!current.ok() && current.status().code() != StatusCode::kNotFound) return current.status();
    std::string current_version = current.ok() ? current->version : "";
    if (current_version != expected_version) {
      return Status::Conflict(fmt::format("{} was changed by another writer", key));
    }
    STEDI_RETURN_IF_ERROR(Write(key, data));
    return HexSha256(data);
  }

  Result<std::string> LocalPathForRead(std::string_view key) override {
    fs::path path = PathOf(key);
    std::error_code error;
    if (!fs::is_regular_file(path, error)) {
      if (error && error != std::errc::no_such_file_or_directory) {
        return Status::IOError(fmt::format("stat {}: {}", path.string(), error.message()));
      }
      return Status::NotFound(fmt::format("{} does not exist", path.string()));
    }
    return path.string();
  }

  Result<std::string> LocalPathForWrite(std::string_view key) override {
    fs::path path = PathOf(key);
    std::error_code error;
    fs::create_directories(path.parent_path(), error);
    if (error) {
      return Status::IOError(
          fmt::format("create folder {}: {}", path.parent_path().string(), error.message()));
    }
    return path.string();
  }

  Status PublishLocalFile(std::string_view key, const std::string& local_path) override {
    if (fs::path(local_path) == PathOf(key)) return Status::Ok();
    std::error_code error;
    fs::rename(local_path, PathOf(key), error);
    if (error) return Status::IOError(fmt::format("publish {}: {}", key, error.message()));
    return Status::Ok();
  }

  // A hard link fails when the name exists, which makes the check and the
  // write one step, also between processes.
  Status PublishLocalFileIfAbsent(std::string_view key, const std::string& local_path) override {
    std::string path = PathOf(key).string();
    if (::link(local_path.c_str(), path.c_str()) != 0) {
      if (errno == EEXIST) return Status::Conflict(fmt::format("{} exists already", key));
      return Status::IOError(fmt::format("publish {}: {}", key, ErrnoText()));
    }
    ::unlink(local_path.c_str());
    return Status::Ok();
  }

 private:
  fs::path PathOf(std::string_view key) const { return root_ / fs::path(std::string(key)); }

  static uint64_t NextTempId() {
    static std::atomic<uint64_t> counter{0};
    return ++counter;
  }

  fs::path root_;
  std::mutex compare_and_swap_mutex_;
};

}  // namespace

Result<std::unique_ptr<Storage>> OpenLocalStorage(const std::string& root) {
  std::error_code error;
  fs::create_directories(root, error);
  if (error)
    return Status::IOError(fmt::format("create lake folder {}: {}", root, error.message()));
  fs::path absolute = fs::absolute(root, error);
  if (error) return Status::IOError(fmt::format("resolve {}: {}", root, error.message()));
  return std::unique_ptr<Storage>(std::make_unique<LocalStorage>(absolute.lexically_normal()));
}

std::string JoinKey(std::initializer_list<std::string_view> parts) {
  std::string key;
  for (std::string_view part : parts) {
    if (part.empty()) continue;
    if (!key.empty() && key.back() != '/') key += '/';
    key += part;
  }
  return key;
}

}  // namespace stedi::storage
