// The one error boundary of worker/runtime: every public entry (LlamaModel, EncoderClassifier)
// runs its body through GuardTorch, so that what libtorch throws -- c10::Error from an op,
// c10::OutOfMemoryError from the CUDA allocator, the CPU allocator's failure, std::bad_alloc --
// comes back as a Status and never unwinds into the worker. No torch in this header.
#pragma once

#include <string_view>
#include <utility>

#include "common/exception_status.h"

namespace augsweep {

// The exception being handled, as a Status: out of memory (c10::OutOfMemoryError, the CPU
// allocator's "can't allocate memory", std::bad_alloc) -> ResourceExhausted; any other torch or
// standard exception -> Internal. The message is `op`, then the op's own message without its C++
// backtrace. Call it only inside a catch block.
Status StatusFromCurrentTorchException(std::string_view op);

// Returns body() (a Status or StatusOr<T>); an exception escaping it becomes a Status as above.
template <typename Body>
auto GuardTorch(std::string_view op, Body&& body) -> decltype(body()) {
  return CallCatchingExceptions(op, std::forward<Body>(body), StatusFromCurrentTorchException);
}

}  // namespace augsweep
