#include "common/cli_flags.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <charconv>
#include <cmath>
#include <system_error>
#include <utility>
#include <variant>

#include "common/closest_match.h"

namespace augsweep {
namespace {

// Help() puts a flag's help on its own line when the flag column would be wider than this.
constexpr size_t kMaxFlagColumn = 26;

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

std::string ShortestDouble(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

using ParsedValue = std::variant<std::string, int64_t, double, bool>;

}  // namespace

FlagSet::FlagSet(std::string usage_line, std::string description)
    : usage_line_(std::move(usage_line)), description_(std::move(description)) {}

void FlagSet::Add(const std::string& name, Type type, void* value, const std::string& help,
                  std::string default_text) {
  // Programming errors, caught by the subcommand's own tests.
  assert(!name.empty() && name[0] != '-' && name.find('=') == std::string::npos);
  assert(name != "help" && name != "h");
  assert(Find(name) == nullptr);
  Flag flag{name, type, value, help, std::move(default_text)};
  for (Flag& existing : flags_) {
    if (existing.name == name) {
      existing = std::move(flag);
      return;
    }
  }
  flags_.push_back(std::move(flag));
}

void FlagSet::StringList(const std::string& name, std::vector<std::string>* values,
                         const std::string& help) {
  std::string shown;
  for (const std::string& v : *values) shown += (shown.empty() ? "" : ", ") + Quoted(v);
  Add(name, Type::kStringList, values, help, shown.empty() ? "none" : shown);
}

void FlagSet::String(const std::string& name, std::string* value, const std::string& help) {
  Add(name, Type::kString, value, help, Quoted(*value));
}

void FlagSet::Int(const std::string& name, int64_t* value, const std::string& help) {
  Add(name, Type::kInt, value, help, std::to_string(*value));
}

void FlagSet::Double(const std::string& name, double* value, const std::string& help) {
  Add(name, Type::kDouble, value, help, ShortestDouble(*value));
}

void FlagSet::Bool(const std::string& name, bool* value, const std::string& help) {
  Add(name, Type::kBool, value, help, *value ? "true" : "false");
}

const FlagSet::Flag* FlagSet::Find(const std::string& name) const {
  for (const Flag& flag : flags_) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

Status FlagSet::UnknownFlag(const std::string& spelled, const std::string& name) const {
  std::vector<std::string> candidates = {"help"};
  for (const Flag& flag : flags_) {
    candidates.push_back(flag.name);
    if (flag.type == Type::kBool) candidates.push_back("no-" + flag.name);
  }
  std::string lowered = name;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::string hint = ClosestMatch(lowered, candidates);
  return InvalidArgumentError("unknown flag " + spelled +
                              (hint.empty() ? "" : " (did you mean --" + hint + "?)"));
}

StatusOr<std::vector<std::string>> FlagSet::Parse(const std::vector<std::string>& args) {
  help_requested_ = false;
  std::vector<std::string> positional;
  // Values are applied only after the whole command line parsed, so an error leaves defaults.
  std::vector<std::pair<const Flag*, ParsedValue>> pending;
  Status first_error;
  auto fail = [&first_error](Status s) {
    if (first_error.ok()) first_error = std::move(s);
  };

  bool flags_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (flags_ended) {
      positional.push_back(arg);
      continue;
    }
    // A registered one-letter flag may take one dash: "-o FILE" is "--o FILE".
    if (arg.size() >= 2 && arg[0] == '-' && arg[1] != '-' && (arg.size() == 2 || arg[2] == '=') &&
        Find(arg.substr(1, 1)) != nullptr) {
      arg = "-" + arg;
    }
    if (arg == "--") {
      flags_ended = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      help_requested_ = true;
      continue;
    }
    if (arg.size() < 2 || arg[0] != '-') {  // includes "-", stdin by convention
      positional.push_back(arg);
      continue;
    }
    if (arg[1] != '-') {  // "-jobs": single-dash flags other than -h do not exist
      const std::string name = arg.substr(1, arg.find('=') - 1);
      fail(UnknownFlag(arg.substr(0, 1 + name.size()), name));
      continue;
    }

    const std::string body = arg.substr(2);
    const size_t eq = body.find('=');
    const std::string name = body.substr(0, eq);
    const bool has_value = eq != std::string::npos;
    const std::string inline_value = has_value ? body.substr(eq + 1) : "";
    const std::string spelled = "--" + name;

    if (name == "help") {
      fail(InvalidArgumentError("--help takes no value"));
      continue;
    }
    const Flag* flag = Find(name);
    if (flag == nullptr) {
      const Flag* negated = name.rfind("no-", 0) == 0 ? Find(name.substr(3)) : nullptr;
      if (negated == nullptr) {
        fail(UnknownFlag(spelled, name));
      } else if (negated->type != Type::kBool) {
        fail(InvalidArgumentError(spelled + ": --" + negated->name +
                                  " is not a boolean flag; write --" + negated->name + " VALUE"));
      } else if (has_value) {
        fail(InvalidArgumentError(spelled + " takes no value; write --" + negated->name + "=" +
                                  inline_value + " instead"));
      } else {
        pending.emplace_back(negated, false);
      }
      continue;
    }

    if (flag->type == Type::kBool) {
      if (!has_value || inline_value == "true" || inline_value == "1") {
        pending.emplace_back(flag, true);
      } else if (inline_value == "false" || inline_value == "0") {
        pending.emplace_back(flag, false);
      } else {
        fail(InvalidArgumentError(spelled + ": expected true or false, got " +
                                  Quoted(inline_value)));
      }
      continue;
    }

    std::string value = inline_value;
    if (!has_value) {
      // A following "--flag" is far more likely a forgotten value than a value that starts
      // with "--"; such a value can still be passed as --name=--value.
      if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0) {
        fail(InvalidArgumentError(spelled + " needs a value (" + spelled + " VALUE or " + spelled +
                                  "=VALUE)"));
        continue;
      }
      value = args[++i];
    }

    switch (flag->type) {
      case Type::kString:
      case Type::kStringList:
        pending.emplace_back(flag, value);
        break;
      case Type::kInt: {
        int64_t parsed = 0;
        const char* end = value.data() + value.size();
        auto [ptr, ec] = std::from_chars(value.data(), end, parsed);
        if (ec == std::errc::result_out_of_range) {
          fail(InvalidArgumentError(spelled + ": " + Quoted(value) +
                                    " is out of range for a 64-bit integer"));
        } else if (value.empty() || ec != std::errc() || ptr != end) {
          fail(InvalidArgumentError(spelled + ": expected an integer, got " + Quoted(value)));
        } else {
          pending.emplace_back(flag, parsed);
        }
        break;
      }
      case Type::kDouble: {
        double parsed = 0;
        const char* end = value.data() + value.size();
        auto [ptr, ec] = std::from_chars(value.data(), end, parsed);
        if (value.empty() || ec != std::errc() || ptr != end || !std::isfinite(parsed)) {
          fail(InvalidArgumentError(spelled + ": expected a finite number, got " + Quoted(value)));
        } else {
          pending.emplace_back(flag, parsed);
        }
        break;
      }
      case Type::kBool:
        break;  // handled above
    }
  }

  if (help_requested_) return positional;
  if (!first_error.ok()) return first_error;
  std::vector<const Flag*> lists_started;
  for (auto& [flag, value] : pending) {
    switch (flag->type) {
      case Type::kString:
        *static_cast<std::string*>(flag->value) = std::get<std::string>(std::move(value));
        break;
      case Type::kStringList: {
        auto* list = static_cast<std::vector<std::string>*>(flag->value);
        if (std::find(lists_started.begin(), lists_started.end(), flag) == lists_started.end()) {
          list->clear();  // the first occurrence replaces the default
          lists_started.push_back(flag);
        }
        list->push_back(std::get<std::string>(std::move(value)));
        break;
      }
      case Type::kInt:
        *static_cast<int64_t*>(flag->value) = std::get<int64_t>(value);
        break;
      case Type::kDouble:
        *static_cast<double*>(flag->value) = std::get<double>(value);
        break;
      case Type::kBool:
        *static_cast<bool*>(flag->value) = std::get<bool>(value);
        break;
    }
  }
  return positional;
}

std::string FlagSet::Help() const {
  struct Line {
    std::string left;
    std::string right;
  };
  std::vector<Line> lines;
  for (const Flag& flag : flags_) {
    std::string left = "--" + flag.name;
    std::string right_suffix;
    switch (flag.type) {
      case Type::kString:
        left += " STRING";
        break;
      case Type::kStringList:
        left += " STRING";
        right_suffix = " (repeatable)";
        break;
      case Type::kInt:
        left += " INT";
        break;
      case Type::kDouble:
        left += " NUMBER";
        break;
      // With a true default only the negative form changes anything, so show it.
      case Type::kBool:
        left = flag.default_text == "true" ? "--[no-]" + flag.name : left;
        break;
    }
    std::string right = flag.help + right_suffix;
    right += (right.empty() ? "" : " ") + std::string("(default ") + flag.default_text + ")";
    lines.push_back({std::move(left), std::move(right)});
  }
  lines.push_back({"-h, --help", "show this help"});

  size_t column = 0;
  for (const Line& line : lines) {
    if (line.left.size() <= kMaxFlagColumn) column = std::max(column, line.left.size());
  }

  std::string out = "usage: " + usage_line_ + "\n";
  if (!description_.empty()) {
    out += "\n" + description_;
    if (description_.back() != '\n') out += "\n";
  }
  out += "\nflags:\n";
  for (const Line& line : lines) {
    out += "  " + line.left;
    if (line.left.size() > column) {
      out += "\n" + std::string(2 + column + 2, ' ');
    } else {
      out += std::string(column - line.left.size() + 2, ' ');
    }
    out += line.right + "\n";
  }
  return out;
}

}  // namespace augsweep
