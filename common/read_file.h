// Reads a whole file into memory, with errors that name the path: the one place specs, datasets,
// model configs and tokenizer files are read from disk.
#pragma once

#include <string>

#include "common/status.h"

namespace augsweep {

// NotFound when `path` does not exist, InvalidArgument when it is a folder, Unavailable when it
// cannot be read. Only for files that fit in memory comfortably (specs, datasets, configs,
// tokenizers); weights are mapped, not read.
StatusOr<std::string> ReadWholeFile(const std::string& path);

}  // namespace augsweep
