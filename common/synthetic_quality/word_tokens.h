// The word tokens the quality measures and the privacy audit count: lower-cased runs of ASCII
// letters and digits, with every byte of a multi-byte UTF-8 character counted as a letter (so
// "Zoë" stays one word); everything else separates words. Deliberately simpler than any model's
// tokenizer: the measures must not depend on which generator or classifier a sweep uses.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace augsweep {

std::vector<std::string> WordTokens(std::string_view text);

}  // namespace augsweep
