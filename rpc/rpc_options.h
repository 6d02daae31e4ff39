// What every augsweep gRPC endpoint shares: message and chunk sizes, channel and server
// settings, deadlines, and the retry policy of the calls that must get through. Used by the
// coordinator's server, the worker's client and the CLI's client alike, so the two ends cannot
// disagree.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "security/credentials.h"

namespace augsweep {

// The largest message either end sends or accepts. Artifacts and datasets stream in chunks far
// below it; the limit bounds what one call can make the other side allocate.
inline constexpr int kMaxMessageBytes = 64 << 20;
// The size of one chunk of an artifact or dataset stream.
inline constexpr size_t kStreamChunkBytes = 1 << 20;

// A channel to the coordinator at host:port with augsweep's limits and `dial`'s security (TLS,
// the bearer token on every call: rpc/transport_security.h), reconnecting within two seconds once
// the coordinator is back (gRPC's default backoff grows to two minutes). FailedPrecondition for
// plaintext off loopback without dial.insecure.
StatusOr<std::shared_ptr<grpc::Channel>> MakeCoordinatorChannel(const std::string& address,
                                                                const DialCredentials& dial);

// The server's side of the same limits.
void ApplyServerLimits(grpc::ServerBuilder& builder);

// A call's deadline, `ms` from now.
std::chrono::system_clock::time_point DeadlineIn(int64_t ms);

// How long a call that must get through keeps trying: failures worth retrying (IsWorthRetrying) are
// retried with a backoff that doubles from `first_backoff_ms` to `max_backoff_ms`, for up to
// `total_ms`; each attempt has `attempt_deadline_ms`.
struct RetryPolicy {
  int64_t total_ms = 0;
  int64_t attempt_deadline_ms = 0;
  int64_t first_backoff_ms = 100;
  int64_t max_backoff_ms = 2'000;
};

// The policy of calls whose loss would cost work (register, lease, complete, fail, artifacts):
// long enough for a requeued coordinator job to come back (tunables rpc_retry_window_ms,
// rpc_call_deadline_ms).
RetryPolicy PersistentRetry();

// Runs `call` (given the deadline of its attempt) until it succeeds, fails for good, `policy`
// runs out, or `give_up()` says so. The error names `what`.
Status CallWithRetry(
    const std::string& what, const RetryPolicy& policy, const std::function<bool()>& give_up,
    const std::function<grpc::Status(std::chrono::system_clock::time_point)>& call);

}  // namespace augsweep
