// The transformer classifier kinds (`bert`, `roberta`, `distilbert`, `xlnet`): fine-tune a
// pre-trained encoder from a Hugging Face folder (worker/runtime/encoder_classifier.h) on the real
// training texts plus the synthetic ones, one sigmoid per theme, and score the test fold.
//
// Per job: the folder's tokenizer (cached) lays out every text as the family's tokenizer does
// (special tokens, truncation to max_length); the weights are loaded afresh (a job must not start
// from another job's fine-tuned weights), with a new head for the sweep's themes seeded by the
// job's seed; then FineTune with the spec's epochs, batch size, learning rate, warm-up and weight
// decay, and Predict on the test texts. loss_curve is the mean loss of each optimiser step.
//
// Thread safety: concurrent calls are safe; they serialise on the executor (one model in memory
// per worker is the budget of a GPU worker).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include "common/mutex.h"
#include "common/tokenizers/tokenizer.h"
#include "worker/executors/executor.h"

namespace augsweep {

class EncoderClassifierExecutor : public ClassifierExecutor {
 public:
  // kind: "bert", "roberta", "distilbert" or "xlnet": the family the model folder must hold.
  // device: "cpu" or "cuda" (on CUDA the passes run under bf16 autocast). threads: CPU threads of
  // the kernels (0: one per hardware thread).
  EncoderClassifierExecutor(std::string kind, std::string device, int threads = 0)
      : kind_(std::move(kind)), device_(std::move(device)), threads_(threads) {}

  StatusOr<TrainOutcome> TrainAndPredict(const TrainRequest& request, JobControl& control) override;

 private:
  StatusOr<const Tokenizer*> LoadTokenizerOnce(const std::string& model_dir) AUGSWEEP_REQUIRES(mu_);

  const std::string kind_;
  const std::string device_;
  const int threads_;
  Mutex mu_;  // held for the whole job: one job at a time
  std::map<std::string, std::unique_ptr<Tokenizer>> tokenizers_
      AUGSWEEP_GUARDED_BY(mu_);                                 // by model folder
  std::set<std::string> head_logged_ AUGSWEEP_GUARDED_BY(mu_);  // folders whose new head was logged
};

}  // namespace augsweep
