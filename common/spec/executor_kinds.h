// The one table of executor kinds: what a spec may name as a generator or classifier `kind`,
// what each needs, and the code version of its executor. Read by the spec parser, the planner
// (coordinator), the executors' registration (worker) and the CLI; a new kind is a row here plus
// its executor (docs/ARCHITECTURE.md, "Adding an executor kind").
//
// The version is part of every job key: bump it when an executor's output changes for the same
// inputs, so that stored results are not reused across the change.
#pragma once

#include <string>
#include <string_view>

namespace augsweep {

enum class ExecutorRole { kGenerator, kClassifier };

struct ExecutorKind {
  std::string_view name;
  ExecutorRole role;
  // Generators: whether temperature changes the output. EDA rewrites real texts without sampling
  // from a model, so its generate job is shared by every temperature of the sweep.
  bool uses_temperature;
  bool needs_model;  // the spec names a model folder (`model:`)
  bool needs_torch;  // runs on worker/runtime: absent from a build without libtorch
  int version;
};

// Sorted by role, then name (the order the spec parser's errors list them in).
inline constexpr ExecutorKind kExecutorKinds[] = {
    // name            role                        temperature  model  torch  version
    {"eda", ExecutorRole::kGenerator, false, false, false, 1},
    {"llama", ExecutorRole::kGenerator, true, true, true, 2},  // 2: one batch over all themes
    {"bert", ExecutorRole::kClassifier, false, true, true, 1},
    {"distilbert", ExecutorRole::kClassifier, false, true, true, 1},
    {"roberta", ExecutorRole::kClassifier, false, true, true, 1},
    {"tfidf-logreg", ExecutorRole::kClassifier, false, false, false, 1},
    {"xlnet", ExecutorRole::kClassifier, false, true, true, 1},
};

// The row of `name` in `role`, or nullptr when the table has none.
const ExecutorKind* FindExecutorKind(ExecutorRole role, std::string_view name);

// "eda, llama": the names of one role, for error messages.
std::string ExecutorKindNames(ExecutorRole role);

inline bool IsGeneratorKind(std::string_view kind) {
  return FindExecutorKind(ExecutorRole::kGenerator, kind) != nullptr;
}
inline bool IsClassifierKind(std::string_view kind) {
  return FindExecutorKind(ExecutorRole::kClassifier, kind) != nullptr;
}
// False for names not in the table.
bool GeneratorUsesTemperature(std::string_view kind);
bool ClassifierNeedsModel(std::string_view kind);

// "<kind>/<version>".
std::string ExecutorCodeVersion(std::string_view kind);

}  // namespace augsweep
