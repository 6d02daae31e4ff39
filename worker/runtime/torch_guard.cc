#include "worker/runtime/torch_guard.h"

#include <c10/util/Exception.h>

#include <string>

namespace augsweep {
namespace {

// libtorch's CPU allocator reports a failed allocation as a plain c10::Error
// ("DefaultCPUAllocator: can't allocate memory: you tried to allocate N bytes").
bool IsAllocationFailure(const std::string& message) {
  return message.find("DefaultCPUAllocator") != std::string::npos ||
         message.find("can't allocate memory") != std::string::npos ||
         message.find("out of memory") != std::string::npos;
}

}  // namespace

Status StatusFromCurrentTorchException(std::string_view op) {
  const std::string where(op);
  try {
    throw;
  } catch (const c10::OutOfMemoryError& e) {
    return ResourceExhaustedError(where + ": out of memory: " + e.what_without_backtrace());
  } catch (const c10::Error& e) {
    const std::string message = e.what_without_backtrace();
    if (IsAllocationFailure(message))
      return ResourceExhaustedError(where + ": out of memory: " + message);
    return InternalError(where + ": " + message);
  } catch (...) {
    return StatusFromCurrentException(op);
  }
}

}  // namespace augsweep
