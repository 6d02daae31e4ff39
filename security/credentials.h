// The credentials of an augsweep deployment: bearer tokens for the two roles that may call the
// coordinator, and the certificates of its TLS. They live as files in one folder per program,
// as `augsweep-coordinator --init-credentials DIR` lays them out:
//
//   DIR/ca/          ca.pem ca.key        the study's own certificate authority; ca.key is only
//                                         needed to issue more certificates: keep it offline
//   DIR/coordinator/ ca.pem server.pem server.key client.token worker.token
//   DIR/worker/      ca.pem token server-name [cert.pem key.pem]   copy to every worker node
//   DIR/client/      ca.pem token server-name [cert.pem key.pem]   for the people who run augsweep
//
// server-name holds the name the coordinator's certificate is verified under: the certificate is
// the only one the study's CA issues for a server, so the name need not be the host's (which a
// Slurm job learns only once it runs); without the file, the host dialed is verified.
// Tokens and private keys must be owner-only files (0600); the programs refuse others.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace augsweep {

// Who is calling: a person's CLI (submit, status, results, cancel, retry, workers, events) or a
// worker (register, lease, heartbeat, complete, fail, give back, artifacts).
enum class Role { kClient, kWorker };
const char* RoleName(Role role);  // "client", "worker"

// The name every coordinator certificate made by InitCredentials carries besides the names the
// operator gives: a coordinator whose host is only known once it runs (a Slurm job) is verified
// under this name.
inline constexpr char kCoordinatorCertificateName[] = "augsweep-coordinator";

// What a client or a worker dials the coordinator with.
struct DialCredentials {
  std::string token;     // bearer token; empty: none (a coordinator without tokens)
  std::string ca_pem;    // TLS, verifying the server against this CA; empty: plaintext
  std::string cert_pem;  // client certificate and key for mutual TLS; empty: none
  std::string key_pem;
  std::string tls_server_name;  // the name verified in the server's certificate; empty: the host
  bool insecure = false;        // allow plaintext to an address off loopback
};

// What the coordinator serves with.
struct ServeCredentials {
  std::string cert_pem;  // TLS certificate and key; empty: plaintext
  std::string key_pem;
  std::string client_ca_pem;  // mutual TLS: callers must show a certificate of this CA
  std::string client_token;   // the two roles' tokens; both empty: no authentication
  std::string worker_token;
  // TLS and both roles' tokens: what serving off loopback needs.
  bool protects() const {
    return !cert_pem.empty() && !client_token.empty() && !worker_token.empty();
  }
};

// Reads the folder of `role` (DIR/worker or DIR/client above): `token` is required, `ca.pem`
// turns on TLS, `server-name` sets tls_server_name, `cert.pem` + `key.pem` are sent when present.
StatusOr<DialCredentials> LoadDialCredentials(const std::string& dir, Role role);

// Reads the coordinator's folder: server.pem, server.key and both tokens are required; with
// `require_client_certs`, ca.pem verifies the callers' certificates.
StatusOr<ServeCredentials> LoadServeCredentials(const std::string& dir, bool require_client_certs);

// 256 random bits from the kernel, as 64 hex digits.
StatusOr<std::string> NewRandomToken();

struct CredentialsRequest {
  std::string dir;                        // created; must not exist or be empty
  std::vector<std::string> server_names;  // DNS names or IP addresses of the coordinator's host
  bool client_certificates = false;       // also issue cert.pem/key.pem for worker/ and client/
  int valid_days = 730;                   // of the leaf certificates; the CA lives 10 years
};

// Creates the layout above: a new CA (ECDSA P-256), a server certificate for `server_names`,
// localhost, 127.0.0.1, ::1 and kCoordinatorCertificateName, both tokens, and optionally the
// client certificates. Every folder is 0700 and every secret 0600.
Status InitCredentials(const CredentialsRequest& request);

}  // namespace augsweep
