// LandingWriter: writes the JSON-lines records of one source into a series of
// delivery files named like the starter data, such as
// accelerometer/landing/accelerometer-1691348231445.json.
//
// Thread-safety: a LandingWriter is used by one thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sample/random.h"

namespace stedi::sample {

// One delivery file as written.
struct LandingFile {
  std::string path;     // relative to the output folder, '/'-separated
  int64_t records = 0;  // lines that hold a record, malformed lines excluded
  int64_t lines = 0;    // every line, malformed lines included
  int64_t bytes = 0;
};

class LandingWriter {
 public:
  // Writes into `root`/`source`/landing, which must exist. A new file starts
  // every `records_per_file` records; `seed` spaces the delivery times in
  // the file names.
  LandingWriter(std::filesystem::path root, std::string source, int64_t records_per_file,
                uint64_t seed);
  ~LandingWriter();
  LandingWriter(const LandingWriter&) = delete;
  LandingWriter& operator=(const LandingWriter&) = delete;

  // Opens the next file when none is open or the open one is full. Call it
  // before reading next_line() or file_index() for the record to come.
  Status Prepare();
  // The 1-based line number the next line gets in the open file.
  int64_t next_line() const { return files_.back().lines + 1; }
  // The position of the open file in files().
  size_t file_index() const { return files_.size() - 1; }

  // Appends `line` and a newline; the record counts towards the file's limit.
  Status AppendRecord(std::string_view line);
  // Appends `line` and a newline as a malformed line, which does not count.
  Status AppendMalformed(std::string_view line);
  // Closes the open file, so the next record starts a new delivery.
  Status EndFile();

  // Returns the relative path of a further file delivered after all written
  // so far, such as a redelivery, and advances the delivery clock.
  std::string NextDeliveryPath();

  const std::string& source() const { return source_; }
  const std::vector<LandingFile>& files() const { return files_; }

 private:
  Status Append(std::string_view line, bool is_record);
  Status FlushBuffer();

  std::filesystem::path root_;
  std::string source_;
  int64_t records_per_file_;
  Random random_;
  int64_t delivery_ms_;
  std::vector<LandingFile> files_;
  std::FILE* file_ = nullptr;
  std::string buffer_;
};

}  // namespace stedi::sample
