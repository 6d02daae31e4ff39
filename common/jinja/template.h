// A Jinja2 template, rendered as transformers renders chat templates: the sandboxed environment
// with trim_blocks and lstrip_blocks on, loop controls, and undefined values printed as "".
//
// The subset chat templates use: {{ }}, {% if/elif/else %}, {% for %} (tuple targets, inline
// `if`, else, loop.*), {% set %} (also namespace attributes and blocks), {% macro %}, break and
// continue, {% generation %}, whitespace control (- and +), comments; Python's operators,
// literals, slicing, conditional expressions; the common filters and tests; range, namespace and
// dict; str and dict methods. Anything else is an InvalidArgument naming the template line, at
// parse time where it can be told then (tags, filter and test names).
//
// Rendering never mutates a variable's list or dict; only a namespace's attributes change.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/jinja/value.h"
#include "common/status.h"

namespace augsweep::jinja {

class Template {
 public:
  // `name` prefixes every error: "<name> line N: ...".
  static StatusOr<Template> Parse(std::string_view source, std::string name);

  // Renders with `variables` as the template's globals (after Jinja's own: range, namespace,
  // dict). A function variable raising an error (raise_exception) fails the render with its
  // message prefixed by the line.
  StatusOr<std::string> Render(const ValuePairs& variables) const;

  struct Parsed;

 private:
  explicit Template(std::shared_ptr<const Parsed> parsed) : parsed_(std::move(parsed)) {}
  std::shared_ptr<const Parsed> parsed_;
};

}  // namespace augsweep::jinja
