// Internal to worker/runtime: the LLaMA decoder's weights as tensors and the math of one pass over
// its layers, shared by llama_model.cc (loading, the full forward) and llama_generate.cc (batched
// KV-cached generation). Includes libtorch, so nothing outside those two files may include it.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "worker/runtime/llama_model.h"

namespace augsweep {
namespace llama_internal {

// One decoder layer. Projections that read the same input are stacked into one matrix
// ([q; k; v] and [gate; up]) so each costs one GEMM, which matters most for single-token decode.
// Biases are undefined tensors when the architecture has none.
struct LayerWeights {
  at::Tensor input_norm;    // [hidden]
  at::Tensor qkv;           // [(heads + 2 * kv_heads) * head_dim, hidden]
  at::Tensor qkv_bias;      // [(heads + 2 * kv_heads) * head_dim]
  at::Tensor o;             // [hidden, heads * head_dim]
  at::Tensor o_bias;        // [hidden]
  at::Tensor post_norm;     // [hidden]
  at::Tensor gate_up;       // [2 * intermediate, hidden]
  at::Tensor gate_up_bias;  // [2 * intermediate]
  at::Tensor down;          // [hidden, intermediate]
  at::Tensor down_bias;     // [hidden]
};

struct Weights {
  at::Tensor embed;  // [vocab, hidden]
  std::vector<LayerWeights> layers;
  at::Tensor norm;     // [hidden]
  at::Tensor lm_head;  // [vocab, hidden]; the same tensor as embed when tied
};

// Keys and values of up to `slots` sequences. A sequence's token at position p is stored in
// column p of its slot (no left padding), so sequences of any length share the cache and a slot
// can be handed to a new sequence without moving the others.
struct KvCache {
  std::vector<at::Tensor> k, v;  // per layer: [slots, kv_heads, capacity, head_dim]
};

// How one pass over the layers uses the cache.
struct CacheUse {
  enum Kind {
    kNone,     // full forward: attend to this pass's own keys
    kPrefill,  // also store them: rows go to slots [first_slot, first_slot + n), columns [0, T)
    kDecode,   // one token per row: store it at write_columns, attend to columns [0, key_length)
  };
  Kind kind = kNone;
  KvCache* cache = nullptr;
  int64_t first_slot = 0;
  at::Tensor write_columns;      // [n, kv_heads, 1, head_dim] int64: the row's new column, repeated
  std::vector<int64_t> columns;  // the same columns on the host, one per row (kDecode)
  int64_t key_length = 0;
};

}  // namespace llama_internal

struct LlamaModel::Impl {
  LlamaConfig config;
  at::Device device = at::kCPU;
  at::ScalarType dtype = at::kFloat;
  llama_internal::Weights weights;
  at::Tensor rope_cos, rope_sin;  // [positions, head_dim] in dtype, on device

  // The value added to the attention scores of masked keys: the lowest finite value of dtype, as
  // transformers uses, so a row with every key masked gives a uniform softmax instead of NaN.
  double MaskValue() const;
  // Grows the rotary tables to cover positions [0, positions).
  void EnsureRope(int64_t positions);
  // ids [n, T] int64 on device -> [n, T, hidden].
  at::Tensor Embed(const at::Tensor& ids) const;
  // The decoder layers and the final RMSNorm. x [n, T, hidden]; positions [n, T] int64 (< the
  // rope table's length); mask additive [n or 1, 1, T, keys] in dtype. If `hidden` is given,
  // appends the hidden states transformers' output_hidden_states returns.
  at::Tensor Layers(at::Tensor x, const at::Tensor& positions, const at::Tensor& mask,
                    const llama_internal::CacheUse& cache_use,
                    std::vector<at::Tensor>* hidden) const;
  // float32 logits [..., vocab] of final hidden states [..., hidden].
  at::Tensor Logits(const at::Tensor& h) const;
};

}  // namespace augsweep
