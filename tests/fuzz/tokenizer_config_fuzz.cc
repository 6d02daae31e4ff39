// A model folder's tokenizer_config.json: its tokens and settings, and the chat template it may
// hold (a string, or a list of named templates), read the way a worker loads a model.
#include "common/tokenizers/chat_template.h"
#include "common/tokenizers/hf_tokenizer_config.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace augsweep;
  fuzz::WriteScratchFile("tokenizer_config.json", fuzz::AsText(data, size));
  (void)ReadHfTokenizerConfig(fuzz::ScratchFolder());
  auto chat = ChatTemplate::Load(fuzz::ScratchFolder());
  if (chat.ok()) (void)chat->Apply({{"user", "Hello"}}, true);
  return 0;
}
