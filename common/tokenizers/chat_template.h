// A model folder's chat template, rendered as transformers' apply_chat_template(messages,
// tokenize=False, add_generation_prompt=...) renders it: the template from chat_template.jinja,
// chat_template.json or tokenizer_config.json's "chat_template", the special tokens as strings,
// tools and documents none, and transformers' raise_exception and strftime_now.
#pragma once

#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "common/jinja/template.h"
#include "common/status.h"

namespace augsweep {

struct ChatMessage {
  std::string role;  // "system", "user", "assistant"
  std::string content;
};

class ChatTemplate {
 public:
  // The first of `model_dir`/chat_template.jinja, chat_template.json ({"chat_template": ...})
  // and tokenizer_config.json's "chat_template" (a string, or a list of {"name", "template"}:
  // the one named "default"). NotFound naming the folder when none has one; InvalidArgument
  // naming the file and template line when the template is not valid or not supported.
  static StatusOr<ChatTemplate> Load(const std::string& model_dir);

  // A template from text; `special_tokens` are bos_token, eos_token, ... by name. `name`
  // prefixes errors.
  static StatusOr<ChatTemplate> FromText(const std::string& text,
                                         std::map<std::string, std::string> special_tokens,
                                         const std::string& name);

  // The prompt string. `messages` is a list of {"role", "content"} dicts (any JSON the template
  // reads). A template's raise_exception is an InvalidArgument with its message.
  StatusOr<std::string> Apply(const jinja::Value& messages, bool add_generation_prompt) const;
  StatusOr<std::string> Apply(const std::vector<ChatMessage>& messages,
                              bool add_generation_prompt) const;

  // strftime_now's clock (default: the current time). The generate executor fixes it so a
  // rerun renders the same prompts.
  void set_now(std::time_t now) { now_ = now; }

  // The special tokens the template sees (bos_token, eos_token, ...), by name.
  const std::map<std::string, std::string>& special_tokens() const { return special_tokens_; }
  const std::string& source_name() const { return name_; }

 private:
  ChatTemplate(jinja::Template t, std::map<std::string, std::string> special_tokens,
               std::string name)
      : template_(std::move(t)),
        special_tokens_(std::move(special_tokens)),
        name_(std::move(name)) {}

  jinja::Template template_;
  std::map<std::string, std::string> special_tokens_;
  std::string name_;
  std::time_t now_ = 0;  // 0: the current time
};

// Reads a messages file for `augsweep chat-template`: a JSON array of {"role", "content"}
// objects. Errors name the file and the element.
StatusOr<jinja::Value> ReadChatMessagesFile(const std::string& path);

}  // namespace augsweep
