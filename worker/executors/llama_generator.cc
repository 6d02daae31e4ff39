#include "worker/executors/llama_generator.h"

#include <algorithm>
#include <ctime>
#include <iterator>
#include <set>

#include "common/deterministic_rng.h"
#include "worker/executors/prompt_template.h"

namespace augsweep {
namespace {

constexpr int kAttemptsPerText = 4;  // cap: N_max × this many completions per theme
constexpr int kBatch = 16;

// strftime_now in chat templates (Llama 3.2's "Today Date") sees this fixed day, 2024-07-26
// 12:00 UTC, so a generate job renders the same prompts whenever it runs.
constexpr std::time_t kChatTemplateNow = 1721995200;

// Tokens that end an assistant turn in the common chat formats, where the vocabulary has them.
constexpr const char* kEndOfTurnTokens[] = {"<|eot_id|>", "<|eom_id|>",    "<|im_end|>",
                                            "<|end|>",    "<end_of_turn>", "<|endoftext|>"};

uint64_t Mix(uint64_t a, uint64_t b) {
  uint64_t state = a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
  return SplitMix64(state);
}

}  // namespace

StatusOr<LlamaGenerator::Loaded*> LlamaGenerator::Load(const v1::GeneratorSpec& generator) {
  // CPU runs float32: half precision on CPU is slow and not what the GPU would compute anyway.
  const std::string dtype = device_ == "cpu" ? "float32" : generator.dtype();
  const std::string key = generator.model_dir() + "|" + dtype;
  if (loaded_ && loaded_->key == key) return loaded_.get();
  loaded_.reset();  // free the previous model before loading the next
  auto loaded = std::make_unique<Loaded>();
  loaded->key = key;
  AUGSWEEP_ASSIGN_OR_RETURN(loaded->tokenizer, LoadTokenizer(generator.model_dir()));
  LoadOptions options;
  options.device = device_;
  options.dtype = dtype;
  options.threads = threads_;
  AUGSWEEP_ASSIGN_OR_RETURN(loaded->model, LlamaModel::Load(generator.model_dir(), options));
  loaded_ = std::move(loaded);
  return loaded_.get();
}

StatusOr<std::vector<int32_t>> LlamaGenerator::RenderIds(const v1::GeneratorSpec& g,
                                                         const Loaded& loaded,
                                                         const std::string& theme,
                                                         const std::vector<std::string>& shots,
                                                         std::string* prompt) const {
  const std::string user = RenderPrompt(g.prompt_template(), theme, shots);
  if (g.prompt_format() != "chat") {
    *prompt = user;
    return loaded.tokenizer->Encode(*prompt, /*add_special=*/true);
  }
  std::vector<ChatMessage> messages;
  if (!g.system_prompt().empty()) {
    messages.push_back({"system", RenderPrompt(g.system_prompt(), theme, {})});
  }
  messages.push_back({"user", user});
  AUGSWEEP_ASSIGN_OR_RETURN(*prompt, loaded.chat->Apply(messages, /*add_generation_prompt=*/true));
  // The template wrote the BOS (if the model wants one), as apply_chat_template(tokenize=True).
  return loaded.tokenizer->Encode(*prompt, /*add_special=*/false);
}

StatusOr<v1::SyntheticSet> LlamaGenerator::Generate(const GenerateRequest& request,
                                                    JobControl& control) {
  MutexLock lock(&mu_);
  const v1::GeneratorSpec& g = request.generator;
  StatusOr<Loaded*> load = Load(g);
  // The loaders name the file; say which generator of the spec it belongs to.
  if (!load.ok()) return load.status().WithContext("generator " + g.name());
  Loaded* loaded = *load;
  const Tokenizer& tokenizer = *loaded->tokenizer;
  LlamaModel& model = *loaded->model;

  GenerationOptions options;
  options.max_new_tokens = g.max_new_tokens();
  options.temperature = static_cast<float>(request.temperature);
  options.top_p = static_cast<float>(g.top_p());
  options.top_k = g.top_k();
  options.min_p = static_cast<float>(g.min_p());
  options.repetition_penalty = static_cast<float>(g.repetition_penalty());
  options.presence_penalty = static_cast<float>(g.presence_penalty());
  options.frequency_penalty = static_cast<float>(g.frequency_penalty());
  for (const std::string& word : g.bad_words()) {
    std::vector<int32_t> ids = tokenizer.Encode(word, /*add_special=*/false);
    if (!ids.empty()) options.bad_words_ids.push_back(std::move(ids));
  }
  options.eos_ids = model.config().eos_token_ids;
  options.max_batch = kBatch;
  const bool chat = g.prompt_format() == "chat";
  if (chat && !loaded->chat) {
    StatusOr<ChatTemplate> t = ChatTemplate::Load(g.model_dir());
    if (!t.ok()) return t.status().WithContext("generator " + g.name() + " (prompt_format: chat)");
    t->set_now(kChatTemplateNow);
    loaded->chat = std::move(*t);
  }
  if (chat) {  // the reply ends at the end of the assistant's turn
    std::vector<std::string> ends(std::begin(kEndOfTurnTokens), std::end(kEndOfTurnTokens));
    const auto& special = loaded->chat->special_tokens();
    if (const auto it = special.find("eos_token"); it != special.end()) ends.push_back(it->second);
    for (const std::string& end : ends) {
      const int32_t id = tokenizer.PieceToId(end);
      if (id >= 0 &&
          std::find(options.eos_ids.begin(), options.eos_ids.end(), id) == options.eos_ids.end()) {
        options.eos_ids.push_back(id);
      }
    }
  }
  const std::vector<std::string> clean(g.clean().begin(), g.clean().end());

  const std::vector<std::string> stops(g.stop().begin(), g.stop().end());
  const int samples = std::max(1, g.samples_per_prompt());
  v1::SyntheticSet out;
  out.set_prompt_template(g.prompt_template());
  const int themes = static_cast<int>(request.themes.size());
  for (int t = 0; t < themes; ++t) {
    std::vector<std::string> pool;
    for (const LabelledText& x : request.train) {
      if (std::binary_search(x.labels.begin(), x.labels.end(), t)) pool.push_back(x.text);
    }
    DeterministicRng rng(Mix(Mix(Mix(request.seed, request.repeat), request.fold), t));
    std::set<std::string> seen;
    int kept = 0;
    int attempts = 0;
    const int cap = request.texts_per_theme * kAttemptsPerText;
    while (kept < request.texts_per_theme && attempts < cap && !pool.empty()) {
      if (control.cancelled()) return CancelledError("generation cancelled");
      // Never past the cap: the last round may only have room for a few more attempts.
      const int batch =
          std::min({kBatch, std::max(1, (request.texts_per_theme - kept) * 5 / 4), cap - attempts});
      std::vector<SequenceRequest> sequences;
      std::vector<int> prompt_index;
      for (int b = 0; b < batch;) {
        std::vector<std::string> shots = pool;
        rng.Shuffle(shots);
        shots.resize(std::min<size_t>(shots.size(), g.examples_per_prompt()));
        const int prompt = out.prompts_size();
        AUGSWEEP_ASSIGN_OR_RETURN(
            const std::vector<int32_t> ids,
            RenderIds(g, *loaded, request.themes[t], shots, out.add_prompts()));
        // The samples of one prompt are admitted together, so they share its prefill.
        for (int s = 0; s < samples && b < batch; ++s, ++b, ++attempts) {
          prompt_index.push_back(prompt);
          sequences.push_back({ids, Mix(rng.Next(), static_cast<uint64_t>(attempts))});
        }
      }
      auto stop = [&](size_t, const std::vector<int32_t>& ids) {
        const std::string text = tokenizer.Decode(ids, true);
        // A chat reply may open with a preamble line: it runs to its end-of-turn token.
        return (!chat && HasItemBoundary(text)) || HasStop(text, stops);
      };
      AUGSWEEP_ASSIGN_OR_RETURN(
          std::vector<SequenceOutput> outputs,
          model.Generate(sequences, options, stop, [&] { return control.cancelled(); }));
      for (size_t i = 0; i < outputs.size(); ++i) {
        const std::string raw = tokenizer.Decode(outputs[i].new_ids, true);
        const int completion = out.raw_completions_size();
        out.add_raw_completions(raw);
        const std::string_view reply = CutAtStop(raw, stops);
        std::string item = chat ? CleanChatReply(reply, clean) : FirstItem(reply);
        if (item.empty() || kept >= request.texts_per_theme || !seen.insert(item).second) continue;
        v1::SyntheticText* text = out.add_texts();
        text->set_theme(request.themes[t]);
        text->set_text(item);
        text->set_prompt_index(prompt_index[i]);
        text->set_completion_index(completion);
        ++kept;
      }
    }
    out.add_shortfall_per_theme(request.texts_per_theme - kept);
    control.ReportProgress(static_cast<float>(t + 1) / static_cast<float>(themes));
  }
  return out;
}

}  // namespace augsweep
