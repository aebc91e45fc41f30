// Deterministic sample landing data with the field names, types and value
// shapes of the STEDI starter files, for a first run and for benchmarks.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace stedi::sample {

struct GenerateOptions {
  std::string out_dir;     // receives customer/, accelerometer/ and step_trainer/ folders
  int64_t customers = 0;   // 0: derived from scale
  double scale = 1.0;      // 1.0 is about the size of the starter data set
  uint64_t seed = 42;
  std::string defects;     // comma-separated defect kinds to inject; empty for none
};

struct GenerateSummary {
  int64_t customers = 0;
  int64_t accelerometer_readings = 0;
  int64_t step_trainer_readings = 0;
  int64_t files = 0;
  int64_t bytes = 0;
};

// Writes the sample files under options.out_dir. Same options, same bytes.
Result<GenerateSummary> Generate(const GenerateOptions& options);

}  // namespace stedi::sample
