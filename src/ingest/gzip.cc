#include "ingest/gzip.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>

namespace stedi::ingest {

bool IsGzip(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

GunzipResult Gunzip(std::string_view bytes, size_t max_bytes) {
  GunzipResult result;
  z_stream stream{};
  // 16 + MAX_WBITS: expect a gzip header and trailer, not a raw zlib stream.
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
    result.error = "cannot initialize zlib";
    return result;
  }
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  size_t consumed = 0;
  constexpr size_t kStep = 1 << 20;
  // zlib counts input in uInt; feed at most 1 GiB per call.
  constexpr size_t kMaxInput = size_t{1} << 30;
  while (true) {
    if (result.text.size() >= max_bytes) {
      result.error = fmt::format("decompressed size exceeds the limit of {} bytes", max_bytes);
      break;
    }
    size_t old_size = result.text.size();
    size_t room = std::min(kStep, max_bytes - old_size);
    result.text.resize(old_size + room);
    stream.next_out = reinterpret_cast<Bytef*>(result.text.data() + old_size);
    stream.avail_out = static_cast<uInt>(room);
    stream.avail_in = static_cast<uInt>(std::min(bytes.size() - consumed, kMaxInput));
    const Bytef* before = stream.next_in;
    int code = inflate(&stream, Z_NO_FLUSH);
    consumed += static_cast<size_t>(stream.next_in - before);
    result.text.resize(old_size + (room - stream.avail_out));

    if (code == Z_STREAM_END) {
      // Another member may follow; anything else after a member is a fault.
      if (consumed == bytes.size()) break;
      if (!IsGzip(bytes.substr(consumed))) {
        result.error = fmt::format("unexpected bytes after gzip member at offset {}", consumed);
        break;
      }
      if (inflateReset(&stream) != Z_OK) {
        result.error = "cannot reset zlib";
        break;
      }
      continue;
    }
    if (code == Z_BUF_ERROR && consumed == bytes.size() && stream.avail_out > 0) {
      result.error = "gzip data is truncated";
      break;
    }
    if (code != Z_OK && code != Z_BUF_ERROR) {
      result.error =
          fmt::format("invalid gzip data: {}", stream.msg != nullptr ? stream.msg : zError(code));
      break;
    }
  }
  inflateEnd(&stream);
  return result;
}

}  // namespace stedi::ingest
