#include "common/tokenizers/pretokenizer_regex.h"

#include <re2/re2.h>

namespace augsweep {
namespace {

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

StatusOr<RegexSplitter> RegexSplitter::Create(std::string_view pattern) {
  RegexSplitter splitter;
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

void RegexSplitter::Split(std::string_view text, std::vector<std::string_view>* out) const {
  const re2::StringPiece input(text.data(), text.size());
  re2::StringPiece groups[2];
  const int num_groups = has_whitespace_lookahead_ ? 2 : 1;
  size_t pos = 0;
  while (pos < text.size()) {
    if (!re_->Match(input, pos, text.size(), RE2::UNANCHORED, groups, num_groups)) {
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
