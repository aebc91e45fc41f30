// Quality rules: the expectations a job declares on its output in its model
// header, one `-- check:` line each, and their translation to SQL.
//
//   -- check: not_null(email)
//   -- check: unique(sensorReadingTime, serialNumber) warn
//   -- check: determines(serialNumber, email) on customer_landing warn
//
// A rule is `NAME(ARGUMENTS) [on TABLE] [warn|fail]`. It checks the job's
// output unless `on TABLE` names another table, and its severity is fail
// unless it says warn. Rule types and their arguments:
//   not_null(COLUMN, ...)            no NULL in any of the columns
//   unique(COLUMN, ...)              no two rows share the key
//   accepted_range(COLUMN, MIN, MAX) MIN <= value <= MAX, NULL allowed
//   accepted_values(COLUMN, 'V', ...) value is one of the literals, NULL allowed
//   matches(COLUMN, 'REGEX')         value matches the regular expression
//   references(COLUMN, TABLE.COLUMN) every value occurs in the other table
//   determines(KEY, COLUMN)          each KEY value has one COLUMN value
//   rows_at_most(TABLE)              no more rows than TABLE
//   rows_at_most(TABLE, KEY = TABLE_KEY)
//                                    per key value, no more rows than TABLE
//                                    has for the same TABLE_KEY value
//   no_columns(COLUMN, ...)          none of the columns exists
//   consenting_only(EMAIL_COLUMN)    every e-mail is a consenting customer's
//   consenting_only(COLUMN, TABLE)   every value maps, through TABLE's
//                                    column of the same name and its email
//                                    column, to a consenting customer
// A customer consents when the latest of their customer_landing records
// (by lastUpdateDate) has a shareWithResearchAsOfDate.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace stedi::quality {

enum class Severity { kFail, kWarn };

struct Rule {
  std::string text;                 // the rule as declared, without `-- check:`
  std::string type;                 // such as "not_null"
  std::vector<std::string> arguments;  // trimmed; string literals keep their quotes
  std::string table;                // the table checked; empty for the job's output
  Severity severity = Severity::kFail;
};

// Parses one rule. kInvalidArgument names the rule and what is wrong with it.
Result<Rule> ParseRule(std::string_view text);

// Returns the tables other than the job's output that the rule's SQL reads.
std::vector<std::string> TablesRead(const Rule& rule);

// Compiles the rule to a query over `relation` (the job's output, or the
// rule's table when it names one). Each row of the query is one violation,
// with one VARCHAR column `example` that describes it.
std::string CompileRule(const Rule& rule, std::string_view relation);

std::string_view SeverityName(Severity severity);

}  // namespace stedi::quality
