#include "common/synthetic_quality/sanity_filter.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "common/synthetic_quality/word_tokens.h"

namespace augsweep {
namespace {

double WordSetJaccard(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const std::set<std::string> sa(a.begin(), a.end()), sb(b.begin(), b.end());
  if (sa.empty() && sb.empty()) return 1;
  size_t common = 0;
  for (const std::string& w : sa) common += sb.count(w);
  return static_cast<double>(common) / static_cast<double>(sa.size() + sb.size() - common);
}

// The words of `text` joined by single spaces, with spaces around: a containment test on it
// matches whole words only.
std::string Joined(const std::vector<std::string>& words) {
  std::string out = " ";
  for (const std::string& w : words) out += w + " ";
  return out;
}

}  // namespace

std::string SanityReason(std::string_view text, std::string_view prompt_without_examples,
                         const std::vector<std::string>& examples, const SanityOptions& options) {
  const std::vector<std::string> words = WordTokens(text);
  if (words.empty()) return "empty";
  if (static_cast<int>(words.size()) < options.min_words) return "too short";
  if (static_cast<int>(words.size()) > options.max_words) return "too long";
  size_t letters = 0, visible = 0;
  for (const char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (std::isspace(u)) continue;
    ++visible;
    letters += std::isalpha(u) || u >= 0x80;
  }
  if (visible > 0 && static_cast<double>(letters) < options.min_letter_share * visible)
    return "non-letters";
  // The prompt's instructions repeated: the whole text appears in them word for word.
  const std::vector<std::string> prompt_words = WordTokens(prompt_without_examples);
  if (words.size() >= 3 && Joined(prompt_words).find(Joined(words)) != std::string::npos)
    return "echo of the prompt";
  for (const std::string& example : examples) {
    if (WordSetJaccard(words, WordTokens(example)) >= options.echo_jaccard)
      return "echo of an example";
  }
  return "";
}

}  // namespace augsweep
