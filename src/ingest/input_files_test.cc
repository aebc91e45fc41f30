#include "ingest/input_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "ingest/ingester.h"
#include "storage/memory_storage.h"
#include "test_support.h"

namespace stedi::ingest {
namespace {

using stedi::testing::TempDir;
using stedi::testing::WriteFile;

using Objects = std::map<std::string, std::string>;

constexpr char kSteps[] =
    "{\"sensorReadingTime\":1655564376361,\"serialNumber\":\"a\",\"distanceFromObject\":5}\n"
    "{\"sensorReadingTime\":1655564376362,\"serialNumber\":\"a\",\"distanceFromObject\":6}\n";

std::unique_ptr<storage::MemoryStorage> StoreWith(const Objects& objects) {
  Result<std::unique_ptr<storage::MemoryStorage>> store = storage::OpenMemoryStorage();
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  for (const auto& [key, data] : objects) {
    Status written = (*store)->Write(key, data);
    EXPECT_TRUE(written.ok()) << written.ToString();
  }
  return std::move(store).value();
}

// Opens an in-memory store with `objects_by_root[root]` for each root, and
// counts the opens of each root in `opens`.
StoreOpener MemoryStores(std::map<std::string, Objects> objects_by_root,
                         std::map<std::string, int>* opens = nullptr) {
  return [objects_by_root,
          opens](const std::string& root) -> Result<std::unique_ptr<storage::Storage>> {
    if (opens != nullptr) ++(*opens)[root];
    auto found = objects_by_root.find(root);
    if (found == objects_by_root.end()) return Status::NotFound("no store " + root);
    return std::unique_ptr<storage::Storage>(StoreWith(found->second));
  };
}

const Objects kLanding = {
    {"in/landing/a.json", "a"},
    {"in/landing/sub/b.json", "b"},
    {"in/landing/sub/", ""},  // an empty folder marker
    {"in/landing/_SUCCESS", ""},
    {"in/landing/.hidden.json", "h"},
    {"in/landing/_temporary/c.json", "c"},
    {"in/landing-old/d.json", "d"},
    {"in/one.json", "1"},
    {"in/only-markers/_SUCCESS", ""},
    {"_top/e.json", "e"},
};

TEST(InputFilesTest, ExpandsObjectKeysByRule) {
  std::unique_ptr<storage::MemoryStorage> store = StoreWith(kLanding);
  struct Case {
    std::string key;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {"", {"in/landing-old/d.json", "in/landing/a.json", "in/landing/sub/b.json", "in/one.json"}},
      {"in/",
       {"in/landing-old/d.json", "in/landing/a.json", "in/landing/sub/b.json", "in/one.json"}},
      {"in/landing/", {"in/landing/a.json", "in/landing/sub/b.json"}},
      // Not an object, so a folder; "in/landing-old/" is not under it.
      {"in/landing", {"in/landing/a.json", "in/landing/sub/b.json"}},
      {"in/landing/sub", {"in/landing/sub/b.json"}},
      {"in/one.json", {"in/one.json"}},
      // Hidden names are skipped below a folder, not when named directly.
      {"in/landing/_SUCCESS", {"in/landing/_SUCCESS"}},
      {"in/landing/_temporary/", {"in/landing/_temporary/c.json"}},
      {"in/only-markers/", {}},
  };
  for (const Case& c : cases) {
    Result<std::vector<std::string>> keys = ExpandObjectKey(*store, c.key, "s3://src/" + c.key);
    ASSERT_TRUE(keys.ok()) << "key '" << c.key << "': " << keys.status().ToString();
    EXPECT_EQ(*keys, c.expected) << "key '" << c.key << "'";
  }
}

TEST(InputFilesTest, MissingObjectKeyIsNotFound) {
  std::unique_ptr<storage::MemoryStorage> store = StoreWith(kLanding);
  struct Case {
    std::string key;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"in/missing/",
       "input s3://src/in/missing/ does not exist: no object key starts with "
       "'in/missing/'"},
      {"in/missing",
       "input s3://src/in/missing does not exist: no object has the key "
       "'in/missing' or a key starting with 'in/missing/'"},
      // A key that only starts other keys names neither an object nor a folder.
      {"in/land",
       "input s3://src/in/land does not exist: no object has the key 'in/land' or a "
       "key starting with 'in/land/'"},
  };
  for (const Case& c : cases) {
    Result<std::vector<std::string>> keys = ExpandObjectKey(*store, c.key, "s3://src/" + c.key);
    ASSERT_FALSE(keys.ok()) << c.key;
    EXPECT_EQ(keys.status().code(), StatusCode::kNotFound) << c.key;
    EXPECT_EQ(keys.status().message(), c.message);
  }
}

TEST(InputFilesTest, EmptyStoreIsNotFound) {
  std::unique_ptr<storage::MemoryStorage> store = StoreWith({});
  Result<std::vector<std::string>> keys = ExpandObjectKey(*store, "", "s3://empty/");
  EXPECT_EQ(keys.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(keys.status().message().starts_with("input s3://empty/ does not exist"))
      << keys.status().message();
}

TEST(InputFilesTest, ExpandsMixedInputsInOrder) {
  TempDir local;
  WriteFile(local.path() / "local.json", "l");
  std::map<std::string, int> opens;
  StoreOpener open_store =
      MemoryStores({{"s3://src", kLanding}, {"s3://other", {{"x.json", "x"}}}}, &opens);

  Result<InputFiles> inputs =
      ExpandInputs({"s3://src/in/one.json", (local.path() / "local.json").string(),
                    "s3://src/in/landing/", "s3://other"},
                   open_store);
  ASSERT_TRUE(inputs.ok()) << inputs.status().ToString();
  const std::vector<InputFile>& files = inputs->files;
  ASSERT_EQ(files.size(), 5u);
  std::vector<std::string> locations;
  for (const InputFile& file : files) locations.push_back(file.location);
  EXPECT_EQ(locations, (std::vector<std::string>{
                           "s3://src/in/one.json", (local.path() / "local.json").string(),
                           "s3://src/in/landing/a.json", "s3://src/in/landing/sub/b.json",
                           "s3://other/x.json"}));

  EXPECT_EQ(files[0].origin, "s3://src/in/one.json");
  EXPECT_EQ(files[0].name, "one.json");
  EXPECT_EQ(files[0].key, "in/one.json");
  ASSERT_NE(files[0].store, nullptr);
  EXPECT_EQ(files[1].store, nullptr);
  EXPECT_EQ(files[1].name, "local.json");
  EXPECT_TRUE(std::filesystem::path(files[1].origin).is_absolute()) << files[1].origin;
  EXPECT_EQ(files[3].name, "b.json");
  EXPECT_EQ(files[3].store, files[0].store) << "one store per bucket";
  EXPECT_NE(files[4].store, files[0].store);
  EXPECT_EQ(inputs->stores.size(), 2u);
  EXPECT_EQ(opens, (std::map<std::string, int>{{"s3://src", 1}, {"s3://other", 1}}));

  Result<std::string> bytes = ReadInputFile(files[3]);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(*bytes, "b");
}

TEST(InputFilesTest, InvalidUrlIsInvalidArgument) {
  Result<InputFiles> inputs = ExpandInputs({"s3:///in/"}, MemoryStores({}));
  EXPECT_EQ(inputs.status().code(), StatusCode::kInvalidArgument);
}

TEST(InputFilesTest, StoreThatFailsToOpenStopsExpansion) {
  Result<InputFiles> inputs = ExpandInputs({"s3://nowhere/in/"}, MemoryStores({}));
  EXPECT_EQ(inputs.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(inputs.status().message(), "no store s3://nowhere");
}

TEST(InputFilesTest, FailedReadNamesUrl) {
  std::unique_ptr<storage::MemoryStorage> store = StoreWith(kLanding);
  store->FailReadsWithPrefix("in/", Status::IOError("connection reset"));
  InputFile file{"s3://src/in/one.json", "s3://src/in/one.json", "one.json", store.get(),
                 "in/one.json"};
  Result<std::string> bytes = ReadInputFile(file);
  EXPECT_EQ(bytes.status().code(), StatusCode::kIOError);
  EXPECT_TRUE(bytes.status().message().starts_with("read s3://src/in/one.json: "))
      << bytes.status().message();
}

// Objects of a remote store land like local files: same accounting,
// quarantine lines and duplicate skipping, with the URL as their origin.
TEST(InputFilesTest, IngestsObjectsOfRemoteStore) {
  const Objects source = {
      {"in/steps.json", kSteps},
      {"in/bad.json",
       "{\"sensorReadingTime\":1655564376363,\"serialNumber\":\"b\",\"distanceFromObject\":7}\n"
       "{\"sensorReadingTime\":1655564376364,\"serialNumber\":\"b\","
       "\"distanceFromObject\":\"218cm\"}\n"},
      {"in/copy/steps.json", kSteps},
      {"in/_SUCCESS", ""},
  };
  TempDir lake_dir;
  Result<catalog::Lake> lake = catalog::Lake::Open(lake_dir.str());
  ASSERT_TRUE(lake.ok()) << lake.status().ToString();
  IngestOptions options;
  options.open_store = MemoryStores({{"s3://src", source}});
  std::vector<FileOutcome> outcomes;
  Status status = IngestPaths(*lake, {"s3://src/in/"}, options,
                              [&](const FileOutcome& outcome) { outcomes.push_back(outcome); });
  ASSERT_TRUE(status.ok()) << status.ToString();

  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(outcomes[0].path, "s3://src/in/bad.json");
  EXPECT_EQ(outcomes[0].kind, FileOutcomeKind::kLanded);
  EXPECT_EQ(outcomes[0].source, Source::kStepTrainer);
  EXPECT_EQ(outcomes[0].records_read, 2);
  EXPECT_EQ(outcomes[0].accepted, 1);
  EXPECT_EQ(outcomes[0].quarantined, 1);
  ASSERT_EQ(outcomes[0].first_quarantined.size(), 1u);
  EXPECT_EQ(outcomes[0].first_quarantined[0].line, 2);
  EXPECT_EQ(outcomes[1].path, "s3://src/in/copy/steps.json");
  EXPECT_EQ(outcomes[1].kind, FileOutcomeKind::kLanded);
  EXPECT_EQ(outcomes[2].path, "s3://src/in/steps.json");
  EXPECT_EQ(outcomes[2].kind, FileOutcomeKind::kSkippedDuplicate);

  Result<std::vector<catalog::LandedFile>> landed = lake->catalog->ListLandedFiles("step_trainer");
  ASSERT_TRUE(landed.ok()) << landed.status().ToString();
  ASSERT_EQ(landed->size(), 2u);
  EXPECT_EQ((*landed)[0].origin, "s3://src/in/bad.json");
  EXPECT_EQ((*landed)[0].name, "bad.json");
  EXPECT_EQ((*landed)[1].origin, "s3://src/in/copy/steps.json");
  Result<std::string> raw = lake->storage->Read((*landed)[1].raw_key);
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  EXPECT_EQ(*raw, kSteps);
  Result<catalog::TableInfo> table = lake->catalog->GetTable("step_trainer_landing");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->row_count, 3);

  std::vector<FileOutcome> again;
  status = IngestPaths(*lake, {"s3://src/in"}, options,
                       [&](const FileOutcome& outcome) { again.push_back(outcome); });
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(again.size(), 3u);
  for (const FileOutcome& outcome : again) {
    EXPECT_EQ(outcome.kind, FileOutcomeKind::kSkippedDuplicate) << outcome.path;
  }
}

}  // namespace
}  // namespace stedi::ingest
