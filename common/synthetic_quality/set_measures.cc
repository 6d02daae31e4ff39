#include "common/synthetic_quality/set_measures.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "common/synthetic_quality/sorted_jaccard.h"
#include "common/synthetic_quality/word_tokens.h"

namespace augsweep {
namespace {

constexpr size_t kMaxPairwiseTexts = 2000;

using WordSet = std::vector<int>;  // sorted distinct word ids

// The value at rank ceil(q * n) of the sorted values (nearest-rank percentile).
double NearestRank(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

SetMeasures MeasureSet(const std::vector<std::string>& synthetic,
                       const std::vector<std::string>& real) {
  SetMeasures m;
  m.texts = static_cast<int>(synthetic.size());
  std::unordered_map<std::string, int> ids;
  auto to_set = [&ids](const std::vector<std::string>& words) {
    WordSet set;
    for (const std::string& w : words)
      set.push_back(ids.emplace(w, static_cast<int>(ids.size())).first->second);
    std::sort(set.begin(), set.end());
    set.erase(std::unique(set.begin(), set.end()), set.end());
    return set;
  };

  std::vector<WordSet> sets;
  std::set<std::string> unigrams;
  std::set<std::pair<std::string, std::string>> bigrams;
  size_t unigram_count = 0, bigram_count = 0;
  std::vector<double> lengths;
  for (const std::string& text : synthetic) {
    const std::vector<std::string> words = WordTokens(text);
    lengths.push_back(static_cast<double>(words.size()));
    unigram_count += words.size();
    for (size_t i = 0; i < words.size(); ++i) {
      unigrams.insert(words[i]);
      if (i + 1 < words.size()) {
        bigrams.emplace(words[i], words[i + 1]);
        ++bigram_count;
      }
    }
    sets.push_back(to_set(words));
  }
  if (unigram_count > 0) m.distinct_1 = static_cast<double>(unigrams.size()) / unigram_count;
  if (bigram_count > 0) m.distinct_2 = static_cast<double>(bigrams.size()) / bigram_count;
  if (!lengths.empty()) {
    double sum = 0;
    for (double l : lengths) sum += l;
    m.length_mean = sum / static_cast<double>(lengths.size());
    if (lengths.size() > 1) {
      double squares = 0;
      for (double l : lengths) squares += (l - m.length_mean) * (l - m.length_mean);
      m.length_sd = std::sqrt(squares / static_cast<double>(lengths.size() - 1));
    }
  }
  const size_t pairwise = std::min(sets.size(), kMaxPairwiseTexts);
  if (pairwise > 1) {
    double sum = 0;
    for (size_t i = 0; i < pairwise; ++i) {
      for (size_t j = i + 1; j < pairwise; ++j) sum += SortedJaccard(sets[i], sets[j]);
    }
    m.mean_pairwise_jaccard = sum / (static_cast<double>(pairwise) * (pairwise - 1) / 2);
  }

  // Nearest real text: through an inverted index, only real texts sharing a word are compared.
  std::vector<WordSet> real_sets;
  std::unordered_map<int, std::vector<int>> texts_with_word;
  for (const std::string& text : real) {
    real_sets.push_back(to_set(WordTokens(text)));
    for (int w : real_sets.back())
      texts_with_word[w].push_back(static_cast<int>(real_sets.size() - 1));
  }
  std::vector<double> nearest;
  for (const WordSet& s : sets) {
    std::unordered_map<int, int> common;  // real text -> shared words
    for (int w : s) {
      if (auto it = texts_with_word.find(w); it != texts_with_word.end()) {
        for (int r : it->second) ++common[r];
      }
    }
    double best = 0;
    for (const auto& [r, c] : common) {
      const size_t size =
          s.size() + real_sets[static_cast<size_t>(r)].size() - static_cast<size_t>(c);
      best = std::max(best, static_cast<double>(c) / static_cast<double>(size));
    }
    nearest.push_back(best);
  }
  if (!nearest.empty()) {
    std::sort(nearest.begin(), nearest.end());
    double sum = 0;
    for (double v : nearest) sum += v;
    m.nearest_real_mean = sum / static_cast<double>(nearest.size());
    m.nearest_real_p50 = NearestRank(nearest, 0.5);
    m.nearest_real_p90 = NearestRank(nearest, 0.9);
    m.nearest_real_max = nearest.back();
  }
  return m;
}

}  // namespace augsweep
