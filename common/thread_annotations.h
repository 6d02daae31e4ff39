// Clang's thread-safety annotations (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html), as
// LevelDB's port/thread_annotations.h, with an AUGSWEEP_ prefix (Abseil, which gRPC includes,
// defines the unprefixed GUARDED_BY and friends). With clang and -Wthread-safety
// (scripts/sanitize-check.sh, in CI) a read or write of an AUGSWEEP_GUARDED_BY member without its
// mutex held, or a call of an AUGSWEEP_REQUIRES function without it, is a compile error; other
// compilers see nothing. Use them with common/mutex.h's Mutex: libstdc++'s std::mutex carries no
// annotations.
#pragma once

#if defined(__clang__)
#define AUGSWEEP_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define AUGSWEEP_THREAD_ANNOTATION(x)
#endif

#define AUGSWEEP_CAPABILITY(x) AUGSWEEP_THREAD_ANNOTATION(capability(x))
#define AUGSWEEP_SCOPED_CAPABILITY AUGSWEEP_THREAD_ANNOTATION(scoped_lockable)
#define AUGSWEEP_GUARDED_BY(x) AUGSWEEP_THREAD_ANNOTATION(guarded_by(x))
#define AUGSWEEP_PT_GUARDED_BY(x) AUGSWEEP_THREAD_ANNOTATION(pt_guarded_by(x))
#define AUGSWEEP_ACQUIRED_AFTER(...) AUGSWEEP_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
#define AUGSWEEP_ACQUIRED_BEFORE(...) AUGSWEEP_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define AUGSWEEP_REQUIRES(...) AUGSWEEP_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define AUGSWEEP_ACQUIRE(...) AUGSWEEP_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define AUGSWEEP_RELEASE(...) AUGSWEEP_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define AUGSWEEP_EXCLUDES(...) AUGSWEEP_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define AUGSWEEP_ASSERT_CAPABILITY(x) AUGSWEEP_THREAD_ANNOTATION(assert_capability(x))
#define AUGSWEEP_NO_THREAD_SAFETY_ANALYSIS AUGSWEEP_THREAD_ANNOTATION(no_thread_safety_analysis)
