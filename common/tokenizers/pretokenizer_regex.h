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
//
// Speed: RE2's per-match overhead dominated byte-level encoding, so the two patterns almost every
// byte-level tokenizer uses, GPT-2's and Llama 3's (also Qwen 2's, which takes one digit at a
// time), are matched by a hand-written scanner that follows the alternatives in order; Unicode
// letters and numbers are still classified by RE2, once per code point, and cached. Tests check
// the scanner against the RE2 path, and that against Python's `regex`.
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
// Llama 3's Split pattern (tokenizer.json of meta-llama/Meta-Llama-3-8B); Qwen 2 uses the same
// with \p{N} instead of \p{N}{1,3}.
inline constexpr std::string_view kLlama3SplitPattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
inline constexpr std::string_view kQwen2SplitPattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

class RegexSplitter {
 public:
  // InvalidArgument for a pattern RE2 rejects, Unimplemented for constructs RE2 cannot express.
  // `allow_scanner` = false forces the RE2 path even for the patterns the scanner knows (tests).
  static StatusOr<RegexSplitter> Create(std::string_view pattern, bool allow_scanner = true);

  // Appends the pieces of `text` in order: every match and every stretch between matches
  // (Hugging Face's "Isolated" split behaviour), so the pieces concatenate back to `text`. Bytes
  // that are not valid UTF-8 never match and come out in the stretches between matches.
  void Split(std::string_view text, std::vector<std::string_view>* out) const;

  // The pattern handed to RE2, for diagnostics.
  const std::string& re2_pattern() const { return re2_pattern_; }
  // Whether Split uses the hand-written scanner.
  bool uses_scanner() const { return scanner_ != Scanner::kNone; }

 private:
  enum class Scanner { kNone, kGpt2, kLlama3 };

  RegexSplitter() = default;
  // End of the match starting at text[pos], or pos when no alternative matches there.
  size_t ScanGpt2(std::string_view text, size_t pos) const;
  size_t ScanLlama3(std::string_view text, size_t pos) const;

  Scanner scanner_ = Scanner::kNone;
  int max_digits_ = 3;  // Llama 3: \p{N}{1,3}; Qwen 2: \p{N}

  std::shared_ptr<const re2::RE2> re_;  // shared: RE2 is immutable and thread-safe once built
  std::string re2_pattern_;
  bool has_whitespace_lookahead_ = false;
};

}  // namespace augsweep
