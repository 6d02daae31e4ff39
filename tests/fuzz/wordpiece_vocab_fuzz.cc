// A BERT vocab.txt, then the tokenizer it makes on a fixed text with accents, CJK and emoji.
#include "common/tokenizers/wordpiece.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace augsweep;
  auto tokenizer = WordPieceTokenizer::Create(fuzz::AsText(data, size), "vocab.txt", {});
  if (tokenizer.ok()) {
    const auto ids =
        (*tokenizer)->Encode("Night shifts, café 夜勤 \xF0\x9F\x98\x80 unaffable", true);
    (void)(*tokenizer)->Decode(ids, false);
  }
  return 0;
}
