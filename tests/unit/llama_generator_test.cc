// The `llama` generator executor (worker/executors/llama_generator.h) on the real stories260K
// model with examples/templates/plain.txt: N texts per theme or a reported shortfall, every text
// traceable to a prompt that holds only training texts of its theme (sentinel texts make a leak
// visible), determinism, greedy decoding, cancellation and model errors.
#include "worker/executors/llama_generator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/tokenizers/chat_template.h"
#include "worker/executors/prompt_template.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;

const fs::path kStoriesDir = fs::path(AUGSWEEP_FIXTURES_DIR) / "hf-real" / "stories260K";
const fs::path kPlainTemplate =
    fs::path(AUGSWEEP_SOURCE_DIR) / "examples" / "templates" / "plain.txt";

const std::vector<std::string> kThemes = {"pets", "food", "weather"};  // no weather text is given

// Every training text carries a sentinel tag ("[P2]") naming its themes: P pets, F food, PF both.
// A prompt may hold only tags of its own theme; held-out tags ("[H1]") must never appear.
const std::vector<LabelledText> kTrain = {
    {"Lily hugged her soft puppy [P1]", {0}},        {"The cat slept on the warm bed [P2]", {0}},
    {"Tom fed his little fish every day [P3]", {0}}, {"The bunny hopped in the garden [P4]", {0}},
    {"The dog ate a big red apple [PF1]", {0, 1}},   {"Mom baked a sweet cake [F1]", {1}},
    {"We ate hot soup for lunch [F2]", {1}},         {"The bread was soft and warm [F3]", {1}},
    {"Ben liked his cookies with milk [F4]", {1}},
};
// The held-out fold: what a job runner never passes to a generator.
const std::vector<std::string> kHeldOut = {"The kitten chased a ball [H1]",
                                           "Sue ate a green pear [H2]"};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Counts the calls to cancelled(); cancels once `cancel_after` calls have returned false.
class FakeJobControl : public JobControl {
 public:
  explicit FakeJobControl(int cancel_after = -1) : cancel_after_(cancel_after) {}
  bool cancelled() const override {
    ++calls_;
    return cancel_after_ >= 0 && calls_ > cancel_after_;
  }
  void ReportProgress(float fraction) override { progress.push_back(fraction); }

  std::vector<float> progress;
  mutable int calls_ = 0;

 private:
  int cancel_after_;
};

GenerateRequest Request(uint64_t seed = 7, double temperature = 1.0, int texts_per_theme = 4) {
  GenerateRequest r;
  v1::GeneratorSpec& g = r.generator;
  g.set_name("stories260K");
  g.set_kind("llama");
  g.set_model_dir(kStoriesDir.string());
  g.set_dtype("float32");
  g.set_prompt_template_path(kPlainTemplate.string());
  g.set_prompt_template(ReadFile(kPlainTemplate));
  g.set_max_new_tokens(24);
  g.set_top_p(0.95);
  g.set_top_k(0);
  g.set_repetition_penalty(1.0);
  g.set_examples_per_prompt(2);
  r.temperature = temperature;
  r.texts_per_theme = texts_per_theme;
  r.seed = seed;
  r.repeat = 0;
  r.fold = 1;
  r.themes = kThemes;
  r.train = kTrain;
  return r;
}

// One executor for the whole binary: it keeps its model loaded between requests, as a worker's.
LlamaGenerator& Generator() {
  static LlamaGenerator* generator = new LlamaGenerator("cpu", /*threads=*/1);
  return *generator;
}

v1::SyntheticSet MustGenerate(const GenerateRequest& request) {
  FakeJobControl control;
  auto result = Generator().Generate(request, control);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : v1::SyntheticSet();
}

// The theme a rendered plain.txt prompt is about ("... Each comment is about pets."), or -1.
int ThemeOfPrompt(const std::string& prompt) {
  int found = -1;
  for (size_t t = 0; t < kThemes.size(); ++t) {
    if (prompt.find("about " + kThemes[t] + ".\n") != std::string::npos) {
      if (found != -1) return -2;  // about two themes
      found = static_cast<int>(t);
    }
  }
  return found;
}

std::vector<std::string> TagsIn(const std::string& text) {
  static const std::regex kTag(R"(\[[A-Z]+[0-9]+\])");
  std::vector<std::string> tags;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kTag); it != std::sregex_iterator();
       ++it) {
    tags.push_back(it->str());
  }
  return tags;
}

int ThemeIndex(const std::string& theme) {
  for (size_t t = 0; t < kThemes.size(); ++t) {
    if (kThemes[t] == theme) return static_cast<int>(t);
  }
  return -1;
}

// The contract every SyntheticSet of a request must meet, whatever the sampler drew.
void ExpectWellFormed(const v1::SyntheticSet& set, const GenerateRequest& request) {
  const int n = request.texts_per_theme;
  EXPECT_EQ(set.prompt_template(), request.generator.prompt_template());
  ASSERT_EQ(set.shortfall_per_theme_size(), static_cast<int>(kThemes.size()));
  const int samples = std::max(1, request.generator.samples_per_prompt());
  const std::vector<std::string> stops(request.generator.stop().begin(),
                                       request.generator.stop().end());
  // One raw completion per sample of each prompt (the last prompt of a round may have fewer).
  ASSERT_LE(set.raw_completions_size(), set.prompts_size() * samples);
  ASSERT_GE(set.raw_completions_size(), set.prompts_size());

  // Tags of the training texts by theme.
  std::map<std::string, std::set<int>> tag_themes;
  for (const LabelledText& x : request.train) {
    for (const std::string& tag : TagsIn(x.text))
      tag_themes[tag].insert(x.labels.begin(), x.labels.end());
  }
  std::set<std::string> held_out_tags;
  for (const std::string& x : kHeldOut) held_out_tags.insert(TagsIn(x)[0]);

  // Every prompt: about one theme, holding examples_per_prompt training texts of that theme only.
  for (int p = 0; p < set.prompts_size(); ++p) {
    const std::string& prompt = set.prompts(p);
    const int theme = ThemeOfPrompt(prompt);
    ASSERT_GE(theme, 0) << prompt;
    const std::vector<std::string> tags = TagsIn(prompt);
    EXPECT_EQ(tags.size(), 2u) << prompt;
    for (const std::string& tag : tags) {
      EXPECT_EQ(held_out_tags.count(tag), 0u) << "held-out text in prompt " << p << ":\n" << prompt;
      ASSERT_EQ(tag_themes.count(tag), 1u) << tag;
      EXPECT_EQ(tag_themes[tag].count(theme), 1u)
          << "a text of another theme (" << tag << ") in a prompt about " << kThemes[theme] << ":\n"
          << prompt;
    }
    EXPECT_EQ(prompt.substr(prompt.size() - 2), "\n-") << "plain.txt ends with an open item";
  }

  // Texts: grouped by theme in theme order, N per theme with the shortfall, each the first item
  // of the completion of a prompt about its theme, distinct within a theme.
  std::vector<int> per_theme(kThemes.size(), 0);
  std::vector<std::set<std::string>> seen(kThemes.size());
  int last_theme = 0;
  for (const v1::SyntheticText& text : set.texts()) {
    const int theme = ThemeIndex(text.theme());
    ASSERT_GE(theme, 0) << text.theme();
    EXPECT_GE(theme, last_theme) << "texts are grouped by theme, in order";
    last_theme = theme;
    ++per_theme[theme];
    EXPECT_FALSE(text.text().empty());
    EXPECT_TRUE(seen[theme].insert(text.text()).second) << "repeated: " << text.text();
    ASSERT_GE(text.prompt_index(), 0);
    ASSERT_LT(text.prompt_index(), set.prompts_size());
    EXPECT_EQ(ThemeOfPrompt(set.prompts(text.prompt_index())), theme) << text.text();
    ASSERT_GE(text.completion_index(), 0);
    ASSERT_LT(text.completion_index(), set.raw_completions_size());
    EXPECT_EQ(text.text(),
              FirstItem(CutAtStop(set.raw_completions(text.completion_index()), stops)));
    // Cut: the completion ran out of tokens, so neither an item boundary nor a stop string
    // ended it (an EOS could have, leaving neither: only the converse is checked).
    const std::string& raw = set.raw_completions(text.completion_index());
    if (HasItemBoundary(raw) || CutAtStop(raw, stops).size() < raw.size()) {
      EXPECT_FALSE(text.cut()) << "a completion that ended by itself is marked cut: " << raw;
    }
  }
  for (size_t t = 0; t < kThemes.size(); ++t) {
    EXPECT_EQ(per_theme[t] + set.shortfall_per_theme(static_cast<int>(t)), n) << kThemes[t];
    EXPECT_GE(set.shortfall_per_theme(static_cast<int>(t)), 0);
  }

  // Every completion gave one candidate: kept, or dropped with the reason that fits it.
  std::vector<int> candidates(static_cast<size_t>(set.raw_completions_size()), 0);
  for (const v1::SyntheticText& text : set.texts()) ++candidates[text.completion_index()];
  for (const v1::DroppedText& drop : set.dropped()) {
    const int theme = ThemeIndex(drop.theme());
    ASSERT_GE(theme, 0) << drop.theme();
    ASSERT_GE(drop.completion_index(), 0);
    ASSERT_LT(drop.completion_index(), set.raw_completions_size());
    ++candidates[drop.completion_index()];
    EXPECT_EQ(drop.text(),
              FirstItem(CutAtStop(set.raw_completions(drop.completion_index()), stops)));
    EXPECT_EQ(ThemeOfPrompt(set.prompts(drop.prompt_index())), theme);
    if (drop.reason() == "empty") {
      EXPECT_TRUE(drop.text().empty());
    } else if (drop.reason() == "duplicate") {
      EXPECT_EQ(seen[theme].count(drop.text()), 1u) << "not a duplicate: " << drop.text();
    } else {
      EXPECT_EQ(drop.reason(), "over quota");
      EXPECT_EQ(per_theme[theme], n) << "dropped over a quota that was not full";
    }
  }
  for (size_t c = 0; c < candidates.size(); ++c)
    EXPECT_EQ(candidates[c], 1) << "completion " << c << " is not exactly one kept or dropped text";
}

// Prompts per theme.
std::vector<int> PromptsPerTheme(const v1::SyntheticSet& set) {
  std::vector<int> count(kThemes.size(), 0);
  for (const std::string& p : set.prompts()) ++count[ThemeOfPrompt(p)];
  return count;
}

TEST(LlamaGeneratorTest, WritesTextsPerThemeTraceableToTheirPrompts) {
  const GenerateRequest request = Request();
  FakeJobControl control;
  auto result = Generator().Generate(request, control);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const v1::SyntheticSet& set = *result;
  ExpectWellFormed(set, request);
  // Themes with training texts get texts (stories260K writes a line readily); weather has none:
  // no prompt, a full shortfall.
  std::vector<int> per_theme(kThemes.size(), 0);
  for (const auto& t : set.texts()) ++per_theme[ThemeIndex(t.theme())];
  EXPECT_GT(per_theme[0], 0);
  EXPECT_GT(per_theme[1], 0);
  EXPECT_EQ(per_theme[2], 0);
  EXPECT_EQ(set.shortfall_per_theme(2), 4);
  const std::vector<int> prompts = PromptsPerTheme(set);
  EXPECT_GT(prompts[0], 0);
  EXPECT_GT(prompts[1], 0);
  EXPECT_EQ(prompts[2], 0);
  // The attempt cap: at most 4 completions per text asked for.
  EXPECT_LE(prompts[0], 16);
  EXPECT_LE(prompts[1], 16);
  // Progress as texts are kept, never backwards, ending at 1.
  ASSERT_GE(control.progress.size(), 2u);
  EXPECT_TRUE(std::is_sorted(control.progress.begin(), control.progress.end()));
  EXPECT_FLOAT_EQ(control.progress.back(), 1.0f);
}

TEST(LlamaGeneratorTest, SameRequestSameSetAndSeedsMatter) {
  const v1::SyntheticSet first = MustGenerate(Request(7));
  const v1::SyntheticSet again = MustGenerate(Request(7));
  EXPECT_EQ(first.SerializeAsString(), again.SerializeAsString());
  // A fresh executor (model loaded again) gives the same set: nothing leaks between requests.
  LlamaGenerator fresh("cpu", /*threads=*/1);
  FakeJobControl control;
  auto from_fresh = fresh.Generate(Request(7), control);
  ASSERT_TRUE(from_fresh.ok()) << from_fresh.status().ToString();
  EXPECT_EQ(from_fresh->SerializeAsString(), first.SerializeAsString());

  const GenerateRequest other_request = Request(8);
  const v1::SyntheticSet other = MustGenerate(other_request);
  ExpectWellFormed(other, other_request);
  EXPECT_NE(other.SerializeAsString(), first.SerializeAsString());
  EXPECT_NE(
      std::vector<std::string>(other.raw_completions().begin(), other.raw_completions().end()),
      std::vector<std::string>(first.raw_completions().begin(), first.raw_completions().end()));
  // The fold is part of the sample stream too.
  GenerateRequest other_fold = Request(7);
  other_fold.fold = 2;
  EXPECT_NE(MustGenerate(other_fold).SerializeAsString(), first.SerializeAsString());
}

TEST(LlamaGeneratorTest, StopStringsEndACompletionAndAreNotKept) {
  const v1::SyntheticSet plain = MustGenerate(Request(7));
  // A stop string the plain texts contain.
  std::string stop;
  for (const char* candidate : {" the ", " a ", " and ", "."}) {
    for (const auto& t : plain.texts()) {
      if (t.text().find(candidate) != std::string::npos) stop = candidate;
    }
    if (!stop.empty()) break;
  }
  ASSERT_FALSE(stop.empty()) << "no candidate stop string in the plain texts";
  GenerateRequest request = Request(7);
  request.generator.add_stop(stop);
  const v1::SyntheticSet stopped = MustGenerate(request);
  ExpectWellFormed(stopped, request);
  for (const auto& t : stopped.texts()) {
    EXPECT_EQ(t.text().find(stop), std::string::npos) << "kept text holds the stop: " << t.text();
  }
  int ended_by_stop = 0;
  for (const std::string& raw : stopped.raw_completions()) {
    const size_t at = raw.find(stop);
    if (at == std::string::npos) continue;
    ++ended_by_stop;
    // Generation ended with the token that completed the stop string: at most that token's
    // remaining bytes follow it.
    EXPECT_LE(raw.size() - (at + stop.size()), 16u) << raw;
  }
  EXPECT_GT(ended_by_stop, 0);
}

TEST(LlamaGeneratorTest, SamplesPerPromptDrawSeveralCompletionsOfEachPrompt) {
  GenerateRequest request = Request(7, 1.0, /*texts_per_theme=*/6);
  request.generator.set_samples_per_prompt(3);
  const v1::SyntheticSet set = MustGenerate(request);
  ExpectWellFormed(set, request);
  // Prompts are rendered a third as often, and their samples differ.
  const v1::SyntheticSet one = MustGenerate(Request(7, 1.0, 6));
  EXPECT_LT(set.prompts_size(), one.prompts_size());
  std::map<int, std::set<std::string>> completions_of;
  for (const auto& t : set.texts()) completions_of[t.prompt_index()].insert(t.text());
  size_t most = 0;
  for (const auto& [prompt, texts] : completions_of) most = std::max(most, texts.size());
  EXPECT_GT(most, 1u) << "no prompt gave two different kept texts";
  // The default (1) is the set as it always was.
  GenerateRequest single = Request(7, 1.0, 6);
  single.generator.set_samples_per_prompt(1);
  EXPECT_EQ(MustGenerate(single).SerializeAsString(), one.SerializeAsString());
}

TEST(LlamaGeneratorTest, GreedyDecodingGivesOneCompletionPerPrompt) {
  // food has two texts, so its prompts come in at most two orders; greedy continues equal
  // prompts equally, so at most two distinct texts exist and the rest is a reported shortfall
  // after the attempt cap.
  GenerateRequest request = Request(7, /*temperature=*/0.0);
  request.train = {kTrain[0], kTrain[1], kTrain[2], kTrain[5], kTrain[6]};
  const v1::SyntheticSet set = MustGenerate(request);
  ExpectWellFormed(set, request);
  std::map<std::string, std::string> completion_of;
  for (int p = 0; p < set.prompts_size(); ++p) {
    auto [it, inserted] = completion_of.emplace(set.prompts(p), set.raw_completions(p));
    if (!inserted) {
      EXPECT_EQ(it->second, set.raw_completions(p)) << "greedy differs for one prompt";
    }
  }
  EXPECT_LT(completion_of.size(), static_cast<size_t>(set.prompts_size())) << "some prompt repeats";
  int food_texts = 0;
  for (const auto& t : set.texts()) food_texts += t.theme() == "food" ? 1 : 0;
  EXPECT_LE(food_texts, 2);
  EXPECT_GE(set.shortfall_per_theme(1), 2);
  EXPECT_EQ(PromptsPerTheme(set)[1], 16) << "the cap is 4 completions per text asked for";
  int duplicates = 0;
  for (const v1::DroppedText& drop : set.dropped()) duplicates += drop.reason() == "duplicate";
  EXPECT_GE(duplicates, 14) << "food's 16 greedy completions repeat its at most 2 texts";
  // And greedy is deterministic too.
  EXPECT_EQ(MustGenerate(request).SerializeAsString(), set.SerializeAsString());
}

// One batch over all themes: whatever max_batch, a theme is asked no more than its cap, every
// set is well formed, and the same max_batch gives the same set. (Which batch ran is not
// observable here; llama_golden_test checks the batching itself.)
TEST(LlamaGeneratorTest, AnyMaxBatchGivesAWellFormedReproducibleSet) {
  for (int batch : {1, 3, 64}) {
    SCOPED_TRACE(batch);
    GenerateRequest request = Request(7, 1.0, /*texts_per_theme=*/5);
    request.generator.set_max_batch(batch);
    const v1::SyntheticSet set = MustGenerate(request);
    ExpectWellFormed(set, request);
    const std::vector<int> prompts = PromptsPerTheme(set);
    EXPECT_GT(prompts[0], 0);
    EXPECT_GT(prompts[1], 0);
    EXPECT_LE(prompts[0], 20);
    EXPECT_LE(prompts[1], 20);
    EXPECT_EQ(MustGenerate(request).SerializeAsString(), set.SerializeAsString());
  }
}

// Completions that run out of max_new_tokens before an item boundary are kept but marked cut:
// at 3 new tokens most are.
TEST(LlamaGeneratorTest, TextsWhoseCompletionRanOutOfTokensAreMarkedCut) {
  GenerateRequest request = Request(7, 1.0, /*texts_per_theme=*/3);
  request.generator.set_max_new_tokens(3);
  const v1::SyntheticSet set = MustGenerate(request);
  int cut = 0;
  for (const v1::SyntheticText& text : set.texts()) {
    const std::string& raw = set.raw_completions(text.completion_index());
    if (text.cut()) {
      ++cut;
      EXPECT_FALSE(HasItemBoundary(raw)) << raw;
    }
  }
  EXPECT_GT(cut, 0);
}

TEST(LlamaGeneratorTest, NoTrainingTextOrNoTextsAskedMeansNoPrompts) {
  GenerateRequest request = Request();
  request.train.clear();
  v1::SyntheticSet set = MustGenerate(request);
  EXPECT_EQ(set.prompts_size(), 0);
  EXPECT_EQ(set.texts_size(), 0);
  EXPECT_THAT(set.shortfall_per_theme(), ::testing::ElementsAre(4, 4, 4));

  request = Request(7, 1.0, /*texts_per_theme=*/0);
  set = MustGenerate(request);
  EXPECT_EQ(set.prompts_size(), 0);
  EXPECT_THAT(set.shortfall_per_theme(), ::testing::ElementsAre(0, 0, 0));
}

TEST(LlamaGeneratorTest, CancellationReturnsCancelled) {
  for (int cancel_after : {0, 1, 5}) {
    SCOPED_TRACE("cancel after " + std::to_string(cancel_after) + " checks");
    FakeJobControl control(cancel_after);
    auto result = Generator().Generate(Request(), control);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), StatusCode::kCancelled) << result.status().ToString();
  }
  // The executor is usable afterwards.
  ExpectWellFormed(MustGenerate(Request()), Request());
}

// prompt_format: chat on examples/models/tiny-chat (random weights, a byte-level BPE with
// ChatML's special tokens and Qwen2.5's chat template).
TEST(LlamaGeneratorTest, ChatFormatRendersTheModelsTemplateAndCleansReplies) {
  const fs::path model = fs::path(AUGSWEEP_SOURCE_DIR) / "examples/models/tiny-chat";
  const fs::path user = fs::path(AUGSWEEP_SOURCE_DIR) / "examples/templates/chat-user.txt";
  GenerateRequest request = Request(7, 1.0, /*texts_per_theme=*/3);
  v1::GeneratorSpec& g = request.generator;
  g.set_name("tiny-chat");
  g.set_model_dir(model.string());
  g.set_prompt_template(ReadFile(user));
  g.set_prompt_format("chat");
  g.set_system_prompt("You write short comments about {theme}.");
  for (const char* rule : {"quotes", "list_markers", "preamble"}) g.add_clean(rule);
  g.set_max_new_tokens(12);
  const v1::SyntheticSet set = MustGenerate(request);
  ASSERT_GT(set.prompts_size(), 0);
  StatusOr<ChatTemplate> chat = ChatTemplate::Load(model.string());
  ASSERT_TRUE(chat.ok()) << chat.status().ToString();
  for (const std::string& prompt : set.prompts()) {
    // Exactly what the template renders for the system message and the user message.
    const size_t user_start = prompt.find("<|im_start|>user\n");
    const size_t user_end = prompt.rfind("<|im_end|>\n<|im_start|>assistant\n");
    ASSERT_NE(user_start, std::string::npos) << prompt;
    ASSERT_NE(user_end, std::string::npos) << prompt;
    const std::string theme = prompt.find("about pets.") != std::string::npos ? "pets" : "food";
    const std::string user_message = prompt.substr(user_start + 17, user_end - user_start - 17);
    StatusOr<std::string> expected = chat->Apply(
        {{"system", "You write short comments about " + theme + "."}, {"user", user_message}},
        true);
    ASSERT_TRUE(expected.ok()) << expected.status().ToString();
    EXPECT_EQ(prompt, *expected);
    EXPECT_NE(user_message.find("Write one new comment about " + theme), std::string::npos);
  }
  // Each kept text is its reply, cleaned; the end-of-turn token is never part of a reply.
  const std::vector<std::string> rules(g.clean().begin(), g.clean().end());
  for (const auto& t : set.texts()) {
    EXPECT_EQ(t.text(), CleanChatReply(set.raw_completions(t.completion_index()), rules));
  }
  for (const std::string& raw : set.raw_completions()) {
    EXPECT_EQ(raw.find("<|im_end|>"), std::string::npos);
  }
  // The same request renders the same prompts and replies (strftime_now is fixed).
  EXPECT_EQ(MustGenerate(request).SerializeAsString(), set.SerializeAsString());
}

TEST(LlamaGeneratorTest, ChatFormatWithoutATemplateNamesTheFolder) {
  GenerateRequest request = Request();
  request.generator.set_prompt_format("chat");  // stories260K is a base model: no template
  FakeJobControl control;
  auto result = Generator().Generate(request, control);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(),
              AllOf(HasSubstr("prompt_format: chat"), HasSubstr("no \"chat_template\"")));
}

TEST(LlamaGeneratorTest, BadModelDirIsNamed) {
  GenerateRequest request = Request();
  const std::string absent = "/nonexistent/augsweep-no-such-model";
  request.generator.set_model_dir(absent);
  FakeJobControl control;
  auto result = Generator().Generate(request, control);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kNotFound) << result.status().ToString();
  EXPECT_THAT(result.status().message(), AllOf(HasSubstr(absent), HasSubstr("stories260K")));

  // A folder with a tokenizer but no config.json or weights.
  const fs::path dir =
      fs::temp_directory_path() / ("augsweep_llama_generator_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy_file(kStoriesDir / "tokenizer.model", dir / "tokenizer.model");
  request.generator.set_model_dir(dir.string());
  result = Generator().Generate(request, control);
  fs::remove_all(dir);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), AllOf(HasSubstr(dir.string()), HasSubstr("config.json")));

  // The good folder still works after the failures.
  ExpectWellFormed(MustGenerate(Request()), Request());
}

}  // namespace
}  // namespace augsweep
