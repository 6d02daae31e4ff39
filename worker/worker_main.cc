// augsweep-worker: runs jobs leased from a coordinator until SIGTERM/SIGINT, then gives its
// current lease back and exits 0 (what Slurm expects before a time limit or preemption).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "common/cli_main.h"
#include "common/signal_waiter.h"
#include "security/credentials.h"
#include "security/private_files.h"
#include "worker/executors/default_executors.h"
#include "worker/runtime/allocator_tuning.h"
#include "worker/runtime/cuda_memory.h"
#include "worker/worker.h"

namespace {

// Waits for the coordinator's address file (written once it listens) for up to timeout_s.
augsweep::StatusOr<std::string> ReadAddressFile(const std::string& path, int64_t timeout_s) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (true) {
    std::ifstream in(path);
    std::string address;
    if (in >> address && !address.empty()) return address;
    if (std::chrono::steady_clock::now() > until) {
      return augsweep::UnavailableError("the coordinator address file " + path +
                                        " did not appear within " + std::to_string(timeout_s) +
                                        " s: is the coordinator job running?");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

// The CPU threads a job may use when --threads is not given: the task's share under Slurm
// (SLURM_CPUS_PER_TASK), else 0 (one per hardware thread). Slurm confines a job to its CPUs, but
// libtorch sizes its thread team from the machine's core count; a team larger than the
// allocation spins against itself and runs several times slower.
int64_t DefaultThreads() {
  const char* cpus = std::getenv("SLURM_CPUS_PER_TASK");
  if (cpus == nullptr) return 0;
  char* end = nullptr;
  const long n = std::strtol(cpus, &end, 10);
  return (end != cpus && *end == '\0' && n > 0) ? n : 0;
}

}  // namespace

int main(int argc, char** argv) {
  augsweep::MakeNewFilesOwnerOnly();  // nothing it writes is for other users
  augsweep::BlockTerminationSignals();
  augsweep::KeepFreedMemoryForReuse();
  augsweep::WorkerOptions options;
  std::string address_file;
  int64_t address_timeout_s = 600;
  const char* slurm_job = std::getenv("SLURM_JOB_ID");
  if (slurm_job != nullptr) options.slurm_job_id = slurm_job;
  augsweep::FlagSet flags(
      "augsweep-worker --coordinator HOST:PORT [flags]",
      "Leases jobs from the coordinator and runs them until SIGTERM/SIGINT; then gives\n"
      "the current lease back and exits 0.");
  flags.String("coordinator", &options.coordinator, "address of the coordinator (host:port)");
  flags.String("coordinator-file", &address_file,
               "read the address from this file (written by the coordinator)");
  flags.Int("coordinator-file-timeout", &address_timeout_s,
            "seconds to wait for --coordinator-file to appear");
  std::string credentials_dir;
  flags.String("credentials", &credentials_dir,
               "worker credentials folder: token, ca.pem[, cert.pem, key.pem] (made by "
               "augsweep-coordinator --init-credentials)");
  flags.String("tls-server-name", &options.credentials.tls_server_name,
               "name the coordinator's certificate must carry (default: the credentials' "
               "server-name, else the host dialed)");
  flags.Bool("insecure", &options.credentials.insecure,
             "allow plaintext to a coordinator off loopback (a network you trust entirely)");
  flags.String("device", &options.device, "device the jobs run on: cpu or cuda");
  flags.Int("memory-mb", &options.free_memory_mb, "free memory to advertise (0: measured)");
  int64_t threads = DefaultThreads();
  flags.Int("threads", &threads,
            "CPU threads of the model kernels (0: one per hardware thread; default: "
            "SLURM_CPUS_PER_TASK when set)");
  std::vector<std::string> positional;
  if (auto code = augsweep::ParseFlagsOrExit(flags, {argv + 1, argv + argc}, "augsweep-worker",
                                             &positional)) {
    return *code;
  }
  if (!positional.empty() || options.coordinator.empty() == address_file.empty() ||
      (options.device != "cpu" && options.device != "cuda") || threads < 0) {
    std::fprintf(stderr,
                 "augsweep-worker: give exactly one of --coordinator and --coordinator-file, and "
                 "--device cpu or cuda, and --threads >= 0 (see --help)\n");
    return 2;
  }
  if (!credentials_dir.empty()) {
    auto credentials = augsweep::LoadDialCredentials(credentials_dir, augsweep::Role::kWorker);
    if (!credentials.ok())
      return augsweep::ReportCommandError("augsweep-worker", credentials.status());
    if (!options.credentials.tls_server_name.empty())
      credentials->tls_server_name = options.credentials.tls_server_name;
    credentials->insecure = options.credentials.insecure;
    options.credentials = *std::move(credentials);
  }
  if (!address_file.empty()) {
    auto address = ReadAddressFile(address_file, address_timeout_s);
    if (!address.ok()) {
      std::fprintf(stderr, "augsweep-worker: %s\n", address.status().message().c_str());
      return 1;
    }
    options.coordinator = *address;
  }
  if (options.device == "cuda" && options.free_memory_mb == 0) {
    // Jobs' min_memory_mb is matched against the GPU's free memory: without it, say so now.
    auto free_mb = augsweep::CudaFreeMemoryMb(0);
    if (!free_mb.ok()) {
      std::fprintf(stderr, "augsweep-worker: --device cuda: %s\n",
                   free_mb.status().message().c_str());
      return 1;
    }
  }
  auto executors = augsweep::DefaultExecutors(options.device, static_cast<int>(threads));
  if (!executors.ok()) {
    std::fprintf(stderr, "augsweep-worker: %s\n", executors.status().message().c_str());
    return 1;
  }
  augsweep::Worker worker(options, executors->get());
  std::thread signals([&] {
    const int signal_number = augsweep::WaitForTerminationSignal();
    std::fprintf(stderr, "augsweep-worker: signal %d, giving back the lease and stopping\n",
                 signal_number);
    worker.Stop();
    // An executor deep in a long step may take a while to notice; the lease is back already.
    std::this_thread::sleep_for(std::chrono::seconds(3));
    std::_Exit(0);
  });
  signals.detach();
  augsweep::Status status = worker.Run();
  if (!status.ok()) {
    std::fprintf(stderr, "augsweep-worker: %s\n", status.message().c_str());
    return 1;
  }
  return 0;
}
