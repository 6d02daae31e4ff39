#include "worker/executors/default_executors.h"

#include "common/spec/executor_kinds.h"
#include "worker/executors/eda_generator.h"
#include "worker/executors/tfidf_logreg.h"
#include "worker/executors/wordnet_synonyms.h"
#if AUGSWEEP_WITH_TORCH
#include "worker/executors/encoder_classifier_executor.h"
#include "worker/executors/llama_generator.h"
#endif

namespace augsweep {

bool BuiltWithTorch() { return AUGSWEEP_WITH_TORCH != 0; }

StatusOr<std::unique_ptr<ExecutorRegistry>> DefaultExecutors(const std::string& device,
                                                             int threads) {
  auto registry = std::make_unique<ExecutorRegistry>();
  AUGSWEEP_ASSIGN_OR_RETURN(std::shared_ptr<const WordNetSynonyms> wordnet,
                            WordNetSynonyms::Default());
  registry->AddGenerator("eda", std::make_unique<EdaGenerator>(wordnet));
  registry->AddClassifier(kTfidfLogRegKind, std::make_unique<TfidfLogRegClassifier>());
#if AUGSWEEP_WITH_TORCH
  registry->AddGenerator("llama", std::make_unique<LlamaGenerator>(device, threads));
  for (const ExecutorKind& kind : kExecutorKinds) {
    if (kind.role == ExecutorRole::kClassifier && kind.needs_torch) {
      const std::string name(kind.name);
      registry->AddClassifier(name,
                              std::make_unique<EncoderClassifierExecutor>(name, device, threads));
    }
  }
#else
  (void)device;
  (void)threads;
#endif
  return registry;
}

}  // namespace augsweep
