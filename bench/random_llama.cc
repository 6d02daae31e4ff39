#include "bench/random_llama.h"

#include <ATen/ops/ones.h>
#include <ATen/ops/randn.h>
#include <c10/core/InferenceMode.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "bench/bench_util.h"
#include "common/safetensors/torch_bridge.h"

namespace augsweep {

namespace fs = std::filesystem;
using nlohmann::json;

Status WriteRandomModel(const fs::path& dir, const RandomLlama& o) {
  const RandomLlamaShape& s = o.shape;
  json config = {{"architectures", {"LlamaForCausalLM"}},
                 {"model_type", "llama"},
                 {"vocab_size", s.vocab},
                 {"hidden_size", s.hidden},
                 {"intermediate_size", s.intermediate},
                 {"num_hidden_layers", s.layers},
                 {"num_attention_heads", s.heads},
                 {"num_key_value_heads", s.kv_heads},
                 {"max_position_embeddings", 4096},
                 {"rms_norm_eps", 1e-6},
                 {"rope_theta", 10000.0},
                 {"hidden_act", "silu"},
                 {"tie_word_embeddings", false},
                 {"bos_token_id", kBosId},
                 {"eos_token_id", kEosId},
                 {"torch_dtype", o.dtype}};
  std::ofstream(dir / "config.json") << config.dump(2) << "\n";

  try {
    c10::InferenceMode inference;
    at::manual_seed(static_cast<uint64_t>(o.seed));
    const at::Device device(o.device);
    const at::ScalarType dtype = DtypeOf(o.dtype);
    auto random = [&](std::vector<int64_t> shape) {
      return at::randn(shape, at::TensorOptions().dtype(at::kFloat).device(device))
          .mul_(0.02)
          .to(dtype);
    };
    auto ones = [&](int64_t n) {
      return at::ones({n}, at::TensorOptions().dtype(dtype).device(device));
    };
    const int64_t q = s.heads * s.head_dim(), kv = s.kv_heads * s.head_dim();
    std::map<std::string, at::Tensor> tensors;
    tensors["model.embed_tokens.weight"] = random({s.vocab, s.hidden});
    tensors["lm_head.weight"] = random({s.vocab, s.hidden});
    tensors["model.norm.weight"] = ones(s.hidden);
    for (int64_t l = 0; l < s.layers; ++l) {
      const std::string p = "model.layers." + std::to_string(l) + ".";
      tensors[p + "input_layernorm.weight"] = ones(s.hidden);
      tensors[p + "post_attention_layernorm.weight"] = ones(s.hidden);
      tensors[p + "self_attn.q_proj.weight"] = random({q, s.hidden});
      tensors[p + "self_attn.k_proj.weight"] = random({kv, s.hidden});
      tensors[p + "self_attn.v_proj.weight"] = random({kv, s.hidden});
      tensors[p + "self_attn.o_proj.weight"] = random({s.hidden, q});
      tensors[p + "mlp.gate_proj.weight"] = random({s.intermediate, s.hidden});
      tensors[p + "mlp.up_proj.weight"] = random({s.intermediate, s.hidden});
      tensors[p + "mlp.down_proj.weight"] = random({s.hidden, s.intermediate});
    }
    return SaveTensors((dir / "model.safetensors").string(), tensors);
  } catch (const std::exception& e) {
    return InternalError(std::string("writing the random model failed: ") + e.what());
  }
}

}  // namespace augsweep
