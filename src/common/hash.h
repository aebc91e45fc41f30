// Content hashes shared by the components.
#pragma once

#include <string>
#include <string_view>

namespace stedi {

// The SHA-256 digest of `data` as 64 lower-case hex digits.
std::string HexSha256(std::string_view data);

// The MD5 digest of `data` as 32 lower-case hex digits, the form of an S3
// ETag. Not for security: MD5 is broken as a cryptographic hash.
std::string HexMd5(std::string_view data);

}  // namespace stedi
