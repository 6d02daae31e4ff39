#include "common/tokenizers/bert_basic_tokenizer.h"

#include "common/tokenizers/unicode_data.h"

namespace augsweep {
namespace {

// BasicTokenizer._is_chinese_char: the CJK Unified Ideographs blocks and their extensions, not
// all of CJK (kana and hangul are written with spaces or are split by WordPiece anyway).
bool IsCjkIdeograph(int32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
         (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

// Python's str.split(): runs of str.isspace() characters separate words.
std::vector<std::u32string> SplitOnPythonSpace(std::u32string_view text) {
  std::vector<std::u32string> words;
  std::u32string current;
  for (char32_t c : text) {
    if (unicode::IsPythonSpace(static_cast<int32_t>(c))) {
      if (!current.empty()) words.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

std::u32string StripAccents(std::u32string_view word) {
  std::u32string out;
  for (char32_t c : unicode::Nfd(word)) {
    if (unicode::GeneralCategory(static_cast<int32_t>(c)) != "Mn") out.push_back(c);
  }
  return out;
}

}  // namespace

bool IsBertPunctuation(int32_t cp) {
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) ||
      (cp >= 123 && cp <= 126)) {
    return true;
  }
  return unicode::GeneralCategory(cp)[0] == 'P';
}

bool IsBertControl(int32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r') return false;
  return unicode::GeneralCategory(cp)[0] == 'C';
}

bool IsBertWhitespace(int32_t cp) {
  if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') return true;
  return unicode::GeneralCategory(cp) == "Zs";
}

std::vector<std::u32string> BertBasicTokenize(std::u32string_view text,
                                              const BertBasicTokenizerOptions& options) {
  std::u32string cleaned;
  cleaned.reserve(text.size());
  for (char32_t c : text) {
    const int32_t cp = static_cast<int32_t>(c);
    if (cp == 0 || cp == 0xFFFD || IsBertControl(cp)) continue;
    if (IsBertWhitespace(cp)) {
      cleaned.push_back(U' ');
    } else if (options.tokenize_chinese_chars && IsCjkIdeograph(cp)) {
      cleaned.push_back(U' ');
      cleaned.push_back(c);
      cleaned.push_back(U' ');
    } else {
      cleaned.push_back(c);
    }
  }

  std::vector<std::u32string> out;
  for (std::u32string& word : SplitOnPythonSpace(unicode::Nfc(cleaned))) {
    if (options.never_split.count(word)) {
      out.push_back(std::move(word));
      continue;
    }
    if (options.do_lower_case) {
      std::u32string lower;
      for (char32_t c : word) unicode::AppendLower(static_cast<int32_t>(c), &lower);
      word = options.strip_accents.value_or(true) ? StripAccents(lower) : std::move(lower);
    } else if (options.strip_accents.value_or(false)) {
      word = StripAccents(word);
    }
    // Stripping can leave nothing of a word made of marks; BERT's final whitespace split drops
    // such empty words.
    if (!options.split_on_punctuation) {
      if (!word.empty()) out.push_back(std::move(word));
      continue;
    }
    std::u32string current;
    for (char32_t c : word) {
      if (IsBertPunctuation(static_cast<int32_t>(c))) {
        if (!current.empty()) out.push_back(std::move(current));
        current.clear();
        out.push_back(std::u32string(1, c));
      } else {
        current.push_back(c);
      }
    }
    if (!current.empty()) out.push_back(std::move(current));
  }
  return out;
}

}  // namespace augsweep
