// The LLaMA decoder's math and loading, following transformers' modeling_llama.py: RMSNorm in
// float32, rotary embeddings with the rotate_half convention (the layout of HF checkpoints),
// grouped-query attention with an additive mask and a float32 softmax, SwiGLU MLP.
// Only narrow ATen headers are included: <ATen/ATen.h> alone costs ~18 s of compile time here.
#include <ATen/Parallel.h>
#include <ATen/core/Tensor.h>
#include <ATen/ops/arange.h>
#include <ATen/ops/cat.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/linear.h>
#include <ATen/ops/matmul.h>
#include <ATen/ops/mv.h>
#include <ATen/ops/ones.h>
#include <ATen/ops/pow.h>
#include <ATen/ops/silu.h>
#include <ATen/ops/softmax.h>
#include <ATen/ops/where.h>
#include <ATen/ops/zeros.h>
#include <c10/core/InferenceMode.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <numbers>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#if TORCH_VERSION_MAJOR >= 2
#include <ATen/ops/scaled_dot_product_attention.h>
#endif

#include "common/safetensors/checkpoint.h"
#include "common/safetensors/torch_bridge.h"
#include "worker/runtime/cpu_decode_attention.h"
#include "worker/runtime/cpu_linear.h"
#include "worker/runtime/llama_impl.h"
#include "worker/runtime/torch_device.h"
#include "worker/runtime/torch_guard.h"

namespace augsweep {
namespace {

using llama_internal::CacheUse;
using llama_internal::LayerWeights;

// Rotary table rows computed up front; more are added when a longer sequence comes.
constexpr int64_t kInitialRopePositions = 4096;
// CPU decode attention by broadcasting materialises [n, heads, keys, head_dim]; above this many
// elements (32 MB in float32: long contexts, big batches) it uses the matmuls.
constexpr int64_t kBroadcastAttentionMaxElements = int64_t{8} << 20;

std::string ShapeString(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

at::Tensor Linear(const at::Tensor& x, const at::Tensor& w, const at::Tensor& bias) {
  if (x.is_cpu()) {
    // Decode steps multiply a few rows (one per sequence) by every weight: BLAS GEMMs stream the
    // weights several times slower there than the memory allows, and decode is weight-bound
    // (cpu_linear.h). float32 goes to our kernel, one row otherwise to a matrix-vector product.
    const int64_t rows = x.numel() / x.size(-1);
    std::vector<int64_t> shape = x.sizes().vec();
    shape.back() = w.size(0);
    at::Tensor y = llama_internal::SmallBatchLinear(x.reshape({rows, x.size(-1)}), w, bias);
    if (y.defined()) return y.view(shape);
    if (rows == 1) {
      y = at::mv(w, x.reshape({-1}));
      if (bias.defined()) y.add_(bias);
      return y.view(shape);
    }
  }
  return bias.defined() ? at::linear(x, w, bias) : at::linear(x, w);
}

// transformers' LlamaRMSNorm: normalise in float32, cast back, then scale.
at::Tensor RmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps) {
  at::Tensor xf = x.to(at::kFloat);
  at::Tensor variance = xf.pow(2).mean({-1}, /*keepdim=*/true);
  xf = xf.mul(variance.add(eps).rsqrt());
  return weight.mul(xf.to(x.scalar_type()));
}

// x [n, heads, T, d] rotated by cos/sin [n, 1, T, d]: x * cos + rotate_half(x) * sin, where
// rotate_half(x) = [-x2, x1] for the halves x1, x2 of the last dimension.
at::Tensor ApplyRope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  const int64_t half = x.size(-1) / 2;
  at::Tensor rotated = at::cat({x.narrow(-1, half, half).neg(), x.narrow(-1, 0, half)}, -1);
  return x.mul(cos).add(rotated.mul(sin));
}

// q [n, H, T, d], keys/values [n, KVH, Lk, d], mask additive [n or 1, 1, T, Lk] -> [n, T, H * d].
// Query head h uses key/value head h / (H / KVH), as transformers' repeat_kv arranges them.
at::Tensor Attention(const at::Tensor& q, const at::Tensor& keys, const at::Tensor& values,
                     const at::Tensor& mask) {
  const int64_t n = q.size(0), heads = q.size(1), t = q.size(2), d = q.size(3);
  const int64_t kv_heads = keys.size(1), key_len = keys.size(2);
  const int64_t group = heads / kv_heads;
#if TORCH_VERSION_MAJOR >= 2
  // Fused attention saves the [T, Lk] score matrix per head when many queries are processed at
  // once. For single-token decode the grouped matmuls below avoid copying K/V per query head.
  if (t > 1) {
    at::Tensor k = keys, v = values;
    if (group > 1) {
      k = keys.unsqueeze(2)
              .expand({n, kv_heads, group, key_len, d})
              .reshape({n, heads, key_len, d});
      v = values.unsqueeze(2)
              .expand({n, kv_heads, group, key_len, d})
              .reshape({n, heads, key_len, d});
    }
    at::Tensor out = at::scaled_dot_product_attention(q, k, v, mask);
    return out.transpose(1, 2).reshape({n, t, heads * d});
  }
#endif
  if (t == 1 && q.is_cpu() && n * heads * key_len * d <= kBroadcastAttentionMaxElements) {
    // Single-token decode on the CPU. The matmuls below become one BLAS call per (sequence, kv
    // head) on tiny matrices (12 per layer at batch 1, 384 at batch 32) whose fixed cost
    // dominates; a broadcast multiply and a sum do the same arithmetic in one vectorised op
    // each: 3-4x faster at batch 8-32 with 2 threads (1.3 of 15 ms per step at batch 32).
    at::Tensor scores = q.reshape({n, kv_heads, group, 1, d}).mul(keys.unsqueeze(2)).sum(-1);
    scores.div_(std::sqrt(static_cast<double>(d)));
    scores.add_(mask.view({mask.size(0), 1, 1, key_len}));  // [n, KVH, G, Lk]
    at::Tensor probs = at::softmax(scores, -1, at::kFloat).to(q.scalar_type());
    at::Tensor out = probs.unsqueeze(-1).mul(values.unsqueeze(2)).sum(-2);  // [n, KVH, G, d]
    return out.reshape({n, 1, heads * d});
  }
  // Grouped: the G query heads sharing a kv head become G*T rows of one matmul, no K/V copies.
  at::Tensor grouped_q = q.reshape({n, kv_heads, group * t, d});
  at::Tensor scores = at::matmul(grouped_q, keys.transpose(2, 3));
  scores.div_(std::sqrt(static_cast<double>(d)));
  scores.view({n, kv_heads, group, t, key_len}).add_(mask.unsqueeze(2));
  at::Tensor probs = at::softmax(scores, -1, at::kFloat).to(q.scalar_type());
  at::Tensor out = at::matmul(probs, values);  // [n, KVH, G*T, d]
  return out.view({n, heads, t, d}).transpose(1, 2).reshape({n, t, heads * d});
}

// The second half of a layer: RMSNorm, SwiGLU MLP, residual.
at::Tensor FeedForward(const LlamaConfig& c, const LayerWeights& w, const at::Tensor& x) {
  at::Tensor h = RmsNorm(x, w.post_norm, c.rms_norm_eps);
  at::Tensor gate_up = Linear(h, w.gate_up, w.gate_up_bias);
  const int64_t inter = c.intermediate_size;
  at::Tensor act = at::silu(gate_up.narrow(2, 0, inter)).mul(gate_up.narrow(2, inter, inter));
  return x.add(Linear(act, w.down, w.down_bias));
}

at::Tensor DecoderLayer(const LlamaConfig& c, const LayerWeights& w, size_t layer, at::Tensor x,
                        const at::Tensor& cos, const at::Tensor& sin, const at::Tensor& mask,
                        const CacheUse& cache_use) {
  const int64_t n = x.size(0), t = x.size(1);
  const int64_t heads = c.num_heads, kv_heads = c.num_kv_heads, d = c.head_dim;

  at::Tensor h = RmsNorm(x, w.input_norm, c.rms_norm_eps);
  at::Tensor qkv = Linear(h, w.qkv, w.qkv_bias);
  if (cache_use.kind == CacheUse::kDecode) {
    at::Tensor attn = llama_internal::FusedDecodeAttention(
        qkv, cos, sin, cache_use.cache->k[layer], cache_use.cache->v[layer], cache_use.columns,
        cache_use.key_length, mask, heads, kv_heads, d);
    if (attn.defined()) return FeedForward(c, w, x.add(Linear(attn, w.o, w.o_bias)));
  }
  at::Tensor q = qkv.narrow(2, 0, heads * d).view({n, t, heads, d}).transpose(1, 2);
  at::Tensor k = qkv.narrow(2, heads * d, kv_heads * d).view({n, t, kv_heads, d}).transpose(1, 2);
  at::Tensor v =
      qkv.narrow(2, (heads + kv_heads) * d, kv_heads * d).view({n, t, kv_heads, d}).transpose(1, 2);
  q = ApplyRope(q, cos, sin);
  k = ApplyRope(k, cos, sin);

  at::Tensor keys = k, values = v;
  if (cache_use.kind == CacheUse::kPrefill) {
    cache_use.cache->k[layer].narrow(0, cache_use.first_slot, n).narrow(2, 0, t).copy_(k);
    cache_use.cache->v[layer].narrow(0, cache_use.first_slot, n).narrow(2, 0, t).copy_(v);
  } else if (cache_use.kind == CacheUse::kDecode) {
    at::Tensor k_rows = cache_use.cache->k[layer].narrow(0, 0, n);
    at::Tensor v_rows = cache_use.cache->v[layer].narrow(0, 0, n);
    k_rows.scatter_(2, cache_use.write_columns, k);
    v_rows.scatter_(2, cache_use.write_columns, v);
    keys = k_rows.narrow(2, 0, cache_use.key_length);
    values = v_rows.narrow(2, 0, cache_use.key_length);
  }
  at::Tensor attn = Attention(q, keys, values, mask);
  return FeedForward(c, w, x.add(Linear(attn, w.o, w.o_bias)));
}

// Inverse rotary frequencies in float32, computed with the same tensor ops as transformers so
// the tables match its values bit for bit.
at::Tensor InverseFrequencies(const LlamaConfig& c) {
  const int64_t d = c.head_dim;
  at::Tensor exponent = at::arange(0, d, 2, at::TensorOptions().dtype(at::kLong))
                            .to(at::kFloat)
                            .div(static_cast<double>(d));
  at::Tensor inv_freq = at::pow(c.rope_theta, exponent).reciprocal();
  if (!c.rope_scaling) return inv_freq;
  const RopeScaling& s = *c.rope_scaling;
  if (s.type == "linear") return inv_freq.div(s.factor);
  // llama3: keep high frequencies, divide low ones by factor, interpolate the band between.
  const double old_context = s.original_max_position_embeddings;
  const double low_freq_wavelen = old_context / s.low_freq_factor;
  const double high_freq_wavelen = old_context / s.high_freq_factor;
  // (Tensor methods rather than operators: <ATen/TensorOperators.h> pulls in all of ATen.)
  at::Tensor wavelen = inv_freq.reciprocal().mul(2 * std::numbers::pi);
  at::Tensor scaled = at::where(wavelen.gt(low_freq_wavelen), inv_freq.div(s.factor), inv_freq);
  at::Tensor smooth = wavelen.reciprocal()
                          .mul(old_context)
                          .sub(s.low_freq_factor)
                          .div(s.high_freq_factor - s.low_freq_factor);
  at::Tensor smoothed = smooth.neg().add(1).mul(scaled).div(s.factor).add(smooth.mul(scaled));
  at::Tensor medium = wavelen.ge(high_freq_wavelen).logical_and(wavelen.le(low_freq_wavelen));
  return at::where(medium, smoothed, scaled);
}

at::Tensor Long2D(const std::vector<std::vector<int32_t>>& rows) {
  const int64_t n = static_cast<int64_t>(rows.size());
  const int64_t t = n ? static_cast<int64_t>(rows[0].size()) : 0;
  at::Tensor out = at::empty({n, t}, at::TensorOptions().dtype(at::kLong));
  int64_t* p = out.data_ptr<int64_t>();
  for (const auto& row : rows) p = std::copy(row.begin(), row.end(), p);
  return out;
}

std::vector<float> ToFloats(const at::Tensor& t) {
  at::Tensor cpu = t.to(at::kCPU, at::kFloat).contiguous();
  const float* p = cpu.data_ptr<float>();
  return std::vector<float>(p, p + cpu.numel());
}

Status CheckBatch(const std::vector<std::vector<int32_t>>& rows, const std::string& name,
                  size_t batch, size_t length) {
  if (rows.size() != batch) {
    return InvalidArgumentError("Forward: " + name + " has " + std::to_string(rows.size()) +
                                " rows, expected " + std::to_string(batch));
  }
  for (size_t b = 0; b < rows.size(); ++b) {
    if (rows[b].size() != length) {
      return InvalidArgumentError("Forward: " + name + "[" + std::to_string(b) + "] has " +
                                  std::to_string(rows[b].size()) + " entries, expected " +
                                  std::to_string(length) + " (all rows of a batch are one length)");
    }
  }
  return OkStatus();
}

// Reads tensors of a checkpoint after checking their shapes against the config.
class WeightReader {
 public:
  WeightReader(const Checkpoint& checkpoint, at::Device device, at::ScalarType dtype)
      : checkpoint_(checkpoint), device_(device), dtype_(dtype) {}

  StatusOr<at::Tensor> Read(const std::string& name, const std::vector<int64_t>& shape) const {
    const CheckpointTensor* t = checkpoint_.Find(name);
    if (t == nullptr) {
      return InvalidArgumentError(checkpoint_.folder() + ": tensor \"" + name +
                                  "\" is missing (expected shape " + ShapeString(shape) +
                                  " from config.json)");
    }
    if (t->info->shape != shape) {
      return InvalidArgumentError(t->file->path() + ": tensor \"" + name + "\" has shape " +
                                  ShapeString(t->info->shape) + ", expected " + ShapeString(shape) +
                                  " from config.json");
    }
    AUGSWEEP_ASSIGN_OR_RETURN(at::Tensor cpu, LoadTensor(*t->file, *t->info));
    return cpu.to(device_, dtype_);
  }

  bool Has(const std::string& name) const { return checkpoint_.Find(name) != nullptr; }

 private:
  const Checkpoint& checkpoint_;
  at::Device device_;
  at::ScalarType dtype_;
};

// Reads q/k/v (or gate/up) and stacks them into one matrix (and the biases into one vector).
StatusOr<at::Tensor> ReadStacked(const WeightReader& r, const std::vector<std::string>& names,
                                 const std::vector<std::vector<int64_t>>& shapes) {
  std::vector<at::Tensor> parts;
  for (size_t i = 0; i < names.size(); ++i) {
    AUGSWEEP_ASSIGN_OR_RETURN(at::Tensor part, r.Read(names[i], shapes[i]));
    parts.push_back(std::move(part));
  }
  return at::cat(parts, 0);
}

StatusOr<llama_internal::Weights> ReadWeights(const LlamaConfig& c, const WeightReader& r) {
  const int64_t vocab = c.vocab_size, hidden = c.hidden_size, inter = c.intermediate_size;
  const int64_t q_dim = int64_t{c.num_heads} * c.head_dim;
  const int64_t kv_dim = int64_t{c.num_kv_heads} * c.head_dim;
  llama_internal::Weights w;
  AUGSWEEP_ASSIGN_OR_RETURN(w.embed, r.Read("model.embed_tokens.weight", {vocab, hidden}));
  for (int i = 0; i < c.num_layers; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    const std::string attn = p + "self_attn.", mlp = p + "mlp.";
    LayerWeights l;
    AUGSWEEP_ASSIGN_OR_RETURN(l.input_norm, r.Read(p + "input_layernorm.weight", {hidden}));
    AUGSWEEP_ASSIGN_OR_RETURN(
        l.qkv,
        ReadStacked(r, {attn + "q_proj.weight", attn + "k_proj.weight", attn + "v_proj.weight"},
                    {{q_dim, hidden}, {kv_dim, hidden}, {kv_dim, hidden}}));
    if (c.attention_bias) {
      AUGSWEEP_ASSIGN_OR_RETURN(
          l.qkv_bias,
          ReadStacked(r, {attn + "q_proj.bias", attn + "k_proj.bias", attn + "v_proj.bias"},
                      {{q_dim}, {kv_dim}, {kv_dim}}));
    }
    AUGSWEEP_ASSIGN_OR_RETURN(l.o, r.Read(attn + "o_proj.weight", {hidden, q_dim}));
    if (c.attention_output_bias) {
      AUGSWEEP_ASSIGN_OR_RETURN(l.o_bias, r.Read(attn + "o_proj.bias", {hidden}));
    }
    AUGSWEEP_ASSIGN_OR_RETURN(l.post_norm, r.Read(p + "post_attention_layernorm.weight", {hidden}));
    AUGSWEEP_ASSIGN_OR_RETURN(l.gate_up,
                              ReadStacked(r, {mlp + "gate_proj.weight", mlp + "up_proj.weight"},
                                          {{inter, hidden}, {inter, hidden}}));
    AUGSWEEP_ASSIGN_OR_RETURN(l.down, r.Read(mlp + "down_proj.weight", {hidden, inter}));
    if (c.mlp_bias) {
      AUGSWEEP_ASSIGN_OR_RETURN(
          l.gate_up_bias,
          ReadStacked(r, {mlp + "gate_proj.bias", mlp + "up_proj.bias"}, {{inter}, {inter}}));
      AUGSWEEP_ASSIGN_OR_RETURN(l.down_bias, r.Read(mlp + "down_proj.bias", {hidden}));
    }
    w.layers.push_back(std::move(l));
  }
  AUGSWEEP_ASSIGN_OR_RETURN(w.norm, r.Read("model.norm.weight", {hidden}));
  if (c.tie_word_embeddings) {
    // transformers ties lm_head to the embeddings even when a copy is stored; so do we.
    w.lm_head = w.embed;
  } else {
    AUGSWEEP_ASSIGN_OR_RETURN(w.lm_head, r.Read("lm_head.weight", {vocab, hidden}));
  }
  return w;
}

}  // namespace

double LlamaModel::Impl::MaskValue() const {
  switch (dtype) {
    case at::kHalf:
      return -65504.0;
    case at::kBFloat16:
      return -3.38953138925153547590470800371487866880e+38;
    default:
      return -static_cast<double>(std::numeric_limits<float>::max());
  }
}

void LlamaModel::Impl::EnsureRope(int64_t positions) {
  const int64_t have = rope_cos.defined() ? rope_cos.size(0) : 0;
  if (have >= positions) return;
  // A row depends only on its position, so growing the table (doubling, to amortise) changes no
  // value; starting small spares memory for configs that declare 128K positions.
  const int64_t n = std::max({positions, 2 * have, kInitialRopePositions});
  at::Tensor freqs =
      at::arange(n, at::TensorOptions().dtype(at::kFloat)).outer(InverseFrequencies(config));
  at::Tensor angles = at::cat({freqs, freqs}, -1);  // [n, head_dim]
  rope_cos = angles.cos().to(device, dtype);
  rope_sin = angles.sin().to(device, dtype);
}

at::Tensor LlamaModel::Impl::Embed(const at::Tensor& ids) const {
  return weights.embed.index_select(0, ids.reshape({-1}))
      .view({ids.size(0), ids.size(1), config.hidden_size});
}

at::Tensor LlamaModel::Impl::Layers(at::Tensor x, const at::Tensor& positions,
                                    const at::Tensor& mask, const CacheUse& cache_use,
                                    std::vector<at::Tensor>* hidden) const {
  const int64_t n = positions.size(0), t = positions.size(1), d = config.head_dim;
  at::Tensor flat = positions.reshape({-1});
  at::Tensor cos = rope_cos.index_select(0, flat).view({n, 1, t, d});
  at::Tensor sin = rope_sin.index_select(0, flat).view({n, 1, t, d});
  for (size_t i = 0; i < weights.layers.size(); ++i) {
    if (hidden) hidden->push_back(x);
    x = DecoderLayer(config, weights.layers[i], i, x, cos, sin, mask, cache_use);
  }
  at::Tensor out = RmsNorm(x, weights.norm, config.rms_norm_eps);
  if (hidden) hidden->push_back(out);
  return out;
}

at::Tensor LlamaModel::Impl::Logits(const at::Tensor& h) const {
  return Linear(h, weights.lm_head, at::Tensor()).to(at::kFloat);
}

LlamaModel::LlamaModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LlamaModel::~LlamaModel() = default;

const LlamaConfig& LlamaModel::config() const { return impl_->config; }

StatusOr<std::unique_ptr<LlamaModel>> LlamaModel::Load(const std::string& model_dir,
                                                       const LoadOptions& options) {
  return GuardTorch(
      model_dir + ": LlamaModel::Load", [&]() -> StatusOr<std::unique_ptr<LlamaModel>> {
        AUGSWEEP_ASSIGN_OR_RETURN(LlamaConfig config, ReadLlamaConfig(model_dir));
        AUGSWEEP_ASSIGN_OR_RETURN(at::ScalarType dtype,
                                  ParseDtype(options.dtype, "LoadOptions.dtype"));
        AUGSWEEP_ASSIGN_OR_RETURN(at::Device device,
                                  ParseDevice(options.device, "LoadOptions.device"));
        if (device.is_cpu() && dtype == at::kHalf) {
          return InvalidArgumentError(
              "LoadOptions.dtype: float16 is not supported on the CPU "
              "(use float32 or bfloat16)");
        }
        if (options.threads < 0) {
          return InvalidArgumentError("LoadOptions.threads: expected >= 0, got " +
                                      std::to_string(options.threads));
        }
        AUGSWEEP_ASSIGN_OR_RETURN(std::unique_ptr<Checkpoint> checkpoint,
                                  Checkpoint::Open(model_dir));
        const unsigned hw = std::thread::hardware_concurrency();
        at::set_num_threads(options.threads > 0 ? options.threads : static_cast<int>(hw ? hw : 1));
        c10::InferenceMode inference;
        auto impl = std::make_unique<Impl>();
        impl->config = std::move(config);
        impl->device = device;
        impl->dtype = dtype;
        WeightReader reader(*checkpoint, device, dtype);
        AUGSWEEP_ASSIGN_OR_RETURN(impl->weights, ReadWeights(impl->config, reader));
        impl->EnsureRope(
            std::min<int64_t>(impl->config.max_position_embeddings, kInitialRopePositions));
        return std::unique_ptr<LlamaModel>(new LlamaModel(std::move(impl)));
      });
}

StatusOr<std::vector<float>> LlamaModel::Forward(
    const std::vector<std::vector<int32_t>>& ids,
    const std::vector<std::vector<int32_t>>& attention_mask,
    const std::vector<std::vector<int32_t>>& position_ids,
    std::vector<std::vector<float>>* hidden_states) {
  return GuardTorch("LlamaModel::Forward", [&]() -> StatusOr<std::vector<float>> {
    const LlamaConfig& c = impl_->config;
    if (ids.empty() || ids[0].empty()) {
      return InvalidArgumentError("Forward: ids must have at least one row and one column");
    }
    const size_t batch = ids.size(), length = ids[0].size();
    AUGSWEEP_RETURN_IF_ERROR(CheckBatch(ids, "ids", batch, length));
    AUGSWEEP_RETURN_IF_ERROR(CheckBatch(attention_mask, "attention_mask", batch, length));
    AUGSWEEP_RETURN_IF_ERROR(CheckBatch(position_ids, "position_ids", batch, length));
    int32_t max_position = 0;
    for (size_t b = 0; b < batch; ++b) {
      for (size_t i = 0; i < length; ++i) {
        const std::string where = "[" + std::to_string(b) + "][" + std::to_string(i) + "]";
        if (ids[b][i] < 0 || ids[b][i] >= c.vocab_size) {
          return InvalidArgumentError("Forward: ids" + where + " = " + std::to_string(ids[b][i]) +
                                      " is outside the vocabulary [0, " +
                                      std::to_string(c.vocab_size) + ")");
        }
        if (attention_mask[b][i] != 0 && attention_mask[b][i] != 1) {
          return InvalidArgumentError("Forward: attention_mask" + where + " = " +
                                      std::to_string(attention_mask[b][i]) + ", expected 0 or 1");
        }
        if (position_ids[b][i] < 0) {
          return InvalidArgumentError("Forward: position_ids" + where + " = " +
                                      std::to_string(position_ids[b][i]) + ", expected >= 0");
        }
        max_position = std::max(max_position, position_ids[b][i]);
      }
    }
    c10::InferenceMode inference;
    Impl& m = *impl_;
    const int64_t t = static_cast<int64_t>(length);
    at::Tensor ids_t = Long2D(ids).to(m.device);
    at::Tensor positions = Long2D(position_ids).to(m.device);
    // Key j is visible to query i when j <= i, the key is not padding, and (sliding window)
    // j > i - window; indices, not position ids, as transformers' mask builder does.
    at::Tensor allowed = at::ones({t, t}, at::TensorOptions().dtype(at::kBool)).tril();
    if (c.sliding_window > 0) allowed = allowed.triu(-(c.sliding_window - 1));
    at::Tensor keys_ok = Long2D(attention_mask).ne(0);                              // [B, T]
    allowed = allowed.unsqueeze(0).logical_and(keys_ok.unsqueeze(1)).unsqueeze(1);  // [B,1,T,T]
    // A padding query before the first real token sees no key at all. Its output is never used,
    // but in float16 an all-masked score row can overflow to -inf and softmax to NaN, and NaN in
    // its value vector would reach real rows (0 * NaN). Letting it see every key keeps it finite
    // (transformers does the same in _unmask_unattended).
    allowed = allowed.logical_or(allowed.any(-1, /*keepdim=*/true).logical_not());
    at::Tensor mask = at::zeros(allowed.sizes(), at::TensorOptions().dtype(m.dtype))
                          .masked_fill_(allowed.logical_not(), m.MaskValue())
                          .to(m.device);
    m.EnsureRope(int64_t{max_position} + 1);
    std::vector<at::Tensor> hidden;
    at::Tensor h =
        m.Layers(m.Embed(ids_t), positions, mask, CacheUse{}, hidden_states ? &hidden : nullptr);
    if (hidden_states) {
      hidden_states->clear();
      for (const at::Tensor& state : hidden) hidden_states->push_back(ToFloats(state));
    }
    return ToFloats(m.Logits(h));
  });
}

}  // namespace augsweep
