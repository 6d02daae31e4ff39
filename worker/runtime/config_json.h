// Reading a Hugging Face config.json with errors that name the file and the field: shared by the
// decoder (llama_config.cc) and encoder (encoder_config.cc) configs. No torch.
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/read_file.h"
#include "common/status.h"

namespace augsweep {
namespace config_json {

using nlohmann::json;

// The JSON object in `path`; InvalidArgument naming the file when it is not one.
inline StatusOr<json> ParseJsonObject(const std::string& path) {
  AUGSWEEP_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidArgumentError(path + ": not valid JSON");
  if (!doc.is_object()) return InvalidArgumentError(path + ": expected a JSON object");
  return doc;
}

// Reads the fields of one JSON object, naming the file and field in every error.
class Fields {
 public:
  Fields(const json& obj, std::string file, std::string prefix = "")
      : obj_(obj), file_(std::move(file)), prefix_(std::move(prefix)) {}

  bool Has(const std::string& key) const {
    auto it = obj_.find(key);
    return it != obj_.end() && !it->is_null();
  }

  Status Error(const std::string& key, const std::string& what) const {
    return InvalidArgumentError(file_ + ": field \"" + prefix_ + key + "\": " + what);
  }
  Status Unexpected(const std::string& key, const std::string& expected) const {
    return Error(key, "expected " + expected + ", got " + obj_.at(key).dump());
  }

  // `fallback` when absent or null; otherwise an integer within [min, INT_MAX].
  StatusOr<int> Int(const std::string& key, std::optional<int> fallback, int min) const {
    if (!Has(key)) {
      if (fallback) return *fallback;
      return Error(key, "missing (expected an integer >= " + std::to_string(min) + ")");
    }
    const json& v = obj_.at(key);
    if (!v.is_number_integer() || v.get<int64_t>() < min ||
        v.get<int64_t>() > std::numeric_limits<int>::max()) {
      return Unexpected(key, "an integer >= " + std::to_string(min));
    }
    return static_cast<int>(v.get<int64_t>());
  }

  // `fallback` when absent or null; otherwise a finite number > 0.
  StatusOr<double> Positive(const std::string& key, std::optional<double> fallback) const {
    if (!Has(key)) {
      if (fallback) return *fallback;
      return Error(key, "missing (expected a number > 0)");
    }
    const json& v = obj_.at(key);
    if (!v.is_number() || !(v.get<double>() > 0) ||
        v.get<double>() == std::numeric_limits<double>::infinity()) {
      return Unexpected(key, "a number > 0");
    }
    return v.get<double>();
  }

  // `fallback` when absent or null; otherwise a finite number within [min, max].
  StatusOr<double> Number(const std::string& key, double fallback, double min, double max) const {
    if (!Has(key)) return fallback;
    const json& v = obj_.at(key);
    if (!v.is_number() || !(v.get<double>() >= min) || !(v.get<double>() <= max)) {
      return Unexpected(key,
                        "a number in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    }
    return v.get<double>();
  }

  StatusOr<bool> Bool(const std::string& key, bool fallback) const {
    if (!Has(key)) return fallback;
    const json& v = obj_.at(key);
    if (!v.is_boolean()) return Unexpected(key, "true or false");
    return v.get<bool>();
  }

  StatusOr<std::string> String(const std::string& key, const std::string& fallback) const {
    if (!Has(key)) return fallback;
    const json& v = obj_.at(key);
    if (!v.is_string()) return Unexpected(key, "a string");
    return v.get<std::string>();
  }

  // A token id or a list of them (Llama 3 lists several end-of-sequence ids); none when absent.
  StatusOr<std::vector<int32_t>> TokenIds(const std::string& key) const {
    std::vector<int32_t> ids;
    if (!Has(key)) return ids;
    const json& v = obj_.at(key);
    auto add = [&](const json& id) {
      if (!id.is_number_integer() || id.get<int64_t>() < 0 ||
          id.get<int64_t>() > std::numeric_limits<int32_t>::max()) {
        return false;
      }
      ids.push_back(static_cast<int32_t>(id.get<int64_t>()));
      return true;
    };
    bool ok = true;
    if (v.is_array()) {
      for (const json& id : v) ok = ok && add(id);
    } else {
      ok = add(v);
    }
    if (!ok) return Unexpected(key, "a token id or a list of token ids");
    return ids;
  }

  const json& obj() const { return obj_; }
  const std::string& file() const { return file_; }

 private:
  const json& obj_;
  std::string file_;
  std::string prefix_;
};

}  // namespace config_json
}  // namespace augsweep
