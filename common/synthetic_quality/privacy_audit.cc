#include "common/synthetic_quality/privacy_audit.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "common/synthetic_quality/word_tokens.h"

namespace augsweep {
namespace {

// A suffix automaton of a sequence of word ids: every substring of the sequence is a path from
// state 0. Real texts are joined with a separator each of its own (negative ids), so no path
// crosses from one real text into the next.
class SuffixAutomaton {
 public:
  SuffixAutomaton() { states_.push_back({0, -1, {}}); }

  void Extend(int token) {
    const int current = static_cast<int>(states_.size());
    states_.push_back({states_[static_cast<size_t>(last_)].length + 1, 0, {}});
    int p = last_;
    while (p != -1 && !states_[static_cast<size_t>(p)].next.count(token)) {
      states_[static_cast<size_t>(p)].next[token] = current;
      p = states_[static_cast<size_t>(p)].link;
    }
    if (p != -1) {
      const int q = states_[static_cast<size_t>(p)].next[token];
      if (states_[static_cast<size_t>(p)].length + 1 == states_[static_cast<size_t>(q)].length) {
        states_[static_cast<size_t>(current)].link = q;
      } else {
        const int clone = static_cast<int>(states_.size());
        State copy = states_[static_cast<size_t>(q)];
        copy.length = states_[static_cast<size_t>(p)].length + 1;
        states_.push_back(std::move(copy));
        while (p != -1) {
          auto it = states_[static_cast<size_t>(p)].next.find(token);
          if (it == states_[static_cast<size_t>(p)].next.end() || it->second != q) break;
          it->second = clone;
          p = states_[static_cast<size_t>(p)].link;
        }
        states_[static_cast<size_t>(q)].link = clone;
        states_[static_cast<size_t>(current)].link = clone;
      }
    }
    last_ = current;
  }

  // The longest run of `tokens` that is a substring of the sequence: (length, end index + 1).
  std::pair<int, size_t> LongestMatch(const std::vector<int>& tokens) const {
    int state = 0, length = 0, best = 0;
    size_t best_end = 0;
    for (size_t i = 0; i < tokens.size(); ++i) {
      while (state != 0 && !states_[static_cast<size_t>(state)].next.count(tokens[i])) {
        state = states_[static_cast<size_t>(state)].link;
        length = states_[static_cast<size_t>(state)].length;
      }
      if (auto it = states_[static_cast<size_t>(state)].next.find(tokens[i]);
          it != states_[static_cast<size_t>(state)].next.end()) {
        state = it->second;
        ++length;
      }
      if (length > best) {
        best = length;
        best_end = i + 1;
      }
    }
    return {best, best_end};
  }

 private:
  struct State {
    int length;
    int link;
    std::map<int, int> next;
  };
  std::vector<State> states_;
  int last_ = 0;
};

}  // namespace

PrivacyAudit AuditSet(const std::vector<std::string>& synthetic,
                      const std::vector<std::string>& real, int span_threshold, int max_findings) {
  PrivacyAudit audit;
  audit.span_threshold = span_threshold;
  std::unordered_map<std::string, int> ids;
  SuffixAutomaton automaton;
  std::unordered_map<std::string, int> document_frequency;
  for (size_t r = 0; r < real.size(); ++r) {
    const std::vector<std::string> words = WordTokens(real[r]);
    for (const std::string& w : words)
      automaton.Extend(ids.emplace(w, static_cast<int>(ids.size())).first->second);
    automaton.Extend(-1 - static_cast<int>(r));
    for (const std::string& w : std::set<std::string>(words.begin(), words.end()))
      ++document_frequency[w];
  }
  for (const auto& [word, df] : document_frequency) audit.rare_tokens_in_real += df == 1;

  std::vector<AuditFinding> findings;
  int long_spans = 0;
  for (size_t s = 0; s < synthetic.size(); ++s) {
    const std::vector<std::string> words = WordTokens(synthetic[s]);
    std::vector<int> tokens;
    for (const std::string& w : words) {
      auto it = ids.find(w);
      tokens.push_back(it == ids.end() ? -1 - static_cast<int>(real.size()) : it->second);
    }
    AuditFinding finding;
    finding.text_index = static_cast<int>(s);
    const auto [length, end] = automaton.LongestMatch(tokens);
    finding.longest_span_words = length;
    for (size_t i = end - static_cast<size_t>(length); i < end; ++i)
      finding.span += (finding.span.empty() ? "" : " ") + words[i];
    std::set<std::string> seen;
    for (const std::string& w : words) {
      auto df = document_frequency.find(w);
      if (df != document_frequency.end() && df->second == 1 && seen.insert(w).second)
        finding.rare_tokens.push_back(w);
    }
    audit.longest_span_words = std::max(audit.longest_span_words, length);
    long_spans += length >= span_threshold;
    audit.texts_with_rare_tokens += !finding.rare_tokens.empty();
    if (length >= span_threshold || !finding.rare_tokens.empty())
      findings.push_back(std::move(finding));
  }
  if (!synthetic.empty())
    audit.share_with_long_span =
        static_cast<double>(long_spans) / static_cast<double>(synthetic.size());
  std::stable_sort(findings.begin(), findings.end(),
                   [](const AuditFinding& a, const AuditFinding& b) {
                     if (a.longest_span_words != b.longest_span_words)
                       return a.longest_span_words > b.longest_span_words;
                     return a.rare_tokens.size() > b.rare_tokens.size();
                   });
  if (findings.size() > static_cast<size_t>(std::max(0, max_findings)))
    findings.resize(static_cast<size_t>(std::max(0, max_findings)));
  audit.worst = std::move(findings);
  return audit;
}

}  // namespace augsweep
