#include "common/synthetic_quality/near_duplicates.h"

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "common/synthetic_quality/sorted_jaccard.h"
#include "common/synthetic_quality/word_tokens.h"

namespace augsweep {
namespace {

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

// Sorted distinct shingle hashes.
std::vector<uint64_t> Shingles(const std::string& text, int shingle_words) {
  const std::vector<std::string> words = WordTokens(text);
  const size_t k = static_cast<size_t>(std::max(1, shingle_words));
  std::vector<uint64_t> out;
  if (words.empty()) return out;
  const size_t count = words.size() >= k ? words.size() - k + 1 : 1;
  for (size_t i = 0; i < count; ++i) {
    std::string shingle;
    for (size_t j = i; j < std::min(words.size(), i + k); ++j) shingle += words[j] + '\x1f';
    out.push_back(Fnv1a(shingle));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

double ShingleJaccard(const std::string& a, const std::string& b, int shingle_words) {
  return SortedJaccard(Shingles(a, shingle_words), Shingles(b, shingle_words));
}

std::vector<DuplicateVerdict> FindNearDuplicates(const std::vector<std::string>& texts,
                                                 const std::vector<std::string>& real,
                                                 const NearDuplicateOptions& options) {
  const int permutations = std::max(1, options.permutations);
  const int bands = std::clamp(options.bands, 1, permutations);
  const int rows = permutations / bands;
  std::vector<uint64_t> salts;
  for (int p = 0; p < permutations; ++p) salts.push_back(SplitMix64(options.seed + 0x1000 * p));

  // Documents 0..real-1 are the real texts, then the synthetic ones; each indexed in the LSH
  // buckets once it is known to stay (real texts always do).
  std::vector<std::vector<uint64_t>> shingles;
  std::vector<std::unordered_map<uint64_t, std::vector<int>>> buckets(static_cast<size_t>(bands));
  auto band_keys = [&](const std::vector<uint64_t>& s) {
    std::vector<uint64_t> signature(static_cast<size_t>(permutations),
                                    std::numeric_limits<uint64_t>::max());
    for (uint64_t h : s) {
      for (int p = 0; p < permutations; ++p)
        signature[static_cast<size_t>(p)] = std::min(signature[static_cast<size_t>(p)],
                                                     SplitMix64(h ^ salts[static_cast<size_t>(p)]));
    }
    std::vector<uint64_t> keys;
    for (int b = 0; b < bands; ++b) {
      uint64_t key = static_cast<uint64_t>(b) * 0x9e3779b97f4a7c15ULL;
      for (int r = 0; r < rows; ++r)
        key = SplitMix64(key ^ signature[static_cast<size_t>(b * rows + r)]);
      keys.push_back(key);
    }
    return keys;
  };
  auto index = [&](int doc, const std::vector<uint64_t>& keys) {
    for (int b = 0; b < bands; ++b)
      buckets[static_cast<size_t>(b)][keys[static_cast<size_t>(b)]].push_back(doc);
  };
  const int real_count = static_cast<int>(real.size());
  for (const std::string& r : real) {
    shingles.push_back(Shingles(r, options.shingle_words));
    index(static_cast<int>(shingles.size()) - 1, band_keys(shingles.back()));
  }

  std::vector<DuplicateVerdict> verdicts;
  for (const std::string& text : texts) {
    shingles.push_back(Shingles(text, options.shingle_words));
    const int doc = static_cast<int>(shingles.size()) - 1;
    const std::vector<uint64_t> keys = band_keys(shingles.back());
    DuplicateVerdict verdict;
    std::vector<int> candidates;
    for (int b = 0; b < bands; ++b) {
      auto it = buckets[static_cast<size_t>(b)].find(keys[static_cast<size_t>(b)]);
      if (it != buckets[static_cast<size_t>(b)].end())
        candidates.insert(candidates.end(), it->second.begin(), it->second.end());
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    for (int c : candidates) {
      const double similarity = SortedJaccard(shingles.back(), shingles[static_cast<size_t>(c)]);
      if (similarity >= options.threshold && similarity > verdict.similarity) {
        verdict.duplicate = true;
        verdict.of_real = c < real_count;
        verdict.of_index = c < real_count ? c : c - real_count;
        verdict.similarity = similarity;
      }
    }
    if (!verdict.duplicate) index(doc, keys);
    verdicts.push_back(verdict);
  }
  return verdicts;
}

}  // namespace augsweep
