// Splits template source into tokens, as Jinja2's lexer does with trim_blocks and lstrip_blocks
// on and keep_trailing_newline off (transformers' settings): text between tags, tag delimiters,
// and the names, literals and operators inside tags. Internal to common/jinja.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace augsweep::jinja {

struct Token {
  enum class Type {
    kData,           // text outside tags (whitespace control already applied)
    kVariableBegin,  // {{
    kVariableEnd,    // }}
    kBlockBegin,     // {%
    kBlockEnd,       // %}
    kName,
    kString,  // text holds the decoded value
    kInteger,
    kFloat,
    kOperator,  // text: + - * / // % ** ~ == != < > <= >= = . , : | ( ) [ ] { }
    kEnd,
  };
  Type type = Type::kEnd;
  std::string text;
  int64_t integer = 0;
  double number = 0;
  int line = 1;
};

// `name` prefixes errors: "<name> line N: ...".
StatusOr<std::vector<Token>> Tokenize(std::string_view source, const std::string& name);

}  // namespace augsweep::jinja
