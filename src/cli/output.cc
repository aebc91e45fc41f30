#include "cli/output.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace stedi::cli {
namespace {

std::string CsvField(const std::optional<std::string>& value) {
  if (!value) return "";
  if (value->find_first_of(",\"\n\r") == std::string::npos) return *value;
  std::string quoted = "\"";
  for (char c : *value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

// Display width in terminal columns, counting each UTF-8 code point as one.
size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++width;
  }
  return width;
}

void PrintTable(const Rows& rows, std::ostream& out) {
  constexpr std::string_view kNull = "NULL";
  std::vector<size_t> widths;
  for (const std::string& column : rows.columns) widths.push_back(DisplayWidth(column));
  for (const auto& row : rows.values) {
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i] ? *row[i] : kNull));
    }
  }
  auto print_cell = [&](std::string_view text, size_t i, bool right) {
    std::string padding(widths[i] - DisplayWidth(text), ' ');
    bool last = i + 1 == widths.size();
    out << (i == 0 ? "" : "  ") << (right ? padding : "") << text << (right || last ? "" : padding);
  };
  for (size_t i = 0; i < rows.columns.size(); ++i) print_cell(rows.columns[i], i, false);
  out << '\n';
  for (size_t i = 0; i < rows.columns.size(); ++i) {
    out << (i == 0 ? "" : "  ") << std::string(widths[i], '-');
  }
  out << '\n';
  for (const auto& row : rows.values) {
    for (size_t i = 0; i < row.size(); ++i) {
      bool right = i < rows.numeric.size() && rows.numeric[i];
      print_cell(row[i] ? std::string_view(*row[i]) : kNull, i, right);
    }
    out << '\n';
  }
  out << fmt::format("({} row{})\n", rows.values.size(), rows.values.size() == 1 ? "" : "s");
}

void PrintCsv(const Rows& rows, std::ostream& out) {
  for (size_t i = 0; i < rows.columns.size(); ++i) {
    out << (i == 0 ? "" : ",") << CsvField(rows.columns[i]);
  }
  out << '\n';
  for (const auto& row : rows.values) {
    for (size_t i = 0; i < row.size(); ++i) out << (i == 0 ? "" : ",") << CsvField(row[i]);
    out << '\n';
  }
}

void PrintJson(const Rows& rows, std::ostream& out) {
  for (const auto& row : rows.values) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (size_t i = 0; i < row.size(); ++i) {
      const std::string& name = rows.columns[i];
      if (!row[i]) {
        object[name] = nullptr;
      } else if (i < rows.numeric.size() && rows.numeric[i]) {
        // Numbers keep DuckDB's exact text, such as 1655564376361 or 0.5.
        nlohmann::ordered_json number = nlohmann::ordered_json::parse(*row[i], nullptr, false);
        object[name] = number.is_discarded() ? nlohmann::ordered_json(*row[i]) : number;
      } else {
        object[name] = *row[i];
      }
    }
    out << object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  }
}

}  // namespace

Result<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name == "table") return OutputFormat::kTable;
  if (name == "csv") return OutputFormat::kCsv;
  if (name == "json") return OutputFormat::kJson;
  return Status::InvalidArgument(fmt::format("invalid format '{}': use table, csv or json", name));
}

void PrintRows(const Rows& rows, OutputFormat format, std::ostream& out) {
  switch (format) {
    case OutputFormat::kTable:
      PrintTable(rows, out);
      break;
    case OutputFormat::kCsv:
      PrintCsv(rows, out);
      break;
    case OutputFormat::kJson:
      PrintJson(rows, out);
      break;
  }
}

}  // namespace stedi::cli
