// Which executor runs which kind. A worker advertises the registry's kinds to the coordinator
// and only leases jobs it can run. Adding a model family = one executor file + one line in
// registry.cc.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
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

// Every executor this build has, for a worker on `device` ("cpu" or "cuda"): eda (needs
// Debian's wordnet-base), llama, tfidf-logreg. `threads`: CPU threads of the model executors
// (0: every core; workers sharing a process share the cores).
StatusOr<std::unique_ptr<ExecutorRegistry>> DefaultExecutors(const std::string& device, int threads = 0);

}  // namespace augsweep
