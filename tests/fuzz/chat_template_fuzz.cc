// The chat-template language (common/jinja) on an arbitrary template, rendered with a short
// conversation the way the llama executor renders its prompts.
#include "common/tokenizers/chat_template.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace augsweep;
  auto chat = ChatTemplate::FromText(std::string(fuzz::AsText(data, size)),
                                     {{"bos_token", "<s>"}, {"eos_token", "</s>"}}, "fuzz");
  if (!chat.ok()) return 0;
  (void)chat->Apply({{"system", "Be brief."}, {"user", "Hello"}, {"assistant", "Hi"}}, false);
  (void)chat->Apply({{"user", "Write one comment about {theme}."}}, true);
  return 0;
}
