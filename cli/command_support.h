// What the subcommands share: the coordinator address default, where read commands read, one-line
// errors with the right exit code, and the text form of a sweep's status.
#pragma once

#include <memory>
#include <string>

#include "augsweep/v1/sweep_service.pb.h"
#include "cli/sweep_client.h"
#include "cli/sweep_reader.h"
#include "cli/sweep_state.h"
#include "common/cli_flags.h"
#include "common/status.h"

namespace augsweep::cli {

// Where the coordinator is and how to reach it: the flags every command that talks to one takes.
struct CoordinatorConnection {
  std::string address;          // --coordinator, $AUGSWEEP_COORDINATOR, or 127.0.0.1:7070
  std::string credentials;      // --credentials, $AUGSWEEP_CREDENTIALS: a client credentials folder
  std::string tls_server_name;  // --tls-server-name: the name its certificate must carry
  bool insecure = false;        // --insecure: allow plaintext off loopback
};

// Registers --coordinator, --credentials, --tls-server-name and --insecure, with the defaults
// from the environment.
void AddCoordinatorFlags(FlagSet& flags, CoordinatorConnection* connection);

// A client of that coordinator; when the credentials cannot be read or the connection would not
// be secure, every call of the client returns why.
SweepClient ConnectToCoordinator(const CoordinatorConnection& connection);

// Where a read command (status, results, texts, events, report) reads: a coordinator, or with
// --data-dir a data directory straight from disk.
struct ReadSource {
  CoordinatorConnection coordinator;
  std::string data_dir;  // --data-dir: set, the coordinator flags are not used
};

// The coordinator flags and --data-dir.
void AddReadSourceFlags(FlagSet& flags, ReadSource* source);

// A reader of that source; the data directory's errors (no store there) come back here, the
// coordinator's with its first call. `polling`: a data directory is read afresh on every call
// (a coordinator may still be writing it).
StatusOr<std::unique_ptr<SweepReader>> OpenReader(const ReadSource& source, bool polling = false);

// Prints "augsweep COMMAND: message" on stderr; returns the exit code for the status.
int ReportError(const std::string& command, const Status& status);

// The multi-line status report of `augsweep status SWEEP`.
std::string FormatSweepStatus(const v1::SweepStatus& status);

}  // namespace augsweep::cli
