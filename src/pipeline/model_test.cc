#include "pipeline/model.h"

#include <gtest/gtest.h>

namespace stedi::pipeline {
namespace {

TEST(ModelTest, ParsesHeaderAndQuery) {
  auto model = ParseModel("orders.sql",
                          "-- Orders of consenting customers.\n"
                          "-- zone: trusted\n"
                          "-- inputs: order_landing, customer_trusted\n"
                          "SELECT 1\n");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(model->name, "orders");
  EXPECT_EQ(model->zone, "trusted");
  EXPECT_EQ(model->inputs, (std::vector<std::string>{"order_landing", "customer_trusted"}));
  EXPECT_EQ(model->description, "Orders of consenting customers.");
  EXPECT_EQ(model->sql, "SELECT 1");
  EXPECT_TRUE(model->checks.empty());
}

TEST(ModelTest, CollectsCheckLinesInOrder) {
  auto model = ParseModel("orders.sql",
                          "-- zone: trusted\n"
                          "-- inputs: order_landing\n"
                          "-- check: not_null(id)\n"
                          "-- check: unique(id) warn\n"
                          "SELECT 1 AS id\n");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(model->checks, (std::vector<std::string>{"not_null(id)", "unique(id) warn"}));
  EXPECT_TRUE(model->description.empty());
}

TEST(ModelTest, RejectsInvalidHeaders) {
  struct Case {
    const char* text;
    const char* message_start;
  };
  const Case cases[] = {
      {"-- inputs: a\nSELECT 1", "model m.sql: header needs `-- zone"},
      {"-- zone: raw\n-- inputs: a\nSELECT 1", "model m.sql: header needs `-- zone"},
      {"-- zone: trusted\nSELECT 1", "model m.sql: header needs `-- inputs"},
      {"-- zone: trusted\n-- inputs: a\n", "model m.sql: no SQL query"},
      {"-- zone: trusted\n-- format: csv\n-- inputs: a\nSELECT 1", "model m.sql: format 'csv'"},
      {"-- zone: trusted\n-- inputs: a\n-- check: unique email\nSELECT 1",
       "model m.sql line 3: parse check `unique email`: expected NAME(ARGUMENTS)"},
  };
  for (const Case& c : cases) {
    auto model = ParseModel("m.sql", c.text);
    ASSERT_FALSE(model.ok()) << c.text;
    EXPECT_EQ(model.status().code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_EQ(model.status().message().rfind(c.message_start, 0), 0u)
        << c.text << " gave: " << model.status().message();
  }
}

Model Named(const std::string& name, std::vector<std::string> inputs) {
  Model model;
  model.name = name;
  model.zone = "trusted";
  model.inputs = std::move(inputs);
  return model;
}

std::vector<std::string> Names(const std::vector<Model>& models) {
  std::vector<std::string> names;
  for (const Model& model : models) names.push_back(model.name);
  return names;
}

TEST(ModelTest, SortsInputsFirst) {
  auto sorted = SortByDependencies({Named("c", {"b", "a"}), Named("b", {"a"}), Named("a", {"x"})});
  ASSERT_TRUE(sorted.ok());
  EXPECT_EQ(Names(*sorted), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(ModelTest, ReportsCycle) {
  auto sorted = SortByDependencies({Named("a", {"b"}), Named("b", {"a"})});
  ASSERT_FALSE(sorted.ok());
  EXPECT_EQ(sorted.status().message(), "models form a cycle: a -> b -> a");
}

TEST(ModelTest, BuiltInModelsRunInDependencyOrder) {
  auto models = BuiltInModels();
  ASSERT_TRUE(models.ok()) << models.status().ToString();
  EXPECT_EQ(Names(*models),
            (std::vector<std::string>{"customer_trusted", "accelerometer_trusted", "device_owner",
                                      "customers_curated", "step_trainer_trusted",
                                      "machine_learning_curated"}));
}

TEST(ModelTest, SelectKeepsOrderAndRejectsUnknownJob) {
  auto models = BuiltInModels();
  ASSERT_TRUE(models.ok());
  auto selected = SelectModels(*models, {"machine_learning_curated", "customer_trusted"});
  ASSERT_TRUE(selected.ok());
  EXPECT_EQ(Names(*selected),
            (std::vector<std::string>{"customer_trusted", "machine_learning_curated"}));
  auto unknown = SelectModels(*models, {"customer_trsted"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message().rfind("job customer_trsted does not exist", 0), 0u);
}

}  // namespace
}  // namespace stedi::pipeline
