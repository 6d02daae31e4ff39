// The Unicode character data that Hugging Face's slow (Python) tokenizers use through Python's
// `unicodedata` module and `str` methods, so that our WordPiece and XLNet preprocessing give the
// same tokens: general categories, canonical combining classes, NFD/NFKD/NFC, per-character
// lower case, and Python's ideas of whitespace and digits.
//
// The tables are generated from Python 3.11's unicodedata (Unicode 14.0.0, what produced the
// golden data) by gen_unicode_tables.py into unicode_tables.inc. A newer Unicode version would
// change results for characters assigned since, exactly as a newer Python would.
//
// Code points are int32_t as elsewhere in the tokenizers; text is std::u32string (one element
// per code point, like a Python str). All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace augsweep::unicode {

// Two-letter general category ("Lu", "Mn", "Cn", ...), as unicodedata.category. Code points
// outside [0, 0x10FFFF] report "Cn".
std::string_view GeneralCategory(int32_t cp);

// unicodedata.combining: the canonical combining class, 0 for starters.
int CombiningClass(int32_t cp);

// unicodedata.normalize("NFD" / "NFKD" / "NFC", text).
std::u32string Nfd(std::u32string_view text);
std::u32string Nfkd(std::u32string_view text);
std::u32string Nfc(std::u32string_view text);

// Appends chr(cp).lower(): full lower-case mapping of one code point ("İ" -> "i̇"). It ignores
// the Final_Sigma context that Python's str.lower() applies to a whole string ("ΟΣ" -> "ος"); the
// tokenizers that use this lower-case one character at a time (see wordpiece.h).
void AppendLower(int32_t cp, std::u32string* out);

// str.isspace() of one code point: general category Zs or bidirectional class WS, B or S
// (includes \x1c-\x1f and U+0085, unlike Unicode's White_Space).
bool IsPythonSpace(int32_t cp);

// str.isdigit() of one code point: Numeric_Type Decimal or Digit ("²" and "①" included).
bool IsPythonDigit(int32_t cp);

// UTF-8 <-> code points. Each byte that does not start a well-formed sequence decodes to U+FFFD
// (SentencePiece's rule; Python would have rejected the bytes).
std::u32string DecodeUtf8(std::string_view text);
std::string EncodeUtf8(std::u32string_view text);

}  // namespace augsweep::unicode
