// The coordinator's check of who is calling: every RPC handler asks Authorize() for the role
// its method belongs to before it does anything. The caller's bearer token is compared with both
// roles' tokens in constant time; refusals are logged with the method and peer, never the token.
#pragma once

#include <grpcpp/grpcpp.h>

#include <string>

#include "security/credentials.h"

namespace augsweep {

class CallAuthorizer {
 public:
  // Both tokens empty: every call is allowed (a coordinator on loopback without credentials, or
  // --insecure). `log_prefix` starts each refusal's log line.
  CallAuthorizer(std::string client_token, std::string worker_token, std::string log_prefix);

  // OK when the call carries the token of `role`; UNAUTHENTICATED without a token or with one of
  // no role, PERMISSION_DENIED with the other role's token. `method`: for the log and the error.
  grpc::Status Authorize(const grpc::ServerContext& context, Role role, const char* method) const;

 private:
  const std::string client_digest_;  // SHA-256 of each token: compared in constant time
  const std::string worker_digest_;
  const std::string log_prefix_;
};

// Whether a and b are equal, in a time that depends on their lengths only.
bool ConstantTimeEquals(const std::string& a, const std::string& b);

}  // namespace augsweep
