// Strict, typed access to the fields of a YAML mapping, with errors that name the file, the line,
// the dotted field path and what was expected. Internal to the spec parser.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"

namespace augsweep::spec_internal {

class YamlFields {
 public:
  // `node` must be a mapping (checked by Open); `path` is its dotted field path ("" for the root).
  YamlFields(const std::string& file, const YAML::Node& node, std::string path)
      : file_(file), node_(node), path_(std::move(path)) {}

  // Checks that `node` is a mapping without duplicate or unknown keys.
  Status CheckKeys(const std::set<std::string>& allowed) const;

  bool Has(const std::string& key) const { return node_[key].IsDefined() && !node_[key].IsNull(); }
  YAML::Node Get(const std::string& key) const { return node_[key]; }
  std::string PathOf(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
  }

  StatusOr<std::string> String(const std::string& key, std::optional<std::string> fallback) const;
  StatusOr<int64_t> Int(const std::string& key, std::optional<int64_t> fallback, int64_t min,
                        int64_t max) const;
  StatusOr<double> Double(const std::string& key, std::optional<double> fallback, double min,
                          double max) const;
  StatusOr<bool> Bool(const std::string& key, std::optional<bool> fallback) const;
  StatusOr<std::vector<std::string>> StringList(const std::string& key, bool required) const;
  StatusOr<std::vector<double>> DoubleList(const std::string& key, double min, double max) const;
  StatusOr<std::vector<int64_t>> IntList(const std::string& key, int64_t min, int64_t max) const;

  // "file:line: path: message" for the key's node (or this mapping when the key is absent).
  Status Error(const std::string& key, const std::string& message) const;

  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  const YAML::Node& node() const { return node_; }

 private:
  template <typename T>
  StatusOr<std::vector<T>> NumberList(const std::string& key, T min, T max,
                                      const std::string& what) const;

  const std::string& file_;
  YAML::Node node_;
  std::string path_;
};

// "file:line: path: message" for any node.
Status ErrorAt(const std::string& file, const YAML::Node& node, const std::string& path,
               const std::string& message);

// Parses a scalar strictly (the whole text must be a number).
std::optional<int64_t> ParseInt(const std::string& text);
std::optional<double> ParseDouble(const std::string& text);

}  // namespace augsweep::spec_internal
