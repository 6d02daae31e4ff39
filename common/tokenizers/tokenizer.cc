#include "common/tokenizers/tokenizer.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/tokenizers/byte_level_bpe.h"
#include "common/read_file.h"
#include "common/tokenizers/sentencepiece_tokenizer.h"
#include "common/tokenizers/tokenizer_json.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;

bool IsFile(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

// bos/eos/pad token names from a tokenizer_config.json next to `file`, if there is one. Each is
// a string or an AddedToken object {"content": ...}.
StatusOr<ByteLevelBpeOptions> OptionsFromTokenizerConfig(const fs::path& file) {
  ByteLevelBpeOptions options;
  const fs::path config_path = file.parent_path() / "tokenizer_config.json";
  if (!IsFile(config_path)) return options;
  AUGSWEEP_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(config_path.string()));
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return DataLossError(config_path.string() + ": not valid JSON: " + e.what());
  }
  if (!config.is_object()) {
    return InvalidArgumentError(config_path.string() + ": expected a JSON object");
  }
  auto name = [&](const char* key) -> std::string {
    const auto it = config.find(key);
    if (it == config.end()) return "";
    if (it->is_string()) return it->get<std::string>();
    if (it->is_object() && it->contains("content") && (*it)["content"].is_string()) {
      return (*it)["content"].get<std::string>();
    }
    return "";
  };
  options.bos_token = name("bos_token");
  options.eos_token = name("eos_token");
  options.pad_token = name("pad_token");
  return options;
}

StatusOr<std::unique_ptr<Tokenizer>> Upcast(auto&& loaded) {
  if (!loaded.ok()) return loaded.status();
  return std::unique_ptr<Tokenizer>(std::move(loaded).value());
}

StatusOr<std::unique_ptr<Tokenizer>> LoadTokenizerJson(const fs::path& file) {
  AUGSWEEP_ASSIGN_OR_RETURN(ByteLevelBpeOptions options, OptionsFromTokenizerConfig(file));
  return Upcast(LoadByteLevelBpeFromTokenizerJson(file.string(), options));
}

StatusOr<std::unique_ptr<Tokenizer>> LoadVocabJson(const fs::path& vocab) {
  const std::string name = vocab.filename().string();
  fs::path merges = vocab.parent_path() / "merges.txt";
  if (!IsFile(merges) && name.size() > 10) {
    // "<prefix>vocab.json" -> "<prefix>merges.txt"
    merges = vocab.parent_path() / (name.substr(0, name.size() - 10) + "merges.txt");
  }
  if (!IsFile(merges)) {
    return NotFoundError(vocab.string() +
                         ": GPT-2 style vocab.json needs a merges.txt next to it (" +
                         (vocab.parent_path() / "merges.txt").string() + " not found)");
  }
  AUGSWEEP_ASSIGN_OR_RETURN(ByteLevelBpeOptions options, OptionsFromTokenizerConfig(vocab));
  return Upcast(LoadByteLevelBpeFromVocabAndMerges(vocab.string(), merges.string(), options));
}

}  // namespace

std::string Tokenizer::DecodePiece(int32_t previous, int32_t id) const {
  if (previous < 0) return Decode({id}, /*skip_special=*/true);
  const std::string before = Decode({previous}, true);
  std::string both = Decode({previous, id}, true);
  if (both.compare(0, before.size(), before) == 0) return both.substr(before.size());
  return Decode({id}, true);
}

StatusOr<std::unique_ptr<Tokenizer>> LoadTokenizer(const std::string& path) {
  std::error_code ec;
  const fs::path p(path);
  const fs::file_status status = fs::status(p, ec);
  if (ec || !fs::exists(status)) return NotFoundError(path + ": no such file or folder");

  if (fs::is_directory(status)) {
    // LLaMA 1/2 folders often hold a tokenizer.json converted from tokenizer.model as well; the
    // .model file is the original, so it wins.
    if (IsFile(p / "tokenizer.model")) {
      return Upcast(LoadSentencePieceTokenizer((p / "tokenizer.model").string()));
    }
    if (IsFile(p / "tokenizer.json")) return LoadTokenizerJson(p / "tokenizer.json");
    if (IsFile(p / "vocab.json")) return LoadVocabJson(p / "vocab.json");
    return NotFoundError(
        path + ": no tokenizer.model, tokenizer.json or vocab.json (+ merges.txt) in this folder");
  }

  const std::string name = p.filename().string();
  if (p.extension() == ".model") return Upcast(LoadSentencePieceTokenizer(path));
  if (name.size() >= 10 && name.compare(name.size() - 10, 10, "vocab.json") == 0) {
    return LoadVocabJson(p);
  }
  if (p.extension() == ".json") return LoadTokenizerJson(p);
  // Unknown name: a JSON file starts with '{', anything else is tried as a SentencePiece model.
  AUGSWEEP_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(path));
  const size_t first = bytes.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && bytes[first] == '{') return LoadTokenizerJson(p);
  return Upcast(SentencePieceTokenizerFromBytes(bytes, path));
}

}  // namespace augsweep
