#include "worker/executors/executor_registry.h"

namespace augsweep {

void ExecutorRegistry::AddGenerator(const std::string& kind,
                                    std::unique_ptr<GeneratorExecutor> executor) {
  generators_[kind] = std::move(executor);
}

void ExecutorRegistry::AddClassifier(const std::string& kind,
                                     std::unique_ptr<ClassifierExecutor> executor) {
  classifiers_[kind] = std::move(executor);
}

GeneratorExecutor* ExecutorRegistry::FindGenerator(const std::string& kind) const {
  auto it = generators_.find(kind);
  return it == generators_.end() ? nullptr : it->second.get();
}

ClassifierExecutor* ExecutorRegistry::FindClassifier(const std::string& kind) const {
  auto it = classifiers_.find(kind);
  return it == classifiers_.end() ? nullptr : it->second.get();
}

std::vector<std::string> ExecutorRegistry::generator_kinds() const {
  std::vector<std::string> out;
  for (const auto& [kind, e] : generators_) out.push_back(kind);
  return out;
}

std::vector<std::string> ExecutorRegistry::classifier_kinds() const {
  std::vector<std::string> out;
  for (const auto& [kind, e] : classifiers_) out.push_back(kind);
  return out;
}

}  // namespace augsweep
