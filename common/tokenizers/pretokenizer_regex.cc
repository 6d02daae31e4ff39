#include "common/tokenizers/pretokenizer_regex.h"

#include <re2/re2.h>

#include <atomic>

#include "common/tokenizers/text_util.h"

namespace augsweep {
namespace {

using tokenizer_text::DecodeCodePoint;

// Character classes the scanner distinguishes. An ill-formed byte has none: like RE2, the
// scanner never matches it, and it ends up between matches.
enum CharClass : uint8_t {
  kLetter = 1,  // \p{L}
  kNumber = 2,  // \p{N}
  kSpace = 4,   // Unicode White_Space (\s)
  kOther = 8,   // any other code point
};

// The class of `cp`, computed with RE2 the first time a code point is seen and cached (a racing
// thread at worst computes the same value again).
uint8_t ClassOf(int32_t cp) {
  static std::atomic<uint8_t>* const cache = new std::atomic<uint8_t>[0x110000]();
  static const RE2* const letter = new RE2(R"(\p{L})");
  static const RE2* const number = new RE2(R"(\p{N})");
  if (cp < 0 || cp >= 0x110000) return 0;
  uint8_t c = cache[cp].load(std::memory_order_relaxed);
  if (c != 0) return c & 0x7F;
  if (tokenizer_text::IsUnicodeWhitespace(cp)) {
    c = kSpace;
  } else {
    std::string utf8;
    tokenizer_text::AppendCodePoint(static_cast<uint32_t>(cp), &utf8);
    c = RE2::FullMatch(utf8, *letter) ? kLetter : RE2::FullMatch(utf8, *number) ? kNumber : kOther;
  }
  cache[cp].store(c | 0x80, std::memory_order_relaxed);
  return c;
}

// The class of the character at text[pos] (0 past the end or for a bad byte); *len its length.
uint8_t ClassAt(std::string_view text, size_t pos, size_t* len) {
  if (pos >= text.size()) {
    *len = 0;
    return 0;
  }
  const auto b = static_cast<uint8_t>(text[pos]);
  if (b < 0x80) {  // ASCII without a decode
    *len = 1;
    if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')) return kLetter;
    if (b >= '0' && b <= '9') return kNumber;
    if (b == ' ' || (b >= 0x09 && b <= 0x0D)) return kSpace;
    return kOther;
  }
  return ClassOf(DecodeCodePoint(text, pos, len));
}

// End of the run of characters of class `cls` starting at pos (pos itself when none), counting
// at most `max_chars` characters.
size_t RunOf(std::string_view text, size_t pos, uint8_t cls, int max_chars = 1 << 30) {
  size_t len = 0;
  for (int n = 0; n < max_chars && (ClassAt(text, pos, &len) & cls); ++n) pos += len;
  return pos;
}

// Length of a contraction ('s 't 're 've 'm 'll 'd) at text[pos], 0 if none. Case-insensitive
// as RE2's (?i) is: 's' also matches U+017F LATIN SMALL LETTER LONG S.
size_t Contraction(std::string_view text, size_t pos, bool ignore_case) {
  if (pos >= text.size() || text[pos] != '\'') return 0;
  const std::string_view rest = text.substr(pos + 1);
  auto eq = [&](size_t i, char c) {
    if (i >= rest.size()) return false;
    const char r = rest[i];
    return r == c || (ignore_case && r >= 'A' && r <= 'Z' && r - 'A' + 'a' == c);
  };
  if (eq(0, 's')) return 2;
  if (ignore_case && rest.substr(0, 2) == "\xC5\xBF") return 3;  // 'ſ
  if (eq(0, 't')) return 2;
  if (eq(0, 'r') && eq(1, 'e')) return 3;
  if (eq(0, 'v') && eq(1, 'e')) return 3;
  if (eq(0, 'm')) return 2;
  if (eq(0, 'l') && eq(1, 'l')) return 3;
  if (eq(0, 'd')) return 2;
  return 0;
}

// `\s+(?!\S)|\s+` at a whitespace character: the run, less its last character when a
// non-space follows and the run is longer than one character.
size_t WhitespaceRun(std::string_view text, size_t pos) {
  const size_t end = RunOf(text, pos, kSpace);
  if (end == text.size()) return end;
  size_t last = end - 1;
  while (last > pos && (static_cast<uint8_t>(text[last]) & 0xC0) == 0x80) --last;
  return last > pos ? last : end;
}

// Unicode White_Space, as members of a character class.
constexpr std::string_view kSpaceMembers =
    R"(\t\n\x0B\f\r \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000})";
constexpr std::string_view kWordMembers = R"(\p{L}\p{M}\p{Nd}\p{Pc})";
constexpr std::string_view kLookaheadAlternative = R"(\s+(?!\S))";

Status Unsupported(std::string_view pattern, std::string_view what) {
  return UnimplementedError("pre-tokenizer regex " + std::string(pattern) + ": " +
                            std::string(what) + " is not supported (RE2 cannot express it)");
}

// Length of the escape sequence starting at s[i] == '\\' (at least 2), covering \p{..}, \x{..},
// \xHH and \pL forms.
size_t EscapeLength(std::string_view s, size_t i) {
  if (i + 1 >= s.size()) return 1;
  const char d = s[i + 1];
  if (d == 'p' || d == 'P' || d == 'x') {
    if (i + 2 < s.size() && s[i + 2] == '{') {
      const size_t close = s.find('}', i + 3);
      return close == std::string_view::npos ? s.size() - i : close - i + 1;
    }
    if (d == 'x') return std::min<size_t>(4, s.size() - i);
    return std::min<size_t>(3, s.size() - i);
  }
  return 2;
}

// Splits at top-level '|' (outside groups and classes).
std::vector<std::string_view> TopLevelAlternatives(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  int depth = 0;
  bool in_class = false;
  size_t class_start = 0;
  for (size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == '\\') {
      i += EscapeLength(s, i);
      continue;
    }
    if (in_class) {
      if (c == ']' && i > class_start) in_class = false;
      ++i;
      continue;
    }
    if (c == '[') {
      in_class = true;
      class_start = i + 1;
      if (class_start < s.size() && s[class_start] == '^') ++class_start;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == '|' && depth == 0) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
    ++i;
  }
  out.push_back(s.substr(start));
  return out;
}

// Rewrites one alternative (see the header).
StatusOr<std::string> TranslateBody(std::string_view pattern, std::string_view s) {
  std::string out;
  bool in_class = false;
  size_t class_start = 0;
  for (size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == '\\') {
      const size_t len = EscapeLength(s, i);
      if (len < 2) return InvalidArgumentError("pre-tokenizer regex ends with a backslash");
      const char d = s[i + 1];
      switch (d) {
        case 's':
          out += in_class ? std::string(kSpaceMembers) : "[" + std::string(kSpaceMembers) + "]";
          break;
        case 'w':
          out += in_class ? std::string(kWordMembers) : "[" + std::string(kWordMembers) + "]";
          break;
        case 'd':
          out += "\\p{Nd}";
          break;
        case 'S':
        case 'W':
        case 'D':
          if (in_class) return Unsupported(pattern, "a negated class escape inside [...]");
          out += d == 'D' ? std::string("\\P{Nd}")
                          : "[^" + std::string(d == 'S' ? kSpaceMembers : kWordMembers) + "]";
          break;
        default:
          out.append(s.substr(i, len));
      }
      i += len;
      continue;
    }
    if (in_class) {
      if (c == '[' && !(i + 1 < s.size() && s[i + 1] == ':')) {
        return Unsupported(pattern, "a nested character class");
      }
      if (c == ']' && i > class_start) in_class = false;
      out.push_back(c);
      ++i;
      continue;
    }
    if (c == '[') {
      in_class = true;
      class_start = i + 1;
      out.push_back(c);
      if (class_start < s.size() && s[class_start] == '^') {
        out.push_back('^');
        ++class_start;
        ++i;
      }
      ++i;
      continue;
    }
    if (c == '(') {
      if (i + 1 < s.size() && s[i + 1] == '?') {
        const std::string_view rest = s.substr(i + 2);
        if (rest.starts_with("=") || rest.starts_with("!") || rest.starts_with("<=") ||
            rest.starts_with("<!")) {
          return Unsupported(pattern, "a lookaround other than a whole `\\s+(?!\\S)` alternative");
        }
        if (rest.starts_with(">")) return Unsupported(pattern, "an atomic group");
        if (rest.starts_with("<") || rest.starts_with("P<")) {  // named group -> plain group
          const size_t close = s.find('>', i);
          if (close == std::string_view::npos) {
            return InvalidArgumentError("pre-tokenizer regex has an unterminated group name");
          }
          out += "(?:";
          i = close + 1;
          continue;
        }
        out += "(?";
        i += 2;
        continue;
      }
      out += "(?:";  // only our own lookahead group captures
      ++i;
      continue;
    }
    if ((c == '+' || c == '*' || c == '?' || c == '}') && i + 1 < s.size() && s[i + 1] == '+') {
      return Unsupported(pattern, "a possessive quantifier");
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

}  // namespace

StatusOr<RegexSplitter> RegexSplitter::Create(std::string_view pattern, bool allow_scanner) {
  RegexSplitter splitter;
  if (allow_scanner) {
    if (pattern == kGpt2SplitPattern) {
      splitter.scanner_ = Scanner::kGpt2;
    } else if (pattern == kLlama3SplitPattern || pattern == kQwen2SplitPattern) {
      splitter.scanner_ = Scanner::kLlama3;
      splitter.max_digits_ = pattern == kLlama3SplitPattern ? 3 : 1;
    }
  }
  bool first = true;
  for (std::string_view alternative : TopLevelAlternatives(pattern)) {
    std::string piece;
    if (alternative == kLookaheadAlternative) {
      if (splitter.has_whitespace_lookahead_) {
        return Unsupported(pattern, "more than one `\\s+(?!\\S)` alternative");
      }
      splitter.has_whitespace_lookahead_ = true;
      piece = "([" + std::string(kSpaceMembers) + "]+)";
    } else {
      AUGSWEEP_ASSIGN_OR_RETURN(piece, TranslateBody(pattern, alternative));
    }
    if (!first) splitter.re2_pattern_ += "|";
    first = false;
    splitter.re2_pattern_ += piece;
  }
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingUTF8);
  options.set_log_errors(false);
  options.set_max_mem(64 << 20);  // Unicode classes make big automata; the default 8 MB thrashes
  auto re = std::make_shared<const RE2>(splitter.re2_pattern_, options);
  if (!re->ok()) {
    return InvalidArgumentError("pre-tokenizer regex " + std::string(pattern) +
                                " does not compile with RE2 (as " + splitter.re2_pattern_ +
                                "): " + re->error());
  }
  splitter.re_ = std::move(re);
  return splitter;
}

size_t RegexSplitter::ScanGpt2(std::string_view text, size_t pos) const {
  // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
  if (const size_t n = Contraction(text, pos, /*ignore_case=*/false)) return pos + n;
  // The three " ?X+" alternatives: after an optional space, one class decides which applies.
  const size_t start = text[pos] == ' ' ? pos + 1 : pos;
  size_t len = 0;
  const uint8_t cls = ClassAt(text, start, &len);
  if (cls & (kLetter | kNumber | kOther)) return RunOf(text, start, cls);
  if (ClassAt(text, pos, &len) == kSpace) return WhitespaceRun(text, pos);
  return pos;
}

size_t RegexSplitter::ScanLlama3(std::string_view text, size_t pos) const {
  // (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|
  // \s*[\r\n]+|\s+(?!\S)|\s+
  if (const size_t n = Contraction(text, pos, /*ignore_case=*/true)) return pos + n;
  size_t len = 0;
  const uint8_t cls = ClassAt(text, pos, &len);
  if (cls == kLetter) return RunOf(text, pos, kLetter);
  const bool newline = text[pos] == '\r' || text[pos] == '\n';
  if ((cls == kSpace || cls == kOther) && !newline) {
    size_t next_len = 0;
    if (ClassAt(text, pos + len, &next_len) == kLetter) return RunOf(text, pos + len, kLetter);
  }
  if (cls == kNumber) return RunOf(text, pos, kNumber, max_digits_);
  const size_t start = text[pos] == ' ' ? pos + 1 : pos;
  if (ClassAt(text, start, &len) == kOther) {
    size_t end = RunOf(text, start, kOther);
    while (end < text.size() && (text[end] == '\r' || text[end] == '\n')) ++end;
    return end;
  }
  if (cls == kSpace) {
    const size_t run_end = RunOf(text, pos, kSpace);
    for (size_t k = run_end; k > pos; --k) {  // the last \r or \n of the run, if any
      if (text[k - 1] == '\r' || text[k - 1] == '\n') return k;
    }
    return WhitespaceRun(text, pos);
  }
  return pos;
}

void RegexSplitter::Split(std::string_view text, std::vector<std::string_view>* out) const {
  if (scanner_ != Scanner::kNone) {
    size_t gap = 0;  // start of bytes no alternative matched
    size_t pos = 0;
    while (pos < text.size()) {
      const size_t end = scanner_ == Scanner::kGpt2 ? ScanGpt2(text, pos) : ScanLlama3(text, pos);
      if (end == pos) {
        ++pos;
        continue;
      }
      if (gap < pos) out->push_back(text.substr(gap, pos - gap));
      out->push_back(text.substr(pos, end - pos));
      pos = gap = end;
    }
    if (gap < text.size()) out->push_back(text.substr(gap));
    return;
  }
  const re2::StringPiece input(text.data(), text.size());
  re2::StringPiece groups[2];
  const int num_groups = has_whitespace_lookahead_ ? 2 : 1;
  size_t pos = 0;
  while (pos < text.size()) {
    // Nearly always a match starts right here; anchoring spares RE2 the search for its start.
    if (!re_->Match(input, pos, text.size(), RE2::ANCHOR_START, groups, num_groups) &&
        !re_->Match(input, pos, text.size(), RE2::UNANCHORED, groups, num_groups)) {
      out->push_back(text.substr(pos));
      return;
    }
    const size_t start = static_cast<size_t>(groups[0].data() - text.data());
    size_t end = start + groups[0].size();
    if (num_groups == 2 && groups[1].data() != nullptr && end < text.size()) {
      // `\s+(?!\S)` with a non-space after the run: give back the run's last character.
      size_t last = end - 1;
      while (last > start && (static_cast<uint8_t>(text[last]) & 0xC0) == 0x80) --last;
      if (last > start) end = last;
    }
    if (end == start) {
      // An empty match (a pattern that allows one): take one byte so the loop advances.
      end = start + 1;
    }
    if (start > pos) out->push_back(text.substr(pos, start - pos));
    out->push_back(text.substr(start, end - start));
    pos = end;
  }
}

}  // namespace augsweep
