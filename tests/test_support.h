// Helpers shared by the unit and end-to-end tests.
#pragma once

#include <filesystem>
#include <string>

namespace stedi::testing {

// A fresh folder under the system temporary folder, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// Writes `text` to `path`, creating its folders.
void WriteFile(const std::filesystem::path& path, const std::string& text);

// `text` compressed as one gzip member, as gzip(1) writes it.
std::string Gzip(const std::string& text);

}  // namespace stedi::testing
