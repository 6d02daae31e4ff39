#include "worker/executors/llama_generator.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <deque>
#include <iterator>
#include <map>
#include <set>

#include "common/deterministic_rng.h"
#include "worker/executors/batch_budget.h"
#include "worker/executors/prompt_template.h"

namespace augsweep {
namespace {

constexpr int kAttemptsPerText = 4;  // cap: N_max × this many completions per theme

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
  loaded->dtype = dtype;
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
  auto should_stop = [&](size_t, const std::vector<int32_t>& ids) {
    const std::string text = tokenizer.Decode(ids, true);
    // A chat reply may open with a preamble line: it runs to its end-of-turn token.
    return (!chat && HasItemBoundary(text)) || HasStop(text, stops);
  };
  const int batch = g.max_batch() > 0 ? g.max_batch() : BatchBudget(g, request, *loaded);
  // Out of device memory: the same job again with half the batch (its texts then follow the
  // smaller batch, as a job planned with that max_batch would).
  return RunHalvingOnOutOfMemory(
      batch,
      [&](int b) {
        options.max_batch = b;
        return GenerateWithBatch(request, *loaded, options, should_stop, clean, stops, control);
      },
      [&](int from, int to) {
        std::fprintf(stderr, "generator %s: out of memory at batch %d, retrying with %d\n",
                     g.name().c_str(), from, to);
      });
}

int LlamaGenerator::BatchBudget(const v1::GeneratorSpec& g, const GenerateRequest& request,
                                const Loaded& loaded) const {
  // The longest prompt the job can render: the longest theme name with the longest examples.
  std::vector<std::string> longest = {""};
  for (const LabelledText& x : request.train) longest.push_back(x.text);
  std::sort(longest.begin(), longest.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  longest.resize(std::min<size_t>(longest.size(), g.examples_per_prompt()));
  std::string theme;
  for (const std::string& t : request.themes) theme = t.size() > theme.size() ? t : theme;
  std::string prompt;
  StatusOr<std::vector<int32_t>> ids = RenderIds(g, loaded, theme, longest, &prompt);
  const int64_t prompt_tokens = ids.ok() ? static_cast<int64_t>(ids->size()) : 512;
  const LlamaConfig& c = loaded.model->config();
  return BatchForDevice(
      LlamaBatchShape(c.num_layers, c.num_kv_heads, c.head_dim, loaded.dtype == "float32" ? 4 : 2,
                      prompt_tokens + g.max_new_tokens(), c.vocab_size),
      device_);
}

StatusOr<v1::SyntheticSet> LlamaGenerator::GenerateWithBatch(
    const GenerateRequest& request, Loaded& loaded, const GenerationOptions& options,
    const std::function<bool(size_t, const std::vector<int32_t>&)>& should_stop,
    const std::vector<std::string>& clean, const std::vector<std::string>& stops,
    JobControl& control) const {
  const v1::GeneratorSpec& g = request.generator;
  const Tokenizer& tokenizer = *loaded.tokenizer;
  const bool chat = g.prompt_format() == "chat";
  const int samples = std::max(1, g.samples_per_prompt());
  const int quota = request.texts_per_theme;
  const int cap = quota * kAttemptsPerText;
  const int themes = static_cast<int>(request.themes.size());

  // Per theme: the training texts its examples are drawn from, its own sampler (so its prompts
  // and seeds do not depend on the other themes), what it kept and how many requests it has out.
  struct Theme {
    std::vector<std::string> pool;
    DeterministicRng rng{0};
    std::set<std::string> seen;
    int kept = 0;
    int attempts = 0;
    int outstanding = 0;
  };
  std::vector<Theme> state(static_cast<size_t>(themes));
  for (int t = 0; t < themes; ++t) {
    Theme& th = state[static_cast<size_t>(t)];
    for (const LabelledText& x : request.train) {
      if (std::binary_search(x.labels.begin(), x.labels.end(), t)) th.pool.push_back(x.text);
    }
    th.rng = DeterministicRng(Mix(Mix(Mix(request.seed, request.repeat), request.fold), t));
  }
  // A theme asks for more while it is short of texts, under its cap of attempts, with a quarter
  // more requests out than texts missing (some completions are dropped).
  auto wants_more = [&](const Theme& th) {
    return !th.pool.empty() && th.kept < quota && th.attempts < cap &&
           th.outstanding < std::max(1, (quota - th.kept) * 5 / 4);
  };

  v1::SyntheticSet out;
  out.set_prompt_template(g.prompt_template());
  struct Queued {
    int theme;
    int prompt;
    SequenceRequest request;
  };
  std::deque<Queued> queued;                // the samples of the last rendered prompt
  std::vector<std::pair<int, int>> origin;  // request number -> (theme, prompt)
  Status render_error;
  int next_theme = 0;  // round robin over the themes
  int total_kept = 0;

  RequestStream stream;
  stream.next = [&]() -> std::optional<SequenceRequest> {
    if (queued.empty() && render_error.ok()) {
      for (int k = 0; k < themes; ++k) {
        const int t = (next_theme + k) % themes;
        Theme& th = state[static_cast<size_t>(t)];
        if (!wants_more(th)) continue;
        next_theme = t + 1;
        std::vector<std::string> shots = th.pool;
        th.rng.Shuffle(shots);
        shots.resize(std::min<size_t>(shots.size(), g.examples_per_prompt()));
        const int prompt = out.prompts_size();
        StatusOr<std::vector<int32_t>> ids =
            RenderIds(g, loaded, request.themes[static_cast<size_t>(t)], shots, out.add_prompts());
        if (!ids.ok()) {
          render_error = ids.status();
          break;
        }
        // The samples of one prompt go out together, so they share its prefill.
        for (int s = 0; s < samples && th.attempts < cap; ++s) {
          queued.push_back(
              {t, prompt, {*ids, Mix(th.rng.Next(), static_cast<uint64_t>(th.attempts))}});
          ++th.attempts;
          ++th.outstanding;
        }
        break;
      }
    }
    if (queued.empty()) return std::nullopt;
    Queued q = std::move(queued.front());
    queued.pop_front();
    origin.emplace_back(q.theme, q.prompt);
    out.add_raw_completions();  // filled when it ends: completions stay in request order
    return std::move(q.request);
  };
  stream.finished = [&](size_t index, SequenceOutput output) {
    const auto [t, prompt] = origin[index];
    Theme& th = state[static_cast<size_t>(t)];
    --th.outstanding;
    const std::string raw = tokenizer.Decode(output.new_ids, true);
    const int completion = static_cast<int>(index);
    out.set_raw_completions(completion, raw);
    const std::string_view reply = CutAtStop(raw, stops);
    std::string item = chat ? CleanChatReply(reply, clean) : FirstItem(reply);
    const char* dropped = item.empty()                   ? "empty"
                          : th.kept >= quota             ? "over quota"
                          : !th.seen.insert(item).second ? "duplicate"
                                                         : nullptr;
    if (dropped) {
      v1::DroppedText* drop = out.add_dropped();
      drop->set_theme(request.themes[static_cast<size_t>(t)]);
      drop->set_reason(dropped);
      drop->set_text(item);
      drop->set_prompt_index(prompt);
      drop->set_completion_index(completion);
      return;
    }
    v1::SyntheticText* text = out.add_texts();
    text->set_theme(request.themes[static_cast<size_t>(t)]);
    text->set_text(item);
    text->set_prompt_index(prompt);
    text->set_completion_index(completion);
    text->set_cut(!output.finished_by_eos && !output.stopped);
    ++th.kept;
    ++total_kept;
    control.ReportProgress(static_cast<float>(total_kept) /
                           static_cast<float>(std::max(1, quota * themes)));
  };
  AUGSWEEP_RETURN_IF_ERROR(loaded.model->GenerateStream(stream, options, should_stop,
                                                        [&] { return control.cancelled(); }));
  AUGSWEEP_RETURN_IF_ERROR(render_error);
  for (const Theme& th : state) out.add_shortfall_per_theme(quota - th.kept);
  // Texts grouped by theme, each theme's in the order they were kept (what train jobs take the
  // first n of); prompts and raw completions stay in the order they were made.
  std::map<std::string, int> theme_index;
  for (int t = 0; t < themes; ++t) theme_index[request.themes[static_cast<size_t>(t)]] = t;
  std::stable_sort(out.mutable_texts()->begin(), out.mutable_texts()->end(),
                   [&](const v1::SyntheticText& a, const v1::SyntheticText& b) {
                     return theme_index[a.theme()] < theme_index[b.theme()];
                   });
  control.ReportProgress(1.0f);
  return out;
}

}  // namespace augsweep
