#include "catalog/catalog.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace stedi::catalog {
namespace {

using stedi::testing::TempDir;

SnapshotCommit Commit(const std::string& table, std::vector<DataFile> files) {
  SnapshotCommit commit;
  commit.table = table;
  commit.zone = "trusted";
  commit.location = "trusted/" + table;
  commit.produced_by = table;
  commit.columns = {{"id", "BIGINT"}, {"name", "VARCHAR"}};
  commit.files = std::move(files);
  return commit;
}

TEST(CatalogTest, CommitMakesSnapshotCurrent) {
  TempDir dir;
  auto catalog = Catalog::Open((dir.path() / "catalog.db").string());
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  auto first = (*catalog)->CommitSnapshot(Commit("t", {{"a.parquet", 3}}));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = (*catalog)->CommitSnapshot(Commit("t", {{"a.parquet", 3}, {"b.parquet", 4}}));
  ASSERT_TRUE(second.ok());
  EXPECT_GT(*second, *first);

  auto table = (*catalog)->GetTable("t");
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->snapshot_id, *second);
  EXPECT_EQ(table->row_count, 7);
  ASSERT_EQ(table->files.size(), 2u);
  EXPECT_EQ(table->files[1].key, "b.parquet");
  ASSERT_EQ(table->columns.size(), 2u);
  EXPECT_EQ(table->columns[1].name, "name");
  EXPECT_EQ(table->columns[1].type, "VARCHAR");
}

TEST(CatalogTest, CatalogSurvivesReopen) {
  TempDir dir;
  std::string path = (dir.path() / "catalog.db").string();
  {
    auto catalog = Catalog::Open(path);
    ASSERT_TRUE(catalog.ok());
    ASSERT_TRUE((*catalog)->CommitSnapshot(Commit("t", {{"a.parquet", 5}})).ok());
  }
  auto reopened = Catalog::Open(path);
  ASSERT_TRUE(reopened.ok());
  auto table = (*reopened)->GetTable("t");
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->row_count, 5);
}

TEST(CatalogTest, UnknownTableIsNotFound) {
  TempDir dir;
  auto catalog = Catalog::Open((dir.path() / "catalog.db").string());
  ASSERT_TRUE(catalog.ok());
  auto table = (*catalog)->GetTable("missing");
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(table.status().message().rfind("table missing does not exist", 0), 0u);
}

TEST(CatalogTest, FailedTransactionLeavesNothing) {
  TempDir dir;
  auto catalog = Catalog::Open((dir.path() / "catalog.db").string());
  ASSERT_TRUE(catalog.ok());
  Catalog& c = **catalog;
  Status status = c.InTransaction([&]() -> Status {
    STEDI_RETURN_IF_ERROR(c.CommitSnapshot(Commit("t", {{"a.parquet", 1}})).status());
    return Status::IOError("disk full");
  });
  EXPECT_EQ(status.code(), StatusCode::kIOError);
  EXPECT_EQ(c.GetTable("t").status().code(), StatusCode::kNotFound);
}

TEST(CatalogTest, RunsAreRecorded) {
  TempDir dir;
  auto catalog = Catalog::Open((dir.path() / "catalog.db").string());
  ASSERT_TRUE(catalog.ok());
  auto run = (*catalog)->StartRun("customer_trusted");
  ASSERT_TRUE(run.ok());
  RunInfo info;
  info.id = *run;
  info.status = "failed";
  info.error = "boom";
  ASSERT_TRUE((*catalog)->FinishRun(info).ok());
  auto runs = (*catalog)->ListRuns(10);
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].job, "customer_trusted");
  EXPECT_EQ((*runs)[0].status, "failed");
  EXPECT_EQ((*runs)[0].error, "boom");
}

// A catalog written before landed files had a content hash opens, and its
// files keep their byte hash as content hash.
TEST(CatalogTest, VersionOneCatalogMigrates) {
  TempDir dir;
  std::string path = (dir.path() / "catalog.db").string();
  {
    auto catalog = Catalog::Open(path);
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    LandedFile file;
    file.source = "customer";
    file.name = "customers.json";
    file.origin = "/in/customers.json";
    file.raw_key = "landing/customer/raw/customers.json";
    file.data_key = "landing/customer/data/ab.parquet";
    file.sha256 = "ab";
    file.content_sha256 = "cd";
    ASSERT_TRUE((*catalog)->AddLandedFile(file).ok());
    Status downgraded = (*catalog)->database().Execute(
        "DROP INDEX landed_files_content; ALTER TABLE landed_files DROP COLUMN content_sha256; "
        "PRAGMA user_version = 1");
    ASSERT_TRUE(downgraded.ok()) << downgraded.ToString();
  }
  auto catalog = Catalog::Open(path);
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  auto by_content = (*catalog)->FindLandedFile("other", "ab");
  ASSERT_TRUE(by_content.ok()) << by_content.status().ToString();
  ASSERT_TRUE(by_content->has_value());
  EXPECT_EQ((*by_content)->content_sha256, "ab");
  EXPECT_EQ((*by_content)->name, "customers.json");
}

}  // namespace
}  // namespace stedi::catalog
