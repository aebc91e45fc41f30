// S3Client: the S3 REST operations that the lake needs, over libcurl with AWS
// Signature Version 4. It speaks to AWS S3 or to any S3-compatible server
// (path-style addressing is used for a custom endpoint).
//
// Every request that fails with a 5xx status, a timeout or a dropped
// connection is retried with exponential backoff and full jitter, up to
// S3Config::max_attempts; 4xx responses are never retried. Errors name the
// S3 operation, the bucket and key, the HTTP status and the S3 error code.
//
// Thread-safety: an S3Client is safe to call from several threads; each
// request takes its own curl handle from a pool.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

struct curl_slist;

namespace stedi::storage {

struct S3Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless the credentials are temporary
};

struct S3Config {
  // Scheme, host and port, such as "http://127.0.0.1:7480". Empty means AWS:
  // https://s3.<region>.amazonaws.com with virtual-hosted addressing.
  std::string endpoint;
  std::string region = "us-east-1";
  S3Credentials credentials;
  // Total tries of one request, the first included.
  int max_attempts = 5;
  // The backoff before retry n is a random duration in [0, min(max_backoff,
  // initial_backoff * 2^(n-1))].
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{5000};
  std::chrono::milliseconds connect_timeout{5000};
  // A transfer slower than 1 byte/s for this long counts as timed out.
  std::chrono::seconds stall_timeout{60};
};

// Builds a configuration the way the AWS CLI does, from the environment and
// the shared profile files:
//  - credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN;
//    else the profile (AWS_PROFILE, default "default") in the credentials
//    file (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials), then in
//    the config file (AWS_CONFIG_FILE, default ~/.aws/config);
//  - region: AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`, else
//    us-east-1;
//  - endpoint: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's
//    `endpoint_url`, else AWS;
//  - tries per request: AWS_MAX_ATTEMPTS, the profile's `max_attempts`,
//    else 5.
// Returns kInvalidArgument when no credentials are found, a named profile
// is missing or max_attempts is not a positive number. Returns kIOError
// when a profile file exists but cannot be read.
Result<S3Config> LoadS3ConfigFromEnvironment();

struct S3Object {
  std::string key;
  uint64_t size = 0;
  std::string etag;         // without the surrounding quotes
  int64_t modified_ms = 0;  // LastModified in Unix milliseconds; listings only
};

struct S3ListPage {
  std::vector<S3Object> objects;
  // Non-empty when more objects follow; pass it to the next call.
  std::string next_continuation_token;
};

// An inclusive byte range; `last` empty means to the end of the object.
struct ByteRange {
  uint64_t first = 0;
  std::optional<uint64_t> last;
};

struct S3ObjectData {
  std::string data;
  std::string etag;  // without the surrounding quotes
};

// The precondition of a PutObject.
struct PutCondition {
  // Write only if the key does not exist yet (If-None-Match: *).
  bool if_none_match_any = false;
  // Write only if the current ETag equals this one (If-Match). Empty: no check.
  std::string if_match;
};

struct MultipartOptions {
  // Files of at least this many bytes go up in parts.
  uint64_t threshold = 64ull << 20;
  // S3 requires every part but the last to be at least 5 MiB.
  uint64_t part_size = 16ull << 20;
};

class S3Client {
 public:
  explicit S3Client(S3Config config);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  const S3Config& config() const { return config_; }

  // One page of ListObjectsV2 of the keys starting with `prefix`, at most
  // `max_keys` objects. `continuation_token` is empty for the first page.
  Result<S3ListPage> ListObjectsPage(std::string_view bucket, std::string_view prefix,
                                     std::string_view continuation_token, int max_keys = 1000);
  // Every object whose key starts with `prefix`, in key order, following the
  // continuation tokens page after page.
  Result<std::vector<S3Object>> ListObjects(std::string_view bucket, std::string_view prefix,
                                            int max_keys_per_page = 1000);

  // Reads an object, or the bytes of `range`. kNotFound when it is missing.
  Result<S3ObjectData> GetObject(std::string_view bucket, std::string_view key,
                                 std::optional<ByteRange> range = std::nullopt);
  // Streams an object into the file `path` (created or truncated) without
  // holding it in memory. Returns the ETag. kNotFound when it is missing.
  Result<std::string> GetObjectToFile(std::string_view bucket, std::string_view key,
                                      const std::string& path);
  // Size and ETag of an object. kNotFound when it is missing.
  Result<S3Object> HeadObject(std::string_view bucket, std::string_view key);

  // Writes an object and returns its new ETag. kConflict when `condition`
  // does not hold (HTTP 412, or 404 for If-Match on a missing key).
  Result<std::string> PutObject(std::string_view bucket, std::string_view key,
                                std::string_view data, const PutCondition& condition = {});
  // Uploads the local file `path` as an object and returns its ETag: in one
  // PutObject below `options.threshold`, otherwise as a multipart upload that
  // keeps one part in memory at a time. A failed multipart upload is aborted.
  Result<std::string> UploadFile(std::string_view bucket, std::string_view key,
                                 const std::string& path, const MultipartOptions& options = {});

  // Deletes an object; deleting a missing object succeeds.
  Status DeleteObject(std::string_view bucket, std::string_view key);
  // Copies an object inside the server and returns the copy's ETag.
  Result<std::string> CopyObject(std::string_view source_bucket, std::string_view source_key,
                                 std::string_view bucket, std::string_view key);
  // Creates a bucket; succeeds when this account already owns it.
  Status CreateBucket(std::string_view bucket);

 private:
  struct Request;
  struct Response;
  class HandlePool;

  Result<Response> Send(const Request& request);
  Result<Response> SendOnce(const Request& request, bool* retryable);
  Status ErrorFromResponse(const Request& request, const Response& response) const;
  std::string UrlOf(const Request& request) const;
  curl_slist* HeadersOf(const Request& request) const;

  Result<std::string> UploadParts(std::string_view bucket, std::string_view key,
                                  const std::string& path, uint64_t file_size,
                                  const MultipartOptions& options);
  Result<std::string> UploadPartsOf(std::string_view bucket, std::string_view key,
                                    const std::string& path, uint64_t file_size,
                                    const MultipartOptions& options, const std::string& upload_id);

  S3Config config_;
  std::unique_ptr<HandlePool> handles_;
};

}  // namespace stedi::storage
