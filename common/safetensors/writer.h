// Writing .safetensors files in the canonical layout, byte-identical to the Rust reference writer
// (huggingface/safetensors `serialize`) and to the stand-in that wrote tests/fixtures:
//   * u64-LE header length N, then N bytes of compact JSON, padded with spaces to a multiple of 8;
//   * "__metadata__" first (omitted when empty; keys in byte order), then the tensors in data
//   order,
//     each as {"dtype":..,"shape":[..],"data_offsets":[begin,end]};
//   * tensors ordered by dtype descending in the Rust crate's Dtype order, then by name (byte
//   order).
//     For our dtypes that is I64, F32, BF16, F16: element size descending, except that the two
//     2-byte types are not interleaved by name but BF16 comes before F16 (the Rust enum's order;
//     fixtures/README.md says "dtype size descending", which is the same for files without F16/BF16
//     mixes, and the fixtures are all F32);
//   * raw little-endian data, contiguous, no alignment padding between tensors.
// The file is written to a temporary name in the same folder, fsync'ed and renamed into place, so a
// crash leaves either the old file or the complete new one, never a torn one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "common/safetensors/safetensors.h"
#include "common/status.h"

namespace augsweep {

struct TensorToWrite {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  std::span<const std::byte> data;  // little-endian, C order; must outlive the call
};

// InvalidArgument for bad input (empty/duplicate/reserved names, names that are not UTF-8, negative
// dimensions, data size != product(shape) * dtype size); other codes for I/O failures.
Status WriteSafetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                        const std::map<std::string, std::string>& metadata);

// The header bytes (length prefix + padded JSON) WriteSafetensors would write, and the order in
// which the tensors' data follows (indices into `tensors`). Exposed for tests and for callers that
// stream data themselves.
struct SerializedHeader {
  std::string bytes;
  std::vector<size_t> order;
};
StatusOr<SerializedHeader> SerializeSafetensorsHeader(
    const std::vector<TensorToWrite>& tensors, const std::map<std::string, std::string>& metadata);

}  // namespace augsweep
