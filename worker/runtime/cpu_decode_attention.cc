#include "worker/runtime/cpu_decode_attention.h"

#include <ATen/Parallel.h>
#include <ATen/ops/empty.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "common/tunables.h"

namespace augsweep {
namespace llama_internal {
namespace {

bool Enabled() {
  static const bool enabled = [] { return GetTunables().cpu_attention != "torch"; }();
  return enabled;
}

bool FloatCpuContiguous(const at::Tensor& t) {
  return t.defined() && t.is_cpu() && t.scalar_type() == at::kFloat && t.is_contiguous();
}

// out = x * cos + rotate_half(x) * sin, rotate_half(x) = [-x[h:], x[:h]] (HF Llama's layout).
void Rotate(const float* x, const float* cos, const float* sin, int64_t d, float* out) {
  const int64_t half = d / 2;
  for (int64_t i = 0; i < half; ++i) out[i] = x[i] * cos[i] - x[i + half] * sin[i];
  for (int64_t i = half; i < d; ++i) out[i] = x[i] * cos[i] + x[i - half] * sin[i];
}

}  // namespace

at::Tensor FusedDecodeAttention(const at::Tensor& qkv, const at::Tensor& cos, const at::Tensor& sin,
                                at::Tensor& cache_k, at::Tensor& cache_v,
                                const std::vector<int64_t>& columns, int64_t key_length,
                                const at::Tensor& mask, int64_t heads, int64_t kv_heads,
                                int64_t d) {
  const int64_t n = qkv.size(0);
  if (!Enabled() || qkv.dim() != 3 || qkv.size(1) != 1 || !FloatCpuContiguous(qkv) ||
      !FloatCpuContiguous(cache_k) || !FloatCpuContiguous(cache_v) || !FloatCpuContiguous(mask) ||
      cos.scalar_type() != at::kFloat || sin.scalar_type() != at::kFloat || !cos.is_cpu() ||
      static_cast<int64_t>(columns.size()) != n || mask.numel() != n * key_length ||
      cache_k.size(0) < n || cache_k.size(2) < key_length) {
    return at::Tensor();
  }
  const at::Tensor cos_c = cos.contiguous(), sin_c = sin.contiguous();
  const int64_t width = (heads + 2 * kv_heads) * d, capacity = cache_k.size(2);
  const int64_t group = heads / kv_heads;
  const float* qkv_p = qkv.data_ptr<float>();
  const float* cos_p = cos_c.data_ptr<float>();
  const float* sin_p = sin_c.data_ptr<float>();
  const float* mask_p = mask.data_ptr<float>();
  float* k_cache = cache_k.data_ptr<float>();
  float* v_cache = cache_v.data_ptr<float>();
  auto cache_row = [&](float* cache, int64_t r, int64_t g, int64_t column) {
    return cache + ((r * kv_heads + g) * capacity + column) * d;
  };

  // The new keys (rotated) and values go into the cache first: each row attends to its own.
  for (int64_t r = 0; r < n; ++r) {
    const float* row = qkv_p + r * width;
    for (int64_t g = 0; g < kv_heads; ++g) {
      Rotate(row + (heads + g) * d, cos_p + r * d, sin_p + r * d, d,
             cache_row(k_cache, r, g, columns[r]));
      std::memcpy(cache_row(v_cache, r, g, columns[r]), row + (heads + kv_heads + g) * d,
                  d * sizeof(float));
    }
  }

  at::Tensor out = at::empty({n, 1, heads * d}, qkv.options());
  float* out_p = out.data_ptr<float>();
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  at::parallel_for(0, n * heads, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> q(d), scores(key_length);
    for (int64_t task = begin; task < end; ++task) {
      const int64_t r = task / heads, h = task % heads, g = h / group;
      Rotate(qkv_p + r * width + h * d, cos_p + r * d, sin_p + r * d, d, q.data());
      const float* keys = cache_row(k_cache, r, g, 0);
      float max_score = -std::numeric_limits<float>::infinity();
      for (int64_t j = 0; j < key_length; ++j) {
        const float* key = keys + j * d;
        float dot = 0;
        for (int64_t i = 0; i < d; ++i) dot += q[i] * key[i];
        scores[j] = dot * scale + mask_p[r * key_length + j];
        max_score = std::max(max_score, scores[j]);
      }
      float sum = 0;
      for (int64_t j = 0; j < key_length; ++j) {
        scores[j] = std::exp(scores[j] - max_score);
        sum += scores[j];
      }
      float* o = out_p + r * heads * d + h * d;
      std::fill(o, o + d, 0.0f);
      const float* values = cache_row(v_cache, r, g, 0);
      for (int64_t j = 0; j < key_length; ++j) {
        const float p = scores[j] / sum;
        const float* value = values + j * d;
        for (int64_t i = 0; i < d; ++i) o[i] += p * value[i];
      }
    }
  });
  return out;
}

}  // namespace llama_internal
}  // namespace augsweep
