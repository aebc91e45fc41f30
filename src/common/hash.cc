#include "common/hash.h"

#include <openssl/evp.h>

namespace stedi {
namespace {

std::string HexDigest(const EVP_MD* algorithm, std::string_view data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, algorithm, nullptr);
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kDigits[digest[i] >> 4];
    hex += kDigits[digest[i] & 0xF];
  }
  return hex;
}

}  // namespace

std::string HexSha256(std::string_view data) { return HexDigest(EVP_sha256(), data); }

std::string HexMd5(std::string_view data) { return HexDigest(EVP_md5(), data); }

}  // namespace stedi
