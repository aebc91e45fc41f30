// The SQL model files compiled into the binary (see cmake/EmbedModels.cmake).
#pragma once

#include <string_view>
#include <vector>

namespace stedi {

struct EmbeddedFile {
  std::string_view name;  // file name, such as "customer_trusted.sql"
  std::string_view text;
};

// Returns the model files in name order.
const std::vector<EmbeddedFile>& EmbeddedModelFiles();

}  // namespace stedi
