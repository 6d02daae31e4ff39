#include "common/dataset/quote.h"

#include <cstdint>

#include "common/utf8.h"

namespace augsweep {

std::string QuoteForMessage(std::string_view s, size_t max_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  size_t i = 0;
  while (i < s.size()) {
    if (i >= max_bytes) {
      out += "...";
      break;
    }
    const auto b = static_cast<uint8_t>(s[i]);
    if (b >= 0x80) {
      const size_t len = Utf8SequenceLength(s.substr(i));
      if (len > 0) {
        out.append(s.substr(i, len));
        i += len;
        continue;
      }
    }
    switch (b) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (b < 0x20 || b == 0x7F || b >= 0x80) {
          out += "\\x";
          out.push_back(kHex[b >> 4]);
          out.push_back(kHex[b & 0xF]);
        } else {
          out.push_back(static_cast<char>(b));
        }
    }
    ++i;
  }
  out += "\"";
  return out;
}

}  // namespace augsweep
