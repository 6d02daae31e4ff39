// Internal to worker/runtime: EncoderClassifier's state, shared by encoder_classifier.cc (loading,
// forward, gradients) and encoder_training.cc (AdamW and the fine-tuning loop). Includes libtorch.
#pragma once

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>  // c10::NoGradGuard (not re-exported by ATen.h in libtorch 2.x)

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "worker/runtime/encoder_classifier.h"
#include "worker/runtime/encoder_impl.h"

namespace augsweep {

// Turns autocast (mixed precision) on for the current thread while it lives, when given a dtype.
class AutocastScope {
 public:
  explicit AutocastScope(std::optional<at::ScalarType> dtype);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  bool was_enabled_ = false;
};

struct EncoderClassifier::Impl {
  EncoderConfig config;
  at::Device device = at::kCPU;
  std::optional<at::ScalarType> autocast;  // CUDA mixed precision, none on the CPU
  std::unique_ptr<encoder_internal::Network> network;
  std::vector<std::string> head_initialised;

  struct AdamState {
    at::Tensor exp_avg, exp_avg_sq;
    at::Tensor denominator;  // scratch for the update, reused every step
    int64_t step = 0;
  };
  std::map<std::string, AdamState> adam;  // by parameter name, created on its first step

  struct BatchTensors {
    at::Tensor ids, mask, token_types;  // [B, T] int64 on the device; token_types may be undefined
  };
  StatusOr<BatchTensors> ToTensors(const EncoderBatch& batch) const;
  // labels [B][num_labels] -> float32 [B, num_labels] on the device.
  StatusOr<at::Tensor> LabelTensor(const std::vector<std::vector<float>>& labels,
                                   int64_t batch_size) const;
  // Logits [B, num_labels] in float32; dropout on when `dropout` is given.
  at::Tensor Logits(const BatchTensors& batch, at::Generator* dropout,
                    std::vector<at::Tensor>* hidden) const;
  // Index of a parameter by name, or -1.
  int FindParameter(const std::string& name) const;
};

}  // namespace augsweep
