#include "catalog/lake.h"

namespace stedi::catalog {

Result<Lake> Lake::Open(const std::string& location) {
  Lake lake;
  STEDI_ASSIGN_OR_RETURN(lake.storage, storage::OpenLocalStorage(location));
  STEDI_ASSIGN_OR_RETURN(std::string catalog_path, lake.storage->LocalPathForWrite(kCatalogKey));
  STEDI_ASSIGN_OR_RETURN(lake.catalog, Catalog::Open(catalog_path));
  return lake;
}

}  // namespace stedi::catalog
