// augsweep-coordinator: serves sweeps to workers and users over gRPC, keeping state in RocksDB.
// Restarted on the same --data-dir it resumes every sweep. SIGTERM/SIGINT stop it gracefully.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "common/cli_main.h"
#include "common/signal_waiter.h"
#include "coordinator/server/coordinator_server.h"
#include "rpc/transport_security.h"
#include "security/credentials.h"
#include "security/private_files.h"

namespace {

// "a,b,,c" -> {"a", "b", "c"}.
std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    if (comma > start) parts.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return parts;
}

// --init-credentials DIR: writes the credentials folders and says what goes where.
int InitCredentialsCommand(const std::string& dir, const std::string& server_names,
                           bool client_certificates) {
  augsweep::CredentialsRequest request;
  request.dir = dir;
  request.server_names = SplitCommas(server_names);
  request.client_certificates = client_certificates;
  augsweep::Status s = augsweep::InitCredentials(request);
  if (!s.ok()) return augsweep::ReportCommandError("augsweep-coordinator", s);
  std::printf(
      "credentials written to %s (every folder 0700, every secret 0600):\n"
      "  %s/coordinator  for augsweep-coordinator --credentials (server certificate, both tokens)\n"
      "  %s/worker       copy to each worker node: augsweep-worker --credentials\n"
      "  %s/client       for the people who run augsweep: --credentials or $AUGSWEEP_CREDENTIALS\n"
      "  %s/ca           the CA's key: only needed to issue more certificates; keep it offline\n",
      dir.c_str(), dir.c_str(), dir.c_str(), dir.c_str(), dir.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  augsweep::MakeNewFilesOwnerOnly();  // the store, address file and logs of this process
  augsweep::BlockTerminationSignals();
  augsweep::CoordinatorOptions options;
  options.listen = "0.0.0.0:7070";
  options.data_dir = "augsweep-data";
  std::string address_file;
  std::string credentials_dir, init_credentials_dir, server_names;
  bool require_client_certs = false, client_certificates = false;
  int64_t lease_s = options.scheduler.lease_ms / 1000;
  int64_t heartbeat_s = options.scheduler.heartbeat_interval_ms / 1000;
  int64_t max_attempts = options.scheduler.max_attempts;
  augsweep::FlagSet flags(
      "augsweep-coordinator [flags]",
      "Serves sweeps to workers and users over gRPC; state lives in RocksDB under\n"
      "--data-dir and a restart on the same directory resumes every sweep.");
  flags.String("listen", &options.listen, "host:port to listen on (port 0 picks a free port)");
  flags.String("data-dir", &options.data_dir, "directory of the RocksDB store (created if absent)");
  flags.String(
      "address-file", &address_file,
      "once listening, write the address workers should dial to this file (Slurm jobs read it)");
  flags.String("credentials", &credentials_dir,
               "coordinator credentials folder (server.pem, server.key, client.token, "
               "worker.token): TLS and both roles' tokens");
  flags.Bool("require-client-certs", &require_client_certs,
             "mutual TLS: callers must show a certificate of the CA in the credentials' ca.pem");
  flags.Bool("insecure", &options.insecure,
             "allow listening off loopback without TLS and tokens (a network you trust entirely)");
  flags.String("init-credentials", &init_credentials_dir,
               "create a new credentials folder DIR (CA, server certificate, tokens) and exit");
  flags.String("server-names", &server_names,
               "with --init-credentials: the coordinator host's names and IP addresses, "
               "comma-separated (localhost and augsweep-coordinator are always included)");
  flags.Bool("client-certs", &client_certificates,
             "with --init-credentials: also issue worker and client certificates (mutual TLS)");
  flags.String("metrics-listen", &options.metrics_listen,
               "serve Prometheus metrics at http://HOST:PORT/metrics (a bare PORT: loopback); "
               "scrapes send the client token as a bearer token");
  flags.Int("lease-seconds", &lease_s, "a job's lease expires when not renewed for this long");
  flags.Int("heartbeat-seconds", &heartbeat_s, "how often workers renew their lease");
  flags.Int("max-attempts", &max_attempts, "failed attempts before a job is FAILED");
  std::vector<std::string> positional;
  if (auto code = augsweep::ParseFlagsOrExit(flags, {argv + 1, argv + argc}, "augsweep-coordinator",
                                             &positional)) {
    return *code;
  }
  if (!positional.empty() || lease_s < 1 || heartbeat_s < 1 || heartbeat_s * 2 > lease_s ||
      max_attempts < 1) {
    std::fprintf(
        stderr,
        "augsweep-coordinator: expected no arguments, lease-seconds >= 2 x heartbeat-seconds >= 2 "
        "and max-attempts >= 1 (see --help)\n");
    return 2;
  }
  if (!init_credentials_dir.empty())
    return InitCredentialsCommand(init_credentials_dir, server_names, client_certificates);
  if (!credentials_dir.empty()) {
    auto credentials = augsweep::LoadServeCredentials(credentials_dir, require_client_certs);
    if (!credentials.ok())
      return augsweep::ReportCommandError("augsweep-coordinator", credentials.status());
    options.credentials = *std::move(credentials);
  } else if (require_client_certs) {
    std::fprintf(stderr, "augsweep-coordinator: --require-client-certs needs --credentials DIR\n");
    return 2;
  }
  options.scheduler.lease_ms = lease_s * 1000;
  options.scheduler.heartbeat_interval_ms = static_cast<int32_t>(heartbeat_s * 1000);
  options.scheduler.max_attempts = static_cast<int32_t>(max_attempts);

  auto server = augsweep::CoordinatorServer::Start(options);
  if (!server.ok()) {
    return augsweep::ReportCommandError("augsweep-coordinator", server.status());
  }
  if (!options.credentials.protects()) {
    std::fprintf(stderr,
                 "augsweep-coordinator: WARNING: no TLS and no tokens: %s can call this "
                 "coordinator and read the dataset and results (give --credentials DIR)\n",
                 augsweep::IsLoopbackAddress(options.listen) ? "every user of this machine"
                                                             : "anyone who reaches its port");
  }
  std::string address = (*server)->address();
  if (address.rfind("0.0.0.0:", 0) == 0) {
    char host[256] = {0};
    gethostname(host, sizeof(host) - 1);
    address = std::string(host) + address.substr(7);
  }
  if (!address_file.empty()) {
    augsweep::Status written = augsweep::WriteOwnerOnlyFile(address_file, address + "\n");
    if (!written.ok()) {
      std::fprintf(stderr, "augsweep-coordinator: cannot write the address file: %s\n",
                   written.message().c_str());
      return 1;
    }
  }
  std::fprintf(stderr, "augsweep-coordinator: listening on %s (%s), data in %s\n", address.c_str(),
               options.credentials.cert_pem.empty()        ? "plaintext"
               : options.credentials.client_ca_pem.empty() ? "TLS, tokens"
                                                           : "mutual TLS, tokens",
               options.data_dir.c_str());
  if (!(*server)->metrics_address().empty()) {
    std::fprintf(stderr, "augsweep-coordinator: metrics on http://%s/metrics%s\n",
                 (*server)->metrics_address().c_str(),
                 options.credentials.client_token.empty() ? "" : " (bearer: the client token)");
  }
  const int signal_number = augsweep::WaitForTerminationSignal();
  std::fprintf(stderr, "augsweep-coordinator: signal %d, shutting down\n", signal_number);
  (*server)->Shutdown();
  return 0;
}
