#include "worker/executors/eda_generator.h"

#include <algorithm>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace augsweep {
namespace {

// Function words: pronouns, determiners, auxiliaries, prepositions, conjunctions and a few
// adverbs, plus the apostrophe-less forms that CleanEdaText makes of common contractions.
// Space-separated; groups on their own lines.
constexpr std::string_view kStopWordList =
    // pronouns and possessives
    "i me my mine myself we us our ours ourselves you your yours yourself yourselves he him his "
    "himself she her hers herself it its itself they them their theirs themselves "
    // determiners, quantifiers, question words
    "a an the this that these those what which who whom whose all any both each every few more "
    "most other some such no none own same another "
    // auxiliaries and modals
    "am is are was were be been being have has had having do does did doing can could will would "
    "shall should may might must "
    // conjunctions
    "and but if or nor because as until while than so though although whether "
    // prepositions and particles
    "of at by for with about against between into through during before after above below to "
    "from up down in out on off over under within without upon onto via "
    // adverbs that carry no topic
    "again further then once here there when where why how not only too very just now also yet "
    "still even "
    // what contractions become once apostrophes are dropped
    "s t d ll m re ve don dont doesnt didnt isnt arent wasnt werent cant couldnt wont wouldnt "
    "shouldnt im ive id youre youve theyre weve hes shes thats theres";

const std::set<std::string_view, std::less<>>& StopWords() {
  static const auto* words = [] {
    auto* set = new std::set<std::string_view, std::less<>>();
    std::string_view rest = kStopWordList;
    while (!rest.empty()) {
      const std::size_t end = rest.find(' ');
      if (end != 0) set->insert(rest.substr(0, end));
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end + 1);
    }
    return set;
  }();
  return *words;
}

// A double uniform in [0, 1) from the top 53 bits: the same on every platform.
double UniformUnit(DeterministicRng& rng) {
  return static_cast<double>(rng.Next() >> 11) * 0x1.0p-53;
}

std::size_t Pick(DeterministicRng& rng, std::size_t size) {
  return static_cast<std::size_t>(rng.Below(size));
}

void AppendWords(std::string_view text, std::vector<std::string>* out) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) out->emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
}

std::string JoinWords(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) {
    if (!out.empty()) out.push_back(' ');
    out += w;
  }
  return out;
}

// One step of the stream-seed chain: fold `value` into `h` and remix.
uint64_t MixIn(uint64_t h, uint64_t value) {
  uint64_t state = h ^ value;
  return SplitMix64(state);
}

}  // namespace

std::string CleanEdaText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto space = [&] {
    if (!out.empty() && out.back() != ' ') out.push_back(' ');
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\'') continue;
    // U+2019 RIGHT SINGLE QUOTATION MARK, the typographic apostrophe, is E2 80 99 in UTF-8.
    if (c == '\xE2' && text.substr(i, 3) == "\xE2\x80\x99") {
      i += 2;
      continue;
    }
    if (c >= 'a' && c <= 'z') {
      out.push_back(c);
    } else if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else {
      space();
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::vector<std::string> SplitWords(std::string_view cleaned) {
  std::vector<std::string> words;
  AppendWords(cleaned, &words);
  return words;
}

bool IsEdaStopWord(std::string_view word) { return StopWords().count(word) > 0; }

int EdaChangeCount(double alpha, std::size_t num_words) {
  // Truncation, as the paper's n = alpha * l is applied to whole words.
  return std::max(1, static_cast<int>(alpha * static_cast<double>(num_words)));
}

std::vector<std::string> SynonymReplacement(const std::vector<std::string>& words, int n,
                                            const WordNetSynonyms& lexicon, DeterministicRng& rng) {
  // Candidates in order of first appearance before the shuffle, so the result depends on the
  // seed alone and not on a hash set's iteration order.
  std::vector<std::string> candidates;
  for (const std::string& w : words) {
    if (!IsEdaStopWord(w) &&
        std::find(candidates.begin(), candidates.end(), w) == candidates.end()) {
      candidates.push_back(w);
    }
  }
  rng.Shuffle(candidates);
  std::unordered_map<std::string, std::string> replacement;
  for (const std::string& candidate : candidates) {
    if (static_cast<int>(replacement.size()) >= n) break;
    const std::vector<std::string> synonyms = lexicon.SynonymsOf(candidate);
    if (synonyms.empty()) continue;
    replacement[candidate] = synonyms[Pick(rng, synonyms.size())];
  }
  std::vector<std::string> out;
  out.reserve(words.size());
  for (const std::string& w : words) {
    auto it = replacement.find(w);
    if (it == replacement.end()) {
      out.push_back(w);
    } else {
      AppendWords(it->second, &out);
    }
  }
  return out;
}

std::vector<std::string> RandomInsertion(const std::vector<std::string>& words, int n,
                                         const WordNetSynonyms& lexicon, DeterministicRng& rng) {
  constexpr int kDrawsPerInsertion = 10;
  std::vector<std::string> out = words;
  for (int i = 0; i < n && !out.empty(); ++i) {
    for (int draw = 0; draw < kDrawsPerInsertion; ++draw) {
      const std::vector<std::string> synonyms = lexicon.SynonymsOf(out[Pick(rng, out.size())]);
      if (synonyms.empty()) continue;
      std::vector<std::string> inserted;
      AppendWords(synonyms[Pick(rng, synonyms.size())], &inserted);
      const std::size_t at = Pick(rng, out.size() + 1);
      out.insert(out.begin() + static_cast<std::ptrdiff_t>(at), inserted.begin(), inserted.end());
      break;
    }
  }
  return out;
}

std::vector<std::string> RandomSwap(const std::vector<std::string>& words, int n,
                                    DeterministicRng& rng) {
  std::vector<std::string> out = words;
  if (out.size() < 2) return out;
  for (int i = 0; i < n; ++i) {
    // The second position is drawn from the other size-1 positions, so every swap is a real one
    // (the reference redraws up to three times instead and may give up).
    const std::size_t a = Pick(rng, out.size());
    std::size_t b = Pick(rng, out.size() - 1);
    if (b >= a) ++b;
    std::swap(out[a], out[b]);
  }
  return out;
}

std::vector<std::string> RandomDeletion(const std::vector<std::string>& words, double p,
                                        DeterministicRng& rng) {
  if (words.size() <= 1) return words;
  std::vector<std::string> out;
  for (const std::string& w : words) {
    if (UniformUnit(rng) >= p) out.push_back(w);
  }
  if (out.empty()) out.push_back(words[Pick(rng, words.size())]);
  return out;
}

std::vector<std::string> ApplyEdaOperation(EdaOperation op, const std::vector<std::string>& words,
                                           double alpha, const WordNetSynonyms& lexicon,
                                           DeterministicRng& rng) {
  const int n = EdaChangeCount(alpha, words.size());
  switch (op) {
    case EdaOperation::kSynonymReplacement:
      return SynonymReplacement(words, n, lexicon, rng);
    case EdaOperation::kRandomInsertion:
      return RandomInsertion(words, n, lexicon, rng);
    case EdaOperation::kRandomSwap:
      return RandomSwap(words, n, rng);
    case EdaOperation::kRandomDeletion:
      return RandomDeletion(words, alpha, rng);
  }
  return words;
}

uint64_t EdaStreamSeed(uint64_t seed, int repeat, int fold, int theme) {
  // A domain constant first, so these streams differ from other users of the same sweep seed
  // (the fold split seeds DeterministicRng with it directly).
  constexpr uint64_t kEdaDomain = 0x6564612d67656e31ULL;  // "eda-gen1"
  uint64_t h = MixIn(kEdaDomain, seed);
  h = MixIn(h, static_cast<uint64_t>(static_cast<uint32_t>(repeat)));
  h = MixIn(h, static_cast<uint64_t>(static_cast<uint32_t>(fold)));
  return MixIn(h, static_cast<uint64_t>(static_cast<uint32_t>(theme)));
}

EdaGenerator::EdaGenerator(std::shared_ptr<const WordNetSynonyms> lexicon)
    : lexicon_(std::move(lexicon)) {}

StatusOr<v1::SyntheticSet> EdaGenerator::Generate(const GenerateRequest& request,
                                                  JobControl& control) {
  const std::string who = "eda generator \"" + request.generator.name() + "\"";
  if (lexicon_ == nullptr) return FailedPreconditionError(who + ": no WordNet lexicon");
  const double alpha = request.generator.eda_alpha();
  if (!(alpha > 0.0 && alpha <= 1.0)) {
    return InvalidArgumentError(who + ": generator.eda_alpha must be in (0, 1], got " +
                                std::to_string(alpha));
  }
  if (request.texts_per_theme < 0) {
    return InvalidArgumentError(who + ": texts_per_theme must be >= 0, got " +
                                std::to_string(request.texts_per_theme));
  }
  const int num_themes = static_cast<int>(request.themes.size());
  for (std::size_t i = 0; i < request.train.size(); ++i) {
    for (int label : request.train[i].labels) {
      if (label < 0 || label >= num_themes) {
        return InvalidArgumentError(who + ": train[" + std::to_string(i) + "] has theme index " +
                                    std::to_string(label) + ", expected 0.." +
                                    std::to_string(num_themes - 1));
      }
    }
  }

  // Clean each training text once; texts that clean to nothing cannot be sources.
  std::vector<std::vector<std::string>> train_words(request.train.size());
  std::vector<std::string> train_cleaned(request.train.size());
  for (std::size_t i = 0; i < request.train.size(); ++i) {
    train_cleaned[i] = CleanEdaText(request.train[i].text);
    train_words[i] = SplitWords(train_cleaned[i]);
  }

  v1::SyntheticSet out;
  std::unordered_map<std::string, int> prompt_of_source;  // raw training text -> prompts index
  const int wanted = request.texts_per_theme;
  for (int theme = 0; theme < num_themes; ++theme) {
    if (control.cancelled()) return CancelledError(who + ": cancelled");
    std::vector<std::size_t> sources;
    for (std::size_t i = 0; i < request.train.size(); ++i) {
      const auto& labels = request.train[i].labels;
      if (!train_words[i].empty() &&
          std::find(labels.begin(), labels.end(), theme) != labels.end()) {
        sources.push_back(i);
      }
    }
    DeterministicRng rng(EdaStreamSeed(request.seed, request.repeat, request.fold, theme));
    rng.Shuffle(sources);

    // A copy of a real text of the theme adds nothing synthetic, and a repeat only reweights one.
    std::unordered_set<std::string> seen;
    for (std::size_t i : sources) seen.insert(train_cleaned[i]);

    int produced = 0;
    const long long max_attempts = static_cast<long long>(kAttemptsPerText) * wanted;
    for (long long attempt = 0; produced < wanted && attempt < max_attempts && !sources.empty();
         ++attempt) {
      if (control.cancelled()) return CancelledError(who + ": cancelled");
      const std::size_t source = sources[static_cast<std::size_t>(attempt) % sources.size()];
      const auto op = static_cast<EdaOperation>(rng.Below(kNumEdaOperations));
      std::string text =
          JoinWords(ApplyEdaOperation(op, train_words[source], alpha, *lexicon_, rng));
      const std::string& raw = request.train[source].text;
      if (text.empty() || !seen.insert(text).second) {
        // Its source is named only when a kept text already made it a prompt, so that the kept
        // output is what it was before drops were recorded.
        auto known = prompt_of_source.find(raw);
        v1::DroppedText* drop = out.add_dropped();
        drop->set_theme(request.themes[theme]);
        drop->set_reason(text.empty() ? "empty" : "duplicate");
        drop->set_text(std::move(text));
        drop->set_prompt_index(known == prompt_of_source.end() ? -1 : known->second);
        drop->set_completion_index(-1);
        continue;
      }
      auto [it, inserted] = prompt_of_source.try_emplace(raw, out.prompts_size());
      if (inserted) out.add_prompts(raw);
      v1::SyntheticText* synthetic = out.add_texts();
      synthetic->set_theme(request.themes[theme]);
      synthetic->set_text(text);
      synthetic->set_prompt_index(it->second);
      synthetic->set_completion_index(out.raw_completions_size());
      out.add_raw_completions(std::move(text));
      ++produced;
    }
    out.add_shortfall_per_theme(wanted - produced);
    control.ReportProgress(static_cast<float>(theme + 1) / static_cast<float>(num_themes));
  }
  return out;
}

}  // namespace augsweep
