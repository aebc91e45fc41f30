#include "quality/rule.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdlib>
#include <map>

#include "engine/database.h"

namespace stedi::quality {
namespace {

using engine::QuoteIdentifier;
using engine::QuoteLiteral;

// Consenting customers: those whose latest customer_landing record has a
// research consent date. The tie-break matches customer_trusted's.
constexpr std::string_view kConsentingCustomers =
    "SELECT email FROM customer_landing "
    "QUALIFY row_number() OVER (PARTITION BY email ORDER BY lastUpdateDate DESC NULLS LAST, "
    "registrationDate DESC NULLS LAST, serialNumber, customerName) = 1 "
    "AND shareWithResearchAsOfDate IS NOT NULL";

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

bool IsIdentifier(std::string_view text) {
  if (text.empty() || std::isdigit(static_cast<unsigned char>(text.front()))) return false;
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// A SQL string literal: quoted with ', an inner quote doubled.
bool IsStringLiteral(std::string_view text) {
  if (text.size() < 2 || text.front() != '\'' || text.back() != '\'') return false;
  std::string_view inner = text.substr(1, text.size() - 2);
  for (size_t i = 0; i < inner.size(); ++i) {
    if (inner[i] != '\'') continue;
    if (i + 1 >= inner.size() || inner[i + 1] != '\'') return false;
    ++i;
  }
  return true;
}

bool IsNumber(std::string_view text) {
  std::string copy(text);
  char* end = nullptr;
  std::strtod(copy.c_str(), &end);
  return !copy.empty() && end == copy.c_str() + copy.size();
}

// Splits `table.column`. Returns false when `text` has another shape.
bool SplitQualified(std::string_view text, std::string* table, std::string* column) {
  size_t dot = text.find('.');
  if (dot == std::string_view::npos) return false;
  *table = std::string(text.substr(0, dot));
  *column = std::string(text.substr(dot + 1));
  return IsIdentifier(*table) && IsIdentifier(*column);
}

// Splits `left = right` into two identifiers.
bool SplitEquality(std::string_view text, std::string* left, std::string* right) {
  size_t equals = text.find('=');
  if (equals == std::string_view::npos) return false;
  *left = std::string(Trim(text.substr(0, equals)));
  *right = std::string(Trim(text.substr(equals + 1)));
  return IsIdentifier(*left) && IsIdentifier(*right);
}

// Splits the text between the parentheses at commas outside string literals.
Result<std::vector<std::string>> SplitArguments(std::string_view text) {
  std::vector<std::string> arguments;
  std::string current;
  bool in_literal = false;
  for (char c : text) {
    if (c == '\'') in_literal = !in_literal;
    if (c == ',' && !in_literal) {
      arguments.emplace_back(Trim(current));
      current.clear();
      continue;
    }
    current += c;
  }
  if (in_literal) return Status::InvalidArgument("unterminated string literal");
  if (!Trim(current).empty() || !arguments.empty()) arguments.emplace_back(Trim(current));
  for (const std::string& argument : arguments) {
    if (argument.empty()) return Status::InvalidArgument("empty argument");
  }
  return arguments;
}

Status ExpectColumns(const std::vector<std::string>& arguments, size_t first, size_t last) {
  for (size_t i = first; i < last && i < arguments.size(); ++i) {
    if (!IsIdentifier(arguments[i])) {
      return Status::InvalidArgument(fmt::format("'{}' is not a column name", arguments[i]));
    }
  }
  return Status::Ok();
}

Status ExpectCount(const Rule& rule, size_t min, size_t max, std::string_view shape) {
  if (rule.arguments.size() < min || rule.arguments.size() > max) {
    return Status::InvalidArgument(fmt::format("expected {}({})", rule.type, shape));
  }
  return Status::Ok();
}

Status ValidateArguments(const Rule& rule) {
  const std::vector<std::string>& arguments = rule.arguments;
  std::string table;
  std::string column;
  if (rule.type == "not_null" || rule.type == "unique" || rule.type == "no_columns") {
    STEDI_RETURN_IF_ERROR(ExpectCount(rule, 1, 64, "COLUMN, ..."));
    return ExpectColumns(arguments, 0, arguments.size());
  }
  if (rule.type == "accepted_range") {
    STEDI_RETURN_IF_ERROR(ExpectCount(rule, 3, 3, "COLUMN, MIN, MAX"));
    STEDI_RETURN_IF_ERROR(ExpectColumns(arguments, 0, 1));
    if (!IsNumber(arguments[1]) || !IsNumber(arguments[2])) {
      return Status::InvalidArgument("MIN and MAX must be numbers");
    }
    return Status::Ok();
  }
  if (rule.type == "accepted_values" || rule.type == "matches") {
    bool values = rule.type == "accepted_values";
    STEDI_RETURN_IF_ERROR(values ? ExpectCount(rule, 2, 1024, "COLUMN, 'VALUE', ...")
                                 : ExpectCount(rule, 2, 2, "COLUMN, 'REGEX'"));
    STEDI_RETURN_IF_ERROR(ExpectColumns(arguments, 0, 1));
    for (size_t i = 1; i < arguments.size(); ++i) {
      if (!IsStringLiteral(arguments[i])) {
        return Status::InvalidArgument(
            fmt::format("'{}' is not a string literal in single quotes", arguments[i]));
      }
    }
    return Status::Ok();
  }
  if (rule.type == "references") {
    STEDI_RETURN_IF_ERROR(ExpectCount(rule, 2, 2, "COLUMN, TABLE.COLUMN"));
    STEDI_RETURN_IF_ERROR(ExpectColumns(arguments, 0, 1));
    if (!SplitQualified(arguments[1], &table, &column)) {
      return Status::InvalidArgument(fmt::format("'{}' is not TABLE.COLUMN", arguments[1]));
    }
    return Status::Ok();
  }
  if (rule.type == "determines") {
    STEDI_RETURN_IF_ERROR(ExpectCount(rule, 2, 2, "KEY, COLUMN"));
    return ExpectColumns(arguments, 0, 2);
  }
  if (rule.type == "rows_at_most") {
    STEDI_RETURN_IF_ERROR(ExpectCount(rule, 1, 2, "TABLE[, KEY = TABLE_KEY]"));
    STEDI_RETURN_IF_ERROR(ExpectColumns(arguments, 0, 1));
    if (arguments.size() == 2 && !SplitEquality(arguments[1], &table, &column)) {
      return Status::InvalidArgument(fmt::format("'{}' is not KEY = TABLE_KEY", arguments[1]));
    }
    return Status::Ok();
  }
  if (rule.type == "consenting_only") {
    STEDI_RETURN_IF_ERROR(ExpectCount(rule, 1, 2, "COLUMN[, TABLE]"));
    return ExpectColumns(arguments, 0, arguments.size());
  }
  return Status::InvalidArgument(fmt::format(
      "unknown rule type '{}'; the types are not_null, unique, accepted_range, "
      "accepted_values, matches, references, determines, rows_at_most, no_columns, "
      "consenting_only",
      rule.type));
}

// Parses what follows the closing parenthesis: `[on TABLE] [warn|fail]`.
Status ParseSuffix(std::string_view text, Rule& rule) {
  std::vector<std::string> words;
  size_t position = 0;
  while (position < text.size()) {
    size_t end = text.find_first_of(" \t", position);
    if (end == std::string_view::npos) end = text.size();
    if (end > position) words.emplace_back(text.substr(position, end - position));
    position = end + 1;
  }
  size_t i = 0;
  if (i < words.size() && words[i] == "on") {
    if (i + 1 >= words.size() || !IsIdentifier(words[i + 1])) {
      return Status::InvalidArgument("`on` needs a table name");
    }
    rule.table = words[i + 1];
    i += 2;
  }
  if (i < words.size() && (words[i] == "warn" || words[i] == "fail")) {
    rule.severity = words[i] == "warn" ? Severity::kWarn : Severity::kFail;
    ++i;
  }
  if (i < words.size()) {
    return Status::InvalidArgument(
        fmt::format("unexpected '{}' after the arguments (expected `on TABLE`, warn or fail)",
                    words[i]));
  }
  return Status::Ok();
}

Result<Rule> ParseRuleText(std::string_view text) {
  Rule rule;
  rule.text = std::string(text);
  size_t open = text.find('(');
  if (open == std::string_view::npos) return Status::InvalidArgument("expected NAME(ARGUMENTS)");
  rule.type = std::string(Trim(text.substr(0, open)));
  if (!IsIdentifier(rule.type)) return Status::InvalidArgument("expected NAME(ARGUMENTS)");

  bool in_literal = false;
  size_t close = std::string_view::npos;
  for (size_t i = open + 1; i < text.size(); ++i) {
    if (text[i] == '\'') in_literal = !in_literal;
    if (text[i] == ')' && !in_literal) {
      close = i;
      break;
    }
  }
  if (close == std::string_view::npos) return Status::InvalidArgument("missing ')'");
  STEDI_ASSIGN_OR_RETURN(rule.arguments, SplitArguments(text.substr(open + 1, close - open - 1)));
  STEDI_RETURN_IF_ERROR(ParseSuffix(Trim(text.substr(close + 1)), rule));
  STEDI_RETURN_IF_ERROR(ValidateArguments(rule));
  return rule;
}

// The value of `column` as text for an example, NULL spelled out.
std::string ValueText(std::string_view column) {
  return fmt::format("coalesce(CAST({} AS VARCHAR), 'NULL')", column);
}

// `column=value` for an example.
std::string NamedValue(const std::string& name, std::string_view expression) {
  return fmt::format("{} || {}", QuoteLiteral(name + "="), ValueText(expression));
}

std::string KeyText(const std::vector<std::string>& columns) {
  std::string text;
  for (const std::string& column : columns) {
    if (!text.empty()) text += " || ', ' || ";
    text += NamedValue(column, QuoteIdentifier(column));
  }
  return text;
}

std::string ColumnList(const std::vector<std::string>& columns) {
  std::string list;
  for (const std::string& column : columns) {
    if (!list.empty()) list += ", ";
    list += QuoteIdentifier(column);
  }
  return list;
}

std::string CompileNotNull(const Rule& rule, std::string_view relation) {
  std::string any_null;
  for (const std::string& column : rule.arguments) {
    if (!any_null.empty()) any_null += " OR ";
    any_null += QuoteIdentifier(column) + " IS NULL";
  }
  return fmt::format(
      "SELECT 'NULL in row ' || CAST(stedi_row AS VARCHAR) AS example FROM {} AS stedi_row "
      "WHERE {}",
      relation, any_null);
}

std::string CompileUnique(const Rule& rule, std::string_view relation) {
  return fmt::format(
      "SELECT {} || ' (' || count(*) || ' rows)' AS example FROM {} GROUP BY {} "
      "HAVING count(*) > 1",
      KeyText(rule.arguments), relation, ColumnList(rule.arguments));
}

std::string CompileAcceptedRange(const Rule& rule, std::string_view relation) {
  std::string column = QuoteIdentifier(rule.arguments[0]);
  return fmt::format("SELECT {} AS example FROM {} WHERE {} < {} OR {} > {}",
                     NamedValue(rule.arguments[0], column), relation, column, rule.arguments[1],
                     column, rule.arguments[2]);
}

std::string CompileAcceptedValues(const Rule& rule, std::string_view relation) {
  std::string column = QuoteIdentifier(rule.arguments[0]);
  std::string values;
  for (size_t i = 1; i < rule.arguments.size(); ++i) {
    if (!values.empty()) values += ", ";
    values += rule.arguments[i];
  }
  return fmt::format("SELECT {} AS example FROM {} WHERE {} IS NOT NULL AND {} NOT IN ({})",
                     NamedValue(rule.arguments[0], column), relation, column, column, values);
}

std::string CompileMatches(const Rule& rule, std::string_view relation) {
  std::string column = QuoteIdentifier(rule.arguments[0]);
  return fmt::format(
      "SELECT {} AS example FROM {} WHERE {} IS NOT NULL "
      "AND NOT regexp_matches(CAST({} AS VARCHAR), {})",
      NamedValue(rule.arguments[0], column), relation, column, column, rule.arguments[1]);
}

std::string CompileReferences(const Rule& rule, std::string_view relation) {
  std::string table;
  std::string key;
  SplitQualified(rule.arguments[1], &table, &key);
  std::string column = "stedi_row." + QuoteIdentifier(rule.arguments[0]);
  return fmt::format(
      "SELECT DISTINCT {} || ' is not in {}' AS example FROM {} AS stedi_row "
      "WHERE {} IS NOT NULL AND NOT EXISTS "
      "(SELECT 1 FROM {} AS stedi_referenced WHERE stedi_referenced.{} = {})",
      NamedValue(rule.arguments[0], column), rule.arguments[1], relation, column,
      QuoteIdentifier(table), QuoteIdentifier(key), column);
}

std::string CompileDetermines(const Rule& rule, std::string_view relation) {
  std::string key = QuoteIdentifier(rule.arguments[0]);
  std::string column = QuoteIdentifier(rule.arguments[1]);
  return fmt::format(
      "SELECT {} || ': ' || count(DISTINCT {}) || ' values of {}, such as ' || "
      "array_to_string(list_sort(list(DISTINCT CAST({} AS VARCHAR)))[1:3], ', ') AS example "
      "FROM {} WHERE {} IS NOT NULL GROUP BY {} HAVING count(DISTINCT {}) > 1",
      NamedValue(rule.arguments[0], key), column, rule.arguments[1], column, relation, key, key,
      column);
}

std::string CompileRowsAtMost(const Rule& rule, std::string_view relation) {
  std::string table = QuoteIdentifier(rule.arguments[0]);
  if (rule.arguments.size() == 1) {
    return fmt::format(
        "SELECT output_rows || ' rows, more than the ' || limit_rows || ' of {}' AS example "
        "FROM (SELECT (SELECT count(*) FROM {}) AS output_rows, "
        "(SELECT count(*) FROM {}) AS limit_rows) WHERE output_rows > limit_rows",
        rule.arguments[0], relation, table);
  }
  std::string key;
  std::string limit_key;
  SplitEquality(rule.arguments[1], &key, &limit_key);
  return fmt::format(
      "SELECT {} || ': ' || o.n || ' rows, more than the ' || coalesce(l.n, 0) || ' of {}' "
      "AS example "
      "FROM (SELECT {} AS k, count(*) AS n FROM {} GROUP BY {}) AS o "
      "LEFT JOIN (SELECT {} AS k, count(*) AS n FROM {} GROUP BY {}) AS l ON l.k = o.k "
      "WHERE o.n > coalesce(l.n, 0)",
      NamedValue(key, "o.k"), rule.arguments[0], QuoteIdentifier(key), relation,
      QuoteIdentifier(key), QuoteIdentifier(limit_key), table, QuoteIdentifier(limit_key));
}

std::string CompileNoColumns(const Rule& rule, std::string_view relation) {
  std::string names;
  for (const std::string& column : rule.arguments) {
    if (!names.empty()) names += ", ";
    names += QuoteLiteral(std::string(column));
  }
  return fmt::format(
      "SELECT 'column ' || column_name || ' is present' AS example "
      "FROM (DESCRIBE SELECT * FROM {}) WHERE lower(column_name) IN (SELECT lower(unnest([{}])))",
      relation, names);
}

std::string CompileConsentingOnly(const Rule& rule, std::string_view relation) {
  std::string column = "stedi_row." + QuoteIdentifier(rule.arguments[0]);
  std::string condition;
  if (rule.arguments.size() == 1) {
    condition = fmt::format("{} NOT IN (SELECT email FROM consenting)", column);
  } else {
    condition = fmt::format(
        "NOT EXISTS (SELECT 1 FROM {} AS stedi_map JOIN consenting ON consenting.email = "
        "stedi_map.email WHERE stedi_map.{} = {})",
        QuoteIdentifier(rule.arguments[1]), QuoteIdentifier(rule.arguments[0]), column);
  }
  return fmt::format(
      "WITH consenting AS ({}) "
      "SELECT DISTINCT {} || ' is not a consenting customer''s' AS example "
      "FROM {} AS stedi_row WHERE {} IS NOT NULL AND {}",
      kConsentingCustomers, NamedValue(rule.arguments[0], column), relation, column, condition);
}

}  // namespace

Result<Rule> ParseRule(std::string_view text) {
  text = Trim(text);
  Result<Rule> rule = ParseRuleText(text);
  if (!rule.ok()) return rule.status().WithContext(fmt::format("parse check `{}`", text));
  return rule;
}

std::vector<std::string> TablesRead(const Rule& rule) {
  std::vector<std::string> tables;
  if (!rule.table.empty()) tables.push_back(rule.table);
  std::string table;
  std::string column;
  if (rule.type == "references" && SplitQualified(rule.arguments[1], &table, &column)) {
    tables.push_back(table);
  }
  if (rule.type == "rows_at_most") tables.push_back(rule.arguments[0]);
  if (rule.type == "consenting_only") {
    tables.push_back("customer_landing");
    if (rule.arguments.size() == 2) tables.push_back(rule.arguments[1]);
  }
  return tables;
}

std::string CompileRule(const Rule& rule, std::string_view relation) {
  using Compiler = std::string (*)(const Rule&, std::string_view);
  static const std::map<std::string, Compiler, std::less<>> kCompilers = {
      {"not_null", CompileNotNull},
      {"unique", CompileUnique},
      {"accepted_range", CompileAcceptedRange},
      {"accepted_values", CompileAcceptedValues},
      {"matches", CompileMatches},
      {"references", CompileReferences},
      {"determines", CompileDetermines},
      {"rows_at_most", CompileRowsAtMost},
      {"no_columns", CompileNoColumns},
      {"consenting_only", CompileConsentingOnly},
  };
  // ParseRule accepts only the types above.
  return kCompilers.at(rule.type)(rule, relation);
}

std::string_view SeverityName(Severity severity) {
  return severity == Severity::kWarn ? "warn" : "fail";
}

}  // namespace stedi::quality
