#include "common/safetensors/torch_bridge.h"

#include <ATen/ATen.h>

#include <cstring>
#include <exception>
#include <optional>
#include <vector>

#include "common/safetensors/writer.h"

namespace augsweep {
namespace {

at::ScalarType ToScalarType(DType dtype) {
  switch (dtype) {
    case DType::kF32:
      return at::kFloat;
    case DType::kF16:
      return at::kHalf;
    case DType::kBF16:
      return at::kBFloat16;
    case DType::kI64:
      return at::kLong;
  }
  return at::kFloat;
}

std::optional<DType> FromScalarType(at::ScalarType type) {
  switch (type) {
    case at::kFloat:
      return DType::kF32;
    case at::kHalf:
      return DType::kF16;
    case at::kBFloat16:
      return DType::kBF16;
    case at::kLong:
      return DType::kI64;
    default:
      return std::nullopt;
  }
}

}  // namespace

StatusOr<at::Tensor> LoadTensor(const SafetensorsFile& file, const TensorInfo& info) {
  std::span<const std::byte> data = file.Data(info);
  if (data.size() != info.num_bytes()) {
    return InvalidArgumentError(file.path() + ": tensor \"" + info.name +
                                "\": TensorInfo does not belong to this file");
  }
  try {
    at::Tensor out = at::empty(info.shape, at::TensorOptions().dtype(ToScalarType(info.dtype)));
    // Copied rather than wrapped (from_blob) so the tensor owns its memory and is aligned for its
    // dtype, which bytes inside the mapping need not be.
    if (!data.empty()) std::memcpy(out.data_ptr(), data.data(), data.size());
    return out;
  } catch (const std::exception& e) {
    return InternalError(file.path() + ": tensor \"" + info.name +
                         "\": cannot create torch tensor: " + e.what());
  }
}

StatusOr<std::map<std::string, at::Tensor>> LoadAll(const Checkpoint& checkpoint) {
  std::map<std::string, at::Tensor> out;
  for (const std::string& name : checkpoint.names()) {
    const CheckpointTensor* t = checkpoint.Find(name);
    AUGSWEEP_ASSIGN_OR_RETURN(at::Tensor tensor, LoadTensor(*t->file, *t->info));
    out.emplace(name, std::move(tensor));
  }
  return out;
}

Status SaveTensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors,
                   const std::map<std::string, std::string>& metadata) {
  std::vector<at::Tensor> keep_alive;  // contiguous CPU copies the spans below point into
  std::vector<TensorToWrite> to_write;
  keep_alive.reserve(tensors.size());
  to_write.reserve(tensors.size());
  try {
    for (const auto& [name, tensor] : tensors) {
      if (!tensor.defined()) {
        return InvalidArgumentError(path + ": tensor \"" + name + "\" is undefined");
      }
      std::optional<DType> dtype = FromScalarType(tensor.scalar_type());
      if (!dtype) {
        return InvalidArgumentError(path + ": tensor \"" + name + "\" has dtype " +
                                    std::string(c10::toString(tensor.scalar_type())) +
                                    ", which safetensors files here cannot hold (supported: " +
                                    SupportedDTypeNames() + ")");
      }
      at::Tensor cpu = tensor.to(at::kCPU).contiguous();
      keep_alive.push_back(cpu);
      TensorToWrite t;
      t.name = name;
      t.dtype = *dtype;
      t.shape.assign(cpu.sizes().begin(), cpu.sizes().end());
      t.data = std::span<const std::byte>(static_cast<const std::byte*>(cpu.data_ptr()),
                                          cpu.numel() * cpu.element_size());
      to_write.push_back(std::move(t));
    }
  } catch (const std::exception& e) {
    return InternalError(path + ": cannot prepare tensors for writing: " + e.what());
  }
  return WriteSafetensors(path, to_write, metadata);
}

}  // namespace augsweep
