// Jinja values from JSON text (a model's tokenizer_config.json, a messages file), keeping the
// order of object keys as Python's json.load does.
#pragma once

#include <string_view>

#include "common/jinja/value.h"

namespace augsweep::jinja {

// InvalidArgument naming the byte where the JSON is bad (never quoting it); integers stay ints,
// other numbers floats.
StatusOr<Value> ValueFromJson(std::string_view json_text);

}  // namespace augsweep::jinja
