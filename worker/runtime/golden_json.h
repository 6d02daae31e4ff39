// Internal to worker/runtime's golden checks (golden_check.cc: decoders; classifier_golden.cc:
// encoder classifiers): reading a golden.json without exceptions, with every error naming the
// field, and building GoldenCheck results. No torch.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "worker/runtime/golden_check.h"

namespace augsweep {
namespace golden_json {

using json = nlohmann::json;
using Ints2D = std::vector<std::vector<int32_t>>;

// ---------------------------------------------------------------------------------------------
// Reading the golden file without exceptions: every accessor names the field it expected.

inline Status Bad(const std::string& path, const std::string& what) {
  return InvalidArgumentError("golden " + path + ": " + what);
}

inline StatusOr<const json*> Member(const json& obj, const std::string& key,
                                    const std::string& path) {
  if (!obj.is_object()) return Bad(path, "expected an object");
  auto it = obj.find(key);
  if (it == obj.end()) return Bad(path.empty() ? key : path + "." + key, "missing");
  return &*it;
}

inline std::string Join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

inline StatusOr<int32_t> Int(const json& j, const std::string& path) {
  if (!j.is_number_integer()) return Bad(path, "expected an integer, got " + j.dump());
  const int64_t v = j.get<int64_t>();
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
    return Bad(path, "integer out of range: " + j.dump());
  }
  return static_cast<int32_t>(v);
}

inline StatusOr<std::vector<int32_t>> Ints(const json& j, const std::string& path) {
  if (!j.is_array()) return Bad(path, "expected an array of integers");
  std::vector<int32_t> out;
  out.reserve(j.size());
  for (size_t i = 0; i < j.size(); ++i) {
    AUGSWEEP_ASSIGN_OR_RETURN(int32_t v, Int(j[i], path + "[" + std::to_string(i) + "]"));
    out.push_back(v);
  }
  return out;
}

// A [rows][cols] array of integers; `cols` 0: any (each row may differ).
inline StatusOr<Ints2D> Ints2(const json& j, const std::string& path, size_t rows = 0,
                              size_t cols = 0) {
  if (!j.is_array() || j.empty())
    return Bad(path, "expected a non-empty array of arrays of integers");
  if (rows != 0 && j.size() != rows) {
    return Bad(path, "expected " + std::to_string(rows) + " rows, got " + std::to_string(j.size()));
  }
  Ints2D out;
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string row_path = path + "[" + std::to_string(i) + "]";
    AUGSWEEP_ASSIGN_OR_RETURN(std::vector<int32_t> row, Ints(j[i], row_path));
    if (cols != 0 && row.size() != cols) {
      return Bad(row_path,
                 "expected " + std::to_string(cols) + " values, got " + std::to_string(row.size()));
    }
    out.push_back(std::move(row));
  }
  return out;
}

inline StatusOr<Ints2D> IntsMember(const json& obj, const std::string& key, const std::string& path,
                                   size_t rows = 0, size_t cols = 0) {
  AUGSWEEP_ASSIGN_OR_RETURN(const json* j, Member(obj, key, path));
  return Ints2(*j, Join(path, key), rows, cols);
}

inline StatusOr<std::vector<int32_t>> IntRowMember(const json& obj, const std::string& key,
                                                   const std::string& path) {
  AUGSWEEP_ASSIGN_OR_RETURN(const json* j, Member(obj, key, path));
  return Ints(*j, Join(path, key));
}

// An optional positive integer member (max_new_tokens); `fallback` when absent.
inline StatusOr<int> OptionalCount(const json& obj, const std::string& key, const std::string& path,
                                   size_t fallback) {
  auto it = obj.find(key);
  if (it == obj.end()) return static_cast<int>(fallback);
  AUGSWEEP_ASSIGN_OR_RETURN(int32_t v, Int(*it, Join(path, key)));
  if (v < 0) return Bad(Join(path, key), "expected an integer >= 0, got " + it->dump());
  return static_cast<int>(v);
}

inline StatusOr<double> Number(const json& j, const std::string& path) {
  if (!j.is_number()) return Bad(path, "expected a number, got " + j.dump());
  return j.get<double>();
}

// A [rows][cols] shape check of an id batch against the attention mask.
inline Status SameShape(const Ints2D& a, const Ints2D& b, const std::string& path) {
  if (a.size() != b.size())
    return Bad(path,
               "has " + std::to_string(b.size()) + " rows, input_ids " + std::to_string(a.size()));
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].size() != b[i].size()) {
      return Bad(path + "[" + std::to_string(i) + "]", "has " + std::to_string(b[i].size()) +
                                                           " values, input_ids " +
                                                           std::to_string(a[i].size()));
    }
  }
  return OkStatus();
}

// ---------------------------------------------------------------------------------------------
// Building checks.

inline std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

// The largest |ours - reference| over the values compared, and where it is.
class DiffTracker {
 public:
  // `where` is only evaluated for a new maximum.
  template <typename Where>
  void Add(double ours, double reference, Where&& where) {
    ++count_;
    double diff = std::abs(ours - reference);
    // A NaN must fail the check: std::max would silently skip it.
    if (std::isnan(diff)) diff = std::numeric_limits<double>::infinity();
    if (diff > max_ || count_ == 1) {
      max_ = diff;
      where_ = where();
      ours_ = ours;
      reference_ = reference;
    }
  }

  GoldenCheck Check(std::string name, double tolerance) const {
    GoldenCheck c;
    c.name = std::move(name);
    c.max_abs_diff = max_;
    c.tolerance = tolerance;
    c.passed = count_ > 0 && max_ <= tolerance;
    if (count_ == 0) {
      c.detail = "no values to compare";
    } else {
      c.detail = std::to_string(count_) + " values; largest at " + where_ + ": ours " + Num(ours_) +
                 ", reference " + Num(reference_);
    }
    return c;
  }

 private:
  size_t count_ = 0;
  double max_ = 0;
  std::string where_;
  double ours_ = 0, reference_ = 0;
};

// Exact comparison of id sequences (one per row); `row_label` names a row in the detail.
inline GoldenCheck IdCheck(std::string name, const Ints2D& ours, const Ints2D& reference,
                           const std::string& row_label) {
  GoldenCheck c;
  c.name = std::move(name);
  c.exact = true;
  size_t total = 0, mismatches = 0;
  std::string first;
  for (size_t r = 0; r < reference.size(); ++r) {
    const std::vector<int32_t> none;
    const std::vector<int32_t>& o = r < ours.size() ? ours[r] : none;
    const std::vector<int32_t>& g = reference[r];
    total += g.size();
    const size_t n = std::max(o.size(), g.size());
    for (size_t i = 0; i < n; ++i) {
      if (i < o.size() && i < g.size() && o[i] == g[i]) continue;
      ++mismatches;
      if (!first.empty()) continue;
      const std::string at =
          (reference.size() > 1 ? row_label + " " + std::to_string(r) + ", " : "") + "index " +
          std::to_string(i);
      first = "first mismatch at " + at + ": ours " +
              (i < o.size() ? std::to_string(o[i]) : "(none)") + ", reference " +
              (i < g.size() ? std::to_string(g[i]) : "(none)");
      if (o.size() != g.size()) {
        first += " (ours has " + std::to_string(o.size()) + " ids, reference " +
                 std::to_string(g.size()) + ")";
      }
    }
  }
  c.max_abs_diff = static_cast<double>(mismatches);
  c.tolerance = 0;
  c.passed = mismatches == 0;
  c.detail = mismatches == 0 ? std::to_string(total) + " ids identical"
                             : std::to_string(mismatches) + " of " + std::to_string(total) +
                                   " ids differ; " + first;
  return c;
}

inline std::string At(size_t b, size_t t) {
  return "[" + std::to_string(b) + "][" + std::to_string(t) + "]";
}

inline int32_t ArgMax(const float* row, size_t n) {
  return static_cast<int32_t>(std::max_element(row, row + n) - row);
}

inline std::vector<int32_t> Iota(size_t n) {
  std::vector<int32_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<int32_t>(i);
  return v;
}

// Compares a flattened [B][T][width] tensor of ours with the golden [B][T][width] array at the
// positions where mask is 1.
inline Status CompareAtRealPositions(const std::vector<float>& ours, const json& golden,
                                     const Ints2D& mask, size_t width, const std::string& path,
                                     DiffTracker* tracker) {
  const size_t t_len = mask[0].size();
  if (!golden.is_array() || golden.size() != mask.size()) {
    return Bad(path, "expected " + std::to_string(mask.size()) + " rows");
  }
  for (size_t b = 0; b < mask.size(); ++b) {
    if (!golden[b].is_array() || golden[b].size() != t_len) {
      return Bad(path + "[" + std::to_string(b) + "]",
                 "expected " + std::to_string(t_len) + " positions");
    }
    for (size_t t = 0; t < t_len; ++t) {
      if (!mask[b][t]) continue;
      const json& row = golden[b][t];
      if (!row.is_array() || row.size() != width) {
        return Bad(path + At(b, t),
                   "expected " + std::to_string(width) + " numbers (the model's size), got " +
                       (row.is_array() ? std::to_string(row.size()) : row.type_name()));
      }
      const float* o = ours.data() + (b * t_len + t) * width;
      for (size_t v = 0; v < width; ++v) {
        if (!row[v].is_number())
          return Bad(path + At(b, t) + "[" + std::to_string(v) + "]", "expected a number");
        tracker->Add(o[v], row[v].get<double>(),
                     [&] { return path + At(b, t) + "[" + std::to_string(v) + "]"; });
      }
    }
  }
  return OkStatus();
}

}  // namespace golden_json
}  // namespace augsweep
