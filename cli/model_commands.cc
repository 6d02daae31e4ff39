// `augsweep tokenize`: a tokenizer file or model folder, without a coordinator or libtorch
// (generate and golden-check, which run models, are in runtime_commands.cc).
// For users checking a checkpoint before pointing a sweep at it, and for scripted checks.
#include <cstdio>
#include <string>

#include "cli/command_support.h"
#include "cli/commands.h"
#include "common/cli_main.h"
#include "common/tokenizers/chat_template.h"
#include "common/tokenizers/tokenizer.h"

namespace augsweep::cli {

int RunTokenizeCommand(const Args& args) {
  std::string tokenizer_path;
  bool no_special = false;
  FlagSet flags(
      "augsweep tokenize --tokenizer PATH [--no-special] TEXT",
      "Prints the token ids of TEXT as a JSON array. PATH is a tokenizer file\n"
      "(tokenizer.model, tokenizer.json, vocab.json, spiece.model, vocab.txt) or a model\n"
      "folder (LLaMA family, BERT, DistilBERT, RoBERTa, XLNet). Special tokens are added\n"
      "as the model family's tokenizer adds them (LLaMA: BOS; BERT: [CLS] .. [SEP];\n"
      "RoBERTa: <s> .. </s>; XLNet: .. <sep> <cls>) unless --no-special.");
  flags.String("tokenizer", &tokenizer_path, "tokenizer file or model folder");
  flags.Bool("no-special", &no_special, "add no special tokens");
  std::vector<std::string> positional;
  if (auto code = ParseFlagsOrExit(flags, args, "augsweep tokenize", &positional)) return *code;
  if (tokenizer_path.empty() || positional.size() != 1) {
    return ReportError("tokenize",
                       InvalidArgumentError("expected --tokenizer PATH and one TEXT (see --help)"));
  }
  StatusOr<std::unique_ptr<Tokenizer>> tokenizer = LoadTokenizer(tokenizer_path);
  if (!tokenizer.ok()) return ReportError("tokenize", tokenizer.status());
  std::string out = "[";
  for (int32_t id : (*tokenizer)->Encode(positional[0], !no_special)) {
    out += (out.size() > 1 ? "," : "") + std::to_string(id);
  }
  std::printf("%s]\n", out.c_str());
  return 0;
}

int RunChatTemplateCommand(const Args& args) {
  std::string model_dir;
  std::string messages_path;
  bool add_generation_prompt = false;
  FlagSet flags(
      "augsweep chat-template --model DIR --messages FILE [--add-generation-prompt]",
      "Prints exactly the string DIR's chat template renders for the conversation in FILE (a\n"
      "JSON array of {\"role\", \"content\"}), as transformers' apply_chat_template(messages,\n"
      "tokenize=False) renders it, with no newline added. The template comes from\n"
      "chat_template.jinja, chat_template.json or tokenizer_config.json; only those files and\n"
      "special_tokens_map.json are read, so a template can be checked before a sweep uses it.");
  flags.String("model", &model_dir, "model folder (or a folder with just tokenizer_config.json)");
  flags.String("messages", &messages_path, "JSON array of {\"role\", \"content\"} messages");
  flags.Bool("add-generation-prompt", &add_generation_prompt,
             "end with the assistant turn's opening, as generation needs");
  std::vector<std::string> positional;
  if (auto code = ParseFlagsOrExit(flags, args, "augsweep chat-template", &positional)) {
    return *code;
  }
  if (model_dir.empty() || messages_path.empty() || !positional.empty()) {
    return ReportError(
        "chat-template",
        InvalidArgumentError("expected --model DIR and --messages FILE (see --help)"));
  }
  StatusOr<ChatTemplate> chat = ChatTemplate::Load(model_dir);
  if (!chat.ok()) return ReportError("chat-template", chat.status());
  StatusOr<jinja::Value> messages = ReadChatMessagesFile(messages_path);
  if (!messages.ok()) return ReportError("chat-template", messages.status());
  StatusOr<std::string> text = chat->Apply(*messages, add_generation_prompt);
  if (!text.ok()) return ReportError("chat-template", text.status());
  std::fwrite(text->data(), 1, text->size(), stdout);
  return 0;
}

}  // namespace augsweep::cli
