#include "worker/runtime/llama_config.h"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "worker/runtime/config_json.h"

namespace augsweep {
namespace {

using config_json::Fields;
using config_json::ParseJsonObject;

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kSupportedArchitectures =
    "LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM";
// Used when config.json has no "architectures" list (older exports name only the model_type).
constexpr std::pair<const char*, const char*> kArchitectureByModelType[] = {
    {"llama", "LlamaForCausalLM"},
    {"mistral", "MistralForCausalLM"},
    {"qwen2", "Qwen2ForCausalLM"},
};
// LlamaConfig's defaults in transformers, for fields an old config.json may lack.
constexpr int kDefaultMaxPositionEmbeddings = 2048;
constexpr double kDefaultRopeTheta = 10000.0;
constexpr double kDefaultRmsNormEps = 1e-6;

StatusOr<std::string> ReadArchitecture(const Fields& f) {
  auto supported = [](const std::string& name) {
    for (const auto& [type, arch] : kArchitectureByModelType) {
      if (name == arch) return true;
    }
    return false;
  };
  if (f.Has("architectures")) {
    const json& archs = f.obj().at("architectures");
    if (!archs.is_array() || archs.empty() || !archs[0].is_string()) {
      return f.Unexpected("architectures", "a non-empty list of class names");
    }
    std::string arch = archs[0].get<std::string>();
    if (!supported(arch)) {
      return f.Error("architectures", "unsupported value \"" + arch +
                                          "\" (supported: " + kSupportedArchitectures + ")");
    }
    return arch;
  }
  AUGSWEEP_ASSIGN_OR_RETURN(std::string model_type, f.String("model_type", ""));
  for (const auto& [type, arch] : kArchitectureByModelType) {
    if (model_type == type) return std::string(arch);
  }
  return f.Error("model_type",
                 "unsupported value \"" + model_type +
                     "\" and no \"architectures\" (supported: llama, mistral, qwen2)");
}

StatusOr<std::optional<RopeScaling>> ReadRopeScaling(const Fields& f) {
  if (!f.Has("rope_scaling")) return std::optional<RopeScaling>();
  const json& obj = f.obj().at("rope_scaling");
  if (!obj.is_object()) return f.Unexpected("rope_scaling", "an object or null");
  Fields rs(obj, f.file(), "rope_scaling.");
  // transformers renamed "type" to "rope_type"; both spellings are in the wild.
  std::string type_key = rs.Has("rope_type") ? "rope_type" : "type";
  AUGSWEEP_ASSIGN_OR_RETURN(std::string type, rs.String(type_key, ""));
  if (type == "default") return std::optional<RopeScaling>();
  RopeScaling scaling;
  scaling.type = type;
  if (type == "linear") {
    AUGSWEEP_ASSIGN_OR_RETURN(scaling.factor, rs.Positive("factor", std::nullopt));
    return std::optional<RopeScaling>(scaling);
  }
  if (type == "llama3") {
    AUGSWEEP_ASSIGN_OR_RETURN(scaling.factor, rs.Positive("factor", std::nullopt));
    AUGSWEEP_ASSIGN_OR_RETURN(scaling.low_freq_factor,
                              rs.Positive("low_freq_factor", std::nullopt));
    AUGSWEEP_ASSIGN_OR_RETURN(scaling.high_freq_factor,
                              rs.Positive("high_freq_factor", std::nullopt));
    AUGSWEEP_ASSIGN_OR_RETURN(scaling.original_max_position_embeddings,
                              rs.Int("original_max_position_embeddings", std::nullopt, 1));
    if (!(scaling.high_freq_factor > scaling.low_freq_factor)) {
      return rs.Error("high_freq_factor", "must be greater than low_freq_factor (" +
                                              obj.at("low_freq_factor").dump() + "), got " +
                                              obj.at("high_freq_factor").dump());
    }
    return std::optional<RopeScaling>(scaling);
  }
  return rs.Error(type_key, "unsupported value \"" + type + "\" (supported: llama3, linear)");
}

void AddUnique(std::vector<int32_t>& to, const std::vector<int32_t>& ids) {
  for (int32_t id : ids) {
    if (std::find(to.begin(), to.end(), id) == to.end()) to.push_back(id);
  }
}

}  // namespace

StatusOr<LlamaConfig> ReadLlamaConfig(const std::string& model_dir) {
  const fs::path config_path = fs::path(model_dir) / "config.json";
  AUGSWEEP_ASSIGN_OR_RETURN(json doc, ParseJsonObject(config_path.string()));
  Fields f(doc, config_path.string());

  LlamaConfig c;
  AUGSWEEP_ASSIGN_OR_RETURN(c.architecture, ReadArchitecture(f));
  AUGSWEEP_ASSIGN_OR_RETURN(std::string act, f.String("hidden_act", "silu"));
  if (act != "silu") {
    return f.Error("hidden_act", "unsupported value \"" + act + "\" (supported: silu)");
  }
  AUGSWEEP_ASSIGN_OR_RETURN(c.vocab_size, f.Int("vocab_size", std::nullopt, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.hidden_size, f.Int("hidden_size", std::nullopt, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.intermediate_size, f.Int("intermediate_size", std::nullopt, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.num_layers, f.Int("num_hidden_layers", std::nullopt, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.num_heads, f.Int("num_attention_heads", std::nullopt, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.num_kv_heads, f.Int("num_key_value_heads", c.num_heads, 1));
  if (c.num_heads % c.num_kv_heads != 0) {
    return f.Error("num_key_value_heads", "must divide num_attention_heads (" +
                                              std::to_string(c.num_heads) + "), got " +
                                              std::to_string(c.num_kv_heads));
  }
  if (f.Has("head_dim")) {
    AUGSWEEP_ASSIGN_OR_RETURN(c.head_dim, f.Int("head_dim", std::nullopt, 2));
  } else {
    if (c.hidden_size % c.num_heads != 0) {
      return f.Error("hidden_size", "must be a multiple of num_attention_heads (" +
                                        std::to_string(c.num_heads) + ") when there is no " +
                                        "head_dim, got " + std::to_string(c.hidden_size));
    }
    c.head_dim = c.hidden_size / c.num_heads;
  }
  if (c.head_dim % 2 != 0) {
    return f.Error("head_dim",
                   "rotary embeddings need an even head size, got " + std::to_string(c.head_dim));
  }
  AUGSWEEP_ASSIGN_OR_RETURN(c.max_position_embeddings,
                            f.Int("max_position_embeddings", kDefaultMaxPositionEmbeddings, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.rope_theta, f.Positive("rope_theta", kDefaultRopeTheta));
  AUGSWEEP_ASSIGN_OR_RETURN(c.rms_norm_eps, f.Positive("rms_norm_eps", kDefaultRmsNormEps));
  AUGSWEEP_ASSIGN_OR_RETURN(c.tie_word_embeddings, f.Bool("tie_word_embeddings", false));
  AUGSWEEP_ASSIGN_OR_RETURN(c.rope_scaling, ReadRopeScaling(f));

  if (c.architecture == "LlamaForCausalLM") {
    AUGSWEEP_ASSIGN_OR_RETURN(c.attention_bias, f.Bool("attention_bias", false));
    c.attention_output_bias = c.attention_bias;
    AUGSWEEP_ASSIGN_OR_RETURN(c.mlp_bias, f.Bool("mlp_bias", false));
  } else if (c.architecture == "MistralForCausalLM") {
    AUGSWEEP_ASSIGN_OR_RETURN(c.sliding_window, f.Int("sliding_window", 0, 1));
  } else if (c.architecture == "Qwen2ForCausalLM") {
    c.attention_bias = true;  // Qwen2's q/k/v projections always carry biases, o_proj none
    AUGSWEEP_ASSIGN_OR_RETURN(bool use_sliding_window, f.Bool("use_sliding_window", false));
    if (use_sliding_window) {
      return f.Error("use_sliding_window",
                     "true is not supported (Qwen2 applies it to some "
                     "layers only); expected false");
    }
  }

  AUGSWEEP_ASSIGN_OR_RETURN(std::vector<int32_t> bos, f.TokenIds("bos_token_id"));
  AUGSWEEP_ASSIGN_OR_RETURN(std::vector<int32_t> eos, f.TokenIds("eos_token_id"));
  AddUnique(c.eos_token_ids, eos);

  const fs::path gen_path = fs::path(model_dir) / "generation_config.json";
  std::error_code ec;
  if (fs::exists(gen_path, ec)) {
    AUGSWEEP_ASSIGN_OR_RETURN(json gen_doc, ParseJsonObject(gen_path.string()));
    Fields g(gen_doc, gen_path.string());
    AUGSWEEP_ASSIGN_OR_RETURN(std::vector<int32_t> gen_eos, g.TokenIds("eos_token_id"));
    AddUnique(c.eos_token_ids, gen_eos);
    if (bos.empty()) {
      AUGSWEEP_ASSIGN_OR_RETURN(bos, g.TokenIds("bos_token_id"));
    }
  }
  c.bos_token_id = bos.empty() ? -1 : bos.front();
  c.eos_token_id = c.eos_token_ids.empty() ? -1 : c.eos_token_ids.front();
  return c;
}

}  // namespace augsweep
