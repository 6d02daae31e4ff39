#include "common/jinja/lexer.h"

#include <algorithm>
#include <cctype>

#include "common/utf8.h"

namespace augsweep::jinja {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  Lexer(std::string source, const std::string& name) : src_(std::move(source)), name_(name) {}

  StatusOr<std::vector<Token>> Run() {
    bool strip_next = false;
    while (pos_ < src_.size()) {
      if (strip_next) {
        while (pos_ < src_.size() && IsSpace(src_[pos_])) Advance(1);
        strip_next = false;
      }
      const bool line_starting = pos_ == 0 || src_[pos_ - 1] == '\n';
      size_t start = pos_;
      while (start < src_.size() &&
             !(src_[start] == '{' && start + 1 < src_.size() &&
               (src_[start + 1] == '{' || src_[start + 1] == '%' || src_[start + 1] == '#'))) {
        ++start;
      }
      std::string text = src_.substr(pos_, start - pos_);
      const int text_line = line_;
      Advance(start - pos_);
      if (start == src_.size()) {
        Emit(Token::Type::kData, std::move(text), text_line);
        break;
      }
      const char kind = src_[start + 1];
      const char sign = start + 2 < src_.size() ? src_[start + 2] : '\0';
      if (sign == '-') {
        text.erase(std::find_if_not(text.rbegin(), text.rend(), IsSpace).base(), text.end());
      } else if (sign != '+' && kind != '{') {
        // lstrip_blocks: spaces between a line's start and a block or comment tag go.
        const size_t line_start = text.rfind('\n') + 1;  // npos + 1 == 0
        if ((line_start > 0 || line_starting) && line_start < text.size() &&
            std::all_of(text.begin() + static_cast<long>(line_start), text.end(),
                        [](char c) { return IsSpace(c) && c != '\n'; })) {
          text.resize(line_start);
        }
      }
      Emit(Token::Type::kData, std::move(text), text_line);
      Advance(2 + (sign == '-' || sign == '+' ? 1 : 0));
      if (kind == '#') {
        const size_t end = src_.find("#}", pos_);
        if (end == std::string::npos) return Error("comment not closed (missing '#}')");
        const char close_sign = end > pos_ ? src_[end - 1] : '\0';
        Advance(end + 2 - pos_);
        strip_next = close_sign == '-';
        if (!strip_next && close_sign != '+') TrimNewline();
        continue;
      }
      const bool block = kind == '%';
      Emit(block ? Token::Type::kBlockBegin : Token::Type::kVariableBegin, "", line_);
      AUGSWEEP_ASSIGN_OR_RETURN(const char close_sign, TagTokens(block));
      Emit(block ? Token::Type::kBlockEnd : Token::Type::kVariableEnd, "", line_);
      strip_next = close_sign == '-';
      if (block && !strip_next && close_sign != '+') TrimNewline();
    }
    Emit(Token::Type::kEnd, "", line_);
    return std::move(tokens_);
  }

 private:
  Status Error(const std::string& what) const {
    return InvalidArgumentError(name_ + " line " + std::to_string(line_) + ": " + what);
  }

  void Advance(size_t n) {
    line_ += static_cast<int>(std::count(src_.begin() + static_cast<long>(pos_),
                                         src_.begin() + static_cast<long>(pos_ + n), '\n'));
    pos_ += n;
  }

  // trim_blocks: the first newline after a block or comment tag goes.
  void TrimNewline() {
    if (pos_ < src_.size() && src_[pos_] == '\n') Advance(1);
  }

  void Emit(Token::Type type, std::string text, int line) {
    if (type == Token::Type::kData && text.empty()) return;
    Token t;
    t.type = type;
    t.text = std::move(text);
    t.line = line;
    tokens_.push_back(std::move(t));
  }

  bool At(std::string_view s) const { return src_.compare(pos_, s.size(), s) == 0; }

  // The tokens inside a tag up to its closing delimiter; returns the closing sign ('-', '+' or 0).
  StatusOr<char> TagTokens(bool block) {
    const std::string close = block ? "%}" : "}}";
    int depth = 0;  // open brackets: a '}}' inside a dict literal does not close the tag
    while (true) {
      while (pos_ < src_.size() && IsSpace(src_[pos_])) Advance(1);
      if (pos_ >= src_.size()) {
        return Error(std::string("tag not closed (missing '") + close + "')");
      }
      if (depth == 0) {
        for (const char sign : {'-', '+'}) {
          if (src_[pos_] == sign && At(std::string(1, sign) + close)) {
            Advance(3);
            return sign;
          }
        }
        if (At(close)) {
          Advance(2);
          return '\0';
        }
      }
      const char c = src_[pos_];
      Token t;
      t.line = line_;
      if (IsNameStart(c)) {
        size_t end = pos_;
        while (end < src_.size() && IsNameChar(src_[end])) ++end;
        t.type = Token::Type::kName;
        t.text = src_.substr(pos_, end - pos_);
        Advance(end - pos_);
      } else if (IsDigit(c)) {
        AUGSWEEP_RETURN_IF_ERROR(Number(&t));
      } else if (c == '\'' || c == '"') {
        AUGSWEEP_RETURN_IF_ERROR(String(&t));
      } else {
        static const char* const kOperators[] = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*",
                                                 "/",  "%",  "~",  "<",  ">",  "=",  ".", ",", ":",
                                                 "|",  "(",  ")",  "[",  "]",  "{",  "}"};
        const char* match = nullptr;
        for (const char* op : kOperators) {
          if (At(op)) {
            match = op;
            break;
          }
        }
        if (match == nullptr) return Error(std::string("unexpected character '") + c + "'");
        t.type = Token::Type::kOperator;
        t.text = match;
        if (t.text == "(" || t.text == "[" || t.text == "{") ++depth;
        if (t.text == ")" || t.text == "]" || t.text == "}") {
          if (depth == 0) return Error("unexpected '" + t.text + "'");
          --depth;
        }
        Advance(t.text.size());
      }
      tokens_.push_back(std::move(t));
    }
  }

  Status Number(Token* t) {
    size_t end = pos_;
    while (end < src_.size() && (IsDigit(src_[end]) || src_[end] == '_')) ++end;
    bool is_float = false;
    if (end + 1 < src_.size() && src_[end] == '.' && IsDigit(src_[end + 1])) {
      is_float = true;
      ++end;
      while (end < src_.size() && (IsDigit(src_[end]) || src_[end] == '_')) ++end;
    }
    if (end < src_.size() && (src_[end] == 'e' || src_[end] == 'E')) {
      size_t e = end + 1;
      if (e < src_.size() && (src_[e] == '+' || src_[e] == '-')) ++e;
      if (e < src_.size() && IsDigit(src_[e])) {
        is_float = true;
        end = e;
        while (end < src_.size() && IsDigit(src_[end])) ++end;
      }
    }
    std::string digits;
    for (size_t i = pos_; i < end; ++i) {
      if (src_[i] != '_') digits += src_[i];
    }
    try {
      if (is_float) {
        t->type = Token::Type::kFloat;
        t->number = std::stod(digits);
      } else {
        t->type = Token::Type::kInteger;
        t->integer = std::stoll(digits);
      }
    } catch (const std::exception&) {
      return Error("number out of range");
    }
    t->text = digits;
    Advance(end - pos_);
    return OkStatus();
  }

  // A string literal with Python's escapes (Jinja decodes them with unicode-escape).
  Status String(Token* t) {
    const char quote = src_[pos_];
    const int start_line = line_;
    size_t i = pos_ + 1;
    std::string value;
    while (true) {
      if (i >= src_.size()) {
        line_ = start_line;
        return Error("string literal not closed");
      }
      const char c = src_[i];
      if (c == quote) break;
      if (c != '\\' || i + 1 >= src_.size()) {
        value += c;
        ++i;
        continue;
      }
      const char e = src_[i + 1];
      i += 2;
      switch (e) {
        case 'n':
          value += '\n';
          break;
        case 't':
          value += '\t';
          break;
        case 'r':
          value += '\r';
          break;
        case '\\':
          value += '\\';
          break;
        case '\'':
          value += '\'';
          break;
        case '"':
          value += '"';
          break;
        case 'a':
          value += '\a';
          break;
        case 'b':
          value += '\b';
          break;
        case 'f':
          value += '\f';
          break;
        case 'v':
          value += '\v';
          break;
        case '0':
          value += '\0';
          break;
        case '\n':
          break;  // a backslash-newline continues the line
        case 'x':
        case 'u':
        case 'U': {
          const size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          if (i + digits > src_.size())
            return Error("truncated \\" + std::string(1, e) + " escape");
          uint32_t cp = 0;
          for (size_t k = 0; k < digits; ++k) {
            const char h = src_[i + k];
            if (!std::isxdigit(static_cast<unsigned char>(h))) {
              return Error("bad \\" + std::string(1, e) + " escape in a string literal");
            }
            cp = cp * 16 + static_cast<uint32_t>(std::isdigit(static_cast<unsigned char>(h))
                                                     ? h - '0'
                                                     : std::tolower(h) - 'a' + 10);
          }
          if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return Error("escape is not a Unicode scalar value");
          }
          AppendUtf8(cp, &value);
          i += digits;
          break;
        }
        default:  // unknown escapes stay as written
          value += '\\';
          value += e;
      }
    }
    t->type = Token::Type::kString;
    t->text = std::move(value);
    Advance(i + 1 - pos_);
    return OkStatus();
  }

  std::string src_;
  const std::string& name_;
  size_t pos_ = 0;
  int line_ = 1;
  std::vector<Token> tokens_;
};

}  // namespace

StatusOr<std::vector<Token>> Tokenize(std::string_view source, const std::string& name) {
  // Jinja normalises newlines to "\n" and, without keep_trailing_newline, drops one at the end.
  std::string text;
  text.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      text += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      text += source[i];
    }
  }
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return Lexer(std::move(text), name).Run();
}

}  // namespace augsweep::jinja
