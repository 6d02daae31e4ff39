// The sanity filter of synthetic texts: what no study wants in its training data whatever the
// generator — an empty text, one too short or too long, one that is mostly not letters, and an
// echo of the prompt (its instructions, or one of the real examples it showed). Over WordTokens;
// standard library only.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace augsweep {

struct SanityOptions {
  int min_words = 3;
  int max_words = 200;
  double min_letter_share = 0.5;  // letters among the non-space characters
  double echo_jaccard = 0.9;      // word-set Jaccard with an example at which a text is its echo
};

// "" when the text passes; else the first reason, in this order: "empty", "too short",
// "too long", "non-letters", "echo of the prompt", "echo of an example".
// `prompt_without_examples`: the prompt's own words (its template without the examples), whose
// text repeated verbatim is an echo; `examples`: the real texts the prompt showed.
std::string SanityReason(std::string_view text, std::string_view prompt_without_examples,
                         const std::vector<std::string>& examples,
                         const SanityOptions& options = {});

}  // namespace augsweep
