#include "rpc/rpc_options.h"

#include <algorithm>
#include <thread>

#include "common/tunables.h"
#include "rpc/grpc_status.h"
#include "rpc/transport_security.h"

namespace augsweep {

StatusOr<std::shared_ptr<grpc::Channel>> MakeCoordinatorChannel(const std::string& address,
                                                                const DialCredentials& dial) {
  AUGSWEEP_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials,
                            MakeChannelCredentials(address, dial));
  grpc::ChannelArguments args;
  if (!dial.ca_pem.empty() && !dial.tls_server_name.empty())
    args.SetString(GRPC_SSL_TARGET_NAME_OVERRIDE_ARG, dial.tls_server_name);
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  args.SetMaxSendMessageSize(kMaxMessageBytes);
  // The minimum backoff is left alone: gRPC also uses it as the connect timeout, and a slow link
  // needs more than a fraction of a second.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  return grpc::experimental::CreateCustomChannelWithInterceptors(
      address, credentials, args, BearerTokenInterceptors(dial.token));
}

void ApplyServerLimits(grpc::ServerBuilder& builder) {
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
}

std::chrono::system_clock::time_point DeadlineIn(int64_t ms) {
  return std::chrono::system_clock::now() + std::chrono::milliseconds(ms);
}

RetryPolicy PersistentRetry() {
  const Tunables& t = GetTunables();
  return RetryPolicy{t.rpc_retry_window_ms, t.rpc_call_deadline_ms};
}

Status CallWithRetry(
    const std::string& what, const RetryPolicy& policy, const std::function<bool()>& give_up,
    const std::function<grpc::Status(std::chrono::system_clock::time_point)>& call) {
  const auto give_up_at =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(policy.total_ms);
  int64_t backoff_ms = policy.first_backoff_ms;
  while (true) {
    const grpc::Status s = call(DeadlineIn(policy.attempt_deadline_ms));
    if (s.ok()) return OkStatus();
    if (!IsWorthRetrying(s) || give_up() || std::chrono::steady_clock::now() > give_up_at) {
      return FromGrpc(what, s);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
    backoff_ms = std::min(backoff_ms * 2, policy.max_backoff_ms);
  }
}

}  // namespace augsweep
