// The hyperparameters of a LLaMA-family decoder (LLaMA 1/2/3, Alpaca, Mistral, Qwen2), read from
// a Hugging Face model folder's config.json and generation_config.json. No torch here: the worker
// can read and validate a model folder without loading libtorch's headers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace augsweep {

// config.json "rope_scaling" (the key "rope_type", or the older "type").
//   llama3: Llama 3.1's frequency-dependent scaling: wavelengths shorter than
//           original_max_position_embeddings / high_freq_factor are kept, longer than
//           original_max_position_embeddings / low_freq_factor are divided by `factor`, and the
//           band between is interpolated.
//   linear: every inverse frequency divided by `factor` (position interpolation).
struct RopeScaling {
  std::string type;  // "llama3" or "linear"
  double factor = 1.0;
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;
  int original_max_position_embeddings = 8192;
};

struct LlamaConfig {
  std::string architecture;  // "LlamaForCausalLM", "MistralForCausalLM" or "Qwen2ForCausalLM"
  int vocab_size = 0;
  int hidden_size = 0;
  int intermediate_size = 0;
  int num_layers = 0;    // num_hidden_layers
  int num_heads = 0;     // num_attention_heads
  int num_kv_heads = 0;  // num_key_value_heads (= num_heads when absent)
  int head_dim = 0;      // "head_dim" when given, else hidden_size / num_heads
  int max_position_embeddings = 0;
  double rope_theta = 10000.0;
  double rms_norm_eps = 1e-6;
  bool tie_word_embeddings = false;  // lm_head shares embed_tokens (then usually not stored)
  bool attention_bias = false;       // q/k/v projections have biases (Qwen2; Llama attention_bias)
  bool attention_output_bias = false;  // o_proj has a bias (Llama attention_bias only)
  bool mlp_bias = false;               // gate/up/down have biases (Llama mlp_bias)
  int sliding_window = 0;  // > 0: a token attends to itself and the sliding_window-1 before it
  std::optional<RopeScaling> rope_scaling;
  int bos_token_id = -1;  // -1: none
  int eos_token_id = -1;  // the first end-of-sequence id (-1: none)
  // Every end-of-sequence id of config.json and generation_config.json (either may give a list,
  // as Llama 3 does), without duplicates, config.json's first.
  std::vector<int32_t> eos_token_ids;
};

// Reads `model_dir`/config.json and, when present, `model_dir`/generation_config.json.
// InvalidArgument for an unsupported architecture, activation or rope_scaling, and for a missing
// or malformed field; each message names the file, the field and the value. NotFound when
// config.json is absent.
StatusOr<LlamaConfig> ReadLlamaConfig(const std::string& model_dir);

}  // namespace augsweep
