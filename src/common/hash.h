// Content hashes shared by the components.
#pragma once

#include <string>
#include <string_view>

namespace stedi {

// The SHA-256 digest of `data` as 64 lower-case hex digits.
std::string HexSha256(std::string_view data);

}  // namespace stedi
