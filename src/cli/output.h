// Prints rows as an aligned text table, CSV or JSON lines.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace stedi::cli {

enum class OutputFormat { kTable, kCsv, kJson };

Result<OutputFormat> ParseOutputFormat(std::string_view name);

// A rectangular set of rows; a missing value is SQL NULL.
struct Rows {
  std::vector<std::string> columns;
  std::vector<bool> numeric;  // per column: printed without quotes in JSON
  std::vector<std::vector<std::optional<std::string>>> values;
};

void PrintRows(const Rows& rows, OutputFormat format, std::ostream& out);

}  // namespace stedi::cli
