// Local-file helpers shared by the Storage implementations.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"

namespace stedi::storage {

// Returns `root`/`key` as a path whose folders exist, creating them when
// missing. kIOError when a folder cannot be created.
Result<std::string> PathWithFoldersUnder(const std::filesystem::path& root, std::string_view key);

}  // namespace stedi::storage
