// augsweep-coordinator: serves sweeps to workers and users over gRPC, keeping state in RocksDB.
// Restarted on the same --data-dir it resumes every sweep. SIGTERM/SIGINT stop it gracefully.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "common/cli_main.h"
#include "common/signal_waiter.h"
#include "coordinator/server/coordinator_server.h"

int main(int argc, char** argv) {
  augsweep::BlockTerminationSignals();
  augsweep::CoordinatorOptions options;
  options.listen = "0.0.0.0:7070";
  options.data_dir = "augsweep-data";
  std::string address_file;
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
  options.scheduler.lease_ms = lease_s * 1000;
  options.scheduler.heartbeat_interval_ms = static_cast<int32_t>(heartbeat_s * 1000);
  options.scheduler.max_attempts = static_cast<int32_t>(max_attempts);

  auto server = augsweep::CoordinatorServer::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "augsweep-coordinator: %s\n", server.status().message().c_str());
    return server.status().code() == augsweep::StatusCode::kInvalidArgument ? 2 : 1;
  }
  std::string address = (*server)->address();
  if (address.rfind("0.0.0.0:", 0) == 0) {
    char host[256] = {0};
    gethostname(host, sizeof(host) - 1);
    address = std::string(host) + address.substr(7);
  }
  if (!address_file.empty()) {
    const std::string tmp = address_file + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "w");
    if (f == nullptr || std::fprintf(f, "%s\n", address.c_str()) < 0 || std::fclose(f) != 0 ||
        std::rename(tmp.c_str(), address_file.c_str()) != 0) {
      std::fprintf(stderr, "augsweep-coordinator: cannot write the address file %s\n",
                   address_file.c_str());
      return 1;
    }
  }
  std::fprintf(stderr, "augsweep-coordinator: listening on %s, data in %s\n", address.c_str(),
               options.data_dir.c_str());
  const int signal_number = augsweep::WaitForTerminationSignal();
  std::fprintf(stderr, "augsweep-coordinator: signal %d, shutting down\n", signal_number);
  (*server)->Shutdown();
  return 0;
}
