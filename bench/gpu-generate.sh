#!/usr/bin/env bash
# The prepared script for the lent GPU machine: decode tokens/s of worker/runtime's LLaMA on a
# 7B-shaped random-weight model in bf16 on CUDA (weights made on the device: no download),
# against transformers' LlamaForCausalLM.generate on the same card in the same run and the card's
# memory-bandwidth roofline, at batch 1 and at the batch the generate executor's memory budget
# picks (worker/executors/batch_budget.h), plus greedy-id agreement between the two at batch 1
# (the peer loads the same weights: GEN_LOAD_WEIGHTS=1). Run from the repo root:
#
#   bash bench/gpu-generate.sh
#
# It builds generate_bench in AUGSWEEP_RUNTIME_ONLY mode against the PyTorch that `python3`
# imports (no gRPC, RocksDB, protobuf or YAML there), then runs it with
# bench/gpu_generate_peer.py as the peer (bench/generate_peer.py, the plain PyTorch loop, when
# transformers is missing). Budget: under 8 minutes (build ~2, model ~1, runs ~2). Logs go to
# $OUT when set (the device tool brings them back), else to $BUILD/logs.
#
# Knobs (environment), so the same script can be tried on a CPU machine first:
#   GEN_DEVICE=cuda  GEN_DTYPE=bfloat16  GEN_SHAPE=7b|small|tiny  GEN_BATCHES=1,budget
#   GEN_LOAD_WEIGHTS=1 (0: the peer keeps random weights, no agreement check)
#   GEN_REPEATS=2  GEN_NEW_TOKENS=64  GEN_BUILD_DIR=build-gpu  GEN_JOBS=16  PYTHON=python3
#   GEN_PEER=bench/gpu_generate_peer.py  GEN_FORCE_DIRECT=1 (skip CMake, use the g++ fallback)
#   NLOHMANN_JSON_INCLUDE_DIR=DIR (DIR/nlohmann/json.hpp; else searched, see find_json below)
#   e.g. GEN_DEVICE=cpu GEN_DTYPE=float32 GEN_SHAPE=tiny PYTHON=/usr/bin/python3 bash bench/gpu-generate.sh
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
START=$(date +%s)
say() { echo "[gpu-generate +$(($(date +%s) - START))s] $*"; }
elapsed() { echo $(($(date +%s) - START)); }

DEVICE=${GEN_DEVICE:-cuda}
DTYPE=${GEN_DTYPE:-bfloat16}
SHAPE=${GEN_SHAPE:-7b}
BATCHES=${GEN_BATCHES:-1,budget}
export GEN_LOAD_WEIGHTS=${GEN_LOAD_WEIGHTS:-1}
REPEATS=${GEN_REPEATS:-2}
NEW_TOKENS=${GEN_NEW_TOKENS:-64}
BUILD=${GEN_BUILD_DIR:-build-gpu}
JOBS=${GEN_JOBS:-16}
PYTHON=${PYTHON:-python3}
PEER=${GEN_PEER:-bench/gpu_generate_peer.py}
BUDGET_S=${GEN_BUDGET_S:-470}  # the whole script, so a 10-minute device call keeps a margin
LOGS=${OUT:-$BUILD/logs}
mkdir -p "$BUILD" "$LOGS"

case "$SHAPE" in
  7b) SHAPE_FLAGS="--vocab 32000 --hidden 4096 --layers 32 --heads 32 --intermediate 11008"; PARAMS_B=7 ;;
  small) SHAPE_FLAGS="--vocab 32000 --hidden 768 --layers 12 --heads 12 --intermediate 2048"; PARAMS_B=1 ;;
  tiny) SHAPE_FLAGS="--vocab 512 --hidden 64 --layers 2 --heads 8 --kv-heads 4 --intermediate 172"; PARAMS_B=1 ;;
  *) echo "GEN_SHAPE: expected 7b, small or tiny, got '$SHAPE'" >&2; exit 2 ;;
esac

# shellcheck source=bench/gpu_build.sh
. bench/gpu_build.sh
gpu_machine_report || exit 1
require_json || exit 1
build_programs "${GEN_FORCE_DIRECT:-0}" generate_bench || exit 1
BIN=$(program_path generate_bench)

# --- The model folder: /dev/shm when it has room (no disk writes for 13 GB), else /tmp ---------
bytes_per_param=2
[ "$DTYPE" = float32 ] && bytes_per_param=4
need_kb=$((PARAMS_B * bytes_per_param * 1100 * 1024 * 1024 / 1000))  # params x bytes + 10%
WORK=/tmp
if [ -d /dev/shm ] && [ "$(df -Pk /dev/shm | awk 'NR==2{print $4}')" -gt "$need_kb" ]; then WORK=/dev/shm; fi
WORK=$(mktemp -d "$WORK/augsweep-gpu-generate-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
say "model folder under $WORK"

# --- Peer: transformers when it is there, else the plain PyTorch loop ----------------------------
if [ "$PEER" = bench/gpu_generate_peer.py ] && ! "$PYTHON" -c 'import transformers' 2>/dev/null; then
  say "transformers missing: the peer is bench/generate_peer.py (plain PyTorch loop) instead"
  PEER=bench/generate_peer.py
fi

# --- The same copy bandwidth measured from Python, as a cross-check of the C++ figure ----------
"$PYTHON" - "$DEVICE" <<'EOF' 2>&1 | tee "$LOGS/bandwidth-python.log"
import sys, time, torch
dev = torch.device(sys.argv[1])
n = (1 << 30 if dev.type == "cuda" else 256 << 20) // 4
a, b = torch.ones(n, device=dev), torch.empty(n, device=dev)
sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
b.copy_(a); sync()
best = 0
for _ in range(5):
    t = time.perf_counter()
    for i in range(10):
        b.copy_(a)
    sync()
    best = max(best, 2 * 4 * n * 10 / (time.perf_counter() - t))
print(f"python torch {torch.__version__}: {dev} copy bandwidth {best / 1e9:.1f} GB/s (read + write)")
EOF

# --- Run -------------------------------------------------------------------------------------------
left=$((BUDGET_S - $(elapsed)))
if [ "$left" -lt 60 ]; then say "FAILED: only ${left}s of the budget left for the runs"; exit 1; fi
say "generate_bench on $DEVICE, $DTYPE, shape $SHAPE, batches $BATCHES (time limit ${left}s)"
# shellcheck disable=SC2086
timeout "$left" "$BIN" --device "$DEVICE" --dtype "$DTYPE" $SHAPE_FLAGS --batches "$BATCHES" \
  --prompt-len 16 --new-tokens "$NEW_TOKENS" --repeats "$REPEATS" --work-dir "$WORK" \
  --peer "$PEER" --python "$(command -v "$PYTHON")" 2>&1 | tee "$LOGS/generate_bench.log"
rc=${PIPESTATUS[0]}
say "done (exit $rc); logs in $LOGS"
exit "$rc"
