// The Storage contract, checked the same way on every implementation: local
// disk, memory and S3 (the S3 run needs STEDI_S3_ENDPOINT; see
// s3_test_util.h).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "engine/database.h"
#include "storage/memory_storage.h"
#include "storage/s3_storage.h"
#include "storage/s3_test_util.h"
#include "storage/storage.h"
#include "test_support.h"

namespace stedi::storage {
namespace {

using OpenFunction = std::function<Result<std::unique_ptr<Storage>>(const std::string& temp_dir)>;

struct Implementation {
  std::string name;
  OpenFunction open;
  bool needs_s3_server = false;
};

Result<std::unique_ptr<Storage>> OpenTestS3Storage(const std::string& temp_dir) {
  std::optional<S3Config> config = testing::TestS3Config();
  if (!config) return Status::Internal("no S3 test server");
  S3Client client(*config);
  testing::EnsureTestBucket(client);
  S3StorageOptions options;
  options.cache_dir = temp_dir + "/cache";
  return OpenS3Storage(S3Location{testing::kTestBucket, testing::UniquePrefix()}, *config, options);
}

Result<std::unique_ptr<Storage>> OpenTestMemoryStorage(const std::string&) {
  STEDI_ASSIGN_OR_RETURN(std::unique_ptr<MemoryStorage> storage, OpenMemoryStorage());
  return std::unique_ptr<Storage>(std::move(storage));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::vector<std::string> KeysOf(const std::vector<ObjectInfo>& objects) {
  std::vector<std::string> keys;
  for (const ObjectInfo& object : objects) keys.push_back(object.key);
  return keys;
}

class StorageContractTest : public ::testing::TestWithParam<Implementation> {
 protected:
  void SetUp() override {
    if (GetParam().needs_s3_server && !testing::TestS3Config())
      GTEST_SKIP() << testing::kSkipMessage;
    Result<std::unique_ptr<Storage>> storage = GetParam().open(temp_.str());
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    storage_ = std::move(storage).value();
  }

  void Put(std::string_view key, std::string_view data) {
    Status status = storage_->Write(key, data);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  stedi::testing::TempDir temp_;
  std::unique_ptr<Storage> storage_;
};

TEST_P(StorageContractTest, ReadMissingIsNotFound) {
  Result<std::string> data = storage_->Read("missing/object.json");
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), StatusCode::kNotFound) << data.status().ToString();
  Result<VersionedObject> versioned = storage_->ReadVersioned("missing/object.json");
  ASSERT_FALSE(versioned.ok());
  EXPECT_EQ(versioned.status().code(), StatusCode::kNotFound);
}

TEST_P(StorageContractTest, WriteThenReadKeepsBinaryData) {
  std::string data("line 1\n\0\xff binary", 17);
  Put("landing/customer/raw/customer-1.json", data);
  Result<std::string> read = storage_->Read("landing/customer/raw/customer-1.json");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, data);
}

TEST_P(StorageContractTest, WriteReplacesContent) {
  Put("a.txt", "first version, longer");
  Put("a.txt", "second");
  Result<std::string> read = storage_->Read("a.txt");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, "second");
}

TEST_P(StorageContractTest, EmptyObjectRoundTrips) {
  Put("empty.json", "");
  Result<std::string> read = storage_->Read("empty.json");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, "");
  Result<std::string> path = storage_->LocalPathForRead("empty.json");
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(std::filesystem::file_size(*path), 0u);
}

TEST_P(StorageContractTest, ExistsFollowsWriteAndDelete) {
  Result<bool> before = storage_->Exists("k/x.json");
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_FALSE(*before);
  Put("k/x.json", "{}");
  Result<bool> written = storage_->Exists("k/x.json");
  ASSERT_TRUE(written.ok());
  EXPECT_TRUE(*written);
  ASSERT_TRUE(storage_->Delete("k/x.json").ok());
  Result<bool> deleted = storage_->Exists("k/x.json");
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(*deleted);
}

TEST_P(StorageContractTest, DeleteMissingSucceeds) {
  Status status = storage_->Delete("never/written.json");
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST_P(StorageContractTest, ListReturnsPrefixMatchesSortedWithSizes) {
  Put("zone/b/2.json", "22");
  Put("zone/a/1.json", "1");
  Put("zone/a/sub/3.json", "333");
  Put("zonex/4.json", "4444");
  Put("other/5.json", "55555");

  Result<std::vector<ObjectInfo>> listed = storage_->List("zone/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(KeysOf(*listed),
            (std::vector<std::string>{"zone/a/1.json", "zone/a/sub/3.json", "zone/b/2.json"}));
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[1].size, 3u);

  Result<std::vector<ObjectInfo>> partial = storage_->List("zone");
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial->size(), 4u) << "a prefix need not end at a folder boundary";

  Result<std::vector<ObjectInfo>> all = storage_->List("");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 5u);
  EXPECT_EQ(all->front().key, "other/5.json");

  Result<std::vector<ObjectInfo>> none = storage_->List("nothing/");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(StorageContractTest, KeysWithSpecialCharactersRoundTrip) {
  const std::string key = "landing/odd name+plus=eq&amp;%25 ü~(1).json";
  Put(key, "special");
  Result<std::string> read = storage_->Read(key);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, "special");
  Result<std::vector<ObjectInfo>> listed = storage_->List("landing/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(KeysOf(*listed), std::vector<std::string>{key});
}

TEST_P(StorageContractTest, WriteIfMatchCreatesOnlyWhenAbsent) {
  Result<std::string> created = storage_->WriteIfMatch("catalog/head.json", "v1", "");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_FALSE(created->empty());

  Result<std::string> again = storage_->WriteIfMatch("catalog/head.json", "v1 again", "");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kConflict) << again.status().ToString();

  Result<std::string> read = storage_->Read("catalog/head.json");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, "v1");
}

TEST_P(StorageContractTest, WriteIfMatchFollowsVersions) {
  Put("catalog/head.json", "v1");
  Result<VersionedObject> current = storage_->ReadVersioned("catalog/head.json");
  ASSERT_TRUE(current.ok()) << current.status().ToString();
  EXPECT_EQ(current->data, "v1");

  Result<std::string> second = storage_->WriteIfMatch("catalog/head.json", "v2", current->version);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_NE(*second, current->version);

  Result<VersionedObject> reread = storage_->ReadVersioned("catalog/head.json");
  ASSERT_TRUE(reread.ok());
  EXPECT_EQ(reread->data, "v2");
  EXPECT_EQ(reread->version, *second) << "WriteIfMatch returns the version readers see";

  Result<std::string> stale = storage_->WriteIfMatch("catalog/head.json", "v3", current->version);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), StatusCode::kConflict) << stale.status().ToString();

  Result<std::string> missing = storage_->WriteIfMatch("catalog/other.json", "x", *second);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kConflict) << missing.status().ToString();
}

TEST_P(StorageContractTest, ConcurrentWriteIfMatchHasOneWinner) {
  Put("catalog/head.json", "v0");
  for (int round = 0; round < 5; ++round) {
    Result<VersionedObject> current = storage_->ReadVersioned("catalog/head.json");
    ASSERT_TRUE(current.ok()) << current.status().ToString();
    std::vector<Result<std::string>> results(2, Status::Internal("not run"));
    std::vector<std::thread> writers;
    for (int i = 0; i < 2; ++i) {
      writers.emplace_back([&, i] {
        results[i] = storage_->WriteIfMatch("catalog/head.json", fmt::format("r{}w{}", round, i),
                                            current->version);
      });
    }
    for (std::thread& writer : writers) writer.join();

    int winners = 0;
    for (const Result<std::string>& result : results) {
      if (result.ok()) {
        ++winners;
      } else {
        EXPECT_EQ(result.status().code(), StatusCode::kConflict) << result.status().ToString();
      }
    }
    EXPECT_EQ(winners, 1) << "round " << round;
  }
}

TEST_P(StorageContractTest, LocalPathForReadHasContentAndExtension) {
  Put("trusted/customer/part-0.parquet", "not really parquet");
  Result<std::string> path = storage_->LocalPathForRead("trusted/customer/part-0.parquet");
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_TRUE(path->ends_with(".parquet")) << *path;
  EXPECT_EQ(ReadFile(*path), "not really parquet");

  Put("trusted/customer/part-0.parquet", "changed");
  Result<std::string> changed = storage_->LocalPathForRead("trusted/customer/part-0.parquet");
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ(ReadFile(*changed), "changed");
}

TEST_P(StorageContractTest, LocalPathForMissingIsNotFound) {
  Result<std::string> path = storage_->LocalPathForRead("missing.parquet");
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().code(), StatusCode::kNotFound) << path.status().ToString();
}

// The ingester asks for a key's path when it converts a file and again when
// it publishes it, so the two calls must agree.
TEST_P(StorageContractTest, LocalPathForWriteIsStablePerKey) {
  Result<std::string> first = storage_->LocalPathForWrite("landing/customer/raw/.tmp-ingest-0");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Result<std::string> second = storage_->LocalPathForWrite("landing/customer/raw/.tmp-ingest-0");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(*first, *second);
  Result<std::string> other = storage_->LocalPathForWrite("landing/customer/raw/.tmp-ingest-1");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(*other, *first);
  EXPECT_TRUE(std::filesystem::is_directory(std::filesystem::path(*first).parent_path()));
}

TEST_P(StorageContractTest, PublishLocalFileMakesObject) {
  Result<std::string> path = storage_->LocalPathForWrite("curated/out/data.parquet");
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_TRUE(std::filesystem::is_directory(std::filesystem::path(*path).parent_path()));
  {
    std::ofstream out(*path, std::ios::binary);
    out << "written by duckdb";
  }
  Status published = storage_->PublishLocalFile("curated/out/data.parquet", *path);
  ASSERT_TRUE(published.ok()) << published.ToString();

  Result<std::string> read = storage_->Read("curated/out/data.parquet");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, "written by duckdb");
  Result<std::vector<ObjectInfo>> listed = storage_->List("curated/");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(KeysOf(*listed), std::vector<std::string>{"curated/out/data.parquet"});
}

// Two writers may pick the same key for different files: only the first
// one's file becomes the object, and the second learns so.
TEST_P(StorageContractTest, PublishIfAbsentKeepsFirstFile) {
  const std::string key = "landing/customer/raw/customers.json";
  auto stage = [&](const std::string& staged_key, const std::string& content) {
    Result<std::string> path = storage_->LocalPathForWrite(staged_key);
    EXPECT_TRUE(path.ok()) << path.status().ToString();
    std::ofstream out(*path, std::ios::binary);
    out << content;
    return *path;
  };
  std::string first = stage("landing/customer/raw/.tmp-a", "first writer");
  Status published = storage_->PublishLocalFileIfAbsent(key, first);
  ASSERT_TRUE(published.ok()) << published.ToString();

  std::string second = stage("landing/customer/raw/.tmp-b", "second writer");
  Status rejected = storage_->PublishLocalFileIfAbsent(key, second);
  EXPECT_EQ(rejected.code(), StatusCode::kConflict) << rejected.ToString();
  EXPECT_TRUE(std::filesystem::exists(second)) << "the rejected file must stay for the caller";
  Result<std::string> read = storage_->Read(key);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, "first writer");
}

// The way jobs use a lake: DuckDB writes Parquet to a local path, the
// storage publishes it, and DuckDB reads it back through a local path.
TEST_P(StorageContractTest, DuckDbRoundTripsParquet) {
  const std::string key = "trusted/numbers/run-1/part-0.parquet";
  Result<std::string> out = storage_->LocalPathForWrite(key);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  Result<engine::Database> database = engine::Database::Open("");
  ASSERT_TRUE(database.ok()) << database.status().ToString();
  Result<engine::Connection> connection = database->Connect();
  ASSERT_TRUE(connection.ok()) << connection.status().ToString();
  Status copied = connection->Execute(
      fmt::format("COPY (SELECT range AS id FROM range(1000)) TO {} (FORMAT parquet)",
                  engine::QuoteLiteral(*out)));
  ASSERT_TRUE(copied.ok()) << copied.ToString();
  Status published = storage_->PublishLocalFile(key, *out);
  ASSERT_TRUE(published.ok()) << published.ToString();

  Result<std::string> in = storage_->LocalPathForRead(key);
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  Result<int64_t> sum = connection->QueryInt64(
      fmt::format("SELECT sum(id) FROM read_parquet({})", engine::QuoteLiteral(*in)));
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(*sum, 499500);
}

TEST_P(StorageContractTest, DescribeIsNotEmpty) { EXPECT_FALSE(storage_->Describe().empty()); }

INSTANTIATE_TEST_SUITE_P(Local, StorageContractTest,
                         ::testing::Values(Implementation{"local",
                                                          [](const std::string& dir) {
                                                            return OpenLocalStorage(dir + "/lake");
                                                          }}),
                         [](const auto& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(Memory, StorageContractTest,
                         ::testing::Values(Implementation{"memory", OpenTestMemoryStorage}),
                         [](const auto& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(S3, StorageContractTest,
                         ::testing::Values(Implementation{"s3", OpenTestS3Storage, true}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace stedi::storage
