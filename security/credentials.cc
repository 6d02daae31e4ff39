#include "security/credentials.h"

#include <sys/random.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "common/read_file.h"
#include "security/private_files.h"

namespace augsweep {
namespace {

// A one-line file's contents without the newline (or spaces) an editor leaves at its end.
std::string WithoutTrailingSpace(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

StatusOr<std::string> ReadToken(const std::string& path) {
  AUGSWEEP_ASSIGN_OR_RETURN(std::string contents, ReadOwnerOnlyFile(path, "the token file"));
  const std::string token = WithoutTrailingSpace(std::move(contents));
  if (token.size() < 32 || token.find_first_of(" \t\r\n") != std::string::npos) {
    return InvalidArgumentError("the token file " + path +
                                " must hold one token of at least 32 characters and no spaces "
                                "(augsweep-coordinator --init-credentials makes them)");
  }
  return token;
}

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

}  // namespace

const char* RoleName(Role role) { return role == Role::kClient ? "client" : "worker"; }

StatusOr<DialCredentials> LoadDialCredentials(const std::string& dir, Role role) {
  DialCredentials c;
  AUGSWEEP_ASSIGN_OR_RETURN(c.token, ReadToken(dir + "/token"));
  if (Exists(dir + "/ca.pem")) {
    AUGSWEEP_ASSIGN_OR_RETURN(c.ca_pem, ReadWholeFile(dir + "/ca.pem"));
  }
  if (Exists(dir + "/server-name")) {
    AUGSWEEP_ASSIGN_OR_RETURN(std::string name, ReadWholeFile(dir + "/server-name"));
    c.tls_server_name = WithoutTrailingSpace(std::move(name));
  }
  const bool has_cert = Exists(dir + "/cert.pem"), has_key = Exists(dir + "/key.pem");
  if (has_cert != has_key) {
    return InvalidArgumentError("the " + std::string(RoleName(role)) + " credentials in " + dir +
                                " have " +
                                (has_cert ? "cert.pem but no key.pem" : "key.pem but no cert.pem"));
  }
  if (has_cert) {
    AUGSWEEP_ASSIGN_OR_RETURN(c.cert_pem, ReadWholeFile(dir + "/cert.pem"));
    AUGSWEEP_ASSIGN_OR_RETURN(c.key_pem, ReadOwnerOnlyFile(dir + "/key.pem", "the private key"));
  }
  return c;
}

StatusOr<ServeCredentials> LoadServeCredentials(const std::string& dir, bool require_client_certs) {
  ServeCredentials c;
  AUGSWEEP_ASSIGN_OR_RETURN(c.cert_pem, ReadWholeFile(dir + "/server.pem"));
  AUGSWEEP_ASSIGN_OR_RETURN(c.key_pem,
                            ReadOwnerOnlyFile(dir + "/server.key", "the server's private key"));
  AUGSWEEP_ASSIGN_OR_RETURN(c.client_token, ReadToken(dir + "/client.token"));
  AUGSWEEP_ASSIGN_OR_RETURN(c.worker_token, ReadToken(dir + "/worker.token"));
  if (c.client_token == c.worker_token) {
    return InvalidArgumentError("client.token and worker.token in " + dir +
                                " are the same: each role needs its own");
  }
  if (require_client_certs) {
    AUGSWEEP_ASSIGN_OR_RETURN(c.client_ca_pem, ReadWholeFile(dir + "/ca.pem"));
  }
  return c;
}

StatusOr<std::string> NewRandomToken() {
  unsigned char bytes[32];
  size_t got = 0;
  while (got < sizeof(bytes)) {
    const ssize_t n = getrandom(bytes + got, sizeof(bytes) - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return UnavailableError(std::string("no random bytes: ") + std::strerror(errno));
    got += static_cast<size_t>(n);
  }
  static const char kHex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char b : bytes) {
    token += kHex[b >> 4];
    token += kHex[b & 15];
  }
  return token;
}

}  // namespace augsweep
