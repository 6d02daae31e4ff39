#!/usr/bin/env bash
# CI's clang run: the project's code without libtorch (AUGSWEEP_SANITIZE implies
# AUGSWEEP_WITH_TORCH=OFF) built with Debian's clang, which also checks the locking annotations
# (-Wthread-safety -Werror=thread-safety, common/thread_annotations.h; the two model executors,
# which the build leaves out with libtorch, are checked by a syntax-only clang pass), then
#   1. every unit and integration test of that build under AddressSanitizer + UndefinedBehavior-
#      Sanitizer (build-sanitize/), and
#   2. the tests that exercise threads most — the scheduler's, group commit's and the worker
#      loop's — under ThreadSanitizer (build-tsan/).
# A finding fails the test that made it. Installs clang when missing and this runs as root.
#   scripts/sanitize-check.sh [asan|tsan]   (both when no argument)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
if ! command -v clang++ >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "sanitize-check: clang is not installed (apt-get install clang)" >&2; exit 1; }
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang >/dev/null
fi
jobs=$(nproc)
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:allocator_may_return_null=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0"
# ignore_noninstrumented_modules: races seen by interceptors (memcpy, epoll) called from the
# uninstrumented system libraries are theirs to synchronise, in code TSan cannot see.
export TSAN_OPTIONS="suppressions=$root/tests/sanitizers/tsan.supp:halt_on_error=1:second_deadlock_stack=1:ignore_noninstrumented_modules=1"

# configure DIR SANITIZERS [CMAKE_ARGS...]
configure() {
  local dir=$1 sanitizers=$2
  shift 2
  CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS=-O1 \
    -DAUGSWEEP_SANITIZE="$sanitizers" "$@" >/dev/null
}

run_asan() {
  # AUGSWEEP_FUZZ adds libFuzzer's coverage hooks and the fuzz binaries: scripts/fuzz-check.sh
  # then reuses this build as it is.
  configure build-sanitize address,undefined -DAUGSWEEP_FUZZ=ON
  cmake --build build-sanitize -j "$jobs"
  # The model executors link libtorch, so that build leaves them out; their own code includes
  # only torch-free headers, and its locking is checked here.
  clang++ -std=c++20 -fsyntax-only -Wall -Wextra -Wshadow -Werror -Wthread-safety \
    -Werror=thread-safety -I. -isystem build-sanitize/proto \
    worker/executors/llama_generator.cc worker/executors/encoder_classifier_executor.cc
  ctest --test-dir build-sanitize --output-on-failure -j "$jobs" -L 'unit|integration'
}

run_tsan() {
  configure build-tsan thread
  cmake --build build-tsan -j "$jobs" --target job_scheduler_test worker_loop_test group_commit_test
  build-tsan/tests/unit/job_scheduler_test
  build-tsan/tests/unit/worker_loop_test
  build-tsan/tests/unit/group_commit_test
}

case "${1:-all}" in
  asan) run_asan ;;
  tsan) run_tsan ;;
  all) run_asan; run_tsan ;;
  *) echo "usage: scripts/sanitize-check.sh [asan|tsan]" >&2; exit 2 ;;
esac
echo "sanitize-check: ${1:-asan and tsan} passed"
