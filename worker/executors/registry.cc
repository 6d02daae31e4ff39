#include "worker/executors/registry.h"

#include "worker/executors/eda_generator.h"
#include "worker/executors/encoder_classifier_executor.h"
#include "worker/executors/llama_generator.h"
#include "worker/executors/tfidf_logreg.h"
#include "worker/executors/wordnet_synonyms.h"

namespace augsweep {

void ExecutorRegistry::AddGenerator(const std::string& kind, std::unique_ptr<GeneratorExecutor> executor) {
  generators_[kind] = std::move(executor);
}

void ExecutorRegistry::AddClassifier(const std::string& kind, std::unique_ptr<ClassifierExecutor> executor) {
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

StatusOr<std::unique_ptr<ExecutorRegistry>> DefaultExecutors(const std::string& device, int threads) {
  auto registry = std::make_unique<ExecutorRegistry>();
  AUGSWEEP_ASSIGN_OR_RETURN(std::shared_ptr<const WordNetSynonyms> wordnet, WordNetSynonyms::Default());
  registry->AddGenerator("eda", std::make_unique<EdaGenerator>(wordnet));
  registry->AddGenerator("llama", std::make_unique<LlamaGenerator>(device, threads));
  registry->AddClassifier("tfidf-logreg", std::make_unique<TfidfLogRegClassifier>());
  for (const char* kind : {"bert", "roberta", "distilbert", "xlnet"}) {
    registry->AddClassifier(kind, std::make_unique<EncoderClassifierExecutor>(kind, device, threads));
  }
  return registry;
}

}  // namespace augsweep
