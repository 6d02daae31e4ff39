#!/usr/bin/env bash
# CI's fuzzing run: every libFuzzer target of tests/fuzz (the spec, dataset, safetensors,
# tokenizer-file and chat-template parsers, and the coordinator's SubmitSweep validation), built
# with clang under AddressSanitizer + UndefinedBehaviorSanitizer in the sanitizer build
# (build-sanitize/, configured as scripts/sanitize-check.sh configures it), each for a bounded
# time from its seeds (fuzz_seeds) and its stored regression inputs.
#   scripts/fuzz-check.sh [SECONDS_PER_TARGET [TARGET...]]   (default 15 s, every target)
# FUZZ_SEED (default 1) seeds libFuzzer's mutations, so that CI's runs repeat; FUZZ_SEED=0
# takes a random seed. A crash, a hang (-timeout) or running out of memory (-rss_limit_mb) fails
# the run and names the input it left in build-sanitize/fuzz-findings/TARGET/. Fix the bug, then
# copy that input to tests/fuzz/regressions/TARGET/: every build's test suite replays it from
# then on.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${1:-15}
case "$seconds" in ''|*[!0-9]*) echo "usage: scripts/fuzz-check.sh [SECONDS_PER_TARGET [TARGET...]]" >&2; exit 2 ;; esac
shift $(( $# > 0 ? 1 : 0 ))
build="build-sanitize"
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0"

CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS=-O1 \
  -DAUGSWEEP_SANITIZE=address,undefined -DAUGSWEEP_FUZZ=ON >/dev/null
IFS=';' read -r -a targets <"$build/tests/fuzz/targets.txt"
if [ $# -gt 0 ]; then targets=("$@"); fi
cmake --build "$build" -j "$(nproc)" --target fuzz_seeds "${targets[@]}"
seeds="$build/tests/fuzz/seeds"
"$build/tests/fuzz/fuzz_seeds" "$root" "$seeds" >/dev/null

failed=()
for target in "${targets[@]}"; do
  corpus="$build/fuzz-corpus/$target"  # grows across runs on the same machine
  findings="$build/fuzz-findings/$target"
  mkdir -p "$corpus" "$findings"
  log="$build/fuzz-findings/$target.log"
  # -max_len bounds what the mutator writes, not the seeds; -timeout makes a hang a finding.
  if "$build/tests/fuzz/$target" -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -max_len=16384 -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$findings/" \
      "$corpus" "$seeds/$target" "$root/tests/fuzz/regressions/$target" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    cover=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo '?')
    echo "fuzz-check: $target: $runs inputs in ${seconds} s, coverage $cover, no finding"
  else
    echo "fuzz-check: $target FAILED; its log, $log, ends:" >&2
    tail -40 "$log" >&2
    ls -1 "$findings" >&2
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz-check: findings in ${failed[*]} (inputs under $build/fuzz-findings/)" >&2
  exit 1
fi
echo "fuzz-check: ${#targets[@]} targets, ${seconds} s each, no finding"
