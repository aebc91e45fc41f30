// The S3 gateway goes away in the middle of `stedi run` and `stedi ingest`:
// the command retries, fails with exit code 1 and commits nothing, and the
// next command succeeds once the gateway is back. Runs only under
// scripts/test_s3.sh, which starts the gateway, sets STEDI_S3_ENDPOINT and
// STEDI_S3_DIR, and lets scripts/s3_server.sh stop and start the gateway
// while the monitor and the OSD keep the data.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "e2e/cli_support.h"
#include "storage/s3_client.h"
#include "storage/s3_test_util.h"
#include "test_support.h"

extern char** environ;

namespace stedi::testing {
namespace {

using storage::testing::kTestBucket;

// A limit for each wait on the stedi process, so that a hung process fails
// the test instead of blocking it. No step relies on it to pass.
constexpr auto kWaitLimit = std::chrono::seconds(120);

// A `stedi` process whose standard output is held back: the test fills the
// pipe before the process starts, so its first write to standard output
// blocks until Finish reads the pipe. `stedi run` first writes after its
// first job is committed, and `stedi ingest` after its first group of files,
// so the process waits there, in the middle of the command, and cannot
// publish the catalog before Finish. Standard error is read as it comes.
class HeldStedi {
 public:
  HeldStedi(const std::string& lake, const std::vector<std::string>& args) {
    int out[2];
    int err[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
      ADD_FAILURE() << "pipe2: " << std::strerror(errno);
      return;
    }
    FillPipe(out[1]);

    std::vector<std::string> argv_strings = {STEDI_BINARY, "--lake", lake};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : argv_strings) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    int spawned = ::posix_spawn(&pid_, STEDI_BINARY, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    ::close(err[1]);
    out_ = out[0];
    if (spawned != 0) {
      ADD_FAILURE() << "posix_spawn " << STEDI_BINARY << ": " << std::strerror(spawned);
      pid_ = -1;
      ::close(err[0]);
      return;
    }
    error_reader_ = std::thread([this, fd = err[0]] { ReadErrors(fd); });
  }

  HeldStedi(const HeldStedi&) = delete;
  HeldStedi& operator=(const HeldStedi&) = delete;

  ~HeldStedi() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      Finish();
    }
    if (out_ >= 0) ::close(out_);
  }

  // Waits until the main thread of the process blocks in a write to its
  // standard output.
  ::testing::AssertionResult WaitUntilOutputBlocks() {
    return WaitFor("a write to standard output", [this] { return OutputBlocked(); });
  }

  // Waits until standard error contains `text`, or until the process blocks
  // in a write to its standard output, which it does before `text` when it
  // ends its first group of work early.
  ::testing::AssertionResult WaitForErrorOrBlockedOutput(const std::string& text) {
    return WaitFor("'" + text + "' on standard error", [this, &text] {
      return Errors().find(text) != std::string::npos || OutputBlocked();
    });
  }

  void Signal(int signal) { ::kill(pid_, signal); }

  // Reads standard output to its end, without the filler, and waits for the
  // process to exit.
  CommandResult Finish() {
    CommandResult result;
    std::string out;
    char buffer[65536];
    for (ssize_t n; (n = ::read(out_, buffer, sizeof(buffer))) != 0;) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) break;
      out.append(buffer, static_cast<size_t>(n));
    }
    result.out = out.substr(std::min(filler_, out.size()));
    if (error_reader_.joinable()) error_reader_.join();
    result.err = Errors();
    int status = 0;
    if (pid_ > 0 && ::waitpid(pid_, &status, 0) == pid_ && WIFEXITED(status)) {
      result.exit_code = WEXITSTATUS(status);
    }
    pid_ = -1;
    return result;
  }

 private:
  // Polls `reached` until it returns true or the process exits.
  template <typename Predicate>
  ::testing::AssertionResult WaitFor(const std::string& what, Predicate reached) {
    auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (reached()) return ::testing::AssertionSuccess();
      if (ErrorsClosed()) {
        return ::testing::AssertionFailure() << "stedi exited before " << what << "; stderr:\n"
                                             << Errors();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return ::testing::AssertionFailure() << "no " << what << " from stedi; stderr:\n" << Errors();
  }

  // Whether the main thread is in write(1, ...), from /proc/PID/syscall,
  // whose first fields are the system call number and its first argument.
  bool OutputBlocked() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/syscall");
    long number = -1;
    std::string first_argument;
    return in >> number >> first_argument && number == SYS_write && first_argument == "0x1";
  }

  // Writes to `fd` until the pipe is full, and leaves `fd` blocking.
  void FillPipe(int fd) {
    ::fcntl(fd, F_SETFL, O_NONBLOCK);
    const std::string page(4096, '.');
    for (ssize_t n; (n = ::write(fd, page.data(), page.size())) > 0;) filler_ += n;
    while (::write(fd, ".", 1) == 1) ++filler_;
    ::fcntl(fd, F_SETFL, 0);
  }

  void ReadErrors(int fd) {
    char buffer[4096];
    for (ssize_t n; (n = ::read(fd, buffer, sizeof(buffer))) != 0;) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) break;
      std::lock_guard<std::mutex> guard(mutex_);
      errors_.append(buffer, static_cast<size_t>(n));
    }
    ::close(fd);
    std::lock_guard<std::mutex> guard(mutex_);
    errors_closed_ = true;
  }

  std::string Errors() {
    std::lock_guard<std::mutex> guard(mutex_);
    return errors_;
  }

  bool ErrorsClosed() {
    std::lock_guard<std::mutex> guard(mutex_);
    return errors_closed_;
  }

  pid_t pid_ = -1;
  int out_ = -1;
  size_t filler_ = 0;
  std::thread error_reader_;
  std::mutex mutex_;
  std::string errors_;
  bool errors_closed_ = false;
};

// `stedi tables --format csv` as "table=rows" lines, without the columns
// that differ between lakes (snapshot ids, times).
std::string TableRows(const std::string& lake) {
  CommandResult tables = RunStedi(lake, {"tables", "--format", "csv"});
  EXPECT_EQ(tables.exit_code, 0) << tables.err;
  std::istringstream lines(tables.out);
  std::string rows;
  std::string line;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line)) {
    std::vector<std::string> fields;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) fields.push_back(cell);
    if (fields.size() > 3) rows += fields[0] + "=" + fields[3] + "\n";
  }
  return rows;
}

// The committed state of a lake as its readers get it: the tables, the job
// runs and each table's snapshot history.
std::string CommittedState(const std::string& lake) {
  std::string state;
  CommandResult tables = RunStedi(lake, {"tables", "--format", "csv"});
  EXPECT_EQ(tables.exit_code, 0) << tables.err;
  state += "tables:\n" + tables.out;
  CommandResult runs = RunStedi(lake, {"runs", "--format", "csv"});
  EXPECT_EQ(runs.exit_code, 0) << runs.err;
  state += "runs:\n" + runs.out;
  std::istringstream names(TableRows(lake));
  for (std::string line; std::getline(names, line);) {
    std::string table = line.substr(0, line.find('='));
    CommandResult history = RunStedi(lake, {"history", table, "--format", "csv"});
    EXPECT_EQ(history.exit_code, 0) << history.err;
    state += "history " + table + ":\n" + history.out;
  }
  return state;
}

// Checks that each "landed" line of `stedi ingest` counts every record read
// as accepted or quarantined.
void ExpectEveryRecordCounted(const std::string& ingest_output) {
  std::istringstream lines(ingest_output);
  int landed = 0;
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("landed ")) continue;
    ++landed;
    long read = -1;
    long accepted = -1;
    long coerced = -1;
    long quarantined = -1;
    std::string counts = line.substr(line.rfind(": ") + 2);
    ASSERT_EQ(std::sscanf(counts.c_str(), "%ld records, %ld accepted, %ld coerced, %ld quarantined",
                          &read, &accepted, &coerced, &quarantined),
              4)
        << line;
    EXPECT_EQ(read, accepted + quarantined) << line;
  }
  EXPECT_GT(landed, 0) << ingest_output;
}

class S3OutageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<storage::S3Config> config = storage::testing::TestS3Config();
    if (!config) GTEST_SKIP() << storage::testing::kSkipMessage;
    const char* state_dir = std::getenv("STEDI_S3_DIR");
    if (state_dir == nullptr || *state_dir == '\0') {
      GTEST_SKIP() << "STEDI_S3_DIR is not set: these tests stop and start the gateway that "
                      "scripts/test_s3.sh runs";
    }
    storage::S3Client client(*config);
    storage::testing::EnsureTestBucket(client);
    prefix_ = storage::testing::UniquePrefix();
    lake_ = std::string("s3://") + kTestBucket + "/" + prefix_;
  }

  // Starts the gateway again when a failed check left it stopped, so that
  // the tests after this one still have a server.
  void TearDown() override {
    if (gateway_stopped_) RunGateway("gateway-start");
  }

  void RunGateway(const std::string& action) {
    CommandResult result =
        RunShell(std::string(STEDI_SOURCE_DIR) + "/scripts/s3_server.sh " + action);
    ASSERT_EQ(result.exit_code, 0) << action << ": " << result.err;
    gateway_stopped_ = action == "gateway-stop";
  }

  void Generate(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {
        "generate", "--out", (work_.path() / "in").string(), "--customers", "60", "--seed", "11"};
    args.insert(args.end(), extra.begin(), extra.end());
    CommandResult generated = RunStedi("", args);
    ASSERT_EQ(generated.exit_code, 0) << generated.err;
  }

  std::vector<std::string> IngestArgs() const {
    std::filesystem::path in = work_.path() / "in";
    return {"ingest", (in / "customer").string(), (in / "accelerometer").string(),
            (in / "step_trainer").string()};
  }

  // Checks what a command that failed during the outage reported.
  void ExpectRetriedThenFailed(const CommandResult& result) {
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_NE(result.err.find("stedi: warning: S3 "), std::string::npos) << result.err;
    EXPECT_NE(result.err.find(" failed (Couldn't connect to server (curl error 7)); retrying in "),
              std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("stedi: warning: nothing this command did before the error was "
                              "committed"),
              std::string::npos)
        << result.err;
    size_t error = result.err.find("stedi: error: ");
    ASSERT_NE(error, std::string::npos) << result.err;
    std::string message = result.err.substr(error);
    // The operation, then the bucket and key, as in "PutObject s3://bucket/key: ...".
    std::string object = " s3://" + std::string(kTestBucket) + "/" + prefix_ + "/";
    size_t at = message.find(object);
    ASSERT_NE(at, std::string::npos) << message;
    size_t word = message.rfind(' ', at - 1) + 1;
    std::string operation = message.substr(word, at - word);
    const std::set<std::string> operations = {"GetObject",
                                              "HeadObject",
                                              "PutObject",
                                              "DeleteObject",
                                              "ListObjectsV2",
                                              "CopyObject",
                                              "UploadPart",
                                              "CreateMultipartUpload",
                                              "CompleteMultipartUpload"};
    EXPECT_TRUE(operations.contains(operation)) << operation << " in " << message;
    EXPECT_NE(message.find("after 5 attempts"), std::string::npos) << message;
  }

  TempDir work_;
  std::string prefix_;
  std::string lake_;
  bool gateway_stopped_ = false;
};

TEST_F(S3OutageTest, RunFailsCleanlyThenSucceeds) {
  ASSERT_NO_FATAL_FAILURE(Generate({}));
  std::string local = (work_.path() / "local-lake").string();
  for (const std::string& lake : {lake_, local}) {
    CommandResult ingest = RunStedi(lake, IngestArgs());
    ASSERT_EQ(ingest.exit_code, 0) << lake << ": " << ingest.err;
  }
  CommandResult local_run = RunStedi(local, {"run"});
  ASSERT_EQ(local_run.exit_code, 0) << local_run.err;
  std::string before = CommittedState(lake_);

  HeldStedi run(lake_, {"run"});
  // Blocked on its first result line: one job committed, the next not begun.
  ASSERT_TRUE(run.WaitUntilOutputBlocks());
  ASSERT_NO_FATAL_FAILURE(RunGateway("gateway-stop"));
  CommandResult failed = run.Finish();
  ExpectRetriedThenFailed(failed);
  EXPECT_NE(failed.out.find("customer_trusted "), std::string::npos)
      << "the run did not finish its first job before the outage:\n"
      << failed.out;

  ASSERT_NO_FATAL_FAILURE(RunGateway("gateway-start"));
  EXPECT_EQ(CommittedState(lake_), before) << "the failed run committed some of its work";
  CommandResult rerun = RunStedi(lake_, {"run"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  std::string rows = TableRows(lake_);
  EXPECT_EQ(rows, TableRows(local));
  EXPECT_NE(rows.find("machine_learning_curated="), std::string::npos) << rows;
}

TEST_F(S3OutageTest, IngestFailsCleanlyThenLandsEverything) {
  ASSERT_NO_FATAL_FAILURE(Generate({"--defects",
                                    "malformed,type_drift,missing_consent,duplicate_customers,"
                                    "redelivered,repeated_serials"}));
  ASSERT_EQ(RunStedi(lake_, {"init"}).exit_code, 0);
  std::string before = CommittedState(lake_);

  // -v logs each S3 request before it is sent.
  std::vector<std::string> args = IngestArgs();
  args.insert(args.begin(), "-v");
  HeldStedi ingest(lake_, args);
  // The customer files land first, and the accelerometer file's raw copy is
  // the next upload.
  ASSERT_TRUE(ingest.WaitForErrorOrBlockedOutput("/landing/accelerometer/raw/"));
  ingest.Signal(SIGSTOP);
  ASSERT_NO_FATAL_FAILURE(RunGateway("gateway-stop"));
  ingest.Signal(SIGCONT);
  CommandResult failed = ingest.Finish();
  ExpectRetriedThenFailed(failed);
  // Nothing was committed, so no summary claims files as landed.
  EXPECT_EQ(failed.out.find("files landed"), std::string::npos) << failed.out;

  ASSERT_NO_FATAL_FAILURE(RunGateway("gateway-start"));
  EXPECT_EQ(CommittedState(lake_), before) << "the failed ingest committed some files";
  CommandResult again = RunStedi(lake_, IngestArgs());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  std::string local = (work_.path() / "local-lake").string();
  CommandResult local_ingest = RunStedi(local, IngestArgs());
  ASSERT_EQ(local_ingest.exit_code, 0) << local_ingest.err;
  // The same files landed with the same counts, skipped files included.
  EXPECT_EQ(again.out, local_ingest.out);
  ExpectEveryRecordCounted(again.out);
  EXPECT_EQ(TableRows(lake_), TableRows(local));
  CommandResult quarantine = RunStedi(lake_, {"quarantine", "--format", "csv"});
  ASSERT_EQ(quarantine.exit_code, 0) << quarantine.err;
  CommandResult local_quarantine = RunStedi(local, {"quarantine", "--format", "csv"});
  EXPECT_EQ(quarantine.out, local_quarantine.out);
}

}  // namespace
}  // namespace stedi::testing
