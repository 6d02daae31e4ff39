// FlagSet: the flag parser of the augsweep subcommands. Each subcommand owns one FlagSet, so
// `augsweep status --help` describes the flags of `status` alone (Abseil's global flags cannot),
// and a mistyped flag is an error that names it and suggests the closest registered one.
//
//   std::string coordinator = "localhost:50051";
//   bool watch = false;
//   FlagSet flags("augsweep status [SWEEP] [flags]", "Shows the progress of a sweep.");
//   flags.String("coordinator", &coordinator, "address of the coordinator");
//   flags.Bool("watch", &watch, "redraw until the sweep ends");
//   AUGSWEEP_ASSIGN_OR_RETURN(std::vector<std::string> positional, flags.Parse(args));
//   if (flags.help_requested()) { print flags.Help(); return 0; }
//
// Syntax: --name VALUE and --name=VALUE for string and number flags; --name, --name=true,
// --name=false and --no-name for booleans; a one-letter flag also as -x VALUE or -x=VALUE; "--"
// ends the flags (everything after it is positional); a lone "-" is positional (stdin by
// convention). The last occurrence of a flag wins.
//
// Not thread-safe; the FlagSet stores the registered pointers, which must outlive Parse.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace augsweep {

class FlagSet {
 public:
  // usage_line: e.g. "augsweep status [SWEEP] [flags]"; description: one or more lines shown
  // under it in Help().
  FlagSet(std::string usage_line, std::string description);

  // Registers a flag named `name` (without dashes) that Parse writes into *value. The value
  // *value holds now is the default that Help() shows. Registering a name twice is a
  // programming error (asserts in debug builds; the later registration wins otherwise).
  void String(const std::string& name, std::string* value, const std::string& help);
  // Strict: the whole value must be a base-10 integer that fits in int64_t.
  void Int(const std::string& name, int64_t* value, const std::string& help);
  // Strict: the whole value must be a finite decimal number ("0.7", "2e-5").
  void Double(const std::string& name, double* value, const std::string& help);
  void Bool(const std::string& name, bool* value, const std::string& help);
  // Repeatable: each occurrence adds one value; given at all, the values replace the default.
  void StringList(const std::string& name, std::vector<std::string>* values,
                  const std::string& help);

  // Parses args (without the program and subcommand names) and returns the positional
  // arguments in order. InvalidArgument for an unknown flag ("unknown flag --foo (did you mean
  // --bar?)"), a missing value or a value of the wrong type; the message names the flag.
  // The registered variables are written only when Parse succeeds, so a failed parse leaves
  // every default in place.
  //
  // "--help" or "-h" anywhere before "--" sets help_requested() and returns OK, even when other
  // arguments are wrong: a user asking for help gets help. The variables are then left as they
  // were and the returned positionals are unspecified.
  StatusOr<std::vector<std::string>> Parse(const std::vector<std::string>& args);

  // Whether the last Parse saw --help or -h.
  bool help_requested() const { return help_requested_; }

  // The usage line, the description, then every flag in registration order with its default and
  // help, aligned in two columns. Ends with a newline.
  std::string Help() const;

 private:
  enum class Type { kString, kInt, kDouble, kBool, kStringList };
  struct Flag {
    std::string name;
    Type type;
    void* value;  // std::string*, int64_t*, double*, bool* or std::vector<std::string>*
    std::string help;
    std::string default_text;  // as shown in Help(), captured at registration
  };

  void Add(const std::string& name, Type type, void* value, const std::string& help,
           std::string default_text);
  const Flag* Find(const std::string& name) const;
  // "unknown flag --x", with a "did you mean" hint when a registered flag is close.
  Status UnknownFlag(const std::string& spelled, const std::string& name) const;

  std::string usage_line_;
  std::string description_;
  std::vector<Flag> flags_;
  bool help_requested_ = false;
};

}  // namespace augsweep
