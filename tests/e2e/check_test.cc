// `stedi check` and how `stedi run` reports a violated quality rule.
#include <gtest/gtest.h>

#include "e2e/cli_support.h"
#include "test_support.h"

namespace stedi::testing {
namespace {

// One consenting customer whose device and app recorded at three moments.
void WriteLanding(const TempDir& folder, int distance) {
  WriteFile(folder.path() / "customer.json",
            R"({"customerName":"Ann","email":"ann@test.com","phone":"8015551212",)"
            R"("birthDay":"1900-01-01","serialNumber":"dev-a","registrationDate":1655564376361,)"
            R"("lastUpdateDate":1655564376361,"shareWithResearchAsOfDate":1655564376361})"
            "\n");
  std::string readings;
  std::string steps;
  // Epoch milliseconds in June 2022; the landing contract rejects times before 2000.
  for (int64_t time : {1655564377000, 1655564378000, 1655564379000}) {
    readings += R"({"user":"ann@test.com","timestamp":)" + std::to_string(time) +
                R"(,"x":0.5,"y":0.0,"z":1.0})" + "\n";
    steps += R"({"sensorReadingTime":)" + std::to_string(time) +
             R"(,"serialNumber":"dev-a","distanceFromObject":)" + std::to_string(distance) + "}\n";
  }
  WriteFile(folder.path() / "accelerometer.json", readings);
  WriteFile(folder.path() / "step_trainer.json", steps);
}

TEST(CheckCommandTest, HelpDescribesCommand) {
  CommandResult result = RunStedi("", {"check", "--help"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("--run"), std::string::npos) << result.out;
}

TEST(CheckCommandTest, UnknownRunFails) {
  TempDir lake;
  ASSERT_EQ(RunStedi(lake.str(), {"init"}).exit_code, 0);
  CommandResult result = RunStedi(lake.str(), {"check", "--run", "999"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err,
            "stedi: error: run 999 has no check results (list the latest with `stedi check`)\n");
}

TEST(CheckCommandTest, ListsResultsOfLatestRuns) {
  TempDir lake;
  TempDir landing;
  WriteLanding(landing, 250);
  ASSERT_EQ(RunStedi(lake.str(), {"ingest", landing.str()}).exit_code, 0);
  CommandResult run = RunStedi(lake.str(), {"run"});
  ASSERT_EQ(run.exit_code, 0) << run.err;

  CommandResult check = RunStedi(lake.str(), {"check", "--format", "csv"});
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(check.out.rfind("run,job,table,rule,severity,status,violations,examples\n", 0), 0u)
      << check.out;
  EXPECT_NE(check.out.find(",machine_learning_curated,machine_learning_curated,"
                           "\"rows_at_most(accelerometer_trusted, sensorReadingTime = timestamp)\","
                           "fail,passed,0,\n"),
            std::string::npos)
      << check.out;
  EXPECT_EQ(check.out.find(",failed,"), std::string::npos) << check.out;
}

TEST(CheckCommandTest, ViolatedRuleFailsRunAndCheck) {
  TempDir lake;
  TempDir landing;
  WriteLanding(landing, 20000);
  ASSERT_EQ(RunStedi(lake.str(), {"ingest", landing.str()}).exit_code, 0);
  CommandResult run = RunStedi(lake.str(), {"run"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("stedi: error: job step_trainer_trusted: check "
                         "`accepted_range(distanceFromObject, 0, 10000)` failed on "
                         "step_trainer_trusted: 3 violations, such as distanceFromObject=20000"),
            std::string::npos)
      << run.err;

  CommandResult check = RunStedi(lake.str(), {"check", "--format", "csv"});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_NE(check.out.find(",step_trainer_trusted,step_trainer_trusted,"
                           "\"accepted_range(distanceFromObject, 0, 10000)\",fail,failed,3,"
                           "distanceFromObject=20000\n"),
            std::string::npos)
      << check.out;
  EXPECT_EQ(check.err.rfind("stedi: error: 1 of ", 0), 0u) << check.err;
  EXPECT_NE(check.err.find(" checks failed\n"), std::string::npos) << check.err;

  CommandResult tables = RunStedi(lake.str(), {"describe", "step_trainer_trusted"});
  EXPECT_EQ(tables.exit_code, 1) << "a rejected first snapshot must not create the table";
}

}  // namespace
}  // namespace stedi::testing
