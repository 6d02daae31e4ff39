#include "common/jinja/operations.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>

#include "common/jinja/builtins.h"
#include "common/jinja/template.h"
#include "common/utf8.h"

namespace augsweep::jinja {
namespace {

Status OperandError(const std::string& op, const Value& a, const Value& b) {
  return InvalidArgumentError("unsupported operand type(s) for " + op + ": '" +
                              std::string(a.TypeName()) + "' and '" + std::string(b.TypeName()) +
                              "'");
}

// Latin Extended-A pairs: in 0100-0137 and 014A-0177 the even code point is the capital, in
// 0139-0148 and 0179-017E the odd one.
bool LatinExtendedCapitalIsEven(uint32_t c) {
  return (c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177);
}
bool InLatinExtendedPairs(uint32_t c) {
  return (c >= 0x100 && c <= 0x137) || (c >= 0x139 && c <= 0x148) || (c >= 0x14A && c <= 0x177) ||
         (c >= 0x179 && c <= 0x17E);
}

uint32_t ToUpper(uint32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if ((c >= 0xE0 && c <= 0xFE && c != 0xF7)) return c - 32;
  if (c == 0xFF) return 0x178;
  if (InLatinExtendedPairs(c) && ((c % 2 == 1) == LatinExtendedCapitalIsEven(c))) return c - 1;
  if ((c >= 0x3B1 && c <= 0x3C1) || (c >= 0x3C3 && c <= 0x3CB)) return c - 32;
  if (c == 0x3C2) return 0x3A3;
  if (c == 0x3AC) return 0x386;
  if (c >= 0x3AD && c <= 0x3AF) return c - 37;
  if (c == 0x3CC) return 0x38C;
  if (c == 0x3CD || c == 0x3CE) return c - 63;
  if (c >= 0x430 && c <= 0x44F) return c - 32;
  if (c >= 0x450 && c <= 0x45F) return c - 80;
  return c;
}

uint32_t ToLower(uint32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;
  if (c == 0x178) return 0xFF;
  if (InLatinExtendedPairs(c) && ((c % 2 == 0) == LatinExtendedCapitalIsEven(c))) return c + 1;
  if ((c >= 0x391 && c <= 0x3A1) || (c >= 0x3A3 && c <= 0x3AB)) return c + 32;
  if (c == 0x386) return 0x3AC;
  if (c >= 0x388 && c <= 0x38A) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 63;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

std::string ChangeCase(std::string_view s, bool upper) {
  std::string out;
  for (const std::string& ch : Characters(s)) {
    if (Utf8SequenceLength(ch) == 0) {
      out += ch;
      continue;
    }
    const uint32_t c = FirstCodePoint(ch);
    if (upper && c == 0xDF) {
      out += "SS";
      continue;
    }
    AppendUtf8(upper ? ToUpper(c) : ToLower(c), &out);
  }
  return out;
}

// Python's index normalisation for item access: negative counts from the end.
bool NormalizeIndex(int64_t* i, int64_t size) {
  if (*i < 0) *i += size;
  return *i >= 0 && *i < size;
}

// Python's ints never overflow; these are 64-bit, and a result past that range is an error
// rather than undefined behaviour (no chat template computes such numbers).
Status IntegerOverflow(const std::string& op) {
  return InvalidArgumentError("integer overflow in '" + op + "' (past 64 bits)");
}

// a ** b for b >= 0 by repeated squaring, or nullopt past 64 bits.
std::optional<int64_t> CheckedPower(int64_t base, int64_t exponent) {
  int64_t result = 1;
  while (exponent > 0) {
    if ((exponent & 1) && __builtin_mul_overflow(result, base, &result)) return std::nullopt;
    exponent >>= 1;
    if (exponent > 0 && __builtin_mul_overflow(base, base, &base)) return std::nullopt;
  }
  return result;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

int64_t FloorMod(int64_t a, int64_t b) {
  int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

// Python's str * n and list * n (n <= 0: empty), refused past the template limits.
StatusOr<Value> Repeat(const Value& seq, int64_t times) {
  const size_t size = seq.is_string() ? seq.string_value().size() : seq.list().size();
  const size_t cap = seq.is_string() ? kMaxOutputBytes : kMaxListItems;
  if (times <= 0 || size == 0) {  // empty, without looping `times` times over nothing
    return seq.is_string() ? Value::String("") : Value::List({});
  }
  if (static_cast<uint64_t>(times) > cap / size) {
    return InvalidArgumentError(std::string(seq.is_string() ? "a string" : "a list") +
                                " repeated " + std::to_string(times) +
                                " times would hold more than " + std::to_string(cap) +
                                (seq.is_string() ? " bytes" : " items"));
  }
  if (seq.is_string()) {
    std::string out;
    for (int64_t i = 0; i < times; ++i) out += seq.string_value();
    return Value::String(std::move(out));
  }
  ValueList out;
  for (int64_t i = 0; i < times; ++i) out.insert(out.end(), seq.list().begin(), seq.list().end());
  return Value::List(std::move(out));
}

}  // namespace

Status UndefinedError(const Value& undefined) {
  return InvalidArgumentError(undefined.string_value().empty() ? "value is undefined"
                                                               : undefined.string_value());
}

std::vector<std::string> Characters(std::string_view s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    const size_t n = std::max<size_t>(1, Utf8SequenceLength(s.substr(i)));
    out.emplace_back(s.substr(i, n));
    i += n;
  }
  return out;
}

bool IsPythonSpace(std::string_view character) {
  const uint32_t c = FirstCodePoint(character);
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

std::string UpperCase(std::string_view s) { return ChangeCase(s, true); }
std::string LowerCase(std::string_view s) { return ChangeCase(s, false); }

std::string StripText(const std::string& s, const Value& chars, bool left, bool right) {
  const std::vector<std::string> text = Characters(s);
  std::vector<std::string> set;
  const bool whitespace = chars.is_undefined() || chars.is_none();
  if (!whitespace) set = Characters(chars.Str());
  auto strip = [&](const std::string& c) {
    return whitespace ? IsPythonSpace(c) : std::find(set.begin(), set.end(), c) != set.end();
  };
  size_t begin = 0;
  size_t end = text.size();
  while (left && begin < end && strip(text[begin])) ++begin;
  while (right && end > begin && strip(text[end - 1])) --end;
  std::string out;
  for (size_t i = begin; i < end; ++i) out += text[i];
  return out;
}

StatusOr<Value> GetAttribute(const Value& obj, const std::string& name) {
  if (obj.is_undefined()) return UndefinedError(obj);
  Value method = MethodOf(obj, name);
  if (!method.is_undefined()) return method;
  if (obj.is_dict()) {
    if (const Value* v = obj.Find(name)) return *v;
  }
  if (obj.is_list() && IsUnsafeListMethod(name)) {
    return Value::Undefined("access to attribute '" + name + "' of 'list' object is unsafe.");
  }
  return Value::Undefined("'" + std::string(obj.TypeName()) + " object' has no attribute '" + name +
                          "'");
}

StatusOr<Value> GetItem(const Value& obj, const Value& key) {
  if (obj.is_undefined()) return UndefinedError(obj);
  if (obj.is_dict() && key.is_string()) {
    if (const Value* v = obj.Find(key.string_value())) return *v;
  }
  if ((obj.is_list() || obj.is_string()) && (key.is_int() || key.is_bool())) {
    int64_t i = key.int_value();
    if (obj.is_list()) {
      if (NormalizeIndex(&i, static_cast<int64_t>(obj.list().size()))) {
        return obj.list()[static_cast<size_t>(i)];
      }
    } else {
      const std::vector<std::string> chars = Characters(obj.string_value());
      if (NormalizeIndex(&i, static_cast<int64_t>(chars.size()))) {
        return Value::String(chars[static_cast<size_t>(i)]);
      }
    }
    return Value::Undefined(std::string(obj.TypeName()) + " object has no element " +
                            std::to_string(key.int_value()));
  }
  if (key.is_string()) return GetAttribute(obj, key.string_value());
  return Value::Undefined("'" + std::string(obj.TypeName()) + " object' has no item of type " +
                          std::string(key.TypeName()));
}

StatusOr<Value> Slice(const Value& obj, const Value& start, const Value& stop, const Value& step) {
  if (obj.is_undefined()) return UndefinedError(obj);
  if (!obj.is_list() && !obj.is_string()) {
    return InvalidArgumentError("'" + std::string(obj.TypeName()) +
                                "' object is not subscriptable");
  }
  std::vector<Value> items;
  if (obj.is_list()) {
    items = obj.list();
  } else {
    for (std::string& c : Characters(obj.string_value())) items.push_back(Value::String(c));
  }
  const auto n = static_cast<int64_t>(items.size());
  auto given = [](const Value& v) { return !v.is_undefined() && !v.is_none(); };
  for (const Value* part : {&start, &stop, &step}) {
    if (given(*part) && !(part->is_int() || part->is_bool())) {
      return InvalidArgumentError("slice indices must be integers or None");
    }
  }
  const int64_t s = given(step) ? step.int_value() : 1;
  if (s == 0) return InvalidArgumentError("slice step cannot be zero");
  // Python's PySlice_AdjustIndices.
  auto adjust = [&](const Value& v, int64_t fallback) {
    if (!given(v)) return fallback;
    int64_t i = v.int_value();
    if (i < 0) {
      i += n;
      if (i < 0) i = s < 0 ? -1 : 0;
    } else if (i >= n) {
      i = s < 0 ? n - 1 : n;
    }
    return i;
  };
  const int64_t begin = adjust(start, s < 0 ? n - 1 : 0);
  const int64_t end = adjust(stop, s < 0 ? -1 : n);
  ValueList out;
  for (int64_t i = begin; s > 0 ? i < end : i > end; i += s) {
    out.push_back(items[static_cast<size_t>(i)]);
  }
  if (obj.is_list()) return Value::List(std::move(out));
  std::string text;
  for (const Value& c : out) text += c.string_value();
  return Value::String(std::move(text));
}

StatusOr<ValueList> Iterate(const Value& obj) {
  switch (obj.kind()) {
    case Value::Kind::kUndefined:
      return ValueList{};
    case Value::Kind::kList:
      return obj.list();
    case Value::Kind::kDict: {
      ValueList keys;
      for (const auto& [k, v] : obj.dict()) keys.push_back(Value::String(k));
      return keys;
    }
    case Value::Kind::kString: {
      ValueList chars;
      for (std::string& c : Characters(obj.string_value())) chars.push_back(Value::String(c));
      return chars;
    }
    default:
      return InvalidArgumentError("'" + std::string(obj.TypeName()) + "' object is not iterable");
  }
}

StatusOr<int64_t> Length(const Value& obj) {
  switch (obj.kind()) {
    case Value::Kind::kUndefined:
      return 0;
    case Value::Kind::kList:
      return static_cast<int64_t>(obj.list().size());
    case Value::Kind::kDict:
      return static_cast<int64_t>(obj.dict().size());
    case Value::Kind::kString:
      return static_cast<int64_t>(Characters(obj.string_value()).size());
    default:
      return InvalidArgumentError("object of type '" + std::string(obj.TypeName()) +
                                  "' has no len()");
  }
}

StatusOr<Value> Arithmetic(const std::string& op, const Value& a, const Value& b) {
  if (op == "~") return Value::String(a.Str() + b.Str());
  if (a.is_undefined()) return UndefinedError(a);
  if (b.is_undefined()) return UndefinedError(b);
  if (a.is_number() && b.is_number()) {
    const bool floats = a.is_float() || b.is_float();
    const double x = a.float_value();
    const double y = b.float_value();
    const int64_t i = a.int_value();
    const int64_t j = b.int_value();
    int64_t r = 0;
    if (op == "+") {
      if (floats) return Value::Float(x + y);
      if (__builtin_add_overflow(i, j, &r)) return IntegerOverflow(op);
      return Value::Int(r);
    }
    if (op == "-") {
      if (floats) return Value::Float(x - y);
      if (__builtin_sub_overflow(i, j, &r)) return IntegerOverflow(op);
      return Value::Int(r);
    }
    if (op == "*") {
      if (floats) return Value::Float(x * y);
      if (__builtin_mul_overflow(i, j, &r)) return IntegerOverflow(op);
      return Value::Int(r);
    }
    if (op == "**") {
      if (floats || j < 0) return Value::Float(std::pow(x, y));
      const std::optional<int64_t> power = CheckedPower(i, j);
      if (!power) return IntegerOverflow(op);
      return Value::Int(*power);
    }
    if (y == 0) return InvalidArgumentError("division by zero");
    // The one quotient past 64 bits: the most negative number over -1.
    if (!floats && (op == "//" || op == "%") && j == -1 && i == INT64_MIN) {
      if (op == "%") return Value::Int(0);
      return IntegerOverflow(op);
    }
    if (op == "/") return Value::Float(x / y);
    if (op == "//") {
      return floats ? Value::Float(std::floor(x / y)) : Value::Int(FloorDiv(i, j));
    }
    if (op == "%") {
      if (!floats) return Value::Int(FloorMod(i, j));
      double m = std::fmod(x, y);
      if (m != 0 && ((m < 0) != (y < 0))) m += y;
      return Value::Float(m);
    }
  }
  if (op == "+") {
    if (a.is_string() && b.is_string()) return Value::String(a.string_value() + b.string_value());
    if (a.is_list() && b.is_list()) {
      ValueList out = a.list();
      out.insert(out.end(), b.list().begin(), b.list().end());
      return Value::List(std::move(out));
    }
    if (a.is_string()) {
      return InvalidArgumentError("can only concatenate str (not \"" + std::string(b.TypeName()) +
                                  "\") to str");
    }
    if (a.is_list()) {
      return InvalidArgumentError("can only concatenate list (not \"" + std::string(b.TypeName()) +
                                  "\") to list");
    }
  }
  if (op == "*") {
    const Value* seq = a.is_string() || a.is_list() ? &a : &b;
    const Value* times = seq == &a ? &b : &a;
    if ((seq->is_string() || seq->is_list()) && (times->is_int() || times->is_bool())) {
      return Repeat(*seq, times->int_value());
    }
  }
  if (op == "%" && a.is_string()) {
    return InvalidArgumentError("printf-style '%' formatting is not supported");
  }
  return OperandError(op, a, b);
}

StatusOr<bool> Compare(const std::string& op, const Value& a, const Value& b) {
  if (op == "==") return Equal(a, b);
  if (op == "!=") return !Equal(a, b);
  if (op == "in" || op == "notin") {
    bool found = false;
    if (b.is_string()) {
      if (!a.is_string()) {
        return InvalidArgumentError("'in <string>' requires string as left operand, not " +
                                    std::string(a.TypeName()));
      }
      found = b.string_value().find(a.string_value()) != std::string::npos;
    } else if (b.is_list()) {
      found = std::any_of(b.list().begin(), b.list().end(),
                          [&](const Value& v) { return Equal(a, v); });
    } else if (b.is_dict()) {
      found = a.is_string() && b.Find(a.string_value()) != nullptr;
    } else if (!b.is_undefined()) {
      return InvalidArgumentError("argument of type '" + std::string(b.TypeName()) +
                                  "' is not iterable");
    }
    return op == "in" ? found : !found;
  }
  if (a.is_undefined()) return UndefinedError(a);
  if (b.is_undefined()) return UndefinedError(b);
  int order = 0;
  if (a.is_number() && b.is_number()) {
    const double x = a.float_value();
    const double y = b.float_value();
    if (!a.is_float() && !b.is_float()) {
      order = a.int_value() < b.int_value() ? -1 : a.int_value() > b.int_value() ? 1 : 0;
    } else {
      if (std::isnan(x) || std::isnan(y)) return false;
      order = x < y ? -1 : x > y ? 1 : 0;
    }
  } else if (a.is_string() && b.is_string()) {
    // UTF-8 byte order is code point order, Python's order for str.
    const int c = a.string_value().compare(b.string_value());
    order = c < 0 ? -1 : c > 0 ? 1 : 0;
  } else {
    const std::string symbol = op;
    return InvalidArgumentError("'" + symbol + "' not supported between instances of '" +
                                std::string(a.TypeName()) + "' and '" + std::string(b.TypeName()) +
                                "'");
  }
  if (op == "<") return order < 0;
  if (op == ">") return order > 0;
  if (op == "<=") return order <= 0;
  if (op == ">=") return order >= 0;
  return InvalidArgumentError("unknown comparison " + op);
}

}  // namespace augsweep::jinja
