#include "worker/executors/batch_budget.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "worker/runtime/cuda_memory.h"

namespace augsweep {

BatchShape LlamaBatchShape(int64_t layers, int64_t kv_heads, int64_t head_dim, int64_t dtype_bytes,
                           int64_t tokens_per_sequence, int64_t vocab_size) {
  BatchShape shape;
  shape.kv_bytes_per_token = 2 * layers * kv_heads * head_dim * dtype_bytes;
  shape.tokens_per_sequence = tokens_per_sequence;
  shape.vocab_size = vocab_size;
  return shape;
}

int BatchForMemory(const BatchShape& shape, int64_t free_bytes) {
  if (free_bytes <= 0) return kDefaultBatch;
  // KV cache, plus logits, probabilities, a sort's copy and the penalty buffers per sequence.
  const int64_t per_sequence = std::max<int64_t>(
      1, shape.kv_bytes_per_token * shape.tokens_per_sequence + shape.vocab_size * 4 * 6);
  const int64_t fits = free_bytes / 10 * 7 / per_sequence;
  return static_cast<int>(std::clamp<int64_t>(fits, 1, kMaxBatch));
}

int64_t FreeMemoryBytes(const std::string& device) {
  if (device.rfind("cuda", 0) == 0) {
    const int index = device.size() > 5 ? std::stoi(device.substr(5)) : 0;
    StatusOr<int64_t> mb = CudaFreeMemoryMb(index);
    return mb.ok() ? *mb * (int64_t{1} << 20) : 0;
  }
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    std::istringstream fields(line);
    std::string key;
    int64_t kib = 0;
    if (fields >> key >> kib && key == "MemAvailable:") {
      return std::min(kib * 1024, kMaxCpuBatchBytes);
    }
  }
  return 0;
}

int BatchForDevice(const BatchShape& shape, const std::string& device, int64_t* free_bytes) {
  const int64_t free = FreeMemoryBytes(device);
  if (free_bytes != nullptr) *free_bytes = free;
  const int batch = BatchForMemory(shape, free);
  return device.rfind("cuda", 0) == 0 ? batch : std::min(batch, kMaxCpuBatch);
}

}  // namespace augsweep
