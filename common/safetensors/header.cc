#include "common/safetensors/header.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

namespace augsweep {
namespace {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; a big-endian host would need byte swapping");

using Json = nlohmann::json;

// Dtype names of the safetensors format that augsweep does not load, so that an error can say
// "valid but unsupported" rather than "unknown".
constexpr std::array<std::string_view, 16> kOtherFormatDTypes = {
    "BOOL",    "U8",  "I8",  "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4",  "F6_E2M3",
    "F6_E3M2", "I16", "U16", "I32",     "U32",     "F64",     "U64", "C64"};

// Quotes a name from the file for a message, cut short so a hostile header cannot produce a
// megabyte-long error.
std::string Quote(std::string_view s) {
  constexpr size_t kMax = 200;
  std::string out = "\"";
  out.append(s.substr(0, kMax));
  if (s.size() > kMax) out += "...";
  out += '"';
  return out;
}

std::string ShapeString(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

// A safetensors header nests 3 levels deep (root, tensor entry, shape array). The limit, checked
// before parsing, keeps a hostile header such as 100 MB of '[' from costing gigabytes of JSON
// nodes.
constexpr int kMaxJsonDepth = 16;

// Depth of the deepest array/object, ignoring brackets inside strings.
int MaxJsonDepth(std::string_view json) {
  int depth = 0, max_depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // skip the escaped character
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      max_depth = std::max(max_depth, ++depth);
      if (max_depth > kMaxJsonDepth) break;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return max_depth;
}

// Non-negative JSON integer, however nlohmann stored it ("-0" parses as a signed integer).
std::optional<uint64_t> AsNonNegativeInteger(const Json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer() && v.get<int64_t>() >= 0)
    return static_cast<uint64_t>(v.get<int64_t>());
  return std::nullopt;
}

// Describes a JSON value without dumping it: a dump of a deeply nested value recurses.
std::string Describe(const Json& v) {
  if (v.is_number_integer() || v.is_number_float() || v.is_boolean()) return v.dump();
  if (v.is_string()) return "the string " + Quote(v.get_ref<const std::string&>());
  return std::string("a JSON ") + v.type_name();
}

class Parser {
 public:
  explicit Parser(std::string_view file_name) : file_(file_name) {}

  Status FileError(StatusCode code, const std::string& what) const {
    return Status(code, std::string(file_) + ": " + what);
  }
  Status TensorError(StatusCode code, const std::string& tensor, const std::string& what) const {
    return Status(code, std::string(file_) + ": tensor " + Quote(tensor) + ": " + what);
  }

  StatusOr<SafetensorsHeader> Parse(std::span<const std::byte> file) {
    if (file.size() < 8) {
      return FileError(StatusCode::kDataLoss,
                       "file is " + std::to_string(file.size()) +
                           " bytes, shorter than the 8-byte header length (truncated, or not a "
                           "safetensors file)");
    }
    uint64_t n = 0;
    std::memcpy(&n, file.data(), 8);  // little-endian host, checked above
    if (n > kMaxSafetensorsHeaderSize) {
      return FileError(StatusCode::kInvalidArgument,
                       "header length " + std::to_string(n) + " bytes exceeds the limit of " +
                           std::to_string(kMaxSafetensorsHeaderSize) +
                           " bytes (corrupt, or not a safetensors file)");
    }
    const uint64_t after_prefix = file.size() - 8;
    if (n > after_prefix) {
      return FileError(StatusCode::kDataLoss,
                       "header length " + std::to_string(n) + " bytes is larger than the " +
                           std::to_string(after_prefix) +
                           " bytes that follow it (truncated file, or not a safetensors file)");
    }
    SafetensorsHeader out;
    out.header_size = n;
    out.data_size = after_prefix - n;

    const char* json_begin = reinterpret_cast<const char*>(file.data()) + 8;
    // nlohmann stops at a NUL as if the input ended there, so "{...}\0<anything>" would parse;
    // serde_json (the reference) rejects it, and so do we.
    if (const void* nul = std::memchr(json_begin, '\0', n)) {
      return FileError(StatusCode::kInvalidArgument,
                       "header contains a NUL byte at offset " +
                           std::to_string(static_cast<const char*>(nul) - json_begin) +
                           " (headers are padded with spaces)");
    }
    if (MaxJsonDepth(std::string_view(json_begin, n)) > kMaxJsonDepth) {
      return FileError(StatusCode::kInvalidArgument,
                       "header nests JSON arrays/objects more than " +
                           std::to_string(kMaxJsonDepth) +
                           " levels deep (a safetensors header needs 3)");
    }
    Json root;
    try {
      root = Json::parse(json_begin, json_begin + n);
    } catch (const Json::exception& e) {
      // nlohmann quotes the whole token it failed on, which can be most of the header.
      std::string what = e.what();
      if (what.size() > 300) what = what.substr(0, 300) + "...";
      return FileError(StatusCode::kInvalidArgument, "header is not valid JSON: " + what);
    }
    if (!root.is_object()) {
      return FileError(StatusCode::kInvalidArgument,
                       "header is " + Describe(root) + ", expected a JSON object");
    }

    for (const auto& [key, value] : root.items()) {
      if (key == "__metadata__") {
        AUGSWEEP_RETURN_IF_ERROR(ParseMetadata(value, out.metadata));
        continue;
      }
      AUGSWEEP_ASSIGN_OR_RETURN(TensorInfo info, ParseTensor(key, value, out.data_size));
      out.tensors.push_back(std::move(info));
    }
    AUGSWEEP_RETURN_IF_ERROR(CheckCoverage(out.tensors, out.data_size));
    return out;
  }

 private:
  Status ParseMetadata(const Json& value, std::map<std::string, std::string>& metadata) const {
    if (value.is_null()) return OkStatus();  // the Rust reader treats null as "no metadata"
    if (!value.is_object()) {
      return FileError(StatusCode::kInvalidArgument, "\"__metadata__\" is " + Describe(value) +
                                                         ", expected an object of string values");
    }
    for (const auto& [k, v] : value.items()) {
      if (!v.is_string()) {
        return FileError(
            StatusCode::kInvalidArgument,
            "\"__metadata__\" field " + Quote(k) + " is " + Describe(v) + ", expected a string");
      }
      metadata[k] = v.get<std::string>();
    }
    return OkStatus();
  }

  StatusOr<TensorInfo> ParseTensor(const std::string& name, const Json& entry,
                                   uint64_t data_size) const {
    const StatusCode kBad = StatusCode::kInvalidArgument;
    if (!entry.is_object()) {
      return TensorError(kBad, name,
                         "entry is " + Describe(entry) +
                             ", expected an object with \"dtype\", \"shape\" and \"data_offsets\"");
    }
    for (const char* field : {"dtype", "shape", "data_offsets"}) {
      if (!entry.contains(field)) {
        return TensorError(kBad, name, std::string("missing \"") + field + "\"");
      }
    }
    TensorInfo info;
    info.name = name;

    const Json& dtype = entry["dtype"];
    if (!dtype.is_string()) {
      return TensorError(kBad, name, "\"dtype\" is " + Describe(dtype) + ", expected a string");
    }
    const std::string& dtype_name = dtype.get_ref<const std::string&>();
    std::optional<DType> parsed = DTypeFromName(dtype_name);
    if (!parsed) {
      const bool known = std::find(kOtherFormatDTypes.begin(), kOtherFormatDTypes.end(),
                                   dtype_name) != kOtherFormatDTypes.end();
      return TensorError(kBad, name,
                         (known ? "dtype " + Quote(dtype_name) +
                                      " is a safetensors dtype that augsweep does not support"
                                : "unknown dtype " + Quote(dtype_name)) +
                             " (supported: " + SupportedDTypeNames() + ")");
    }
    info.dtype = *parsed;

    const Json& shape = entry["shape"];
    if (!shape.is_array()) {
      return TensorError(kBad, name,
                         "\"shape\" is " + Describe(shape) + ", expected an array of integers");
    }
    for (size_t i = 0; i < shape.size(); ++i) {
      std::optional<uint64_t> dim = AsNonNegativeInteger(shape[i]);
      if (!dim || *dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return TensorError(kBad, name,
                           "shape[" + std::to_string(i) + "] is " + Describe(shape[i]) +
                               ", expected a non-negative integer");
      }
      info.shape.push_back(static_cast<int64_t>(*dim));
    }

    const Json& offsets = entry["data_offsets"];
    std::optional<uint64_t> begin, end;
    if (offsets.is_array() && offsets.size() == 2) {
      begin = AsNonNegativeInteger(offsets[0]);
      end = AsNonNegativeInteger(offsets[1]);
    }
    if (!begin || !end) {
      return TensorError(kBad, name,
                         "\"data_offsets\" is " + Describe(offsets) +
                             ", expected [begin, end] with non-negative integers");
    }
    info.begin = *begin;
    info.end = *end;
    if (info.begin > info.end) {
      return TensorError(kBad, name,
                         "data_offsets [" + std::to_string(info.begin) + ", " +
                             std::to_string(info.end) + "] has begin > end");
    }
    if (info.end > data_size) {
      return TensorError(StatusCode::kDataLoss, name,
                         "data_offsets end " + std::to_string(info.end) +
                             " is beyond the end of the data section (" +
                             std::to_string(data_size) +
                             " bytes): the file is truncated or the offsets are wrong");
    }

    uint64_t elements = 1;
    for (int64_t d : info.shape) {
      if (__builtin_mul_overflow(elements, static_cast<uint64_t>(d), &elements)) {
        return TensorError(kBad, name, "shape " + ShapeString(info.shape) + " overflows 64 bits");
      }
    }
    uint64_t expected_bytes = 0;
    if (__builtin_mul_overflow(elements, static_cast<uint64_t>(DTypeSize(info.dtype)),
                               &expected_bytes)) {
      return TensorError(kBad, name, "shape " + ShapeString(info.shape) + " overflows 64 bits");
    }
    if (info.num_bytes() != expected_bytes) {
      return TensorError(kBad, name,
                         "data_offsets [" + std::to_string(info.begin) + ", " +
                             std::to_string(info.end) + "] span " +
                             std::to_string(info.num_bytes()) + " bytes but shape " +
                             ShapeString(info.shape) + " of " + std::string(DTypeName(info.dtype)) +
                             " needs " + std::to_string(expected_bytes) + " bytes");
    }
    return info;
  }

  // The Rust reference's rule: sorted by offset, each tensor starts where the previous one ended,
  // and the last one ends at the end of the file.
  Status CheckCoverage(std::vector<TensorInfo>& tensors, uint64_t data_size) const {
    std::sort(tensors.begin(), tensors.end(), [](const TensorInfo& a, const TensorInfo& b) {
      return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
    });
    uint64_t covered = 0;              // end of the furthest-reaching tensor so far
    const TensorInfo* last = nullptr;  // the tensor that reaches `covered`
    for (const TensorInfo& t : tensors) {
      if (t.begin < covered) {
        return FileError(StatusCode::kInvalidArgument,
                         "tensors " + Quote(last->name) + " (bytes " + std::to_string(last->begin) +
                             ".." + std::to_string(last->end) + ") and " + Quote(t.name) +
                             " (bytes " + std::to_string(t.begin) + ".." + std::to_string(t.end) +
                             ") overlap");
      }
      if (t.begin > covered) {
        return FileError(StatusCode::kInvalidArgument,
                         "bytes " + std::to_string(covered) + ".." + std::to_string(t.begin) +
                             " of the data section belong to no tensor (gap " +
                             (last ? "between " + Quote(last->name) + " and " : "before ") +
                             Quote(t.name) +
                             "); safetensors requires the tensors to cover the data section "
                             "contiguously");
      }
      covered = t.end;
      last = &t;
    }
    if (covered != data_size) {
      return FileError(StatusCode::kInvalidArgument,
                       "the data section is " + std::to_string(data_size) +
                           " bytes but the tensors cover only the first " +
                           std::to_string(covered) +
                           "; safetensors requires the last tensor to end at the end of the file");
    }
    return OkStatus();
  }

  std::string_view file_;
};

}  // namespace

StatusOr<SafetensorsHeader> ParseSafetensorsHeader(std::span<const std::byte> file,
                                                   std::string_view file_name) {
  try {
    return Parser(file_name).Parse(file);
  } catch (const std::exception& e) {  // bad_alloc on a hostile header, or a missed json corner
    return InternalError(std::string(file_name) +
                         ": unexpected error while reading the header: " + e.what());
  }
}

}  // namespace augsweep
