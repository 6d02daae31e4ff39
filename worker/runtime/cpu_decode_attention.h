// Internal to worker/runtime: the attention of one decode step on the CPU in one pass.
//
// Why: at batch 1 a decode step is bound by reading the weights, and everything else is overhead
// on top of that roofline. Done with torch ops, rotary embedding + KV-cache write + attention
// cost ~20 small ops per layer (each a dispatch and an allocation of a few hundred floats); this
// does the same arithmetic in one parallel loop over (sequence, head).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace augsweep {
namespace llama_internal {

// One query token per sequence r < n:
//   qkv      [n, 1, (heads + 2 * kv_heads) * d]: the stacked projections (q, k, v), not rotated;
//   cos, sin [n, 1, 1, d]: the rotary tables at each row's position (rotate_half convention);
//   cache_k, cache_v [slots >= n, kv_heads, capacity, d]: row r's key and value (k rotated) are
//            written at column columns[r], then it attends to columns [0, key_length);
//   mask     [n, 1, 1, key_length]: added to the scores (0 or the dtype's lowest value).
// Returns [n, 1, heads * d], or an undefined tensor when it does not apply (not float32 CPU
// contiguous tensors, or AUGSWEEP_CPU_ATTENTION=torch in the environment): then use torch ops.
at::Tensor FusedDecodeAttention(const at::Tensor& qkv, const at::Tensor& cos, const at::Tensor& sin,
                                at::Tensor& cache_k, at::Tensor& cache_v,
                                const std::vector<int64_t>& columns, int64_t key_length,
                                const at::Tensor& mask, int64_t heads, int64_t kv_heads, int64_t d);

}  // namespace llama_internal
}  // namespace augsweep
