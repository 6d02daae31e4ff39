# shellcheck shell=bash
# Sourced by bench/gpu-*.sh (not run on its own): what the prepared GPU scripts share -- the
# report of what the lent machine has, finding nlohmann/json.hpp, and building runtime programs
# (the benches, augsweep-golden-check) in AUGSWEEP_RUNTIME_ONLY mode against the PyTorch that
# $PYTHON imports (CMake first, a direct g++ build when CMake's Torch/CUDA lookup fails there).
#
# The caller sets PYTHON, BUILD (build folder), LOGS (log folder), JOBS and DEVICE, and defines
# say() (a timestamped echo). Optional: NLOHMANN_JSON_INCLUDE_DIR=DIR (DIR/nlohmann/json.hpp),
# BUILD_TIMEOUT_S (each build step's limit; default 300 s, for 16 cores), TORCH_CMAKE_PREFIX
# (where TorchConfig.cmake is, when $PYTHON's torch.utils.cmake_prefix_path has none: Debian's
# python3-torch, whose libtorch-dev installs it under /usr/lib/<arch>/cmake).

# --- What this machine has ------------------------------------------------------------------
# Returns 1 when $PYTHON cannot import torch.
gpu_machine_report() {
  say "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB RAM; $(uname -m)"
  command -v nvidia-smi >/dev/null &&
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | sed 's/^/  gpu: /'
  if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
    say "FAILED: $PYTHON cannot import torch (set PYTHON=the python that has PyTorch)"
    return 1
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
}

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

# Sets JSON_DIR; returns 1 (with what to do) when there is no json.hpp.
require_json() {
  JSON_DIR=$(find_json)
  if [ -z "$JSON_DIR" ]; then
    say "FAILED: no nlohmann/json.hpp on this machine (not in /usr/include, /usr/local/include,"
    say "  .gpu-deps/include, or under torch/site-packages/opt). It is one header library and nothing"
    say "  can be downloaded here: copy it into the repo before the device call"
    say "  (bash bench/gpu-check.sh --prepare: .gpu-deps/include, git-ignored) and name .gpu-deps"
    say "  in the run's carry."
    return 1
  fi
  say "nlohmann/json.hpp: $JSON_DIR"
}

# --- Build: CMake (AUGSWEEP_RUNTIME_ONLY) first, a direct g++ build if that fails -------------
# Where each program's main() is, and where CMake puts the program (direct_build does the same).
program_source() {
  case $1 in
    augsweep-golden-check) echo worker/runtime/golden_check_main.cc ;;
    *) echo "bench/$1.cc" ;;
  esac
}
program_path() {
  case $1 in
    augsweep-golden-check) echo "$BUILD/worker/runtime/$1" ;;
    *) echo "$BUILD/bench/$1" ;;
  esac
}

# cmake_build TARGET...: configures $BUILD once (a folder configured before is reused: a second
# script in the same call builds nothing again), then builds the targets.
cmake_build() {
  local torch_prefix gen=()
  if ! grep -q '^AUGSWEEP_RUNTIME_ONLY:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
    torch_prefix=${TORCH_CMAKE_PREFIX:-$("$PYTHON" -c 'import torch;print(torch.utils.cmake_prefix_path)')}
    command -v ninja >/dev/null && gen=(-G Ninja)
    say "cmake configure (CMAKE_PREFIX_PATH=$torch_prefix)"
    timeout 240 cmake -S . -B "$BUILD" "${gen[@]}" -DAUGSWEEP_RUNTIME_ONLY=ON \
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$torch_prefix" \
      -DNLOHMANN_JSON_INCLUDE_DIR="$JSON_DIR" >"$LOGS/cmake-configure.log" 2>&1 ||
      { say "cmake configure failed:"; tail -40 "$LOGS/cmake-configure.log"; return 1; }
  fi
  say "cmake build $* -j$JOBS"
  timeout "${BUILD_TIMEOUT_S:-300}" cmake --build "$BUILD" --target "$@" -j "$JOBS" >>"$LOGS/cmake-build.log" 2>&1 ||
    { say "cmake build failed:"; grep -E -m 20 "error|Error" "$LOGS/cmake-build.log"; tail -20 "$LOGS/cmake-build.log"; return 1; }
}

# direct_build TARGET...: the same sources compiled by hand with torch.utils.cpp_extension's
# paths: no CMake, no Torch config (whose CUDA toolkit lookups are the likeliest thing to fail on
# a pip-only machine). Compiles the library sources and each target's program_source once, then
# links each target.
direct_build() {
  local target main abi inc libdir libs obj f objs=() mains=()
  for target in "$@"; do mains+=("$(program_source "$target")"); done
  abi=$("$PYTHON" -c 'import torch;print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')
  inc=$("$PYTHON" -c 'import torch.utils.cpp_extension as c;print(" ".join("-isystem "+p for p in c.include_paths()))' 2>/dev/null)
  libdir=$("$PYTHON" -c 'import os,torch;print(os.path.join(os.path.dirname(torch.__file__),"lib"))')
  libs="-ltorch -ltorch_cpu -lc10"
  [ -f "$libdir/libtorch_cuda.so" ] && libs="$libs -ltorch_cuda -lc10_cuda"
  obj="$BUILD/direct"
  mkdir -p "$obj"
  local json_flag="-isystem $JSON_DIR"  # not for the compiler's own dirs: it breaks #include_next
  case "$JSON_DIR" in /usr/include | /usr/local/include) json_flag= ;; esac
  # -fopenmp: at::parallel_for's OpenMP backend is inline code (worker/runtime/cpu_linear.cc).
  export DIRECT_FLAGS="-std=c++20 -O2 -fPIC -fopenmp -I$PWD $json_flag $inc -D_GLIBCXX_USE_CXX11_ABI=$abi -DAUGSWEEP_SOURCE_DIR=\"$PWD\""
  say "direct build: c++ $DIRECT_FLAGS"
  # shellcheck disable=SC2016
  # bench/random_llama.cc and worker/executors/batch_budget.cc: generate_bench's helpers.
  if ! printf '%s\n' common/*.cc common/safetensors/*.cc worker/runtime/*.cc bench/random_llama.cc \
    worker/executors/batch_budget.cc "${mains[@]}" | sort -u |
    timeout "${BUILD_TIMEOUT_S:-300}" xargs -P "$JOBS" -I{} sh -c 'o='"$obj"'/$(echo {} | tr / _).o; c++ $DIRECT_FLAGS -c {} -o $o || exit 255' \
      >"$LOGS/direct-build.log" 2>&1; then
    say "direct build failed:"; grep -E -m 20 "error" "$LOGS/direct-build.log"; return 1
  fi
  rm -f "$obj/libaugsweep.a"
  local main_objs=" "
  for main in "${mains[@]}"; do main_objs+="$obj/$(echo "$main" | tr / _).o "; done
  # Every object but the programs' mains (any bench/*.cc that is some target's main).
  for f in "$obj"/*.o; do
    [[ $main_objs == *" $f "* || ($f == */bench_*_bench.cc.o) || $f == *_main.cc.o ]] || objs+=("$f")
  done
  ar rcs "$obj/libaugsweep.a" "${objs[@]}"
  for target in "$@"; do
    main=$(program_source "$target")
    mkdir -p "$(dirname "$(program_path "$target")")"
    # --no-as-needed: nothing references libtorch_cuda by symbol, but its CUDA kernels register
    # when it loads. --allow-shlib-undefined: pip's torch libraries find their CUDA libraries
    # through $ORIGIN run paths at load time, which the linker may not follow.
    # shellcheck disable=SC2086
    c++ -o "$(program_path "$target")" "$obj/$(echo "$main" | tr / _).o" "$obj/libaugsweep.a" \
      -L"$libdir" -Wl,-rpath,"$libdir" -Wl,--allow-shlib-undefined -Wl,--no-as-needed $libs \
      -Wl,--as-needed -fopenmp -lpthread >>"$LOGS/direct-build.log" 2>&1 ||
      { say "direct link of $target failed:"; tail -20 "$LOGS/direct-build.log"; return 1; }
  done
}

# build_programs FORCE_DIRECT(0|1) TARGET...: program_path TARGET for each, by CMake or else
# directly; with GPU_PREBUILT=1, only checks that they are there.
build_programs() {
  local force_direct=$1 target
  shift
  if [ "${GPU_PREBUILT:-0}" = 1 ]; then  # bench/gpu-check.sh built them already
    for target in "$@"; do
      [ -x "$(program_path "$target")" ] || { say "FAILED: GPU_PREBUILT=1 but no $(program_path "$target")"; return 1; }
    done
    say "using the programs built before: $*"
    return 0
  fi
  if [ "$force_direct" = 1 ] || ! cmake_build "$@"; then
    say "building with the direct g++ fallback"
    direct_build "$@" || { say "FAILED: no $*"; return 1; }
  fi
  for target in "$@"; do say "built $(program_path "$target")"; done
}
