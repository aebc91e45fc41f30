#include "sample/landing_writer.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace stedi::sample {
namespace {

// Delivery time in the first file name, in epoch milliseconds: the time of
// the starter data's first file, so generated names sort like real ones.
constexpr int64_t kFirstDeliveryMs = 1691348231425;
// Bytes gathered before one fwrite call.
constexpr size_t kWriteChunkBytes = 1 << 20;

}  // namespace

LandingWriter::LandingWriter(std::filesystem::path root, std::string source,
                             int64_t records_per_file, uint64_t seed)
    : root_(std::move(root)),
      source_(std::move(source)),
      records_per_file_(records_per_file),
      random_(seed),
      delivery_ms_(kFirstDeliveryMs + random_.Between(0, 999)) {
  buffer_.reserve(kWriteChunkBytes + 4096);
}

LandingWriter::~LandingWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

std::string LandingWriter::NextDeliveryPath() {
  delivery_ms_ += random_.Between(40, 160);
  return fmt::format("{0}/landing/{0}-{1}.json", source_, delivery_ms_);
}

Status LandingWriter::Prepare() {
  if (file_ != nullptr && files_.back().records < records_per_file_) return Status::Ok();
  STEDI_RETURN_IF_ERROR(EndFile());
  LandingFile file;
  file.path = NextDeliveryPath();
  std::filesystem::path full_path = root_ / file.path;
  file_ = std::fopen(full_path.c_str(), "wb");
  if (file_ == nullptr) {
    return Status::IOError(fmt::format("create {}: {}", full_path.string(), std::strerror(errno)));
  }
  files_.push_back(std::move(file));
  return Status::Ok();
}

Status LandingWriter::AppendRecord(std::string_view line) { return Append(line, true); }

Status LandingWriter::AppendMalformed(std::string_view line) { return Append(line, false); }

Status LandingWriter::Append(std::string_view line, bool is_record) {
  STEDI_RETURN_IF_ERROR(Prepare());
  buffer_.append(line);
  buffer_.push_back('\n');
  LandingFile& file = files_.back();
  file.lines += 1;
  file.bytes += static_cast<int64_t>(line.size()) + 1;
  if (is_record) file.records += 1;
  if (buffer_.size() >= kWriteChunkBytes) return FlushBuffer();
  return Status::Ok();
}

Status LandingWriter::FlushBuffer() {
  if (buffer_.empty()) return Status::Ok();
  size_t written = std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
  bool complete = written == buffer_.size();
  buffer_.clear();
  if (!complete) {
    return Status::IOError(
        fmt::format("write {}: {}", (root_ / files_.back().path).string(), std::strerror(errno)));
  }
  return Status::Ok();
}

Status LandingWriter::EndFile() {
  if (file_ == nullptr) return Status::Ok();
  Status status = FlushBuffer();
  if (std::fclose(file_) != 0 && status.ok()) {
    status = Status::IOError(
        fmt::format("close {}: {}", (root_ / files_.back().path).string(), std::strerror(errno)));
  }
  file_ = nullptr;
  return status;
}

}  // namespace stedi::sample
