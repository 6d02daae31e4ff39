// augsweep-golden-check: `augsweep golden-check` as a program of its own, built with the runtime
// alone (-DAUGSWEEP_RUNTIME_ONLY=ON), so that a checkpoint can be verified on a machine that has
// libtorch but not gRPC or RocksDB -- a GPU node with PyTorch, as bench/gpu-check.sh does.
#include <string>
#include <vector>

#include "worker/runtime/golden_check_command.h"

int main(int argc, char** argv) {
  return augsweep::GoldenCheckMain(std::vector<std::string>(argv + 1, argv + argc),
                                   "augsweep-golden-check");
}
