// A multi-label text classifier on a pre-trained encoder (BERT, RoBERTa, DistilBERT, XLNet) in
// libtorch, loaded from a Hugging Face folder: a *ForSequenceClassification checkpoint, or a base
// model whose classification head is then initialised (seeded) as transformers does. One sigmoid
// per label, trained with BCE-with-logits.
//
// It works on token ids: tokenizing (common/tokenizers) happens outside the runtime, which must
// build with libtorch alone. This header has no torch in it.
//
// Every call returns its errors as Status: libtorch's exceptions (a failed op, out of memory) stop
// at this boundary (worker/runtime/torch_guard.h; out of memory is ResourceExhausted).
//
// Not thread-safe: one call at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "worker/runtime/encoder_config.h"

namespace augsweep {

struct EncoderLoadOptions {
  std::string device = "cpu";  // "cpu", "cuda" or "cuda:N"
  // Weights and optimiser state are float32. On CUDA, "bfloat16" or "float16" runs the forward
  // and backward passes under autocast (mixed precision); refused on the CPU.
  std::string autocast_dtype = "float32";
  int threads = 0;  // intra-op CPU threads (at::set_num_threads); 0: one per hardware thread
  // > 0: the number of labels of the head (a new head when it differs from the checkpoint's);
  // 0: config.json's.
  int num_labels = 0;
  uint64_t head_init_seed = 0;  // seeds the initialisation of a head the checkpoint lacks
};

// One example: its token ids with the family's special tokens already in place (see
// common/tokenizers/classifier_inputs.h), not padded.
struct EncodedText {
  std::vector<int32_t> ids;
  // One per id, as the family's tokenizer gives them (BERT 0/1; XLNet 0/1 and 2 on <cls>);
  // empty: all type 0 (RoBERTa and DistilBERT have none).
  std::vector<int32_t> token_types;
};

// A padded batch [B][T]. token_type_ids may be empty (type 0 everywhere; the families without
// token types ignore it).
struct EncoderBatch {
  std::vector<std::vector<int32_t>> input_ids;
  std::vector<std::vector<int32_t>> attention_mask;
  std::vector<std::vector<int32_t>> token_type_ids;
};

struct AdamWOptions {
  double learning_rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  double weight_decay = 0.01;
  // false: biases and LayerNorm weights get no weight decay (transformers' Trainer default).
  bool decay_bias_and_norm = true;
};

struct FineTuneOptions {
  int epochs = 3;
  int batch_size = 16;
  AdamWOptions adamw;  // learning_rate is the peak of the schedule
  double warmup_ratio =
      0.0;  // linear warm-up over this fraction of the steps, then linear decay to 0
  double max_grad_norm = 1.0;  // clip the global gradient norm; <= 0: off
  uint64_t seed = 0;           // shuffling and dropout
};

struct FineTuneReport {
  std::vector<float> step_losses;   // mean BCE of each optimiser step
  std::vector<float> epoch_losses;  // mean of the step losses of each epoch
  int steps = 0;
  double seconds = 0;
};

class EncoderClassifier {
 public:
  // Reads config.json and the safetensors weights of `model_dir`. Errors name the file and the
  // tensor or field. When the checkpoint has no head (or one for another number of labels), the
  // head is initialised and head_initialised() lists its tensors.
  static StatusOr<std::unique_ptr<EncoderClassifier>> Load(const std::string& model_dir,
                                                           const EncoderLoadOptions& options);
  ~EncoderClassifier();
  EncoderClassifier(const EncoderClassifier&) = delete;
  EncoderClassifier& operator=(const EncoderClassifier&) = delete;

  const EncoderConfig& config() const;  // num_labels is the head's
  const std::vector<std::string>& head_initialised() const;

  // Pads examples into a batch the way the family's tokenizer does (right padding with
  // pad_token_id; XLNet: left padding, pad token type 3). Ids longer than the position table
  // are an InvalidArgument.
  StatusOr<EncoderBatch> Pad(const std::vector<EncodedText>& examples) const;

  // Eval-mode logits [B][num_labels], flattened row-major. `hidden_states`, if given, receives
  // transformers' output_hidden_states ([B][T][hidden] each, flattened; XLNet's are [B][T][hidden]
  // too, batch first).
  StatusOr<std::vector<float>> Forward(const EncoderBatch& batch,
                                       std::vector<std::vector<float>>* hidden_states = nullptr);

  // Sigmoid probabilities [example][label], in the order given; batches of `batch_size`, sorted
  // by length inside so that little is spent on padding.
  StatusOr<std::vector<std::vector<float>>> Predict(const std::vector<EncodedText>& examples,
                                                    int batch_size,
                                                    const std::function<bool()>& cancelled = {});

  // --- Training primitives (the fine-tuning loop and the golden checks use them) ---
  // Clears every gradient (set to none), runs the forward pass in eval mode (no dropout: the step
  // the golden data records) and back-propagates the mean BCE-with-logits against `labels`
  // [B][num_labels] (0/1). Returns the loss.
  StatusOr<float> LossAndGradients(const EncoderBatch& batch,
                                   const std::vector<std::vector<float>>& labels);
  // The L2 norm of each parameter's gradient, by name; parameters that got none are absent.
  StatusOr<std::map<std::string, double>> GradientNorms() const;
  // A parameter's value or gradient, flattened (NotFound for an unknown name, FailedPrecondition
  // for a missing gradient).
  StatusOr<std::vector<float>> ParameterValues(const std::string& name) const;
  StatusOr<std::vector<float>> GradientValues(const std::string& name) const;
  std::vector<std::string> HeadParameterNames() const;  // the classification head's
  // One AdamW step (torch.optim.AdamW's update; a parameter without a gradient is skipped, its
  // state untouched).
  Status AdamWStep(const AdamWOptions& options);

  // Fine-tunes on `examples` with multi-hot `labels` (same order): shuffled (seeded) each epoch,
  // batches grouped by length, dropout on, AdamW with linear warm-up and decay, clipping.
  // `cancelled` (may be empty) is checked before every step; `progress` (may be empty) gets the
  // fraction of steps done. A loss that is not finite is FailedPrecondition (the run diverged:
  // deterministic for the seed and settings, so retrying cannot help).
  StatusOr<FineTuneReport> FineTune(const std::vector<EncodedText>& examples,
                                    const std::vector<std::vector<float>>& labels,
                                    const FineTuneOptions& options,
                                    const std::function<bool()>& cancelled = {},
                                    const std::function<void(float)>& progress = {});

  struct Impl;  // encoder_classifier_impl.h

 private:
  explicit EncoderClassifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace augsweep
