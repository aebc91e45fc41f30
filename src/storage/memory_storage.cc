#include "storage/memory_storage.h"

#include <fmt/format.h>
#include <stdlib.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>

#include "storage/local_files.h"

namespace stedi::storage {
namespace {

namespace fs = std::filesystem;

struct PrefixFault {
  std::string prefix;
  Status status;
};

class MemoryStorageImpl final : public MemoryStorage {
 public:
  explicit MemoryStorageImpl(fs::path files_dir) : files_dir_(std::move(files_dir)) {}

  ~MemoryStorageImpl() override {
    std::error_code ignored;
    fs::remove_all(files_dir_, ignored);
  }

  std::string Describe() const override { return "memory:" + files_dir_.string(); }

  Result<std::string> Read(std::string_view key) override {
    STEDI_ASSIGN_OR_RETURN(VersionedObject object, ReadVersioned(key));
    return std::move(object.data);
  }

  Status Write(std::string_view key, std::string_view data) override {
    std::lock_guard<std::mutex> guard(mutex_);
    STEDI_RETURN_IF_ERROR(CheckWriteFaults(key));
    Store(key, data);
    return Status::Ok();
  }

  Result<bool> Exists(std::string_view key) override {
    std::lock_guard<std::mutex> guard(mutex_);
    return objects_.contains(std::string(key));
  }

  Result<std::vector<ObjectInfo>> List(std::string_view prefix) override {
    std::lock_guard<std::mutex> guard(mutex_);
    std::vector<ObjectInfo> objects;
    for (auto it = objects_.lower_bound(std::string(prefix));
         it != objects_.end() && it->first.starts_with(prefix); ++it) {
      objects.push_back({it->first, it->second.data.size(), modified_ms_.at(it->first)});
    }
    return objects;
  }

  Status Delete(std::string_view key) override {
    std::lock_guard<std::mutex> guard(mutex_);
    STEDI_RETURN_IF_ERROR(CheckWriteFaults(key));
    objects_.erase(std::string(key));
    modified_ms_.erase(std::string(key));
    return Status::Ok();
  }

  Result<VersionedObject> ReadVersioned(std::string_view key) override {
    std::lock_guard<std::mutex> guard(mutex_);
    STEDI_RETURN_IF_ERROR(CheckReadFaults(key));
    auto it = objects_.find(std::string(key));
    if (it == objects_.end()) return Status::NotFound(fmt::format("{} does not exist", key));
    return it->second;
  }

  Result<std::string> WriteIfMatch(std::string_view key, std::string_view data,
                                   std::string_view expected_version) override {
    std::lock_guard<std::mutex> guard(mutex_);
    STEDI_RETURN_IF_ERROR(CheckWriteFaults(key));
    auto it = objects_.find(std::string(key));
    std::string_view current = it == objects_.end() ? std::string_view() : it->second.version;
    if (current != expected_version) {
      return Status::Conflict(fmt::format("{} was changed by another writer", key));
    }
    return Store(key, data);
  }

  Result<std::string> LocalPathForRead(std::string_view key) override {
    std::lock_guard<std::mutex> guard(mutex_);
    STEDI_RETURN_IF_ERROR(CheckReadFaults(key));
    auto it = objects_.find(std::string(key));
    if (it == objects_.end()) return Status::NotFound(fmt::format("{} does not exist", key));
    fs::path path = ReadCopyPath(key);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(it->second.data.data(), static_cast<std::streamsize>(it->second.data.size()));
    out.close();
    if (!out) return Status::IOError(fmt::format("write {}: failed", path.string()));
    return path.string();
  }

  // The key's own path under a staging folder: asking again for a key gives
  // the same path, as on local disk.
  Result<std::string> LocalPathForWrite(std::string_view key) override {
    return PathWithFoldersUnder(files_dir_ / "staging", key);
  }

  Status PublishLocalFile(std::string_view key, const std::string& local_path) override {
    return Publish(key, local_path, /*only_if_absent=*/false);
  }

  Status PublishLocalFileIfAbsent(std::string_view key, const std::string& local_path) override {
    return Publish(key, local_path, /*only_if_absent=*/true);
  }

  Status Publish(std::string_view key, const std::string& local_path, bool only_if_absent) {
    std::ifstream in(local_path, std::ios::binary);
    if (!in) return Status::IOError(fmt::format("publish {}: cannot open {}", key, local_path));
    std::ostringstream content;
    content << in.rdbuf();
    in.close();

    std::lock_guard<std::mutex> guard(mutex_);
    STEDI_RETURN_IF_ERROR(CheckWriteFaults(key));
    if (only_if_absent && objects_.count(std::string(key)) > 0) {
      return Status::Conflict(fmt::format("{} exists already", key));
    }
    Store(key, content.view());
    std::error_code ignored;
    fs::remove(local_path, ignored);
    return Status::Ok();
  }

  void FailNthWrite(int n, Status status) override {
    std::lock_guard<std::mutex> guard(mutex_);
    nth_write_fault_ = {write_count_ + n, std::move(status)};
  }

  void FailWritesWithPrefix(std::string prefix, Status status) override {
    std::lock_guard<std::mutex> guard(mutex_);
    write_faults_.push_back({std::move(prefix), std::move(status)});
  }

  void FailReadsWithPrefix(std::string prefix, Status status) override {
    std::lock_guard<std::mutex> guard(mutex_);
    read_faults_.push_back({std::move(prefix), std::move(status)});
  }

  void ClearFaults() override {
    std::lock_guard<std::mutex> guard(mutex_);
    nth_write_fault_.reset();
    write_faults_.clear();
    read_faults_.clear();
  }

  int write_count() const override {
    std::lock_guard<std::mutex> guard(mutex_);
    return write_count_;
  }

 private:
  // Counts one write of `key` and returns the fault it meets, if any.
  // Requires mutex_.
  Status CheckWriteFaults(std::string_view key) {
    ++write_count_;
    if (nth_write_fault_ && nth_write_fault_->first == write_count_) {
      Status status = std::move(nth_write_fault_->second);
      nth_write_fault_.reset();
      return status.WithContext(fmt::format("write {}", key));
    }
    return MatchingFault(write_faults_, key, "write");
  }

  Status CheckReadFaults(std::string_view key) const {
    return MatchingFault(read_faults_, key, "read");
  }

  static Status MatchingFault(const std::vector<PrefixFault>& faults, std::string_view key,
                              std::string_view operation) {
    for (const PrefixFault& fault : faults) {
      if (key.starts_with(fault.prefix)) {
        return fault.status.WithContext(fmt::format("{} {}", operation, key));
      }
    }
    return Status::Ok();
  }

  // Requires mutex_. Returns the new version.
  std::string Store(std::string_view key, std::string_view data) {
    std::string version = fmt::format("m{}", ++generation_);
    objects_[std::string(key)] = VersionedObject{std::string(data), version};
    modified_ms_[std::string(key)] = std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count();
    return version;
  }

  // A fresh local file for a copy of `key` that keeps its file name, so a
  // reader of an earlier copy is never disturbed. Requires mutex_.
  fs::path ReadCopyPath(std::string_view key) {
    size_t slash = key.rfind('/');
    std::string_view name = slash == std::string_view::npos ? key : key.substr(slash + 1);
    return files_dir_ / fmt::format("{}-{}", ++file_id_, name);
  }

  const fs::path files_dir_;
  mutable std::mutex mutex_;
  std::map<std::string, VersionedObject> objects_;
  std::map<std::string, int64_t> modified_ms_;  // Unix milliseconds of each object's last write
  uint64_t generation_ = 0;
  uint64_t file_id_ = 0;
  int write_count_ = 0;
  std::optional<std::pair<int, Status>> nth_write_fault_;
  std::vector<PrefixFault> write_faults_;
  std::vector<PrefixFault> read_faults_;
};

}  // namespace

Result<std::unique_ptr<MemoryStorage>> OpenMemoryStorage() {
  std::string pattern = (fs::temp_directory_path() / "stedi-memory-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Status::IOError(
        fmt::format("create temporary folder {}: {}", pattern, std::strerror(errno)));
  }
  return std::unique_ptr<MemoryStorage>(std::make_unique<MemoryStorageImpl>(pattern));
}

}  // namespace stedi::storage
