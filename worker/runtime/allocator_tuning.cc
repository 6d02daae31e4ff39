#include "worker/runtime/allocator_tuning.h"

#include <limits>  // also defines __GLIBC__ on glibc systems, for the test below

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace augsweep {

void KeepFreedMemoryForReuse() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_MAX, 0);  // big blocks come from the heap, which free() keeps
  mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());  // never trim the heap top
#endif
}

}  // namespace augsweep
