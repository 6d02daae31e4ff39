# shellcheck shell=bash
# Sourced by bench/gpu-*.sh (not run on its own): what the prepared GPU scripts share -- the
# report of what the lent machine has, finding nlohmann/json.hpp, and building one bench target in
# AUGSWEEP_RUNTIME_ONLY mode against the PyTorch that $PYTHON imports (CMake first, a direct g++
# build when CMake's Torch/CUDA lookup fails there).
#
# The caller sets PYTHON, BUILD (build folder), LOGS (log folder), JOBS and DEVICE, and defines
# say() (a timestamped echo). Optional: NLOHMANN_JSON_INCLUDE_DIR=DIR (DIR/nlohmann/json.hpp),
# BUILD_TIMEOUT_S (each build step's limit; default 300 s, for 16 cores).

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
    say "  can be downloaded here: copy it into the repo before the device call, e.g."
    say "  mkdir -p .gpu-deps/include && cp -r /usr/include/nlohmann .gpu-deps/include/ &&"
    say "  echo /.gpu-deps/ >> .git/info/exclude, and name .gpu-deps in the run's carry."
    return 1
  fi
  say "nlohmann/json.hpp: $JSON_DIR"
}

# --- Build: CMake (AUGSWEEP_RUNTIME_ONLY) first, a direct g++ build if that fails -------------
# cmake_build TARGET
cmake_build() {
  local target=$1 torch_prefix gen=()
  torch_prefix=$("$PYTHON" -c 'import torch;print(torch.utils.cmake_prefix_path)')
  command -v ninja >/dev/null && gen=(-G Ninja)
  say "cmake configure (CMAKE_PREFIX_PATH=$torch_prefix)"
  timeout 240 cmake -S . -B "$BUILD" "${gen[@]}" -DAUGSWEEP_RUNTIME_ONLY=ON \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$torch_prefix" \
    -DNLOHMANN_JSON_INCLUDE_DIR="$JSON_DIR" >"$LOGS/cmake-configure.log" 2>&1 ||
    { say "cmake configure failed:"; tail -40 "$LOGS/cmake-configure.log"; return 1; }
  say "cmake build $target -j$JOBS"
  timeout "${BUILD_TIMEOUT_S:-300}" cmake --build "$BUILD" --target "$target" -j "$JOBS" >"$LOGS/cmake-build.log" 2>&1 ||
    { say "cmake build failed:"; grep -E -m 20 "error|Error" "$LOGS/cmake-build.log"; tail -20 "$LOGS/cmake-build.log"; return 1; }
}

# direct_build TARGET: the same sources compiled by hand with torch.utils.cpp_extension's paths:
# no CMake, no Torch config (whose CUDA toolkit lookups are the likeliest thing to fail on a
# pip-only machine). bench/TARGET.cc is the program; every other bench/*.cc is left out.
direct_build() {
  local target=$1 abi inc libdir libs obj f objs=()
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
  if ! printf '%s\n' common/*.cc common/safetensors/*.cc worker/runtime/*.cc "bench/$target.cc" |
    timeout "${BUILD_TIMEOUT_S:-300}" xargs -P "$JOBS" -I{} sh -c 'o='"$obj"'/$(echo {} | tr / _).o; c++ $DIRECT_FLAGS -c {} -o $o || exit 255' \
      >"$LOGS/direct-build.log" 2>&1; then
    say "direct build failed:"; grep -E -m 20 "error" "$LOGS/direct-build.log"; return 1
  fi
  rm -f "$obj/libaugsweep.a"
  for f in "$obj"/*.o; do [[ $f == */bench_* ]] || objs+=("$f"); done
  ar rcs "$obj/libaugsweep.a" "${objs[@]}"
  # --no-as-needed: nothing references libtorch_cuda by symbol, but its CUDA kernels register
  # when it loads. --allow-shlib-undefined: pip's torch libraries find their CUDA libraries
  # through $ORIGIN run paths at load time, which the linker may not follow.
  # shellcheck disable=SC2086
  c++ -o "$BUILD/bench/$target" "$obj/bench_$target.cc.o" "$obj/libaugsweep.a" -L"$libdir" \
    -Wl,-rpath,"$libdir" -Wl,--allow-shlib-undefined -Wl,--no-as-needed $libs -Wl,--as-needed \
    -fopenmp -lpthread >>"$LOGS/direct-build.log" 2>&1 ||
    { say "direct link failed:"; tail -20 "$LOGS/direct-build.log"; return 1; }
}

# build_bench TARGET FORCE_DIRECT(0|1): $BUILD/bench/TARGET, by CMake or else directly.
build_bench() {
  local target=$1 force_direct=${2:-0}
  if [ "$force_direct" = 1 ] || ! cmake_build "$target"; then
    say "building with the direct g++ fallback"
    direct_build "$target" || { say "FAILED: no $target"; return 1; }
  fi
  say "built $BUILD/bench/$target"
}
