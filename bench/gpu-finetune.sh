#!/usr/bin/env bash
# The prepared script for the lent GPU machine: training samples/s of worker/runtime's encoder
# classifier on a roberta-base-shaped random-weight model (12 layers, hidden 768, vocab 50265,
# seq 128, batch 32) with bf16 autocast on CUDA, against a transformers training loop
# (RobertaForSequenceClassification on the same weights, torch.autocast bf16, torch.optim.AdamW)
# on the same shape, examples and batch, and the card's bf16 matmul FLOP/s. Run from the repo root:
#
#   bash bench/gpu-finetune.sh
#   bash bench/gpu-finetune.sh --cpu-smoke   # on a CPU machine: tiny shapes, float32, the same path
#
# It builds finetune_bench in AUGSWEEP_RUNTIME_ONLY mode against the PyTorch that `python3`
# imports (no gRPC, RocksDB, protobuf or YAML there; bench/gpu_build.sh, shared with
# gpu-generate.sh), then runs it with bench/gpu_finetune_peer.py as the peer. Without
# transformers that peer says so and exits 1; this script then falls back to
# bench/finetune_peer.py (the same architecture in plain PyTorch) and says loudly that the ratio
# is not against transformers. Budget: under 8 minutes (build ~2-3, model + peer start ~0.5,
# runs ~1). Logs go to $OUT when set (the device tool brings them back), else to $BUILD/logs.
#
# Knobs (environment):
#   FT_DEVICE=cuda  FT_AUTOCAST=bfloat16  FT_SHAPE=roberta-base|tiny  FT_MODELS=roberta
#   FT_BATCH=32  FT_SEQ=128  FT_STEPS=20  FT_WARMUP=5  FT_REPEATS=3  FT_BUILD_DIR=build-gpu
#   FT_JOBS=16  PYTHON=python3  FT_PEER=bench/gpu_finetune_peer.py  FT_BUDGET_S=470
#   FT_FORCE_DIRECT=1 (skip CMake, use the g++ fallback)
#   NLOHMANN_JSON_INCLUDE_DIR=DIR (DIR/nlohmann/json.hpp; else searched, see bench/gpu_build.sh)
# --cpu-smoke sets FT_DEVICE=cpu FT_AUTOCAST=float32 FT_SHAPE=tiny FT_BATCH=4 FT_SEQ=32 FT_STEPS=2
# FT_WARMUP=1 FT_REPEATS=1 FT_JOBS=1 FT_BUILD_DIR=build-gpu-smoke PYTHON=/usr/bin/python3
# BUILD_TIMEOUT_S=3600 FT_BUDGET_S=3600 (a -j1 build on 2 shared cores; each only where not set)
# and FT_MODELS=roberta,bert,xlnet, and also runs the transformers peer on its own to show how it
# fails when transformers is missing.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
START=$(date +%s)
say() { echo "[gpu-finetune +$(($(date +%s) - START))s] $*"; }
elapsed() { echo $(($(date +%s) - START)); }

SMOKE=0
case "${1:-}" in
  --cpu-smoke) SMOKE=1 ;;
  "") ;;
  *) echo "usage: bash bench/gpu-finetune.sh [--cpu-smoke]" >&2; exit 2 ;;
esac
if [ "$SMOKE" = 1 ]; then
  : "${FT_DEVICE:=cpu}" "${FT_AUTOCAST:=float32}" "${FT_SHAPE:=tiny}" "${FT_BATCH:=4}"
  : "${FT_SEQ:=32}" "${FT_STEPS:=2}" "${FT_WARMUP:=1}" "${FT_REPEATS:=1}" "${FT_JOBS:=1}"
  : "${FT_BUILD_DIR:=build-gpu-smoke}" "${PYTHON:=/usr/bin/python3}" "${FT_BUDGET_S:=3600}"
  : "${FT_MODELS:=roberta,bert,xlnet}" "${BUILD_TIMEOUT_S:=3600}"
fi
DEVICE=${FT_DEVICE:-cuda}
AUTOCAST=${FT_AUTOCAST:-bfloat16}
SHAPE=${FT_SHAPE:-roberta-base}
MODELS=${FT_MODELS:-roberta}
BATCH=${FT_BATCH:-32}
SEQ=${FT_SEQ:-128}
STEPS=${FT_STEPS:-20}
WARMUP=${FT_WARMUP:-5}
REPEATS=${FT_REPEATS:-3}
BUILD=${FT_BUILD_DIR:-build-gpu}
JOBS=${FT_JOBS:-16}
PYTHON=${PYTHON:-python3}
PEER=${FT_PEER:-bench/gpu_finetune_peer.py}
BUDGET_S=${FT_BUDGET_S:-470}  # the whole script, so a 10-minute device call keeps a margin
LOGS=${OUT:-$BUILD/logs}
mkdir -p "$BUILD" "$LOGS"

case "$SHAPE" in
  # roberta-base: vocab 0 = each family's own (roberta 50265, bert 30522, xlnet 32000).
  roberta-base) SHAPE_FLAGS="--vocab 0 --hidden 768 --layers 12 --heads 12 --intermediate 3072" ;;
  tiny) SHAPE_FLAGS="--vocab 2000 --hidden 64 --layers 2 --heads 4 --intermediate 128" ;;
  *) echo "FT_SHAPE: expected roberta-base or tiny, got '$SHAPE'" >&2; exit 2 ;;
esac

# shellcheck source=bench/gpu_build.sh
. bench/gpu_build.sh
gpu_machine_report || exit 1
require_json || exit 1
build_programs "${FT_FORCE_DIRECT:-0}" finetune_bench || exit 1
BIN=$(program_path finetune_bench)

# --- The model folders: /dev/shm when it has room (roberta-base is 0.5 GB of float32), else /tmp -
WORK=/tmp
if [ -d /dev/shm ] && [ "$(df -Pk /dev/shm | awk 'NR==2{print $4}')" -gt 2000000 ]; then
  WORK=/dev/shm
fi
WORK=$(mktemp -d "$WORK/augsweep-gpu-finetune-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
say "model folders under $WORK"

# --- Peer: transformers when it is there, else the plain PyTorch loop ----------------------------
if [ "$PEER" = bench/gpu_finetune_peer.py ] &&
  ! "$PYTHON" -c 'import transformers' 2>/dev/null; then
  if [ "$SMOKE" = 1 ]; then
    say "smoke: the transformers peer on its own, which must fail clearly without transformers:"
    mkdir -p "$WORK/empty"
    "$PYTHON" bench/gpu_finetune_peer.py --model-dir "$WORK/empty" --device "$DEVICE" 2>&1 |
      sed 's/^/  | /'
    say "smoke: it exited with status ${PIPESTATUS[0]}"
  fi
  say "NOTE: $PYTHON has no transformers: the peer is bench/finetune_peer.py (the same architecture"
  say "  in plain PyTorch) instead -- the ratio below is NOT against transformers"
  PEER=bench/finetune_peer.py
fi

# --- Run ----------------------------------------------------------------------------------------
left=$((BUDGET_S - $(elapsed)))
if [ "$left" -lt 60 ]; then say "FAILED: only ${left}s of the budget left for the runs"; exit 1; fi
say "finetune_bench on $DEVICE, autocast $AUTOCAST, $MODELS shape $SHAPE, batch $BATCH x seq $SEQ"
say "  (time limit ${left}s)"
# shellcheck disable=SC2086
timeout "$left" "$BIN" --models "$MODELS" $SHAPE_FLAGS --seq-len "$SEQ" --batch "$BATCH" \
  --steps "$STEPS" --warmup-steps "$WARMUP" --repeats "$REPEATS" --device "$DEVICE" \
  --autocast "$AUTOCAST" --work-dir "$WORK" --peer "$PEER" --python "$(command -v "$PYTHON")" \
  2>&1 | tee "$LOGS/finetune_bench.log"
rc=${PIPESTATUS[0]}
say "done (exit $rc); logs in $LOGS"
exit "$rc"
