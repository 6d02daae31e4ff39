#include "common/tokenizers/tokenizer.h"

namespace augsweep {

std::string Tokenizer::DecodePiece(int32_t previous, int32_t id) const {
  if (previous < 0) return Decode({id}, /*skip_special=*/true);
  const std::string before = Decode({previous}, true);
  std::string both = Decode({previous, id}, true);
  if (both.compare(0, before.size(), before) == 0) return both.substr(before.size());
  return Decode({id}, true);
}

}  // namespace augsweep
