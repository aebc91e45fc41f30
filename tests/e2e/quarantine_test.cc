// Bad landing records end up in the quarantine, listed and exportable.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "e2e/cli_support.h"
#include "test_support.h"

namespace stedi::testing {
namespace {

constexpr char kMixed[] =
    "{\"sensorReadingTime\":1655564444103,\"serialNumber\":\"a\",\"distanceFromObject\":218}\n"
    "{\"sensorReadingTime\":1655564444104,\"serialNumber\":\"a\",\"distanceFromObject\":\"218cm\"}"
    "\n"
    "{\"sensorReadingTime\":1655564444105,\"serialNumber\":\"a\"\n"
    "{\"sensorReadingTime\":1655564444106,\"serialNumber\":\"a\",\"distanceFromObject\":7}\n";

TEST(QuarantineTest, BadRecordsAreKeptListedAndExported) {
  TempDir work;
  std::string lake = (work.path() / "lake").string();
  WriteFile(work.path() / "in" / "steps.json", kMixed);

  CommandResult ingest = RunStedi(lake, {"ingest", (work.path() / "in").string()});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  EXPECT_NE(ingest.out.find("4 records, 2 accepted, 0 coerced, 2 quarantined"), std::string::npos)
      << ingest.out;
  EXPECT_NE(ingest.err.find("steps.json:2: quarantined: distanceFromObject: expected integer, "
                            "got string \"218cm\""),
            std::string::npos)
      << ingest.err;
  EXPECT_NE(ingest.err.find("steps.json:3: quarantined: invalid JSON"), std::string::npos)
      << ingest.err;

  CommandResult rows = RunStedi(
      lake, {"query", "--format", "csv", "SELECT count(*) AS n FROM step_trainer_landing"});
  EXPECT_EQ(rows.out, "n\n2\n");

  CommandResult listed = RunStedi(lake, {"quarantine", "--format", "csv", "step_trainer_landing"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("step_trainer,\"distanceFromObject: expected integer, got string\",1,"
                            "steps.json:2,"),
            std::string::npos)
      << listed.out;

  std::string exported = (work.path() / "fix.json").string();
  // Records of several sources cannot land again as one file.
  CommandResult without_table = RunStedi(lake, {"quarantine", "--export", exported});
  EXPECT_EQ(without_table.exit_code, 2) << without_table.err;
  CommandResult exporting =
      RunStedi(lake, {"quarantine", "step_trainer_landing", "--export", exported});
  ASSERT_EQ(exporting.exit_code, 0) << exporting.err;
  EXPECT_NE(exporting.out.find("stedi ingest --source step_trainer " + exported), std::string::npos)
      << exporting.out;
  std::ifstream in(exported);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(),
            "{\"sensorReadingTime\":1655564444104,\"serialNumber\":\"a\",\"distanceFromObject\":"
            "\"218cm\"}\n"
            "{\"sensorReadingTime\":1655564444105,\"serialNumber\":\"a\"\n");

  CommandResult drift =
      RunStedi(lake, {"describe", "--drift", "--format", "csv", "step_trainer_landing"});
  ASSERT_EQ(drift.exit_code, 0) << drift.err;
  EXPECT_NE(drift.out.find("1,distanceFromObject,string,1,1,yes"), std::string::npos) << drift.out;
}

TEST(QuarantineTest, UnknownTableIsRejected) {
  TempDir lake;
  CommandResult result = RunStedi(lake.str(), {"quarantine", "customer_trusted"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("customer_trusted is not a landing table"), std::string::npos)
      << result.err;
}

}  // namespace
}  // namespace stedi::testing
