#include "storage/s3_xml.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <ctime>

namespace stedi::storage {
namespace {

// Appends the code point `value` to `out` as UTF-8.
void AppendUtf8(uint32_t value, std::string& out) {
  if (value < 0x80) {
    out += static_cast<char>(value);
  } else if (value < 0x800) {
    out += static_cast<char>(0xC0 | (value >> 6));
    out += static_cast<char>(0x80 | (value & 0x3F));
  } else if (value < 0x10000) {
    out += static_cast<char>(0xE0 | (value >> 12));
    out += static_cast<char>(0x80 | ((value >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (value & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (value >> 18));
    out += static_cast<char>(0x80 | ((value >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((value >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (value & 0x3F));
  }
}

// Decodes the five predefined entities and numeric character references;
// anything else is kept as written.
std::string XmlUnescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    size_t end = text[i] == '&' ? text.find(';', i) : std::string_view::npos;
    if (end == std::string_view::npos) {
      out += text[i];
      continue;
    }
    std::string_view entity = text.substr(i + 1, end - i - 1);
    if (entity == "amp") {
      out += '&';
    } else if (entity == "lt") {
      out += '<';
    } else if (entity == "gt") {
      out += '>';
    } else if (entity == "quot") {
      out += '"';
    } else if (entity == "apos") {
      out += '\'';
    } else if (entity.size() > 1 && entity[0] == '#') {
      bool hex = entity[1] == 'x' || entity[1] == 'X';
      std::string_view digits = entity.substr(hex ? 2 : 1);
      uint32_t value = 0;
      auto [ptr, error] =
          std::from_chars(digits.data(), digits.data() + digits.size(), value, hex ? 16 : 10);
      if (error != std::errc() || ptr != digits.data() + digits.size()) {
        out += text.substr(i, end - i + 1);
      } else {
        AppendUtf8(value, out);
      }
    } else {
      out += text.substr(i, end - i + 1);
    }
    i = end;
  }
  return out;
}

// The raw content of the first <tag>…</tag> at or after `from`, and the
// offset just past it; npos when there is none. An empty element <tag/>
// gives an empty content.
std::pair<std::string_view, size_t> FindElement(std::string_view xml, std::string_view tag,
                                                size_t from = 0) {
  std::string open = fmt::format("<{}>", tag);
  std::string empty = fmt::format("<{}/>", tag);
  std::string close = fmt::format("</{}>", tag);
  size_t start = xml.find(open, from);
  size_t empty_at = xml.find(empty, from);
  if (empty_at != std::string_view::npos && empty_at < start) {
    return {std::string_view(), empty_at + empty.size()};
  }
  if (start == std::string_view::npos) return {std::string_view(), std::string_view::npos};
  start += open.size();
  size_t end = xml.find(close, start);
  if (end == std::string_view::npos) return {std::string_view(), std::string_view::npos};
  return {xml.substr(start, end - start), end + close.size()};
}

}  // namespace

std::string XmlElement(std::string_view xml, std::string_view tag) {
  return XmlUnescape(FindElement(xml, tag).first);
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

S3Error ParseS3Error(std::string_view body) {
  auto [error, end] = FindElement(body, "Error");
  if (end == std::string_view::npos) return {};
  return {XmlElement(error, "Code"), XmlElement(error, "Message")};
}

std::optional<int64_t> ParseIso8601Ms(std::string_view text) {
  // 2026-12-04T15:55:03.765Z, the fraction being optional.
  std::tm tm{};
  int millis = 0;
  int consumed = 0;
  std::string copy(text);
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return std::nullopt;
  }
  std::string_view rest = std::string_view(copy).substr(static_cast<size_t>(consumed));
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    int digits = 0;
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
      if (digits < 3) millis = millis * 10 + (rest.front() - '0');
      ++digits;
      rest.remove_prefix(1);
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) millis *= 10;
  }
  if (rest != "Z") return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + millis;
}

Result<S3ListPage> ParseListObjectsV2(std::string_view xml) {
  if (xml.find("<ListBucketResult") == std::string_view::npos) {
    return Status::Corruption("the response is not a ListBucketResult");
  }
  S3ListPage page;
  size_t position = 0;
  for (;;) {
    auto [contents, end] = FindElement(xml, "Contents", position);
    if (end == std::string_view::npos) break;
    position = end;
    auto [key, key_end] = FindElement(contents, "Key");
    auto [size, size_end] = FindElement(contents, "Size");
    if (key_end == std::string_view::npos || size_end == std::string_view::npos) {
      return Status::Corruption(
          fmt::format("entry {} of the listing lacks Key or Size", page.objects.size() + 1));
    }
    S3Object object;
    object.key = XmlUnescape(key);
    auto [ptr, error] = std::from_chars(size.data(), size.data() + size.size(), object.size);
    if (error != std::errc() || ptr != size.data() + size.size()) {
      return Status::Corruption(fmt::format("invalid Size '{}' for key {}", size, object.key));
    }
    std::string etag = XmlElement(contents, "ETag");
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
      etag = etag.substr(1, etag.size() - 2);
    }
    object.etag = std::move(etag);
    std::string modified = XmlElement(contents, "LastModified");
    if (!modified.empty()) {
      std::optional<int64_t> ms = ParseIso8601Ms(modified);
      if (!ms) {
        return Status::Corruption(
            fmt::format("invalid LastModified '{}' for key {}", modified, object.key));
      }
      object.modified_ms = *ms;
    }
    page.objects.push_back(std::move(object));
  }
  // Continuation tokens only matter while the listing is truncated.
  if (XmlElement(xml, "IsTruncated") == "true") {
    page.next_continuation_token = XmlElement(xml, "NextContinuationToken");
    if (page.next_continuation_token.empty()) {
      return Status::Corruption("a truncated listing has no NextContinuationToken");
    }
  }
  return page;
}

}  // namespace stedi::storage
