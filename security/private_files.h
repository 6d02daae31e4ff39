// Owner-only files and folders: what keeps survey texts, results and credentials away from the
// other users of a shared machine or filesystem.
#pragma once

#include <string>

#include "common/status.h"

namespace augsweep {

// Sets the process umask to 077, so every file and folder the process creates from then on
// (RocksDB's files, address files, anything a library writes) is owner-only whatever umask it
// was started with. The programs that hold data call it first thing.
void MakeNewFilesOwnerOnly();

// Creates `dir` (and its missing parents) owner-only (0700), or checks that an existing one is:
// a folder that group or others may read, write or enter is refused with FailedPrecondition
// saying how to fix it (chmod -R go-rwx DIR). `what` names it in errors ("the data directory").
Status EnsureOwnerOnlyDirectory(const std::string& dir, const std::string& what);

// Reads a secret (a token, a private key) from `path`: NotFound when absent, FailedPrecondition
// when group or others may read or write it (with the chmod that fixes it). `what` names it.
StatusOr<std::string> ReadOwnerOnlyFile(const std::string& path, const std::string& what);

// Writes `contents` as an owner-only (0600) file at `path`, replacing it atomically (a temporary
// file beside it, flushed, renamed into place).
Status WriteOwnerOnlyFile(const std::string& path, const std::string& contents);

}  // namespace augsweep
