#include "common/tokenizers/tokenizer.h"

#include <filesystem>

#include "common/read_file.h"
#include "common/tokenizers/byte_level_bpe.h"
#include "common/tokenizers/hf_tokenizer_config.h"
#include "common/tokenizers/sentencepiece_tokenizer.h"
#include "common/tokenizers/tokenizer_json.h"
#include "common/tokenizers/wordpiece.h"
#include "common/tokenizers/xlnet_tokenizer.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;

bool IsFile(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Special-token names from tokenizer_config.json. bos/eos/pad apply to every byte-level BPE
// folder (as before); the classifier tokens only to RoBERTa, whose configs always name them.
ByteLevelBpeOptions ByteLevelOptions(const HfTokenizerConfig& config) {
  ByteLevelBpeOptions options;
  options.bos_token = config.SpecialToken("bos_token", "");
  options.eos_token = config.SpecialToken("eos_token", "");
  options.pad_token = config.SpecialToken("pad_token", "");
  if (config.family() == TokenizerFamily::kRoberta) {
    options.family = SlowBpeFamily::kRoberta;
    options.unk_token = config.SpecialToken("unk_token", "");
    options.cls_token = config.SpecialToken("cls_token", "");
    options.sep_token = config.SpecialToken("sep_token", "");
    options.mask_token = config.SpecialToken("mask_token", "");
    // RobertaTokenizer.decode cleans up spaces unless told not to.
    options.clean_up_tokenization_spaces = config.clean_up_tokenization_spaces.value_or(true);
  }
  return options;
}

WordPieceOptions WordPieceOptionsFrom(const HfTokenizerConfig& config) {
  WordPieceOptions options;
  options.do_lower_case = config.do_lower_case.value_or(options.do_lower_case);
  options.tokenize_chinese_chars =
      config.tokenize_chinese_chars.value_or(options.tokenize_chinese_chars);
  options.strip_accents = config.strip_accents;
  options.clean_up_tokenization_spaces =
      config.clean_up_tokenization_spaces.value_or(options.clean_up_tokenization_spaces);
  options.unk_token = config.SpecialToken("unk_token", options.unk_token);
  options.sep_token = config.SpecialToken("sep_token", options.sep_token);
  options.pad_token = config.SpecialToken("pad_token", options.pad_token);
  options.cls_token = config.SpecialToken("cls_token", options.cls_token);
  options.mask_token = config.SpecialToken("mask_token", options.mask_token);
  return options;
}

XlnetOptions XlnetOptionsFrom(const HfTokenizerConfig& config) {
  XlnetOptions options;
  options.do_lower_case = config.do_lower_case.value_or(options.do_lower_case);
  options.remove_space = config.remove_space.value_or(options.remove_space);
  options.keep_accents = config.keep_accents.value_or(options.keep_accents);
  options.clean_up_tokenization_spaces =
      config.clean_up_tokenization_spaces.value_or(options.clean_up_tokenization_spaces);
  for (auto [key, token] :
       {std::pair{"bos_token", &options.bos_token}, std::pair{"eos_token", &options.eos_token},
        std::pair{"unk_token", &options.unk_token}, std::pair{"sep_token", &options.sep_token},
        std::pair{"pad_token", &options.pad_token}, std::pair{"cls_token", &options.cls_token},
        std::pair{"mask_token", &options.mask_token}}) {
    *token = config.SpecialToken(key, *token);
  }
  if (config.additional_special_tokens) {
    options.additional_special_tokens = *config.additional_special_tokens;
  }
  return options;
}

StatusOr<std::unique_ptr<Tokenizer>> Upcast(auto&& loaded) {
  if (!loaded.ok()) return loaded.status();
  return std::unique_ptr<Tokenizer>(std::move(loaded).value());
}

StatusOr<std::unique_ptr<Tokenizer>> LoadTokenizerJson(const fs::path& file,
                                                       const HfTokenizerConfig& config) {
  return Upcast(LoadByteLevelBpeFromTokenizerJson(file.string(), ByteLevelOptions(config)));
}

StatusOr<std::unique_ptr<Tokenizer>> LoadVocabJson(const fs::path& vocab,
                                                   const HfTokenizerConfig& config) {
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
  return Upcast(LoadByteLevelBpeFromVocabAndMerges(vocab.string(), merges.string(),
                                                   ByteLevelOptions(config)));
}

StatusOr<std::unique_ptr<Tokenizer>> LoadSentencePieceFile(const fs::path& file,
                                                           const HfTokenizerConfig& config) {
  if (config.family() == TokenizerFamily::kXlnet) {
    return Upcast(LoadXlnetTokenizer(file.string(), XlnetOptionsFrom(config)));
  }
  return Upcast(LoadSentencePieceTokenizer(file.string()));
}

StatusOr<std::unique_ptr<Tokenizer>> LoadVocabTxt(const fs::path& file,
                                                  const HfTokenizerConfig& config) {
  return Upcast(LoadWordPieceTokenizer(file.string(), WordPieceOptionsFrom(config)));
}

// A classifier folder whose config names its family: that family's file, or NotFound naming it.
StatusOr<std::unique_ptr<Tokenizer>> LoadFamilyFolder(const fs::path& folder,
                                                      const HfTokenizerConfig& config) {
  const std::string what = config.model_type.empty()
                               ? "tokenizer_class \"" + config.tokenizer_class + "\""
                               : "model_type \"" + config.model_type + "\"";
  switch (config.family()) {
    case TokenizerFamily::kWordPiece:
      if (IsFile(folder / "vocab.txt")) return LoadVocabTxt(folder / "vocab.txt", config);
      return NotFoundError(folder.string() + ": " + what +
                           " is a WordPiece model, but there is no vocab.txt in this folder");
    case TokenizerFamily::kXlnet:
      if (IsFile(folder / "spiece.model")) {
        return LoadSentencePieceFile(folder / "spiece.model", config);
      }
      return NotFoundError(folder.string() + ": " + what +
                           " is an XLNet model, but there is no spiece.model in this folder");
    case TokenizerFamily::kRoberta:
      // The slow files are what RobertaTokenizer reads and what the golden data used.
      if (IsFile(folder / "vocab.json")) return LoadVocabJson(folder / "vocab.json", config);
      if (IsFile(folder / "tokenizer.json")) {
        return LoadTokenizerJson(folder / "tokenizer.json", config);
      }
      return NotFoundError(folder.string() + ": " + what +
                           " is a RoBERTa model, but there is no vocab.json + merges.txt or "
                           "tokenizer.json in this folder");
    case TokenizerFamily::kUnknown:
      break;
  }
  return InternalError("LoadFamilyFolder called without a family");
}

StatusOr<std::unique_ptr<Tokenizer>> LoadFolder(const fs::path& folder) {
  AUGSWEEP_ASSIGN_OR_RETURN(HfTokenizerConfig config, ReadHfTokenizerConfig(folder.string()));
  // LLaMA 1/2 folders often hold a tokenizer.json converted from tokenizer.model as well; the
  // .model file is the original, so it wins.
  if (IsFile(folder / "tokenizer.model") && config.family() != TokenizerFamily::kXlnet) {
    return LoadSentencePieceFile(folder / "tokenizer.model", config);
  }
  if (config.family() != TokenizerFamily::kUnknown) return LoadFamilyFolder(folder, config);
  // No config names the family: the first file present. A tokenizer.json we cannot read (a
  // WordPiece or Unigram one, say) gives way to the slow files next to it.
  StatusOr<std::unique_ptr<Tokenizer>> json_result = NotFoundError("");
  if (IsFile(folder / "tokenizer.json")) {
    json_result = LoadTokenizerJson(folder / "tokenizer.json", config);
    if (json_result.ok() || json_result.status().code() != StatusCode::kUnimplemented) {
      return json_result;
    }
  }
  if (IsFile(folder / "vocab.json")) return LoadVocabJson(folder / "vocab.json", config);
  if (IsFile(folder / "spiece.model"))
    return LoadSentencePieceFile(folder / "spiece.model", config);
  if (IsFile(folder / "vocab.txt")) return LoadVocabTxt(folder / "vocab.txt", config);
  if (!json_result.ok() && json_result.status().code() == StatusCode::kUnimplemented) {
    return json_result;
  }
  return NotFoundError(folder.string() +
                       ": no tokenizer.model, tokenizer.json, vocab.json (+ merges.txt), "
                       "spiece.model or vocab.txt in this folder");
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
  if (fs::is_directory(status)) return LoadFolder(p);

  // A single file: the configs next to it still say which family it belongs to.
  AUGSWEEP_ASSIGN_OR_RETURN(HfTokenizerConfig config,
                            ReadHfTokenizerConfig(p.parent_path().string()));
  const std::string name = p.filename().string();
  if (p.extension() == ".model") return LoadSentencePieceFile(p, config);
  if (EndsWith(name, "vocab.json")) return LoadVocabJson(p, config);
  if (p.extension() == ".json") return LoadTokenizerJson(p, config);
  if (p.extension() == ".txt") return LoadVocabTxt(p, config);
  // Unknown name: a JSON file starts with '{', anything else is tried as a SentencePiece model.
  AUGSWEEP_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(path));
  const size_t first = bytes.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && bytes[first] == '{') return LoadTokenizerJson(p, config);
  return Upcast(SentencePieceTokenizerFromBytes(bytes, path));
}

}  // namespace augsweep
