#include "common/tokenizers/text_util.h"

#include <utility>
#include <vector>

namespace augsweep::tokenizer_text {
namespace {

bool InRange(uint8_t b, uint8_t lo, uint8_t hi) { return b >= lo && b <= hi; }

// Length of the longest prefix of s[pos..] that is a valid beginning of some well-formed UTF-8
// sequence (Unicode Table 3-7), and whether that prefix is a complete sequence.
size_t WellFormedPrefix(std::string_view s, size_t pos, bool* complete) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data()) + pos;
  const size_t n = s.size() - pos;
  *complete = false;
  if (n == 0) return 0;
  const uint8_t b0 = p[0];
  if (b0 < 0x80) {
    *complete = true;
    return 1;
  }
  size_t need;
  uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (InRange(b0, 0xC2, 0xDF)) {
    need = 2;
  } else if (b0 == 0xE0) {
    need = 3, lo = 0xA0;
  } else if (InRange(b0, 0xE1, 0xEC) || InRange(b0, 0xEE, 0xEF)) {
    need = 3;
  } else if (b0 == 0xED) {
    need = 3, hi = 0x9F;
  } else if (b0 == 0xF0) {
    need = 4, lo = 0x90;
  } else if (InRange(b0, 0xF1, 0xF3)) {
    need = 4;
  } else if (b0 == 0xF4) {
    need = 4, hi = 0x8F;
  } else {
    return 0;  // 0x80..0xC1, 0xF5..0xFF never start a sequence
  }
  size_t len = 1;
  if (len < n && InRange(p[1], lo, hi)) {
    ++len;
    while (len < need && len < n && InRange(p[len], 0x80, 0xBF)) ++len;
  }
  *complete = len == need;
  return len;
}

std::array<uint16_t, 256> BuildByteToUnicode() {
  std::array<uint16_t, 256> table{};
  uint16_t next = 256;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
    table[b] = printable ? static_cast<uint16_t>(b) : next++;
  }
  return table;
}

std::vector<int16_t> BuildUnicodeToByte() {
  std::vector<int16_t> inverse(512, -1);
  const auto& forward = ByteToUnicode();
  for (int b = 0; b < 256; ++b) inverse[forward[b]] = static_cast<int16_t>(b);
  return inverse;
}

}  // namespace

int32_t DecodeCodePoint(std::string_view s, size_t pos, size_t* length) {
  *length = 1;
  if (pos >= s.size()) return -1;
  bool complete = false;
  const size_t len = WellFormedPrefix(s, pos, &complete);
  if (!complete) return -1;
  const auto* p = reinterpret_cast<const uint8_t*>(s.data()) + pos;
  *length = len;
  switch (len) {
    case 1:
      return p[0];
    case 2:
      return ((p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    case 3:
      return ((p[0] & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    default:
      return ((p[0] & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) | (p[3] & 0x3F);
  }
}

void AppendCodePoint(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsUnicodeWhitespace(int32_t cp) {
  if (cp < 0x80) return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20;
  switch (cp) {
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

void AppendUtf8ReplacingEachBadByte(std::string_view bytes, std::string* out) {
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t len = 1;
    if (DecodeCodePoint(bytes, pos, &len) < 0) {
      out->append(kReplacementChar);
      pos += 1;
    } else {
      out->append(bytes.substr(pos, len));
      pos += len;
    }
  }
}

std::string Utf8Lossy(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  size_t pos = 0;
  while (pos < bytes.size()) {
    bool complete = false;
    const size_t len = WellFormedPrefix(bytes, pos, &complete);
    if (complete) {
      out.append(bytes.substr(pos, len));
      pos += len;
    } else {
      out.append(kReplacementChar);
      pos += len == 0 ? 1 : len;
    }
  }
  return out;
}

const std::array<uint16_t, 256>& ByteToUnicode() {
  static const std::array<uint16_t, 256> table = BuildByteToUnicode();
  return table;
}

int UnicodeToByte(int32_t cp) {
  static const std::vector<int16_t> inverse = BuildUnicodeToByte();
  if (cp < 0 || cp >= static_cast<int32_t>(inverse.size())) return -1;
  return inverse[cp];
}

std::string ReplaceAll(std::string_view s, std::string_view from, std::string_view to) {
  std::string out;
  out.reserve(s.size());
  size_t pos = 0;
  while (true) {
    const size_t hit = s.find(from, pos);
    if (hit == std::string_view::npos) break;
    out.append(s.substr(pos, hit - pos));
    out.append(to);
    pos = hit + from.size();
  }
  out.append(s.substr(pos));
  return out;
}

std::string CleanUpTokenizationSpaces(std::string text) {
  static const std::pair<std::string_view, std::string_view> kRules[] = {
      {" .", "."},     {" ?", "?"},   {" !", "!"},   {" ,", ","},     {" ' ", "'"},
      {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
  };
  for (const auto& [from, to] : kRules) text = ReplaceAll(text, from, to);
  return text;
}

}  // namespace augsweep::tokenizer_text
