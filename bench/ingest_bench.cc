// Compares validated ingestion (ConvertLandingFile: every record checked
// against the contract, then zstd Parquet) with DuckDB's own read_json to
// zstd Parquet on the same files, in the same run and the same process.
//
// Usage: ingest_bench [STARTER_DATA_DIR] [GENERATED_MB]
// STARTER_DATA_DIR (or env STEDI_REAL_DATA) is the folder that contains
// accelerometer/; without it only the generated file is measured.
// GENERATED_MB (default 100) sizes a synthetic accelerometer JSON-lines file.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "engine/database.h"
#include "ingest/landing_converter.h"

namespace {

namespace fs = std::filesystem;
using stedi::Status;
using stedi::engine::Connection;
using stedi::engine::QuoteLiteral;
using stedi::ingest::ContractFor;
using stedi::ingest::Source;

constexpr int kRepetitions = 3;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// Writes accelerometer readings shaped like the starter files until the
// file reaches `megabytes` MB.
fs::path GenerateAccelerometerFile(const fs::path& dir, int megabytes) {
  fs::path path = dir / "accelerometer-generated.json";
  std::ofstream out(path, std::ios::binary);
  std::mt19937_64 random(42);
  std::uniform_int_distribution<int> axis(-10, 10);
  size_t target = static_cast<size_t>(megabytes) << 20;
  size_t written = 0;
  int64_t timestamp = 1655564444103;
  std::string line;
  while (written < target) {
    line = fmt::format(
        "{{\"user\":\"user{}@test.com\",\"timestamp\":{},\"x\":{:.1f},\"y\":{:.1f},"
        "\"z\":{:.1f}}}\n",
        random() % 1000, timestamp++, axis(random) / 10.0, axis(random) / 10.0,
        axis(random) / 10.0);
    out << line;
    written += line.size();
  }
  return path;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Converts each file with ConvertLandingFile, file read included. Returns
// the best wall time of kRepetitions runs, and the accepted rows.
double TimeValidated(Connection& connection, const std::vector<fs::path>& files,
                     const fs::path& out_dir, int64_t* rows) {
  double best = 1e9;
  for (int run = 0; run < kRepetitions; ++run) {
    auto start = std::chrono::steady_clock::now();
    *rows = 0;
    for (size_t i = 0; i < files.size(); ++i) {
      std::string bytes = ReadFile(files[i]);
      auto converted = stedi::ingest::ConvertLandingFile(
          files[i].filename().string(), bytes, ContractFor(Source::kAccelerometer), connection,
          (out_dir / fmt::format("validated-{}.parquet", i)).string());
      if (!converted.ok()) {
        fmt::print(stderr, "ingest_bench: {}\n", converted.status().ToString());
        std::exit(1);
      }
      *rows += converted->accepted;
    }
    best = std::min(best, SecondsSince(start));
  }
  return best;
}

// Converts each file with read_json and COPY ... TO parquet, with the
// contract's columns and types given, as the first converter did.
double TimeReadJson(Connection& connection, const std::vector<fs::path>& files,
                    const fs::path& out_dir, int64_t* rows) {
  double best = 1e9;
  for (int run = 0; run < kRepetitions; ++run) {
    auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < files.size(); ++i) {
      std::string parquet = (out_dir / fmt::format("read_json-{}.parquet", i)).string();
      Status status = connection.Execute(fmt::format(
          "COPY (SELECT user, timestamp, x, y, z FROM read_json({}, format='newline_delimited', "
          "columns={{'user': 'VARCHAR', 'timestamp': 'BIGINT', 'x': 'DOUBLE', 'y': 'DOUBLE', "
          "'z': 'DOUBLE'}})) TO {} (FORMAT parquet, COMPRESSION zstd)",
          QuoteLiteral(files[i].string()), QuoteLiteral(parquet)));
      if (!status.ok()) {
        fmt::print(stderr, "ingest_bench: {}\n", status.ToString());
        std::exit(1);
      }
    }
    best = std::min(best, SecondsSince(start));
  }
  *rows = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    std::string parquet = (out_dir / fmt::format("read_json-{}.parquet", i)).string();
    auto count = connection.QueryInt64(
        fmt::format("SELECT count(*) FROM read_parquet({})", QuoteLiteral(parquet)));
    *rows += count.ok() ? *count : 0;
  }
  return best;
}

void Compare(Connection& connection, const std::string& name, const std::vector<fs::path>& files,
             const fs::path& out_dir) {
  double megabytes = 0;
  for (const fs::path& file : files) megabytes += static_cast<double>(fs::file_size(file)) / 1e6;
  int64_t validated_rows = 0;
  int64_t read_json_rows = 0;
  // read_json first, so that the page cache is warm for both.
  double read_json = TimeReadJson(connection, files, out_dir, &read_json_rows);
  double validated = TimeValidated(connection, files, out_dir, &validated_rows);
  fmt::print("{}: {} files, {:.1f} MB, {} rows (read_json {} rows)\n", name, files.size(),
             megabytes, validated_rows, read_json_rows);
  fmt::print("  validated ingestion: {:.3f} s, {:.0f} MB/s\n", validated, megabytes / validated);
  fmt::print("  read_json -> Parquet: {:.3f} s, {:.0f} MB/s\n", read_json, megabytes / read_json);
  fmt::print("  ratio (validated speed / read_json speed): {:.2f}x\n", read_json / validated);
}

}  // namespace

int main(int argc, char** argv) {
  std::string data_dir = argc > 1 ? argv[1] : "";
  if (data_dir.empty() && std::getenv("STEDI_REAL_DATA") != nullptr) {
    data_dir = std::getenv("STEDI_REAL_DATA");
  }
  int generated_mb = argc > 2 ? std::atoi(argv[2]) : 100;

  fs::path work = fs::temp_directory_path() / fmt::format("stedi-ingest-bench-{}", ::getpid());
  fs::create_directories(work);
  auto db = stedi::engine::Database::Open("");
  if (!db.ok()) {
    fmt::print(stderr, "ingest_bench: {}\n", db.status().ToString());
    return 1;
  }
  auto connection = db->Connect();
  if (!connection.ok()) {
    fmt::print(stderr, "ingest_bench: {}\n", connection.status().ToString());
    return 1;
  }
  fmt::print("best of {} runs each, wall time, file read included\n", kRepetitions);

  if (!data_dir.empty()) {
    std::vector<fs::path> files;
    for (const auto& entry :
         fs::recursive_directory_iterator(fs::path(data_dir) / "accelerometer")) {
      if (entry.is_regular_file() && entry.path().extension() == ".json") {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    Compare(connection.value(), "starter accelerometer files", files, work);
  }
  fs::path generated = GenerateAccelerometerFile(work, generated_mb);
  Compare(connection.value(), "generated accelerometer file", {generated}, work);

  std::error_code ignored;
  fs::remove_all(work, ignored);
  return 0;
}
