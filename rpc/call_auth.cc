#include "rpc/call_auth.h"

#include <cstdio>

#include "common/sha256.h"

namespace augsweep {
namespace {

// The digest of an empty token matches nothing: a role without a token cannot be claimed.
std::string DigestOrEmpty(const std::string& token) {
  return token.empty() ? std::string() : Sha256Hex(token);
}

}  // namespace

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

CallAuthorizer::CallAuthorizer(std::string client_token, std::string worker_token,
                               std::string log_prefix)
    : client_digest_(DigestOrEmpty(client_token)),
      worker_digest_(DigestOrEmpty(worker_token)),
      log_prefix_(std::move(log_prefix)) {}

grpc::Status CallAuthorizer::Authorize(const grpc::ServerContext& context, Role role,
                                       const char* method) const {
  if (client_digest_.empty() && worker_digest_.empty()) return grpc::Status::OK;
  const auto& metadata = context.client_metadata();
  const auto header = metadata.find("authorization");
  const std::string prefix = "Bearer ";
  std::string token;
  if (header != metadata.end() && header->second.size() > prefix.size() &&
      std::string(header->second.data(), prefix.size()) == prefix) {
    token.assign(header->second.data() + prefix.size(), header->second.size() - prefix.size());
  }
  // Hashing first makes both comparisons the same length whatever the caller sent.
  const std::string digest = token.empty() ? std::string() : Sha256Hex(token);
  const bool is_client = !digest.empty() && ConstantTimeEquals(digest, client_digest_);
  const bool is_worker = !digest.empty() && ConstantTimeEquals(digest, worker_digest_);
  if ((role == Role::kClient && is_client) || (role == Role::kWorker && is_worker))
    return grpc::Status::OK;
  const std::string peer = context.peer();
  if (is_client || is_worker) {
    const char* held = is_client ? "client" : "worker";
    std::fprintf(stderr, "%s: refused %s from %s: a %s token cannot call it\n", log_prefix_.c_str(),
                 method, peer.c_str(), held);
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        std::string(method) + " needs the " + RoleName(role) +
                            " role; this call carries the " + held + " token");
  }
  const char* why = token.empty() ? "no bearer token" : "a token of no role";
  std::fprintf(stderr, "%s: refused %s from %s: %s\n", log_prefix_.c_str(), method, peer.c_str(),
               why);
  return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                      std::string(method) + ": " + why + " (the coordinator needs the " +
                          RoleName(role) + " token: --credentials DIR)");
}

}  // namespace augsweep
