#include "common/tokenizers/tokenizer_json.h"

#include <nlohmann/json.hpp>

#include "common/read_file.h"

namespace augsweep {
namespace {

using nlohmann::json;

// Reads tokenizer.json's sections. Each method returns errors that name the JSON path; the
// caller prefixes the file name.
class TokenizerJsonReader {
 public:
  explicit TokenizerJsonReader(const std::string& source) : source_(source) {}

  StatusOr<ByteLevelBpeModel> Read(const json& root) {
    model_.source = source_;
    if (!root.is_object()) return Invalid("", "expected a JSON object at the top level");
    if (!root.contains("model") || !root["model"].is_object()) {
      return Invalid("model", "missing (not a Hugging Face tokenizer.json?)");
    }
    AUGSWEEP_RETURN_IF_ERROR(ReadModel(root["model"]));
    AUGSWEEP_RETURN_IF_ERROR(ReadNormalizer(root.value("normalizer", json())));
    AUGSWEEP_RETURN_IF_ERROR(
        ReadPreTokenizer(root.value("pre_tokenizer", json()), "pre_tokenizer"));
    AUGSWEEP_RETURN_IF_ERROR(ReadDecoder(root.value("decoder", json()), "decoder"));
    AUGSWEEP_RETURN_IF_ERROR(ReadAddedTokens(root.value("added_tokens", json::array())));
    AUGSWEEP_RETURN_IF_ERROR(
        ReadPostProcessor(root.value("post_processor", json()), "post_processor"));
    ChooseSpecialIds();
    return std::move(model_);
  }

 private:
  Status Invalid(const std::string& path, const std::string& what) const {
    return InvalidArgumentError(source_ + (path.empty() ? "" : ": " + path) + ": " + what);
  }
  Status Unsupported(const std::string& path, const std::string& what) const {
    return UnimplementedError(source_ + ": " + path + ": " + what);
  }

  // j[key] as a bool; `fallback` when absent or null. Throws (caught by the caller) on another
  // type.
  static bool Bool(const json& j, const char* key, bool fallback) {
    if (!j.is_object() || !j.contains(key) || j[key].is_null()) return fallback;
    return j[key].get<bool>();
  }

  static std::string TypeOf(const json& j) {
    return j.is_object() && j.contains("type") && j["type"].is_string()
               ? j["type"].get<std::string>()
               : "";
  }

  Status ReadModel(const json& m) {
    const std::string type = TypeOf(m);
    if (type != "BPE" && !(type.empty() && m.contains("merges"))) {
      return Unsupported("model.type", "\"" + type + "\" is not supported; only BPE models are");
    }
    if (m.contains("dropout") && !m["dropout"].is_null() &&
        !(m["dropout"].is_number() && m["dropout"].get<double>() == 0.0)) {
      return Unsupported("model.dropout", "BPE dropout is not supported");
    }
    for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
      if (m.contains(key) && !m[key].is_null() &&
          !(m[key].is_string() && m[key].get<std::string>().empty())) {
        return Unsupported(std::string("model.") + key, "is not supported");
      }
    }
    if (Bool(m, "byte_fallback", false)) {
      return Unsupported(
          "model.byte_fallback",
          "a SentencePiece-style tokenizer.json is not supported; use tokenizer.model");
    }
    model_.ignore_merges = Bool(m, "ignore_merges", false);

    if (!m.contains("vocab") || !m["vocab"].is_object())
      return Invalid("model.vocab", "expected an object");
    model_.vocab.reserve(m["vocab"].size());
    for (const auto& [token, id] : m["vocab"].items()) {
      if (!id.is_number_integer())
        return Invalid("model.vocab[\"" + token + "\"]", "expected an integer id");
      model_.vocab.emplace_back(token, id.get<int32_t>());
    }
    if (!m.contains("merges") || !m["merges"].is_array())
      return Invalid("model.merges", "expected an array");
    const json& merges = m["merges"];
    model_.merges.reserve(merges.size());
    for (size_t i = 0; i < merges.size(); ++i) {
      const json& merge = merges[i];
      const std::string path = "model.merges[" + std::to_string(i) + "]";
      if (merge.is_string()) {  // "left right"
        const std::string text = merge.get<std::string>();
        const size_t space = text.find(' ');
        if (space == std::string::npos || space == 0 || space + 1 == text.size() ||
            text.find(' ', space + 1) != std::string::npos) {
          return Invalid(path, "expected \"left right\", got \"" + text + "\"");
        }
        model_.merges.emplace_back(text.substr(0, space), text.substr(space + 1));
      } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() &&
                 merge[1].is_string()) {
        model_.merges.emplace_back(merge[0].get<std::string>(), merge[1].get<std::string>());
      } else {
        return Invalid(path, "expected \"left right\" or [left, right]");
      }
    }
    if (m.contains("unk_token") && m["unk_token"].is_string()) {
      unk_token_ = m["unk_token"].get<std::string>();
    }
    return OkStatus();
  }

  Status ReadNormalizer(const json& n) {
    if (n.is_null()) return OkStatus();
    if (TypeOf(n) == "Sequence" && n.value("normalizers", json::array()).empty()) return OkStatus();
    return Unsupported("normalizer", "type \"" + TypeOf(n) + "\" is not supported (only none)");
  }

  Status ReadPreTokenizer(const json& p, const std::string& path) {
    if (p.is_null())
      return Unsupported(path, "a byte-level BPE tokenizer needs a ByteLevel pre-tokenizer");
    const std::string type = TypeOf(p);
    if (type == "Sequence") {
      if (!p.contains("pretokenizers") || !p["pretokenizers"].is_array()) {
        return Invalid(path + ".pretokenizers", "expected an array");
      }
      for (size_t i = 0; i < p["pretokenizers"].size(); ++i) {
        AUGSWEEP_RETURN_IF_ERROR(ReadPreTokenizer(
            p["pretokenizers"][i], path + ".pretokenizers[" + std::to_string(i) + "]"));
      }
      return OkStatus();
    }
    if (type == "ByteLevel") {
      PreTokenizerStep step;
      step.kind = PreTokenizerStep::Kind::kByteLevel;
      step.add_prefix_space = Bool(p, "add_prefix_space", true);
      step.use_regex = Bool(p, "use_regex", true);
      model_.pre_tokenizer.push_back(step);
      return OkStatus();
    }
    if (type == "Split") {
      const std::string behavior = p.value("behavior", "");
      if (behavior != "Isolated") {
        return Unsupported(path + ".behavior",
                           "\"" + behavior + "\" is not supported (only Isolated)");
      }
      if (Bool(p, "invert", false)) return Unsupported(path + ".invert", "true is not supported");
      const json pattern = p.value("pattern", json());
      PreTokenizerStep step;
      step.kind = PreTokenizerStep::Kind::kSplit;
      if (pattern.contains("Regex") && pattern["Regex"].is_string()) {
        step.regex = pattern["Regex"].get<std::string>();
      } else if (pattern.contains("String") && pattern["String"].is_string()) {
        // A literal delimiter: escape it for the regex engine.
        for (char c : pattern["String"].get<std::string>()) {
          if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos)
            step.regex += '\\';
          step.regex += c;
        }
      } else {
        return Invalid(path + ".pattern", "expected {\"Regex\": ...} or {\"String\": ...}");
      }
      model_.pre_tokenizer.push_back(step);
      return OkStatus();
    }
    return Unsupported(path, "type \"" + type + "\" is not supported");
  }

  Status ReadDecoder(const json& d, const std::string& path) {
    const std::string type = TypeOf(d);
    if (type == "ByteLevel") return OkStatus();
    if (type == "Sequence" && d.contains("decoders") && d["decoders"].is_array() &&
        d["decoders"].size() == 1) {
      return ReadDecoder(d["decoders"][0], path + ".decoders[0]");
    }
    return Unsupported(path, d.is_null()
                                 ? "missing (a byte-level BPE tokenizer needs ByteLevel)"
                                 : "type \"" + type + "\" is not supported (only ByteLevel)");
  }

  Status ReadAddedTokens(const json& tokens) {
    if (!tokens.is_array()) return Invalid("added_tokens", "expected an array");
    for (size_t i = 0; i < tokens.size(); ++i) {
      const json& t = tokens[i];
      const std::string path = "added_tokens[" + std::to_string(i) + "]";
      if (!t.is_object() || !t.contains("id") || !t["id"].is_number_integer() ||
          !t.contains("content") || !t["content"].is_string()) {
        return Invalid(path, "expected {\"id\": int, \"content\": string, ...}");
      }
      ByteLevelBpeModel::AddedToken added;
      added.id = t["id"].get<int32_t>();
      added.content = t["content"].get<std::string>();
      added.special = Bool(t, "special", false);
      added.lstrip = Bool(t, "lstrip", false);
      added.rstrip = Bool(t, "rstrip", false);
      added.single_word = Bool(t, "single_word", false);
      model_.added_tokens.push_back(std::move(added));
    }
    return OkStatus();
  }

  // Id of `token` among the added tokens, then the vocab; -1 when absent.
  int32_t IdOf(const std::string& token) const {
    for (const auto& added : model_.added_tokens) {
      if (added.content == token) return added.id;
    }
    for (const auto& [text, id] : model_.vocab) {
      if (text == token) return id;
    }
    return -1;
  }

  Status ReadPostProcessor(const json& p, const std::string& path) {
    if (p.is_null()) return OkStatus();
    const std::string type = TypeOf(p);
    if (type == "Sequence") {
      if (!p.contains("processors") || !p["processors"].is_array()) {
        return Invalid(path + ".processors", "expected an array");
      }
      for (size_t i = 0; i < p["processors"].size(); ++i) {
        AUGSWEEP_RETURN_IF_ERROR(
            ReadPostProcessor(p["processors"][i], path + ".processors[" + std::to_string(i) + "]"));
      }
      return OkStatus();
    }
    if (type == "ByteLevel") return OkStatus();  // only adjusts offsets
    if (type == "RobertaProcessing" || type == "BertProcessing") {
      // cls A sep, with cls/sep given as [token, id].
      for (const char* key : {"cls", "sep"}) {
        const json v = p.value(key, json());
        if (!v.is_array() || v.size() != 2 || !v[1].is_number_integer()) {
          return Invalid(path + "." + key, "expected [token, id]");
        }
        (std::string(key) == "cls" ? model_.prefix_ids : model_.suffix_ids)
            .push_back(v[1].get<int32_t>());
        (std::string(key) == "cls" ? model_.cls_id : model_.sep_id) = v[1].get<int32_t>();
      }
      if (template_bos_.empty() && p["cls"][0].is_string())
        template_bos_ = p["cls"][0].get<std::string>();
      return OkStatus();
    }
    if (type == "TemplateProcessing") {
      const json single = p.value("single", json());
      if (!single.is_array()) return Invalid(path + ".single", "expected an array");
      const json specials = p.value("special_tokens", json::object());
      bool seen_sequence = false;
      for (size_t i = 0; i < single.size(); ++i) {
        const json& item = single[i];
        const std::string item_path = path + ".single[" + std::to_string(i) + "]";
        if (item.contains("Sequence")) {
          if (seen_sequence)
            return Invalid(item_path, "a second sequence in a single-sequence template");
          seen_sequence = true;
          continue;
        }
        if (!item.contains("SpecialToken") || !item["SpecialToken"].contains("id") ||
            !item["SpecialToken"]["id"].is_string()) {
          return Invalid(item_path,
                         "expected {\"Sequence\": ...} or {\"SpecialToken\": {\"id\": ...}}");
        }
        const std::string name = item["SpecialToken"]["id"].get<std::string>();
        std::vector<int32_t> ids;
        if (specials.contains(name) && specials[name].contains("ids") &&
            specials[name]["ids"].is_array()) {
          for (const json& id : specials[name]["ids"]) {
            if (!id.is_number_integer())
              return Invalid(path + ".special_tokens." + name, "ids must be integers");
            ids.push_back(id.get<int32_t>());
          }
        } else {
          const int32_t id = IdOf(name);
          if (id < 0) return Invalid(item_path, "special token \"" + name + "\" is not defined");
          ids.push_back(id);
        }
        auto& target = seen_sequence ? model_.suffix_ids : model_.prefix_ids;
        target.insert(target.end(), ids.begin(), ids.end());
        if (!seen_sequence && template_bos_.empty()) template_bos_ = name;
      }
      if (!seen_sequence) return Invalid(path + ".single", "the template has no sequence");
      return OkStatus();
    }
    return Unsupported(path, "type \"" + type + "\" is not supported");
  }

  void ChooseSpecialIds() {
    auto first_of = [this](std::initializer_list<const char*> names) -> int32_t {
      for (const char* name : names) {
        const int32_t id = IdOf(name);
        if (id >= 0) return id;
      }
      return -1;
    };
    model_.bos_id = template_bos_.empty() ? -1 : IdOf(template_bos_);
    if (model_.bos_id < 0) model_.bos_id = first_of({"<|begin_of_text|>", "<s>", "<|endoftext|>"});
    model_.eos_id = first_of({"<|end_of_text|>", "</s>", "<|endoftext|>"});
    model_.pad_id = first_of({"<pad>"});
    model_.mask_id = first_of({"<mask>"});
    if (!unk_token_.empty()) model_.unk_id = IdOf(unk_token_);
  }

  std::string source_;
  ByteLevelBpeModel model_;
  std::string template_bos_;
  std::string unk_token_;
};

}  // namespace

StatusOr<ByteLevelBpeModel> ParseTokenizerJson(std::string_view json_text,
                                               const std::string& source) {
  json root;
  try {
    root = json::parse(json_text);
  } catch (const json::exception& e) {
    return DataLossError(source + ": not valid JSON: " + e.what());
  }
  try {
    return TokenizerJsonReader(source).Read(root);
  } catch (const json::exception& e) {  // a value of an unexpected type deep inside
    return InvalidArgumentError(source + ": unexpected tokenizer.json content: " + e.what());
  }
}

StatusOr<std::unique_ptr<ByteLevelBpeTokenizer>> ByteLevelBpeFromTokenizerJson(
    std::string_view json_text, const std::string& source, const ByteLevelBpeOptions& options) {
  AUGSWEEP_ASSIGN_OR_RETURN(ByteLevelBpeModel model, ParseTokenizerJson(json_text, source));
  AUGSWEEP_RETURN_IF_ERROR(ApplyByteLevelBpeOptions(options, &model));
  return ByteLevelBpeTokenizer::Create(std::move(model));
}

StatusOr<std::unique_ptr<ByteLevelBpeTokenizer>> LoadByteLevelBpeFromTokenizerJson(
    const std::string& path, const ByteLevelBpeOptions& options) {
  AUGSWEEP_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  return ByteLevelBpeFromTokenizerJson(text, path, options);
}

}  // namespace augsweep
