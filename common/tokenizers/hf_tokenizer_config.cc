#include "common/tokenizers/hf_tokenizer_config.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/read_file.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The JSON object in `path`, or an empty object when the file does not exist.
StatusOr<json> ReadJsonObject(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return json::object();
  AUGSWEEP_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path.string()));
  json value;
  try {
    value = json::parse(text);
  } catch (const json::exception& e) {
    return DataLossError(path.string() + ": not valid JSON: " + e.what());
  }
  if (!value.is_object()) return InvalidArgumentError(path.string() + ": expected a JSON object");
  return value;
}

std::optional<bool> OptionalBool(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_boolean()) return std::nullopt;
  return it->get<bool>();
}

// A token is saved as a string or as an AddedToken object {"content": ..., "lstrip": ...}.
std::optional<std::string> TokenText(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_object() && value.contains("content") && value["content"].is_string()) {
    return value["content"].get<std::string>();
  }
  return std::nullopt;
}

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

TokenizerFamily HfTokenizerConfig::family() const {
  if (model_type == "bert" || model_type == "distilbert") return TokenizerFamily::kWordPiece;
  if (model_type == "roberta") return TokenizerFamily::kRoberta;
  if (model_type == "xlnet") return TokenizerFamily::kXlnet;
  if (StartsWith(tokenizer_class, "BertTokenizer") ||
      StartsWith(tokenizer_class, "DistilBertTokenizer")) {
    return TokenizerFamily::kWordPiece;
  }
  if (StartsWith(tokenizer_class, "RobertaTokenizer")) return TokenizerFamily::kRoberta;
  if (StartsWith(tokenizer_class, "XLNetTokenizer")) return TokenizerFamily::kXlnet;
  return TokenizerFamily::kUnknown;
}

std::string HfTokenizerConfig::SpecialToken(const std::string& key,
                                            const std::string& fallback) const {
  const auto it = special_tokens.find(key);
  return it == special_tokens.end() ? fallback : it->second;
}

StatusOr<HfTokenizerConfig> ReadHfTokenizerConfig(const std::string& folder) {
  HfTokenizerConfig config;
  AUGSWEEP_ASSIGN_OR_RETURN(json model_config, ReadJsonObject(fs::path(folder) / "config.json"));
  if (model_config.contains("model_type") && model_config["model_type"].is_string()) {
    config.model_type = model_config["model_type"].get<std::string>();
  }
  AUGSWEEP_ASSIGN_OR_RETURN(json tok, ReadJsonObject(fs::path(folder) / "tokenizer_config.json"));
  if (tok.contains("tokenizer_class") && tok["tokenizer_class"].is_string()) {
    config.tokenizer_class = tok["tokenizer_class"].get<std::string>();
  }
  config.do_lower_case = OptionalBool(tok, "do_lower_case");
  config.tokenize_chinese_chars = OptionalBool(tok, "tokenize_chinese_chars");
  config.strip_accents = OptionalBool(tok, "strip_accents");
  config.remove_space = OptionalBool(tok, "remove_space");
  config.keep_accents = OptionalBool(tok, "keep_accents");
  config.clean_up_tokenization_spaces = OptionalBool(tok, "clean_up_tokenization_spaces");
  for (const char* key : {"bos_token", "eos_token", "unk_token", "sep_token", "pad_token",
                          "cls_token", "mask_token"}) {
    if (!tok.contains(key)) continue;
    if (std::optional<std::string> text = TokenText(tok[key])) config.special_tokens[key] = *text;
  }
  if (tok.contains("additional_special_tokens") && tok["additional_special_tokens"].is_array()) {
    std::vector<std::string> tokens;
    for (const json& value : tok["additional_special_tokens"]) {
      if (std::optional<std::string> text = TokenText(value)) tokens.push_back(*text);
    }
    config.additional_special_tokens = std::move(tokens);
  }
  return config;
}

StatusOr<std::map<std::string, std::string>> ReadSpecialTokensMap(const std::string& folder) {
  AUGSWEEP_ASSIGN_OR_RETURN(json map, ReadJsonObject(fs::path(folder) / "special_tokens_map.json"));
  std::map<std::string, std::string> tokens;
  for (const auto& [key, value] : map.items()) {
    if (std::optional<std::string> text = TokenText(value)) tokens[key] = *text;
  }
  return tokens;
}

}  // namespace augsweep
