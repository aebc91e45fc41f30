// Taking a landed file back out: the way to undo a file landed by mistake.
#include <gtest/gtest.h>

#include "e2e/cli_support.h"
#include "test_support.h"

namespace stedi::testing {
namespace {

constexpr char kReadings[] =
    "{\"user\":\"a@b.c\",\"timestamp\":1655564444103,\"x\":1.0,\"y\":2.0,\"z\":3.0}\n"
    "{\"user\":\"a@b.c\",\"timestamp\":1655564444104,\"x\":1.5,\"y\":2.5,\"z\":3.5}\n";

std::string Count(const std::string& lake, const std::string& table) {
  CommandResult result =
      RunStedi(lake, {"query", "--format", "csv", "SELECT count(*) AS n FROM " + table});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return result.out;
}

TEST(UnlandTest, WrongSourceCanLandAgain) {
  TempDir work;
  std::string lake = (work.path() / "lake").string();
  std::string readings = (work.path() / "readings.json").string();
  WriteFile(readings, kReadings);

  // Landed as the wrong source: every record is quarantined.
  CommandResult wrong = RunStedi(lake, {"ingest", "--source", "step_trainer", readings});
  ASSERT_EQ(wrong.exit_code, 0) << wrong.err;
  EXPECT_NE(wrong.out.find("2 records, 0 accepted, 0 coerced, 2 quarantined"), std::string::npos)
      << wrong.out;
  CommandResult rejected = RunStedi(lake, {"ingest", "--source", "accelerometer", readings});
  EXPECT_NE(rejected.out.find("already landed"), std::string::npos) << rejected.out;

  CommandResult unland = RunStedi(lake, {"unland", "readings.json"});
  ASSERT_EQ(unland.exit_code, 0) << unland.err;
  EXPECT_EQ(unland.out,
            "unlanded landing/step_trainer/raw/readings.json (2 records, 2 quarantined) from "
            "step_trainer_landing\n");
  CommandResult quarantine = RunStedi(lake, {"quarantine", "--format", "csv"});
  ASSERT_EQ(quarantine.exit_code, 0) << quarantine.err;
  EXPECT_EQ(quarantine.out, "source,reason,records,first,first_reason\n");

  CommandResult right = RunStedi(lake, {"ingest", "--source", "accelerometer", readings});
  ASSERT_EQ(right.exit_code, 0) << right.err;
  EXPECT_NE(right.out.find("2 records, 2 accepted, 0 coerced, 0 quarantined"), std::string::npos)
      << right.out;
  EXPECT_EQ(Count(lake, "accelerometer_landing"), "n\n2\n");
  EXPECT_EQ(Count(lake, "step_trainer_landing"), "n\n0\n");

  CommandResult history = RunStedi(lake, {"history", "--format", "csv", "step_trainer_landing"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_NE(history.out.find("unland landing/step_trainer/raw/readings.json"), std::string::npos)
      << history.out;
}

TEST(UnlandTest, UnknownOrAmbiguousNameFails) {
  TempDir work;
  std::string lake = (work.path() / "lake").string();
  WriteFile(work.path() / "one" / "readings.json", kReadings);
  WriteFile(work.path() / "two" / "readings.json", std::string(kReadings) + kReadings);
  ASSERT_EQ(
      RunStedi(lake, {"ingest", (work.path() / "one").string(), (work.path() / "two").string()})
          .exit_code,
      0);

  CommandResult unknown = RunStedi(lake, {"unland", "nothing.json"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no landed file is named nothing.json"), std::string::npos)
      << unknown.err;
  CommandResult ambiguous = RunStedi(lake, {"unland", "readings.json"});
  EXPECT_EQ(ambiguous.exit_code, 1);
  EXPECT_NE(ambiguous.err.find("2 landed files are named readings.json"), std::string::npos)
      << ambiguous.err;
  EXPECT_NE(ambiguous.err.find("(landed from " + (work.path() / "two" / "readings.json").string()),
            std::string::npos)
      << ambiguous.err;
  // One unknown name stops the command before any file is taken out.
  std::string first = (work.path() / "one" / "readings.json").string();
  CommandResult partly = RunStedi(lake, {"unland", first, "nothing.json"});
  EXPECT_EQ(partly.exit_code, 1);
  EXPECT_EQ(Count(lake, "accelerometer_landing"), "n\n6\n");

  // The path it was landed from names it, and naming it twice is fine.
  CommandResult by_path = RunStedi(lake, {"unland", first, first});
  ASSERT_EQ(by_path.exit_code, 0) << by_path.err;
  EXPECT_EQ(Count(lake, "accelerometer_landing"), "n\n4\n");
}

// A path landed as "./in/readings.json" is found again in another spelling.
TEST(UnlandTest, RelativePathNamesFile) {
  TempDir work;
  WriteFile(work.path() / "in" / "readings.json", kReadings);
  std::string stedi = "cd " + work.str() + " && " + std::string(STEDI_BINARY) + " --lake lake ";
  CommandResult ingest = RunShell(stedi + "ingest ./in/readings.json");
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  CommandResult unland = RunShell(stedi + "unland in/../in/readings.json");
  EXPECT_EQ(unland.exit_code, 0) << unland.err;
  EXPECT_NE(unland.out.find("unlanded landing/accelerometer/raw/readings.json"), std::string::npos)
      << unland.out;
}

}  // namespace
}  // namespace stedi::testing
