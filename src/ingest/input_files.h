// The files that `stedi ingest` lands: local files and folders, and objects
// and folders of remote stores named by URL, such as
// "s3://bucket/customer/landing/".
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/storage.h"

namespace stedi::ingest {

// One file to land.
struct InputFile {
  std::string location;  // the path or URL shown in messages, such as "s3://bucket/in/a.json"
  std::string origin;    // the path or URL recorded in the catalog; local paths are absolute
  std::string name;      // the file name, without folders
  storage::Storage* store = nullptr;  // the remote store holding the file; nullptr when local
  std::string key;                    // the file's key in `store`
};

// The files under a list of inputs, together with the remote stores they are
// read from, one per store root. InputFile::store points into `stores`, so
// the files are valid while this object lives.
struct InputFiles {
  std::vector<InputFile> files;
  std::vector<std::unique_ptr<storage::Storage>> stores;
};

// Opens the remote store at a root such as "s3://bucket".
using StoreOpener =
    std::function<Result<std::unique_ptr<storage::Storage>>(const std::string& root)>;

// Lists the files under `inputs`, in input order. A local path is a file,
// or a folder whose files are taken recursively in name order. A URL is
// expanded by ExpandObjectKey in the store that `open_store` opens for its
// root; each store is opened once, however many inputs name it. Inside
// folders, names starting with '.' or '_' are skipped, but not when an
// input names them directly.
//
// kNotFound names an input that matches no file or object; errors from
// opening or listing a store carry the input's URL.
Result<InputFiles> ExpandInputs(const std::vector<std::string>& inputs,
                                const StoreOpener& open_store = storage::OpenStorage);

// Lists the keys of the files that `key` names in `store`, in key order:
//  - an empty key, or one ending in '/', is a folder: every object under it;
//  - otherwise an existing object is that one object;
//  - else the key is taken as the folder "KEY/".
// Below the folder, keys with a part starting with '.' or '_' (such as
// "_SUCCESS" or ".tmp/a.json") and keys ending in '/' are skipped. kNotFound,
// naming `url`, when no object has the key or lies under the folder. A
// folder whose objects are all skipped gives an empty list.
Result<std::vector<std::string>> ExpandObjectKey(storage::Storage& store, std::string_view key,
                                                 std::string_view url);

// Reads a whole input file into memory. The error, such as kIOError or
// kNotFound, names file.location.
Result<std::string> ReadInputFile(const InputFile& file);

}  // namespace stedi::ingest
