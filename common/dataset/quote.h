// Quoting of user data inside error messages: values from a dataset may hold control bytes,
// invalid UTF-8 or whole paragraphs, none of which should reach a terminal or log verbatim.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace augsweep {

// Returns `s` in double quotes, with quotes, backslashes, control bytes and ill-formed UTF-8
// escaped (\", \\, \n, \xNN) and anything past `max_bytes` input bytes replaced by "...".
std::string QuoteForMessage(std::string_view s, size_t max_bytes = 60);

}  // namespace augsweep
