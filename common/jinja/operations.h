// What Jinja2 does with Python objects: attribute and item access (with Jinja's fallbacks and
// undefined results), iteration, the operators, and str's Unicode-aware helpers. Errors carry
// Python's messages without the operands' values (a template's data may be private). Internal to
// common/jinja.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/jinja/value.h"

namespace augsweep::jinja {

// `obj.name`: a dict's methods first, then its key; a str's methods; otherwise undefined. Using
// an undefined `obj` is an error (its hint).
StatusOr<Value> GetAttribute(const Value& obj, const std::string& name);
// `obj[key]`: a dict's key or a list's/str's index (negative from the end); otherwise undefined.
StatusOr<Value> GetItem(const Value& obj, const Value& key);
// `obj[start:stop:step]` of a list or str (null parts: undefined or none).
StatusOr<Value> Slice(const Value& obj, const Value& start, const Value& stop, const Value& step);
// Python's iter(): a list's items, a dict's keys, a str's characters; undefined: nothing.
StatusOr<ValueList> Iterate(const Value& obj);
// len(): list, dict, str (in code points); undefined: 0.
StatusOr<int64_t> Length(const Value& obj);

// Binary operators + - * / // % ** (op is the operator's text), and ~.
StatusOr<Value> Arithmetic(const std::string& op, const Value& a, const Value& b);
// == != < > <= >= in notin.
StatusOr<bool> Compare(const std::string& op, const Value& a, const Value& b);
// The error for using an undefined value: its hint ("'x' is undefined").
Status UndefinedError(const Value& undefined);

// str helpers on code points (the text is valid UTF-8; invalid bytes count as one each).
std::vector<std::string> Characters(std::string_view s);
// Python's str.isspace() for one character.
bool IsPythonSpace(std::string_view character);
// str.upper() / str.lower() for the scripts survey texts use (Latin, Greek, Cyrillic; "ß"
// upper-cases to "SS" as in Python); other characters stay as they are.
std::string UpperCase(std::string_view s);
std::string LowerCase(std::string_view s);
// str.strip / lstrip / rstrip: `chars` undefined or none strips whitespace.
std::string StripText(const std::string& s, const Value& chars, bool left, bool right);

}  // namespace augsweep::jinja
