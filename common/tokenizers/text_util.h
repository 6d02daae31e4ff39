// Small UTF-8 and byte helpers shared by the tokenizers: decoding one code point, Unicode
// whitespace, the two ways of repairing invalid UTF-8 that the reference tokenizers use, and
// GPT-2's byte-to-unicode alphabet. Kept apart from common/utf8.h because these follow the exact
// conventions of SentencePiece and Hugging Face, not augsweep's input validation.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace augsweep::tokenizer_text {

// "\xE2\x96\x81" (U+2581 LOWER ONE EIGHTH BLOCK), SentencePiece's stand-in for a space.
inline constexpr std::string_view kSpaceSymbol = "\xE2\x96\x81";
// U+FFFD REPLACEMENT CHARACTER.
inline constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";

// Decodes the well-formed UTF-8 sequence at s[pos]; returns the code point and sets *length, or
// returns -1 (and *length = 1) when the bytes there are ill-formed or pos is past the end.
int32_t DecodeCodePoint(std::string_view s, size_t pos, size_t* length);

// Appends the UTF-8 encoding of `cp` (which must be a valid scalar value).
void AppendCodePoint(uint32_t cp, std::string* out);

// Unicode White_Space (what \s means in Oniguruma, Python's `regex` and Rust's `regex`):
// U+0009..U+000D, U+0020, U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F,
// U+205F, U+3000.
bool IsUnicodeWhitespace(int32_t cp);

// Appends `bytes`, replacing every byte that does not start a well-formed UTF-8 sequence with
// U+FFFD, one replacement per byte: SentencePiece's rule for decoding byte-fallback pieces.
void AppendUtf8ReplacingEachBadByte(std::string_view bytes, std::string* out);

// Returns `bytes` with each maximal ill-formed subsequence replaced by one U+FFFD (Unicode's
// "substitution of maximal subparts", which Rust's String::from_utf8_lossy and Python's
// bytes.decode(errors="replace") both implement): the byte-level BPE decoders' rule.
std::string Utf8Lossy(std::string_view bytes);

// GPT-2's reversible byte -> printable code point map (openai/gpt-2 encoder.py bytes_to_unicode):
// bytes '!'..'~', 0xA1..0xAC and 0xAE..0xFF map to themselves, the other 68 bytes, in increasing
// order, to U+0100, U+0101, ...
const std::array<uint16_t, 256>& ByteToUnicode();
// The inverse: code point -> byte, or -1 for a code point outside the alphabet. Indexable by any
// code point below 512; larger ones are never in the alphabet.
int UnicodeToByte(int32_t cp);

// Replaces every occurrence of `from` (non-empty) in `s` by `to`.
std::string ReplaceAll(std::string_view s, std::string_view from, std::string_view to);

// transformers' PreTrainedTokenizerBase.clean_up_tokenization (what decode does with
// clean_up_tokenization_spaces): " ." -> ".", " ?" -> "?", " !" -> "!", " ," -> ",", " ' " -> "'",
// " n't" -> "n't", " 'm" -> "'m", " 's" -> "'s", " 've" -> "'ve", " 're" -> "'re", in that order.
std::string CleanUpTokenizationSpaces(std::string text);

}  // namespace augsweep::tokenizer_text
