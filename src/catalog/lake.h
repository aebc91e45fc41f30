// A lake: its storage and its catalog, opened together.
#pragma once

#include <memory>
#include <string>

#include "catalog/catalog.h"
#include "common/status.h"
#include "storage/storage.h"

namespace stedi::catalog {

struct Lake {
  std::unique_ptr<storage::Storage> storage;
  std::unique_ptr<Catalog> catalog;

  // Opens the lake at `location` (a folder), creating it when missing.
  static Result<Lake> Open(const std::string& location);
};

// Storage key of the catalog database inside a lake.
inline constexpr std::string_view kCatalogKey = "_catalog/catalog.db";

}  // namespace stedi::catalog
