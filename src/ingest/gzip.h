// Decompression of gzip-compressed landed files.
#pragma once

#include <string>
#include <string_view>

namespace stedi::ingest {

// True when `bytes` starts with the gzip magic bytes 1f 8b.
bool IsGzip(std::string_view bytes);

struct GunzipResult {
  std::string text;   // the decompressed bytes, complete or up to the fault
  std::string error;  // empty when the whole input decoded; otherwise the cause
};

// Decompresses every gzip member in `bytes`, one after another as gzip(1)
// does. Stops at the first fault, or once the output would exceed
// `max_bytes`, and returns the text decoded before that point with the cause.
GunzipResult Gunzip(std::string_view bytes, size_t max_bytes);

}  // namespace stedi::ingest
