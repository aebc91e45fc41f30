// The few pieces of the S3 XML responses that S3Client reads. S3 responses
// are flat and machine-written, so a scan for elements by name suffices and
// no general XML parser is needed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/s3_client.h"

namespace stedi::storage {

// The text of the first <tag>…</tag> in `xml`, entities decoded; empty when
// there is none.
std::string XmlElement(std::string_view xml, std::string_view tag);

// `text` with &, <, >, " and ' replaced by entities.
std::string XmlEscape(std::string_view text);

// The Code and Message of an <Error> body; both are empty when `body` is
// not an error.
struct S3Error {
  std::string code;
  std::string message;
};
S3Error ParseS3Error(std::string_view body);

// Unix milliseconds of an S3 timestamp such as "2026-12-04T15:55:03.765Z";
// nullopt when `text` is not one.
std::optional<int64_t> ParseIso8601Ms(std::string_view text);

// Parses a ListObjectsV2 response (ListBucketResult). kCorruption when an
// entry lacks its key or size.
Result<S3ListPage> ParseListObjectsV2(std::string_view xml);

}  // namespace stedi::storage
