// Reads a Hugging Face `tokenizer.json` (the Rust `tokenizers` library's serialization) into a
// ByteLevelBpeModel. Only byte-level BPE files are accepted (GPT-2, Llama 3 and the like); see
// byte_level_bpe.h for the supported components. Anything else fails with Unimplemented naming
// the component and the file, e.g. a WordPiece model or a SentencePiece-style tokenizer.json
// (Metaspace, byte_fallback): for LLaMA 1/2 folders LoadTokenizer reads tokenizer.model instead.
//
// Special ids: bos is the post-processor template's leading special token, else one of
// <|begin_of_text|>, <s>, <|endoftext|>; eos is one of <|end_of_text|>, </s>, <|endoftext|>;
// pad is <pad>; mask is <mask>; whichever is an added token or in the vocab first; cls and sep are
// those of a RobertaProcessing/BertProcessing post-processor. Options (e.g. from
// tokenizer_config.json) override these.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/tokenizers/byte_level_bpe.h"

namespace augsweep {

// `source` names the file in errors.
StatusOr<ByteLevelBpeModel> ParseTokenizerJson(std::string_view json_text,
                                               const std::string& source);

StatusOr<std::unique_ptr<ByteLevelBpeTokenizer>> ByteLevelBpeFromTokenizerJson(
    std::string_view json_text, const std::string& source, const ByteLevelBpeOptions& options = {});
StatusOr<std::unique_ptr<ByteLevelBpeTokenizer>> LoadByteLevelBpeFromTokenizerJson(
    const std::string& path, const ByteLevelBpeOptions& options = {});

}  // namespace augsweep
