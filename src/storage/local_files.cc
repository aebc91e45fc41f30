#include "storage/local_files.h"

#include <fmt/format.h>

namespace stedi::storage {

Result<std::string> PathWithFoldersUnder(const std::filesystem::path& root, std::string_view key) {
  std::filesystem::path path = root / std::filesystem::path(std::string(key));
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  if (error) {
    return Status::IOError(
        fmt::format("create folder {}: {}", path.parent_path().string(), error.message()));
  }
  return path.string();
}

}  // namespace stedi::storage
