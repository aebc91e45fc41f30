// Helpers for the tests that need a real S3 server. They run only when
// STEDI_S3_ENDPOINT names one (scripts/test_s3.sh starts a Ceph RADOS
// Gateway on 127.0.0.1 and sets it, with the AWS_* credentials).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <random>
#include <string>

#include "storage/s3_client.h"

namespace stedi::storage::testing {

// The bucket that the tests create and share; each test works under a
// prefix of its own.
inline constexpr char kTestBucket[] = "stedi-test";

// The configuration for the test server, or nothing when STEDI_S3_ENDPOINT
// is not set. Fails the test when the credentials are missing.
inline std::optional<S3Config> TestS3Config() {
  const char* endpoint = std::getenv("STEDI_S3_ENDPOINT");
  if (endpoint == nullptr || *endpoint == '\0') return std::nullopt;
  Result<S3Config> config = LoadS3ConfigFromEnvironment();
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  if (!config.ok()) return std::nullopt;
  config->endpoint = endpoint;
  // Keep a failing test quick; the retry tests set their own limits.
  config->max_attempts = 3;
  config->initial_backoff = std::chrono::milliseconds(50);
  return std::move(config).value();
}

inline constexpr char kSkipMessage[] =
    "STEDI_S3_ENDPOINT is not set; scripts/test_s3.sh runs these tests against a local "
    "S3 server";

// A prefix no other test or run uses.
inline std::string UniquePrefix() {
  static std::mt19937_64 random{std::random_device{}()};
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(test->test_suite_name()) + "." + test->name();
  for (char& c : name) {
    if (c == '/') c = '.';
  }
  return "run-" + std::to_string(::getpid()) + "-" + std::to_string(random() % 1000000) + "/" +
         name;
}

// Creates the test bucket once per process.
inline void EnsureTestBucket(S3Client& client) {
  static bool created = false;
  if (created) return;
  Status status = client.CreateBucket(kTestBucket);
  ASSERT_TRUE(status.ok()) << status.ToString();
  created = true;
}

}  // namespace stedi::storage::testing
