#include "common/tunables.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace augsweep {
namespace {

// The values a string tunable accepts; a tunable not named here takes any string.
const std::set<std::string>* AllowedValues(const std::string& name) {
  static const std::set<std::string> cpu_linear = {"auto", "avx2", "blas"};
  static const std::set<std::string> cpu_attention = {"auto", "torch"};
  if (name == "cpu_linear") return &cpu_linear;
  if (name == "cpu_attention") return &cpu_attention;
  return nullptr;
}

std::string EnvironmentVariable(const std::string& name) {
  std::string out = "AUGSWEEP_";
  for (char c : name) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Status Parse(const std::string& name, const std::string& text, int64_t* value) {
  char* end = nullptr;
  errno = 0;
  const long long parsed = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || parsed <= 0) {
    return InvalidArgumentError(EnvironmentVariable(name) +
                                ": expected a positive integer, got \"" + text + "\"");
  }
  *value = parsed;
  return OkStatus();
}

Status Parse(const std::string& name, const std::string& text, std::string* value) {
  const std::set<std::string>* allowed = AllowedValues(name);
  if (allowed != nullptr && !allowed->count(text)) {
    std::string list;
    for (const auto& v : *allowed) list += (list.empty() ? "" : ", ") + v;
    return InvalidArgumentError(EnvironmentVariable(name) + ": expected one of " + list +
                                ", got \"" + text + "\"");
  }
  *value = text;
  return OkStatus();
}

std::string Show(int64_t value) { return std::to_string(value); }
std::string Show(const std::string& value) { return value; }

}  // namespace

StatusOr<Tunables> TunablesFromEnvironment() {
  Tunables t;
#define AUGSWEEP_TUNABLE(type, name, default_value, doc)                   \
  if (const char* env = std::getenv(EnvironmentVariable(#name).c_str())) { \
    AUGSWEEP_RETURN_IF_ERROR(Parse(#name, env, &t.name));                  \
  }
#include "common/tunables_def.h"
#undef AUGSWEEP_TUNABLE
  return t;
}

const Tunables& GetTunables() {
  static const Tunables tunables = [] {
    StatusOr<Tunables> t = TunablesFromEnvironment();
    if (t.ok()) return *t;
    std::fprintf(stderr, "augsweep: %s; using the defaults\n", t.status().message().c_str());
    return Tunables();
  }();
  return tunables;
}

std::vector<TunableInfo> DescribeTunables() {
  const Tunables& current = GetTunables();
  const Tunables defaults;
  std::vector<TunableInfo> out;
#define AUGSWEEP_TUNABLE(type, name, default_value, doc)                           \
  out.push_back(TunableInfo{#name, EnvironmentVariable(#name), Show(current.name), \
                            Show(defaults.name), doc});
#include "common/tunables_def.h"
#undef AUGSWEEP_TUNABLE
  return out;
}

}  // namespace augsweep
