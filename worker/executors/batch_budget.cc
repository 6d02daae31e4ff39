#include "worker/executors/batch_budget.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "worker/runtime/cuda_memory.h"

namespace augsweep {

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

}  // namespace augsweep
