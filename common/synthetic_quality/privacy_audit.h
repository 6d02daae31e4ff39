// The privacy audit of a synthetic set: how much of the real training texts it repeats. For each
// synthetic text, the longest run of words it shares verbatim with any real text (a suffix
// automaton over the real texts' words, so the whole set is checked in linear time), and the
// rare real tokens it repeats: words that occur in exactly one real text (a name, a ward number)
// are what identifies a person. Over WordTokens; standard library only.
#pragma once

#include <string>
#include <vector>

namespace augsweep {

struct AuditFinding {
  int text_index = 0;                    // into the synthetic texts given
  int longest_span_words = 0;            // shared verbatim with some real text
  std::string span;                      // those words, joined by spaces
  std::vector<std::string> rare_tokens;  // real words of one real text only, in text order
};

struct PrivacyAudit {
  int span_threshold = 8;           // a span this long or longer counts as a copy
  int longest_span_words = 0;       // over the whole set
  double share_with_long_span = 0;  // texts with a span >= span_threshold, over all texts
  int texts_with_rare_tokens = 0;
  int rare_tokens_in_real = 0;  // words of exactly one real text
  // The worst texts (a long span or a rare token), longest span first, then most rare tokens,
  // then text order; at most max_findings.
  std::vector<AuditFinding> worst;
};

PrivacyAudit AuditSet(const std::vector<std::string>& synthetic,
                      const std::vector<std::string>& real, int span_threshold = 8,
                      int max_findings = 20);

}  // namespace augsweep
