// The golden-check command line, shared by `augsweep golden-check` (cli/) and the runtime-only
// program `augsweep-golden-check` (worker/runtime/golden_check_main.cc), which builds where only
// libtorch is installed (a GPU machine with PyTorch and nothing else). No torch in this header.
#pragma once

#include <string>
#include <vector>

namespace augsweep {

// Parses `args` (the flags after the program or subcommand name), runs RunGoldenCheck and prints
// one line per check. `program` names the command in help and error messages ("augsweep
// golden-check"). Returns the exit code: 0 every check passed, 1 a check failed, 2 bad input.
int GoldenCheckMain(const std::vector<std::string>& args, const std::string& program);

}  // namespace augsweep
