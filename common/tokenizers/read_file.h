// Reads a whole tokenizer file into memory, with errors that name the path.
#pragma once

#include <string>

#include "common/status.h"

namespace augsweep::tokenizer_files {

// NotFound when `path` does not exist, InvalidArgument when it is a folder, Unavailable when it
// cannot be read. Tokenizer files are at most a few tens of MB, so reading them whole is fine.
StatusOr<std::string> ReadWholeFile(const std::string& path);

}  // namespace augsweep::tokenizer_files
