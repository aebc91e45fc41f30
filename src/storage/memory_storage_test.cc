#include "storage/memory_storage.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace stedi::storage {
namespace {

std::unique_ptr<MemoryStorage> Open() {
  Result<std::unique_ptr<MemoryStorage>> storage = OpenMemoryStorage();
  EXPECT_TRUE(storage.ok()) << storage.status().ToString();
  return std::move(storage).value();
}

TEST(MemoryStorageTest, FailNthWriteFailsThatWriteOnly) {
  std::unique_ptr<MemoryStorage> storage = Open();
  storage->FailNthWrite(2, Status::IOError("disk full"));

  EXPECT_TRUE(storage->Write("a", "1").ok());
  Status second = storage->Write("b", "2");
  EXPECT_EQ(second.code(), StatusCode::kIOError);
  EXPECT_EQ(second.message(), "write b: disk full");
  EXPECT_TRUE(storage->Write("c", "3").ok());
  EXPECT_EQ(storage->write_count(), 3);

  Result<bool> b_exists = storage->Exists("b");
  ASSERT_TRUE(b_exists.ok());
  EXPECT_FALSE(*b_exists) << "a failed write changes nothing";
}

TEST(MemoryStorageTest, FailNthWriteCountsEveryKindOfWrite) {
  std::unique_ptr<MemoryStorage> storage = Open();
  ASSERT_TRUE(storage->Write("head.json", "v1").ok());
  storage->FailNthWrite(3, Status::Conflict("injected"));

  Result<VersionedObject> current = storage->ReadVersioned("head.json");
  ASSERT_TRUE(current.ok());
  EXPECT_TRUE(storage->WriteIfMatch("head.json", "v2", current->version).ok());  // write 1
  EXPECT_TRUE(storage->Delete("other.json").ok());                               // write 2

  Result<std::string> path = storage->LocalPathForWrite("out/data.parquet");
  ASSERT_TRUE(path.ok());
  std::ofstream(*path) << "rows";
  Status publish = storage->PublishLocalFile("out/data.parquet", *path);  // write 3
  EXPECT_EQ(publish.code(), StatusCode::kConflict);
  EXPECT_TRUE(std::filesystem::exists(*path)) << "a failed publish keeps the local file";
  EXPECT_TRUE(storage->PublishLocalFile("out/data.parquet", *path).ok());
  EXPECT_FALSE(std::filesystem::exists(*path));
}

TEST(MemoryStorageTest, FailWritesWithPrefixUntilCleared) {
  std::unique_ptr<MemoryStorage> storage = Open();
  ASSERT_TRUE(storage->Write("catalog/head.json", "v1").ok());
  storage->FailWritesWithPrefix("catalog/", Status::IOError("read-only"));

  for (int i = 0; i < 3; ++i) {
    Status status = storage->Write("catalog/head.json", "v2");
    EXPECT_EQ(status.code(), StatusCode::kIOError) << "write " << i;
    EXPECT_EQ(status.message(), "write catalog/head.json: read-only");
  }
  EXPECT_EQ(storage->Delete("catalog/head.json").code(), StatusCode::kIOError);
  Result<std::string> conditional = storage->WriteIfMatch("catalog/new.json", "x", "");
  EXPECT_EQ(conditional.status().code(), StatusCode::kIOError);
  EXPECT_TRUE(storage->Write("landing/x.json", "ok").ok()) << "other prefixes still work";
  Result<std::string> read = storage->Read("catalog/head.json");
  ASSERT_TRUE(read.ok()) << "reads are not affected";
  EXPECT_EQ(*read, "v1");

  storage->ClearFaults();
  EXPECT_TRUE(storage->Write("catalog/head.json", "v2").ok());
}

TEST(MemoryStorageTest, FailReadsWithPrefix) {
  std::unique_ptr<MemoryStorage> storage = Open();
  ASSERT_TRUE(storage->Write("trusted/a.parquet", "rows").ok());
  storage->FailReadsWithPrefix("trusted/", Status::Corruption("bad checksum"));

  EXPECT_EQ(storage->Read("trusted/a.parquet").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(storage->ReadVersioned("trusted/a.parquet").status().code(), StatusCode::kCorruption);
  Result<std::string> path = storage->LocalPathForRead("trusted/a.parquet");
  EXPECT_EQ(path.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(path.status().message(), "read trusted/a.parquet: bad checksum");

  storage->ClearFaults();
  EXPECT_TRUE(storage->Read("trusted/a.parquet").ok());
}

TEST(MemoryStorageTest, VersionChangesOnEveryWrite) {
  std::unique_ptr<MemoryStorage> storage = Open();
  ASSERT_TRUE(storage->Write("k", "same").ok());
  Result<VersionedObject> first = storage->ReadVersioned("k");
  ASSERT_TRUE(storage->Write("k", "same").ok());
  Result<VersionedObject> second = storage->ReadVersioned("k");
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_NE(first->version, second->version);
}

TEST(MemoryStorageTest, DestructionRemovesLocalFiles) {
  std::string path;
  {
    std::unique_ptr<MemoryStorage> storage = Open();
    ASSERT_TRUE(storage->Write("a.json", "{}").ok());
    Result<std::string> local = storage->LocalPathForRead("a.json");
    ASSERT_TRUE(local.ok());
    path = *local;
    EXPECT_TRUE(std::filesystem::exists(path));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace stedi::storage
