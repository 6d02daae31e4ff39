// EncoderClassifier: loading, padding, the forward pass, predictions and the eval-mode gradient
// step. AdamW and the fine-tuning loop are in encoder_training.cc.
#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <thread>

#include "common/safetensors/checkpoint.h"
#include "worker/runtime/encoder_classifier_impl.h"
#include "worker/runtime/torch_device.h"
#include "worker/runtime/torch_guard.h"

namespace augsweep {
namespace {

using encoder_internal::Parameter;

// XLNet's token type for padding (XLNetTokenizer's pad_token_type_id).
constexpr int32_t kXlnetPadTokenType = 3;

const char* BasePrefix(EncoderFamily family) {
  switch (family) {
    case EncoderFamily::kBert:
      return "bert.";
    case EncoderFamily::kRoberta:
      return "roberta.";
    case EncoderFamily::kDistilBert:
      return "distilbert.";
    case EncoderFamily::kXlnet:
      return "transformer.";
  }
  return "";
}

std::vector<float> ToFloats(const at::Tensor& t) {
  at::Tensor c = t.detach().to(at::kCPU, at::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

// [B][T] ints -> int64 [B, T]; every row must have T entries.
StatusOr<at::Tensor> Matrix(const std::vector<std::vector<int32_t>>& rows, const char* field,
                            int64_t columns) {
  at::Tensor out = at::empty({static_cast<int64_t>(rows.size()), columns}, at::kLong);
  int64_t* p = out.data_ptr<int64_t>();
  for (size_t r = 0; r < rows.size(); ++r) {
    if (static_cast<int64_t>(rows[r].size()) != columns) {
      return InvalidArgumentError(std::string("EncoderBatch.") + field + "[" + std::to_string(r) +
                                  "]: " + std::to_string(rows[r].size()) + " entries, expected " +
                                  std::to_string(columns));
    }
    std::copy(rows[r].begin(), rows[r].end(), p + r * columns);
  }
  return out;
}

}  // namespace

AutocastScope::AutocastScope(std::optional<at::ScalarType> dtype) {
  if (!dtype) return;
  active_ = true;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  was_enabled_ = at::autocast::is_autocast_enabled(at::kCUDA);
  at::autocast::set_autocast_dtype(at::kCUDA, *dtype);
  at::autocast::set_autocast_enabled(at::kCUDA, true);
#else
  was_enabled_ = at::autocast::is_enabled();
  at::autocast::set_autocast_gpu_dtype(*dtype);
  at::autocast::set_enabled(true);
#endif
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  // Autocast caches the low-precision copies of the weights for the scope: drop them, the
  // weights change at the next optimiser step.
  at::autocast::clear_cache();
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  at::autocast::set_autocast_enabled(at::kCUDA, was_enabled_);
#else
  at::autocast::set_enabled(was_enabled_);
#endif
}

StatusOr<EncoderClassifier::Impl::BatchTensors> EncoderClassifier::Impl::ToTensors(
    const EncoderBatch& batch) const {
  if (batch.input_ids.empty() || batch.input_ids[0].empty()) {
    return InvalidArgumentError("EncoderBatch: empty batch");
  }
  const int64_t T = static_cast<int64_t>(batch.input_ids[0].size());
  if (config.max_position_embeddings > 0) {
    const int64_t limit = config.max_position_embeddings -
                          (config.family == EncoderFamily::kRoberta ? config.pad_token_id + 1 : 0);
    if (T > limit) {
      return InvalidArgumentError("EncoderBatch: " + std::to_string(T) +
                                  " tokens, but the model has positions for " +
                                  std::to_string(limit) + " (lower max_length)");
    }
  }
  BatchTensors out;
  AUGSWEEP_ASSIGN_OR_RETURN(out.ids, Matrix(batch.input_ids, "input_ids", T));
  if (batch.attention_mask.size() != batch.input_ids.size()) {
    return InvalidArgumentError(
        "EncoderBatch.attention_mask: " + std::to_string(batch.attention_mask.size()) +
        " rows, expected " + std::to_string(batch.input_ids.size()));
  }
  AUGSWEEP_ASSIGN_OR_RETURN(out.mask, Matrix(batch.attention_mask, "attention_mask", T));
  if (out.ids.min().item<int64_t>() < 0 || out.ids.max().item<int64_t>() >= config.vocab_size) {
    return InvalidArgumentError("EncoderBatch.input_ids: ids must be in [0, " +
                                std::to_string(config.vocab_size) + ")");
  }
  const bool has_types =
      config.family == EncoderFamily::kBert || config.family == EncoderFamily::kXlnet;
  if (has_types && !batch.token_type_ids.empty()) {
    if (batch.token_type_ids.size() != batch.input_ids.size()) {
      return InvalidArgumentError("EncoderBatch.token_type_ids: wrong number of rows");
    }
    AUGSWEEP_ASSIGN_OR_RETURN(out.token_types, Matrix(batch.token_type_ids, "token_type_ids", T));
    if (config.family == EncoderFamily::kBert &&
        out.token_types.max().item<int64_t>() >= config.type_vocab_size) {
      return InvalidArgumentError("EncoderBatch.token_type_ids: types must be below " +
                                  std::to_string(config.type_vocab_size));
    }
    out.token_types = out.token_types.to(device);
  } else if (config.family == EncoderFamily::kXlnet) {
    out.token_types = at::zeros({out.ids.size(0), T}, at::kLong).to(device);
  }
  out.ids = out.ids.to(device);
  out.mask = out.mask.to(device);
  return out;
}

StatusOr<at::Tensor> EncoderClassifier::Impl::LabelTensor(
    const std::vector<std::vector<float>>& labels, int64_t batch_size) const {
  if (static_cast<int64_t>(labels.size()) != batch_size) {
    return InvalidArgumentError("labels: " + std::to_string(labels.size()) + " rows, expected " +
                                std::to_string(batch_size));
  }
  at::Tensor out = at::empty({batch_size, config.num_labels}, at::kFloat);
  float* p = out.data_ptr<float>();
  for (size_t r = 0; r < labels.size(); ++r) {
    if (static_cast<int>(labels[r].size()) != config.num_labels) {
      return InvalidArgumentError("labels[" + std::to_string(r) +
                                  "]: " + std::to_string(labels[r].size()) + " values, expected " +
                                  std::to_string(config.num_labels));
    }
    std::copy(labels[r].begin(), labels[r].end(), p + r * config.num_labels);
  }
  return out.to(device);
}

at::Tensor EncoderClassifier::Impl::Logits(const BatchTensors& batch, at::Generator* dropout,
                                           std::vector<at::Tensor>* hidden) const {
  AutocastScope scope(autocast);
  return network->Forward(batch.ids, batch.mask, batch.token_types, dropout, hidden).to(at::kFloat);
}

int EncoderClassifier::Impl::FindParameter(const std::string& name) const {
  const auto& params = network->parameters();
  for (size_t i = 0; i < params.size(); ++i) {
    if (params[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

EncoderClassifier::EncoderClassifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EncoderClassifier::~EncoderClassifier() = default;

const EncoderConfig& EncoderClassifier::config() const { return impl_->config; }
const std::vector<std::string>& EncoderClassifier::head_initialised() const {
  return impl_->head_initialised;
}

StatusOr<std::unique_ptr<EncoderClassifier>> EncoderClassifier::Load(
    const std::string& model_dir, const EncoderLoadOptions& options) {
  return GuardTorch(
      model_dir + ": EncoderClassifier::Load",
      [&]() -> StatusOr<std::unique_ptr<EncoderClassifier>> {
        auto impl = std::make_unique<Impl>();
        AUGSWEEP_ASSIGN_OR_RETURN(impl->config, ReadEncoderConfig(model_dir));
        AUGSWEEP_ASSIGN_OR_RETURN(impl->device,
                                  ParseDevice(options.device, "EncoderLoadOptions.device"));
        AUGSWEEP_ASSIGN_OR_RETURN(
            at::ScalarType autocast,
            ParseDtype(options.autocast_dtype, "EncoderLoadOptions.autocast_dtype"));
        if (autocast != at::kFloat) {
          if (!impl->device.is_cuda()) {
            return InvalidArgumentError("EncoderLoadOptions.autocast_dtype: \"" +
                                        options.autocast_dtype +
                                        "\" needs a CUDA device; the CPU trains in float32");
          }
          impl->autocast = autocast;
        }
        if (options.threads < 0) {
          return InvalidArgumentError("EncoderLoadOptions.threads: expected >= 0, got " +
                                      std::to_string(options.threads));
        }
        if (impl->device.is_cpu()) {
          const unsigned hw = std::thread::hardware_concurrency();
          at::set_num_threads(options.threads > 0 ? options.threads
                                                  : static_cast<int>(hw ? hw : 1));
        }
        if (options.num_labels < 0) {
          return InvalidArgumentError("EncoderLoadOptions.num_labels: expected >= 0");
        }
        if (options.num_labels > 0) impl->config.num_labels = options.num_labels;

        AUGSWEEP_ASSIGN_OR_RETURN(std::unique_ptr<Checkpoint> checkpoint,
                                  Checkpoint::Open(model_dir));
        encoder_internal::WeightSource weights(*checkpoint, BasePrefix(impl->config.family),
                                               impl->device, options.head_init_seed,
                                               impl->config.initializer_range);
        if (impl->config.family == EncoderFamily::kXlnet) {
          AUGSWEEP_ASSIGN_OR_RETURN(impl->network,
                                    encoder_internal::BuildXlnetNetwork(impl->config, weights));
        } else {
          AUGSWEEP_ASSIGN_OR_RETURN(
              impl->network, encoder_internal::BuildBertFamilyNetwork(impl->config, weights));
        }
        impl->head_initialised = weights.initialised();
        return std::unique_ptr<EncoderClassifier>(new EncoderClassifier(std::move(impl)));
      });
}

StatusOr<EncoderBatch> EncoderClassifier::Pad(const std::vector<EncodedText>& examples) const {
  return GuardTorch("EncoderClassifier::Pad", [&]() -> StatusOr<EncoderBatch> {
    const EncoderConfig& c = impl_->config;
    size_t longest = 0;
    for (const EncodedText& e : examples) longest = std::max(longest, e.ids.size());
    if (examples.empty() || longest == 0) return InvalidArgumentError("Pad: no tokens to pad");
    const bool left = c.family == EncoderFamily::kXlnet;
    const int32_t pad_type = left ? kXlnetPadTokenType : 0;
    EncoderBatch batch;
    for (size_t i = 0; i < examples.size(); ++i) {
      const EncodedText& e = examples[i];
      if (!e.token_types.empty() && e.token_types.size() != e.ids.size()) {
        return InvalidArgumentError("Pad: example " + std::to_string(i) + " has " +
                                    std::to_string(e.ids.size()) + " ids but " +
                                    std::to_string(e.token_types.size()) + " token types");
      }
      const size_t pad = longest - e.ids.size();
      std::vector<int32_t> ids(pad, c.pad_token_id), mask(pad, 0), types(pad, pad_type);
      std::vector<int32_t> real_types = e.token_types;
      if (real_types.empty()) real_types.assign(e.ids.size(), 0);
      if (left) {
        ids.insert(ids.end(), e.ids.begin(), e.ids.end());
        mask.insert(mask.end(), e.ids.size(), 1);
        types.insert(types.end(), real_types.begin(), real_types.end());
      } else {
        ids.insert(ids.begin(), e.ids.begin(), e.ids.end());
        mask.insert(mask.begin(), e.ids.size(), 1);
        // transformers pads token types with 0 for BERT.
        types.assign(real_types.begin(), real_types.end());
        types.resize(longest, 0);
      }
      batch.input_ids.push_back(std::move(ids));
      batch.attention_mask.push_back(std::move(mask));
      batch.token_type_ids.push_back(std::move(types));
    }
    return batch;
  });
}

StatusOr<std::vector<float>> EncoderClassifier::Forward(
    const EncoderBatch& batch, std::vector<std::vector<float>>* hidden_states) {
  return GuardTorch("EncoderClassifier::Forward", [&]() -> StatusOr<std::vector<float>> {
    AUGSWEEP_ASSIGN_OR_RETURN(Impl::BatchTensors tensors, impl_->ToTensors(batch));
    c10::NoGradGuard no_grad;
    std::vector<at::Tensor> hidden;
    at::Tensor logits = impl_->Logits(tensors, nullptr, hidden_states ? &hidden : nullptr);
    if (hidden_states) {
      hidden_states->clear();
      for (const at::Tensor& h : hidden) hidden_states->push_back(ToFloats(h));
    }
    return ToFloats(logits);
  });
}

StatusOr<std::vector<std::vector<float>>> EncoderClassifier::Predict(
    const std::vector<EncodedText>& examples, int batch_size,
    const std::function<bool()>& cancelled) {
  return GuardTorch(
      "EncoderClassifier::Predict", [&]() -> StatusOr<std::vector<std::vector<float>>> {
        if (batch_size < 1) return InvalidArgumentError("Predict: batch_size must be >= 1");
        std::vector<size_t> order(examples.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
          return examples[a].ids.size() < examples[b].ids.size();
        });
        std::vector<std::vector<float>> out(examples.size());
        c10::NoGradGuard no_grad;
        for (size_t start = 0; start < order.size(); start += batch_size) {
          if (cancelled && cancelled()) return CancelledError("prediction cancelled");
          const size_t end = std::min(order.size(), start + static_cast<size_t>(batch_size));
          std::vector<EncodedText> chunk;
          for (size_t i = start; i < end; ++i) chunk.push_back(examples[order[i]]);
          AUGSWEEP_ASSIGN_OR_RETURN(EncoderBatch batch, Pad(chunk));
          AUGSWEEP_ASSIGN_OR_RETURN(Impl::BatchTensors tensors, impl_->ToTensors(batch));
          const std::vector<float> probs =
              ToFloats(at::sigmoid(impl_->Logits(tensors, nullptr, nullptr)));
          const int labels = impl_->config.num_labels;
          for (size_t i = start; i < end; ++i) {
            const float* row = probs.data() + (i - start) * labels;
            out[order[i]].assign(row, row + labels);
          }
        }
        return out;
      });
}

StatusOr<float> EncoderClassifier::LossAndGradients(const EncoderBatch& batch,
                                                    const std::vector<std::vector<float>>& labels) {
  return GuardTorch("EncoderClassifier::LossAndGradients", [&]() -> StatusOr<float> {
    AUGSWEEP_ASSIGN_OR_RETURN(Impl::BatchTensors tensors, impl_->ToTensors(batch));
    AUGSWEEP_ASSIGN_OR_RETURN(at::Tensor targets, impl_->LabelTensor(labels, tensors.ids.size(0)));
    for (Parameter& p : impl_->network->parameters()) p.value.mutable_grad() = at::Tensor();
    at::Tensor logits = impl_->Logits(tensors, nullptr, nullptr);
    at::Tensor loss = at::binary_cross_entropy_with_logits(logits, targets);
    loss.backward();
    return loss.item<float>();
  });
}

StatusOr<std::map<std::string, double>> EncoderClassifier::GradientNorms() const {
  return GuardTorch("EncoderClassifier::GradientNorms",
                    [&]() -> StatusOr<std::map<std::string, double>> {
                      std::map<std::string, double> out;
                      for (const Parameter& p : impl_->network->parameters()) {
                        if (p.value.grad().defined())
                          out[p.name] = p.value.grad().norm().item<double>();
                      }
                      return out;
                    });
}

StatusOr<std::vector<float>> EncoderClassifier::ParameterValues(const std::string& name) const {
  return GuardTorch("EncoderClassifier::ParameterValues", [&]() -> StatusOr<std::vector<float>> {
    const int i = impl_->FindParameter(name);
    if (i < 0) return NotFoundError("no parameter named \"" + name + "\"");
    return ToFloats(impl_->network->parameters()[i].value);
  });
}

StatusOr<std::vector<float>> EncoderClassifier::GradientValues(const std::string& name) const {
  return GuardTorch("EncoderClassifier::GradientValues", [&]() -> StatusOr<std::vector<float>> {
    const int i = impl_->FindParameter(name);
    if (i < 0) return NotFoundError("no parameter named \"" + name + "\"");
    const at::Tensor& grad = impl_->network->parameters()[i].value.grad();
    if (!grad.defined()) return FailedPreconditionError("\"" + name + "\" has no gradient");
    return ToFloats(grad);
  });
}

std::vector<std::string> EncoderClassifier::HeadParameterNames() const {
  std::vector<std::string> out;
  for (const Parameter& p : impl_->network->parameters()) {
    if (p.in_head) out.push_back(p.name);
  }
  return out;
}

}  // namespace augsweep
