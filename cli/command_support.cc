#include "cli/command_support.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "cli/data_dir_reader.h"
#include "common/cli_main.h"
#include "rpc/rpc_options.h"
#include "security/credentials.h"

namespace augsweep::cli {

namespace {

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* env = std::getenv(name);
  return env != nullptr && *env != '\0' ? env : fallback;
}

}  // namespace

void AddCoordinatorFlags(FlagSet& flags, CoordinatorConnection* connection) {
  connection->address = EnvOr("AUGSWEEP_COORDINATOR", "127.0.0.1:7070");
  connection->credentials = EnvOr("AUGSWEEP_CREDENTIALS", "");
  flags.String("coordinator", &connection->address,
               "coordinator address (default: $AUGSWEEP_COORDINATOR or 127.0.0.1:7070)");
  flags.String("credentials", &connection->credentials,
               "client credentials folder: token, ca.pem[, cert.pem, key.pem] (default: "
               "$AUGSWEEP_CREDENTIALS)");
  flags.String("tls-server-name", &connection->tls_server_name,
               "name the coordinator's certificate must carry (default: the credentials' "
               "server-name, else the host dialed)");
  flags.Bool("insecure", &connection->insecure,
             "allow plaintext to a coordinator off loopback (a network you trust entirely)");
}

SweepClient ConnectToCoordinator(const CoordinatorConnection& connection) {
  DialCredentials dial;
  if (!connection.credentials.empty()) {
    StatusOr<DialCredentials> loaded = LoadDialCredentials(connection.credentials, Role::kClient);
    if (!loaded.ok()) return SweepClient(connection.address, loaded.status());
    dial = *std::move(loaded);
  }
  if (!connection.tls_server_name.empty()) dial.tls_server_name = connection.tls_server_name;
  dial.insecure = connection.insecure;
  return SweepClient(connection.address, MakeCoordinatorChannel(connection.address, dial));
}

void AddReadSourceFlags(FlagSet& flags, ReadSource* source) {
  AddCoordinatorFlags(flags, &source->coordinator);
  flags.String("data-dir", &source->data_dir,
               "read a coordinator's data directory straight from disk (read-only) instead of "
               "asking a coordinator");
}

StatusOr<std::unique_ptr<SweepReader>> OpenReader(const ReadSource& source, bool polling) {
  if (!source.data_dir.empty()) return OpenDataDirReader(source.data_dir, polling);
  return std::unique_ptr<SweepReader>(
      std::make_unique<SweepClient>(ConnectToCoordinator(source.coordinator)));
}

int ReportError(const std::string& command, const Status& status) {
  return ReportCommandError("augsweep " + command, status);
}

std::string FormatSweepStatus(const v1::SweepStatus& status) {
  std::ostringstream out;
  out << "sweep " << status.sweep_id() << " (" << status.name()
      << "): " << SweepStateName(status.state()) << "\n";
  char line[256];
  std::snprintf(line, sizeof(line), "  %-11s %8s %8s %8s %8s %8s %8s %9s\n", "stage", "waiting",
                "ready", "leased", "done", "failed", "blocked", "cancelled");
  out << line;
  for (const auto& s : status.stages()) {
    std::snprintf(line, sizeof(line), "  %-11s %8d %8d %8d %8d %8d %8d %9d\n", s.stage().c_str(),
                  s.waiting(), s.ready(), s.leased(), s.succeeded(), s.failed(), s.blocked(),
                  s.cancelled());
    out << line;
  }
  out << "  workers: " << status.active_workers() << "   eta: ";
  if (status.eta_seconds() < 0) {
    out << "unknown";
  } else {
    out << status.eta_seconds() / 60 << "m" << status.eta_seconds() % 60 << "s";
  }
  out << "\n";
  for (const auto& e : status.recent_errors()) out << "  error: " << e << "\n";
  return out.str();
}

}  // namespace augsweep::cli
