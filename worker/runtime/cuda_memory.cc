#include "worker/runtime/cuda_memory.h"

#include <dlfcn.h>

#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace augsweep {
namespace {

// The few driver API entry points needed, as the driver exports them (cuda.h's _v2 names).
using CuResult = int;  // CUDA_SUCCESS is 0
using CuDevice = int;
using CuContext = void*;
struct CudaDriver {
  CuResult (*init)(unsigned flags) = nullptr;
  CuResult (*device_get)(CuDevice* device, int ordinal) = nullptr;
  CuResult (*primary_ctx_retain)(CuContext* context, CuDevice device) = nullptr;
  CuResult (*ctx_push)(CuContext context) = nullptr;
  CuResult (*ctx_pop)(CuContext* context) = nullptr;
  CuResult (*mem_get_info)(size_t* free, size_t* total) = nullptr;
  std::string error;  // why the driver cannot be used; empty when it can
};

template <typename F>
bool Resolve(void* library, const char* name, F* out) {
  *out = reinterpret_cast<F>(dlsym(library, name));
  return *out != nullptr;
}

// Loaded once per process and kept (the driver is never unloaded).
const CudaDriver& Driver() {
  static const CudaDriver driver = [] {
    CudaDriver d;
    void* library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
      const char* why = dlerror();
      d.error = std::string("no CUDA driver (") + (why ? why : "libcuda.so.1 not found") + ")";
      return d;
    }
    if (!Resolve(library, "cuInit", &d.init) || !Resolve(library, "cuDeviceGet", &d.device_get) ||
        !Resolve(library, "cuDevicePrimaryCtxRetain", &d.primary_ctx_retain) ||
        !Resolve(library, "cuCtxPushCurrent_v2", &d.ctx_push) ||
        !Resolve(library, "cuCtxPopCurrent_v2", &d.ctx_pop) ||
        !Resolve(library, "cuMemGetInfo_v2", &d.mem_get_info)) {
      d.error = "the CUDA driver (libcuda.so.1) lacks cuMemGetInfo_v2 or the primary-context calls";
      return d;
    }
    const CuResult init = d.init(0);
    if (init != 0) d.error = "cuInit failed with CUDA error " + std::to_string(init);
    return d;
  }();
  return driver;
}

// The device's primary context, retained on first use and kept for the process: it is the
// context libtorch works in, and releasing it while libtorch has not retained it yet (an idle
// worker, measured at every lease) would destroy it, only to create it again at the next call.
StatusOr<CuContext> PrimaryContext(const CudaDriver& d, int index, const std::string& where) {
  static std::mutex mu;
  static std::map<int, CuContext> retained;
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = retained.find(index); it != retained.end()) return it->second;
  CuDevice device = 0;
  if (CuResult r = d.device_get(&device, index); r != 0) {
    return UnavailableError(where + "cuDeviceGet failed with CUDA error " + std::to_string(r));
  }
  CuContext context = nullptr;
  if (CuResult r = d.primary_ctx_retain(&context, device); r != 0) {
    return UnavailableError(where + "cannot open its context (CUDA error " + std::to_string(r) +
                            ")");
  }
  retained[index] = context;
  return context;
}

}  // namespace

StatusOr<int64_t> CudaFreeMemoryMb(int index) {
  const CudaDriver& d = Driver();
  if (!d.error.empty()) return UnavailableError(d.error);
  const std::string where = "CUDA device " + std::to_string(index) + ": ";
  AUGSWEEP_ASSIGN_OR_RETURN(CuContext context, PrimaryContext(d, index, where));
  size_t free_bytes = 0, total_bytes = 0;
  CuResult r = d.ctx_push(context);
  if (r == 0) {
    r = d.mem_get_info(&free_bytes, &total_bytes);
    CuContext popped = nullptr;
    d.ctx_pop(&popped);
  }
  if (r != 0)
    return UnavailableError(where + "cuMemGetInfo failed with CUDA error " + std::to_string(r));
  return static_cast<int64_t>(free_bytes / (1024 * 1024));
}

}  // namespace augsweep
