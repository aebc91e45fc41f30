// LoadS3ConfigFromEnvironment: the AWS environment variables and the shared
// profile files (INI format) as the AWS CLI reads them.
#include <fmt/format.h>

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include "storage/s3_client.h"

namespace stedi::storage {
namespace {

namespace fs = std::filesystem;

using Section = std::map<std::string, std::string>;

std::string Getenv(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// The file named by `variable`, else `default_name` under ~/.aws.
fs::path ProfileFile(const char* variable, const char* default_name) {
  std::string path = Getenv(variable);
  if (!path.empty()) return path;
  std::string home = Getenv("HOME");
  if (home.empty()) return {};
  return fs::path(home) / ".aws" / default_name;
}

// The settings of section `[name]` in the INI file `path`, or nothing when
// the file or the section does not exist. Names are lower-cased.
Result<std::optional<Section>> ReadSection(const fs::path& path, std::string_view name) {
  std::error_code error;
  if (path.empty() || !fs::exists(path, error)) return std::optional<Section>();
  std::ifstream in(path);
  if (!in)
    return Status::IOError(fmt::format("read AWS profile file {}: cannot open", path.string()));

  std::optional<Section> section;
  bool inside = false;
  std::string line;
  while (std::getline(in, line)) {
    std::string_view text = Trim(line);
    if (text.empty() || text[0] == '#' || text[0] == ';') continue;
    if (text.front() == '[' && text.back() == ']') {
      inside = Trim(text.substr(1, text.size() - 2)) == name;
      if (inside && !section) section.emplace();
      continue;
    }
    size_t equals = text.find('=');
    if (!inside || equals == std::string_view::npos) continue;
    std::string key(Trim(text.substr(0, equals)));
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    (*section)[key] = std::string(Trim(text.substr(equals + 1)));
  }
  if (in.bad()) return Status::IOError(fmt::format("read AWS profile file {}", path.string()));
  return section;
}

std::string Lookup(const std::optional<Section>& section, const std::string& key) {
  if (!section) return {};
  auto it = section->find(key);
  return it == section->end() ? std::string() : it->second;
}

}  // namespace

Result<S3Config> LoadS3ConfigFromEnvironment() {
  std::string profile = Getenv("AWS_PROFILE");
  bool profile_named = !profile.empty();
  if (!profile_named) profile = "default";

  fs::path credentials_path = ProfileFile("AWS_SHARED_CREDENTIALS_FILE", "credentials");
  fs::path config_path = ProfileFile("AWS_CONFIG_FILE", "config");
  // The credentials file names sections by profile; the config file writes
  // "[profile NAME]" for every profile but the default one.
  STEDI_ASSIGN_OR_RETURN(std::optional<Section> credentials_section,
                         ReadSection(credentials_path, profile));
  std::string config_section_name = profile == "default" ? profile : "profile " + profile;
  STEDI_ASSIGN_OR_RETURN(std::optional<Section> config_section,
                         ReadSection(config_path, config_section_name));
  if (profile_named && !credentials_section && !config_section) {
    return Status::InvalidArgument(
        fmt::format("AWS profile '{}' (from AWS_PROFILE) is in neither {} nor {}", profile,
                    credentials_path.string(), config_path.string()));
  }

  S3Config config;
  S3Credentials& credentials = config.credentials;
  credentials.access_key_id = Getenv("AWS_ACCESS_KEY_ID");
  credentials.secret_access_key = Getenv("AWS_SECRET_ACCESS_KEY");
  credentials.session_token = Getenv("AWS_SESSION_TOKEN");
  for (const std::optional<Section>* section : {&credentials_section, &config_section}) {
    if (!credentials.access_key_id.empty()) break;
    credentials.access_key_id = Lookup(*section, "aws_access_key_id");
    credentials.secret_access_key = Lookup(*section, "aws_secret_access_key");
    credentials.session_token = Lookup(*section, "aws_session_token");
  }
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return Status::InvalidArgument(fmt::format(
        "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give profile "
        "'{}' aws_access_key_id and aws_secret_access_key in {}",
        profile, credentials_path.string()));
  }

  for (std::string region :
       {Getenv("AWS_REGION"), Getenv("AWS_DEFAULT_REGION"), Lookup(config_section, "region")}) {
    if (!region.empty()) {
      config.region = region;
      break;
    }
  }
  for (std::string endpoint : {Getenv("AWS_ENDPOINT_URL_S3"), Getenv("AWS_ENDPOINT_URL"),
                               Lookup(config_section, "endpoint_url")}) {
    if (!endpoint.empty()) {
      config.endpoint = endpoint;
      break;
    }
  }
  for (std::string attempts :
       {Getenv("AWS_MAX_ATTEMPTS"), Lookup(config_section, "max_attempts")}) {
    if (attempts.empty()) continue;
    int value = 0;
    auto [end, error] = std::from_chars(attempts.data(), attempts.data() + attempts.size(), value);
    if (error != std::errc() || end != attempts.data() + attempts.size() || value < 1) {
      return Status::InvalidArgument(fmt::format(
          "invalid S3 max_attempts '{}' (from AWS_MAX_ATTEMPTS or the profile): expected a "
          "whole number of at least 1",
          attempts));
    }
    config.max_attempts = value;
    break;
  }
  return config;
}

}  // namespace stedi::storage
