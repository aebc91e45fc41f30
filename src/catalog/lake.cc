#include "catalog/lake.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace stedi::catalog {

namespace {

Status WriteLocalFile(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.flush();
  if (!out) return Status::IOError(fmt::format("write {}: {}", path, std::strerror(errno)));
  return Status::Ok();
}

Result<std::string> ReadLocalFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(fmt::format("open {}: {}", path, std::strerror(errno)));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return std::move(buffer).str();
}

}  // namespace

Result<Lake> Lake::Open(const std::string& location, bool create_if_missing) {
  Lake lake;
  lake.remote = storage::IsRemoteLocation(location);
  if (!lake.remote) {
    std::error_code error;
    lake.created =
        !std::filesystem::exists(std::filesystem::path(location) / std::string(kCatalogKey), error);
    if (lake.created && !create_if_missing) {
      return Status::NotFound(fmt::format("{} contains no lake", location));
    }
  }
  STEDI_ASSIGN_OR_RETURN(lake.storage, storage::OpenStorage(location));
  STEDI_ASSIGN_OR_RETURN(lake.catalog_path, lake.storage->LocalPathForWrite(kCatalogKey));
  if (lake.remote) {
    std::random_device random;
    uint64_t bits = (uint64_t{random()} << 32) | random();
    lake.writer_id = fmt::format("{:012x}", bits & 0xffffffffffffull);
    // Start from the published catalog, or from none.
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(lake.catalog_path + suffix, ignored);
    }
    Result<storage::VersionedObject> published = lake.storage->ReadVersioned(kCatalogKey);
    if (published.ok()) {
      lake.catalog_version = published->version;
      lake.catalog_bytes = std::move(published->data);
      STEDI_RETURN_IF_ERROR(WriteLocalFile(lake.catalog_path, lake.catalog_bytes));
    } else if (published.status().code() != StatusCode::kNotFound) {
      return published.status();
    } else if (!create_if_missing) {
      return Status::NotFound(fmt::format("{} contains no lake", location));
    } else {
      lake.created = true;
    }
  }
  STEDI_ASSIGN_OR_RETURN(lake.catalog, Catalog::Open(lake.catalog_path));
  return lake;
}

Status Lake::Publish() {
  if (!remote) return Status::Ok();
  // Fold the write-ahead log into the database file before uploading it.
  STEDI_RETURN_IF_ERROR(catalog->database().Execute("PRAGMA wal_checkpoint(TRUNCATE)"));
  STEDI_ASSIGN_OR_RETURN(std::string bytes, ReadLocalFile(catalog_path));
  if (bytes == catalog_bytes) return Status::Ok();
  Result<std::string> version = storage->WriteIfMatch(kCatalogKey, bytes, catalog_version);
  if (!version.ok()) {
    if (version.status().code() == StatusCode::kConflict) {
      return Status::Conflict(fmt::format(
          "another writer committed to the lake {} while this command ran, so none of this "
          "command's changes was committed; run it again",
          storage->Describe()));
    }
    return version.status().WithContext("publish the catalog");
  }
  catalog_version = *version;
  catalog_bytes = std::move(bytes);
  return Status::Ok();
}

Status Lake::PublishAfter(Status outcome, const std::function<void()>& on_published) {
  Status published = Publish();
  if (published.ok() && on_published) on_published();
  if (outcome.ok()) return published;
  if (!published.ok()) {
    spdlog::warn("nothing this command did before the error was committed: {}",
                 published.message());
  }
  return outcome;
}

namespace {

constexpr std::string_view kWriterLockKey = "_catalog/writer.lock";

std::string ReadHolder(int fd) {
  char buffer[512];
  ssize_t length = ::pread(fd, buffer, sizeof(buffer) - 1, 0);
  if (length <= 0) return "";
  std::string text(buffer, static_cast<size_t>(length));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

WriterLock::~WriterLock() {
  if (fd_ < 0) return;
  if (::ftruncate(fd_, 0) != 0) spdlog::debug("cannot clear the writer lock file");
  ::close(fd_);  // releases the flock
}

Result<WriterLock> AcquireWriterLock(Lake& lake, std::string_view command) {
  STEDI_ASSIGN_OR_RETURN(std::string path, lake.storage->LocalPathForWrite(kWriterLockKey));
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::IOError(fmt::format("open writer lock {}: {}", path, std::strerror(errno)));
  }
  WriterLock lock(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) {
      return Status::IOError(fmt::format("lock {}: {}", path, std::strerror(errno)));
    }
    std::string holder = ReadHolder(fd);
    return Status::Conflict(fmt::format(
        "the lake {} is locked by another writer ({}); wait for it to finish and try again",
        lake.storage->Describe(), holder.empty() ? "holder unknown" : holder));
  }
  std::string stale = ReadHolder(fd);
  if (!stale.empty()) {
    spdlog::warn("recovered the writer lock left by a process that ended without releasing it ({})",
                 stale);
  }
  std::string holder = fmt::format("pid {}, stedi {}, started {}", ::getpid(), command, NowUtc());
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, holder.data(), holder.size(), 0) < 0) {
    return Status::IOError(fmt::format("write writer lock {}: {}", path, std::strerror(errno)));
  }
  STEDI_ASSIGN_OR_RETURN(int64_t abandoned, lake.catalog->AbandonUnfinishedRuns());
  if (abandoned > 0) {
    spdlog::warn("marked {} run{} of an ended process as abandoned", abandoned,
                 abandoned == 1 ? "" : "s");
  }
  return lock;
}

}  // namespace stedi::catalog
