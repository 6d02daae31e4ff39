// Parsing the device and dtype names of the runtime's options ("cuda:1", "bfloat16") into torch
// values, with errors that name the option. Internal to worker/runtime (includes c10 headers).
#pragma once

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <string>

#include "common/status.h"

namespace augsweep {

// "cpu", "cuda" or "cuda:N". FailedPrecondition when CUDA is asked for but this libtorch sees no
// such device. `option` names the field in messages ("LoadOptions.device").
StatusOr<c10::Device> ParseDevice(const std::string& name, const std::string& option);

// "float32", "float16" or "bfloat16".
StatusOr<c10::ScalarType> ParseDtype(const std::string& name, const std::string& option);

}  // namespace augsweep
