#!/usr/bin/env bash
# The prepared script for the lent GPU machine: decode tokens/s of worker/runtime's LLaMA on a
# 7B-shaped random-weight model in bf16 on CUDA, against transformers' LlamaForCausalLM.generate
# and the card's memory-bandwidth roofline, at batch 1, 8 and 32. Run from the repo root:
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
#   GEN_DEVICE=cuda  GEN_DTYPE=bfloat16  GEN_SHAPE=7b|small|tiny  GEN_BATCHES=1,8,32
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
BATCHES=${GEN_BATCHES:-1,8,32}
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

# --- What this machine has ------------------------------------------------------------------
say "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB RAM; $(uname -m)"
command -v nvidia-smi >/dev/null &&
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | sed 's/^/  gpu: /'
if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
  say "FAILED: $PYTHON cannot import torch (set PYTHON=the python that has PyTorch)"; exit 1
fi
"$PYTHON" - <<'EOF'
import torch, importlib.util as u
print(f"  torch {torch.__version__}, cuda available: {torch.cuda.is_available()}, "
      f"cxx11 abi: {torch._C._GLIBCXX_USE_CXX11_ABI}, transformers: "
      f"{'yes' if u.find_spec('transformers') else 'no'}")
EOF
say "tools: $(cmake --version 2>/dev/null | head -1), ninja $(ninja --version 2>/dev/null || echo missing), $(c++ --version 2>/dev/null | head -1)"
if [ "$DEVICE" != cpu ] && [ -x /usr/local/cuda/bin/nvcc ]; then
  export PATH=/usr/local/cuda/bin:$PATH CUDACXX=${CUDACXX:-/usr/local/cuda/bin/nvcc}
fi

# --- nlohmann/json.hpp: a package, the system, a carried copy, or anywhere under torch / Python -
find_json() {
  if [ -n "${NLOHMANN_JSON_INCLUDE_DIR:-}" ]; then echo "$NLOHMANN_JSON_INCLUDE_DIR"; return; fi
  for d in /usr/include /usr/local/include "$PWD/.gpu-deps/include"; do
    [ -f "$d/nlohmann/json.hpp" ] && { echo "$d"; return; }
  done
  local roots hit
  roots=$("$PYTHON" -c 'import os,sysconfig,torch;print(os.path.dirname(torch.__file__));print(sysconfig.get_paths()["purelib"])' 2>/dev/null)
  # shellcheck disable=SC2086
  hit=$(timeout 60 find $roots /opt /usr/local -path '*/nlohmann/json.hpp' 2>/dev/null | head -1)
  [ -n "$hit" ] && dirname "$(dirname "$hit")"
}
JSON_DIR=$(find_json)
if [ -z "$JSON_DIR" ]; then
  say "FAILED: no nlohmann/json.hpp on this machine (not in /usr/include, /usr/local/include,"
  say "  .gpu-deps/include, or under torch/site-packages/opt). It is one header library and nothing"
  say "  can be downloaded here: copy it into the repo before the device call, e.g."
  say "  mkdir -p .gpu-deps/include && cp -r /usr/include/nlohmann .gpu-deps/include/ &&"
  say "  echo /.gpu-deps/ >> .git/info/exclude, and name .gpu-deps in the run's carry."
  exit 1
fi
say "nlohmann/json.hpp: $JSON_DIR"

# --- Build: CMake (AUGSWEEP_RUNTIME_ONLY) first, a direct g++ build if that fails -------------
BIN="$BUILD/bench/generate_bench"
cmake_build() {
  local torch_prefix gen=()
  torch_prefix=$("$PYTHON" -c 'import torch;print(torch.utils.cmake_prefix_path)')
  command -v ninja >/dev/null && gen=(-G Ninja)
  say "cmake configure (CMAKE_PREFIX_PATH=$torch_prefix)"
  timeout 240 cmake -S . -B "$BUILD" "${gen[@]}" -DAUGSWEEP_RUNTIME_ONLY=ON \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$torch_prefix" \
    -DNLOHMANN_JSON_INCLUDE_DIR="$JSON_DIR" >"$LOGS/cmake-configure.log" 2>&1 ||
    { say "cmake configure failed:"; tail -40 "$LOGS/cmake-configure.log"; return 1; }
  say "cmake build generate_bench -j$JOBS"
  timeout 300 cmake --build "$BUILD" --target generate_bench -j "$JOBS" >"$LOGS/cmake-build.log" 2>&1 ||
    { say "cmake build failed:"; grep -E -m 20 "error|Error" "$LOGS/cmake-build.log"; tail -20 "$LOGS/cmake-build.log"; return 1; }
}
# The same sources compiled by hand with torch.utils.cpp_extension's paths: no CMake, no Torch
# config (whose CUDA toolkit lookups are the likeliest thing to fail on a pip-only machine).
direct_build() {
  local abi inc libdir libs obj f objs=()
  abi=$("$PYTHON" -c 'import torch;print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')
  inc=$("$PYTHON" -c 'import torch.utils.cpp_extension as c;print(" ".join("-isystem "+p for p in c.include_paths()))' 2>/dev/null)
  libdir=$("$PYTHON" -c 'import os,torch;print(os.path.join(os.path.dirname(torch.__file__),"lib"))')
  libs="-ltorch -ltorch_cpu -lc10"
  [ -f "$libdir/libtorch_cuda.so" ] && libs="$libs -ltorch_cuda -lc10_cuda"
  obj="$BUILD/direct"
  mkdir -p "$obj" "$BUILD/bench"
  local json_flag="-isystem $JSON_DIR"  # not for the compiler's own dirs: it breaks #include_next
  case "$JSON_DIR" in /usr/include | /usr/local/include) json_flag= ;; esac
  # -fopenmp: at::parallel_for's OpenMP backend is inline code (worker/runtime/cpu_linear.cc).
  export DIRECT_FLAGS="-std=c++20 -O2 -fPIC -fopenmp -I$PWD $json_flag $inc -D_GLIBCXX_USE_CXX11_ABI=$abi -DAUGSWEEP_SOURCE_DIR=\"$PWD\""
  say "direct build: c++ $DIRECT_FLAGS"
  # shellcheck disable=SC2016
  if ! printf '%s\n' common/*.cc common/safetensors/*.cc worker/runtime/*.cc bench/generate_bench.cc |
    timeout 300 xargs -P "$JOBS" -I{} sh -c 'o='"$obj"'/$(echo {} | tr / _).o; c++ $DIRECT_FLAGS -c {} -o $o || exit 255' \
      >"$LOGS/direct-build.log" 2>&1; then
    say "direct build failed:"; grep -E -m 20 "error" "$LOGS/direct-build.log"; return 1
  fi
  rm -f "$obj/libaugsweep.a"
  for f in "$obj"/*.o; do [[ $f == */bench_generate_bench.cc.o ]] || objs+=("$f"); done
  ar rcs "$obj/libaugsweep.a" "${objs[@]}"
  # --no-as-needed: nothing references libtorch_cuda by symbol, but its CUDA kernels register
  # when it loads. --allow-shlib-undefined: pip's torch libraries find their CUDA libraries
  # through $ORIGIN run paths at load time, which the linker may not follow.
  # shellcheck disable=SC2086
  c++ -o "$BIN" "$obj/bench_generate_bench.cc.o" "$obj/libaugsweep.a" -L"$libdir" \
    -Wl,-rpath,"$libdir" -Wl,--allow-shlib-undefined -Wl,--no-as-needed $libs -Wl,--as-needed \
    -fopenmp -lpthread >>"$LOGS/direct-build.log" 2>&1 ||
    { say "direct link failed:"; tail -20 "$LOGS/direct-build.log"; return 1; }
}
if [ "${GEN_FORCE_DIRECT:-0}" = 1 ] || ! cmake_build; then
  say "building with the direct g++ fallback"
  direct_build || { say "FAILED: no generate_bench"; exit 1; }
fi
say "built $BIN"

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
