// The lower-casing step of transformers' slow tokenizers (PreTrainedTokenizer.tokenize with
// do_lower_case, 4.36): the text of the special tokens is kept as it is and every other
// character is lower-cased on its own (a regex substitution over single characters), so a final
// "Σ" becomes "σ", never "ς", and "İ" becomes "i̇".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace augsweep {

// At each position the first of `keep` that the text spells there is copied; otherwise one
// character is lower-cased (a byte that is not UTF-8 becomes U+FFFD).
std::string LowerCaseOutsideTokens(std::string_view text, const std::vector<std::string>& keep);

}  // namespace augsweep
