#include "worker/runtime/torch_guard.h"

#include <c10/util/Exception.h>

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

Status StatusFromCurrentTorchException(const std::string& op) {
  try {
    throw;
  } catch (const c10::OutOfMemoryError& e) {
    return ResourceExhaustedError(op + ": out of memory: " + e.what_without_backtrace());
  } catch (const c10::Error& e) {
    const std::string message = e.what_without_backtrace();
    if (IsAllocationFailure(message)) return ResourceExhaustedError(op + ": out of memory: " + message);
    return InternalError(op + ": " + message);
  } catch (...) {
    return StatusFromCurrentException(op);
  }
}

}  // namespace augsweep
