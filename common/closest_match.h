// "Did you mean ...?" for unknown spec keys and flags: the candidate within two edits
// (Levenshtein) of a misspelled word, or "" when none is that close.
#pragma once

#include <string>
#include <vector>

namespace augsweep {

size_t EditDistance(const std::string& a, const std::string& b);

// The first closest candidate within two edits; a candidate is never "close" when the distance
// is as large as the candidate itself (a one-letter name would match every short word).
std::string ClosestMatch(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace augsweep
