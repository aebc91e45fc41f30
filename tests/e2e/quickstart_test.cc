// The README's first command, on generated sample data, from an empty folder.
#include <gtest/gtest.h>

#include <filesystem>

#include "e2e/cli_support.h"
#include "test_support.h"

namespace stedi::testing {
namespace {

TEST(QuickstartTest, BuildsLakeFromGeneratedData) {
  TempDir work;
  CommandResult result = RunShell("cd " + work.str() + " && STEDI_SKIP_BUILD=1 STEDI_BINARY=" +
                                  std::string(STEDI_BINARY) + " " + STEDI_SOURCE_DIR +
                                  "/scripts/quickstart.sh");
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_TRUE(std::filesystem::exists(work.path() / "lake" / "_catalog" / "catalog.db"));
  EXPECT_NE(result.out.find("+ stedi generate"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("machine_learning_curated"), std::string::npos) << result.out;

  std::string lake = (work.path() / "lake").string();
  CommandResult counts = RunStedi(
      lake, {"query", "--format", "csv",
             "SELECT (SELECT count(*) FROM customer_landing) AS customers, "
             "(SELECT count(*) FROM customer_trusted) AS trusted, "
             "(SELECT count(*) FROM machine_learning_curated) AS ml, "
             "(SELECT count(*) FROM accelerometer_trusted) AS readings"});
  ASSERT_EQ(counts.exit_code, 0) << counts.err;
  int customers = 0, trusted = 0, ml = 0, readings = 0;
  ASSERT_EQ(std::sscanf(counts.out.c_str(), "customers,trusted,ml,readings\n%d,%d,%d,%d",
                        &customers, &trusted, &ml, &readings),
            4)
      << counts.out;
  EXPECT_GT(customers, 500);
  // About half of the generated customers consent to research.
  EXPECT_GT(trusted, customers * 2 / 5);
  EXPECT_LT(trusted, customers * 3 / 5);
  // Every trusted reading of a customer with a device pairs with a device reading.
  EXPECT_GT(ml, 0);
  EXPECT_LE(ml, readings);

  // Running the command again in the same folder lands nothing twice.
  CommandResult again = RunShell("cd " + work.str() + " && STEDI_SKIP_BUILD=1 STEDI_BINARY=" +
                                 std::string(STEDI_BINARY) + " " + STEDI_SOURCE_DIR +
                                 "/scripts/quickstart.sh");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("0 files landed"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("Nothing to do"), std::string::npos) << again.out;
}

}  // namespace
}  // namespace stedi::testing
