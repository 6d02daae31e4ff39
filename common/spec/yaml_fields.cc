#include "common/spec/yaml_fields.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

#include "common/closest_match.h"

namespace augsweep::spec_internal {
namespace {

std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Scalar:
      return "\"" + node.Scalar() + "\"";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "no value";
  }
}

template <typename T>
std::string FormatNumber(T v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

}  // namespace

Status ErrorAt(const std::string& file, const YAML::Node& node, const std::string& path,
               const std::string& message) {
  std::string where = file;
  if (node.IsDefined() && node.Mark().line >= 0)
    where += ":" + std::to_string(node.Mark().line + 1);
  return InvalidArgumentError(where + ": " + (path.empty() ? "" : path + ": ") + message);
}

std::optional<int64_t> ParseInt(const std::string& text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

std::optional<double> ParseDouble(const std::string& text) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty() || !std::isfinite(value)) return std::nullopt;
  return value;
}

Status YamlFields::Error(const std::string& key, const std::string& message) const {
  YAML::Node target = key.empty() ? node_ : node_[key];
  return ErrorAt(file_, target.IsDefined() ? target : node_, key.empty() ? path_ : PathOf(key),
                 message);
}

Status YamlFields::CheckKeys(const std::set<std::string>& allowed) const {
  if (!node_.IsMap()) {
    return ErrorAt(file_, node_, path_, "expected a mapping of keys, got " + Describe(node_));
  }
  std::set<std::string> seen;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (!it->first.IsScalar()) {
      return ErrorAt(file_, it->first, path_, "expected a plain key, got " + Describe(it->first));
    }
    const std::string key = it->first.Scalar();
    if (!seen.insert(key).second) {
      return ErrorAt(file_, it->first, PathOf(key), "key appears twice");
    }
    if (allowed.count(key)) continue;
    const std::string hint = ClosestMatch(key, {allowed.begin(), allowed.end()});
    std::string expected;
    for (const auto& k : allowed) expected += (expected.empty() ? "" : ", ") + k;
    return ErrorAt(file_, it->first, PathOf(key),
                   "unknown key" + (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)") +
                       "; expected one of: " + expected);
  }
  return OkStatus();
}

StatusOr<std::string> YamlFields::String(const std::string& key,
                                         std::optional<std::string> fallback) const {
  if (!Has(key)) {
    if (fallback) return *fallback;
    return Error(key, "required field is missing (expected a string)");
  }
  YAML::Node n = node_[key];
  if (!n.IsScalar()) return Error(key, "expected a string, got " + Describe(n));
  return n.Scalar();
}

StatusOr<int64_t> YamlFields::Int(const std::string& key, std::optional<int64_t> fallback,
                                  int64_t min, int64_t max) const {
  if (!Has(key)) {
    if (fallback) return *fallback;
    return Error(key, "required field is missing (expected an integer)");
  }
  YAML::Node n = node_[key];
  const std::optional<int64_t> v = ParseInt(n.IsScalar() ? n.Scalar() : "");
  const std::string range = "an integer from " + std::to_string(min) +
                            (max == INT64_MAX ? " up" : " to " + std::to_string(max));
  if (!v) return Error(key, "expected " + range + ", got " + Describe(n));
  if (*v < min || *v > max) return Error(key, "expected " + range + ", got " + std::to_string(*v));
  return *v;
}

StatusOr<double> YamlFields::Double(const std::string& key, std::optional<double> fallback,
                                    double min, double max) const {
  if (!Has(key)) {
    if (fallback) return *fallback;
    return Error(key, "required field is missing (expected a number)");
  }
  YAML::Node n = node_[key];
  const std::optional<double> v = ParseDouble(n.IsScalar() ? n.Scalar() : "");
  const std::string range = "a number from " + FormatNumber(min) + " to " + FormatNumber(max);
  if (!v) return Error(key, "expected " + range + ", got " + Describe(n));
  if (*v < min || *v > max) return Error(key, "expected " + range + ", got " + n.Scalar());
  return *v;
}

StatusOr<bool> YamlFields::Bool(const std::string& key, std::optional<bool> fallback) const {
  if (!Has(key)) {
    if (fallback) return *fallback;
    return Error(key, "required field is missing (expected true or false)");
  }
  YAML::Node n = node_[key];
  if (n.IsScalar()) {
    std::string s = n.Scalar();
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s == "true" || s == "yes") return true;
    if (s == "false" || s == "no") return false;
  }
  return Error(key, "expected true or false, got " + Describe(n));
}

StatusOr<std::vector<std::string>> YamlFields::StringList(const std::string& key,
                                                          bool required) const {
  std::vector<std::string> out;
  if (!Has(key)) {
    if (required) return Error(key, "required field is missing (expected a list of strings)");
    return out;
  }
  YAML::Node n = node_[key];
  if (!n.IsSequence()) return Error(key, "expected a list of strings, got " + Describe(n));
  for (size_t i = 0; i < n.size(); ++i) {
    if (!n[i].IsScalar()) {
      return ErrorAt(file_, n[i], PathOf(key) + "[" + std::to_string(i) + "]",
                     "expected a string, got " + Describe(n[i]));
    }
    out.push_back(n[i].Scalar());
  }
  return out;
}

// Shared by DoubleList and IntList: a non-empty list whose items parse and lie in [min, max].
template <typename T>
StatusOr<std::vector<T>> YamlFields::NumberList(const std::string& key, T min, T max,
                                                const std::string& what) const {
  const std::string range = what + " from " + FormatNumber(min) + " to " + FormatNumber(max);
  if (!Has(key)) return Error(key, "required field is missing (expected a list of " + what + "s)");
  YAML::Node n = node_[key];
  if (!n.IsSequence() || n.size() == 0) {
    return Error(key, "expected a non-empty list of " + what + "s, got " + Describe(n));
  }
  std::vector<T> out;
  for (size_t i = 0; i < n.size(); ++i) {
    std::optional<T> v;
    if (n[i].IsScalar()) {
      if constexpr (std::is_integral_v<T>) {
        v = ParseInt(n[i].Scalar());
      } else {
        v = ParseDouble(n[i].Scalar());
      }
    }
    if (!v || *v < min || *v > max) {
      return ErrorAt(file_, n[i], PathOf(key) + "[" + std::to_string(i) + "]",
                     "expected " + range + ", got " + Describe(n[i]));
    }
    out.push_back(*v);
  }
  return out;
}

StatusOr<std::vector<double>> YamlFields::DoubleList(const std::string& key, double min,
                                                     double max) const {
  return NumberList<double>(key, min, max, "a number");
}

StatusOr<std::vector<int64_t>> YamlFields::IntList(const std::string& key, int64_t min,
                                                   int64_t max) const {
  return NumberList<int64_t>(key, min, max, "an integer");
}

}  // namespace augsweep::spec_internal
