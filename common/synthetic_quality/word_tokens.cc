#include "common/synthetic_quality/word_tokens.h"

namespace augsweep {

std::vector<std::string> WordTokens(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (const char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    const bool letter = (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u >= 0x80;
    if (letter || (u >= 'A' && u <= 'Z')) {
      word += (u >= 'A' && u <= 'Z') ? static_cast<char>(u - 'A' + 'a') : c;
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

}  // namespace augsweep
