#include "worker/runtime/torch_device.h"

#include <torch/cuda.h>

#include <exception>
#include <optional>

namespace augsweep {

StatusOr<c10::ScalarType> ParseDtype(const std::string& name, const std::string& option) {
  if (name == "float32") return c10::kFloat;
  if (name == "float16") return c10::kHalf;
  if (name == "bfloat16") return c10::kBFloat16;
  return InvalidArgumentError(option + ": unsupported value \"" + name +
                              "\" (supported: float32, float16, bfloat16)");
}

StatusOr<c10::Device> ParseDevice(const std::string& name, const std::string& option) {
  std::optional<c10::Device> device;
  try {
    device.emplace(name);
  } catch (const std::exception&) {
  }
  if (!device || (!device->is_cpu() && !device->is_cuda())) {
    return InvalidArgumentError(option + ": unsupported value \"" + name +
                                "\" (supported: cpu, cuda, cuda:N)");
  }
  if (device->is_cuda()) {
    if (!torch::cuda::is_available()) {
      return FailedPreconditionError(option + ": \"" + name +
                                     "\" requested, but this libtorch sees no CUDA device");
    }
    if (device->has_index() &&
        static_cast<size_t>(device->index()) >= torch::cuda::device_count()) {
      return FailedPreconditionError(option + ": \"" + name + "\" requested, but only " +
                                     std::to_string(torch::cuda::device_count()) +
                                     " CUDA device(s) are visible");
    }
  }
  return *device;
}

}  // namespace augsweep
