// Builds the syntax tree of a template from its tokens, following Jinja2's grammar and operator
// precedence for the subset chat templates use. Internal to common/jinja.
#pragma once

#include <string>
#include <vector>

#include "common/jinja/ast.h"
#include "common/jinja/lexer.h"
#include "common/status.h"

namespace augsweep::jinja {

// `name` prefixes errors: "<name> line N: ...". A construct outside the subset is an
// InvalidArgument that names it ("the 'include' tag is not supported").
StatusOr<Body> ParseTemplate(std::vector<Token> tokens, const std::string& name);

}  // namespace augsweep::jinja
