// Commands that run a model folder on worker/runtime (libtorch), without a coordinator: generate
// and golden-check. A build without libtorch has runtime_commands_unavailable.cc instead.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "cli/command_support.h"
#include "cli/commands.h"
#include "common/cli_main.h"
#include "common/tokenizers/tokenizer.h"
#include "worker/executors/prompt_template.h"
#include "worker/runtime/golden_check_command.h"
#include "worker/runtime/llama_model.h"

namespace augsweep::cli {

int RunGenerateCommand(const Args& args) {
  std::string model_dir, prompt, device = "cpu", dtype = "float32";
  double temperature = 0, top_p = 1, min_p = 0, presence_penalty = 0, frequency_penalty = 0;
  int64_t top_k = 0, max_new_tokens = 64, seed = 0, num_samples = 1;
  bool echo = false;
  std::vector<std::string> stops;
  FlagSet flags(
      "augsweep generate --model DIR --prompt TEXT [flags]",
      "Continues TEXT with a LLaMA-family model folder (config.json, *.safetensors,\n"
      "tokenizer.model or tokenizer.json) and prints the continuation; with\n"
      "--samples-per-prompt K, K samples separated by lines of '---'. Temperature 0 is greedy.");
  flags.String("model", &model_dir, "Hugging Face model folder");
  flags.String("prompt", &prompt, "the text to continue");
  flags.Double("temperature", &temperature, "sampling temperature (0: greedy)");
  flags.Double("top-p", &top_p,
               "nucleus sampling: smallest set of tokens with this much probability");
  flags.Int("top-k", &top_k, "sample among the k most likely tokens (0: off)");
  flags.Double("min-p", &min_p,
               "drop tokens less probable than this times the most probable one (0: off)");
  flags.Double("presence-penalty", &presence_penalty,
               "lower a generated token's logit once it appeared, -2 to 2 (0: off)");
  flags.Double("frequency-penalty", &frequency_penalty,
               "lower a generated token's logit for each time it appeared, -2 to 2 (0: off)");
  flags.Int("max-new-tokens", &max_new_tokens, "tokens to generate at most");
  flags.StringList("stop", &stops,
                   "end a continuation at this text, which is not printed (matched on the "
                   "decoded text, across token boundaries)");
  flags.Int("seed", &seed, "seed of the first sample; sample i uses seed + i");
  flags.Int("samples-per-prompt", &num_samples,
            "continuations of the prompt, each with its own seed; they share its prefill");
  flags.Bool("echo", &echo, "print the prompt and the continuation decoded as one text");
  flags.String("device", &device, "cpu or cuda");
  flags.String("dtype", &dtype, "float32, float16 or bfloat16");
  std::vector<std::string> positional;
  if (auto code = ParseFlagsOrExit(flags, args, "augsweep generate", &positional)) return *code;
  if (model_dir.empty() || !positional.empty() || num_samples < 1 || max_new_tokens < 1 ||
      temperature < 0 || top_p <= 0 || top_p > 1 || top_k < 0 || seed < 0 || min_p < 0 ||
      min_p > 1 || std::abs(presence_penalty) > 2 || std::abs(frequency_penalty) > 2) {
    return ReportError(
        "generate",
        InvalidArgumentError(
            "expected --model DIR, --samples-per-prompt >= 1, --max-new-tokens >= 1, "
            "--temperature >= 0, 0 < --top-p <= 1, --top-k >= 0, 0 <= --min-p <= 1, "
            "--presence-penalty and --frequency-penalty in [-2, 2], --seed >= 0 (see --help)"));
  }
  StatusOr<std::unique_ptr<Tokenizer>> tokenizer = LoadTokenizer(model_dir);
  if (!tokenizer.ok()) return ReportError("generate", tokenizer.status());
  LoadOptions load;
  load.device = device;
  load.dtype = dtype;
  StatusOr<std::unique_ptr<LlamaModel>> model = LlamaModel::Load(model_dir, load);
  if (!model.ok()) return ReportError("generate", model.status());

  const std::vector<int32_t> prompt_ids = (*tokenizer)->Encode(prompt, true);
  std::vector<SequenceRequest> requests;
  for (int64_t i = 0; i < num_samples; ++i)
    requests.push_back({prompt_ids, static_cast<uint64_t>(seed + i)});
  GenerationOptions options;
  options.max_new_tokens = static_cast<int>(max_new_tokens);
  options.temperature = static_cast<float>(temperature);
  options.top_p = static_cast<float>(top_p);
  options.top_k = static_cast<int>(top_k);
  options.min_p = static_cast<float>(min_p);
  options.presence_penalty = static_cast<float>(presence_penalty);
  options.frequency_penalty = static_cast<float>(frequency_penalty);
  options.eos_ids = (*model)->config().eos_token_ids;
  const Tokenizer& decoder = **tokenizer;
  auto should_stop = [&](size_t, const std::vector<int32_t>& ids) {
    return !stops.empty() && HasStop(decoder.Decode(ids, true), stops);
  };
  StatusOr<std::vector<SequenceOutput>> outputs =
      (*model)->Generate(requests, options, should_stop, [] { return false; });
  if (!outputs.ok()) return ReportError("generate", outputs.status());
  for (size_t i = 0; i < outputs->size(); ++i) {
    if (i > 0) std::printf("---\n");
    std::vector<int32_t> ids = (*outputs)[i].new_ids;
    // What follows a stop string (and the stop string itself) is not printed.
    const std::string continuation = decoder.Decode(ids, true);
    const size_t dropped = continuation.size() - CutAtStop(continuation, stops).size();
    if (echo) ids.insert(ids.begin(), prompt_ids.begin(), prompt_ids.end());
    std::string text = echo ? decoder.Decode(ids, true) : continuation;
    text.resize(text.size() - std::min(dropped, text.size()));
    std::printf("%s\n", text.c_str());
  }
  return 0;
}

// The command line is shared with the runtime-only program augsweep-golden-check.
int RunGoldenCheckCommand(const Args& args) {
  return GoldenCheckMain(args, "augsweep golden-check");
}

}  // namespace augsweep::cli
