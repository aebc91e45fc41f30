// Models: the pipeline's jobs, each one SQL query with a header of
// `-- key: value` lines that declares its zone and inputs. The same
// definition runs here and can be exported to other engines.
//
//   -- Customers who agreed to share their data for research.
//   -- zone: trusted
//   -- inputs: customer_landing
//   -- check: unique(email)
//   SELECT ...
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace stedi::pipeline {

struct Model {
  std::string name;         // the output table, from the file name
  std::string zone;         // trusted or curated
  std::string format = "parquet";
  std::vector<std::string> inputs;  // tables the query reads
  // An input in which the query is linear: while the other inputs keep their
  // content, the rows of this input's new files give exactly the new output
  // rows, so a run may append instead of recomputing. Empty: always recompute.
  std::string incremental;
  std::string description;  // the header's free-text comment lines
  std::string sql;          // the query, without the header
  std::vector<std::string> checks;  // quality rules, one per `-- check:` line (quality/rule.h)
};

// Parses one model file. kInvalidArgument names the file and the line.
Result<Model> ParseModel(std::string_view file_name, std::string_view text);

// The models compiled into the binary, in dependency order.
Result<std::vector<Model>> BuiltInModels();

// Orders `models` so every model comes after the models it reads.
// kInvalidArgument on a cycle, naming the models in it.
Result<std::vector<Model>> SortByDependencies(std::vector<Model> models);

// Selects the named models, in dependency order. kNotFound names an unknown
// job and lists the known ones.
Result<std::vector<Model>> SelectModels(const std::vector<Model>& ordered,
                                        const std::vector<std::string>& names);

}  // namespace stedi::pipeline
