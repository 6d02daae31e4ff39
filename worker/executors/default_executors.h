// Every executor this build has, ready for a worker. Without libtorch (AUGSWEEP_WITH_TORCH=OFF:
// the coordinator-only and sanitizer builds) that is the kinds of common/spec/executor_kinds.h
// that do not need it (eda, tfidf-logreg); with it, every kind of the table.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "worker/executors/executor_registry.h"

namespace augsweep {

// For a worker on `device` ("cpu" or "cuda"). eda needs Debian's wordnet-base. `threads`: CPU
// threads of the model executors (0: every core; workers sharing a process share the cores).
StatusOr<std::unique_ptr<ExecutorRegistry>> DefaultExecutors(const std::string& device,
                                                             int threads = 0);

// Whether this build has the executors of kinds that need libtorch.
bool BuiltWithTorch();

}  // namespace augsweep
