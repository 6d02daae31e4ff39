#include "common/tokenizers/lower_case_text.h"

#include "common/tokenizers/text_util.h"
#include "common/tokenizers/unicode_data.h"

namespace augsweep {

std::string LowerCaseOutsideTokens(std::string_view text, const std::vector<std::string>& keep) {
  std::string out;
  out.reserve(text.size());
  std::u32string lower;
  for (size_t pos = 0; pos < text.size();) {
    bool kept = false;
    for (const std::string& token : keep) {
      if (!token.empty() && text.compare(pos, token.size(), token) == 0) {
        out.append(token);
        pos += token.size();
        kept = true;
        break;
      }
    }
    if (kept) continue;
    size_t len = 1;
    const int32_t cp = tokenizer_text::DecodeCodePoint(text, pos, &len);
    lower.clear();
    unicode::AppendLower(cp < 0 ? 0xFFFD : cp, &lower);
    out.append(unicode::EncodeUtf8(lower));
    pos += len;
  }
  return out;
}

}  // namespace augsweep
