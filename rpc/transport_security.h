// How augsweep's gRPC connections are secured: TLS credentials for both ends, the bearer token a
// caller sends with every call, and the rule that decides when plaintext is allowed (on loopback
// only, unless the operator says --insecure).
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "security/credentials.h"

namespace augsweep {

// Whether `address` (host:port) names this machine's loopback: 127.0.0.0/8, ::1 or localhost.
// 0.0.0.0, [::] and every other host are off loopback.
bool IsLoopbackAddress(const std::string& address);

// The channel credentials a caller dials `address` with: TLS verifying the server against the CA,
// the client certificate when present (the name verified is dial.tls_server_name, a channel
// argument: MakeCoordinatorChannel sets it). Plaintext when there is no CA, refused for an address
// off loopback unless dial.insecure.
StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const std::string& address, const DialCredentials& dial);

// Client interceptors that send "authorization: Bearer TOKEN" with every call; none when the
// token is empty.
std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>>
BearerTokenInterceptors(const std::string& token);

// The coordinator's server credentials: TLS with its certificate (requiring and verifying client
// certificates when serve.client_ca_pem is set), or plaintext when it has no certificate.
std::shared_ptr<grpc::ServerCredentials> MakeServerCredentials(const ServeCredentials& serve);

// Why the coordinator may not serve `listen` with `serve`: off loopback it needs TLS and tokens,
// unless `insecure`. OK when it may.
Status CheckListenSecurity(const std::string& listen, const ServeCredentials& serve, bool insecure);

}  // namespace augsweep
