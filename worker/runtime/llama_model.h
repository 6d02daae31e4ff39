// A LLaMA-family decoder (LLaMA 1/2/3, Alpaca, Mistral, Qwen2) running on libtorch, loaded from a
// Hugging Face model folder: a full forward for checks against reference logits, and batched
// KV-cached generation (greedy or sampled) for the generate executor.
//
// This header has no torch in it (the implementation hides behind a pointer), so code that only
// drives generation compiles in seconds; only worker/runtime's own .cc files include libtorch.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "worker/runtime/llama_config.h"

namespace augsweep {

struct LoadOptions {
  // "cpu", "cuda" or "cuda:N".
  std::string device = "cpu";
  // "float32", "float16" or "bfloat16": the dtype weights, activations and the KV cache are held
  // in (whatever the files store). float16 is refused on the CPU, whose half kernels are missing
  // or slow; RMSNorm and softmax always compute in float32, as transformers does.
  std::string dtype = "float32";
  // Intra-op CPU threads (at::set_num_threads, process-wide); 0: one per hardware thread.
  // Set explicitly because Debian's libtorch starts with one.
  int threads = 0;
};

struct GenerationOptions {
  int max_new_tokens = 64;
  // 0: greedy (argmax). Otherwise logits are divided by it before top-k/top-p and sampling.
  float temperature = 0;
  // Nucleus sampling: keep the most probable tokens whose cumulative probability first reaches
  // top_p (at least one). 1: off.
  float top_p = 1;
  // Keep the top_k most probable tokens (exactly k, ties broken by token id). 0: off.
  int top_k = 0;
  // min-p sampling (after top-k and top-p, as transformers' MinPLogitsWarper): drop the tokens
  // whose probability is below min_p times the most probable token's. 0: off.
  float min_p = 0;
  // As transformers' RepetitionPenaltyLogitsProcessor: the logit of every token already in the
  // prompt or the output is divided by it when positive and multiplied by it when negative,
  // before temperature and greedy alike. 1: off. (Unlike transformers, padding is never counted.)
  float repetition_penalty = 1;
  // OpenAI's penalties over the tokens this sequence generated (not its prompt): a token's logit
  // is lowered by presence_penalty once it has appeared and by frequency_penalty for every time
  // it has, after repetition_penalty and before temperature and greedy alike. In [-2, 2]; 0: off.
  float presence_penalty = 0;
  float frequency_penalty = 0;
  // Token sequences never generated (transformers' bad_words_ids): the last token of each is
  // banned whenever the tokens before it end the sequence so far (prompt and output); a one-token
  // entry is banned always. Entries must be non-empty and in the vocabulary.
  std::vector<std::vector<int32_t>> bad_words_ids;
  // Ids that end a sequence (the id is kept as the last of new_ids). Empty: the model's
  // config().eos_token_ids. An id outside the vocabulary never matches, so {-1} disables EOS.
  std::vector<int32_t> eos_ids;
  // At most this many sequences decode together; further requests wait and take the place of
  // sequences that finish.
  int max_batch = 16;
};

struct SequenceRequest {
  std::vector<int32_t> prompt_ids;  // non-empty; usually starts with BOS
  uint64_t seed = 0;                // seeds this sequence's own sampler (unused when greedy)
};

struct SequenceOutput {
  std::vector<int32_t> new_ids;  // generated ids, without the prompt
  bool finished_by_eos = false;  // the last of new_ids is an EOS id
  bool stopped = false;          // should_stop ended it
};

// What a Generate call computed (for tests and benchmarks).
struct GenerationStats {
  int64_t prefilled_prompts = 0;  // prompts run through a prefill pass (identical ones share one)
  int64_t forward_passes = 0;     // prefill and decode passes
};

// Requests given one at a time as batch slots free up, for callers that decide what to ask next
// from what came back (the generate executor stops asking for a theme once it has its texts).
struct RequestStream {
  // The next request to admit, or nullopt when there is none for now: asked again whenever a
  // slot is free; generation ends once it has none and every admitted sequence has ended.
  std::function<std::optional<SequenceRequest>()> next;
  // Each sequence as it ends, with its number (the order in which `next` gave it). Called
  // before `next` is asked again, so the stream can act on it.
  std::function<void(size_t, SequenceOutput)> finished;
  // How many requests there will be, when known: the batch is then no larger. 0: unknown.
  size_t expected = 0;
};

// Not thread-safe: one call at a time (the generate executor owns one model per worker).
class LlamaModel {
 public:
  // Reads config.json (+ generation_config.json) and the safetensors weights (single or sharded)
  // of `model_dir`. A missing tensor, or one of the wrong shape, is an InvalidArgument naming the
  // tensor (and both shapes). lm_head.weight may be absent when tie_word_embeddings is true.
  static StatusOr<std::unique_ptr<LlamaModel>> Load(const std::string& model_dir,
                                                    const LoadOptions& options);
  ~LlamaModel();
  LlamaModel(const LlamaModel&) = delete;
  LlamaModel& operator=(const LlamaModel&) = delete;

  const LlamaConfig& config() const;

  // One forward pass without a cache over a [B][T] batch, as transformers' LlamaForCausalLM
  // computes it: `attention_mask` 1 for real tokens, 0 for padding (keys at 0 are masked; the
  // outputs at those positions are meaningless); `position_ids` the rotary positions (for a
  // left-padded batch cumsum(mask)-1). Returns the float32 logits [B][T][vocab] flattened
  // row-major. If `hidden_states` is given it receives, as transformers' output_hidden_states,
  // num_layers + 1 tensors [B][T][hidden] flattened: the embeddings, the output of each layer but
  // the last, and the last layer's output after the final RMSNorm.
  StatusOr<std::vector<float>> Forward(const std::vector<std::vector<int32_t>>& ids,
                                       const std::vector<std::vector<int32_t>>& attention_mask,
                                       const std::vector<std::vector<int32_t>>& position_ids,
                                       std::vector<std::vector<float>>* hidden_states = nullptr);

  // Generates a continuation for every request; outputs are in request order. Up to
  // options.max_batch sequences decode together with a KV cache; a sequence that ends leaves the
  // batch at once and a waiting request takes its place, so no step computes a finished
  // sequence. The result for a request does not depend on the other requests (up to float
  // rounding in batched kernels): greedy equals unbatched greedy, and a sampled sequence draws
  // from its own RNG seeded with request.seed.
  // A sequence ends after max_new_tokens tokens, after an EOS id, or when
  // should_stop(request_index, new_ids_so_far) returns true (checked after every token; may be
  // empty). `cancelled` (may be empty) is checked before every forward pass; if it returns true
  // the call returns CancelledError. InvalidArgument for bad options or prompts.
  // Requests with identical prompt_ids that are admitted together (several samples of one
  // prompt, with different seeds) share one prefill: the prompt's KV cache is computed once and
  // copied to each sample's slot. `stats` (may be null) receives what was computed.
  StatusOr<std::vector<SequenceOutput>> Generate(
      const std::vector<SequenceRequest>& requests, const GenerationOptions& options,
      const std::function<bool(size_t, const std::vector<int32_t>&)>& should_stop = {},
      const std::function<bool()>& cancelled = {}, GenerationStats* stats = nullptr);

  // Generate over a stream: the same batching and the same result per request (given its
  // prompt and seed), with requests decided on the way. should_stop's index is the request's
  // number. Which requests are admitted together (and so share a prefill, and so which
  // batched kernels compute them) follows from max_batch and the order of completions, which is
  // deterministic: the same stream answers give the same outputs.
  Status GenerateStream(
      RequestStream& stream, const GenerationOptions& options,
      const std::function<bool(size_t, const std::vector<int32_t>&)>& should_stop = {},
      const std::function<bool()>& cancelled = {}, GenerationStats* stats = nullptr);

  // The implementation, defined in llama_impl.h (torch) for worker/runtime's .cc files.
  struct Impl;

 private:
  explicit LlamaModel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace augsweep
