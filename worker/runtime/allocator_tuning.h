// Process-wide allocator settings for a process that trains models (the worker, `augsweep run`).
#pragma once

namespace augsweep {

// Makes glibc keep freed memory for reuse instead of returning big blocks to the kernel: a
// training step frees and reallocates tensors the size of the embedding table (its gradient,
// optimiser temporaries), and by default each such block above the mmap threshold is unmapped on
// free and page-faulted in again on the next allocation. On the VMs measured that cost 0.3-0.6 s
// per 94 MB tensor, more than the step's arithmetic (bench/README.md). The price: the process
// keeps its peak memory until it exits, which a dedicated worker can afford. A no-op outside glibc.
void KeepFreedMemoryForReuse();

}  // namespace augsweep
