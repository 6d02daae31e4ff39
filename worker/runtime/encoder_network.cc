// WeightSource and the math shared by the encoder networks (see encoder_impl.h).
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "common/safetensors/torch_bridge.h"
#include "worker/runtime/encoder_impl.h"

namespace augsweep {
namespace encoder_internal {
namespace {

std::string ShapeText(at::IntArrayRef shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

}  // namespace

WeightSource::WeightSource(const Checkpoint& checkpoint, std::string base_prefix, at::Device device,
                           uint64_t init_seed, double initializer_range)
    : checkpoint_(checkpoint),
      base_prefix_(std::move(base_prefix)),
      device_(device),
      init_generator_(at::make_generator<at::CPUGeneratorImpl>(init_seed)),
      initializer_range_(initializer_range) {}

StatusOr<at::Tensor> WeightSource::Load(const std::string& stored_name, at::IntArrayRef shape) {
  const CheckpointTensor* found = checkpoint_.Find(stored_name);
  AUGSWEEP_ASSIGN_OR_RETURN(at::Tensor t, LoadTensor(*found->file, *found->info));
  if (t.sizes() != shape) {
    return InvalidArgumentError(checkpoint_.folder() + ": tensor \"" + stored_name +
                                "\" has shape " + ShapeText(t.sizes()) + ", expected " +
                                ShapeText(shape) + " (from config.json)");
  }
  return t.to(at::kFloat).to(device_).contiguous().detach().requires_grad_(true);
}

bool WeightSource::HasEncoder(const std::string& name) const {
  return checkpoint_.Find(base_prefix_ + name) != nullptr || checkpoint_.Find(name) != nullptr;
}

StatusOr<at::Tensor> WeightSource::Encoder(const std::string& name, at::IntArrayRef shape) {
  if (checkpoint_.Find(base_prefix_ + name)) return Load(base_prefix_ + name, shape);
  if (checkpoint_.Find(name)) return Load(name, shape);
  return InvalidArgumentError(checkpoint_.folder() + ": tensor \"" + base_prefix_ + name +
                              "\" (or \"" + name + "\") is missing from the checkpoint");
}

StatusOr<at::Tensor> WeightSource::Head(const std::string& name, at::IntArrayRef shape,
                                        bool is_bias) {
  const CheckpointTensor* found = checkpoint_.Find(name);
  if (found && at::IntArrayRef(found->info->shape) == shape) return Load(name, shape);
  // transformers' _init_weights for nn.Linear: normal(0, initializer_range) weights, zero biases.
  at::Tensor t = is_bias ? at::zeros(shape, at::kFloat)
                         : at::normal(0.0, initializer_range_, shape, init_generator_);
  initialised_.push_back(name);
  return t.to(device_).contiguous().requires_grad_(true);
}

at::Tensor Network::Add(std::string name, at::Tensor value, bool in_head, bool bias_or_norm) {
  parameters_.push_back(Parameter{std::move(name), value, in_head, bias_or_norm});
  return value;
}

at::Tensor Activation(const at::Tensor& x, const std::string& name) {
  if (name == "relu") return at::relu(x);
  if (name == "gelu_new") {
    // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), transformers' NewGELUActivation.
    const double k = std::sqrt(2.0 / M_PI);
    return 0.5 * x * (1.0 + at::tanh(k * (x + 0.044715 * at::pow(x, 3.0))));
  }
  return at::gelu(x);  // exact (erf) GELU
}

at::Tensor Dropout(const at::Tensor& x, double p, at::Generator* generator) {
  if (generator == nullptr || p <= 0) return x;
  // The mask carries the 1/(1-p) scale, so the pass costs one product (as torch's dropout).
  at::Tensor keep = at::empty_like(x, x.options().requires_grad(false));
  keep.bernoulli_(1.0 - p, *generator).div_(1.0 - p);
  return x * keep;
}

}  // namespace encoder_internal
}  // namespace augsweep
