// What the benchmarks share besides their peer (bench/peer_process.h): timing, the --threads,
// --device and --dtype conventions, temporary model folders. Header-only, like peer_process.h, so
// that gpu_build.sh's direct g++ build compiles only bench/TARGET.cc.
#pragma once

#include <ATen/Parallel.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>
#include <torch/cuda.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

namespace augsweep {

using BenchClock = std::chrono::steady_clock;

inline double Seconds(BenchClock::time_point a, BenchClock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

inline std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// "bfloat16", "float16", anything else float32 (the flags are checked before).
inline at::ScalarType DtypeOf(const std::string& name) {
  if (name == "bfloat16") return at::kBFloat16;
  if (name == "float16") return at::kHalf;
  return at::kFloat;
}

// Waits for the device's queued work, so that a timer read after it covers that work.
inline void Synchronize(const at::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize();
}

// --threads: 0 means one per hardware thread. Sets libtorch's intra-op threads and returns them.
inline int SetBenchThreads(int64_t requested) {
  const unsigned hw = std::thread::hardware_concurrency();
  const int threads = requested > 0 ? static_cast<int>(requested) : static_cast<int>(hw ? hw : 1);
  at::set_num_threads(threads);
  return threads;
}

// --device, checked: nullopt after printing why (`*exit_code` 2 for a bad name, 1 for CUDA that
// this libtorch does not see).
inline std::optional<at::Device> ParseBenchDevice(const std::string& program,
                                                  const std::string& name, int* exit_code) {
  std::optional<at::Device> device;
  try {
    device.emplace(name);
  } catch (const std::exception&) {
    std::fprintf(stderr, "%s: --device: \"%s\" is not a device (cpu, cuda, cuda:N)\n",
                 program.c_str(), name.c_str());
    *exit_code = 2;
    return std::nullopt;
  }
  if (device->is_cuda() && !torch::cuda::is_available()) {
    std::fprintf(stderr, "%s: --device %s, but this libtorch sees no CUDA device\n",
                 program.c_str(), name.c_str());
    *exit_code = 1;
    return std::nullopt;
  }
  return device;
}

// The Python that runs a peer by default: Debian's (python3-torch), else the first on PATH.
inline std::string DefaultPeerPython() {
  return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

// A fresh folder `prefix`-XXXXXX under `base` (empty: the system temp dir), removed with all it
// holds when this object goes, unless kept.
class TempFolder {
 public:
  // Empty path() when the folder cannot be made.
  TempFolder(const std::string& base, const std::string& prefix, bool keep) : keep_(keep) {
    const std::filesystem::path dir =
        base.empty() ? std::filesystem::temp_directory_path() : std::filesystem::path(base);
    std::string templ = (dir / (prefix + "-XXXXXX")).string();
    if (mkdtemp(templ.data()) != nullptr) path_ = templ;
  }
  ~TempFolder() {
    std::error_code ec;
    if (!keep_ && !path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  bool keep_;
};

}  // namespace augsweep
