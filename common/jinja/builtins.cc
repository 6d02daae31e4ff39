#include "common/jinja/builtins.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <initializer_list>
#include <map>
#include <vector>

#include "common/html_escape.h"
#include "common/jinja/operations.h"
#include "common/jinja/template.h"

namespace augsweep::jinja {
namespace {

// Arguments bound to parameter names, positional first, then by keyword.
class Params {
 public:
  static StatusOr<Params> Bind(std::string_view fn, CallArgs& args,
                               std::initializer_list<const char*> names, bool variadic = false) {
    Params p;
    p.values_.resize(names.size());
    const std::vector<const char*> list(names);
    for (size_t i = 0; i < args.positional.size(); ++i) {
      if (i < list.size()) {
        p.values_[i] = args.positional[i];
      } else if (variadic) {
        p.rest.push_back(args.positional[i]);
      } else {
        return InvalidArgumentError(std::string(fn) + "() takes at most " +
                                    std::to_string(list.size()) + " arguments");
      }
    }
    for (auto& keyword : args.keyword) {
      const std::string& key = keyword.first;
      const Value& value = keyword.second;
      const auto it =
          std::find_if(list.begin(), list.end(), [&](const char* n) { return key == n; });
      if (it == list.end()) {
        return InvalidArgumentError(std::string(fn) + "() got an unexpected keyword argument '" +
                                    key + "'");
      }
      p.values_[static_cast<size_t>(it - list.begin())] = value;
    }
    return p;
  }
  const Value& operator[](size_t i) const { return values_[i]; }
  bool given(size_t i) const { return !values_[i].is_undefined(); }
  ValueList rest;

 private:
  std::vector<Value> values_;
};

bool Given(const Value& v) { return !v.is_undefined() && !v.is_none(); }

// A letter of the scripts UpperCase knows: it has another case.
bool IsCased(const std::string& ch) { return UpperCase(ch) != LowerCase(ch); }

std::string Capitalize(const std::string& s) {
  const std::vector<std::string> chars = Characters(s);
  std::string out;
  for (size_t i = 0; i < chars.size(); ++i) {
    out += i == 0 ? UpperCase(chars[i]) : LowerCase(chars[i]);
  }
  return out;
}

// Python's str.title(): a cased letter after an uncased character starts a word.
std::string PythonTitle(const std::string& s) {
  std::string out;
  bool start = true;
  for (const std::string& ch : Characters(s)) {
    const bool cased = IsCased(ch);
    out += !cased ? ch : start ? UpperCase(ch) : LowerCase(ch);
    start = !cased;
  }
  return out;
}

// Jinja's title filter: the first character after '-', whitespace or an opening bracket is
// upper-cased, the rest of the word lower-cased.
std::string JinjaTitle(const std::string& s) {
  std::string out;
  bool start = true;
  for (const std::string& ch : Characters(s)) {
    const bool separator =
        ch == "-" || ch == "(" || ch == "{" || ch == "[" || ch == "<" || IsPythonSpace(ch);
    out += separator ? ch : start ? UpperCase(ch) : LowerCase(ch);
    start = separator;
  }
  return out;
}

// A string a filter or method builds may not pass the template's output limit.
Status CheckBuilt(const std::string& out, const char* what) {
  if (out.size() <= kMaxOutputBytes) return OkStatus();
  return InvalidArgumentError(std::string(what) + ": the result passes " +
                              std::to_string(kMaxOutputBytes) + " bytes");
}

StatusOr<std::string> Replace(const std::string& s, const std::string& old, const std::string& repl,
                              int64_t count) {
  std::string out;
  size_t pos = 0;
  int64_t done = 0;
  if (old.empty()) {  // Python inserts between characters
    std::vector<std::string> chars = Characters(s);
    for (const std::string& c : chars) {
      if (count < 0 || done < count) {
        out += repl;
        ++done;
      }
      out += c;
      AUGSWEEP_RETURN_IF_ERROR(CheckBuilt(out, "replace"));
    }
    if (count < 0 || done < count) out += repl;
    return out;
  }
  while (count < 0 || done < count) {
    const size_t at = s.find(old, pos);
    if (at == std::string::npos) break;
    out += s.substr(pos, at - pos) + repl;
    AUGSWEEP_RETURN_IF_ERROR(CheckBuilt(out, "replace"));
    pos = at + old.size();
    ++done;
  }
  return out + s.substr(pos);
}

// Python's str.split(sep=None, maxsplit=-1).
ValueList Split(const std::string& s, const Value& sep, int64_t maxsplit) {
  ValueList out;
  if (!Given(sep)) {
    const std::vector<std::string> chars = Characters(s);
    size_t i = 0;
    while (true) {
      while (i < chars.size() && IsPythonSpace(chars[i])) ++i;
      if (i == chars.size()) break;
      std::string word;
      if (maxsplit >= 0 && static_cast<int64_t>(out.size()) == maxsplit) {
        size_t end = chars.size();
        while (end > i && IsPythonSpace(chars[end - 1])) --end;
        for (; i < end; ++i) word += chars[i];
        out.push_back(Value::String(word));
        break;
      }
      while (i < chars.size() && !IsPythonSpace(chars[i])) word += chars[i++];
      out.push_back(Value::String(word));
    }
    return out;
  }
  const std::string& delim = sep.string_value();
  size_t pos = 0;
  while (maxsplit < 0 || static_cast<int64_t>(out.size()) < maxsplit) {
    const size_t at = s.find(delim, pos);
    if (at == std::string::npos) break;
    out.push_back(Value::String(s.substr(pos, at - pos)));
    pos = at + delim.size();
  }
  out.push_back(Value::String(s.substr(pos)));
  return out;
}

StatusOr<bool> AffixMatch(const std::string& s, const Value& affix, bool prefix) {
  ValueList options;
  if (affix.is_string()) {
    options.push_back(affix);
  } else if (affix.is_list()) {
    options = affix.list();
  } else {
    return InvalidArgumentError(std::string(prefix ? "startswith" : "endswith") +
                                " first arg must be str or a tuple of str");
  }
  for (const Value& o : options) {
    if (!o.is_string()) return InvalidArgumentError("expected a str");
    const std::string& a = o.string_value();
    if (a.size() > s.size()) continue;
    if (prefix ? s.compare(0, a.size(), a) == 0
               : s.compare(s.size() - a.size(), a.size(), a) == 0) {
      return true;
    }
  }
  return false;
}

Status NeedString(std::string_view method, const Value& v) {
  if (v.is_string()) return OkStatus();
  return InvalidArgumentError(std::string(method) + "() argument must be str, not " +
                              std::string(v.TypeName()));
}

// ---- methods -------------------------------------------------------------------------------

StatusOr<Value> StringMethod(const std::string& s, const std::string& name, CallArgs& args) {
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    AUGSWEEP_ASSIGN_OR_RETURN(Params p, Params::Bind(name, args, {"chars"}));
    return Value::String(StripText(s, p[0], name != "rstrip", name != "lstrip"));
  }
  if (name == "split") {
    AUGSWEEP_ASSIGN_OR_RETURN(Params p, Params::Bind(name, args, {"sep", "maxsplit"}));
    if (Given(p[0])) AUGSWEEP_RETURN_IF_ERROR(NeedString(name, p[0]));
    if (Given(p[0]) && p[0].string_value().empty()) return InvalidArgumentError("empty separator");
    return Value::List(Split(s, p[0], p.given(1) ? p[1].int_value() : -1));
  }
  if (name == "startswith" || name == "endswith") {
    AUGSWEEP_ASSIGN_OR_RETURN(Params p, Params::Bind(name, args, {"prefix"}));
    AUGSWEEP_ASSIGN_OR_RETURN(bool match, AffixMatch(s, p[0], name == "startswith"));
    return Value::Bool(match);
  }
  if (name == "upper") return Value::String(UpperCase(s));
  if (name == "lower") return Value::String(LowerCase(s));
  if (name == "capitalize") return Value::String(Capitalize(s));
  if (name == "title") return Value::String(PythonTitle(s));
  if (name == "replace") {
    AUGSWEEP_ASSIGN_OR_RETURN(Params p, Params::Bind(name, args, {"old", "new", "count"}));
    AUGSWEEP_RETURN_IF_ERROR(NeedString(name, p[0]));
    AUGSWEEP_RETURN_IF_ERROR(NeedString(name, p[1]));
    AUGSWEEP_ASSIGN_OR_RETURN(
        std::string replaced,
        Replace(s, p[0].string_value(), p[1].string_value(), p.given(2) ? p[2].int_value() : -1));
    return Value::String(std::move(replaced));
  }
  if (name == "find" || name == "count") {
    AUGSWEEP_ASSIGN_OR_RETURN(Params p, Params::Bind(name, args, {"sub"}));
    AUGSWEEP_RETURN_IF_ERROR(NeedString(name, p[0]));
    const std::string& sub = p[0].string_value();
    if (name == "find") {
      const size_t at = s.find(sub);
      if (at == std::string::npos) return Value::Int(-1);
      return Value::Int(static_cast<int64_t>(Characters(s.substr(0, at)).size()));
    }
    if (sub.empty()) return Value::Int(static_cast<int64_t>(Characters(s).size()) + 1);
    int64_t n = 0;
    for (size_t at = s.find(sub); at != std::string::npos; at = s.find(sub, at + sub.size())) ++n;
    return Value::Int(n);
  }
  if (name == "join") {
    AUGSWEEP_ASSIGN_OR_RETURN(Params p, Params::Bind(name, args, {"iterable"}));
    AUGSWEEP_ASSIGN_OR_RETURN(ValueList items, Iterate(p[0]));
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
      AUGSWEEP_RETURN_IF_ERROR(NeedString(name, items[i]));
      if (i > 0) out += s;
      out += items[i].string_value();
      AUGSWEEP_RETURN_IF_ERROR(CheckBuilt(out, "join"));
    }
    return Value::String(out);
  }
  if (name == "splitlines") {
    ValueList lines;
    std::string line;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\n' || s[i] == '\r') {
        if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
        lines.push_back(Value::String(line));
        line.clear();
      } else {
        line += s[i];
      }
    }
    if (!line.empty()) lines.push_back(Value::String(line));
    return Value::List(std::move(lines));
  }
  if (name == "isspace" || name == "isdigit" || name == "isalpha" || name == "isalnum" ||
      name == "islower" || name == "isupper") {
    if (s.empty()) return Value::Bool(false);
    const std::vector<std::string> chars = Characters(s);
    auto all = [&](auto pred) { return std::all_of(chars.begin(), chars.end(), pred); };
    auto ascii = [](const std::string& c, int (*pred)(int)) {
      return c.size() == 1 && pred(static_cast<unsigned char>(c[0])) != 0;
    };
    if (name == "isspace")
      return Value::Bool(all([](const std::string& c) { return IsPythonSpace(c); }));
    if (name == "isdigit")
      return Value::Bool(all([&](const std::string& c) { return ascii(c, std::isdigit); }));
    if (name == "isalpha")
      return Value::Bool(all([&](const std::string& c) { return ascii(c, std::isalpha); }));
    if (name == "isalnum")
      return Value::Bool(all([&](const std::string& c) { return ascii(c, std::isalnum); }));
    if (name == "islower") return Value::Bool(LowerCase(s) == s && UpperCase(s) != s);
    return Value::Bool(UpperCase(s) == s && LowerCase(s) != s);
  }
  return InvalidArgumentError("str." + name + " is not supported");
}

const char* const kStringMethods[] = {
    "strip",      "lstrip",  "rstrip",     "split",   "startswith", "endswith", "upper",
    "lower",      "title",   "capitalize", "replace", "find",       "count",    "join",
    "splitlines", "isspace", "isdigit",    "isalpha", "isalnum",    "islower",  "isupper"};

StatusOr<Value> DictMethod(const Value& d, const std::string& name, CallArgs& args) {
  if (name == "items" || name == "keys" || name == "values") {
    AUGSWEEP_ASSIGN_OR_RETURN(Params p, Params::Bind(name, args, {}));
    ValueList out;
    for (const auto& [k, v] : d.dict()) {
      if (name == "items") {
        out.push_back(Value::Tuple({Value::String(k), v}));
      } else {
        out.push_back(name == "keys" ? Value::String(k) : v);
      }
    }
    return Value::List(std::move(out));
  }
  if (name == "get") {
    AUGSWEEP_ASSIGN_OR_RETURN(Params p, Params::Bind(name, args, {"key", "default"}));
    if (p[0].is_string()) {
      if (const Value* v = d.Find(p[0].string_value())) return *v;
    }
    return p.given(1) ? p[1] : Value::None();
  }
  return InvalidArgumentError("dict." + name + " is not supported");
}

// ---- tests ---------------------------------------------------------------------------------

StatusOr<Value> OneArg(std::string_view fn, CallArgs& args) {
  AUGSWEEP_ASSIGN_OR_RETURN(Params p, Params::Bind(fn, args, {"other"}));
  return p[0];
}

#define AUGSWEEP_SIMPLE_TEST(name, expr) \
  StatusOr<bool> name(const Value& v, CallArgs&) { return (expr); }

AUGSWEEP_SIMPLE_TEST(TestDefined, !v.is_undefined())
AUGSWEEP_SIMPLE_TEST(TestUndefined, v.is_undefined())
AUGSWEEP_SIMPLE_TEST(TestNone, v.is_none())
AUGSWEEP_SIMPLE_TEST(TestBoolean, v.is_bool())
AUGSWEEP_SIMPLE_TEST(TestTrue, v.is_bool() && v.bool_value())
AUGSWEEP_SIMPLE_TEST(TestFalse, v.is_bool() && !v.bool_value())
AUGSWEEP_SIMPLE_TEST(TestInteger, v.is_int())
AUGSWEEP_SIMPLE_TEST(TestFloat, v.is_float())
AUGSWEEP_SIMPLE_TEST(TestNumber, v.is_number())
AUGSWEEP_SIMPLE_TEST(TestString, v.is_string())
AUGSWEEP_SIMPLE_TEST(TestMapping, v.is_dict())
AUGSWEEP_SIMPLE_TEST(TestIterable, v.is_list() || v.is_dict() || v.is_string() || v.is_undefined())
AUGSWEEP_SIMPLE_TEST(TestSequence, v.is_list() || v.is_dict() || v.is_string())
AUGSWEEP_SIMPLE_TEST(TestCallable, v.is_function())
AUGSWEEP_SIMPLE_TEST(TestLower, v.is_string() && LowerCase(v.string_value()) == v.string_value())
AUGSWEEP_SIMPLE_TEST(TestUpper, v.is_string() && UpperCase(v.string_value()) == v.string_value())
#undef AUGSWEEP_SIMPLE_TEST

StatusOr<bool> TestOdd(const Value& v, CallArgs&) {
  if (!v.is_int() && !v.is_bool()) return InvalidArgumentError("odd: not an integer");
  return (v.int_value() % 2) != 0;
}
StatusOr<bool> TestEven(const Value& v, CallArgs&) {
  if (!v.is_int() && !v.is_bool()) return InvalidArgumentError("even: not an integer");
  return (v.int_value() % 2) == 0;
}
StatusOr<bool> TestDivisibleBy(const Value& v, CallArgs& args) {
  AUGSWEEP_ASSIGN_OR_RETURN(Value n, OneArg("divisibleby", args));
  AUGSWEEP_ASSIGN_OR_RETURN(Value r, Arithmetic("%", v, n));
  return !r.Truthy();
}
template <const char* kOp>
StatusOr<bool> TestCompare(const Value& v, CallArgs& args) {
  AUGSWEEP_ASSIGN_OR_RETURN(Value other, OneArg(kOp, args));
  return Compare(kOp, v, other);
}
constexpr char kEq[] = "==";
constexpr char kNe[] = "!=";
constexpr char kLt[] = "<";
constexpr char kLe[] = "<=";
constexpr char kGt[] = ">";
constexpr char kGe[] = ">=";
constexpr char kIn[] = "in";
StatusOr<bool> TestSameAs(const Value& v, CallArgs& args) {
  AUGSWEEP_ASSIGN_OR_RETURN(Value other, OneArg("sameas", args));
  // Python identity: singletons and small values compare by value; containers by identity.
  if (v.is_list() && other.is_list()) return &v.list() == &other.list();
  if (v.is_dict() && other.is_dict()) return &v.dict() == &other.dict();
  return v.kind() == other.kind() && Equal(v, other);
}

const std::map<std::string_view, TestFn>& Tests() {
  static const auto* tests = new std::map<std::string_view, TestFn>{
      {"defined", TestDefined},
      {"undefined", TestUndefined},
      {"none", TestNone},
      {"boolean", TestBoolean},
      {"true", TestTrue},
      {"false", TestFalse},
      {"integer", TestInteger},
      {"float", TestFloat},
      {"number", TestNumber},
      {"string", TestString},
      {"mapping", TestMapping},
      {"iterable", TestIterable},
      {"sequence", TestSequence},
      {"callable", TestCallable},
      {"lower", TestLower},
      {"upper", TestUpper},
      {"odd", TestOdd},
      {"even", TestEven},
      {"divisibleby", TestDivisibleBy},
      {"sameas", TestSameAs},
      {"eq", TestCompare<kEq>},
      {"equalto", TestCompare<kEq>},
      {"==", TestCompare<kEq>},
      {"ne", TestCompare<kNe>},
      {"!=", TestCompare<kNe>},
      {"lt", TestCompare<kLt>},
      {"lessthan", TestCompare<kLt>},
      {"<", TestCompare<kLt>},
      {"le", TestCompare<kLe>},
      {"<=", TestCompare<kLe>},
      {"gt", TestCompare<kGt>},
      {"greaterthan", TestCompare<kGt>},
      {">", TestCompare<kGt>},
      {"ge", TestCompare<kGe>},
      {">=", TestCompare<kGe>},
      {"in", TestCompare<kIn>},
  };
  return *tests;
}

// ---- filters -------------------------------------------------------------------------------

// `obj.a.b` for the `attribute` arguments of filters (digits index lists).
StatusOr<Value> AttributePath(const Value& obj, const std::string& path) {
  Value current = obj;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t dot = path.find('.', start);
    const std::string part = path.substr(start, dot == std::string::npos ? dot : dot - start);
    const bool digits = !part.empty() && std::all_of(part.begin(), part.end(), ::isdigit);
    if (digits && current.is_list()) {
      AUGSWEEP_ASSIGN_OR_RETURN(current, GetItem(current, Value::Int(std::stoll(part))));
    } else {
      AUGSWEEP_ASSIGN_OR_RETURN(current, GetItem(current, Value::String(part)));
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return current;
}

StatusOr<Value> FilterTrim(const Value& v, CallArgs& args) {
  AUGSWEEP_ASSIGN_OR_RETURN(Params p, Params::Bind("trim", args, {"chars"}));
  return Value::String(StripText(v.Str(), p[0], true, true));
}
StatusOr<Value> FilterLength(const Value& v, CallArgs&) {
  AUGSWEEP_ASSIGN_OR_RETURN(int64_t n, Length(v));
  return Value::Int(n);
}
StatusOr<Value> FilterList(const Value& v, CallArgs&) {
  AUGSWEEP_ASSIGN_OR_RETURN(ValueList items, Iterate(v));
  return Value::List(std::move(items));
}
StatusOr<Value> FilterString(const Value& v, CallArgs&) { return Value::String(v.Str()); }
StatusOr<Value> FilterLower(const Value& v, CallArgs&) { return Value::String(LowerCase(v.Str())); }
StatusOr<Value> FilterUpper(const Value& v, CallArgs&) { return Value::String(UpperCase(v.Str())); }
StatusOr<Value> FilterCapitalize(const Value& v, CallArgs&) {
  return Value::String(Capitalize(v.Str()));
}
StatusOr<Value> FilterTitle(const Value& v, CallArgs&) {
  return Value::String(JinjaTitle(v.Str()));
}
StatusOr<Value> FilterReplace(const Value& v, CallArgs& args) {
  AUGSWEEP_ASSIGN_OR_RETURN(Params p, Params::Bind("replace", args, {"old", "new", "count"}));
  AUGSWEEP_ASSIGN_OR_RETURN(std::string replaced, Replace(v.Str(), p[0].Str(), p[1].Str(),
                                                          p.given(2) ? p[2].int_value() : -1));
  return Value::String(std::move(replaced));
}
StatusOr<Value> FilterJoin(const Value& v, CallArgs& args) {
  AUGSWEEP_ASSIGN_OR_RETURN(Params p, Params::Bind("join", args, {"d", "attribute"}));
  AUGSWEEP_ASSIGN_OR_RETURN(ValueList items, Iterate(v));
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    Value item = items[i];
    if (p.given(1)) {
      AUGSWEEP_ASSIGN_OR_RETURN(item, AttributePath(item, p[1].Str()));
    }
    if (i > 0) out += p.given(0) ? p[0].Str() : "";
    out += item.Str();
    AUGSWEEP_RETURN_IF_ERROR(CheckBuilt(out, "join"));
  }
  return Value::String(out);
}
StatusOr<Value> FilterFirst(const Value& v, CallArgs&) {
  AUGSWEEP_ASSIGN_OR_RETURN(ValueList items, Iterate(v));
  return items.empty() ? Value::Undefined("No first item, sequence was empty.") : items.front();
}
StatusOr<Value> FilterLast(const Value& v, CallArgs&) {
  AUGSWEEP_ASSIGN_OR_RETURN(ValueList items, Iterate(v));
  return items.empty() ? Value::Undefined("No last item, sequence was empty.") : items.back();
}
StatusOr<Value> FilterDefault(const Value& v, CallArgs& args) {
  AUGSWEEP_ASSIGN_OR_RETURN(Params p, Params::Bind("default", args, {"default_value", "boolean"}));
  const bool use_default = v.is_undefined() || (p[1].Truthy() && !v.Truthy());
  if (!use_default) return v;
  return p.given(0) ? p[0] : Value::String("");
}
StatusOr<Value> FilterToJson(const Value& v, CallArgs& args) {
  // transformers' own tojson: json.dumps(x, ensure_ascii=False, indent, separators, sort_keys).
  AUGSWEEP_ASSIGN_OR_RETURN(
      Params p,
      Params::Bind("tojson", args, {"ensure_ascii", "indent", "separators", "sort_keys"}));
  if (p[0].Truthy()) return InvalidArgumentError("tojson(ensure_ascii=True) is not supported");
  JsonFormat format;
  if (Given(p[1])) {
    if (!p[1].is_int()) return InvalidArgumentError("tojson: indent must be an integer");
    if (p[1].int_value() > 1000) return InvalidArgumentError("tojson: indent must be at most 1000");
    format.indent = static_cast<int>(std::max<int64_t>(0, p[1].int_value()));
  }
  if (Given(p[2])) {
    if (!p[2].is_list() || p[2].list().size() != 2 || !p[2].list()[0].is_string() ||
        !p[2].list()[1].is_string()) {
      return InvalidArgumentError("tojson: separators must be a pair of strings");
    }
    format.item_separator = p[2].list()[0].string_value();
    format.key_separator = p[2].list()[1].string_value();
  }
  format.sort_keys = p[3].Truthy();
  AUGSWEEP_ASSIGN_OR_RETURN(std::string json, ToJson(v, format));
  return Value::String(json);
}
StatusOr<Value> FilterItems(const Value& v, CallArgs&) {
  if (v.is_undefined()) return Value::List({});
  if (!v.is_dict()) return InvalidArgumentError("items: expected a mapping");
  CallArgs none;
  return DictMethod(v, "items", none);
}
StatusOr<Value> FilterDictSort(const Value& v, CallArgs& args) {
  AUGSWEEP_ASSIGN_OR_RETURN(Params p,
                            Params::Bind("dictsort", args, {"case_sensitive", "by", "reverse"}));
  if (!v.is_dict()) return InvalidArgumentError("dictsort: expected a mapping");
  const bool by_value = p.given(1) && p[1].Str() == "value";
  ValuePairs items = v.dict();
  Status error;
  std::stable_sort(items.begin(), items.end(), [&](const auto& a, const auto& b) {
    Value x = by_value ? a.second : Value::String(a.first);
    Value y = by_value ? b.second : Value::String(b.first);
    if (!p[0].Truthy() && x.is_string() && y.is_string()) {
      x = Value::String(LowerCase(x.string_value()));
      y = Value::String(LowerCase(y.string_value()));
    }
    StatusOr<bool> less = Compare("<", x, y);
    if (!less.ok()) error = less.status();
    return less.ok() && *less;
  });
  AUGSWEEP_RETURN_IF_ERROR(error);
  if (p[2].Truthy()) std::reverse(items.begin(), items.end());
  ValueList out;
  for (auto& [k, val] : items) out.push_back(Value::Tuple({Value::String(k), val}));
  return Value::List(std::move(out));
}

// select / reject / selectattr / rejectattr.
StatusOr<Value> SelectOrReject(const Value& v, CallArgs& args, bool with_attribute, bool select) {
  AUGSWEEP_ASSIGN_OR_RETURN(ValueList items, Iterate(v));
  size_t next = 0;
  std::string attribute;
  if (with_attribute) {
    if (args.positional.empty()) return InvalidArgumentError("selectattr: missing attribute");
    attribute = args.positional[next++].Str();
  }
  TestFn test = nullptr;
  if (next < args.positional.size()) {
    const std::string name = args.positional[next++].Str();
    test = FindTest(name);
    if (test == nullptr) return InvalidArgumentError("no test named '" + name + "'");
  }
  ValueList out;
  for (const Value& item : items) {
    Value subject = item;
    if (with_attribute) {
      AUGSWEEP_ASSIGN_OR_RETURN(subject, AttributePath(item, attribute));
    }
    bool pass = subject.Truthy();
    if (test != nullptr) {
      CallArgs test_args;
      test_args.positional.assign(args.positional.begin() + static_cast<long>(next),
                                  args.positional.end());
      AUGSWEEP_ASSIGN_OR_RETURN(pass, test(subject, test_args));
    }
    if (pass == select) out.push_back(item);
  }
  return Value::List(std::move(out));
}
StatusOr<Value> FilterSelect(const Value& v, CallArgs& a) {
  return SelectOrReject(v, a, false, true);
}
StatusOr<Value> FilterReject(const Value& v, CallArgs& a) {
  return SelectOrReject(v, a, false, false);
}
StatusOr<Value> FilterSelectAttr(const Value& v, CallArgs& a) {
  return SelectOrReject(v, a, true, true);
}
StatusOr<Value> FilterRejectAttr(const Value& v, CallArgs& a) {
  return SelectOrReject(v, a, true, false);
}

StatusOr<Value> FilterMap(const Value& v, CallArgs& args) {
  AUGSWEEP_ASSIGN_OR_RETURN(ValueList items, Iterate(v));
  ValueList out;
  const Value* attribute = nullptr;
  const Value* fallback = nullptr;
  for (const auto& [key, value] : args.keyword) {
    if (key == "attribute") attribute = &value;
    if (key == "default") fallback = &value;
  }
  if (attribute != nullptr) {
    for (const Value& item : items) {
      AUGSWEEP_ASSIGN_OR_RETURN(Value x, AttributePath(item, attribute->Str()));
      if (x.is_undefined() && fallback != nullptr) x = *fallback;
      out.push_back(x);
    }
    return Value::List(std::move(out));
  }
  if (args.positional.empty()) return InvalidArgumentError("map: expected a filter name");
  const std::string name = args.positional[0].Str();
  FilterFn filter = FindFilter(name);
  if (filter == nullptr) return InvalidArgumentError("no filter named '" + name + "'");
  for (const Value& item : items) {
    CallArgs rest;
    rest.positional.assign(args.positional.begin() + 1, args.positional.end());
    AUGSWEEP_ASSIGN_OR_RETURN(Value x, filter(item, rest));
    out.push_back(x);
  }
  return Value::List(std::move(out));
}

StatusOr<Value> FilterReverse(const Value& v, CallArgs&) {
  if (v.is_string()) {
    std::vector<std::string> chars = Characters(v.string_value());
    std::string out;
    for (auto it = chars.rbegin(); it != chars.rend(); ++it) out += *it;
    return Value::String(out);
  }
  AUGSWEEP_ASSIGN_OR_RETURN(ValueList items, Iterate(v));
  std::reverse(items.begin(), items.end());
  return Value::List(std::move(items));
}
StatusOr<Value> FilterUnique(const Value& v, CallArgs&) {
  AUGSWEEP_ASSIGN_OR_RETURN(ValueList items, Iterate(v));
  ValueList out;
  for (const Value& item : items) {
    if (std::none_of(out.begin(), out.end(), [&](const Value& o) { return Equal(o, item); })) {
      out.push_back(item);
    }
  }
  return Value::List(std::move(out));
}
StatusOr<Value> FilterSort(const Value& v, CallArgs& args) {
  AUGSWEEP_ASSIGN_OR_RETURN(Params p,
                            Params::Bind("sort", args, {"reverse", "case_sensitive", "attribute"}));
  AUGSWEEP_ASSIGN_OR_RETURN(ValueList items, Iterate(v));
  Status error;
  auto key = [&](const Value& item) -> Value {
    Value k = item;
    if (p.given(2)) {
      StatusOr<Value> a = AttributePath(item, p[2].Str());
      if (!a.ok()) {
        error = a.status();
        return Value::None();
      }
      k = *a;
    }
    if (!p[1].Truthy() && k.is_string()) k = Value::String(LowerCase(k.string_value()));
    return k;
  };
  std::stable_sort(items.begin(), items.end(), [&](const Value& a, const Value& b) {
    StatusOr<bool> less = Compare("<", key(a), key(b));
    if (!less.ok()) error = less.status();
    return less.ok() && *less;
  });
  AUGSWEEP_RETURN_IF_ERROR(error);
  if (p[0].Truthy()) std::reverse(items.begin(), items.end());
  return Value::List(std::move(items));
}
StatusOr<Value> FilterInt(const Value& v, CallArgs& args) {
  AUGSWEEP_ASSIGN_OR_RETURN(Params p, Params::Bind("int", args, {"default", "base"}));
  const Value fallback = p.given(0) ? p[0] : Value::Int(0);
  if (v.is_int() || v.is_bool()) return Value::Int(v.int_value());
  if (v.is_float()) return Value::Int(static_cast<int64_t>(v.float_value()));
  if (v.is_string()) {
    try {
      size_t used = 0;
      const std::string text = StripText(v.string_value(), Value(), true, true);
      const double d = std::stod(text, &used);
      if (used == text.size()) return Value::Int(static_cast<int64_t>(d));
    } catch (const std::exception&) {
    }
  }
  return fallback;
}
StatusOr<Value> FilterFloat(const Value& v, CallArgs& args) {
  AUGSWEEP_ASSIGN_OR_RETURN(Params p, Params::Bind("float", args, {"default"}));
  if (v.is_number()) return Value::Float(v.float_value());
  if (v.is_string()) {
    try {
      size_t used = 0;
      const std::string text = StripText(v.string_value(), Value(), true, true);
      const double d = std::stod(text, &used);
      if (used == text.size()) return Value::Float(d);
    } catch (const std::exception&) {
    }
  }
  return p.given(0) ? p[0] : Value::Float(0);
}
StatusOr<Value> FilterAbs(const Value& v, CallArgs&) {
  if (v.is_float()) return Value::Float(std::fabs(v.float_value()));
  if (v.is_int() || v.is_bool()) {
    if (v.int_value() == INT64_MIN)
      return InvalidArgumentError("integer overflow in abs() (past 64 bits)");
    return Value::Int(std::llabs(v.int_value()));
  }
  return InvalidArgumentError("bad operand type for abs(): '" + std::string(v.TypeName()) + "'");
}
StatusOr<Value> FilterRound(const Value& v, CallArgs& args) {
  AUGSWEEP_ASSIGN_OR_RETURN(Params p, Params::Bind("round", args, {"precision", "method"}));
  if (!v.is_number()) return InvalidArgumentError("round: expected a number");
  const double scale = std::pow(10.0, p.given(0) ? static_cast<double>(p[0].int_value()) : 0.0);
  const std::string method = p.given(1) ? p[1].Str() : "common";
  const double x = v.float_value() * scale;
  // "common" is Python's round(): halves to even.
  const double r = method == "ceil"    ? std::ceil(x)
                   : method == "floor" ? std::floor(x)
                                       : std::nearbyint(x);
  return Value::Float(r / scale);
}
StatusOr<Value> FilterIndent(const Value& v, CallArgs& args) {
  AUGSWEEP_ASSIGN_OR_RETURN(Params p, Params::Bind("indent", args, {"width", "first", "blank"}));
  if (!p[0].is_string() && p.given(0) &&
      (p[0].int_value() < 0 || static_cast<uint64_t>(p[0].int_value()) > kMaxOutputBytes))
    return InvalidArgumentError("indent: width must be 0 to " + std::to_string(kMaxOutputBytes));
  const std::string pad =
      p[0].is_string() ? p[0].string_value() : std::string(p.given(0) ? p[0].int_value() : 4, ' ');
  const std::string s = v.Str();
  std::string out;
  size_t start = 0;
  bool first_line = true;
  while (start <= s.size()) {
    const size_t nl = s.find('\n', start);
    const std::string line = s.substr(start, nl == std::string::npos ? nl : nl - start);
    const bool blank = StripText(line, Value(), true, true).empty();
    if ((first_line ? p[1].Truthy() : true) && (!blank || p[2].Truthy())) out += pad;
    out += line;
    AUGSWEEP_RETURN_IF_ERROR(CheckBuilt(out, "indent"));
    if (nl == std::string::npos) break;
    out += '\n';
    start = nl + 1;
    first_line = false;
  }
  return Value::String(out);
}
StatusOr<Value> FilterSafe(const Value& v, CallArgs&) { return v; }
StatusOr<Value> FilterEscape(const Value& v, CallArgs&) {
  return Value::String(HtmlEscape(v.Str()));
}
StatusOr<Value> FilterWordCount(const Value& v, CallArgs&) {
  int64_t words = 0;
  bool in_word = false;
  for (const char c : v.Str()) {
    const bool word_char = std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                           (static_cast<unsigned char>(c) & 0x80);
    if (word_char && !in_word) ++words;
    in_word = word_char;
  }
  return Value::Int(words);
}
StatusOr<Value> FilterSum(const Value& v, CallArgs& args) {
  AUGSWEEP_ASSIGN_OR_RETURN(Params p, Params::Bind("sum", args, {"attribute", "start"}));
  AUGSWEEP_ASSIGN_OR_RETURN(ValueList items, Iterate(v));
  Value total = p.given(1) ? p[1] : Value::Int(0);
  for (const Value& item : items) {
    Value x = item;
    if (p.given(0)) {
      AUGSWEEP_ASSIGN_OR_RETURN(x, AttributePath(item, p[0].Str()));
    }
    AUGSWEEP_ASSIGN_OR_RETURN(total, Arithmetic("+", total, x));
  }
  return total;
}
StatusOr<Value> MinOrMax(const Value& v, bool max) {
  AUGSWEEP_ASSIGN_OR_RETURN(ValueList items, Iterate(v));
  if (items.empty()) return Value::Undefined("No aggregated item, sequence was empty.");
  Value best = items[0];
  for (size_t i = 1; i < items.size(); ++i) {
    AUGSWEEP_ASSIGN_OR_RETURN(bool better, Compare(max ? ">" : "<", items[i], best));
    if (better) best = items[i];
  }
  return best;
}
StatusOr<Value> FilterMax(const Value& v, CallArgs&) { return MinOrMax(v, true); }
StatusOr<Value> FilterMin(const Value& v, CallArgs&) { return MinOrMax(v, false); }
StatusOr<Value> FilterAttr(const Value& v, CallArgs& args) {
  // getattr() alone: a dict's keys are items, not attributes.
  AUGSWEEP_ASSIGN_OR_RETURN(Params p, Params::Bind("attr", args, {"name"}));
  if (v.is_undefined()) return UndefinedError(v);
  return MethodOf(v, p[0].Str());
}

const std::map<std::string_view, FilterFn>& Filters() {
  static const auto* filters = new std::map<std::string_view, FilterFn>{
      {"abs", FilterAbs},           {"attr", FilterAttr},       {"capitalize", FilterCapitalize},
      {"count", FilterLength},      {"d", FilterDefault},       {"default", FilterDefault},
      {"dictsort", FilterDictSort}, {"e", FilterEscape},        {"escape", FilterEscape},
      {"first", FilterFirst},       {"float", FilterFloat},     {"indent", FilterIndent},
      {"int", FilterInt},           {"items", FilterItems},     {"join", FilterJoin},
      {"last", FilterLast},         {"length", FilterLength},   {"list", FilterList},
      {"lower", FilterLower},       {"map", FilterMap},         {"max", FilterMax},
      {"min", FilterMin},           {"reject", FilterReject},   {"rejectattr", FilterRejectAttr},
      {"replace", FilterReplace},   {"reverse", FilterReverse}, {"round", FilterRound},
      {"safe", FilterSafe},         {"select", FilterSelect},   {"selectattr", FilterSelectAttr},
      {"sort", FilterSort},         {"string", FilterString},   {"sum", FilterSum},
      {"title", FilterTitle},       {"tojson", FilterToJson},   {"trim", FilterTrim},
      {"unique", FilterUnique},     {"upper", FilterUpper},     {"wordcount", FilterWordCount},
  };
  return *filters;
}

// ---- globals -------------------------------------------------------------------------------

StatusOr<Value> GlobalRange(CallArgs& args) {
  if (!args.keyword.empty() || args.positional.empty() || args.positional.size() > 3) {
    return InvalidArgumentError("range() takes 1 to 3 integer arguments");
  }
  for (const Value& a : args.positional) {
    if (!a.is_int() && !a.is_bool()) {
      return InvalidArgumentError("'" + std::string(a.TypeName()) +
                                  "' object cannot be interpreted as an integer");
    }
  }
  int64_t start = 0;
  int64_t stop = args.positional[0].int_value();
  int64_t step = 1;
  if (args.positional.size() >= 2) {
    start = args.positional[0].int_value();
    stop = args.positional[1].int_value();
  }
  if (args.positional.size() == 3) step = args.positional[2].int_value();
  if (step == 0) return InvalidArgumentError("range() arg 3 must not be zero");
  constexpr int64_t kMaxRange = 100000;  // the sandbox's MAX_RANGE
  ValueList out;
  for (int64_t i = start; step > 0 ? i < stop : i > stop;) {
    if (static_cast<int64_t>(out.size()) >= kMaxRange) {
      return InvalidArgumentError(
          "Range too big. The sandbox blocks ranges larger than "
          "MAX_RANGE (100000).");
    }
    out.push_back(Value::Int(i));
    if (__builtin_add_overflow(i, step, &i)) break;  // the next would pass 64 bits: past stop
  }
  return Value::List(std::move(out));
}

StatusOr<ValuePairs> KeywordPairs(CallArgs& args, std::string_view fn) {
  ValuePairs items;
  for (const Value& a : args.positional) {
    if (!a.is_dict()) return InvalidArgumentError(std::string(fn) + "() expects a mapping");
    for (const auto& item : a.dict()) items.push_back(item);
  }
  for (auto& keyword : args.keyword) {
    const std::string& k = keyword.first;
    const Value& v = keyword.second;
    auto it = std::find_if(items.begin(), items.end(), [&](const auto& i) { return i.first == k; });
    if (it != items.end()) {
      it->second = v;
    } else {
      items.emplace_back(k, v);
    }
  }
  return items;
}

StatusOr<Value> GlobalNamespace(CallArgs& args) {
  AUGSWEEP_ASSIGN_OR_RETURN(ValuePairs items, KeywordPairs(args, "namespace"));
  return Value::Namespace(std::move(items));
}

StatusOr<Value> GlobalDict(CallArgs& args) {
  AUGSWEEP_ASSIGN_OR_RETURN(ValuePairs items, KeywordPairs(args, "dict"));
  return Value::Dict(std::move(items));
}

}  // namespace

FilterFn FindFilter(std::string_view name) {
  const auto it = Filters().find(name);
  return it == Filters().end() ? nullptr : it->second;
}

TestFn FindTest(std::string_view name) {
  const auto it = Tests().find(name);
  return it == Tests().end() ? nullptr : it->second;
}

bool IsKnownUnsupportedFilter(std::string_view name) {
  static const char* const kUnsupported[] = {"batch",  "center",    "filesizeformat", "forceescape",
                                             "format", "groupby",   "pprint",         "random",
                                             "slice",  "striptags", "truncate",       "urlencode",
                                             "urlize", "wordwrap",  "xmlattr"};
  return std::find(std::begin(kUnsupported), std::end(kUnsupported), name) !=
         std::end(kUnsupported);
}

Value FindGlobal(std::string_view name) {
  if (name == "range") return Value::Func("range", GlobalRange);
  if (name == "namespace") return Value::Func("namespace", GlobalNamespace);
  if (name == "dict") return Value::Func("dict", GlobalDict);
  return Value::Undefined("'" + std::string(name) + "' is undefined");
}

Value MethodOf(const Value& receiver, const std::string& name) {
  if (receiver.is_string()) {
    if (std::find(std::begin(kStringMethods), std::end(kStringMethods), name) ==
        std::end(kStringMethods)) {
      return Value::Undefined("'str object' has no attribute '" + name + "'");
    }
    const std::string text = receiver.string_value();
    return Value::Func("str." + name,
                       [text, name](CallArgs& args) { return StringMethod(text, name, args); });
  }
  if (receiver.is_dict() && !receiver.is_namespace() &&
      (name == "items" || name == "keys" || name == "values" || name == "get")) {
    return Value::Func("dict." + name, [receiver, name](CallArgs& args) {
      return DictMethod(receiver, name, args);
    });
  }
  return Value::Undefined("");
}

bool IsUnsafeListMethod(const std::string& name) {
  static const char* const kMutating[] = {"append", "clear",  "extend",  "insert",
                                          "pop",    "remove", "reverse", "sort"};
  return std::find(std::begin(kMutating), std::end(kMutating), name) != std::end(kMutating);
}

StatusOr<Value> CallValue(const Value& callee, CallArgs& args) {
  if (callee.is_undefined()) return UndefinedError(callee);
  if (!callee.is_function()) {
    return InvalidArgumentError("'" + std::string(callee.TypeName()) + "' object is not callable");
  }
  return callee.function()(args);
}

}  // namespace augsweep::jinja
