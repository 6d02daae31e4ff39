// A Hugging Face tokenizer.json (byte-level BPE), then the tokenizer it makes on a fixed text.
#include "common/tokenizers/tokenizer_json.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace augsweep;
  auto tokenizer = ByteLevelBpeFromTokenizerJson(fuzz::AsText(data, size), "tokenizer.json");
  if (tokenizer.ok()) {
    const auto ids =
        (*tokenizer)->Encode("Night shifts, café 夜勤 \xF0\x9F\x98\x80 <|im_end|>", true);
    (void)(*tokenizer)->Decode(ids, false);
  }
  return 0;
}
