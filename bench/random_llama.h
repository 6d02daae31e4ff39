// A LLaMA-shaped model folder with random weights (config.json + model.safetensors), for the
// benches: no download, any size, on any device. Bench-only (libtorch).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "common/status.h"

namespace augsweep {

inline constexpr int kBosId = 1;
inline constexpr int kEosId = 2;  // written to config.json; benches disable it with eos_ids {-1}

struct RandomLlamaShape {
  int64_t vocab = 32000, hidden = 768, layers = 12, heads = 12, kv_heads = 0, intermediate = 2048;
  int64_t head_dim() const { return hidden / heads; }
  // Every parameter, and those read by one decode step: all but the embedding table, of which a
  // step gathers only one row per sequence (lm_head is a separate matrix and is read in full).
  int64_t LayerParams() const {
    const int64_t q = heads * head_dim(), kv = kv_heads * head_dim();
    return hidden * (q + 2 * kv) + q * hidden + 3 * hidden * intermediate + 2 * hidden;
  }
  int64_t TotalParams() const { return 2 * vocab * hidden + layers * LayerParams() + hidden; }
  int64_t ReadPerStepParams() const { return vocab * hidden + layers * LayerParams() + hidden; }
};

struct RandomLlama {
  RandomLlamaShape shape;  // kv_heads 0 is filled in as heads by the caller
  std::string dtype = "float32";
  std::string device = "cpu";
  int64_t seed = 1;
};

// Writes config.json and model.safetensors with N(0, 0.02) weights (transformers' initializer
// range) and unit norms, generated on `device` (fast for billions of parameters on a GPU).
Status WriteRandomModel(const std::filesystem::path& dir, const RandomLlama& o);

}  // namespace augsweep
