#include "storage/s3_client.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <utility>

#include "common/hash.h"
#include "storage/s3_xml.h"

namespace stedi::storage {
namespace {

namespace fs = std::filesystem;

// Percent-encodes everything but the RFC 3986 unreserved characters, and
// '/' too unless `keep_slash`, as Signature V4 canonical requests expect.
std::string UriEncode(std::string_view text, bool keep_slash) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string StripQuotes(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

std::string ObjectUri(std::string_view bucket, std::string_view key) {
  if (key.empty()) return fmt::format("s3://{}", bucket);
  return fmt::format("s3://{}/{}", bucket, key);
}

// Transport failures worth another try: the server may be restarting or the
// network may have dropped the connection.
bool IsRetryableCurlError(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

bool IsAuthenticationError(std::string_view code) {
  return code == "SignatureDoesNotMatch" || code == "InvalidAccessKeyId" ||
         code == "InvalidToken" || code == "ExpiredToken" || code == "TokenRefreshRequired";
}

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

struct S3Client::Request {
  Request(std::string_view operation, std::string method, std::string_view bucket,
          std::string_view key = {})
      : operation(operation), method(std::move(method)), bucket(bucket), key(key) {}

  // The object or prefix that errors name, such as "s3://bucket/key".
  std::string Target() const { return target.empty() ? ObjectUri(bucket, key) : target; }

  std::string_view operation;  // the S3 API name, such as "GetObject"
  std::string method;
  std::string bucket;
  std::string key;
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::string> headers;  // "Name: value"
  std::optional<std::string_view> body;
  // When set, a 2xx response body is streamed into this file.
  const std::string* sink_path = nullptr;
  std::string target;  // set when the key does not name what the request is about
};

struct S3Client::Response {
  long status = 0;
  int attempts = 1;  // requests sent, retries included
  std::string body;
  std::map<std::string, std::string> headers;  // names in lower case

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// Idle curl handles. Reusing a handle reuses its open connections.
class S3Client::HandlePool {
 public:
  ~HandlePool() {
    for (CURL* handle : idle_) curl_easy_cleanup(handle);
  }

  CURL* Acquire() {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      if (!idle_.empty()) {
        CURL* handle = idle_.back();
        idle_.pop_back();
        return handle;
      }
    }
    return curl_easy_init();
  }

  void Release(CURL* handle) {
    std::lock_guard<std::mutex> guard(mutex_);
    idle_.push_back(handle);
  }

 private:
  std::mutex mutex_;
  std::vector<CURL*> idle_;
};

namespace {

// The buffers and files that the curl callbacks of one attempt use.
struct Transfer {
  CURL* curl = nullptr;
  std::string_view upload;
  size_t uploaded = 0;
  const std::string* sink_path = nullptr;
  FILE* sink = nullptr;
  bool sink_failed = false;
  int sink_errno = 0;
  std::string* body = nullptr;
  std::map<std::string, std::string>* headers = nullptr;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t n = std::min(size * count, transfer->upload.size() - transfer->uploaded);
  std::copy_n(transfer->upload.data() + transfer->uploaded, n, buffer);
  transfer->uploaded += n;
  return n;
}

int SeekUpload(void* user, curl_off_t offset, int origin) {
  auto* transfer = static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<size_t>(offset) > transfer->upload.size()) {
    return CURL_SEEKFUNC_FAIL;
  }
  transfer->uploaded = static_cast<size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t n = size * count;
  long status = 0;
  curl_easy_getinfo(transfer->curl, CURLINFO_RESPONSE_CODE, &status);
  if (transfer->sink_path == nullptr || status < 200 || status >= 300) {
    transfer->body->append(data, n);
    return n;
  }
  if (transfer->sink == nullptr) {
    transfer->sink = std::fopen(transfer->sink_path->c_str(), "wb");
    if (transfer->sink == nullptr) {
      transfer->sink_failed = true;
      transfer->sink_errno = errno;
      return 0;
    }
  }
  if (std::fwrite(data, 1, n, transfer->sink) != n) {
    transfer->sink_failed = true;
    transfer->sink_errno = errno;
    return 0;
  }
  return n;
}

size_t WriteHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  // A new status line starts a new response, e.g. after "100 Continue".
  if (line.starts_with("HTTP/")) transfer->headers->clear();
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  (*transfer->headers)[name] = std::string(value);
  return n;
}

// Sets the request method and, when the request has a body, the callbacks
// that upload it from memory.
void SetMethodAndBody(CURL* curl, const std::string& method, bool has_body, Transfer* transfer) {
  if (method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    return;
  }
  if (!has_body) {
    if (method != "GET") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    return;
  }
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
                   static_cast<curl_off_t>(transfer->upload.size()));
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(curl, CURLOPT_READDATA, transfer);
  curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, SeekUpload);
  curl_easy_setopt(curl, CURLOPT_SEEKDATA, transfer);
  // Bodies above 1 MiB get "Expect: 100-continue". Removing that header
  // with an "Expect:" entry breaks the signature in libcurl 7.88 (the
  // entry is signed but not sent), so send the body without waiting.
  curl_easy_setopt(curl, CURLOPT_EXPECT_100_TIMEOUT_MS, 0L);
  if (method != "PUT") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
}

}  // namespace

S3Client::S3Client(S3Config config)
    : config_(std::move(config)), handles_(std::make_unique<HandlePool>()) {
  InitCurlOnce();
  while (!config_.endpoint.empty() && config_.endpoint.back() == '/') config_.endpoint.pop_back();
}

S3Client::~S3Client() = default;

// Path-style ("endpoint/bucket/key") for a custom endpoint, which may not
// resolve bucket subdomains, and for AWS bucket names with dots, which the
// wildcard TLS certificate of *.s3.REGION.amazonaws.com does not cover.
// Virtual-hosted style ("bucket.s3.REGION.amazonaws.com/key") otherwise.
// NOTE: the tests reach only a local gateway, so the two AWS forms have not
// run against AWS itself.
std::string S3Client::UrlOf(const Request& request) const {
  std::string url;
  if (!config_.endpoint.empty()) {
    url = fmt::format("{}/{}", config_.endpoint, request.bucket);
  } else if (request.bucket.find('.') != std::string::npos) {
    url = fmt::format("https://s3.{}.amazonaws.com/{}", config_.region, request.bucket);
  } else {
    url = fmt::format("https://{}.s3.{}.amazonaws.com", request.bucket, config_.region);
  }
  url += "/" + UriEncode(request.key, /*keep_slash=*/true);

  // curl signs the query string exactly as given, so it must already be the
  // canonical one: every name and value encoded, sorted by name.
  std::vector<std::pair<std::string, std::string>> query;
  for (const auto& [name, value] : request.query) {
    query.emplace_back(UriEncode(name, false), UriEncode(value, false));
  }
  std::sort(query.begin(), query.end());
  for (size_t i = 0; i < query.size(); ++i) {
    url += fmt::format("{}{}={}", i == 0 ? '?' : '&', query[i].first, query[i].second);
  }
  return url;
}

// libcurl 7.88 signs the headers given here but adds neither
// x-amz-content-sha256 nor the session token by itself.
curl_slist* S3Client::HeadersOf(const Request& request) const {
  curl_slist* headers = nullptr;
  std::string payload_hash = HexSha256(request.body.value_or(std::string_view()));
  headers = curl_slist_append(headers, ("x-amz-content-sha256: " + payload_hash).c_str());
  if (!config_.credentials.session_token.empty()) {
    headers = curl_slist_append(
        headers, ("x-amz-security-token: " + config_.credentials.session_token).c_str());
  }
  for (const std::string& header : request.headers) {
    headers = curl_slist_append(headers, header.c_str());
  }
  return headers;
}

Result<S3Client::Response> S3Client::SendOnce(const Request& request, bool* retryable) {
  *retryable = false;
  CURL* curl = handles_->Acquire();
  if (curl == nullptr) return Status::Internal("curl_easy_init failed");
  curl_easy_reset(curl);

  Response response;
  Transfer transfer;
  transfer.curl = curl;
  transfer.upload = request.body.value_or(std::string_view());
  transfer.sink_path = request.sink_path;
  transfer.body = &response.body;
  transfer.headers = &response.headers;

  curl_slist* headers = HeadersOf(request);
  std::string url = UrlOf(request);
  std::string sigv4 = fmt::format("aws:amz:{}:s3", config_.region);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4.c_str());
  // Separately, because an access key may contain ':'.
  curl_easy_setopt(curl, CURLOPT_USERNAME, config_.credentials.access_key_id.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, config_.credentials.secret_access_key.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(config_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(config_.stall_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);

  SetMethodAndBody(curl, request.method, request.body.has_value(), &transfer);

  spdlog::debug("S3 {} {} {}", request.operation, request.method, url);
  CURLcode code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  curl_slist_free_all(headers);
  handles_->Release(curl);
  if (transfer.sink != nullptr && std::fclose(transfer.sink) != 0 && !transfer.sink_failed) {
    transfer.sink_failed = true;
    transfer.sink_errno = errno;
  }

  std::string object = request.Target();
  if (transfer.sink_failed) {
    return Status::IOError(fmt::format("{} {}: write {}: {}", request.operation, object,
                                       *request.sink_path, std::strerror(transfer.sink_errno)));
  }
  if (code != CURLE_OK) {
    *retryable = IsRetryableCurlError(code);
    return Status::IOError(fmt::format("{} {}: {} (curl error {})", request.operation, object,
                                       curl_easy_strerror(code), static_cast<int>(code)));
  }
  *retryable = response.status >= 500;
  return response;
}

Result<S3Client::Response> S3Client::Send(const Request& request) {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  int max_attempts = std::max(1, config_.max_attempts);
  for (int attempt = 1;; ++attempt) {
    bool retryable = false;
    Result<Response> response = SendOnce(request, &retryable);
    if (!retryable || attempt == max_attempts) {
      if (response.ok()) {
        response->attempts = attempt;
        return response;
      }
      if (attempt == 1) return response;
      return Status(response.status().code(),
                    fmt::format("{} after {} attempts", response.status().message(), attempt));
    }

    int64_t ceiling = std::min<int64_t>(
        config_.max_backoff.count(), config_.initial_backoff.count() << std::min(attempt - 1, 20));
    std::uniform_int_distribution<int64_t> jitter(0, ceiling);
    std::chrono::milliseconds backoff(jitter(random));
    std::string cause = response.ok() ? fmt::format("HTTP {} {}", response->status,
                                                    ParseS3Error(response->body).code)
                                      : response.status().message();
    std::string own_prefix = fmt::format("{} {}: ", request.operation, request.Target());
    if (cause.starts_with(own_prefix)) cause.erase(0, own_prefix.size());
    spdlog::warn("S3 {} {}: attempt {} of {} failed ({}); retrying in {} ms", request.operation,
                 request.Target(), attempt, max_attempts, cause, backoff.count());
    std::this_thread::sleep_for(backoff);
  }
}

Status S3Client::ErrorFromResponse(const Request& request, const Response& response) const {
  S3Error error = ParseS3Error(response.body);
  if (error.code.empty() && response.status == 404) error.code = "NotFound";
  std::string message =
      fmt::format("{} {}: HTTP {}", request.operation, request.Target(), response.status);
  if (!error.code.empty()) message += " " + error.code;
  if (!error.message.empty()) message += ": " + error.message;
  if (response.attempts > 1) message += fmt::format(" after {} attempts", response.attempts);

  if (response.status == 403 && IsAuthenticationError(error.code)) {
    return Status::IOError(fmt::format(
        "{} (authentication failed: check the access key and secret key in AWS_ACCESS_KEY_ID "
        "and AWS_SECRET_ACCESS_KEY, or the AWS_PROFILE profile)",
        message));
  }
  // A HEAD response has no body, so a bad signature shows as a bare 403.
  if (response.status == 403 && error.code.empty()) {
    return Status::IOError(fmt::format(
        "{} (access denied: check the credentials in AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY, or the AWS_PROFILE profile, and the bucket's permissions)",
        message));
  }
  // A missing bucket is a setting to fix, not a missing object: callers
  // that take kNotFound for "no such key" must not take it for that.
  if (error.code == "NoSuchBucket") {
    return Status::InvalidArgument(
        fmt::format("{} (the bucket {} does not exist: check its name, or create it)", message,
                    request.bucket));
  }
  std::string bucket_region = response.Header("x-amz-bucket-region");
  if (response.status == 301 && !bucket_region.empty()) {
    return Status::InvalidArgument(
        fmt::format("{} (the bucket is in region {}, not {}: set AWS_REGION={})", message,
                    bucket_region, config_.region, bucket_region));
  }
  switch (response.status) {
    case 404:
      return Status::NotFound(message);
    case 409:
    case 412:
      return Status::Conflict(message);
    case 400:
    case 416:
      return Status::InvalidArgument(message);
    default:
      return Status::IOError(message);
  }
}

// ---------------------------------------------------------------- operations

Result<S3ListPage> S3Client::ListObjectsPage(std::string_view bucket, std::string_view prefix,
                                             std::string_view continuation_token, int max_keys) {
  Request request("ListObjectsV2", "GET", bucket);
  request.query = {{"list-type", "2"}, {"max-keys", std::to_string(max_keys)}};
  if (!prefix.empty()) request.query.emplace_back("prefix", std::string(prefix));
  request.target = ObjectUri(bucket, prefix);
  if (!continuation_token.empty()) {
    request.query.emplace_back("continuation-token", std::string(continuation_token));
  }
  STEDI_ASSIGN_OR_RETURN(Response response, Send(request));
  if (response.status != 200) return ErrorFromResponse(request, response);

  Result<S3ListPage> page = ParseListObjectsV2(response.body);
  if (!page.ok()) {
    return page.status().WithContext(fmt::format("ListObjectsV2 {}", ObjectUri(bucket, prefix)));
  }
  return page;
}

Result<std::vector<S3Object>> S3Client::ListObjects(std::string_view bucket,
                                                    std::string_view prefix,
                                                    int max_keys_per_page) {
  std::vector<S3Object> objects;
  std::string token;
  do {
    STEDI_ASSIGN_OR_RETURN(S3ListPage page,
                           ListObjectsPage(bucket, prefix, token, max_keys_per_page));
    for (S3Object& object : page.objects) objects.push_back(std::move(object));
    token = std::move(page.next_continuation_token);
  } while (!token.empty());
  return objects;
}

Result<S3ObjectData> S3Client::GetObject(std::string_view bucket, std::string_view key,
                                         std::optional<ByteRange> range) {
  Request request("GetObject", "GET", bucket, key);
  if (range) {
    std::string last = range->last ? std::to_string(*range->last) : "";
    request.headers.push_back(fmt::format("Range: bytes={}-{}", range->first, last));
  }
  STEDI_ASSIGN_OR_RETURN(Response response, Send(request));
  if (response.status != 200 && response.status != 206) {
    return ErrorFromResponse(request, response);
  }
  return S3ObjectData{std::move(response.body), StripQuotes(response.Header("etag"))};
}

Result<std::string> S3Client::GetObjectToFile(std::string_view bucket, std::string_view key,
                                              const std::string& path) {
  Request request("GetObject", "GET", bucket, key);
  request.sink_path = &path;
  Result<Response> response = Send(request);
  std::error_code ignored;
  if (!response.ok()) {
    fs::remove(path, ignored);
    return response.status();
  }
  if (response->status != 200) {
    fs::remove(path, ignored);
    return ErrorFromResponse(request, *response);
  }
  // An empty object calls no write callback, so the file may not exist yet.
  if (!fs::exists(path, ignored)) {
    FILE* file = std::fopen(path.c_str(), "wb");
    if (file == nullptr || std::fclose(file) != 0) {
      return Status::IOError(fmt::format("create {}: {}", path, std::strerror(errno)));
    }
  }
  return StripQuotes(response->Header("etag"));
}

Result<S3Object> S3Client::HeadObject(std::string_view bucket, std::string_view key) {
  Request request("HeadObject", "HEAD", bucket, key);
  STEDI_ASSIGN_OR_RETURN(Response response, Send(request));
  if (response.status != 200) return ErrorFromResponse(request, response);
  S3Object object;
  object.key = std::string(key);
  object.etag = StripQuotes(response.Header("etag"));
  std::string length = response.Header("content-length");
  object.size = length.empty() ? 0 : std::stoull(length);
  return object;
}

Result<std::string> S3Client::PutObject(std::string_view bucket, std::string_view key,
                                        std::string_view data, const PutCondition& condition) {
  Request request("PutObject", "PUT", bucket, key);
  request.body = data;
  if (condition.if_none_match_any) request.headers.push_back("If-None-Match: *");
  // NOTE: Ceph RGW 16.2 compares If-Match byte for byte with its stored ETag,
  // which has no quotes, so the quoted form that RFC 9110 describes always
  // fails there. The ETag goes without quotes, as several S3 servers expect.
  if (!condition.if_match.empty()) {
    request.headers.push_back("If-Match: " + StripQuotes(condition.if_match));
  }
  STEDI_ASSIGN_OR_RETURN(Response response, Send(request));
  if (response.status == 200) return StripQuotes(response.Header("etag"));

  Status error = ErrorFromResponse(request, response);
  // AWS rejects an If-Match on a missing key with 404: another writer
  // deleted the object, which is a lost race like any other.
  if (response.status == 404 && !condition.if_match.empty()) {
    error = Status::Conflict(error.message());
  }
  if (error.code() != StatusCode::kConflict || response.attempts == 1) return error;

  // An earlier attempt may have written the object and lost only its
  // response, so that the retry failed its own precondition. The ETag of a
  // single PutObject is the MD5 of the content (unless the server encrypts
  // with KMS keys), which tells whether the stored object is this one.
  Result<S3Object> head = HeadObject(bucket, key);
  if (head.ok() && head->etag == HexMd5(data)) {
    spdlog::info(
        "S3 PutObject {}: a retry failed its precondition, but an earlier attempt had "
        "written the object",
        request.Target());
    return head->etag;
  }
  return error;
}

Status S3Client::DeleteObject(std::string_view bucket, std::string_view key) {
  Request request("DeleteObject", "DELETE", bucket, key);
  STEDI_ASSIGN_OR_RETURN(Response response, Send(request));
  if (response.status == 204 || response.status == 200 || response.status == 404) {
    return Status::Ok();
  }
  return ErrorFromResponse(request, response);
}

Result<std::string> S3Client::CopyObject(std::string_view source_bucket,
                                         std::string_view source_key, std::string_view bucket,
                                         std::string_view key) {
  Request request("CopyObject", "PUT", bucket, key);
  request.body = std::string_view();
  request.headers.push_back(fmt::format("x-amz-copy-source: /{}/{}", source_bucket,
                                        UriEncode(source_key, /*keep_slash=*/true)));
  STEDI_ASSIGN_OR_RETURN(Response response, Send(request));
  S3Error error = ParseS3Error(response.body);
  // A copy can fail after the 200 status line; the body then contains the error.
  if (response.status != 200 || !error.code.empty()) {
    if (response.status == 200) response.status = 500;
    Status error = ErrorFromResponse(request, response);
    return Status(error.code(), fmt::format("{} (copy from {})", error.message(),
                                            ObjectUri(source_bucket, source_key)));
  }
  return StripQuotes(XmlElement(response.body, "ETag"));
}

Status S3Client::CreateBucket(std::string_view bucket) {
  Request request("CreateBucket", "PUT", bucket);
  // Outside us-east-1 the request body names the region.
  std::string configuration;
  if (config_.region != "us-east-1") {
    configuration = fmt::format(
        "<CreateBucketConfiguration><LocationConstraint>{}</LocationConstraint>"
        "</CreateBucketConfiguration>",
        config_.region);
  }
  request.body = configuration;
  STEDI_ASSIGN_OR_RETURN(Response response, Send(request));
  if (response.status == 200) return Status::Ok();
  if (ParseS3Error(response.body).code == "BucketAlreadyOwnedByYou") return Status::Ok();
  return ErrorFromResponse(request, response);
}

// ------------------------------------------------------------------ uploads

Result<std::string> S3Client::UploadFile(std::string_view bucket, std::string_view key,
                                         const std::string& path, const MultipartOptions& options) {
  std::error_code error;
  uint64_t size = fs::file_size(path, error);
  if (error) return Status::IOError(fmt::format("upload {}: {}", path, error.message()));
  if (size >= options.threshold && size > options.part_size) {
    return UploadParts(bucket, key, path, size, options);
  }

  std::string data(size, '\0');
  FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr)
    return Status::IOError(fmt::format("open {}: {}", path, std::strerror(errno)));
  size_t read = std::fread(data.data(), 1, size, file);
  std::fclose(file);
  if (read != size) return Status::IOError(fmt::format("read {}: short read", path));
  return PutObject(bucket, key, data);
}

Result<std::string> S3Client::UploadParts(std::string_view bucket, std::string_view key,
                                          const std::string& path, uint64_t file_size,
                                          const MultipartOptions& options) {
  Request create("CreateMultipartUpload", "POST", bucket, key);
  create.body = std::string_view();
  create.query = {{"uploads", ""}};
  STEDI_ASSIGN_OR_RETURN(Response created, Send(create));
  if (created.status != 200) return ErrorFromResponse(create, created);
  std::string upload_id = XmlElement(created.body, "UploadId");
  if (upload_id.empty()) {
    return Status::IOError(fmt::format("CreateMultipartUpload {}: no UploadId in the response",
                                       ObjectUri(bucket, key)));
  }

  Result<std::string> etag = UploadPartsOf(bucket, key, path, file_size, options, upload_id);
  if (!etag.ok()) {
    // Leaving the upload open would keep its parts billed and stored.
    Request abort("AbortMultipartUpload", "DELETE", bucket, key);
    abort.query = {{"uploadId", upload_id}};
    Result<Response> aborted = Send(abort);
    if (!aborted.ok() || aborted->status >= 300) {
      spdlog::warn(
          "S3 AbortMultipartUpload {} upload {} failed; its parts stay until a "
          "lifecycle rule removes them",
          ObjectUri(bucket, key), upload_id);
    }
  }
  return etag;
}

Result<std::string> S3Client::UploadPartsOf(std::string_view bucket, std::string_view key,
                                            const std::string& path, uint64_t file_size,
                                            const MultipartOptions& options,
                                            const std::string& upload_id) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return Status::IOError(fmt::format("open {}: {}", path, std::strerror(errno)));

  std::string complete = "<CompleteMultipartUpload>";
  std::string part(options.part_size, '\0');
  int part_number = 0;
  for (uint64_t offset = 0; offset < file_size; offset += options.part_size) {
    size_t length = static_cast<size_t>(std::min<uint64_t>(options.part_size, file_size - offset));
    if (std::fread(part.data(), 1, length, file.get()) != length) {
      return Status::IOError(fmt::format("read {} at byte {}: short read", path, offset));
    }
    ++part_number;
    Request upload("UploadPart", "PUT", bucket, key);
    upload.body = std::string_view(part.data(), length);
    upload.query = {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}};
    STEDI_ASSIGN_OR_RETURN(Response uploaded, Send(upload));
    if (uploaded.status != 200) {
      Status error = ErrorFromResponse(upload, uploaded);
      return Status(error.code(), fmt::format("{} (part {})", error.message(), part_number));
    }
    complete += fmt::format("<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>", part_number,
                            XmlEscape(uploaded.Header("etag")));
  }
  complete += "</CompleteMultipartUpload>";

  Request finish("CompleteMultipartUpload", "POST", bucket, key);
  finish.body = complete;
  finish.query = {{"uploadId", upload_id}};
  STEDI_ASSIGN_OR_RETURN(Response finished, Send(finish));
  // The server may report a failure in the body of a 200 response.
  if (finished.status != 200 || !ParseS3Error(finished.body).code.empty()) {
    if (finished.status == 200) finished.status = 500;
    return ErrorFromResponse(finish, finished);
  }
  spdlog::debug("S3 uploaded {} in {} parts", ObjectUri(bucket, key), part_number);
  std::string etag = StripQuotes(XmlElement(finished.body, "ETag"));
  if (!etag.empty()) return etag;
  // NOTE: Ceph RGW 16.2 answers with an empty ETag element, so the ETag is
  // read back; a writer replacing the object in between would go unnoticed.
  STEDI_ASSIGN_OR_RETURN(S3Object head, HeadObject(bucket, key));
  return head.etag;
}

}  // namespace stedi::storage
