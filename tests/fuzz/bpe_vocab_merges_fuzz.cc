// GPT-2/RoBERTa's vocab.json and merges.txt (the input split at its first NUL byte), then the
// tokenizer they make on a fixed text.
#include "common/tokenizers/byte_level_bpe.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace augsweep;
  const auto [vocab, merges] = fuzz::SplitAtNul(fuzz::AsText(data, size));
  for (SlowBpeFamily family : {SlowBpeFamily::kGpt2, SlowBpeFamily::kRoberta}) {
    ByteLevelBpeOptions options;
    options.family = family;
    auto tokenizer = ByteLevelBpeFromVocabAndMerges(vocab, merges, "vocab.json", options);
    if (!tokenizer.ok()) continue;
    const auto ids = (*tokenizer)->Encode("Night shifts, café 夜勤 \xF0\x9F\x98\x80 <mask>", true);
    (void)(*tokenizer)->Decode(ids, false);
  }
  return 0;
}
