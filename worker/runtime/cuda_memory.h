// How much memory a CUDA device has free right now: what a worker on --device cuda advertises,
// so that a job's resources.*.min_memory_mb is matched against the GPU, not the host. No torch.
#pragma once

#include <cstdint>

#include "common/status.h"

namespace augsweep {

// Free memory of CUDA device `index` (numbered as this process sees them, after
// CUDA_VISIBLE_DEVICES) in MiB, from the CUDA driver's cuMemGetInfo on the device's primary
// context (the one libtorch uses; retained at the first call and kept, so later calls are cheap).
// The driver (libcuda.so.1) is loaded at run time, so CPU builds and machines need no CUDA.
// Unavailable, saying why, when there is no driver or device.
StatusOr<int64_t> CudaFreeMemoryMb(int index);

}  // namespace augsweep
