// `augsweep run`: the whole system on one machine — a coordinator and N workers in this process,
// talking real gRPC over loopback — then the result table. The data directory keeps every
// finished job, so a second run of the same spec reuses them and finishes at once.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/result_table.h"
#include "cli/sweep_client.h"
#include "cli/watch.h"
#include "common/cli_main.h"
#include "common/read_file.h"
#include "common/signal_waiter.h"
#include "common/spec/executor_kinds.h"
#include "coordinator/server/coordinator_server.h"
#include "rpc/rpc_options.h"
#include "security/credentials.h"
#include "worker/executors/default_executors.h"
#include "worker/runtime/allocator_tuning.h"
#include "worker/worker.h"

namespace augsweep::cli {
namespace {

// Workers running in threads of this process, each with its own executors.
class LocalWorkers {
 public:
  Status Start(int count, const std::string& address, const std::string& worker_token,
               bool log_jobs) {
    KeepFreedMemoryForReuse();  // the workers fine-tune models in this process
    for (int i = 0; i < count; ++i) {
      const int threads =
          std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / count);
      AUGSWEEP_ASSIGN_OR_RETURN(std::unique_ptr<ExecutorRegistry> executors,
                                DefaultExecutors("cpu", threads));
      WorkerOptions options;
      options.coordinator = address;
      options.credentials.token = worker_token;
      options.hostname = "local" + std::to_string(i + 1);
      options.log_jobs = log_jobs;
      auto worker = std::make_unique<Worker>(options, executors.get());
      Worker* w = worker.get();
      threads_.emplace_back([w] {
        Status s = w->Run();
        if (!s.ok())
          std::fprintf(stderr, "augsweep run: worker stopped: %s\n", s.message().c_str());
      });
      executors_.push_back(std::move(executors));
      workers_.push_back(std::move(worker));
    }
    return OkStatus();
  }
  void Stop() {
    for (auto& w : workers_) w->Stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }
  ~LocalWorkers() { Stop(); }

 private:
  std::vector<std::unique_ptr<ExecutorRegistry>> executors_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
};

// The embedded workers run only this build's executors: a spec naming a kind they lack would
// wait forever for a worker that never comes.
Status CheckThisBuildRunsSpec(const v1::SweepSpec& spec) {
  if (BuiltWithTorch()) return OkStatus();
  auto check = [](const std::string& what, const std::string& name, ExecutorRole role,
                  const std::string& kind) -> Status {
    const ExecutorKind* row = FindExecutorKind(role, kind);
    if (row != nullptr && row->needs_torch) {
      return FailedPreconditionError(what + " \"" + name + "\" (kind " + kind +
                                     ") needs libtorch, and this augsweep was built without it "
                                     "(AUGSWEEP_WITH_TORCH=OFF)");
    }
    return OkStatus();
  };
  for (const auto& g : spec.generators()) {
    AUGSWEEP_RETURN_IF_ERROR(check("generator", g.name(), ExecutorRole::kGenerator, g.kind()));
  }
  for (const auto& c : spec.classifiers()) {
    AUGSWEEP_RETURN_IF_ERROR(check("classifier", c.name(), ExecutorRole::kClassifier, c.kind()));
  }
  return OkStatus();
}

}  // namespace

int RunRunCommand(const Args& args) {
  BlockTerminationSignals();  // before any thread: Ctrl-C stops cleanly, finished jobs are kept
  std::string data_dir = ".augsweep";
  int64_t workers = std::max(1u, std::thread::hardware_concurrency());
  std::string format = "table";
  bool verbose = false;
  FlagSet flags(
      "augsweep run [SPEC] [--workers N] [--data-dir DIR] [--format FORMAT]",
      "Runs a sweep on this machine: a coordinator and N workers in this process, real gRPC\n"
      "on loopback, a progress bar on a terminal, the result table at the end. SPEC defaults\n"
      "to examples/demo.yaml. Finished jobs stay in --data-dir: running the same spec again\n"
      "reuses them; an interrupted run resumes where it stopped.");
  flags.Int("workers", &workers, "worker threads");
  flags.String("data-dir", &data_dir, "where the coordinator keeps its store");
  flags.String("format", &format, "result table format: table, csv, json or markdown");
  flags.Bool("verbose", &verbose, "log every job");
  std::vector<std::string> positional;
  if (auto code = ParseFlagsOrExit(flags, args, "augsweep run", &positional)) return *code;
  if (positional.size() > 1 || workers < 1 || workers > 256) {
    return ReportError("run",
                       InvalidArgumentError("expected at most one SPEC and 1 to 256 workers"));
  }
  const std::string spec_path = positional.empty() ? "examples/demo.yaml" : positional[0];
  StatusOr<TableFormat> table_format = ParseTableFormat(format);
  if (!table_format.ok()) return ReportError("run", table_format.status());
  StatusOr<ParsedSpec> spec = LoadSweepSpec(spec_path);
  if (!spec.ok()) return ReportError("run", spec.status());
  if (Status runnable = CheckThisBuildRunsSpec(spec->spec); !runnable.ok())
    return ReportError("run", runnable);
  StatusOr<std::string> yaml = ReadWholeFile(spec_path);
  if (!yaml.ok()) return ReportError("run", yaml.status());
  StatusOr<std::string> dataset = ReadWholeFile(spec->spec.dataset().path());
  if (!dataset.ok()) return ReportError("run", dataset.status());
  for (const auto& w : spec->warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());

  // Loopback, which every user logged in to this machine can reach: tokens made for this run
  // alone, held in memory, keep the others out.
  StatusOr<std::string> client_token = NewRandomToken();
  StatusOr<std::string> worker_token = NewRandomToken();
  if (!client_token.ok()) return ReportError("run", client_token.status());
  if (!worker_token.ok()) return ReportError("run", worker_token.status());
  CoordinatorOptions options;
  options.listen = "127.0.0.1:0";
  options.credentials.client_token = *client_token;
  options.credentials.worker_token = *worker_token;
  options.data_dir = data_dir;
  options.scheduler.lease_ms = 30'000;
  options.scheduler.heartbeat_interval_ms = 2'000;
  options.log_events = verbose;
  auto server = CoordinatorServer::Start(options);
  if (!server.ok())
    return ReportError("run", server.status().WithContext("starting the coordinator"));
  const std::string address = (*server)->address();

  DialCredentials client_credentials;
  client_credentials.token = *client_token;
  SweepClient client(address, MakeCoordinatorChannel(address, client_credentials));
  StatusOr<v1::SubmitSweepResponse> submitted = client.Submit(*spec, *yaml, *dataset);
  if (!submitted.ok()) return ReportError("run", submitted.status());
  for (const auto& w : submitted->warnings()) std::fprintf(stderr, "warning: %s\n", w.c_str());
  const std::string sweep_id = submitted->sweep_id();
  std::fprintf(
      stderr,
      "sweep %s: %d grid cells -> %d unique jobs (%d already done), %lld workers, data in %s, "
      "coordinator on %s\n",
      sweep_id.c_str(), submitted->naive_cells(), submitted->unique_jobs(),
      submitted->jobs_already_done(), static_cast<long long>(workers), data_dir.c_str(),
      address.c_str());

  LocalWorkers local;
  Status started = local.Start(static_cast<int>(workers), address, *worker_token, verbose);
  if (!started.ok()) return ReportError("run", started);

  std::atomic<bool> interrupted{false};
  std::atomic<bool> finished{false};
  std::thread signals([&] {
    const int signal_number = WaitForTerminationSignal();
    if (!finished) {
      std::fprintf(stderr, "augsweep run: signal %d\n", signal_number);
      interrupted = true;
    }
  });
  WatchOptions watch;
  watch.terminal = isatty(STDERR_FILENO) && !verbose;
  watch.interval_ms = 500;
  watch.stop = [&] { return interrupted.load(); };
  StatusOr<v1::SweepStatus> status = WatchSweep(client, sweep_id, stderr, watch);
  local.Stop();
  finished = true;
  if (!interrupted) RaiseTerminationSignal();
  signals.join();
  if (!status.ok()) return ReportError("run", status.status());
  if (interrupted) {
    std::fprintf(stderr,
                 "augsweep run: interrupted; finished jobs are kept in %s, run again to resume\n",
                 data_dir.c_str());
    return 1;
  }
  v1::GetResultsRequest request;
  request.set_sweep_id(sweep_id);
  StatusOr<v1::GetResultsResponse> results = client.GetResults(request);
  if (!results.ok()) return ReportError("run", results.status());
  std::fputs(FormatResults(*results, *table_format).c_str(), stdout);
  if (status->state() != v1::SWEEP_STATE_SUCCEEDED) {
    std::fputs(FormatSweepStatus(*status).c_str(), stderr);
    return 1;
  }
  return 0;
}

}  // namespace augsweep::cli
