#include "common/jinja/value_from_json.h"

#include <nlohmann/json.hpp>

namespace augsweep::jinja {
namespace {

using Json = nlohmann::ordered_json;

Value Convert(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      return Value::None();
    case Json::value_t::boolean:
      return Value::Bool(j.get<bool>());
    case Json::value_t::number_integer:
      return Value::Int(j.get<int64_t>());
    case Json::value_t::number_unsigned: {
      const auto u = j.get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX)) return Value::Float(static_cast<double>(u));
      return Value::Int(static_cast<int64_t>(u));
    }
    case Json::value_t::number_float:
      return Value::Float(j.get<double>());
    case Json::value_t::string:
      return Value::String(j.get<std::string>());
    case Json::value_t::array: {
      ValueList items;
      for (const Json& item : j) items.push_back(Convert(item));
      return Value::List(std::move(items));
    }
    case Json::value_t::object: {
      ValuePairs items;
      for (const auto& [key, item] : j.items()) items.emplace_back(key, Convert(item));
      return Value::Dict(std::move(items));
    }
    default:
      return Value::None();
  }
}

}  // namespace

StatusOr<Value> ValueFromJson(std::string_view json_text) {
  try {
    return Convert(Json::parse(json_text));
  } catch (const Json::parse_error& e) {
    // The byte, not nlohmann's message: that quotes the text it read, which may be private.
    return InvalidArgumentError("not valid JSON (syntax error at byte " + std::to_string(e.byte) +
                                ")");
  } catch (const Json::exception&) {
    return InvalidArgumentError("not valid JSON");
  }
}

}  // namespace augsweep::jinja
