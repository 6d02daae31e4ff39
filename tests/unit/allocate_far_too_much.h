// An allocation no machine can satisfy, for tests of what happens when a job runs out of memory:
// operator new throws std::bad_alloc. The sanitizers' allocators (ASan, TSan) report such a
// request instead of throwing (their runtimes have no way to throw), so under a sanitizer the
// test throws the std::bad_alloc the allocation would have thrown.
#pragma once

#include <cstddef>
#include <new>

namespace augsweep::test_support {

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define AUGSWEEP_TEST_UNDER_SANITIZER 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define AUGSWEEP_TEST_UNDER_SANITIZER 1
#endif

// Where the block would go: a volatile the compiler must write, so that it cannot drop the
// allocation as unused (gcc and clang remove new/delete pairs whose memory nobody reads).
inline void* volatile far_too_much_sink = nullptr;

inline void AllocateFarTooMuch() {
#ifdef AUGSWEEP_TEST_UNDER_SANITIZER
  throw std::bad_alloc();
#else
  volatile size_t huge = size_t{1} << 60;
  far_too_much_sink = ::operator new[](huge);  // throws std::bad_alloc
  ::operator delete[](far_too_much_sink);
#endif
}

}  // namespace augsweep::test_support
