#include "worker/executors/tfidf_features.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <utility>

namespace augsweep {
namespace {

bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

bool IsContinuationByte(unsigned char c) { return (c & 0xC0) == 0x80; }

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& ch : out) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c >= 'A' && c <= 'Z') ch = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<std::string_view> SplitWords(std::string_view lowered) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < lowered.size()) {
    while (i < lowered.size() && !IsWordByte(static_cast<unsigned char>(lowered[i]))) ++i;
    const size_t start = i;
    while (i < lowered.size() && IsWordByte(static_cast<unsigned char>(lowered[i]))) ++i;
    if (i > start) words.push_back(lowered.substr(start, i - start));
  }
  return words;
}

// Calls emit(name) once per occurrence of each feature of `text` (so a repeated word is emitted
// as many times as it occurs).
template <typename Emit>
void ForEachFeature(std::string_view text, const TfidfOptions& options, Emit&& emit) {
  const std::string lowered = AsciiLower(text);
  const std::vector<std::string_view> words = SplitWords(lowered);

  std::string name;
  for (int n = 1; n <= options.word_ngram_max; ++n) {
    for (size_t i = 0; i + n <= words.size(); ++i) {
      name.assign("w:");
      for (int k = 0; k < n; ++k) {
        if (k > 0) name.push_back(' ');
        name.append(words[i + k]);
      }
      emit(name);
    }
  }

  if (options.char_ngram_max <= 0) return;
  std::string padded;
  std::vector<size_t> starts;  // byte offset of each character of `padded`, then its size
  for (std::string_view word : words) {
    padded.assign(" ");
    padded.append(word);
    padded.push_back(' ');
    starts.clear();
    for (size_t b = 0; b < padded.size(); ++b) {
      if (!IsContinuationByte(static_cast<unsigned char>(padded[b]))) starts.push_back(b);
    }
    const size_t num_chars = starts.size();
    starts.push_back(padded.size());
    for (int n = options.char_ngram_min; n <= options.char_ngram_max; ++n) {
      for (size_t i = 0; i + n <= num_chars; ++i) {
        name.assign("c:");
        name.append(padded, starts[i], starts[i + n] - starts[i]);
        emit(name);
      }
    }
  }
}

Status CheckOptions(const TfidfOptions& o) {
  if (o.min_df < 1) {
    return InvalidArgumentError("tfidf: min_df is " + std::to_string(o.min_df) +
                                "; expected at least 1");
  }
  if (o.word_ngram_max < 0 || o.word_ngram_max > 8) {
    return InvalidArgumentError("tfidf: word_ngram_max is " + std::to_string(o.word_ngram_max) +
                                "; expected 0..8");
  }
  if (o.char_ngram_max != 0 &&
      (o.char_ngram_min < 1 || o.char_ngram_min > o.char_ngram_max || o.char_ngram_max > 16)) {
    return InvalidArgumentError("tfidf: character n-gram lengths are " +
                                std::to_string(o.char_ngram_min) + ".." +
                                std::to_string(o.char_ngram_max) +
                                "; expected 1 <= min <= max <= 16 (or max 0 to disable)");
  }
  return OkStatus();
}

}  // namespace

std::vector<std::pair<std::string, int>> TfidfVectorizer::ExtractFeatures(
    std::string_view text, const TfidfOptions& options) {
  std::map<std::string, int> counts;
  ForEachFeature(text, options, [&](const std::string& name) { ++counts[name]; });
  return {counts.begin(), counts.end()};
}

Status TfidfVectorizer::Fit(const std::vector<std::string>& texts) {
  feature_names_.clear();
  idf_.clear();
  index_.clear();
  AUGSWEEP_RETURN_IF_ERROR(CheckOptions(options_));
  if (texts.empty()) {
    return InvalidArgumentError("tfidf: no training texts; expected at least one to fit on");
  }

  // Document frequency per feature: the text number that last counted it makes each text count
  // once, whatever the order of its features.
  struct Count {
    int df = 0;
    size_t last_text = SIZE_MAX;
  };
  std::unordered_map<std::string, Count> counts;
  for (size_t t = 0; t < texts.size(); ++t) {
    ForEachFeature(texts[t], options_, [&](const std::string& name) {
      Count& c = counts[name];
      if (c.last_text != t) {
        c.last_text = t;
        ++c.df;
      }
    });
  }

  // Sorted names are the column order, so nothing downstream depends on hash-table order.
  for (const auto& [name, c] : counts) {
    if (c.df >= options_.min_df) feature_names_.push_back(name);
  }
  std::sort(feature_names_.begin(), feature_names_.end());
  const double n = static_cast<double>(texts.size());
  idf_.reserve(feature_names_.size());
  index_.reserve(feature_names_.size());
  for (const std::string& name : feature_names_) {
    index_.emplace(name, static_cast<int32_t>(idf_.size()));
    idf_.push_back(std::log((1.0 + n) / (1.0 + counts.at(name).df)) + 1.0);
  }
  return OkStatus();
}

int TfidfVectorizer::IndexOf(std::string_view name) const {
  auto it = index_.find(std::string(name));
  return it == index_.end() ? -1 : it->second;
}

SparseRow TfidfVectorizer::TransformOne(std::string_view text) const {
  std::unordered_map<int32_t, int> counts;
  ForEachFeature(text, options_, [&](const std::string& name) {
    auto it = index_.find(name);
    if (it != index_.end()) ++counts[it->second];
  });
  SparseRow row;
  row.reserve(counts.size());
  for (const auto& [index, count] : counts) {
    row.push_back({index, (1.0 + std::log(static_cast<double>(count))) * idf_[index]});
  }
  // Sorting before summing makes the norm, and so every value, independent of hash order.
  std::sort(row.begin(), row.end(),
            [](const SparseEntry& a, const SparseEntry& b) { return a.index < b.index; });
  double sum_sq = 0;
  for (const SparseEntry& e : row) sum_sq += e.value * e.value;
  if (sum_sq > 0) {
    const double inv_norm = 1.0 / std::sqrt(sum_sq);
    for (SparseEntry& e : row) e.value *= inv_norm;
  }
  return row;
}

std::vector<SparseRow> TfidfVectorizer::Transform(const std::vector<std::string>& texts) const {
  std::vector<SparseRow> rows;
  rows.reserve(texts.size());
  for (const std::string& text : texts) rows.push_back(TransformOne(text));
  return rows;
}

}  // namespace augsweep
