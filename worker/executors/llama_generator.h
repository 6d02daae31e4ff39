// The `llama` generator kind: few-shot prompts per theme through a LLaMA-family decoder
// (worker/runtime), batched sampling, post-processing to one item per completion.
//
// For each theme: draw examples_per_prompt training texts of that theme (seeded), render the
// template, sample a completion, keep its first item unless empty or a repeat; until N_max texts
// or a cap of attempts, then report the shortfall. All themes share one continuous batch (a
// theme stops asking once it has its texts); its size is the spec's max_batch or what the
// device's free memory allows, halved and retried on out-of-memory. With prompt_format "chat" the
// template is the user message of a conversation the model's own chat template renders, the reply
// runs to the end-of-turn token and CleanChatReply makes it one text. Prompts, raw completions and
// the template go into the SyntheticSet, so every synthetic text can be traced back to its prompt.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/tokenizers/chat_template.h"
#include "common/tokenizers/tokenizer.h"
#include "worker/executors/executor.h"
#include "worker/runtime/llama_model.h"

namespace augsweep {

class LlamaGenerator : public GeneratorExecutor {
 public:
  // device: "cpu" or "cuda" (what the worker runs on). threads: the CPU threads of the model's
  // kernels (LoadOptions::threads, process-wide; 0: one per hardware thread). Several workers in
  // one process should ask for fewer, or their thread teams oversubscribe the cores.
  explicit LlamaGenerator(std::string device, int threads = 0)
      : device_(std::move(device)), threads_(threads) {}

  StatusOr<v1::SyntheticSet> Generate(const GenerateRequest& request, JobControl& control) override;

 private:
  struct Loaded {
    std::string key;    // model_dir|dtype
    std::string dtype;  // what the model computes in
    std::unique_ptr<Tokenizer> tokenizer;
    std::unique_ptr<LlamaModel> model;
    std::optional<ChatTemplate> chat;  // read on the first chat-format job
  };
  // The model of the last job stays loaded: consecutive jobs of a sweep mostly share it.
  StatusOr<Loaded*> Load(const v1::GeneratorSpec& generator) AUGSWEEP_REQUIRES(mu_);
  // The batch a job's memory allows (batch_budget.h) for its longest possible prompt.
  int BatchBudget(const v1::GeneratorSpec& g, const GenerateRequest& request,
                  const Loaded& loaded) const;
  // One continuous batch over every theme of the job: a theme's prompts are rendered as slots
  // free up, round robin, until it has its texts or runs out of attempts.
  StatusOr<v1::SyntheticSet> GenerateWithBatch(
      const GenerateRequest& request, Loaded& loaded, const GenerationOptions& options,
      const std::function<bool(size_t, const std::vector<int32_t>&)>& should_stop,
      const std::vector<std::string>& clean, const std::vector<std::string>& stops,
      JobControl& control) const;
  // The prompt token ids for one theme and its drawn examples, and its text in *prompt.
  StatusOr<std::vector<int32_t>> RenderIds(const v1::GeneratorSpec& g, const Loaded& loaded,
                                           const std::string& theme,
                                           const std::vector<std::string>& shots,
                                           std::string* prompt) const;

  const std::string device_;
  const int threads_;
  Mutex mu_;  // held for the whole job: one generation at a time per executor
  std::unique_ptr<Loaded> loaded_ AUGSWEEP_GUARDED_BY(mu_);
};

}  // namespace augsweep
