// UTF-8 validation for user-supplied text (datasets, prompts): strict per Unicode Table 3-7,
// so that bad bytes are reported where they enter rather than deep inside a tokenizer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace augsweep {

struct Utf8Error {
  size_t offset = 0;   // byte offset of the first byte of the ill-formed sequence
  std::string reason;  // e.g. "overlong encoding", "UTF-16 surrogate", "truncated sequence"
};

// Returns the first ill-formed sequence in `s`, or nullopt when `s` is valid UTF-8.
// Rejects overlong encodings, surrogates (U+D800..U+DFFF), code points above U+10FFFF,
// stray continuation bytes and truncated sequences.
std::optional<Utf8Error> FindUtf8Error(std::string_view s);

inline bool IsValidUtf8(std::string_view s) { return !FindUtf8Error(s).has_value(); }

// OK, or InvalidArgument "invalid UTF-8 at byte offset N: <reason>"; callers add the context
// (file, row, field) with Status::WithContext.
Status ValidateUtf8(std::string_view s);

// Length in bytes of the valid UTF-8 sequence starting at s[0], or 0 when it is ill-formed
// (or s is empty).
size_t Utf8SequenceLength(std::string_view s);

// The code point of the valid UTF-8 sequence starting at s[0]; U+FFFD when it is ill-formed (or
// s is empty).
uint32_t FirstCodePoint(std::string_view s);

// Appends the UTF-8 encoding of code point `cp` (at most U+10FFFF).
void AppendUtf8(uint32_t cp, std::string* out);

// True when `s` (valid UTF-8) holds nothing visible: only Unicode White_Space code points,
// zero-width spaces/joiners and byte-order marks. An empty string is blank.
bool IsUtf8Blank(std::string_view s);

}  // namespace augsweep
