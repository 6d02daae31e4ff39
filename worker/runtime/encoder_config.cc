#include "worker/runtime/encoder_config.h"

#include <filesystem>
#include <optional>

#include "worker/runtime/config_json.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;
using config_json::Fields;
using config_json::json;
using config_json::ParseJsonObject;

// Architecture class prefixes, for a config.json without model_type. Longest first, so
// "DistilBert..." is not read as "Bert...".
constexpr std::pair<const char*, EncoderFamily> kArchitecturePrefixes[] = {
    {"DistilBert", EncoderFamily::kDistilBert},
    {"Roberta", EncoderFamily::kRoberta},
    {"XLNet", EncoderFamily::kXlnet},
    {"Bert", EncoderFamily::kBert},
};

StatusOr<std::string> ReadArchitecture(const Fields& f) {
  if (!f.Has("architectures")) return std::string();
  const json& archs = f.obj().at("architectures");
  if (!archs.is_array() || archs.empty() || !archs[0].is_string()) {
    return f.Unexpected("architectures", "a non-empty list of class names");
  }
  return archs[0].get<std::string>();
}

StatusOr<EncoderFamily> ReadFamily(const Fields& f, const std::string& architecture) {
  AUGSWEEP_ASSIGN_OR_RETURN(std::string model_type, f.String("model_type", ""));
  if (!model_type.empty()) {
    StatusOr<EncoderFamily> family = ParseEncoderFamily(model_type);
    if (family.ok()) return family;
    return f.Error("model_type", "unsupported value \"" + model_type +
                                     "\" (supported: bert, roberta, distilbert, xlnet)");
  }
  for (const auto& [prefix, family] : kArchitecturePrefixes) {
    if (architecture.rfind(prefix, 0) == 0) return family;
  }
  return f.Error("model_type", "missing, and the architecture \"" + architecture +
                                   "\" is not a BERT, RoBERTa, DistilBERT or XLNet class");
}

StatusOr<int> ReadNumLabels(const Fields& f) {
  if (f.Has("id2label")) {
    const json& labels = f.obj().at("id2label");
    if (!labels.is_object() || labels.empty()) {
      return f.Unexpected("id2label", "a non-empty object of label names");
    }
    return static_cast<int>(labels.size());
  }
  return f.Int("num_labels", 2, 1);
}

Status CheckActivation(const Fields& f, const std::string& key, const std::string& value) {
  if (value == "gelu" || value == "gelu_new" || value == "relu") return OkStatus();
  return f.Error(key, "unsupported value \"" + value + "\" (supported: gelu, gelu_new, relu)");
}

// BERT and RoBERTa share their field names (RobertaConfig derives from BertConfig's layout).
Status ReadBertFields(const Fields& f, EncoderConfig& c) {
  AUGSWEEP_ASSIGN_OR_RETURN(c.vocab_size, f.Int("vocab_size", std::nullopt, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.hidden_size, f.Int("hidden_size", std::nullopt, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.num_layers, f.Int("num_hidden_layers", std::nullopt, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.num_heads, f.Int("num_attention_heads", std::nullopt, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.intermediate_size, f.Int("intermediate_size", std::nullopt, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.max_position_embeddings,
                            f.Int("max_position_embeddings", std::nullopt, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.type_vocab_size, f.Int("type_vocab_size", 2, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.layer_norm_eps, f.Positive("layer_norm_eps", 1e-12));
  AUGSWEEP_ASSIGN_OR_RETURN(c.activation, f.String("hidden_act", "gelu"));
  AUGSWEEP_RETURN_IF_ERROR(CheckActivation(f, "hidden_act", c.activation));
  AUGSWEEP_ASSIGN_OR_RETURN(c.hidden_dropout, f.Number("hidden_dropout_prob", 0.1, 0, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.attention_dropout,
                            f.Number("attention_probs_dropout_prob", 0.1, 0, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.classifier_dropout,
                            f.Number("classifier_dropout", c.hidden_dropout, 0, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(std::string position_type,
                            f.String("position_embedding_type", "absolute"));
  if (position_type != "absolute") {
    return f.Error("position_embedding_type",
                   "unsupported value \"" + position_type + "\" (supported: absolute)");
  }
  const int default_pad = c.family == EncoderFamily::kRoberta ? 1 : 0;
  AUGSWEEP_ASSIGN_OR_RETURN(c.pad_token_id, f.Int("pad_token_id", default_pad, 0));
  if (c.family == EncoderFamily::kRoberta && c.max_position_embeddings <= c.pad_token_id + 1) {
    return f.Error("max_position_embeddings", "RoBERTa positions start at pad_token_id + 1 (" +
                                                  std::to_string(c.pad_token_id + 1) +
                                                  "): the table is too small");
  }
  return OkStatus();
}

Status ReadDistilBertFields(const Fields& f, EncoderConfig& c) {
  AUGSWEEP_ASSIGN_OR_RETURN(c.vocab_size, f.Int("vocab_size", std::nullopt, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.hidden_size, f.Int("dim", std::nullopt, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.num_layers, f.Int("n_layers", std::nullopt, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.num_heads, f.Int("n_heads", std::nullopt, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.intermediate_size, f.Int("hidden_dim", std::nullopt, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.max_position_embeddings, f.Int("max_position_embeddings", 512, 1));
  c.type_vocab_size = 0;
  c.layer_norm_eps = 1e-12;  // fixed in DistilBERT's code, not a config field
  AUGSWEEP_ASSIGN_OR_RETURN(c.activation, f.String("activation", "gelu"));
  AUGSWEEP_RETURN_IF_ERROR(CheckActivation(f, "activation", c.activation));
  AUGSWEEP_ASSIGN_OR_RETURN(c.hidden_dropout, f.Number("dropout", 0.1, 0, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.attention_dropout, f.Number("attention_dropout", 0.1, 0, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.classifier_dropout, f.Number("seq_classif_dropout", 0.2, 0, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.sinusoidal_positions, f.Bool("sinusoidal_pos_embds", false));
  AUGSWEEP_ASSIGN_OR_RETURN(c.pad_token_id, f.Int("pad_token_id", 0, 0));
  return OkStatus();
}

Status ReadXlnetFields(const Fields& f, EncoderConfig& c) {
  AUGSWEEP_ASSIGN_OR_RETURN(c.vocab_size, f.Int("vocab_size", std::nullopt, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.hidden_size, f.Int("d_model", std::nullopt, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.num_layers, f.Int("n_layer", std::nullopt, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.num_heads, f.Int("n_head", std::nullopt, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.intermediate_size, f.Int("d_inner", std::nullopt, 1));
  c.max_position_embeddings = 0;
  c.type_vocab_size = 0;
  AUGSWEEP_ASSIGN_OR_RETURN(c.layer_norm_eps, f.Positive("layer_norm_eps", 1e-12));
  AUGSWEEP_ASSIGN_OR_RETURN(c.activation, f.String("ff_activation", "gelu"));
  AUGSWEEP_RETURN_IF_ERROR(CheckActivation(f, "ff_activation", c.activation));
  AUGSWEEP_ASSIGN_OR_RETURN(c.hidden_dropout, f.Number("dropout", 0.1, 0, 1));
  c.attention_dropout = c.hidden_dropout;  // XLNet has one dropout rate for both
  AUGSWEEP_ASSIGN_OR_RETURN(c.classifier_dropout, f.Number("summary_last_dropout", 0.1, 0, 1));
  AUGSWEEP_ASSIGN_OR_RETURN(c.pad_token_id, f.Int("pad_token_id", 5, 0));
  AUGSWEEP_ASSIGN_OR_RETURN(c.attn_type, f.String("attn_type", "bi"));
  if (c.attn_type != "bi") {
    return f.Error("attn_type", "unsupported value \"" + c.attn_type +
                                    "\" (classification uses bidirectional attention: bi)");
  }
  AUGSWEEP_ASSIGN_OR_RETURN(bool bi_data, f.Bool("bi_data", false));
  if (bi_data) return f.Error("bi_data", "true is a pre-training setting; expected false");
  if (f.Has("clamp_len")) {
    const json& v = f.obj().at("clamp_len");
    if (!v.is_number_integer()) return f.Unexpected("clamp_len", "an integer");
    c.clamp_len = v.get<int>();
  }
  AUGSWEEP_ASSIGN_OR_RETURN(c.untie_r, f.Bool("untie_r", true));
  AUGSWEEP_ASSIGN_OR_RETURN(c.summary_type, f.String("summary_type", "last"));
  if (c.summary_type != "last") {
    return f.Error("summary_type",
                   "unsupported value \"" + c.summary_type + "\" (supported: last)");
  }
  AUGSWEEP_ASSIGN_OR_RETURN(c.summary_use_proj, f.Bool("summary_use_proj", true));
  AUGSWEEP_ASSIGN_OR_RETURN(c.summary_activation, f.String("summary_activation", ""));
  if (!c.summary_activation.empty() && c.summary_activation != "tanh") {
    return f.Error("summary_activation",
                   "unsupported value \"" + c.summary_activation + "\" (supported: tanh or none)");
  }
  return OkStatus();
}

}  // namespace

StatusOr<EncoderConfig> ReadEncoderConfig(const std::string& model_dir) {
  const std::string path = (fs::path(model_dir) / "config.json").string();
  AUGSWEEP_ASSIGN_OR_RETURN(json doc, ParseJsonObject(path));
  Fields f(doc, path);

  EncoderConfig c;
  AUGSWEEP_ASSIGN_OR_RETURN(c.architecture, ReadArchitecture(f));
  AUGSWEEP_ASSIGN_OR_RETURN(c.family, ReadFamily(f, c.architecture));
  switch (c.family) {
    case EncoderFamily::kBert:
    case EncoderFamily::kRoberta:
      AUGSWEEP_RETURN_IF_ERROR(ReadBertFields(f, c));
      break;
    case EncoderFamily::kDistilBert:
      AUGSWEEP_RETURN_IF_ERROR(ReadDistilBertFields(f, c));
      break;
    case EncoderFamily::kXlnet:
      AUGSWEEP_RETURN_IF_ERROR(ReadXlnetFields(f, c));
      break;
  }
  if (c.family == EncoderFamily::kXlnet && f.Has("d_head")) {
    AUGSWEEP_ASSIGN_OR_RETURN(c.head_dim, f.Int("d_head", std::nullopt, 1));
    if (c.head_dim * c.num_heads != c.hidden_size) {
      return f.Error("d_head",
                     "d_head * n_head must equal d_model (" + std::to_string(c.hidden_size) + ")");
    }
  } else {
    if (c.hidden_size % c.num_heads != 0) {
      return f.Error("num_attention_heads",
                     "must divide the hidden size " + std::to_string(c.hidden_size));
    }
    c.head_dim = c.hidden_size / c.num_heads;
  }
  AUGSWEEP_ASSIGN_OR_RETURN(c.initializer_range, f.Positive("initializer_range", 0.02));
  AUGSWEEP_ASSIGN_OR_RETURN(c.num_labels, ReadNumLabels(f));
  return c;
}

}  // namespace augsweep
