// The values a Jinja template computes with, behaving as the Python objects Jinja2 would hold:
// undefined, None, bool, int, float, str, list, dict (insertion-ordered, string keys), a
// namespace() object and callables (globals, macros, bound methods). Lists and dicts are shared,
// immutable once built (as in transformers' ImmutableSandboxedEnvironment); only a namespace's
// attributes can be set.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace augsweep::jinja {

class Value;
using ValueList = std::vector<Value>;
using ValuePairs = std::vector<std::pair<std::string, Value>>;

// Arguments of a call: positional, then keyword in call order.
struct CallArgs {
  ValueList positional;
  ValuePairs keyword;
};
using Function = std::function<StatusOr<Value>(CallArgs&)>;

class Value {
 public:
  enum class Kind { kUndefined, kNone, kBool, kInt, kFloat, kString, kList, kDict, kFunction };

  // Undefined; `hint` is what an error says when it is used ("'x' is undefined").
  Value() = default;
  static Value Undefined(std::string hint);
  static Value None();
  static Value Bool(bool b);
  static Value Int(int64_t i);
  static Value Float(double d);
  static Value String(std::string s);
  static Value List(ValueList items);
  // A Python tuple: a list that prints as (a, b).
  static Value Tuple(ValueList items);
  static Value Dict(ValuePairs items);
  // A namespace(): a dict whose attributes `set ns.x = ...` may change.
  static Value Namespace(ValuePairs items);
  static Value Func(std::string name, Function f);

  Kind kind() const { return kind_; }
  // 0 for a scalar, 1 + the deepest item for a list or dict (a namespace: as it was made).
  int depth() const { return depth_; }
  // Whether this is a namespace or holds one at any depth (worked out when it was made).
  bool ContainsNamespace() const { return holds_namespace_; }
  bool is_undefined() const { return kind_ == Kind::kUndefined; }
  bool is_none() const { return kind_ == Kind::kNone; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_int() const { return kind_ == Kind::kInt; }
  bool is_float() const { return kind_ == Kind::kFloat; }
  // int, float and bool (Python's bool is an int).
  bool is_number() const { return is_int() || is_float() || is_bool(); }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_list() const { return kind_ == Kind::kList; }
  bool is_dict() const { return kind_ == Kind::kDict; }
  bool is_namespace() const { return is_dict() && namespace_; }
  bool is_function() const { return kind_ == Kind::kFunction; }

  bool bool_value() const { return int_ != 0; }
  int64_t int_value() const { return int_; }  // also for bool
  double float_value() const { return is_float() ? float_ : static_cast<double>(int_); }
  const std::string& string_value() const { return string_; }  // also the undefined hint
  const ValueList& list() const { return *list_; }
  const ValuePairs& dict() const { return *dict_; }
  const Function& function() const { return *function_; }

  // The dict's value for `key`, or nullptr.
  const Value* Find(std::string_view key) const;
  // Sets a namespace attribute (adds it if new). Only for namespaces.
  void SetAttribute(const std::string& key, Value value) const;

  // Python's truth value (undefined is false).
  bool Truthy() const;
  // Python's str(): what {{ value }} prints ("" for undefined, "None", "True", "1.0",
  // "[1, 'a']", "{'k': 'v'}").
  std::string Str() const;
  // Python's repr() (strings quoted as Python quotes them).
  std::string Repr() const;
  // Python's type name for errors ("str", "int", "dict", ...).
  std::string_view TypeName() const;

 private:
  Kind kind_ = Kind::kUndefined;
  bool namespace_ = false;
  bool tuple_ = false;
  int depth_ = 0;
  bool holds_namespace_ = false;
  int64_t int_ = 0;
  double float_ = 0;
  std::string string_;
  std::shared_ptr<const ValueList> list_;
  std::shared_ptr<ValuePairs> dict_;  // mutable for namespaces only
  std::shared_ptr<const Function> function_;
};

// Python's ==: numbers compare by value (True == 1), containers element-wise, other kinds of
// different types are unequal; undefined equals only undefined.
bool Equal(const Value& a, const Value& b);

// Python's json.dumps(value, ensure_ascii=False, indent=indent, separators=..., sort_keys=...)
// as transformers' tojson filter calls it. indent < 0: none. Undefined, functions and
// namespaces are not serialisable: InvalidArgument naming the type.
struct JsonFormat {
  int indent = -1;
  // Unset: Python's default, ", " without indent and "," with.
  std::optional<std::string> item_separator;
  std::string key_separator = ": ";
  bool sort_keys = false;
};
StatusOr<std::string> ToJson(const Value& value, const JsonFormat& format);

// Python's repr() of a float ("1.0", "0.1", "1e+16", "1.5e-05", "inf", "nan").
std::string FloatRepr(double d);

}  // namespace augsweep::jinja
