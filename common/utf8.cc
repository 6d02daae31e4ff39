#include "common/utf8.h"

#include <cstdint>

namespace augsweep {
namespace {

bool IsContinuation(uint8_t b) { return (b & 0xC0) == 0x80; }

// Decodes one sequence at s[0]. On success sets *length and *code_point and returns nullptr;
// otherwise returns the reason the sequence is ill-formed.
const char* DecodeOne(std::string_view s, size_t* length, uint32_t* code_point) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const size_t n = s.size();
  const uint8_t b0 = p[0];
  if (b0 < 0x80) {
    *length = 1;
    *code_point = b0;
    return nullptr;
  }
  if (b0 < 0xC0) return "unexpected continuation byte";
  if (b0 < 0xC2) return "overlong encoding";
  if (b0 >= 0xF8) return "byte that never occurs in UTF-8";
  if (b0 > 0xF4) return "code point above U+10FFFF";

  const size_t len = b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
  // The second byte's allowed range depends on the lead byte (Unicode Table 3-7); checking it
  // first lets us name the specific defect instead of a generic "bad continuation".
  if (n < 2) return "truncated sequence";
  const uint8_t b1 = p[1];
  if (!IsContinuation(b1)) return "expected a continuation byte";
  if (b0 == 0xE0 && b1 < 0xA0) return "overlong encoding";
  if (b0 == 0xED && b1 >= 0xA0) return "UTF-16 surrogate";
  if (b0 == 0xF0 && b1 < 0x90) return "overlong encoding";
  if (b0 == 0xF4 && b1 >= 0x90) return "code point above U+10FFFF";
  for (size_t i = 2; i < len; ++i) {
    if (i >= n) return "truncated sequence";
    if (!IsContinuation(p[i])) return "expected a continuation byte";
  }
  uint32_t cp = b0 & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  for (size_t i = 1; i < len; ++i) cp = (cp << 6) | (p[i] & 0x3F);
  *length = len;
  *code_point = cp;
  return nullptr;
}

bool IsInvisible(uint32_t cp) {
  switch (cp) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x20:
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
    case 0x180E:
    case 0x200B:
    case 0x200C:
    case 0x200D:
    case 0x2060:
    case 0xFEFF:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

}  // namespace

std::optional<Utf8Error> FindUtf8Error(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    // ASCII fast path: most survey text is ASCII.
    if (static_cast<uint8_t>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if (const char* reason = DecodeOne(s.substr(i), &len, &cp)) return Utf8Error{i, reason};
    i += len;
  }
  return std::nullopt;
}

Status ValidateUtf8(std::string_view s) {
  auto error = FindUtf8Error(s);
  if (!error) return OkStatus();
  return InvalidArgumentError("invalid UTF-8 at byte offset " + std::to_string(error->offset) +
                              ": " + error->reason);
}

size_t Utf8SequenceLength(std::string_view s) {
  if (s.empty()) return 0;
  size_t len = 0;
  uint32_t cp = 0;
  return DecodeOne(s, &len, &cp) ? 0 : len;
}

bool IsUtf8Blank(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t len = 0;
    uint32_t cp = 0;
    if (DecodeOne(s.substr(i), &len, &cp)) return false;  // ill-formed bytes are not blank
    if (!IsInvisible(cp)) return false;
    i += len;
  }
  return true;
}

uint32_t FirstCodePoint(std::string_view s) {
  size_t len = 0;
  uint32_t cp = 0;
  if (s.empty() || DecodeOne(s, &len, &cp) != nullptr) return 0xFFFD;
  return cp;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace augsweep
