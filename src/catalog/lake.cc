#include "catalog/lake.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace stedi::catalog {

Result<Lake> Lake::Open(const std::string& location) {
  Lake lake;
  STEDI_ASSIGN_OR_RETURN(lake.storage, storage::OpenLocalStorage(location));
  STEDI_ASSIGN_OR_RETURN(std::string catalog_path, lake.storage->LocalPathForWrite(kCatalogKey));
  STEDI_ASSIGN_OR_RETURN(lake.catalog, Catalog::Open(catalog_path));
  return lake;
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
  std::string holder =
      fmt::format("pid {}, stedi {}, started {}", ::getpid(), command, NowUtc());
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
