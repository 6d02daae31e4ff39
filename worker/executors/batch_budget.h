// How many sequences a generate job decodes together: as many as the device's free memory holds
// KV caches for, capped so CPU runs stay where batching still pays. Pure arithmetic plus one
// query of free memory; no torch.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace augsweep {

struct BatchShape {
  int64_t kv_bytes_per_token = 0;   // 2 (K and V) x layers x KV heads x head_dim x dtype bytes
  int64_t tokens_per_sequence = 0;  // the longest prompt + max_new_tokens
  int64_t vocab_size = 0;           // per-sequence logits and sampling buffers (float32)
};

// The shape for a LLaMA-family model: K and V of every layer's KV heads per token.
BatchShape LlamaBatchShape(int64_t layers, int64_t kv_heads, int64_t head_dim, int64_t dtype_bytes,
                           int64_t tokens_per_sequence, int64_t vocab_size);

// The largest batch whose KV caches and per-sequence buffers fit in 70% of `free_bytes` (the
// rest is left for the activations of a prefill, the allocator's slack and other processes),
// at least 1 and at most kMaxBatch. free_bytes <= 0 (unknown): kDefaultBatch.
constexpr int kMaxBatch = 256;
constexpr int kDefaultBatch = 16;
int BatchForMemory(const BatchShape& shape, int64_t free_bytes);

// Free memory of `device` in bytes: the CUDA device's (cuda, cuda:N), or on the CPU the
// kernel's MemAvailable capped at kMaxCpuBatchBytes; 0 when it cannot be told.
int64_t FreeMemoryBytes(const std::string& device);

// On a CPU a batch stops paying early: prefills pad to the longest prompt and the matrix kernels
// are compute-bound past a few sequences. Measured with bench/generate_job_bench (134 M shape,
// 2 cores, 5 themes x 10 texts): batch 16 and 32 both 1.2x one theme at a time, batch 64 1.0x.
constexpr int64_t kMaxCpuBatchBytes = int64_t{8} << 30;
constexpr int kMaxCpuBatch = 16;

// BatchForMemory with `device`'s free memory (cpu, cuda, cuda:N), at most kMaxCpuBatch on a CPU.
// `free_bytes` (may be null) receives the free memory it used.
int BatchForDevice(const BatchShape& shape, const std::string& device,
                   int64_t* free_bytes = nullptr);

// Runs attempt(batch); while it fails with ResourceExhausted (out of device memory) and the batch
// is above 1, tells on_retry(batch, batch / 2) and runs it again with half the batch.
template <typename Attempt, typename OnRetry>
auto RunHalvingOnOutOfMemory(int batch, Attempt attempt, OnRetry on_retry) -> decltype(attempt(1)) {
  for (;;) {
    auto result = attempt(batch);
    if (result.ok() || result.status().code() != StatusCode::kResourceExhausted || batch <= 1) {
      return result;
    }
    on_retry(batch, batch / 2);
    batch /= 2;
  }
}

}  // namespace augsweep
