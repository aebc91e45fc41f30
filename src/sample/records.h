// The records of the sample data: customers, their exercise sessions and the
// JSON lines they become. Field names, key order, types and value shapes
// follow the STEDI starter files; the constants in records.cc state which
// measurement of those files each one reproduces.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace stedi::sample {

struct Customer {
  int64_t index = 0;
  std::string name;
  std::string email;      // unique per customer index
  std::string birth_day;  // "YYYY-01-01", the year may have three digits
  std::string serial;     // the serial number the customer's device reports
  int64_t registration_ms = 0;
  int64_t last_update_ms = 0;
  bool shares_with_research = false;
  bool shares_with_public = false;
  bool shares_with_friends = false;
  bool has_readings = false;  // false for a customer who never exercised
};

// Builds customers from their index alone, so any customer can be rebuilt
// later (for a repeated delivery) without keeping earlier ones in memory.
class CustomerFactory {
 public:
  CustomerFactory(uint64_t seed, int64_t customer_count);
  Customer Make(int64_t index) const;

 private:
  uint64_t seed_;
  int64_t customer_count_;
  std::vector<uint16_t> name_order_;  // a seeded permutation of the name pairs
};

struct AccelerometerReading {
  int64_t timestamp_ms = 0;
  int8_t x = 0;  // -1, 0 or 1, written as -1.0, 0.0 or 1.0
  int8_t y = 0;
  int8_t z = 0;
};

struct StepTrainerReading {
  int64_t time_ms = 0;
  int32_t distance = 0;
};

// One customer's exercise session: 30 distinct reading times, each reported
// by the step trainer once and by the phone's accelerometer one to three
// times. Readings are kept in the order they are delivered.
struct Session {
  int64_t customer_index = 0;
  std::string email;
  std::string serial;
  std::vector<AccelerometerReading> accelerometer;
  std::vector<StepTrainerReading> step_trainer;
  size_t next_accelerometer = 0;  // readings before this one are written
  size_t next_step_trainer = 0;
};

Session MakeSession(uint64_t seed, const Customer& customer);

// The fields of one customer line, which defects may change.
struct CustomerLine {
  const Customer* customer = nullptr;
  std::string_view serial;  // the serial as registered
  int64_t last_update_ms = 0;
  bool shares_with_research = false;
  bool shares_with_public = false;
  bool shares_with_friends = false;
  bool phone_as_number = false;  // type drift: 8015551212 instead of "8015551212"
};

CustomerLine LineOf(const Customer& customer);

// Formatters append one line without its newline. `as_strings` writes the
// numeric fields that drift ("x"/"y"/"z", "distanceFromObject") as strings.
void FormatCustomer(const CustomerLine& line, fmt::memory_buffer& out);
void FormatAccelerometer(std::string_view user, const AccelerometerReading& reading,
                         bool as_strings, fmt::memory_buffer& out);
void FormatStepTrainer(std::string_view serial, const StepTrainerReading& reading, bool as_strings,
                       fmt::memory_buffer& out);

}  // namespace stedi::sample
