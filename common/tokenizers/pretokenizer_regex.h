// Splitting text with a pre-tokenizer regex written for Oniguruma / Python `regex` (the syntax of
// GPT-2's encoder.py and of tokenizer.json "Split" pre-tokenizers) using RE2, which has no
// lookaround and whose \s, \d, \w are ASCII-only.
//
// The pattern is rewritten before RE2 compiles it: \s/\S become explicit Unicode White_Space
// classes, \d becomes \p{Nd}, \w/\W [\p{L}\p{M}\p{Nd}\p{Pc}] (close to Unicode \w), capturing
// groups become non-capturing, and the one lookahead these patterns use, a whole top-level
// alternative `\s+(?!\S)` ("a run of whitespace not followed by a non-space"), becomes a
// capturing `(\s+)`. When that group is what matched and a non-space follows, the match gives
// back its last character, which is exactly what a backtracking engine does for `\s+(?!\S)`:
// the longest run that leaves whitespace after it, or, for a single character, a fall-through
// to the alternatives after it (in GPT-2 and Llama 3 patterns that is `\s+`, the same match).
// Any other lookaround, atomic group or possessive quantifier gives Unimplemented.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace re2 {
class RE2;
}

namespace augsweep {

// GPT-2's pre-tokenizer pattern (openai/gpt-2 encoder.py; also the ByteLevel pre-tokenizer's).
inline constexpr std::string_view kGpt2SplitPattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

class RegexSplitter {
 public:
  // InvalidArgument for a pattern RE2 rejects, Unimplemented for constructs RE2 cannot express.
  static StatusOr<RegexSplitter> Create(std::string_view pattern);

  // Appends the pieces of `text` in order: every match and every stretch between matches
  // (Hugging Face's "Isolated" split behaviour), so the pieces concatenate back to `text`. Bytes
  // that are not valid UTF-8 never match and come out in the stretches between matches.
  void Split(std::string_view text, std::vector<std::string_view>* out) const;

  // The pattern handed to RE2, for diagnostics.
  const std::string& re2_pattern() const { return re2_pattern_; }

 private:
  RegexSplitter() = default;

  std::shared_ptr<const re2::RE2> re_;  // shared: RE2 is immutable and thread-safe once built
  std::string re2_pattern_;
  bool has_whitespace_lookahead_ = false;
};

}  // namespace augsweep
