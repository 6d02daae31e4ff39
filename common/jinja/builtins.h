// Jinja2's built-in filters, tests and globals, and the Python methods templates call on str,
// dict and list values: one table per kind. Internal to common/jinja.
#pragma once

#include <string>
#include <string_view>

#include "common/jinja/value.h"

namespace augsweep::jinja {

using FilterFn = StatusOr<Value> (*)(const Value& input, CallArgs& args);
using TestFn = StatusOr<bool> (*)(const Value& input, CallArgs& args);

// nullptr when Jinja2 has no such filter or test, or the subset leaves it out
// (IsKnownUnsupported* tells which, for the error message).
FilterFn FindFilter(std::string_view name);
TestFn FindTest(std::string_view name);
bool IsKnownUnsupportedFilter(std::string_view name);

// range, namespace, dict; undefined otherwise.
Value FindGlobal(std::string_view name);

// The bound method `name` of a str or dict, or undefined.
Value MethodOf(const Value& receiver, const std::string& name);
// Methods that would change a list (the sandbox refuses them).
bool IsUnsafeListMethod(const std::string& name);

// Calls a function value; calling anything else is an error.
StatusOr<Value> CallValue(const Value& callee, CallArgs& args);

}  // namespace augsweep::jinja
