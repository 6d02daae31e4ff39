// Which executor runs which kind. A worker advertises the registry's kinds to the coordinator
// and only leases jobs it can run. The registry itself knows no executor (the worker library
// and its tests use it without libtorch); default_executors.h fills one with every executor of
// this build.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "worker/executors/executor.h"

namespace augsweep {

class ExecutorRegistry {
 public:
  void AddGenerator(const std::string& kind, std::unique_ptr<GeneratorExecutor> executor);
  void AddClassifier(const std::string& kind, std::unique_ptr<ClassifierExecutor> executor);
  GeneratorExecutor* FindGenerator(const std::string& kind) const;    // nullptr if absent
  ClassifierExecutor* FindClassifier(const std::string& kind) const;  // nullptr if absent
  std::vector<std::string> generator_kinds() const;
  std::vector<std::string> classifier_kinds() const;

 private:
  std::map<std::string, std::unique_ptr<GeneratorExecutor>> generators_;
  std::map<std::string, std::unique_ptr<ClassifierExecutor>> classifiers_;
};

}  // namespace augsweep
