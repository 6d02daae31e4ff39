// EncoderClassifier's optimiser and fine-tuning loop: AdamW exactly as torch.optim.AdamW updates
// (decoupled weight decay), transformers' linear warm-up/decay schedule, global-norm gradient
// clipping as clip_grad_norm_, length-grouped batches as the Trainer's group_by_length.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "common/deterministic_rng.h"
#include "worker/runtime/encoder_classifier_impl.h"
#include "worker/runtime/torch_guard.h"

namespace augsweep {
namespace {

using encoder_internal::Parameter;

// The batch order's RNG: SplitMix64 (common/deterministic_rng.h) draws taken modulo the range,
// fully specified, so that a seed gives the same batches with every standard library
// (std::shuffle's algorithm is unspecified).
class ShuffleRng {
 public:
  explicit ShuffleRng(uint64_t seed) : state_(seed) {}
  template <typename T>
  void Shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[SplitMix64(state_) % i]);
  }

 private:
  uint64_t state_;
};

// How many examples the Trainer's group_by_length sorts together (its "megabatch" is 50 batches):
// batches of similar lengths waste little on padding, and the order stays random across them.
constexpr size_t kBatchesPerLengthGroup = 50;

// One epoch's batches: shuffled, then sorted by length within groups of 50 batches, then the
// batches themselves shuffled.
std::vector<std::vector<size_t>> EpochBatches(const std::vector<EncodedText>& examples,
                                              size_t batch_size, ShuffleRng& rng) {
  std::vector<size_t> order(examples.size());
  std::iota(order.begin(), order.end(), 0);
  rng.Shuffle(order);
  const size_t group = batch_size * kBatchesPerLengthGroup;
  for (size_t start = 0; start < order.size(); start += group) {
    auto end = order.begin() + std::min(order.size(), start + group);
    std::stable_sort(order.begin() + start, end, [&](size_t a, size_t b) {
      return examples[a].ids.size() > examples[b].ids.size();
    });
  }
  std::vector<std::vector<size_t>> batches;
  for (size_t start = 0; start < order.size(); start += batch_size) {
    batches.emplace_back(order.begin() + start,
                         order.begin() + std::min(order.size(), start + batch_size));
  }
  rng.Shuffle(batches);
  return batches;
}

// transformers' get_linear_schedule_with_warmup: the multiplier of the peak rate at `step`
// (0-based, the step about to be taken).
double LinearScheduleFactor(int step, int warmup_steps, int total_steps) {
  if (step < warmup_steps) return static_cast<double>(step) / std::max(1, warmup_steps);
  return std::max(
      0.0, static_cast<double>(total_steps - step) / std::max(1, total_steps - warmup_steps));
}

Status CheckOptions(const FineTuneOptions& o) {
  if (o.epochs < 1) return InvalidArgumentError("FineTuneOptions.epochs: expected >= 1");
  if (o.batch_size < 1) return InvalidArgumentError("FineTuneOptions.batch_size: expected >= 1");
  if (!(o.adamw.learning_rate > 0)) {
    return InvalidArgumentError("FineTuneOptions.adamw.learning_rate: expected > 0");
  }
  if (!(o.warmup_ratio >= 0 && o.warmup_ratio <= 1)) {
    return InvalidArgumentError("FineTuneOptions.warmup_ratio: expected a value in [0, 1]");
  }
  if (!(o.adamw.weight_decay >= 0)) {
    return InvalidArgumentError("FineTuneOptions.adamw.weight_decay: expected >= 0");
  }
  return OkStatus();
}

// torch.nn.utils.clip_grad_norm_: scales every gradient by min(1, max_norm / (total norm +
// 1e-6)). The factor stays a device tensor, so the step needs no host synchronisation.
void ClipGradients(std::vector<Parameter>& params, double max_norm) {
  c10::NoGradGuard no_grad;
  std::vector<at::Tensor> norms;
  for (Parameter& p : params) {
    if (p.value.grad().defined()) norms.push_back(p.value.grad().norm());
  }
  if (norms.empty()) return;
  const at::Tensor total = at::stack(norms).norm();
  const at::Tensor factor = (max_norm / (total + 1e-6)).clamp_max(1.0);
  for (Parameter& p : params) {
    if (p.value.grad().defined()) p.value.mutable_grad().mul_(factor);
  }
}

}  // namespace

Status EncoderClassifier::AdamWStep(const AdamWOptions& o) {
  return GuardTorch("EncoderClassifier::AdamWStep", [&]() -> Status {
    c10::NoGradGuard no_grad;
    for (Parameter& p : impl_->network->parameters()) {
      const at::Tensor& grad = p.value.grad();
      if (!grad.defined()) continue;  // as torch: no gradient, no update and no decay
      Impl::AdamState& state = impl_->adam[p.name];
      if (state.step == 0) {
        state.exp_avg = at::zeros_like(p.value);
        state.exp_avg_sq = at::zeros_like(p.value);
        state.denominator = at::empty_like(p.value);
      }
      ++state.step;
      const double decay = (o.decay_bias_and_norm || !p.bias_or_norm) ? o.weight_decay : 0.0;
      at::Tensor value = p.value;
      value.mul_(1.0 - o.learning_rate * decay);
      state.exp_avg.mul_(o.beta1).add_(grad, 1.0 - o.beta1);
      state.exp_avg_sq.mul_(o.beta2).addcmul_(grad, grad, 1.0 - o.beta2);
      const double correction1 = 1.0 - std::pow(o.beta1, static_cast<double>(state.step));
      const double correction2 = 1.0 - std::pow(o.beta2, static_cast<double>(state.step));
      // Into a buffer kept with the state: a fresh tensor the size of the embedding table every
      // step costs more in page faults than the arithmetic (glibc returns big blocks to the
      // kernel).
      at::sqrt_out(state.denominator, state.exp_avg_sq);
      state.denominator.div_(std::sqrt(correction2)).add_(o.epsilon);
      value.addcdiv_(state.exp_avg, state.denominator, -o.learning_rate / correction1);
    }
    return OkStatus();
  });
}

StatusOr<FineTuneReport> EncoderClassifier::FineTune(const std::vector<EncodedText>& examples,
                                                     const std::vector<std::vector<float>>& labels,
                                                     const FineTuneOptions& options,
                                                     const std::function<bool()>& cancelled,
                                                     const std::function<void(float)>& progress) {
  return GuardTorch("EncoderClassifier::FineTune", [&]() -> StatusOr<FineTuneReport> {
    AUGSWEEP_RETURN_IF_ERROR(CheckOptions(options));
    if (examples.empty()) return InvalidArgumentError("FineTune: no training examples");
    if (labels.size() != examples.size()) {
      return InvalidArgumentError("FineTune: " + std::to_string(labels.size()) +
                                  " label rows for " + std::to_string(examples.size()) +
                                  " examples");
    }
    const auto started = std::chrono::steady_clock::now();
    const size_t batch_size = static_cast<size_t>(options.batch_size);
    const int steps_per_epoch = static_cast<int>((examples.size() + batch_size - 1) / batch_size);
    const int total_steps = steps_per_epoch * options.epochs;
    const int warmup_steps = static_cast<int>(std::ceil(options.warmup_ratio * total_steps));

    ShuffleRng rng(options.seed);
    // Dropout masks come from a generator of this model's own, seeded per run, so a result does not
    // depend on what other threads of the process draw from torch's default generator.
    at::Generator dropout = [&] {
      at::Generator default_gen = at::globalContext().defaultGenerator(impl_->device);
      std::lock_guard<std::mutex> lock(default_gen.mutex());
      return default_gen.clone();
    }();
    dropout.set_current_seed(options.seed ^ 0x5DEECE66Dull);

    std::vector<Parameter>& params = impl_->network->parameters();
    FineTuneReport report;
    for (int epoch = 0; epoch < options.epochs; ++epoch) {
      std::vector<at::Tensor> epoch_losses;  // on the device
      for (const std::vector<size_t>& batch_index : EpochBatches(examples, batch_size, rng)) {
        if (cancelled && cancelled()) return CancelledError("fine-tuning cancelled");
        std::vector<EncodedText> chunk;
        std::vector<std::vector<float>> chunk_labels;
        for (size_t i : batch_index) {
          chunk.push_back(examples[i]);
          chunk_labels.push_back(labels[i]);
        }
        AUGSWEEP_ASSIGN_OR_RETURN(EncoderBatch batch, Pad(chunk));
        AUGSWEEP_ASSIGN_OR_RETURN(Impl::BatchTensors tensors, impl_->ToTensors(batch));
        AUGSWEEP_ASSIGN_OR_RETURN(at::Tensor targets,
                                  impl_->LabelTensor(chunk_labels, tensors.ids.size(0)));
        for (Parameter& p : params) p.value.mutable_grad() = at::Tensor();
        at::Tensor logits = impl_->Logits(tensors, &dropout, nullptr);
        at::Tensor loss = at::binary_cross_entropy_with_logits(logits, targets);
        loss.backward();

        if (options.max_grad_norm > 0) ClipGradients(params, options.max_grad_norm);
        AdamWOptions step_options = options.adamw;
        step_options.learning_rate *= LinearScheduleFactor(report.steps, warmup_steps, total_steps);
        AUGSWEEP_RETURN_IF_ERROR(AdamWStep(step_options));

        epoch_losses.push_back(loss.detach());
        ++report.steps;
        if (progress) progress(static_cast<float>(report.steps) / total_steps);
      }
      // The losses come back to the host once per epoch: reading each step's would make the CPU
      // wait for the GPU every step.
      const at::Tensor losses = at::stack(epoch_losses).to(at::kCPU, at::kFloat).contiguous();
      const float* values = losses.data_ptr<float>();
      double epoch_sum = 0;
      for (int64_t i = 0; i < losses.numel(); ++i) {
        if (!std::isfinite(values[i])) {
          const int step = report.steps - static_cast<int>(losses.numel() - i) + 1;
          // FailedPrecondition, not Internal: the run is deterministic for its seed and
          // settings, so a retry would diverge again (the worker reports it as not retryable).
          return FailedPreconditionError("fine-tuning diverged: the loss became " +
                                         std::to_string(values[i]) + " at step " +
                                         std::to_string(step) + " (lower the learning rate)");
        }
        report.step_losses.push_back(values[i]);
        epoch_sum += values[i];
      }
      report.epoch_losses.push_back(static_cast<float>(epoch_sum / losses.numel()));
    }
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
  });
}

}  // namespace augsweep
