#include "common/spec/executor_kinds.h"

namespace augsweep {

const ExecutorKind* FindExecutorKind(ExecutorRole role, std::string_view name) {
  for (const ExecutorKind& kind : kExecutorKinds) {
    if (kind.role == role && kind.name == name) return &kind;
  }
  return nullptr;
}

std::string ExecutorKindNames(ExecutorRole role) {
  std::string out;
  for (const ExecutorKind& kind : kExecutorKinds) {
    if (kind.role != role) continue;
    if (!out.empty()) out += ", ";
    out += kind.name;
  }
  return out;
}

bool GeneratorUsesTemperature(std::string_view kind) {
  const ExecutorKind* row = FindExecutorKind(ExecutorRole::kGenerator, kind);
  return row != nullptr && row->uses_temperature;
}

bool ClassifierNeedsModel(std::string_view kind) {
  const ExecutorKind* row = FindExecutorKind(ExecutorRole::kClassifier, kind);
  return row != nullptr && row->needs_model;
}

std::string ExecutorCodeVersion(std::string_view kind) {
  for (const ExecutorKind& row : kExecutorKinds) {
    if (row.name == kind) return std::string(kind) + "/" + std::to_string(row.version);
  }
  return std::string(kind) + "/1";
}

}  // namespace augsweep
