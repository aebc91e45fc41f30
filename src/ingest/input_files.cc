#include "ingest/input_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace stedi::ingest {
namespace {

namespace fs = std::filesystem;

// Names starting with '.' are hidden files. Names starting with '_' are the
// markers and metadata that Spark, Hadoop and Glue write beside data files,
// such as _SUCCESS. Both are skipped inside folders, not when named directly.
bool IsHiddenName(std::string_view name) {
  return !name.empty() && (name[0] == '.' || name[0] == '_');
}

bool IsHidden(const fs::path& path) { return IsHiddenName(path.filename().string()); }

// Returns whether any '/'-separated part of `key` is a hidden name.
bool HasHiddenPart(std::string_view key) {
  while (!key.empty()) {
    size_t slash = key.find('/');
    if (IsHiddenName(key.substr(0, slash))) return true;
    if (slash == std::string_view::npos) break;
    key.remove_prefix(slash + 1);
  }
  return false;
}

std::string BaseName(std::string_view key) {
  size_t slash = key.rfind('/');
  return std::string(slash == std::string_view::npos ? key : key.substr(slash + 1));
}

Result<std::string> ReadLocalFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(fmt::format("open {}: {}", path, std::strerror(errno)));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status::IOError(fmt::format("read {}: I/O error", path));
  return std::move(buffer).str();
}

// Lists the files under one local path: the path itself when it is a file,
// else the files of the folder, recursively in name order.
Result<std::vector<std::string>> ExpandLocalPath(const std::string& path) {
  std::error_code error;
  fs::file_status status = fs::status(path, error);
  if (error || !fs::exists(status)) {
    return Status::NotFound(fmt::format("input {} does not exist", path));
  }
  if (fs::is_regular_file(status)) return std::vector<std::string>{path};

  std::vector<std::string> found;
  for (auto it = fs::recursive_directory_iterator(path, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (IsHidden(it->path())) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) found.push_back(it->path().string());
  }
  if (error) return Status::IOError(fmt::format("list {}: {}", path, error.message()));
  std::sort(found.begin(), found.end());
  return found;
}

// Opens each store root once and keeps it in `files`.
class StoreCache {
 public:
  StoreCache(const StoreOpener& open_store, InputFiles& files)
      : open_store_(open_store), files_(files) {}

  Result<storage::Storage*> Get(const std::string& root) {
    auto found = by_root_.find(root);
    if (found != by_root_.end()) return found->second;
    STEDI_ASSIGN_OR_RETURN(std::unique_ptr<storage::Storage> store, open_store_(root));
    storage::Storage* opened = store.get();
    files_.stores.push_back(std::move(store));
    by_root_.emplace(root, opened);
    return opened;
  }

 private:
  const StoreOpener& open_store_;
  InputFiles& files_;
  std::map<std::string, storage::Storage*> by_root_;
};

Status ExpandRemoteInput(const std::string& input, StoreCache& stores, InputFiles& files) {
  STEDI_ASSIGN_OR_RETURN(storage::ObjectUrl url, storage::SplitObjectUrl(input));
  Result<storage::Storage*> store = stores.Get(url.store);
  if (!store.ok()) return store.status();
  STEDI_ASSIGN_OR_RETURN(std::vector<std::string> keys, ExpandObjectKey(**store, url.key, input));
  for (std::string& key : keys) {
    std::string location = fmt::format("{}/{}", url.store, key);
    files.files.push_back({location, location, BaseName(key), *store, std::move(key)});
  }
  return Status::Ok();
}

}  // namespace

Result<InputFiles> ExpandInputs(const std::vector<std::string>& inputs,
                                const StoreOpener& open_store) {
  InputFiles files;
  StoreCache stores(open_store, files);
  for (const std::string& input : inputs) {
    if (storage::IsRemoteLocation(input)) {
      STEDI_RETURN_IF_ERROR(ExpandRemoteInput(input, stores, files));
      continue;
    }
    STEDI_ASSIGN_OR_RETURN(std::vector<std::string> paths, ExpandLocalPath(input));
    for (std::string& path : paths) {
      std::string origin = fs::absolute(path).string();
      std::string name = fs::path(path).filename().string();
      files.files.push_back({std::move(path), std::move(origin), std::move(name), nullptr, ""});
    }
  }
  return files;
}

Result<std::vector<std::string>> ExpandObjectKey(storage::Storage& store, std::string_view key,
                                                 std::string_view url) {
  std::string folder(key);
  if (!key.empty() && !key.ends_with('/')) {
    Result<bool> exists = store.Exists(key);
    if (!exists.ok()) return exists.status().WithContext(fmt::format("find input {}", url));
    if (*exists) return std::vector<std::string>{std::string(key)};
    folder += '/';
  }

  Result<std::vector<storage::ObjectInfo>> objects = store.List(folder);
  if (!objects.ok()) return objects.status().WithContext(fmt::format("list input {}", url));
  if (objects->empty()) {
    if (folder == key) {
      return Status::NotFound(
          fmt::format("input {} does not exist: no object key starts with '{}'", url, folder));
    }
    return Status::NotFound(fmt::format(
        "input {} does not exist: no object has the key '{}' or a key starting with '{}'", url, key,
        folder));
  }
  std::vector<std::string> keys;
  for (storage::ObjectInfo& object : *objects) {
    std::string_view below = std::string_view(object.key).substr(folder.size());
    // Keys ending in '/' are folder markers, such as the empty objects that
    // the S3 console creates for folders.
    if (below.empty() || below.ends_with('/') || HasHiddenPart(below)) continue;
    keys.push_back(std::move(object.key));
  }
  return keys;
}

Result<std::string> ReadInputFile(const InputFile& file) {
  if (file.store == nullptr) return ReadLocalFile(file.location);
  Result<std::string> bytes = file.store->Read(file.key);
  if (!bytes.ok()) return bytes.status().WithContext(fmt::format("read {}", file.location));
  return bytes;
}

}  // namespace stedi::ingest
