// Internal to worker/runtime: the pieces shared by the encoder classifiers' translation units
// (encoder_classifier.cc: loading, forward, training primitives; bert_network.cc: BERT, RoBERTa,
// DistilBERT; xlnet_network.cc: XLNet; encoder_training.cc: AdamW and the fine-tuning loop).
// Includes libtorch, so nothing outside those files may include it.
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/safetensors/checkpoint.h"
#include "common/status.h"
#include "worker/runtime/encoder_config.h"

namespace augsweep {
namespace encoder_internal {

// A trainable tensor (float32, requires_grad, on the model's device) under the name transformers
// gives it in a *ForSequenceClassification state dict.
struct Parameter {
  std::string name;
  at::Tensor value;
  bool in_head = false;       // the classification head (what golden data calls the head)
  bool bias_or_norm = false;  // a bias or a LayerNorm weight: excluded from weight decay on request
};

// Hands out the checkpoint's tensors to a network under construction, converted to float32 on
// the device with requires_grad, and initialises what a base-model checkpoint lacks (the
// classification head) the way transformers' _init_weights does: weights ~ N(0,
// initializer_range), biases 0, seeded.
class WeightSource {
 public:
  // `base_prefix` is the encoder's attribute name in the *ForSequenceClassification class
  // ("bert.", "roberta.", "distilbert.", "transformer."): encoder tensors are looked up under
  // it first and then without it (a bare BertModel.save_pretrained writes no prefix).
  WeightSource(const Checkpoint& checkpoint, std::string base_prefix, at::Device device,
               uint64_t init_seed, double initializer_range);

  // Whether the checkpoint has this encoder tensor (with or without the prefix).
  bool HasEncoder(const std::string& name) const;
  // An encoder tensor; InvalidArgument naming the tensor when it is missing or mis-shaped.
  StatusOr<at::Tensor> Encoder(const std::string& name, at::IntArrayRef shape);
  // A head tensor (its full name, no prefix added): loaded when present, else initialised (normal
  // for a weight, zeros for a bias: `is_bias`). Mis-shaped when present (a head for another number
  // of labels) is also initialised, and noted, since fine-tuning a new label set is the normal
  // case.
  StatusOr<at::Tensor> Head(const std::string& name, at::IntArrayRef shape, bool is_bias);

  // The head tensors that were initialised instead of loaded (for the log and the caller).
  const std::vector<std::string>& initialised() const { return initialised_; }

 private:
  StatusOr<at::Tensor> Load(const std::string& stored_name, at::IntArrayRef shape);

  const Checkpoint& checkpoint_;
  std::string base_prefix_;
  at::Device device_;
  at::Generator init_generator_;
  double initializer_range_;
  std::vector<std::string> initialised_;
};

// One encoder with its classification head, as a function of its parameters.
class Network {
 public:
  virtual ~Network() = default;

  // ids, mask, token_types: [B, T] int64 on the device; token_types is undefined for a family
  // without them (RoBERTa and DistilBERT; RoBERTa's single type row is added internally). mask is 1
  // for real tokens. `dropout` (may be null: eval mode, no dropout) draws every dropout mask.
  // Returns the logits [B, num_labels] in float32. If `hidden` is given it receives what
  // transformers' output_hidden_states gives: the embedding output, then each layer's output.
  virtual at::Tensor Forward(const at::Tensor& ids, const at::Tensor& mask,
                             const at::Tensor& token_types, at::Generator* dropout,
                             std::vector<at::Tensor>* hidden) const = 0;

  // Every parameter, in the order of the state dict.
  std::vector<Parameter>& parameters() { return parameters_; }
  const std::vector<Parameter>& parameters() const { return parameters_; }

 protected:
  // Records a parameter (for the optimiser and the checks) and returns it.
  at::Tensor Add(std::string name, at::Tensor value, bool in_head, bool bias_or_norm);

 private:
  std::vector<Parameter> parameters_;
};

// Shared math.
// transformers' activations: "gelu" (erf), "gelu_new" (tanh approximation), "relu".
at::Tensor Activation(const at::Tensor& x, const std::string& name);
// Inverted dropout with probability p; identity when `generator` is null or p is 0.
at::Tensor Dropout(const at::Tensor& x, double p, at::Generator* generator);

// BERT, RoBERTa and DistilBERT (bert_network.cc); XLNet (xlnet_network.cc). Both use
// config.num_labels for the head.
StatusOr<std::unique_ptr<Network>> BuildBertFamilyNetwork(const EncoderConfig& config,
                                                          WeightSource& weights);
StatusOr<std::unique_ptr<Network>> BuildXlnetNetwork(const EncoderConfig& config,
                                                     WeightSource& weights);

}  // namespace encoder_internal
}  // namespace augsweep
