#include "pipeline/model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>

#include "pipeline/embedded_models.h"
#include "quality/rule.h"

namespace stedi::pipeline {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> items;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = Trim(text.substr(0, comma));
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

bool IsKnownKey(std::string_view key) {
  return key == "zone" || key == "inputs" || key == "format" || key == "incremental" ||
         key == "check";
}

}  // namespace

Result<Model> ParseModel(std::string_view file_name, std::string_view text) {
  Model model;
  std::string_view name = file_name;
  if (name.size() > 4 && name.substr(name.size() - 4) == ".sql") name.remove_suffix(4);
  model.name = std::string(name);

  size_t position = 0;
  int line_number = 0;
  while (position < text.size()) {
    size_t end = text.find('\n', position);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = Trim(text.substr(position, end - position));
    if (line.substr(0, 2) != "--") break;
    ++line_number;
    position = end + 1;
    std::string_view comment = Trim(line.substr(2));
    size_t colon = comment.find(':');
    std::string_view key = colon == std::string_view::npos ? "" : Trim(comment.substr(0, colon));
    if (!IsKnownKey(key)) {
      if (!model.description.empty()) model.description += ' ';
      model.description += std::string(comment);
      continue;
    }
    std::string_view value = Trim(comment.substr(colon + 1));
    if (key == "zone") model.zone = std::string(value);
    if (key == "format") model.format = std::string(value);
    if (key == "inputs") model.inputs = SplitList(value);
    if (key == "incremental") model.incremental = std::string(value);
    if (key == "check") {
      Result<quality::Rule> rule = quality::ParseRule(value);
      if (!rule.ok()) {
        return rule.status().WithContext(fmt::format("model {} line {}", file_name, line_number));
      }
      model.checks.emplace_back(value);
    }
  }
  model.sql = std::string(Trim(text.substr(std::min(position, text.size()))));

  if (model.zone != "trusted" && model.zone != "curated") {
    return Status::InvalidArgument(fmt::format(
        "model {}: header needs `-- zone: trusted` or `-- zone: curated`, got '{}'", file_name,
        model.zone));
  }
  if (model.format != "parquet") {
    return Status::InvalidArgument(
        fmt::format("model {}: format '{}' is not supported (use parquet)", file_name, model.format));
  }
  if (model.inputs.empty()) {
    return Status::InvalidArgument(
        fmt::format("model {}: header needs `-- inputs: TABLE[, TABLE...]`", file_name));
  }
  if (!model.incremental.empty() &&
      std::find(model.inputs.begin(), model.inputs.end(), model.incremental) == model.inputs.end()) {
    return Status::InvalidArgument(fmt::format(
        "model {}: incremental input {} is not one of its inputs", file_name, model.incremental));
  }
  if (model.sql.empty()) {
    return Status::InvalidArgument(fmt::format("model {}: no SQL query after the header", file_name));
  }
  return model;
}

Result<std::vector<Model>> BuiltInModels() {
  std::vector<Model> models;
  for (const EmbeddedFile& file : EmbeddedModelFiles()) {
    STEDI_ASSIGN_OR_RETURN(Model model, ParseModel(file.name, file.text));
    models.push_back(std::move(model));
  }
  return SortByDependencies(std::move(models));
}

Result<std::vector<Model>> SortByDependencies(std::vector<Model> models) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < models.size(); ++i) index[models[i].name] = i;

  // Depth-first search in name order, so the result does not depend on the
  // order of the input. state: 0 unvisited, 1 on the stack, 2 done.
  std::vector<int> state(models.size(), 0);
  std::vector<Model> ordered;
  std::vector<std::string> stack;
  std::function<Status(size_t)> visit = [&](size_t i) -> Status {
    if (state[i] == 2) return Status::Ok();
    if (state[i] == 1) {
      auto start = std::find(stack.begin(), stack.end(), models[i].name);
      std::string cycle;
      for (auto it = start; it != stack.end(); ++it) cycle += *it + " -> ";
      return Status::InvalidArgument(
          fmt::format("models form a cycle: {}{}", cycle, models[i].name));
    }
    state[i] = 1;
    stack.push_back(models[i].name);
    std::vector<std::string> inputs = models[i].inputs;
    std::sort(inputs.begin(), inputs.end());
    for (const std::string& input : inputs) {
      auto found = index.find(input);
      if (found != index.end()) STEDI_RETURN_IF_ERROR(visit(found->second));
    }
    stack.pop_back();
    state[i] = 2;
    ordered.push_back(models[i]);
    return Status::Ok();
  };
  for (const auto& [name, i] : index) STEDI_RETURN_IF_ERROR(visit(i));
  return ordered;
}

Result<std::vector<Model>> SelectModels(const std::vector<Model>& ordered,
                                        const std::vector<std::string>& names) {
  if (names.empty()) return ordered;
  std::set<std::string> wanted(names.begin(), names.end());
  std::vector<Model> selected;
  for (const Model& model : ordered) {
    if (wanted.erase(model.name) > 0) selected.push_back(model);
  }
  if (!wanted.empty()) {
    std::string known;
    for (const Model& model : ordered) known += (known.empty() ? "" : ", ") + model.name;
    return Status::NotFound(
        fmt::format("job {} does not exist; the jobs are: {}", *wanted.begin(), known));
  }
  return selected;
}

}  // namespace stedi::pipeline
