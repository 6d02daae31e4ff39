#include "common/tokenizers/chat_template.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/jinja/value_from_json.h"
#include "common/read_file.h"
#include "common/tokenizers/hf_tokenizer_config.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

StatusOr<Json> ReadJson(const fs::path& path) {
  AUGSWEEP_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path.string()));
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    return DataLossError(path.string() + ": not valid JSON (syntax error at byte " +
                         std::to_string(e.byte) + ")");
  }
}

// tokenizer_config.json's "chat_template": a string, or named templates of which "default" is
// the one apply_chat_template uses without a name.
StatusOr<std::string> TemplateOf(const Json& value, const fs::path& path) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    for (const Json& entry : value) {
      if (entry.is_object() && entry.value("name", "") == "default" && entry.contains("template") &&
          entry["template"].is_string()) {
        return entry["template"].get<std::string>();
      }
    }
    return InvalidArgumentError(path.string() +
                                ": chat_template: a list of named templates without one named "
                                "\"default\"");
  }
  return InvalidArgumentError(path.string() +
                              ": chat_template: expected a string or a list of named templates");
}

// transformers' strftime_now(format): the time formatted with strftime.
StatusOr<jinja::Value> StrftimeNow(std::time_t now, jinja::CallArgs& args) {
  if (args.positional.size() != 1 || !args.positional[0].is_string() || !args.keyword.empty()) {
    return InvalidArgumentError("strftime_now takes one format string");
  }
  const std::time_t t = now != 0 ? now : std::time(nullptr);
  std::tm local{};
  localtime_r(&t, &local);
  char buf[256];
  const size_t n =
      std::strftime(buf, sizeof buf, args.positional[0].string_value().c_str(), &local);
  return jinja::Value::String(std::string(buf, n));
}

}  // namespace

StatusOr<ChatTemplate> ChatTemplate::FromText(const std::string& text,
                                              std::map<std::string, std::string> special_tokens,
                                              const std::string& name) {
  AUGSWEEP_ASSIGN_OR_RETURN(jinja::Template t, jinja::Template::Parse(text, name));
  return ChatTemplate(std::move(t), std::move(special_tokens), name);
}

StatusOr<ChatTemplate> ChatTemplate::Load(const std::string& model_dir) {
  const fs::path dir(model_dir);
  std::error_code ec;
  std::string text;
  std::string name;
  if (fs::is_regular_file(dir / "chat_template.jinja", ec)) {
    name = (dir / "chat_template.jinja").string();
    AUGSWEEP_ASSIGN_OR_RETURN(text, ReadWholeFile(name));
  } else if (fs::is_regular_file(dir / "chat_template.json", ec)) {
    const fs::path path = dir / "chat_template.json";
    AUGSWEEP_ASSIGN_OR_RETURN(Json json, ReadJson(path));
    if (!json.is_object() || !json.contains("chat_template")) {
      return InvalidArgumentError(path.string() + ": expected an object with \"chat_template\"");
    }
    AUGSWEEP_ASSIGN_OR_RETURN(text, TemplateOf(json["chat_template"], path));
    name = path.string() + " chat_template";
  } else {
    const fs::path path = dir / "tokenizer_config.json";
    if (!fs::is_regular_file(path, ec)) {
      return NotFoundError(model_dir +
                           ": no chat template (no chat_template.jinja, "
                           "chat_template.json or tokenizer_config.json)");
    }
    AUGSWEEP_ASSIGN_OR_RETURN(Json json, ReadJson(path));
    if (!json.is_object() || !json.contains("chat_template") || json["chat_template"].is_null()) {
      return NotFoundError(path.string() +
                           ": no \"chat_template\" (a base model? use prompt_format: plain)");
    }
    AUGSWEEP_ASSIGN_OR_RETURN(text, TemplateOf(json["chat_template"], path));
    name = path.string() + " chat_template";
  }
  // The special tokens as transformers' special_tokens_map has them: tokenizer_config.json's,
  // with special_tokens_map.json's taking precedence.
  AUGSWEEP_ASSIGN_OR_RETURN(HfTokenizerConfig config, ReadHfTokenizerConfig(model_dir));
  std::map<std::string, std::string> tokens = config.special_tokens;
  AUGSWEEP_ASSIGN_OR_RETURN(auto from_map, ReadSpecialTokensMap(model_dir));
  for (auto& [key, value] : from_map) tokens[key] = std::move(value);
  return FromText(text, std::move(tokens), name);
}

StatusOr<std::string> ChatTemplate::Apply(const jinja::Value& messages,
                                          bool add_generation_prompt) const {
  jinja::ValuePairs variables = {
      {"messages", messages},
      {"tools", jinja::Value::None()},
      {"documents", jinja::Value::None()},
      {"add_generation_prompt", jinja::Value::Bool(add_generation_prompt)},
  };
  for (const auto& [key, value] : special_tokens_) {
    variables.emplace_back(key, jinja::Value::String(value));
  }
  variables.emplace_back(
      "raise_exception",
      jinja::Value::Func("raise_exception", [](jinja::CallArgs& args) -> StatusOr<jinja::Value> {
        const std::string message =
            args.positional.empty() ? std::string("(no message)") : args.positional[0].Str();
        return InvalidArgumentError("the chat template refused the conversation: " + message);
      }));
  const std::time_t now = now_;
  variables.emplace_back("strftime_now",
                         jinja::Value::Func("strftime_now", [now](jinja::CallArgs& args) {
                           return StrftimeNow(now, args);
                         }));
  return template_.Render(variables);
}

StatusOr<std::string> ChatTemplate::Apply(const std::vector<ChatMessage>& messages,
                                          bool add_generation_prompt) const {
  jinja::ValueList list;
  for (const ChatMessage& m : messages) {
    list.push_back(jinja::Value::Dict(
        {{"role", jinja::Value::String(m.role)}, {"content", jinja::Value::String(m.content)}}));
  }
  return Apply(jinja::Value::List(std::move(list)), add_generation_prompt);
}

StatusOr<jinja::Value> ReadChatMessagesFile(const std::string& path) {
  AUGSWEEP_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  StatusOr<jinja::Value> value = jinja::ValueFromJson(text);
  if (!value.ok()) return value.status().WithContext(path);
  if (!value->is_list()) {
    return InvalidArgumentError(path + ": expected a JSON array of {\"role\", \"content\"}");
  }
  for (size_t i = 0; i < value->list().size(); ++i) {
    const jinja::Value& m = value->list()[i];
    const jinja::Value* role = m.Find("role");
    const jinja::Value* content = m.Find("content");
    if (!m.is_dict() || role == nullptr || !role->is_string() || content == nullptr) {
      return InvalidArgumentError(path + ": message " + std::to_string(i) +
                                  ": expected an object with a string \"role\" and a "
                                  "\"content\"");
    }
  }
  return *value;
}

}  // namespace augsweep
