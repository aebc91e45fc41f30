#include "sample/records.h"

#include <fmt/compile.h>

#include <array>
#include <iterator>

#include "sample/random.h"

namespace stedi::sample {
namespace {

// Stream numbers for DeriveSeed; each kind of decision draws from its own.
constexpr uint64_t kNameOrderStream = 1;
constexpr uint64_t kCustomerStream = 2;
constexpr uint64_t kSessionStream = 3;

// The starter data's 33 first and 29 last names. Their 957 pairs give the
// first 957 customers unique e-mails; later rounds add a number.
constexpr std::array<std::string_view, 33> kFirstNames = {
    "Angie", "Ashley",  "Ben",     "Bobby",  "Chris",  "Christina", "Craig",  "Dan",     "Danny",
    "David", "Edward",  "Eric",    "Frank",  "Gail",   "Jacob",     "Jane",   "Jason",   "Jaya",
    "Jerry", "John",    "Larry",   "Liz",    "Lyn",    "Manoj",     "Neeraj", "Santosh", "Sarah",
    "Sean",  "Senthil", "Spencer", "Suresh", "Travis", "Trevor"};
constexpr std::array<std::string_view, 29> kLastNames = {
    "Abram",   "Ahmed",     "Anandh",   "Anderson",  "Aristotle", "Clark",  "Clayton", "Davis",
    "Doshi",   "Fibonnaci", "Gonzalez", "Habschied", "Hansen",    "Harris", "Howard",  "Huey",
    "Jackson", "Jefferson", "Jones",    "Khatib",    "Lincoln",   "Mitra",  "Olson",   "Phillips",
    "Sanchez", "Smith",     "Spencer",  "Staples",   "Wu"};
constexpr int64_t kNamePairs = kFirstNames.size() * kLastNames.size();

// Measured on the starter data: 956 registrations over 2452 s, so about one
// every 2565 ms, from 1655561994131 on. 44 of the 956 records were updated up
// to about 70 s after registering. About half of the customers share with
// research, the public and friends, each independently.
constexpr int64_t kFirstRegistrationMs = 1655561994131;
constexpr int64_t kRegistrationSpacingMs = 2565;
constexpr double kUpdatedShare = 0.046;
constexpr int64_t kMaxUpdateDelayMs = 70000;
constexpr double kSharingShare = 0.5;
constexpr int kFirstBirthYear = 967;
constexpr int kLastBirthYear = 1964;
// Every starter customer has readings; a few without let the curated zone
// drop someone.
constexpr double kWithoutReadingsShare = 0.02;

// Sessions, measured on the starter data: 30 distinct reading times per
// customer, 2.1 to 4.0 s apart, starting between 58 s before and 15 s after
// registration. All times sit on one coarse grid, so readings of different
// customers often share a millisecond. A 10 ms grid gives about as many
// shared times as the starter data has. Each time is reported by the
// accelerometer three times (83.7%), twice (16.0%) or once (0.3%).
constexpr int64_t kTimeGridOrigin = 1655561935465;
constexpr int64_t kTimeGridMs = 10;
constexpr int kReadingTimes = 30;
constexpr int64_t kMinGapMs = 2100;
constexpr int64_t kMaxGapMs = 4000;
constexpr int64_t kEarliestStartMs = -58000;
constexpr int64_t kLatestStartMs = 15000;
constexpr int kAccelerometerPasses = 3;
constexpr int kMinDistance = 201;
constexpr int kMaxDistance = 300;

std::string FormatUuid(Random& random) {
  uint64_t high = random.Next();
  uint64_t low = random.Next();
  high = (high & ~0xf000ULL) | 0x4000ULL;                       // version 4
  low = (low & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xffff,
                     high & 0xffff, low >> 48, low & 0xffffffffffffULL);
}

int64_t SnapToGrid(int64_t time_ms) {
  int64_t offset = time_ms - kTimeGridOrigin;
  int64_t slots = offset >= 0 ? offset / kTimeGridMs : -((-offset + kTimeGridMs - 1) / kTimeGridMs);
  return kTimeGridOrigin + slots * kTimeGridMs;
}

// Returns the passes (0 to 2) in which the accelerometer reports one time.
std::array<bool, kAccelerometerPasses> DrawPasses(Random& random) {
  std::array<bool, kAccelerometerPasses> in_pass = {true, true, true};
  uint64_t per_mille = random.Below(1000);
  if (per_mille < 3) {
    in_pass = {false, false, false};
    in_pass[random.Below(kAccelerometerPasses)] = true;
  } else if (per_mille < 163) {
    in_pass[random.Below(kAccelerometerPasses)] = false;
  }
  return in_pass;
}

constexpr std::array<std::string_view, 3> kAxisValues = {"-1.0", "0.0", "1.0"};

}  // namespace

CustomerFactory::CustomerFactory(uint64_t seed, int64_t customer_count)
    : seed_(seed), customer_count_(customer_count), name_order_(kNamePairs) {
  for (int64_t i = 0; i < kNamePairs; ++i) name_order_[i] = static_cast<uint16_t>(i);
  Random random(DeriveSeed(seed, kNameOrderStream, 0));
  for (int64_t i = kNamePairs - 1; i > 0; --i) {
    std::swap(name_order_[i], name_order_[random.Below(i + 1)]);
  }
}

Customer CustomerFactory::Make(int64_t index) const {
  Random random(DeriveSeed(seed_, kCustomerStream, static_cast<uint64_t>(index)));
  Customer customer;
  customer.index = index;
  int pair = name_order_[index % kNamePairs];
  std::string_view first = kFirstNames[pair / kLastNames.size()];
  std::string_view last = kLastNames[pair % kLastNames.size()];
  int64_t round = index / kNamePairs;
  customer.name = fmt::format("{} {}", first, last);
  customer.email = round == 0 ? fmt::format("{}.{}@test.com", first, last)
                              : fmt::format("{}.{}{}@test.com", first, last, round);
  customer.birth_day = fmt::format("{}-01-01", random.Between(kFirstBirthYear, kLastBirthYear));
  customer.serial = FormatUuid(random);
  customer.registration_ms =
      kFirstRegistrationMs +
      static_cast<int64_t>(random.Below(customer_count_ * kRegistrationSpacingMs));
  customer.last_update_ms = customer.registration_ms;
  if (random.Chance(kUpdatedShare)) customer.last_update_ms += random.Between(1, kMaxUpdateDelayMs);
  customer.shares_with_research = random.Chance(kSharingShare);
  customer.shares_with_public = random.Chance(kSharingShare);
  customer.shares_with_friends = random.Chance(kSharingShare);
  customer.has_readings = !random.Chance(kWithoutReadingsShare);
  return customer;
}

Session MakeSession(uint64_t seed, const Customer& customer) {
  Random random(DeriveSeed(seed, kSessionStream, static_cast<uint64_t>(customer.index)));
  Session session;
  session.customer_index = customer.index;
  session.email = customer.email;
  session.serial = customer.serial;

  std::array<int64_t, kReadingTimes> times;
  int64_t time_ms =
      SnapToGrid(customer.registration_ms + random.Between(kEarliestStartMs, kLatestStartMs));
  for (int64_t& time : times) {
    time = time_ms;
    time_ms += kMinGapMs + kTimeGridMs * random.Between(0, (kMaxGapMs - kMinGapMs) / kTimeGridMs);
  }
  std::array<std::array<bool, kAccelerometerPasses>, kReadingTimes> passes;
  for (auto& in_pass : passes) in_pass = DrawPasses(random);

  // Each pass walks the session's times from the latest to the earliest, as
  // the starter files do. The step trainer reports each time once, in the
  // order the accelerometer first reports it.
  std::array<bool, kReadingTimes> reported = {};
  session.accelerometer.reserve(kReadingTimes * kAccelerometerPasses);
  session.step_trainer.reserve(kReadingTimes);
  for (int pass = 0; pass < kAccelerometerPasses; ++pass) {
    for (int t = kReadingTimes - 1; t >= 0; --t) {
      if (!passes[t][pass]) continue;
      AccelerometerReading reading;
      reading.timestamp_ms = times[t];
      reading.x = static_cast<int8_t>(random.Below(3)) - 1;
      reading.y = static_cast<int8_t>(random.Below(3)) - 1;
      reading.z = static_cast<int8_t>(random.Below(3)) - 1;
      session.accelerometer.push_back(reading);
      if (reported[t]) continue;
      reported[t] = true;
      session.step_trainer.push_back(
          {times[t], static_cast<int32_t>(random.Between(kMinDistance, kMaxDistance))});
    }
  }
  return session;
}

CustomerLine LineOf(const Customer& customer) {
  CustomerLine line;
  line.customer = &customer;
  line.serial = customer.serial;
  line.last_update_ms = customer.last_update_ms;
  line.shares_with_research = customer.shares_with_research;
  line.shares_with_public = customer.shares_with_public;
  line.shares_with_friends = customer.shares_with_friends;
  return line;
}

void FormatCustomer(const CustomerLine& line, fmt::memory_buffer& out) {
  const Customer& customer = *line.customer;
  auto it = std::back_inserter(out);
  // The starter customer file separates keys and values with ", " and ": ",
  // unlike the compact reading files.
  it = fmt::format_to(it, FMT_COMPILE("{{\"customerName\": \"{}\", \"email\": \"{}\", "),
                      customer.name, customer.email);
  std::string_view phone =
      line.phone_as_number ? "\"phone\": 8015551212, " : "\"phone\": \"8015551212\", ";
  out.append(phone.data(), phone.data() + phone.size());
  it = fmt::format_to(it,
                      FMT_COMPILE("\"birthDay\": \"{}\", \"serialNumber\": \"{}\", "
                                  "\"registrationDate\": {}, \"lastUpdateDate\": {}"),
                      customer.birth_day, line.serial, customer.registration_ms,
                      line.last_update_ms);
  if (line.shares_with_research) {
    it =
        fmt::format_to(it, FMT_COMPILE(", \"shareWithResearchAsOfDate\": {}"), line.last_update_ms);
  }
  if (line.shares_with_public) {
    it = fmt::format_to(it, FMT_COMPILE(", \"shareWithPublicAsOfDate\": {}"), line.last_update_ms);
  }
  if (line.shares_with_friends) {
    it = fmt::format_to(it, FMT_COMPILE(", \"shareWithFriendsAsOfDate\": {}"), line.last_update_ms);
  }
  out.push_back('}');
}

void FormatAccelerometer(std::string_view user, const AccelerometerReading& reading,
                         bool as_strings, fmt::memory_buffer& out) {
  std::string_view x = kAxisValues[reading.x + 1];
  std::string_view y = kAxisValues[reading.y + 1];
  std::string_view z = kAxisValues[reading.z + 1];
  auto it = std::back_inserter(out);
  if (as_strings) {
    fmt::format_to(it,
                   FMT_COMPILE("{{\"user\":\"{}\",\"timestamp\":{},\"x\":\"{}\",\"y\":\"{}\","
                               "\"z\":\"{}\"}}"),
                   user, reading.timestamp_ms, x, y, z);
    return;
  }
  fmt::format_to(it, FMT_COMPILE("{{\"user\":\"{}\",\"timestamp\":{},\"x\":{},\"y\":{},\"z\":{}}}"),
                 user, reading.timestamp_ms, x, y, z);
}

void FormatStepTrainer(std::string_view serial, const StepTrainerReading& reading, bool as_strings,
                       fmt::memory_buffer& out) {
  auto it = std::back_inserter(out);
  if (as_strings) {
    fmt::format_to(it,
                   FMT_COMPILE("{{\"sensorReadingTime\":{},\"serialNumber\":\"{}\","
                               "\"distanceFromObject\":\"{}\"}}"),
                   reading.time_ms, serial, reading.distance);
    return;
  }
  fmt::format_to(it,
                 FMT_COMPILE("{{\"sensorReadingTime\":{},\"serialNumber\":\"{}\","
                             "\"distanceFromObject\":{}}}"),
                 reading.time_ms, serial, reading.distance);
}

}  // namespace stedi::sample
