// A SentencePiece tokenizer.model (a ModelProto), then the tokenizer it makes on a fixed text.
#include "common/tokenizers/sentencepiece_tokenizer.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace augsweep;
  auto tokenizer = SentencePieceTokenizerFromBytes(fuzz::AsText(data, size), "tokenizer.model");
  if (tokenizer.ok()) {
    const auto ids = (*tokenizer)->Encode("Night shifts, café 夜勤 \xF0\x9F\x98\x80 </s>", true);
    (void)(*tokenizer)->Decode(ids, false);
  }
  return 0;
}
