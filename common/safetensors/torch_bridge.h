// Moving tensors between safetensors files and libtorch (at::Tensor).
//
// The only torch-facing part of common/safetensors. It includes <ATen/core/Tensor.h>, the lightest
// header that declares at::Tensor, so only worker/runtime code (which builds against libtorch
// anyway) may include this file; everything else uses safetensors.h / checkpoint.h, which need no
// torch. Linking augsweep_safetensors_torch brings torch in as a PUBLIC dependency for that reason.
#pragma once

#include <ATen/core/Tensor.h>

#include <map>
#include <string>

#include "common/safetensors/checkpoint.h"
#include "common/safetensors/safetensors.h"
#include "common/status.h"

namespace augsweep {

// Copies the tensor into a new CPU tensor of the stored dtype (F32 -> float, F16 -> half,
// BF16 -> bfloat16, I64 -> long) that owns its memory, so it outlives `file`.
StatusOr<at::Tensor> LoadTensor(const SafetensorsFile& file, const TensorInfo& info);

// Every tensor of the checkpoint, by name (copies, as LoadTensor).
StatusOr<std::map<std::string, at::Tensor>> LoadAll(const Checkpoint& checkpoint);

// Writes the tensors (any device, any strides; copied to contiguous CPU memory first) with
// WriteSafetensors. InvalidArgument names a tensor whose dtype is not F32/F16/BF16/I64.
Status SaveTensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors,
                   const std::map<std::string, std::string>& metadata = {});

}  // namespace augsweep
