// Exceptions stop at module boundaries: what a third-party library throws (libtorch, the standard
// library's std::bad_alloc) becomes a Status there, so that callers across the boundary only ever
// see Status returns (common/status.h) and a worker never dies of an exception it did not expect.
#pragma once

#include <string_view>
#include <utility>

#include "common/status.h"

namespace augsweep {

// The exception being handled, as a Status: std::bad_alloc -> ResourceExhausted, any other ->
// Internal, with `context` (the operation) and the exception's message. Call it only inside a
// catch block.
Status StatusFromCurrentException(std::string_view context);

// Returns body() (a Status or StatusOr<T>); an exception escaping it becomes classify(context).
// `context` is a view: the happy path, run at every step of a training loop, builds no string.
template <typename Body>
auto CallCatchingExceptions(std::string_view context, Body&& body,
                            Status (*classify)(std::string_view) = StatusFromCurrentException)
    -> decltype(body()) {
  try {
    return std::forward<Body>(body)();
  } catch (...) {
    return classify(context);
  }
}

}  // namespace augsweep
