#include "ingest/record_parser.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <map>
#include <thread>

#include "ingest/gzip.h"

namespace stedi::ingest {
namespace {

namespace ondemand = simdjson::ondemand;

// JSON value types as the drift report names them. Numbers are split by
// their text: a fraction or exponent makes a float.
enum JsonKind : int {
  kJsonString,
  kJsonInteger,
  kJsonFloat,
  kJsonBoolean,
  kJsonNull,
  kJsonObject,
  kJsonArray,
  kJsonKindCount
};
constexpr std::array<std::string_view, kJsonKindCount> kJsonKindNames = {
    "string", "integer", "float", "boolean", "null", "object", "array"};

enum Coercion : int { kIntegralFloat, kNumberToString, kIntegerToDouble, kCoercionCount };
constexpr std::array<std::string_view, kCoercionCount> kCoercionNames = {
    "integral float to integer", "number to string", "integer to double"};

// Integers of at most this magnitude convert to a double exactly.
constexpr int64_t kMaxExactDouble = int64_t{1} << 53;
// Maximum bytes of a value quoted in a reason.
constexpr size_t kMaxQuotedValue = 40;

bool IsJsonWhitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view TrimTrailingWhitespace(std::string_view text) {
  while (!text.empty() && IsJsonWhitespace(text.back())) text.remove_suffix(1);
  return text;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

// Cuts `text` to at most `max_bytes` without splitting a UTF-8 sequence.
std::string_view CutUtf8(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

// `text` in double quotes with quotes, backslashes and control characters
// escaped, cut after kMaxQuotedValue bytes.
std::string Quote(std::string_view text) {
  std::string_view cut = CutUtf8(text, kMaxQuotedValue);
  std::string quoted = "\"";
  for (char c : cut) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      quoted += fmt::format("\\u{:04x}", static_cast<int>(c));
    } else {
      quoted += c;
    }
  }
  quoted += '"';
  if (cut.size() < text.size()) quoted += "...";
  return quoted;
}

enum class IntegerParse { kOk, kNotIntegral, kOutOfRange, kInvalid };

// Reads a JSON number token exactly as a 64-bit integer. A fraction or an
// exponent is allowed when the value is still a whole number ("1.0",
// "1.5e1"), so no rounding can happen on the way. kInvalid means the token
// is not a JSON number at all.
IntegerParse ParseExactInteger(std::string_view token, int64_t* value) {
  // Fast path: a plain integer of at most 18 digits cannot overflow.
  size_t sign = !token.empty() && token[0] == '-' ? 1 : 0;
  size_t length = token.size() - sign;
  if (length >= 1 && length <= 18 && (token[sign] != '0' || length == 1)) {
    int64_t magnitude = 0;
    size_t i = sign;
    for (; i < token.size() && IsDigit(token[i]); ++i)
      magnitude = magnitude * 10 + (token[i] - '0');
    if (i == token.size()) {
      *value = sign ? -magnitude : magnitude;
      return IntegerParse::kOk;
    }
  }

  size_t i = 0;
  bool negative = false;
  if (i < token.size() && token[i] == '-') {
    negative = true;
    ++i;
  }
  auto is_digit = [&](size_t at) {
    return at < token.size() && token[at] >= '0' && token[at] <= '9';
  };
  if (!is_digit(i)) return IntegerParse::kInvalid;
  // Significant digits without leading zeros, and the power of ten they scale by.
  std::string digits;
  int64_t exponent = 0;
  if (token[i] == '0') {
    ++i;
  } else {
    while (is_digit(i)) {
      digits += token[i++];
    }
  }
  if (i < token.size() && token[i] == '.') {
    ++i;
    if (!is_digit(i)) return IntegerParse::kInvalid;
    while (is_digit(i)) {
      if (!digits.empty() || token[i] != '0') digits += token[i];
      --exponent;
      ++i;
    }
  }
  if (i < token.size() && (token[i] == 'e' || token[i] == 'E')) {
    ++i;
    bool exponent_negative = false;
    if (i < token.size() && (token[i] == '+' || token[i] == '-')) {
      exponent_negative = token[i] == '-';
      ++i;
    }
    if (!is_digit(i)) return IntegerParse::kInvalid;
    int64_t written = 0;
    while (is_digit(i)) {
      // Saturate: any exponent beyond a million is out of range or zero anyway.
      written = std::min<int64_t>(written * 10 + (token[i] - '0'), 1000000);
      ++i;
    }
    exponent += exponent_negative ? -written : written;
  }
  if (i != token.size()) return IntegerParse::kInvalid;

  while (!digits.empty() && digits.back() == '0') {
    digits.pop_back();
    ++exponent;
  }
  if (digits.empty()) {
    *value = 0;
    return IntegerParse::kOk;
  }
  if (exponent < 0) return IntegerParse::kNotIntegral;
  if (static_cast<int64_t>(digits.size()) + exponent > 19) return IntegerParse::kOutOfRange;
  // At most 19 digits: the magnitude fits in 64 unsigned bits.
  uint64_t magnitude = 0;
  for (char d : digits) magnitude = magnitude * 10 + static_cast<uint64_t>(d - '0');
  for (int64_t e = 0; e < exponent; ++e) magnitude *= 10;
  uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (magnitude > limit) return IntegerParse::kOutOfRange;
  *value = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
  return IntegerParse::kOk;
}

// Checks the JSON number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view token) {
  size_t i = 0;
  size_t size = token.size();
  auto skip_digits = [&] {
    size_t start = i;
    while (i < size && IsDigit(token[i])) ++i;
    return i > start;
  };
  if (i < size && token[i] == '-') ++i;
  if (i < size && token[i] == '0') {
    ++i;
  } else if (!skip_digits()) {
    return false;
  }
  if (i < size && token[i] == '.') {
    ++i;
    if (!skip_digits()) return false;
  }
  if (i < size && (token[i] == 'e' || token[i] == 'E')) {
    ++i;
    if (i < size && (token[i] == '+' || token[i] == '-')) ++i;
    if (!skip_digits()) return false;
  }
  return i == size;
}

std::string JsonErrorReason(simdjson::error_code error) {
  switch (error) {
    case simdjson::UTF8_ERROR:
      return "invalid UTF-8";
    case simdjson::UNCLOSED_STRING:
      return "invalid JSON: a string is not closed";
    case simdjson::STRING_ERROR:
      return "invalid JSON: invalid string or escape sequence";
    case simdjson::UNESCAPED_CHARS:
      return "invalid JSON: control character inside a string";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
      return "invalid JSON: invalid literal (expected true, false or null)";
    case simdjson::NUMBER_ERROR:
      return "invalid JSON: invalid number";
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return "invalid JSON: incomplete object or array";
    case simdjson::TRAILING_CONTENT:
      return "invalid JSON: unexpected text after the record";
    case simdjson::DEPTH_ERROR:
      return "invalid JSON: nested too deeply";
    case simdjson::EMPTY:
      return "invalid JSON: empty record";
    case simdjson::TAPE_ERROR:
      return "invalid JSON: missing or extra comma, colon, brace or bracket";
    default:
      return fmt::format("invalid JSON: {}", simdjson::error_message(error));
  }
}

// One value read and checked by ReadValue.
struct ValueInfo {
  JsonKind kind = kJsonNull;
  std::string_view text;  // unescaped string content or the number token
  bool boolean = false;
  // kJsonFloat only: the value as the nearest double, when it is finite.
  bool has_double = false;
  double number = 0;
};

// Reads `value` in full, so that malformed JSON anywhere inside it is
// found even where the content itself is ignored. Strings in `info` live in
// the parser's buffer until its next document.
simdjson::error_code ReadValue(ondemand::value value, ValueInfo* info) {
  ondemand::json_type type;
  if (auto error = value.type().get(type)) return error;
  switch (type) {
    case ondemand::json_type::string: {
      info->kind = kJsonString;
      return value.get_string().get(info->text);
    }
    case ondemand::json_type::number: {
      std::string_view token = TrimTrailingWhitespace(value.raw_json_token());
      if (!IsJsonNumber(token)) return simdjson::NUMBER_ERROR;
      info->text = token;
      info->kind =
          std::all_of(token.begin(), token.end(), [](char c) { return IsDigit(c) || c == '-'; })
              ? kJsonInteger
              : kJsonFloat;
      // simdjson rounds correctly and rejects values beyond the double range.
      if (info->kind == kJsonFloat) {
        info->has_double = value.get_double().get(info->number) == simdjson::SUCCESS;
      }
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::boolean: {
      info->kind = kJsonBoolean;
      return value.get_bool().get(info->boolean);
    }
    case ondemand::json_type::null: {
      info->kind = kJsonNull;
      bool is_null = false;
      if (auto error = value.is_null().get(is_null)) return error;
      return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
    case ondemand::json_type::object: {
      info->kind = kJsonObject;
      ondemand::object object;
      if (auto error = value.get_object().get(object)) return error;
      for (auto field_result : object) {
        ondemand::field field;
        if (auto error = std::move(field_result).get(field)) return error;
        std::string_view key;
        if (auto error = field.unescaped_key().get(key)) return error;
        ValueInfo inner;
        if (auto error = ReadValue(field.value(), &inner)) return error;
      }
      info->kind = kJsonObject;
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::array: {
      ondemand::array array;
      if (auto error = value.get_array().get(array)) return error;
      for (auto element_result : array) {
        ondemand::value element;
        if (auto error = std::move(element_result).get(element)) return error;
        ValueInfo inner;
        if (auto error = ReadValue(element, &inner)) return error;
      }
      info->kind = kJsonArray;
      return simdjson::SUCCESS;
    }
  }
  return simdjson::INCORRECT_TYPE;
}

// Names a value for a reason: `string "218cm"`, `float 1.5`, `object`.
std::string DescribeValue(const ValueInfo& info) {
  switch (info.kind) {
    case kJsonString:
      return "string " + Quote(info.text);
    case kJsonInteger:
      return "integer " + std::string(CutUtf8(info.text, kMaxQuotedValue));
    case kJsonFloat:
      return "float " + std::string(CutUtf8(info.text, kMaxQuotedValue));
    case kJsonBoolean:
      return info.boolean ? "boolean true" : "boolean false";
    default:
      return std::string(kJsonKindNames[info.kind]);
  }
}

std::string_view ExpectedName(FieldType type) {
  switch (type) {
    case FieldType::kString:
      return "string";
    case FieldType::kInt64:
    case FieldType::kInt32:
      return "integer";
    case FieldType::kDouble:
      return "number";
  }
  return "value";
}

// Outcome of one attempt to parse a record.
enum class RecordOutcome { kDone, kRetryAsSegments };

// Parses a range of the decoded text into one ParsedFile. One instance is
// used by one thread.
class ChunkParser {
 public:
  ChunkParser(const RecordContract& contract, const ParseOptions& options, const char* text,
              size_t readable_size)
      : contract_(contract), options_(options), text_(text), readable_size_(readable_size) {
    size_t field_count = contract.fields.size();
    batch_.columns.resize(field_count);
    for (size_t i = 0; i < field_count; ++i) batch_.columns[i].type = contract.fields[i].type;
    drift_.assign(field_count, {});
    coercions_.assign(field_count, {});
    spellings_.resize(field_count);
    seen_keys_.resize(field_count);
  }

  // Parses JSON lines in [begin, end), the first of them numbered `line`.
  // Returns the number of the line after the last one read.
  int64_t ParseLines(size_t begin, size_t end, int64_t line);

  // Parses the JSON array whose `[` is at `begin`, counting lines from
  // `*line`. Returns the position after the array's `]`, or `end`.
  size_t ParseArray(size_t begin, size_t end, int64_t* line);

  ParsedFile Finish();

 private:
  // Per-record state, committed once the record is decided.
  struct RecordState {
    std::vector<uint8_t> seen;  // per contract field: 1 once its key was read
    std::string error;
    std::vector<std::pair<int, int>> type_events;  // (field index, JsonKind)
    std::vector<std::pair<std::string_view, int>> unknown_events;
    std::vector<std::pair<int, std::string_view>> spelling_events;
    std::vector<std::pair<int, int>> coercion_events;  // (field index, Coercion)
  };

  void ReserveRows(size_t begin, size_t end);
  void ParseLine(size_t begin, size_t end, int64_t line);
  size_t SegmentEnd(size_t begin, size_t end) const;
  RecordOutcome ParseRecord(size_t begin, size_t end, int64_t line, bool allow_retry);
  simdjson::error_code WalkObject(ondemand::document& document, bool* trailing);
  int MatchField(std::string_view key, size_t hint) const;
  void HandleField(int index, std::string_view key, const ValueInfo& info);
  void HandleUnknownKey(std::string_view key, const ValueInfo& info);
  void AppendValue(int index, const ValueInfo& info);
  void AppendInteger(int index, const ValueInfo& info);
  void AppendDouble(int index, const ValueInfo& info);
  void AppendNull(int index);
  void Fail(std::string reason);
  void CommitEvents();
  void Accept();
  void Reject(size_t begin, size_t end, int64_t line, std::string reason);
  void RollBackColumns();

  const RecordContract& contract_;
  const ParseOptions& options_;
  const char* text_;
  size_t readable_size_;  // bytes readable from text_, including any padding
  ondemand::parser parser_;
  std::string scratch_;  // a padded copy of a record too close to the end of text_
  RecordState record_;
  std::vector<std::string_view> seen_keys_;  // key spelling per field in the current record
  RecordBatch batch_;
  ParsedFile result_;
  std::vector<std::array<int64_t, kJsonKindCount>> drift_;
  std::vector<std::array<int64_t, kCoercionCount>> coercions_;
  std::vector<std::vector<std::pair<std::string, int64_t>>> spellings_;
  std::map<std::string, std::array<int64_t, kJsonKindCount>> unknown_drift_;
};

int64_t ChunkParser::ParseLines(size_t begin, size_t end, int64_t line) {
  ReserveRows(begin, end);
  size_t pos = begin;
  while (pos < end) {
    const void* newline = std::memchr(text_ + pos, '\n', end - pos);
    size_t line_end = newline != nullptr ? static_cast<const char*>(newline) - text_ : end;
    size_t content_end = line_end;
    if (newline != nullptr && content_end > pos && text_[content_end - 1] == '\r') {
      --content_end;
      ++result_.layout.crlf_lines;
    }
    ParseLine(pos, content_end, line);
    pos = line_end + 1;
    ++line;
  }
  return line;
}

// Reserves the column buffers for the rows that [begin, end) likely holds,
// estimated from the line length in its first 64 KiB, to spare regrowing.
void ChunkParser::ReserveRows(size_t begin, size_t end) {
  size_t sample = std::min<size_t>(end - begin, 64 << 10);
  size_t lines = static_cast<size_t>(std::count(text_ + begin, text_ + begin + sample, '\n'));
  if (lines == 0) return;
  size_t rows = (end - begin) / (sample / lines) + 1;
  for (ColumnBuffer& column : batch_.columns) {
    column.valid.reserve(rows);
    switch (column.type) {
      case FieldType::kString:
        column.string_ends.reserve(rows);
        break;
      case FieldType::kInt64:
        column.int64_values.reserve(rows);
        break;
      case FieldType::kInt32:
        column.int32_values.reserve(rows);
        break;
      case FieldType::kDouble:
        column.double_values.reserve(rows);
        break;
    }
  }
}

void ChunkParser::ParseLine(size_t begin, size_t end, int64_t line) {
  size_t first = begin;
  while (first < end && IsJsonWhitespace(text_[first])) ++first;
  if (first == end) {
    ++result_.layout.blank_lines;
    return;
  }
  size_t last = end;
  while (last > first && IsJsonWhitespace(text_[last - 1])) --last;

  // Nearly every line is one object: parse it whole, and split it only
  // when the parser finds more text after the first record.
  if (text_[first] == '{' && text_[last - 1] == '}') {
    if (ParseRecord(first, last, line, true) == RecordOutcome::kDone) return;
  }
  size_t pos = first;
  bool first_record = true;
  while (pos < last) {
    char c = text_[pos];
    if (IsJsonWhitespace(c)) {
      ++pos;
      continue;
    }
    if (c == ',') {
      ++result_.layout.stray_commas;
      ++pos;
      continue;
    }
    if (!first_record) ++result_.layout.records_sharing_line;
    size_t segment_end = SegmentEnd(pos, last);
    (void)ParseRecord(pos, segment_end, line, false);
    pos = segment_end;
    first_record = false;
  }
}

// A record that opens with `{` or `[` ends at its matching close (strings
// skipped), or at `end` when it is never closed. Anything else runs to `end`.
size_t ChunkParser::SegmentEnd(size_t begin, size_t end) const {
  char open = text_[begin];
  if (open != '{' && open != '[') return end;
  int64_t depth = 0;
  bool in_string = false;
  for (size_t i = begin; i < end; ++i) {
    char c = text_[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return end;
}

size_t ChunkParser::ParseArray(size_t begin, size_t end, int64_t* line) {
  size_t pos = begin + 1;
  bool expect_element = true;
  while (pos < end) {
    char c = text_[pos];
    if (c == '\n') ++*line;
    if (IsJsonWhitespace(c)) {
      ++pos;
      continue;
    }
    if (c == ']') return pos + 1;
    if (c == ',') {
      if (expect_element) ++result_.layout.stray_commas;
      expect_element = true;
      ++pos;
      continue;
    }
    // An element runs to the first `,` or `]` outside strings and brackets.
    size_t start = pos;
    int64_t start_line = *line;
    int64_t depth = 0;
    bool in_string = false;
    for (; pos < end; ++pos) {
      char d = text_[pos];
      if (d == '\n') ++*line;
      if (in_string) {
        if (d == '\\') {
          if (pos + 1 < end && text_[pos + 1] == '\n') ++*line;
          ++pos;
        } else if (d == '"') {
          in_string = false;
        }
      } else if (d == '"') {
        in_string = true;
      } else if (d == '{' || d == '[') {
        ++depth;
      } else if (d == '}' || (d == ']' && depth > 0)) {
        depth = std::max<int64_t>(depth - 1, 0);
      } else if (depth == 0 && (d == ',' || d == ']')) {
        break;
      }
    }
    size_t element_end = std::min(pos, end);
    while (element_end > start && IsJsonWhitespace(text_[element_end - 1])) --element_end;
    if (!expect_element) ++result_.layout.records_sharing_line;
    (void)ParseRecord(start, element_end, start_line, false);
    expect_element = false;
  }
  return end;
}

RecordOutcome ChunkParser::ParseRecord(size_t begin, size_t end, int64_t line, bool allow_retry) {
  record_.seen.assign(contract_.fields.size(), 0);
  record_.error.clear();
  record_.type_events.clear();
  record_.unknown_events.clear();
  record_.spelling_events.clear();
  record_.coercion_events.clear();

  // simdjson reads up to SIMDJSON_PADDING bytes past the record, and ignores
  // what they hold: the rest of the text serves unless the record is too
  // close to its end.
  size_t size = end - begin;
  simdjson::padded_string_view view;
  if (end + simdjson::SIMDJSON_PADDING <= readable_size_) {
    view = simdjson::padded_string_view(text_ + begin, size, readable_size_ - begin);
  } else {
    scratch_.assign(text_ + begin, size);
    scratch_.resize(size + simdjson::SIMDJSON_PADDING, ' ');
    view = simdjson::padded_string_view(scratch_.data(), size, scratch_.size());
  }

  ondemand::document document;
  if (auto error = parser_.iterate(view).get(document)) {
    Reject(begin, end, line, JsonErrorReason(error));
    return RecordOutcome::kDone;
  }
  ondemand::json_type type;
  if (auto error = document.type().get(type)) {
    Reject(begin, end, line, JsonErrorReason(error));
    return RecordOutcome::kDone;
  }
  if (type != ondemand::json_type::object) {
    std::string_view name = type == ondemand::json_type::array     ? "array"
                            : type == ondemand::json_type::string  ? "string"
                            : type == ondemand::json_type::number  ? "number"
                            : type == ondemand::json_type::boolean ? "boolean"
                                                                   : "null";
    Reject(begin, end, line, fmt::format("record is not an object: got {}", name));
    return RecordOutcome::kDone;
  }

  bool trailing = false;
  simdjson::error_code error = WalkObject(document, &trailing);
  if (trailing && allow_retry) {
    RollBackColumns();
    return RecordOutcome::kRetryAsSegments;
  }
  if (error) {
    // A syntax error: the values read so far still count in the drift report.
    CommitEvents();
    Reject(begin, end, line, JsonErrorReason(error));
    return RecordOutcome::kDone;
  }
  if (trailing) Fail(JsonErrorReason(simdjson::TRAILING_CONTENT));
  for (size_t i = 0; i < contract_.fields.size(); ++i) {
    const FieldSpec& spec = contract_.fields[i];
    if (record_.seen[i]) continue;
    if (spec.required) {
      Fail(fmt::format("missing required field {}", spec.name));
    } else {
      AppendNull(static_cast<int>(i));
    }
  }
  CommitEvents();
  if (!record_.error.empty()) {
    Reject(begin, end, line, std::move(record_.error));
  } else {
    Accept();
  }
  return RecordOutcome::kDone;
}

// Reads every field of the document's object. Sets `*trailing` when more
// text follows the object.
simdjson::error_code ChunkParser::WalkObject(ondemand::document& document, bool* trailing) {
  ondemand::object object;
  if (auto error = document.get_object().get(object)) return error;
  size_t ordinal = 0;
  for (auto field_result : object) {
    ondemand::field field;
    if (auto error = std::move(field_result).get(field)) return error;
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return error;
    ValueInfo info;
    if (auto error = ReadValue(field.value(), &info)) return error;
    int index = MatchField(key, ordinal++);
    if (index < 0) {
      HandleUnknownKey(key, info);
    } else {
      HandleField(index, key, info);
    }
  }
  // current_location() fails once the whole input has been read.
  const char* location = nullptr;
  *trailing = document.current_location().get(location) == simdjson::SUCCESS;
  return simdjson::SUCCESS;
}

// The contract field that `key` names, ignoring ASCII case, or -1. Fields
// usually arrive in contract order, so the search starts at `hint`.
int ChunkParser::MatchField(std::string_view key, size_t hint) const {
  size_t count = contract_.fields.size();
  for (size_t step = 0; step < count; ++step) {
    size_t i = (hint + step) % count;
    if (EqualsIgnoringAsciiCase(key, contract_.fields[i].name)) return static_cast<int>(i);
  }
  return -1;
}

void ChunkParser::HandleField(int index, std::string_view key, const ValueInfo& info) {
  const FieldSpec& spec = contract_.fields[index];
  record_.type_events.emplace_back(index, info.kind);
  if (key != spec.name) record_.spelling_events.emplace_back(index, key);
  if (record_.seen[index]) {
    Fail(fmt::format("duplicate field {}: keys \"{}\" and \"{}\"", spec.name, seen_keys_[index],
                     key));
    return;
  }
  record_.seen[index] = 1;
  seen_keys_[index] = key;
  if (!record_.error.empty()) return;  // the record is rejected already
  AppendValue(index, info);
}

void ChunkParser::HandleUnknownKey(std::string_view key, const ValueInfo& info) {
  for (const auto& [previous, kind] : record_.unknown_events) {
    if (EqualsIgnoringAsciiCase(previous, key)) {
      Fail(fmt::format("duplicate key: \"{}\" and \"{}\" differ only in case or not at all",
                       previous, key));
      break;
    }
  }
  record_.unknown_events.emplace_back(key, info.kind);
}

void ChunkParser::AppendValue(int index, const ValueInfo& info) {
  const FieldSpec& spec = contract_.fields[index];
  if (info.kind == kJsonNull) {
    if (!spec.nullable) {
      Fail(fmt::format("{}: null is not allowed", spec.name));
      return;
    }
    AppendNull(index);
    return;
  }
  switch (spec.type) {
    case FieldType::kString: {
      if (info.kind != kJsonString && info.kind != kJsonInteger && info.kind != kJsonFloat) break;
      // A key field that must be present and not null, such as an e-mail,
      // is as missing when it holds only blanks.
      if (spec.required && !spec.nullable && IsBlank(info.text)) {
        Fail(fmt::format("{}: blank string is not allowed", spec.name));
        return;
      }
      if (info.kind != kJsonString) record_.coercion_events.emplace_back(index, kNumberToString);
      ColumnBuffer& column = batch_.columns[index];
      column.string_data.append(info.text);
      column.string_ends.push_back(column.string_data.size());
      column.valid.push_back(1);
      return;
    }
    case FieldType::kInt64:
    case FieldType::kInt32:
      if (info.kind != kJsonInteger && info.kind != kJsonFloat) break;
      AppendInteger(index, info);
      return;
    case FieldType::kDouble:
      if (info.kind != kJsonInteger && info.kind != kJsonFloat) break;
      AppendDouble(index, info);
      return;
  }
  Fail(fmt::format("{}: expected {}, got {}", spec.name, ExpectedName(spec.type),
                   DescribeValue(info)));
}

void ChunkParser::AppendInteger(int index, const ValueInfo& info) {
  const FieldSpec& spec = contract_.fields[index];
  bool is_int32 = spec.type == FieldType::kInt32;
  int64_t min = spec.min_value;
  int64_t max = spec.max_value;
  if (is_int32) {
    min = std::max<int64_t>(min, std::numeric_limits<int32_t>::min());
    max = std::min<int64_t>(max, std::numeric_limits<int32_t>::max());
  }
  int64_t value = 0;
  IntegerParse parsed = ParseExactInteger(info.text, &value);
  if (parsed == IntegerParse::kNotIntegral) {
    Fail(fmt::format("{}: expected integer, got {}", spec.name, DescribeValue(info)));
    return;
  }
  if (parsed != IntegerParse::kOk || value < min || value > max) {
    Fail(fmt::format("{}: {} is out of range [{}, {}]", spec.name,
                     CutUtf8(info.text, kMaxQuotedValue), min, max));
    return;
  }
  if (info.kind == kJsonFloat) record_.coercion_events.emplace_back(index, kIntegralFloat);
  ColumnBuffer& column = batch_.columns[index];
  if (is_int32) {
    column.int32_values.push_back(static_cast<int32_t>(value));
  } else {
    column.int64_values.push_back(value);
  }
  column.valid.push_back(1);
}

void ChunkParser::AppendDouble(int index, const ValueInfo& info) {
  const FieldSpec& spec = contract_.fields[index];
  double value = 0;
  if (info.kind == kJsonInteger) {
    int64_t integer = 0;
    if (ParseExactInteger(info.text, &integer) != IntegerParse::kOk || integer > kMaxExactDouble ||
        integer < -kMaxExactDouble) {
      Fail(fmt::format("{}: integer {} cannot be stored exactly as a double", spec.name,
                       CutUtf8(info.text, kMaxQuotedValue)));
      return;
    }
    value = static_cast<double>(integer);
    record_.coercion_events.emplace_back(index, kIntegerToDouble);
  } else {
    value = info.number;
    if (!info.has_double) {
      Fail(fmt::format("{}: {} is out of range for a double", spec.name,
                       CutUtf8(info.text, kMaxQuotedValue)));
      return;
    }
  }
  ColumnBuffer& column = batch_.columns[index];
  column.double_values.push_back(value);
  column.valid.push_back(1);
}

void ChunkParser::AppendNull(int index) {
  ColumnBuffer& column = batch_.columns[index];
  switch (column.type) {
    case FieldType::kString:
      column.string_ends.push_back(column.string_data.size());
      break;
    case FieldType::kInt64:
      column.int64_values.push_back(0);
      break;
    case FieldType::kInt32:
      column.int32_values.push_back(0);
      break;
    case FieldType::kDouble:
      column.double_values.push_back(0);
      break;
  }
  column.valid.push_back(0);
}

// Keeps the first fault of a record as its reason.
void ChunkParser::Fail(std::string reason) {
  if (record_.error.empty()) record_.error = std::move(reason);
}

void ChunkParser::CommitEvents() {
  for (const auto& [index, kind] : record_.type_events) ++drift_[index][kind];
  for (const auto& [key, kind] : record_.unknown_events) {
    ++unknown_drift_[std::string(key)][kind];
    ++result_.unknown_keys;
  }
  for (const auto& event : record_.spelling_events) {
    std::string_view spelling = event.second;
    auto& spellings = spellings_[event.first];
    auto it = std::find_if(spellings.begin(), spellings.end(),
                           [&](const auto& entry) { return entry.first == spelling; });
    if (it == spellings.end()) {
      spellings.emplace_back(std::string(spelling), 1);
    } else {
      ++it->second;
    }
  }
}

void ChunkParser::Accept() {
  ++batch_.rows;
  ++result_.records_read;
  ++result_.accepted;
  if (!record_.coercion_events.empty()) ++result_.coerced;
  for (const auto& [index, kind] : record_.coercion_events) ++coercions_[index][kind];
}

void ChunkParser::Reject(size_t begin, size_t end, int64_t line, std::string reason) {
  RollBackColumns();
  ++result_.records_read;
  ++result_.quarantined;
  std::string_view raw(text_ + begin, end - begin);
  QuarantinedRecord& record = result_.quarantine.emplace_back();
  record.line = line;
  record.byte_offset = static_cast<int64_t>(begin);
  record.reason = std::move(reason);
  record.raw = std::string(raw.substr(0, options_.max_raw_bytes));
  record.raw_size = static_cast<int64_t>(raw.size());
}

// Drops the values a rejected record appended, so that every column again
// contains exactly batch_.rows entries.
void ChunkParser::RollBackColumns() {
  size_t rows = static_cast<size_t>(batch_.rows);
  for (ColumnBuffer& column : batch_.columns) {
    if (column.valid.size() == rows) continue;
    column.valid.resize(rows);
    column.int64_values.resize(std::min(column.int64_values.size(), rows));
    column.int32_values.resize(std::min(column.int32_values.size(), rows));
    column.double_values.resize(std::min(column.double_values.size(), rows));
    if (column.string_ends.size() > rows) {
      column.string_ends.resize(rows);
      column.string_data.resize(rows == 0 ? 0 : column.string_ends.back());
    }
  }
}

ParsedFile ChunkParser::Finish() {
  ParsedFile result = std::move(result_);
  for (size_t i = 0; i < contract_.fields.size(); ++i) {
    for (int kind = 0; kind < kJsonKindCount; ++kind) {
      if (drift_[i][kind] == 0) continue;
      result.drift.push_back(
          {contract_.fields[i].name, std::string(kJsonKindNames[kind]), drift_[i][kind], true});
    }
    for (int kind = 0; kind < kCoercionCount; ++kind) {
      if (coercions_[i][kind] == 0) continue;
      result.coercions.push_back(
          {contract_.fields[i].name, std::string(kCoercionNames[kind]), coercions_[i][kind]});
    }
    for (auto& [spelling, count] : spellings_[i]) {
      result.key_spellings.push_back({contract_.fields[i].name, spelling, count});
    }
  }
  for (const auto& [key, counts] : unknown_drift_) {
    for (int kind = 0; kind < kJsonKindCount; ++kind) {
      if (counts[kind] == 0) continue;
      result.drift.push_back({key, std::string(kJsonKindNames[kind]), counts[kind], false});
    }
  }
  if (batch_.rows > 0) result.batches.push_back(std::move(batch_));
  return result;
}

// Adds `part` (the next range of the file) to `total`; `first_line` is the
// number of the part's first line in the whole file.
void MergeInto(ParsedFile& total, ParsedFile part, int64_t first_line) {
  for (RecordBatch& batch : part.batches) total.batches.push_back(std::move(batch));
  total.records_read += part.records_read;
  total.accepted += part.accepted;
  total.coerced += part.coerced;
  total.quarantined += part.quarantined;
  total.unknown_keys += part.unknown_keys;
  for (QuarantinedRecord& record : part.quarantine) {
    record.line += first_line - 1;
    total.quarantine.push_back(std::move(record));
  }

  auto add_drift = [&](const FieldTypeCount& entry) {
    for (FieldTypeCount& existing : total.drift) {
      if (existing.field == entry.field && existing.json_type == entry.json_type &&
          existing.in_contract == entry.in_contract) {
        existing.count += entry.count;
        return;
      }
    }
    total.drift.push_back(entry);
  };
  for (const FieldTypeCount& entry : part.drift) add_drift(entry);

  for (const CoercionCount& entry : part.coercions) {
    auto it = std::find_if(total.coercions.begin(), total.coercions.end(), [&](const auto& e) {
      return e.field == entry.field && e.kind == entry.kind;
    });
    if (it == total.coercions.end()) {
      total.coercions.push_back(entry);
    } else {
      it->count += entry.count;
    }
  }
  for (const KeySpellingCount& entry : part.key_spellings) {
    auto it = std::find_if(
        total.key_spellings.begin(), total.key_spellings.end(),
        [&](const auto& e) { return e.field == entry.field && e.spelling == entry.spelling; });
    if (it == total.key_spellings.end()) {
      total.key_spellings.push_back(entry);
    } else {
      it->count += entry.count;
    }
  }

  FileLayout& layout = total.layout;
  layout.blank_lines += part.layout.blank_lines;
  layout.crlf_lines += part.layout.crlf_lines;
  layout.stray_commas += part.layout.stray_commas;
  layout.records_sharing_line += part.layout.records_sharing_line;
}

// Splits [begin, end) into at most `parts` ranges that end just after a
// newline, so that no line is cut.
std::vector<size_t> SplitAtNewlines(const char* text, size_t begin, size_t end, size_t parts) {
  std::vector<size_t> bounds = {begin};
  for (size_t k = 1; k < parts; ++k) {
    size_t target = begin + (end - begin) * k / parts;
    if (target <= bounds.back()) continue;
    const void* newline = std::memchr(text + target, '\n', end - target);
    if (newline == nullptr) break;
    bounds.push_back(static_cast<const char*>(newline) - text + 1);
  }
  bounds.push_back(end);
  return bounds;
}

// Parses JSON lines in [begin, end) on up to options.threads threads.
ParsedFile ParseLinesInParallel(const char* text, size_t readable_size, size_t begin, size_t end,
                                const RecordContract& contract, const ParseOptions& options) {
  size_t max_parts = options.threads > 0 ? static_cast<size_t>(options.threads)
                                         : std::max(std::thread::hardware_concurrency(), 1u);
  size_t by_size = (end - begin) / std::max<size_t>(options.min_bytes_per_thread, 1);
  size_t parts = std::clamp<size_t>(by_size, 1, max_parts);
  std::vector<size_t> bounds = SplitAtNewlines(text, begin, end, parts);
  size_t count = bounds.size() - 1;
  std::vector<ParsedFile> results(count);
  std::vector<int64_t> next_lines(count);
  auto parse_part = [&](size_t k) {
    ChunkParser parser(contract, options, text, readable_size);
    next_lines[k] = parser.ParseLines(bounds[k], bounds[k + 1], 1);
    results[k] = parser.Finish();
  };
  std::vector<std::thread> threads;
  for (size_t k = 1; k < count; ++k) threads.emplace_back(parse_part, k);
  parse_part(0);
  for (std::thread& thread : threads) thread.join();

  ParsedFile total = std::move(results[0]);
  int64_t first_line = next_lines[0];
  for (size_t k = 1; k < count; ++k) {
    MergeInto(total, std::move(results[k]), first_line);
    first_line += next_lines[k] - 1;
  }
  return total;
}

}  // namespace

ParsedFile ParseRecords(std::string_view bytes, const RecordContract& contract,
                        const ParseOptions& options) {
  GunzipResult gunzip;
  bool gzip = IsGzip(bytes);
  size_t readable_size = bytes.size();
  if (gzip) {
    gunzip = Gunzip(bytes, options.max_decompressed_bytes);
    size_t text_size = gunzip.text.size();
    // Pad the copy we own, so no record near its end needs another copy.
    gunzip.text.resize(text_size + simdjson::SIMDJSON_PADDING, ' ');
    readable_size = gunzip.text.size();
    bytes = std::string_view(gunzip.text.data(), text_size);
  }
  const char* text = bytes.data();
  size_t size = bytes.size();

  size_t begin = 0;
  bool byte_order_mark = size >= 3 && std::memcmp(text, "\xEF\xBB\xBF", 3) == 0;
  if (byte_order_mark) begin = 3;
  size_t first = begin;
  while (first < size && IsJsonWhitespace(text[first])) ++first;

  ParsedFile result;
  if (first < size && text[first] == '[') {
    // One JSON array of records, possibly followed by JSON lines.
    ChunkParser parser(contract, options, text, readable_size);
    int64_t line = 1 + std::count(text + begin, text + first, '\n');
    size_t after = parser.ParseArray(first, size, &line);
    while (after < size && (text[after] == ' ' || text[after] == '\t' || text[after] == '\r')) {
      ++after;
    }
    if (after < size && text[after] == '\n') {
      ++after;
      ++line;
    }
    parser.ParseLines(after, size, line);
    result = parser.Finish();
    result.layout.json_array = true;
  } else {
    result = ParseLinesInParallel(text, readable_size, begin, size, contract, options);
  }
  result.layout.gzip = gzip;
  result.layout.byte_order_mark = byte_order_mark;

  if (!gunzip.error.empty()) {
    // The undecodable rest of a gzip file stands for at least one record.
    QuarantinedRecord& record = result.quarantine.emplace_back();
    record.line = 1 + std::count(text, text + size, '\n');
    record.byte_offset = static_cast<int64_t>(size);
    record.reason = "gzip: " + gunzip.error;
    ++result.records_read;
    ++result.quarantined;
  }
  return result;
}

}  // namespace stedi::ingest
