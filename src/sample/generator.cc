#include "sample/generator.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include "sample/landing_writer.h"
#include "sample/random.h"
#include "sample/records.h"

namespace stedi::sample {
namespace {

namespace fs = std::filesystem;

enum Source { kCustomer = 0, kAccelerometer = 1, kStepTrainer = 2 };
constexpr std::array<std::string_view, 3> kSourceNames = {"customer", "accelerometer",
                                                          "step_trainer"};

enum class Defect {
  kMalformed,
  kTypeDrift,
  kMissingConsent,
  kDuplicateCustomers,
  kRedelivered,
  kRepeatedSerials
};
using DefectSet = std::array<bool, kDefectKinds.size()>;

// Stream numbers for DeriveSeed, apart from those records.cc uses, so the
// records stay the same whichever defects are injected.
constexpr uint64_t kInterleaveStream = 10;
constexpr uint64_t kMalformedStream = 11;
constexpr uint64_t kMissingConsentStream = 12;
constexpr uint64_t kDuplicateStream = 13;
constexpr uint64_t kSerialStream = 14;
constexpr uint64_t kRedeliveryStream = 15;
constexpr uint64_t kFileNameStream = 16;

// The starter data set has 956 customers.
constexpr int64_t kCustomersPerScale = 956;
constexpr double kMaxScale = 1e6;

// Readings of this many customers' sessions are delivered interleaved, in
// runs of 1 to 20 accelerometer readings: the starter files switch customer
// about every 10 readings and keep returning to earlier customers.
constexpr size_t kOpenSessions = 32;
constexpr int64_t kMaxRunLength = 20;

constexpr double kMalformedShare = 1.0 / 2000;  // of the lines after each file's first
constexpr double kMissingConsentShare = 0.05;   // of the consenting customers
constexpr double kDuplicateShare = 0.03;        // of all customers
constexpr double kConsentChangeShare = 0.5;     // of the repeated customers
constexpr int64_t kMinRepeatDelayMs = 60 * 60 * 1000;
constexpr int64_t kMaxRepeatDelayMs = 30LL * 24 * 60 * 60 * 1000;
constexpr size_t kSerialPoolSize = 30;
constexpr size_t kDriftEveryFiles = 3;  // files 0, 3, 6, ... of each source drift

constexpr char kGroundTruthFile[] = "ground_truth.json";

// The semantics under which expected_job_rows in the ground truth hold.
constexpr char kExpectedRowsAssume[] =
    "malformed lines are dropped, drifted values are converted to the usual type, a "
    "redelivered file is landed once, the record with the latest lastUpdateDate wins for "
    "each email, and each device belongs to the customer given in device_owners";

Result<DefectSet> ParseDefects(std::string_view list) {
  DefectSet defects = {};
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view name = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name.empty()) continue;
    bool known = false;
    for (size_t i = 0; i < kDefectKinds.size(); ++i) {
      if (kDefectKinds[i] == name) {
        defects[i] = true;
        known = true;
      }
    }
    if (!known) {
      return Status::InvalidArgument(
          fmt::format("parse defects: unknown defect '{}'; valid defects are {}", name,
                      fmt::join(kDefectKinds, ", ")));
    }
  }
  return defects;
}

// The position of a written line.
struct LinePosition {
  int source = 0;
  size_t file = 0;  // index into that source's LandingWriter::files()
  int64_t line = 0;
};

struct MalformedLine {
  LinePosition position;
  std::string_view kind;
};

struct MissingConsent {
  LinePosition position;
  int64_t customer = 0;
};

struct RepeatedCustomer {
  int64_t customer = 0;
  LinePosition first;
  LinePosition repeat;
  bool consent_changed = false;
  bool shares_with_research = false;  // in the repeated record
  int64_t last_update_ms = 0;
};

struct Redelivery {
  int source = 0;
  size_t original = 0;
  LandingFile copy;
};

// Rows each pipeline job should produce, accumulated customer by customer.
struct JobRows {
  int64_t customer_trusted = 0;
  int64_t accelerometer_trusted = 0;
  int64_t customers_curated = 0;
  int64_t step_trainer_trusted = 0;
  int64_t machine_learning_curated = 0;
};

// Buffered text output to one file.
class TextFile {
 public:
  ~TextFile() {
    if (file_ != nullptr) std::fclose(file_);
  }
  Status Open(const fs::path& path) {
    path_ = path;
    file_ = std::fopen(path.c_str(), "wb");
    if (file_ == nullptr) return Error("create");
    return Status::Ok();
  }
  fmt::memory_buffer& buffer() { return buffer_; }
  Status FlushIfFull() { return buffer_.size() >= (1 << 20) ? Flush() : Status::Ok(); }
  Status Close() {
    STEDI_RETURN_IF_ERROR(Flush());
    int result = std::fclose(file_);
    file_ = nullptr;
    return result == 0 ? Status::Ok() : Error("close");
  }

 private:
  Status Flush() {
    size_t written = std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
    bool complete = written == buffer_.size();
    buffer_.clear();
    return complete ? Status::Ok() : Error("write");
  }
  Status Error(std::string_view operation) const {
    return Status::IOError(
        fmt::format("{} {}: {}", operation, path_.string(), std::strerror(errno)));
  }

  fs::path path_;
  std::FILE* file_ = nullptr;
  fmt::memory_buffer buffer_;
};

class Generator {
 public:
  Generator(const GenerateOptions& options, const DefectSet& defects, int64_t customer_count)
      : options_(options),
        defects_(defects),
        root_(options.out_dir),
        customer_count_(customer_count),
        factory_(options.seed, customer_count),
        interleave_random_(DeriveSeed(options.seed, kInterleaveStream, 0)),
        malformed_random_(DeriveSeed(options.seed, kMalformedStream, 0)) {
    for (int source = 0; source < 3; ++source) {
      writers_[source] = std::make_unique<LandingWriter>(
          root_, std::string(kSourceNames[source]), options.records_per_file,
          DeriveSeed(options.seed, kFileNameStream, source));
    }
  }

  Status Run();
  GenerateSummary Summary() const;

 private:
  bool Has(Defect defect) const { return defects_[static_cast<size_t>(defect)]; }
  std::string_view PathOf(const LinePosition& position) const {
    return writers_[position.source]->files()[position.file].path;
  }

  template <typename FormatLine>
  Status WriteRecord(int source, const FormatLine& format, LinePosition* position = nullptr);
  Status WriteMalformed(int source);
  std::string_view RegisteredSerial(const Customer& customer) const;
  Result<bool> WriteCustomer(const Customer& customer);
  Status WriteRun();
  Status WriteRepeatedCustomers();
  Status Redeliver();
  Status WriteGroundTruth();
  void WriteFileList(fmt::memory_buffer& out) const;
  Status WriteDefects(TextFile& out) const;
  Status WriteMalformedLines(TextFile& out) const;
  Status WriteTypeDrift(TextFile& out) const;
  Status WriteMissingConsent(TextFile& out) const;
  Status WriteRepeatedCustomerList(TextFile& out) const;
  Status WriteRedeliveries(TextFile& out) const;
  Status WriteDeviceOwners(TextFile& out) const;

  const GenerateOptions& options_;
  DefectSet defects_;
  fs::path root_;
  int64_t customer_count_;
  CustomerFactory factory_;
  Random interleave_random_;
  Random malformed_random_;
  std::array<std::unique_ptr<LandingWriter>, 3> writers_;
  std::vector<Session> open_sessions_;
  std::vector<std::string> serial_pool_;
  fmt::memory_buffer line_;

  int64_t sharing_with_research_ = 0;
  int64_t without_readings_ = 0;
  int64_t accelerometer_readings_ = 0;
  int64_t step_trainer_readings_ = 0;
  JobRows expected_;
  std::vector<MalformedLine> malformed_;
  std::vector<MissingConsent> missing_consent_;
  std::vector<RepeatedCustomer> repeated_;
  std::vector<Redelivery> redeliveries_;
};

template <typename FormatLine>
Status Generator::WriteRecord(int source, const FormatLine& format, LinePosition* position) {
  LandingWriter& writer = *writers_[source];
  STEDI_RETURN_IF_ERROR(writer.Prepare());
  bool drifted = Has(Defect::kTypeDrift) && writer.file_index() % kDriftEveryFiles == 0;
  line_.clear();
  format(drifted, line_);
  if (Has(Defect::kMalformed) && writer.next_line() > 1 &&
      malformed_random_.Chance(kMalformedShare)) {
    STEDI_RETURN_IF_ERROR(WriteMalformed(source));
  }
  if (position != nullptr) *position = {source, writer.file_index(), writer.next_line()};
  return writer.AppendRecord(std::string_view(line_.data(), line_.size()));
}

// Writes a broken copy of the record in line_ before it: either cut short
// (a proper prefix of a JSON object is never valid JSON) or with its first
// ':' replaced by '='.
Status Generator::WriteMalformed(int source) {
  LandingWriter& writer = *writers_[source];
  std::string broken(line_.data(), line_.size());
  MalformedLine malformed;
  malformed.position = {source, writer.file_index(), writer.next_line()};
  if (malformed_random_.Chance(0.5)) {
    broken.resize(malformed_random_.Between(1, static_cast<int64_t>(broken.size()) - 1));
    malformed.kind = "truncated";
  } else {
    broken[broken.find(':')] = '=';
    malformed.kind = "invalid";
  }
  malformed_.push_back(malformed);
  return writer.AppendMalformed(broken);
}

std::string_view Generator::RegisteredSerial(const Customer& customer) const {
  if (!Has(Defect::kRepeatedSerials)) return customer.serial;
  Random random(DeriveSeed(options_.seed, kSerialStream, customer.index));
  return serial_pool_[random.Below(serial_pool_.size())];
}

// Writes a customer's record and decides the defects that concern it.
// Returns whether the customer's latest record consents to research.
Result<bool> Generator::WriteCustomer(const Customer& customer) {
  CustomerLine line = LineOf(customer);
  line.serial = RegisteredSerial(customer);
  bool missing_consent = false;
  if (Has(Defect::kMissingConsent) && customer.shares_with_research) {
    Random random(DeriveSeed(options_.seed, kMissingConsentStream, customer.index));
    missing_consent = random.Chance(kMissingConsentShare);
  }
  if (missing_consent) {
    line.shares_with_research = false;
    line.shares_with_public = false;
    line.shares_with_friends = false;
  }

  LinePosition position;
  STEDI_RETURN_IF_ERROR(WriteRecord(
      kCustomer,
      [&line](bool drifted, fmt::memory_buffer& out) {
        line.phone_as_number = drifted;
        FormatCustomer(line, out);
      },
      &position));
  if (missing_consent) missing_consent_.push_back({position, customer.index});

  bool consents = line.shares_with_research;
  if (Has(Defect::kDuplicateCustomers)) {
    Random random(DeriveSeed(options_.seed, kDuplicateStream, customer.index));
    if (random.Chance(kDuplicateShare)) {
      RepeatedCustomer repeated;
      repeated.customer = customer.index;
      repeated.first = position;
      repeated.consent_changed = random.Chance(kConsentChangeShare);
      repeated.shares_with_research =
          repeated.consent_changed ? !customer.shares_with_research : customer.shares_with_research;
      repeated.last_update_ms =
          customer.last_update_ms + random.Between(kMinRepeatDelayMs, kMaxRepeatDelayMs);
      repeated_.push_back(repeated);
      consents = repeated.shares_with_research;
    }
  }
  return consents;
}

// Writes a run of one open session's accelerometer readings, and its step
// trainer readings in proportion, then retires the session once complete.
Status Generator::WriteRun() {
  size_t pick = interleave_random_.Below(open_sessions_.size());
  Session& session = open_sessions_[pick];
  int64_t run = interleave_random_.Between(1, kMaxRunLength);
  for (; run > 0 && session.next_accelerometer < session.accelerometer.size(); --run) {
    const AccelerometerReading& reading = session.accelerometer[session.next_accelerometer++];
    STEDI_RETURN_IF_ERROR(WriteRecord(kAccelerometer, [&](bool drifted, fmt::memory_buffer& out) {
      FormatAccelerometer(session.email, reading, drifted, out);
    }));
  }
  size_t due = (session.next_accelerometer * session.step_trainer.size() +
                session.accelerometer.size() - 1) /
               session.accelerometer.size();
  while (session.next_step_trainer < due) {
    const StepTrainerReading& reading = session.step_trainer[session.next_step_trainer++];
    STEDI_RETURN_IF_ERROR(WriteRecord(kStepTrainer, [&](bool drifted, fmt::memory_buffer& out) {
      FormatStepTrainer(session.serial, reading, drifted, out);
    }));
  }
  if (session.next_accelerometer == session.accelerometer.size() &&
      session.next_step_trainer == session.step_trainer.size()) {
    open_sessions_.erase(open_sessions_.begin() + static_cast<ptrdiff_t>(pick));
  }
  return Status::Ok();
}

// Writes the repeated customers into a later delivery of their own.
Status Generator::WriteRepeatedCustomers() {
  STEDI_RETURN_IF_ERROR(writers_[kCustomer]->EndFile());
  for (RepeatedCustomer& repeated : repeated_) {
    Customer customer = factory_.Make(repeated.customer);
    CustomerLine line = LineOf(customer);
    line.serial = RegisteredSerial(customer);
    line.last_update_ms = repeated.last_update_ms;
    line.shares_with_research = repeated.shares_with_research;
    STEDI_RETURN_IF_ERROR(WriteRecord(
        kCustomer,
        [&line](bool drifted, fmt::memory_buffer& out) {
          line.phone_as_number = drifted;
          FormatCustomer(line, out);
        },
        &repeated.repeat));
  }
  return Status::Ok();
}

Status Generator::Redeliver() {
  for (int source = 0; source < 3; ++source) {
    LandingWriter& writer = *writers_[source];
    if (writer.files().empty()) continue;
    Random random(DeriveSeed(options_.seed, kRedeliveryStream, source));
    Redelivery redelivery;
    redelivery.source = source;
    redelivery.original = random.Below(writer.files().size());
    redelivery.copy = writer.files()[redelivery.original];
    redelivery.copy.path = writer.NextDeliveryPath();
    std::error_code error;
    fs::copy_file(root_ / writer.files()[redelivery.original].path, root_ / redelivery.copy.path,
                  error);
    if (error) {
      return Status::IOError(fmt::format("copy {} to {}: {}",
                                         writer.files()[redelivery.original].path,
                                         redelivery.copy.path, error.message()));
    }
    redeliveries_.push_back(std::move(redelivery));
  }
  return Status::Ok();
}

Status Generator::Run() {
  if (Has(Defect::kRepeatedSerials)) {
    // The pool contains real device serials, so a naive join by serial pairs
    // each of those devices with many customers.
    for (int64_t i = 0; i < customer_count_ && serial_pool_.size() < kSerialPoolSize; ++i) {
      serial_pool_.push_back(factory_.Make(i).serial);
    }
  }

  for (int64_t index = 0; index < customer_count_; ++index) {
    Customer customer = factory_.Make(index);
    STEDI_ASSIGN_OR_RETURN(bool consents, WriteCustomer(customer));
    if (customer.shares_with_research) ++sharing_with_research_;
    if (consents) ++expected_.customer_trusted;
    if (!customer.has_readings) {
      ++without_readings_;
      continue;
    }
    Session session = MakeSession(options_.seed, customer);
    int64_t accelerometer = static_cast<int64_t>(session.accelerometer.size());
    int64_t step_trainer = static_cast<int64_t>(session.step_trainer.size());
    accelerometer_readings_ += accelerometer;
    step_trainer_readings_ += step_trainer;
    if (consents) {
      // Every accelerometer reading shares its time with exactly one step
      // trainer reading of the same customer.
      expected_.accelerometer_trusted += accelerometer;
      expected_.customers_curated += 1;
      expected_.step_trainer_trusted += step_trainer;
      expected_.machine_learning_curated += accelerometer;
    }
    open_sessions_.push_back(std::move(session));
    while (open_sessions_.size() >= kOpenSessions) STEDI_RETURN_IF_ERROR(WriteRun());
  }
  while (!open_sessions_.empty()) STEDI_RETURN_IF_ERROR(WriteRun());

  if (Has(Defect::kDuplicateCustomers)) STEDI_RETURN_IF_ERROR(WriteRepeatedCustomers());
  for (auto& writer : writers_) STEDI_RETURN_IF_ERROR(writer->EndFile());
  if (Has(Defect::kRedelivered)) STEDI_RETURN_IF_ERROR(Redeliver());
  return WriteGroundTruth();
}

GenerateSummary Generator::Summary() const {
  GenerateSummary summary;
  summary.customers = customer_count_;
  summary.accelerometer_readings = accelerometer_readings_;
  summary.step_trainer_readings = step_trainer_readings_;
  for (const auto& writer : writers_) {
    for (const LandingFile& file : writer->files()) {
      summary.files += 1;
      summary.bytes += file.bytes;
    }
  }
  for (const Redelivery& redelivery : redeliveries_) {
    summary.files += 1;
    summary.bytes += redelivery.copy.bytes;
  }
  return summary;
}

void WriteFileEntry(const LandingFile& file, bool first, fmt::memory_buffer& out) {
  fmt::format_to(std::back_inserter(out),
                 "{}\n    {{\"path\": \"{}\", \"records\": {}, \"lines\": {}, \"bytes\": {}}}",
                 first ? "" : ",", file.path, file.records, file.lines, file.bytes);
}

void Generator::WriteFileList(fmt::memory_buffer& out) const {
  bool first = true;
  for (const auto& writer : writers_) {
    for (const LandingFile& file : writer->files()) {
      WriteFileEntry(file, first, out);
      first = false;
    }
  }
  for (const Redelivery& redelivery : redeliveries_) {
    WriteFileEntry(redelivery.copy, first, out);
    first = false;
  }
}

Status Generator::WriteGroundTruth() {
  TextFile out;
  STEDI_RETURN_IF_ERROR(out.Open(root_ / kGroundTruthFile));
  auto it = std::back_inserter(out.buffer());
  std::array<int64_t, 3> records = {};
  for (int source = 0; source < 3; ++source) {
    for (const LandingFile& file : writers_[source]->files()) records[source] += file.records;
  }
  for (const Redelivery& redelivery : redeliveries_) {
    records[redelivery.source] += redelivery.copy.records;
  }

  fmt::format_to(it, "{{\n  \"seed\": {},\n  \"customers\": {},\n", options_.seed, customer_count_);
  fmt::format_to(it,
                 "  \"generated\": {{\"customers\": {}, \"sharing_with_research\": {}, "
                 "\"without_readings\": {}, \"accelerometer_readings\": {}, "
                 "\"step_trainer_readings\": {}}},\n",
                 customer_count_, sharing_with_research_, without_readings_,
                 accelerometer_readings_, step_trainer_readings_);
  fmt::format_to(it,
                 "  \"records\": {{\"customer\": {}, \"accelerometer\": {}, "
                 "\"step_trainer\": {}}},\n",
                 records[kCustomer], records[kAccelerometer], records[kStepTrainer]);
  fmt::format_to(it,
                 "  \"expected_job_rows\": {{\"customer_trusted\": {}, "
                 "\"accelerometer_trusted\": {}, \"customers_curated\": {}, "
                 "\"step_trainer_trusted\": {}, \"machine_learning_curated\": {}}},\n"
                 "  \"expected_job_rows_assume\": \"{}\",\n",
                 expected_.customer_trusted, expected_.accelerometer_trusted,
                 expected_.customers_curated, expected_.step_trainer_trusted,
                 expected_.machine_learning_curated, kExpectedRowsAssume);
  fmt::format_to(it, "  \"files\": [");
  WriteFileList(out.buffer());
  fmt::format_to(it, "\n  ],\n  \"defects\": {{");
  STEDI_RETURN_IF_ERROR(WriteDefects(out));
  fmt::format_to(std::back_inserter(out.buffer()), "\n  }}\n}}\n");
  return out.Close();
}

// Lists each injected defect as "kind": {"count": N, ...}. Line and file
// entries name the files as first delivered, and a redelivered copy repeats
// every line of its original.
Status Generator::WriteDefects(TextFile& out) const {
  using Section = Status (Generator::*)(TextFile&) const;
  // In the order of kDefectKinds and Defect.
  static constexpr std::array<Section, kDefectKinds.size()> kSections = {
      &Generator::WriteMalformedLines, &Generator::WriteTypeDrift,
      &Generator::WriteMissingConsent, &Generator::WriteRepeatedCustomerList,
      &Generator::WriteRedeliveries,   &Generator::WriteDeviceOwners};
  const char* separator = "";
  for (size_t i = 0; i < kDefectKinds.size(); ++i) {
    if (!defects_[i]) continue;
    fmt::format_to(std::back_inserter(out.buffer()), "{}\n    \"{}\": {{", separator,
                   kDefectKinds[i]);
    STEDI_RETURN_IF_ERROR((this->*kSections[i])(out));
    fmt::format_to(std::back_inserter(out.buffer()), "}}");
    separator = ",";
  }
  return Status::Ok();
}

Status Generator::WriteMalformedLines(TextFile& out) const {
  auto it = std::back_inserter(out.buffer());
  fmt::format_to(it, "\"count\": {}, \"lines\": [", malformed_.size());
  for (size_t i = 0; i < malformed_.size(); ++i) {
    const MalformedLine& line = malformed_[i];
    fmt::format_to(it, "{}\n      {{\"file\": \"{}\", \"line\": {}, \"kind\": \"{}\"}}",
                   i == 0 ? "" : ",", PathOf(line.position), line.position.line, line.kind);
    STEDI_RETURN_IF_ERROR(out.FlushIfFull());
  }
  fmt::format_to(it, "]");
  return Status::Ok();
}

Status Generator::WriteTypeDrift(TextFile& out) const {
  static constexpr std::array<std::string_view, 3> kDriftedFields = {
      "[\"phone\"], \"written_as\": \"number\"",
      "[\"x\", \"y\", \"z\"], \"written_as\": \"string\"",
      "[\"distanceFromObject\"], \"written_as\": \"string\""};
  int64_t drifted_records = 0;
  fmt::memory_buffer files;
  const char* separator = "";
  for (int source = 0; source < 3; ++source) {
    const std::vector<LandingFile>& written = writers_[source]->files();
    for (size_t file = 0; file < written.size(); file += kDriftEveryFiles) {
      fmt::format_to(std::back_inserter(files),
                     "{}\n      {{\"file\": \"{}\", \"fields\": {}, \"records\": {}}}", separator,
                     written[file].path, kDriftedFields[source], written[file].records);
      drifted_records += written[file].records;
      separator = ",";
    }
  }
  fmt::format_to(std::back_inserter(out.buffer()), "\"count\": {}, \"files\": [{}]",
                 drifted_records, std::string_view(files.data(), files.size()));
  return Status::Ok();
}

Status Generator::WriteMissingConsent(TextFile& out) const {
  auto it = std::back_inserter(out.buffer());
  fmt::format_to(it, "\"count\": {}, \"records\": [", missing_consent_.size());
  for (size_t i = 0; i < missing_consent_.size(); ++i) {
    const MissingConsent& missing = missing_consent_[i];
    fmt::format_to(it, "{}\n      {{\"file\": \"{}\", \"line\": {}, \"email\": \"{}\"}}",
                   i == 0 ? "" : ",", PathOf(missing.position), missing.position.line,
                   factory_.Make(missing.customer).email);
    STEDI_RETURN_IF_ERROR(out.FlushIfFull());
  }
  fmt::format_to(it, "]");
  return Status::Ok();
}

Status Generator::WriteRepeatedCustomerList(TextFile& out) const {
  auto it = std::back_inserter(out.buffer());
  int64_t changed = 0;
  for (const RepeatedCustomer& repeated : repeated_) changed += repeated.consent_changed;
  fmt::format_to(it, "\"count\": {}, \"consent_changed\": {}, \"records\": [", repeated_.size(),
                 changed);
  for (size_t i = 0; i < repeated_.size(); ++i) {
    const RepeatedCustomer& repeated = repeated_[i];
    fmt::format_to(it,
                   "{}\n      {{\"email\": \"{}\", \"file\": \"{}\", \"line\": {}, "
                   "\"first_file\": \"{}\", \"first_line\": {}, \"consent_changed\": {}, "
                   "\"shares_with_research\": {}, \"lastUpdateDate\": {}}}",
                   i == 0 ? "" : ",", factory_.Make(repeated.customer).email,
                   PathOf(repeated.repeat), repeated.repeat.line, PathOf(repeated.first),
                   repeated.first.line, repeated.consent_changed, repeated.shares_with_research,
                   repeated.last_update_ms);
    STEDI_RETURN_IF_ERROR(out.FlushIfFull());
  }
  fmt::format_to(it, "]");
  return Status::Ok();
}

Status Generator::WriteRedeliveries(TextFile& out) const {
  auto it = std::back_inserter(out.buffer());
  fmt::format_to(it, "\"count\": {}, \"files\": [", redeliveries_.size());
  for (size_t i = 0; i < redeliveries_.size(); ++i) {
    const Redelivery& redelivery = redeliveries_[i];
    fmt::format_to(it, "{}\n      {{\"original\": \"{}\", \"copy\": \"{}\", \"records\": {}}}",
                   i == 0 ? "" : ",",
                   writers_[redelivery.source]->files()[redelivery.original].path,
                   redelivery.copy.path, redelivery.copy.records);
  }
  fmt::format_to(it, "]");
  return Status::Ok();
}

// Writes the serial pool, the true owner of every device that reports
// readings, and as count the customer records whose serial is not their
// device's.
Status Generator::WriteDeviceOwners(TextFile& out) const {
  auto it = std::back_inserter(out.buffer());
  fmt::format_to(it, "\"pool\": [\"{}\"], \"device_owners\": {{",
                 fmt::join(serial_pool_, "\", \""));
  int64_t misregistered = 0;
  bool first = true;
  for (int64_t index = 0; index < customer_count_; ++index) {
    Customer customer = factory_.Make(index);
    if (RegisteredSerial(customer) != customer.serial) ++misregistered;
    if (!customer.has_readings) continue;
    fmt::format_to(it, "{}\n      \"{}\": \"{}\"", first ? "" : ",", customer.serial,
                   customer.email);
    first = false;
    STEDI_RETURN_IF_ERROR(out.FlushIfFull());
  }
  fmt::format_to(it, "}}, \"count\": {}", misregistered);
  return Status::Ok();
}

Result<int64_t> CustomerCount(const GenerateOptions& options) {
  if (options.customers < 0) {
    return Status::InvalidArgument(
        fmt::format("generate sample data: customers is {}; give a positive count, or 0 to "
                    "derive it from the scale",
                    options.customers));
  }
  if (options.customers > 0) return options.customers;
  if (!(options.scale > 0 && options.scale <= kMaxScale)) {
    return Status::InvalidArgument(
        fmt::format("generate sample data: scale is {}; give a value above 0 and at most {}",
                    options.scale, kMaxScale));
  }
  return std::max<int64_t>(1, std::llround(kCustomersPerScale * options.scale));
}

// Creates the landing folders. Files left by an earlier run would mix with
// the new ones, so a folder that contains any is rejected.
Status PrepareFolders(const GenerateOptions& options) {
  if (options.out_dir.empty()) {
    return Status::InvalidArgument("generate sample data: the output folder is empty; name one");
  }
  if (options.records_per_file < 1) {
    return Status::InvalidArgument(fmt::format(
        "generate sample data: records per file is {}; give at least 1", options.records_per_file));
  }
  for (std::string_view source : kSourceNames) {
    fs::path folder = fs::path(options.out_dir) / source / "landing";
    std::error_code error;
    fs::create_directories(folder, error);
    if (error) {
      return Status::IOError(fmt::format("create {}: {}", folder.string(), error.message()));
    }
    if (!fs::is_empty(folder, error) || error) {
      return Status::InvalidArgument(fmt::format(
          "generate sample data in {}: {} already contains files; remove them or choose a new "
          "folder",
          options.out_dir, folder.string()));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<GenerateSummary> Generate(const GenerateOptions& options) {
  STEDI_ASSIGN_OR_RETURN(DefectSet defects, ParseDefects(options.defects));
  STEDI_ASSIGN_OR_RETURN(int64_t customers, CustomerCount(options));
  STEDI_RETURN_IF_ERROR(PrepareFolders(options));
  Generator generator(options, defects, customers);
  STEDI_RETURN_IF_ERROR(generator.Run());
  return generator.Summary();
}

}  // namespace stedi::sample
