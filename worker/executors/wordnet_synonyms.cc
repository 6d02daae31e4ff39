#include "worker/executors/wordnet_synonyms.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <utility>

namespace augsweep {
namespace {

constexpr const char* kInstallHint =
    "install WordNet 3.0 with `apt-get install wordnet-base` (the eda generator needs it)";

// WordNet's detachment rules (suffix -> replacement) per part of speech, applied when a word is
// not a lemma itself; adverbs have none. The order matters only for the order of the results.
struct Rule {
  std::string_view suffix;
  std::string_view replacement;
};
constexpr Rule kNounRules[] = {{"s", ""},      {"ses", "s"},   {"ves", "f"},
                               {"xes", "x"},   {"zes", "z"},   {"ches", "ch"},
                               {"shes", "sh"}, {"men", "man"}, {"ies", "y"}};
constexpr Rule kVerbRules[] = {{"s", ""},   {"ies", "y"}, {"es", "e"},  {"es", ""},
                               {"ed", "e"}, {"ed", ""},   {"ing", "e"}, {"ing", ""}};
constexpr Rule kAdjRules[] = {{"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"}};

std::pair<const Rule*, const Rule*> RulesFor(int pos) {
  switch (pos) {
    case 0:
      return {std::begin(kNounRules), std::end(kNounRules)};
    case 1:
      return {std::begin(kVerbRules), std::end(kVerbRules)};
    case 2:
      return {std::begin(kAdjRules), std::end(kAdjRules)};
    default:
      return {nullptr, nullptr};
  }
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// The lookup key of a word or lemma: lowercase, '_' between words (as in the index files).
std::string LemmaKey(std::string_view word) {
  std::string key(word);
  for (char& c : key) c = (c == ' ') ? '_' : AsciiLower(c);
  return key;
}

// A lemma as EDA would write it into a cleaned sentence: '_' and '-' become spaces, every other
// character that is not a letter is dropped ("o'clock" -> "oclock"), spaces are single, no edges.
std::string DisplayForm(std::string_view lemma) {
  std::string out;
  out.reserve(lemma.size());
  for (char c : lemma) {
    c = AsciiLower(c);
    if (c == '_' || c == '-' || c == ' ') {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else if (c >= 'a' && c <= 'z') {
      out.push_back(c);
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

Status ReadFile(const std::string& path, std::string* contents) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    const int err = errno;
    if (err == ENOENT) return NotFoundError(path + ": no such file; " + kInstallHint);
    return UnavailableError(path + ": cannot open: " + std::strerror(err));
  }
  contents->clear();
  char buffer[1 << 16];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) contents->append(buffer, n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return UnavailableError(path + ": read error");
  return OkStatus();
}

// Splits `text` into lines and hands each (with its 1-based number) to `fn`.
template <typename Fn>
Status ForEachLine(std::string_view text, Fn&& fn) {
  int line_no = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = (end == std::string_view::npos) ? std::string_view() : text.substr(end + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    AUGSWEEP_RETURN_IF_ERROR(fn(line, line_no));
  }
  return OkStatus();
}

// Takes the next space-separated token off the front of `line`; empty when none is left.
std::string_view NextToken(std::string_view& line) {
  std::size_t start = line.find_first_not_of(' ');
  if (start == std::string_view::npos) {
    line = {};
    return {};
  }
  line.remove_prefix(start);
  std::size_t end = line.find(' ');
  std::string_view token = line.substr(0, end);
  line = (end == std::string_view::npos) ? std::string_view() : line.substr(end);
  return token;
}

bool ParseHex(std::string_view s, uint32_t* value) {
  if (s.empty() || s.size() > 4) return false;
  uint32_t v = 0;
  for (char c : s) {
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= static_cast<uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= static_cast<uint32_t>(c - 'A' + 10);
    else
      return false;
  }
  *value = v;
  return true;
}

}  // namespace

StatusOr<std::shared_ptr<const WordNetSynonyms>> WordNetSynonyms::Load(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return NotFoundError("WordNet directory " + dir + " does not exist (looked for " + dir +
                         "/data.noun); " + kInstallHint);
  }

  std::shared_ptr<WordNetSynonyms> wn(new WordNetSynonyms());
  wn->lemmas_.reserve(160000);
  wn->lemma_ids_.reserve(160000);
  wn->synsets_of_lemma_.reserve(160000);
  wn->synsets_.reserve(120000);
  wn->synset_lemmas_.reserve(210000);
  static constexpr std::pair<const char*, Pos> kFiles[] = {
      {"noun", kNoun}, {"verb", kVerb}, {"adj", kAdj}, {"adv", kAdv}};
  for (const auto& [name, pos] : kFiles) {
    AUGSWEEP_RETURN_IF_ERROR(wn->ParseDataFile(dir + "/data." + name, pos));
  }
  // The exception lists only refine base forms of irregular inflections; without them every
  // regular form still works, so a missing list is not an error.
  for (const auto& [name, pos] : kFiles) {
    Status s = wn->ParseExceptionFile(dir + "/" + name + ".exc", pos);
    if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
  }
  if (wn->synsets_.empty()) {
    return DataLossError("WordNet directory " + dir + " holds no synsets; " + kInstallHint);
  }
  return std::shared_ptr<const WordNetSynonyms>(std::move(wn));
}

StatusOr<std::shared_ptr<const WordNetSynonyms>> WordNetSynonyms::Default() {
  static std::mutex mu;
  static std::shared_ptr<const WordNetSynonyms> cached;  // guarded by mu
  std::lock_guard<std::mutex> lock(mu);
  if (cached == nullptr) {
    AUGSWEEP_ASSIGN_OR_RETURN(cached, Load(std::string(kDefaultDir)));
  }
  return cached;
}

std::shared_ptr<const WordNetSynonyms> WordNetSynonyms::FromSynsets(
    const std::vector<std::vector<std::string>>& noun_synsets) {
  std::shared_ptr<WordNetSynonyms> wn(new WordNetSynonyms());
  for (const auto& words : noun_synsets) {
    const uint32_t id = static_cast<uint32_t>(wn->synsets_.size());
    wn->synsets_.push_back({kNoun, static_cast<uint32_t>(wn->synset_lemmas_.size()),
                            static_cast<uint32_t>(words.size())});
    for (const std::string& word : words) {
      const uint32_t lemma = wn->InternLemma(LemmaKey(word));
      wn->synset_lemmas_.push_back(lemma);
      wn->synsets_of_lemma_[lemma].push_back(id);
    }
  }
  return wn;
}

uint32_t WordNetSynonyms::InternLemma(std::string lemma) {
  auto [it, inserted] = lemma_ids_.try_emplace(lemma, static_cast<uint32_t>(lemmas_.size()));
  if (inserted) {
    lemmas_.push_back(std::move(lemma));
    synsets_of_lemma_.emplace_back();
  }
  return it->second;
}

// A data line: "offset lex_filenum ss_type w_cnt word lex_id [word lex_id...] p_cnt ... | gloss",
// w_cnt two hex digits. The licence header's lines start with two spaces.
Status WordNetSynonyms::ParseDataFile(const std::string& path, Pos pos) {
  std::string text;
  AUGSWEEP_RETURN_IF_ERROR(ReadFile(path, &text));
  std::string key;
  return ForEachLine(text, [&](std::string_view line, int line_no) -> Status {
    if (line.empty() || line.substr(0, 2) == "  ") return OkStatus();
    auto malformed = [&](std::string_view what) {
      return DataLossError(path + ":" + std::to_string(line_no) + ": malformed synset line (" +
                           std::string(what) + "); reinstall wordnet-base");
    };
    NextToken(line);  // synset offset
    NextToken(line);  // lexicographer file number
    const std::string_view ss_type = NextToken(line);
    if (ss_type.size() != 1 ||
        std::string_view("nvasr").find(ss_type[0]) == std::string_view::npos) {
      return malformed("expected a synset type n, v, a, s or r in the third field");
    }
    uint32_t word_count = 0;
    if (!ParseHex(NextToken(line), &word_count) || word_count == 0) {
      return malformed("expected a hexadecimal word count in the fourth field");
    }
    const uint32_t id = static_cast<uint32_t>(synsets_.size());
    const uint32_t first = static_cast<uint32_t>(synset_lemmas_.size());
    for (uint32_t i = 0; i < word_count; ++i) {
      std::string_view word = NextToken(line);
      const std::string_view lex_id = NextToken(line);
      uint32_t lex_id_value = 0;
      if (word.empty() || word == "|" || !ParseHex(lex_id, &lex_id_value)) {
        return malformed("expected " + std::to_string(word_count) +
                         " (word, hexadecimal lex_id) pairs after the word count");
      }
      // Adjectives may carry a syntactic marker: "galore(ip)", "ready_to_hand(p)", "(a)".
      if (pos == kAdj && word.back() == ')') {
        const std::size_t open = word.rfind('(');
        if (open != std::string_view::npos && open > 0) word = word.substr(0, open);
      }
      key.assign(word);
      for (char& c : key) c = AsciiLower(c);
      const uint32_t lemma = InternLemma(key);
      // A lemma listed twice in one synset (differing only in case) counts once.
      if (!synsets_of_lemma_[lemma].empty() && synsets_of_lemma_[lemma].back() == id) continue;
      synset_lemmas_.push_back(lemma);
      synsets_of_lemma_[lemma].push_back(id);
    }
    synsets_.push_back({pos, first, static_cast<uint32_t>(synset_lemmas_.size()) - first});
    return OkStatus();
  });
}

// An exception line: "inflected base [base...]", e.g. "geese goose".
Status WordNetSynonyms::ParseExceptionFile(const std::string& path, Pos pos) {
  std::string text;
  AUGSWEEP_RETURN_IF_ERROR(ReadFile(path, &text));
  return ForEachLine(text, [&](std::string_view line, int /*line_no*/) -> Status {
    const std::string_view inflected = NextToken(line);
    if (inflected.empty()) return OkStatus();
    std::vector<std::string>& bases = exceptions_[pos][std::string(inflected)];
    for (std::string_view base = NextToken(line); !base.empty(); base = NextToken(line)) {
      bases.emplace_back(base);
    }
    return OkStatus();
  });
}

bool WordNetSynonyms::HasLemma(const std::string& lemma, Pos pos) const {
  auto it = lemma_ids_.find(lemma);
  if (it == lemma_ids_.end()) return false;
  for (uint32_t synset : synsets_of_lemma_[it->second]) {
    if (synsets_[synset].pos == pos) return true;
  }
  return false;
}

// As WordNet's morphy (and NLTK's _morphy, which the reference EDA code reaches through
// wordnet.synsets): an irregular form is looked up in the exception list alone; otherwise the
// word itself and one round of detachment rules are tried, and further rounds only while nothing
// matched.
std::vector<std::string> WordNetSynonyms::BaseForms(const std::string& word, Pos pos) const {
  std::vector<std::string> result;
  auto keep_known = [&](const std::vector<std::string>& forms) {
    for (const std::string& form : forms) {
      if (HasLemma(form, pos) && std::find(result.begin(), result.end(), form) == result.end()) {
        result.push_back(form);
      }
    }
  };
  auto apply_rules = [&](const std::vector<std::string>& forms) {
    std::vector<std::string> out;
    auto [begin, end] = RulesFor(pos);
    for (const std::string& form : forms) {
      for (const Rule* r = begin; r != end; ++r) {
        if (form.size() > r->suffix.size() && form.ends_with(r->suffix)) {
          out.push_back(form.substr(0, form.size() - r->suffix.size()) +
                        std::string(r->replacement));
        }
      }
    }
    return out;
  };

  auto exc = exceptions_[pos].find(word);
  if (exc != exceptions_[pos].end()) {
    std::vector<std::string> forms = {word};
    forms.insert(forms.end(), exc->second.begin(), exc->second.end());
    keep_known(forms);
    return result;
  }
  std::vector<std::string> forms = apply_rules({word});
  std::vector<std::string> first_round = {word};
  first_round.insert(first_round.end(), forms.begin(), forms.end());
  keep_known(first_round);
  // Every rule shortens a word or cannot fire twice ("men" -> "man"), so this ends; the bound
  // is a second guard.
  for (int round = 0; result.empty() && !forms.empty() && round < 8; ++round) {
    forms = apply_rules(forms);
    keep_known(forms);
  }
  return result;
}

std::vector<std::string> WordNetSynonyms::SynonymsOf(std::string_view lowercase_word) const {
  const std::string word = LemmaKey(lowercase_word);
  const std::string self = DisplayForm(word);
  std::vector<std::string> synonyms;
  if (word.empty()) return synonyms;
  for (int p = 0; p < kNumPos; ++p) {
    for (const std::string& base : BaseForms(word, static_cast<Pos>(p))) {
      for (uint32_t synset_id : synsets_of_lemma_[lemma_ids_.at(base)]) {
        const Synset& synset = synsets_[synset_id];
        if (synset.pos != p) continue;
        for (uint32_t i = 0; i < synset.count; ++i) {
          std::string form = DisplayForm(lemmas_[synset_lemmas_[synset.first + i]]);
          if (!form.empty() && form != self) synonyms.push_back(std::move(form));
        }
      }
    }
  }
  std::sort(synonyms.begin(), synonyms.end());
  synonyms.erase(std::unique(synonyms.begin(), synonyms.end()), synonyms.end());
  return synonyms;
}

}  // namespace augsweep
