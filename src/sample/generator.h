// Deterministic sample landing data with the field names, types and value
// shapes of the STEDI starter files, for a first run and for benchmarks.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace stedi::sample {

struct GenerateOptions {
  std::string out_dir;    // receives customer/, accelerometer/ and step_trainer/ folders
  int64_t customers = 0;  // 0: derived from scale
  double scale = 1.0;     // 1.0 is about the size of the starter data set
  uint64_t seed = 42;
  std::string defects;               // comma-separated defect kinds to inject; empty for none
  int64_t records_per_file = 10000;  // the starter reading files hold 10000 records each
};

// What Generate wrote. Customers and readings are counted once each, before
// defects repeat or drop any. Files and bytes count every landing file,
// redelivered copies included, but not ground_truth.json.
struct GenerateSummary {
  int64_t customers = 0;
  int64_t accelerometer_readings = 0;
  int64_t step_trainer_readings = 0;
  int64_t files = 0;
  int64_t bytes = 0;
};

// The defect kinds Generate can inject, in the order of its documentation.
inline constexpr std::array<std::string_view, 6> kDefectKinds = {
    "malformed",           "type_drift",  "missing_consent",
    "duplicate_customers", "redelivered", "repeated_serials"};

// Writes the sample files under options.out_dir: JSON lines in
// customer/landing, accelerometer/landing and step_trainer/landing, and
// ground_truth.json, which records the counts, the files, the job row counts
// the data should yield and every injected defect with its file and line.
// Same options, same bytes. Memory stays flat in the scale, apart from the
// lists of injected defects.
//
// Defects (options.defects, comma-separated):
//   malformed            lines that are not JSON: truncated or broken records
//   type_drift           every third file of a source writes phone as a number,
//                        x/y/z and distanceFromObject as strings
//   missing_consent      some consenting customers' records lack the share keys
//   duplicate_customers  a later file repeats some customers with a later
//                        lastUpdateDate, half of them with the research consent
//                        reversed
//   redelivered          one file per source is copied byte for byte under a
//                        later name
//   repeated_serials     customers register serials drawn from a pool of 30
//                        while their devices report their own serial
//
// Errors: kInvalidArgument for an unusable option, an unknown defect (the
// message lists the valid ones) or a landing folder that already contains
// files; kIOError when a folder or file cannot be written.
Result<GenerateSummary> Generate(const GenerateOptions& options);

}  // namespace stedi::sample
