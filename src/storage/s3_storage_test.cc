// Tests of the S3 client and storage. The S3ClientTest and S3StorageTest
// suites need a real S3 server and skip without STEDI_S3_ENDPOINT
// (scripts/test_s3.sh provides one); the others run anywhere.
#include "storage/s3_storage.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "storage/s3_client.h"
#include "storage/s3_test_util.h"
#include "storage/s3_xml.h"
#include "test_support.h"

namespace stedi::storage {
namespace {

namespace fs = std::filesystem;
using stedi::testing::TempDir;
using stedi::testing::WriteFile;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// Writes `size` pseudo-random bytes to `path` and returns them.
std::string WriteRandomFile(const fs::path& path, size_t size) {
  std::mt19937_64 random(size);
  std::string data(size, '\0');
  for (size_t i = 0; i < size; i += 8) {
    uint64_t word = random();
    for (size_t j = 0; j < 8 && i + j < size; ++j) data[i + j] = static_cast<char>(word >> (8 * j));
  }
  WriteFile(path, data);
  return data;
}

// A TCP port on 127.0.0.1 that nothing listens on: bound, then released.
int ClosedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

// Sets environment variables for one test and restores them afterwards.
class ScopedEnvironment {
 public:
  ~ScopedEnvironment() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }

  // Sets `name` to `value`, or unsets it when `value` is empty.
  void Set(const std::string& name, const std::string& value) {
    if (!saved_.contains(name)) {
      const char* old = std::getenv(name.c_str());
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
    }
    if (value.empty()) {
      ::unsetenv(name.c_str());
    } else {
      ::setenv(name.c_str(), value.c_str(), 1);
    }
  }

  // Unsets every variable that LoadS3ConfigFromEnvironment reads.
  void Clear() {
    for (const char* name :
         {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION",
          "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE",
          "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_MAX_ATTEMPTS"}) {
      Set(name, "");
    }
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

// ----------------------------------------------------------- configuration

TEST(S3ConfigTest, EnvironmentVariablesGiveConfig) {
  ScopedEnvironment environment;
  environment.Clear();
  TempDir home;
  environment.Set("HOME", home.str());
  environment.Set("AWS_ACCESS_KEY_ID", "KEY:WITH:COLONS");
  environment.Set("AWS_SECRET_ACCESS_KEY", "secret");
  environment.Set("AWS_SESSION_TOKEN", "token");
  environment.Set("AWS_DEFAULT_REGION", "eu-west-1");
  environment.Set("AWS_ENDPOINT_URL", "http://127.0.0.1:9000");

  Result<S3Config> config = LoadS3ConfigFromEnvironment();
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->credentials.access_key_id, "KEY:WITH:COLONS");
  EXPECT_EQ(config->credentials.secret_access_key, "secret");
  EXPECT_EQ(config->credentials.session_token, "token");
  EXPECT_EQ(config->region, "eu-west-1");
  EXPECT_EQ(config->endpoint, "http://127.0.0.1:9000");

  environment.Set("AWS_REGION", "ap-south-1");
  environment.Set("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9001");
  Result<S3Config> overridden = LoadS3ConfigFromEnvironment();
  ASSERT_TRUE(overridden.ok());
  EXPECT_EQ(overridden->region, "ap-south-1") << "AWS_REGION wins over AWS_DEFAULT_REGION";
  EXPECT_EQ(overridden->endpoint, "http://127.0.0.1:9001") << "the S3-specific endpoint wins";
}

TEST(S3ConfigTest, MaxAttemptsFromEnvironment) {
  ScopedEnvironment environment;
  environment.Clear();
  TempDir home;
  environment.Set("HOME", home.str());
  environment.Set("AWS_ACCESS_KEY_ID", "key");
  environment.Set("AWS_SECRET_ACCESS_KEY", "secret");
  Result<S3Config> defaults = LoadS3ConfigFromEnvironment();
  ASSERT_TRUE(defaults.ok()) << defaults.status().ToString();
  EXPECT_EQ(defaults->max_attempts, 5);

  environment.Set("AWS_MAX_ATTEMPTS", "12");
  Result<S3Config> twelve = LoadS3ConfigFromEnvironment();
  ASSERT_TRUE(twelve.ok()) << twelve.status().ToString();
  EXPECT_EQ(twelve->max_attempts, 12);

  for (const char* invalid : {"0", "-3", "five", "4x"}) {
    environment.Set("AWS_MAX_ATTEMPTS", invalid);
    Result<S3Config> rejected = LoadS3ConfigFromEnvironment();
    EXPECT_EQ(rejected.status().code(), StatusCode::kInvalidArgument) << invalid;
  }
}

TEST(S3ConfigTest, ProfileFilesGiveConfig) {
  ScopedEnvironment environment;
  environment.Clear();
  TempDir dir;
  WriteFile(dir.path() / "credentials",
            "[default]\naws_access_key_id = DEFAULTKEY\naws_secret_access_key = defaultsecret\n"
            "\n# the lake's account\n[lake]\naws_access_key_id=LAKEKEY\n"
            "aws_secret_access_key = lake/secret+value\n");
  WriteFile(dir.path() / "config",
            "[default]\nregion = us-west-2\n\n[profile lake]\nregion = eu-central-1\n"
            "endpoint_url = http://127.0.0.1:7480\nmax_attempts = 9\n");
  environment.Set("AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "credentials").string());
  environment.Set("AWS_CONFIG_FILE", (dir.path() / "config").string());

  Result<S3Config> by_default = LoadS3ConfigFromEnvironment();
  ASSERT_TRUE(by_default.ok()) << by_default.status().ToString();
  EXPECT_EQ(by_default->credentials.access_key_id, "DEFAULTKEY");
  EXPECT_EQ(by_default->region, "us-west-2");
  EXPECT_EQ(by_default->endpoint, "");

  environment.Set("AWS_PROFILE", "lake");
  Result<S3Config> lake = LoadS3ConfigFromEnvironment();
  ASSERT_TRUE(lake.ok()) << lake.status().ToString();
  EXPECT_EQ(lake->credentials.access_key_id, "LAKEKEY");
  EXPECT_EQ(lake->credentials.secret_access_key, "lake/secret+value");
  EXPECT_EQ(lake->region, "eu-central-1");
  EXPECT_EQ(lake->endpoint, "http://127.0.0.1:7480");
  EXPECT_EQ(lake->max_attempts, 9);

  environment.Set("AWS_ACCESS_KEY_ID", "ENVKEY");
  environment.Set("AWS_SECRET_ACCESS_KEY", "envsecret");
  Result<S3Config> from_environment = LoadS3ConfigFromEnvironment();
  ASSERT_TRUE(from_environment.ok());
  EXPECT_EQ(from_environment->credentials.access_key_id, "ENVKEY")
      << "environment credentials win over the profile";
  EXPECT_EQ(from_environment->region, "eu-central-1");
}

TEST(S3ConfigTest, MissingProfileIsInvalidArgument) {
  ScopedEnvironment environment;
  environment.Clear();
  TempDir dir;
  WriteFile(dir.path() / "credentials",
            "[default]\naws_access_key_id = A\naws_secret_access_key = B\n");
  environment.Set("AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "credentials").string());
  environment.Set("AWS_CONFIG_FILE", (dir.path() / "no-config").string());
  environment.Set("AWS_PROFILE", "absent");

  Result<S3Config> config = LoadS3ConfigFromEnvironment();
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(config.status().message().starts_with("AWS profile 'absent'"))
      << config.status().message();
}

TEST(S3ConfigTest, NoCredentialsIsInvalidArgument) {
  ScopedEnvironment environment;
  environment.Clear();
  TempDir home;
  environment.Set("HOME", home.str());

  Result<S3Config> config = LoadS3ConfigFromEnvironment();
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(config.status().message().starts_with("no S3 credentials"))
      << config.status().message();
}

TEST(S3UrlTest, ParsesBucketAndPrefix) {
  struct Case {
    std::string url;
    std::string bucket;
    std::string prefix;
  };
  for (const Case& c : std::vector<Case>{{"s3://bucket", "bucket", ""},
                                         {"s3://bucket/", "bucket", ""},
                                         {"s3://bucket/lake", "bucket", "lake"},
                                         {"s3://bucket//a/b/", "bucket", "a/b"}}) {
    Result<S3Location> location = ParseS3Url(c.url);
    ASSERT_TRUE(location.ok()) << c.url << ": " << location.status().ToString();
    EXPECT_EQ(location->bucket, c.bucket) << c.url;
    EXPECT_EQ(location->prefix, c.prefix) << c.url;
  }
  for (const std::string& url : {"s3://", "s3:///prefix", "/data/lake", "https://bucket/x"}) {
    Result<S3Location> location = ParseS3Url(url);
    ASSERT_FALSE(location.ok()) << url;
    EXPECT_EQ(location.status().code(), StatusCode::kInvalidArgument) << url;
  }
}

TEST(S3UrlTest, SplitsObjectUrlKeepingFolderSlash) {
  struct Case {
    std::string url;
    std::string store;
    std::string key;
  };
  for (const Case& c : std::vector<Case>{{"s3://bucket", "s3://bucket", ""},
                                         {"s3://bucket/", "s3://bucket", ""},
                                         {"s3://bucket/a.json", "s3://bucket", "a.json"},
                                         {"s3://bucket/in/landing", "s3://bucket", "in/landing"},
                                         {"s3://bucket/in/landing/", "s3://bucket", "in/landing/"},
                                         {"s3://bucket//in/", "s3://bucket", "in/"}}) {
    Result<ObjectUrl> url = SplitObjectUrl(c.url);
    ASSERT_TRUE(url.ok()) << c.url << ": " << url.status().ToString();
    EXPECT_EQ(url->store, c.store) << c.url;
    EXPECT_EQ(url->key, c.key) << c.url;
  }
  for (const std::string& url : {"s3://", "s3:///in/", "/data/in", "in/landing"}) {
    Result<ObjectUrl> split = SplitObjectUrl(url);
    ASSERT_FALSE(split.ok()) << url;
    EXPECT_EQ(split.status().code(), StatusCode::kInvalidArgument) << url;
  }
  EXPECT_TRUE(IsRemoteLocation("s3://bucket/in/"));
  EXPECT_FALSE(IsRemoteLocation("/data/in"));
  EXPECT_FALSE(IsRemoteLocation("s3-exports/in"));
}

TEST(S3XmlTest, ParsesListingPage) {
  Result<S3ListPage> page = ParseListObjectsV2(
      "<?xml version=\"1.0\"?><ListBucketResult><Name>b</Name><IsTruncated>true</IsTruncated>"
      "<Contents><Key>a&amp;b &lt;1&gt;.json</Key><Size>12</Size>"
      "<ETag>&quot;abc&quot;</ETag><LastModified>2026-12-04T15:55:03.765Z</LastModified></Contents>"
      "<Contents><Key>caf&#233;.json</Key><Size>0</Size><ETag>\"def\"</ETag></Contents>"
      "<NextContinuationToken>token/+=</NextContinuationToken></ListBucketResult>");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "a&b <1>.json");
  EXPECT_EQ(page->objects[0].size, 12u);
  EXPECT_EQ(page->objects[0].etag, "abc");
  EXPECT_EQ(page->objects[0].modified_ms, 1796399703765);
  EXPECT_EQ(page->objects[1].key, "caf\xc3\xa9.json");
  EXPECT_EQ(page->next_continuation_token, "token/+=");
}

TEST(S3XmlTest, RejectsMalformedListing) {
  Result<S3ListPage> not_listing = ParseListObjectsV2("<Error><Code>X</Code></Error>");
  EXPECT_EQ(not_listing.status().code(), StatusCode::kCorruption);
  Result<S3ListPage> bad_size = ParseListObjectsV2(
      "<ListBucketResult><Contents><Key>k</Key><Size>12x</Size></Contents></ListBucketResult>");
  EXPECT_EQ(bad_size.status().code(), StatusCode::kCorruption);
  Result<S3ListPage> no_token =
      ParseListObjectsV2("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>");
  EXPECT_EQ(no_token.status().code(), StatusCode::kCorruption);
}

TEST(S3XmlTest, ParsesTimestamps) {
  EXPECT_EQ(ParseIso8601Ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseIso8601Ms("1970-01-01T00:00:01.5Z"), 1500);
  EXPECT_EQ(ParseIso8601Ms("2000-02-29T12:00:00.000Z"), 951825600000);
  EXPECT_EQ(ParseIso8601Ms("2000-02-29 12:00:00"), std::nullopt);
  EXPECT_EQ(ParseIso8601Ms("2000-02-29T12:00:00.Z"), std::nullopt);
  Result<S3ListPage> bad = ParseListObjectsV2(
      "<ListBucketResult><Contents><Key>k</Key><Size>1</Size>"
      "<LastModified>yesterday</LastModified></Contents></ListBucketResult>");
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
}

TEST(S3XmlTest, ParsesErrorBody) {
  S3Error error = ParseS3Error(
      "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code>"
      "<Message>The key &apos;x&apos; does not exist</Message></Error>");
  EXPECT_EQ(error.code, "NoSuchKey");
  EXPECT_EQ(error.message, "The key 'x' does not exist");
  EXPECT_EQ(ParseS3Error("").code, "");
  EXPECT_EQ(XmlEscape("\"a\" & <b>"), "&quot;a&quot; &amp; &lt;b&gt;");
}

// A TCP server on 127.0.0.1 that reads one request per connection, sends a
// reply and closes the connection. Connection i gets replies[i], and the
// ones after the last get the last reply. An empty reply closes the
// connection unanswered, like a server that drops connections.
class FaultyHttpServer {
 public:
  explicit FaultyHttpServer(std::vector<std::string> replies) : replies_(std::move(replies)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    socklen_t length = sizeof(address);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    ::listen(listener_, 8);
    thread_ = std::thread([this] { Serve(); });
  }

  ~FaultyHttpServer() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }

  std::string endpoint() const { return fmt::format("http://127.0.0.1:{}", port_); }
  int connections() const { return connections_; }

 private:
  void Serve() {
    while (!stop_) {
      pollfd ready{listener_, POLLIN, 0};
      if (::poll(&ready, 1, 20) <= 0) continue;
      int connection = ::accept(listener_, nullptr, nullptr);
      if (connection < 0) continue;
      const std::string& reply = replies_[std::min<size_t>(connections_, replies_.size() - 1)];
      ++connections_;
      std::string request;
      char buffer[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::recv(connection, buffer, sizeof(buffer), 0);
        if (n <= 0) break;
        request.append(buffer, static_cast<size_t>(n));
      }
      if (!reply.empty()) ::send(connection, reply.data(), reply.size(), MSG_NOSIGNAL);
      ::close(connection);
    }
  }

  const std::vector<std::string> replies_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

std::string HttpReply(std::string_view status_line, std::string_view body) {
  return fmt::format(
      "HTTP/1.1 {}\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n"
      "Connection: close\r\n\r\n{}",
      status_line, body.size(), body);
}

S3Config RetryTestConfig(const std::string& endpoint) {
  S3Config config;
  config.endpoint = endpoint;
  config.credentials = {"KEY", "SECRET", ""};
  config.max_attempts = 3;
  config.initial_backoff = std::chrono::milliseconds(10);
  config.max_backoff = std::chrono::milliseconds(40);
  return config;
}

TEST(S3RetryTest, ServerErrorIsRetriedThenReported) {
  FaultyHttpServer server({HttpReply(
      "503 Service Unavailable",
      "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>")});
  S3Client client(RetryTestConfig(server.endpoint()));

  Result<S3ObjectData> object = client.GetObject("lake", "a.json");
  ASSERT_FALSE(object.ok());
  EXPECT_EQ(object.status().code(), StatusCode::kIOError);
  EXPECT_EQ(object.status().message(),
            "GetObject s3://lake/a.json: HTTP 503 SlowDown: Please reduce your request rate. "
            "after 3 attempts");
  EXPECT_EQ(server.connections(), 3);
}

TEST(S3RetryTest, DroppedConnectionIsRetried) {
  FaultyHttpServer server({""});
  S3Client client(RetryTestConfig(server.endpoint()));

  Status status = client.DeleteObject("lake", "a.json");
  EXPECT_EQ(status.code(), StatusCode::kIOError);
  EXPECT_TRUE(status.message().starts_with("DeleteObject s3://lake/a.json: ")) << status.message();
  EXPECT_NE(status.message().find("after 3 attempts"), std::string::npos) << status.message();
  EXPECT_EQ(server.connections(), 3);
}

TEST(S3RetryTest, ClientErrorIsNotRetried) {
  FaultyHttpServer server({HttpReply(
      "404 Not Found", "<Error><Code>NoSuchKey</Code><Message>No such key</Message></Error>")});
  S3Client client(RetryTestConfig(server.endpoint()));

  Result<S3ObjectData> object = client.GetObject("lake", "a.json");
  EXPECT_EQ(object.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(object.status().message(),
            "GetObject s3://lake/a.json: HTTP 404 NoSuchKey: No such key");
  EXPECT_EQ(server.connections(), 1);
}

// The first PutObject lands but its connection drops; the retry then fails
// its own If-None-Match, and HeadObject shows the stored ETag.
std::vector<std::string> LostResponseReplies(std::string_view stored_etag) {
  std::string precondition_failed = HttpReply(
      "412 Precondition Failed", "<Error><Code>PreconditionFailed</Code><Message/></Error>");
  std::string head = fmt::format(
      "HTTP/1.1 200 OK\r\nETag: \"{}\"\r\nContent-Length: 2\r\nConnection: close\r\n\r\n",
      stored_etag);
  return {"", precondition_failed, head};
}

TEST(S3RetryTest, RetriedConditionalPutRecognisesOwnWrite) {
  // 99914b932bd37a50b983c5e7c90ae93b is the MD5 of "{}".
  FaultyHttpServer server(LostResponseReplies("99914b932bd37a50b983c5e7c90ae93b"));
  S3Client client(RetryTestConfig(server.endpoint()));

  Result<std::string> etag =
      client.PutObject("lake", "head.json", "{}", PutCondition{.if_none_match_any = true});
  ASSERT_TRUE(etag.ok()) << etag.status().ToString();
  EXPECT_EQ(*etag, "99914b932bd37a50b983c5e7c90ae93b");
  EXPECT_EQ(server.connections(), 3);
}

TEST(S3RetryTest, RetriedConditionalPutSeesOtherWriter) {
  FaultyHttpServer server(LostResponseReplies("0123456789abcdef0123456789abcdef"));
  S3Client client(RetryTestConfig(server.endpoint()));

  Result<std::string> etag =
      client.PutObject("lake", "head.json", "{}", PutCondition{.if_none_match_any = true});
  ASSERT_FALSE(etag.ok());
  EXPECT_EQ(etag.status().code(), StatusCode::kConflict) << etag.status().ToString();
  EXPECT_TRUE(etag.status().message().starts_with(
      "PutObject s3://lake/head.json: HTTP 412 PreconditionFailed after 2 attempts"))
      << etag.status().message();
}

// A stopped server: connections to the port are refused, so each request
// is retried and then fails with the operation named.
TEST(S3RetryTest, StoppedServerFailsAfterBoundedRetries) {
  S3Client client(RetryTestConfig(fmt::format("http://127.0.0.1:{}", ClosedPort())));

  Result<S3ObjectData> object = client.GetObject("lake", "catalog/head.json");
  ASSERT_FALSE(object.ok());
  EXPECT_EQ(object.status().code(), StatusCode::kIOError);
  const std::string& message = object.status().message();
  EXPECT_TRUE(message.starts_with("GetObject s3://lake/catalog/head.json: ")) << message;
  EXPECT_NE(message.find("after 3 attempts"), std::string::npos) << message;

  Status put = client.PutObject("lake", "k", "data").status();
  EXPECT_EQ(put.code(), StatusCode::kIOError);
  EXPECT_TRUE(put.message().starts_with("PutObject s3://lake/k: ")) << put.message();
}

TEST(S3CacheTest, OpenRemovesStagingOfExitedProcesses) {
  TempDir dir;
  // Linux pids stay below 2^22, so no process has this one.
  fs::path exited = dir.path() / "staging" / "999999999-0123456789abcdef";
  fs::path running = dir.path() / "staging" / fmt::format("{}-0123456789abcdef", ::getppid());
  fs::path other = dir.path() / "staging" / "notes";
  WriteFile(exited / "1-part-0.parquet", "partial");
  WriteFile(running / "1-part-0.parquet", "in use");
  WriteFile(other / "keep.txt", "not a staging folder");
  S3StorageOptions options;
  options.cache_dir = dir.str();

  Result<std::unique_ptr<Storage>> storage =
      OpenS3Storage(S3Location{"lake", ""}, RetryTestConfig("http://127.0.0.1:9"), options);
  ASSERT_TRUE(storage.ok()) << storage.status().ToString();
  EXPECT_FALSE(fs::exists(exited));
  EXPECT_TRUE(fs::exists(running));
  EXPECT_TRUE(fs::exists(other));
  EXPECT_EQ((*storage)->Describe(), "s3://lake");
}

// ------------------------------------------------------- against a server

class S3ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<S3Config> config = testing::TestS3Config();
    if (!config) GTEST_SKIP() << testing::kSkipMessage;
    config_ = *config;
    client_ = std::make_unique<S3Client>(config_);
    testing::EnsureTestBucket(*client_);
    prefix_ = testing::UniquePrefix() + "/";
  }

  std::string Key(std::string_view name) const { return prefix_ + std::string(name); }

  void Put(std::string_view name, std::string_view data) {
    Result<std::string> etag = client_->PutObject(testing::kTestBucket, Key(name), data);
    ASSERT_TRUE(etag.ok()) << etag.status().ToString();
  }

  S3Config config_;
  std::unique_ptr<S3Client> client_;
  std::string prefix_;
};

TEST_F(S3ClientTest, ListFollowsContinuationTokens) {
  std::vector<std::string> expected;
  for (int i = 0; i < 23; ++i) {
    std::string key = Key(fmt::format("objects/{:02}.json", i));
    ASSERT_TRUE(client_->PutObject(testing::kTestBucket, key, std::to_string(i)).ok());
    expected.push_back(key);
  }

  std::vector<size_t> page_sizes;
  std::string token;
  do {
    Result<S3ListPage> page =
        client_->ListObjectsPage(testing::kTestBucket, Key("objects/"), token, 10);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    page_sizes.push_back(page->objects.size());
    token = page->next_continuation_token;
  } while (!token.empty() && page_sizes.size() < 10);
  EXPECT_EQ(page_sizes, (std::vector<size_t>{10, 10, 3}));

  Result<std::vector<S3Object>> all =
      client_->ListObjects(testing::kTestBucket, Key("objects/"), 7);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  std::vector<std::string> keys;
  for (const S3Object& object : *all) keys.push_back(object.key);
  EXPECT_EQ(keys, expected);
  EXPECT_EQ((*all)[12].size, 2u);
  EXPECT_FALSE((*all)[12].etag.empty());
}

TEST_F(S3ClientTest, GetObjectReadsByteRanges) {
  Put("digits.txt", "0123456789");
  Result<S3ObjectData> middle =
      client_->GetObject(testing::kTestBucket, Key("digits.txt"), ByteRange{2, 5});
  ASSERT_TRUE(middle.ok()) << middle.status().ToString();
  EXPECT_EQ(middle->data, "2345");
  Result<S3ObjectData> tail =
      client_->GetObject(testing::kTestBucket, Key("digits.txt"), ByteRange{7, std::nullopt});
  ASSERT_TRUE(tail.ok()) << tail.status().ToString();
  EXPECT_EQ(tail->data, "789");

  Result<S3ObjectData> beyond =
      client_->GetObject(testing::kTestBucket, Key("digits.txt"), ByteRange{20, 25});
  ASSERT_FALSE(beyond.ok());
  EXPECT_EQ(beyond.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(beyond.status().message().starts_with("GetObject s3://stedi-test/" + prefix_))
      << beyond.status().message();
  EXPECT_NE(beyond.status().message().find("HTTP 416 InvalidRange"), std::string::npos)
      << beyond.status().message();
}

TEST_F(S3ClientTest, HeadCopyAndDelete) {
  Put("source.json", "{\"a\":1}");
  Result<S3Object> head = client_->HeadObject(testing::kTestBucket, Key("source.json"));
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->size, 7u);
  EXPECT_EQ(head->etag.size(), 32u) << "an MD5 ETag without quotes: " << head->etag;

  Result<std::string> copied = client_->CopyObject(testing::kTestBucket, Key("source.json"),
                                                   testing::kTestBucket, Key("copy dir/copy.json"));
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  EXPECT_EQ(*copied, head->etag);
  Result<S3ObjectData> copy = client_->GetObject(testing::kTestBucket, Key("copy dir/copy.json"));
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  EXPECT_EQ(copy->data, "{\"a\":1}");

  ASSERT_TRUE(client_->DeleteObject(testing::kTestBucket, Key("source.json")).ok());
  Result<S3Object> deleted_head = client_->HeadObject(testing::kTestBucket, Key("source.json"));
  ASSERT_FALSE(deleted_head.ok());
  EXPECT_EQ(deleted_head.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(deleted_head.status().message().starts_with("HeadObject s3://stedi-test/" + prefix_))
      << deleted_head.status().message();

  Result<std::string> copy_missing = client_->CopyObject(testing::kTestBucket, Key("source.json"),
                                                         testing::kTestBucket, Key("other.json"));
  ASSERT_FALSE(copy_missing.ok());
  EXPECT_EQ(copy_missing.status().code(), StatusCode::kNotFound)
      << copy_missing.status().ToString();
}

TEST_F(S3ClientTest, MissingBucketIsInvalidArgument) {
  Result<std::vector<S3Object>> listed = client_->ListObjects("stedi-test-missing", "in/");
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(listed.status().message(),
            "ListObjectsV2 s3://stedi-test-missing/in/: HTTP 404 NoSuchBucket (the bucket "
            "stedi-test-missing does not exist: check its name, or create it)");
}

TEST_F(S3ClientTest, WrongSecretIsAuthenticationErrorWithoutRetry) {
  S3Config wrong = config_;
  wrong.credentials.secret_access_key = "not-the-secret";
  wrong.max_attempts = 5;
  S3Client client(wrong);

  Result<std::string> put = client.PutObject(testing::kTestBucket, Key("denied.json"), "{}");
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.status().code(), StatusCode::kIOError);
  const std::string& message = put.status().message();
  EXPECT_TRUE(message.starts_with("PutObject s3://stedi-test/" + prefix_ +
                                  "denied.json: HTTP 403 "
                                  "SignatureDoesNotMatch"))
      << message;
  EXPECT_NE(message.find("authentication failed: check the access key and secret key"),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find("attempts"), std::string::npos) << "a 403 is not retried: " << message;

  S3Config unknown_key = config_;
  unknown_key.credentials.access_key_id = "UNKNOWNKEY0000000000";
  Result<S3ObjectData> get = S3Client(unknown_key).GetObject(testing::kTestBucket, Key("x"));
  ASSERT_FALSE(get.ok());
  EXPECT_NE(get.status().message().find("InvalidAccessKeyId"), std::string::npos)
      << get.status().message();
  EXPECT_NE(get.status().message().find("authentication failed"), std::string::npos);
}

TEST_F(S3ClientTest, AccessKeyWithColonsAuthenticates) {
  const char* access_key = std::getenv("STEDI_S3_COLON_ACCESS_KEY_ID");
  const char* secret_key = std::getenv("STEDI_S3_COLON_SECRET_ACCESS_KEY");
  if (access_key == nullptr || secret_key == nullptr) {
    GTEST_SKIP() << "the server has no key with ':' (scripts/s3_server.sh creates one)";
  }
  S3Config colon = config_;
  colon.credentials = {access_key, secret_key, ""};
  S3Client client(colon);
  Result<std::string> put = client.PutObject(testing::kTestBucket, Key("colon.json"), "{}");
  ASSERT_TRUE(put.ok()) << put.status().ToString();
}

TEST_F(S3ClientTest, IfNoneMatchOnExistingKeyConflicts) {
  PutCondition create_only{.if_none_match_any = true};
  Result<std::string> first =
      client_->PutObject(testing::kTestBucket, Key("head.json"), "1", create_only);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Result<std::string> second =
      client_->PutObject(testing::kTestBucket, Key("head.json"), "2", create_only);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kConflict);
  EXPECT_NE(second.status().message().find("HTTP 412 PreconditionFailed"), std::string::npos)
      << second.status().message();
}

TEST_F(S3ClientTest, RacingIfMatchWritersHaveOneWinner) {
  Result<std::string> base = client_->PutObject(testing::kTestBucket, Key("head.json"), "base");
  ASSERT_TRUE(base.ok()) << base.status().ToString();
  std::vector<Result<std::string>> results(2, Status::Internal("not run"));
  std::vector<std::thread> writers;
  for (int i = 0; i < 2; ++i) {
    writers.emplace_back([&, i] {
      results[i] = client_->PutObject(testing::kTestBucket, Key("head.json"), fmt::format("w{}", i),
                                      PutCondition{.if_match = *base});
    });
  }
  for (std::thread& writer : writers) writer.join();

  int winner = results[0].ok() ? 0 : 1;
  ASSERT_TRUE(results[winner].ok()) << results[winner].status().ToString();
  ASSERT_FALSE(results[1 - winner].ok()) << "both writers won";
  EXPECT_EQ(results[1 - winner].status().code(), StatusCode::kConflict)
      << results[1 - winner].status().ToString();
  Result<S3ObjectData> stored = client_->GetObject(testing::kTestBucket, Key("head.json"));
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->data, fmt::format("w{}", winner));
  EXPECT_EQ(stored->etag, *results[winner]);
}

TEST_F(S3ClientTest, LargeFileUploadsInParts) {
  TempDir dir;
  std::string data = WriteRandomFile(dir.path() / "large.bin", 20 << 20);
  MultipartOptions options{.threshold = 5 << 20, .part_size = 5 << 20};

  Result<std::string> etag = client_->UploadFile(testing::kTestBucket, Key("large.bin"),
                                                 (dir.path() / "large.bin").string(), options);
  ASSERT_TRUE(etag.ok()) << etag.status().ToString();
  EXPECT_TRUE(etag->ends_with("-4")) << "a multipart ETag names its 4 parts: " << *etag;

  std::string copy = (dir.path() / "copy.bin").string();
  Result<std::string> downloaded =
      client_->GetObjectToFile(testing::kTestBucket, Key("large.bin"), copy);
  ASSERT_TRUE(downloaded.ok()) << downloaded.status().ToString();
  EXPECT_EQ(*downloaded, *etag);
  EXPECT_EQ(fs::file_size(copy), data.size());
  EXPECT_TRUE(ReadFile(copy) == data) << "the downloaded bytes differ from the uploaded ones";

  Result<S3ObjectData> range = client_->GetObject(testing::kTestBucket, Key("large.bin"),
                                                  ByteRange{(5 << 20) - 4, (5 << 20) + 3});
  ASSERT_TRUE(range.ok()) << range.status().ToString();
  EXPECT_EQ(range->data, data.substr((5 << 20) - 4, 8)) << "bytes across a part boundary";
}

TEST_F(S3ClientTest, SmallFileUploadsInOnePut) {
  TempDir dir;
  std::string data = WriteRandomFile(dir.path() / "small.bin", 1000);
  Result<std::string> etag = client_->UploadFile(testing::kTestBucket, Key("small.bin"),
                                                 (dir.path() / "small.bin").string());
  ASSERT_TRUE(etag.ok()) << etag.status().ToString();
  EXPECT_EQ(etag->find('-'), std::string::npos) << *etag;
  Result<S3ObjectData> read = client_->GetObject(testing::kTestBucket, Key("small.bin"));
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(read->data == data);
}

class S3StorageTest : public S3ClientTest {
 protected:
  std::unique_ptr<Storage> Open(const S3StorageOptions& options, const S3Config& config) {
    Result<std::unique_ptr<Storage>> storage =
        OpenS3Storage(S3Location{testing::kTestBucket, prefix_ + "lake"}, config, options);
    EXPECT_TRUE(storage.ok()) << storage.status().ToString();
    return storage.ok() ? std::move(storage).value() : nullptr;
  }

  S3StorageOptions Options() const {
    S3StorageOptions options;
    options.cache_dir = (cache_.path() / "cache").string();
    return options;
  }

  TempDir cache_;
};

TEST_F(S3StorageTest, LocalPathForReadReusesCachedFile) {
  std::unique_ptr<Storage> storage = Open(Options(), config_);
  ASSERT_NE(storage, nullptr);
  ASSERT_TRUE(storage->Write("landing/a.json", "abc").ok());
  Result<std::string> first = storage->LocalPathForRead("landing/a.json");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(ReadFile(*first), "abc");

  // Same size, other bytes: a second download would restore "abc".
  WriteFile(*first, "xyz");
  std::unique_ptr<Storage> reopened = Open(Options(), config_);
  Result<std::string> second = reopened->LocalPathForRead("landing/a.json");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(*second, *first);
  EXPECT_EQ(ReadFile(*second), "xyz") << "the cached file was downloaded again";
}

TEST_F(S3StorageTest, CacheEvictsLeastRecentlyUsed) {
  S3StorageOptions options = Options();
  options.cache_max_bytes = 20;
  options.cache_min_age = std::chrono::seconds(0);
  std::unique_ptr<Storage> storage = Open(options, config_);
  ASSERT_NE(storage, nullptr);
  std::vector<std::string> paths;
  for (int i = 0; i < 3; ++i) {
    std::string key = fmt::format("t/{}.json", i);
    ASSERT_TRUE(storage->Write(key, "0123456789").ok());
    Result<std::string> path = storage->LocalPathForRead(key);
    ASSERT_TRUE(path.ok()) << path.status().ToString();
    paths.push_back(*path);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_FALSE(fs::exists(paths[0])) << "the oldest file stays past the bound";
  EXPECT_TRUE(fs::exists(paths[1]));
  EXPECT_TRUE(fs::exists(paths[2]));
}

TEST_F(S3StorageTest, PublishLargeFileUsesMultipart) {
  S3StorageOptions options = Options();
  options.multipart = {.threshold = 5 << 20, .part_size = 5 << 20};
  std::unique_ptr<Storage> storage = Open(options, config_);
  ASSERT_NE(storage, nullptr);
  Result<std::string> path = storage->LocalPathForWrite("curated/big.parquet");
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  std::string data = WriteRandomFile(*path, (11 << 20) + 5);

  Status published = storage->PublishLocalFile("curated/big.parquet", *path);
  ASSERT_TRUE(published.ok()) << published.ToString();
  Result<S3Object> head =
      client_->HeadObject(testing::kTestBucket, prefix_ + "lake/curated/big.parquet");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_TRUE(head->etag.ends_with("-3")) << head->etag;
  Result<std::string> read = storage->Read("curated/big.parquet");
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(*read == data);
  Result<std::string> local = storage->LocalPathForRead("curated/big.parquet");
  ASSERT_TRUE(local.ok()) << local.status().ToString();
  EXPECT_TRUE(ReadFile(*local) == data);
}

TEST_F(S3StorageTest, WrongSecretNamesCredentials) {
  S3Config wrong = config_;
  wrong.credentials.secret_access_key = "not-the-secret";
  std::unique_ptr<Storage> storage = Open(Options(), wrong);
  ASSERT_NE(storage, nullptr);
  Result<std::vector<ObjectInfo>> listed = storage->List("");
  ASSERT_FALSE(listed.ok());
  EXPECT_TRUE(listed.status().message().starts_with("ListObjectsV2 s3://stedi-test/"))
      << listed.status().message();
  EXPECT_NE(listed.status().message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos);

  // HeadObject gets no error body, yet its message still names the credentials.
  Result<bool> exists = storage->Exists("x.json");
  ASSERT_FALSE(exists.ok());
  EXPECT_TRUE(exists.status().message().starts_with("HeadObject s3://stedi-test/"))
      << exists.status().message();
  EXPECT_NE(exists.status().message().find("HTTP 403 (access denied: check the credentials"),
            std::string::npos)
      << exists.status().message();
}

TEST_F(S3StorageTest, OpenStorageReadsUrlAndEnvironment) {
  ScopedEnvironment environment;
  environment.Set("AWS_ENDPOINT_URL", config_.endpoint);
  environment.Set("STEDI_CACHE_DIR", (cache_.path() / "from-env").string());
  std::string url = fmt::format("s3://{}/{}lake/", testing::kTestBucket, prefix_);

  Result<std::unique_ptr<Storage>> storage = OpenStorage(url);
  ASSERT_TRUE(storage.ok()) << storage.status().ToString();
  EXPECT_EQ((*storage)->Describe(), fmt::format("s3://{}/{}lake", testing::kTestBucket, prefix_));
  ASSERT_TRUE((*storage)->Write("x.json", "{}").ok());
  Result<std::string> path = (*storage)->LocalPathForRead("x.json");
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_TRUE(path->starts_with((cache_.path() / "from-env").string())) << *path;
  Result<S3ObjectData> object = client_->GetObject(testing::kTestBucket, prefix_ + "lake/x.json");
  ASSERT_TRUE(object.ok()) << object.status().ToString();
}

}  // namespace
}  // namespace stedi::storage
