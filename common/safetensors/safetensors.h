// Reading .safetensors files (the Hugging Face weight format) without copying: the file is
// memory-mapped and each tensor's bytes are handed out as a span into the mapping.
//
// Format: an 8-byte little-endian header length N, N bytes of JSON (an object mapping tensor names
// to {"dtype","shape","data_offsets":[begin,end]} plus an optional "__metadata__" string map), then
// the raw little-endian tensor bytes; offsets are relative to the start of that data section.
//
// Validation follows the Rust reference crate (huggingface/safetensors, Metadata::validate and
// SafeTensors::read_metadata): the tensors, ordered by offset, must cover the data section
// contiguously from byte 0 to the end of the file. A gap between two tensors, or bytes after the
// last one, is rejected, not merely overlaps. We chose the strict rule so that every file we accept
// is one the reference accepts too (a file we wrote and checked loads in Python and in Rust), and
// because uncovered bytes in a weight file mean it was produced by a broken or foreign writer.
//
// Only the dtypes augsweep's models use are supported (F32, F16, BF16, I64); any other dtype is
// rejected with a message naming it. Depends on the standard library and augsweep_base only, so
// worker/runtime can use it without Abseil, gRPC or YAML.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace augsweep {

enum class DType { kF32, kF16, kBF16, kI64 };

// The name used in safetensors headers: "F32", "F16", "BF16", "I64".
std::string_view DTypeName(DType dtype);
// Bytes per element.
size_t DTypeSize(DType dtype);
// Inverse of DTypeName; nullopt for anything else (including valid safetensors dtypes that augsweep
// does not support, such as "F64" or "F8_E4M3").
std::optional<DType> DTypeFromName(std::string_view name);
// "F32, F16, BF16, I64", for error messages.
std::string SupportedDTypeNames();

struct TensorInfo {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  uint64_t begin = 0;  // byte offsets relative to the start of the data section
  uint64_t end = 0;

  uint64_t num_bytes() const { return end - begin; }
  // Product of the shape (1 for a scalar, 0 if any dimension is 0).
  uint64_t num_elements() const;
};

// A validated, memory-mapped safetensors file. Immutable after Open, so it may be read from any
// number of threads. The mapping is read-only and private; it lives until the object is destroyed,
// so spans from Data() must not outlive it. (As with any mmap, truncating the file on disk while it
// is mapped makes later reads fault; model folders are expected to be left alone while in use.)
class SafetensorsFile {
 public:
  // Maps and validates `path`. Errors: NotFound (no such file), DataLoss (truncated file),
  // InvalidArgument (malformed header), others for I/O failures; every message names the file.
  static StatusOr<std::unique_ptr<SafetensorsFile>> Open(const std::string& path);

  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::string& path() const { return path_; }
  // In data order (increasing offsets), which is the order the writer laid them out.
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  // nullptr when absent.
  const TensorInfo* Find(std::string_view name) const;
  // The tensor's raw little-endian bytes. `info` must come from this file's tensors()/Find();
  // a foreign TensorInfo whose range does not fit the data section yields an empty span.
  std::span<const std::byte> Data(const TensorInfo& info) const;
  // The "__metadata__" map (empty if the file has none).
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // Size of the JSON header in bytes (including padding), and of the data section.
  uint64_t header_size() const { return header_size_; }
  uint64_t data_size() const { return data_size_; }

 private:
  SafetensorsFile() = default;

  std::string path_;
  const std::byte* mapping_ = nullptr;  // owned: munmap'ed in the destructor
  size_t mapping_size_ = 0;
  uint64_t header_size_ = 0;
  uint64_t data_size_ = 0;
  std::vector<TensorInfo> tensors_;
  std::map<std::string, size_t, std::less<>> index_;  // name -> position in tensors_
  std::map<std::string, std::string> metadata_;
};

}  // namespace augsweep
