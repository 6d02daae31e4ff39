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
//
// A template comes with a model folder, so it is input like any other: the limits below turn
// what would hang or crash the process (a loop that does not end, runaway recursion, a string
// multiplied into gigabytes, syntax nested deeper than the stack) into an InvalidArgument
// naming the line. Real chat templates stay far below every one of them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/jinja/value.h"
#include "common/status.h"

namespace augsweep::jinja {

// Blocks inside blocks, brackets inside brackets, chained operators, filters and subscripts.
inline constexpr int kMaxNesting = 100;
// Nodes rendered and expressions evaluated in one Render.
inline constexpr int64_t kMaxRenderSteps = 200'000;
// The rendered text, and any string or the text of a set block or macro call on the way.
inline constexpr size_t kMaxOutputBytes = size_t{8} << 20;
// Items of one list a template makes (list * n, and the like).
inline constexpr size_t kMaxListItems = 1'000'000;
// Macro calls inside macro calls.
inline constexpr int kMaxCallDepth = 100;
// Lists and dicts inside lists and dicts.
inline constexpr int kMaxValueDepth = 100;

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
