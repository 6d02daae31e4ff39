// load_bench: is the coordinator ever what a study waits on? One coordinator (a child process,
// real RocksDB store on disk, every transition synced before it is acknowledged) and many
// simulated workers (threads of this process, real gRPC on loopback) leasing and completing
// trivial jobs of a bench-only executor kind ("bench-noop": no worker runs it, the simulated
// workers answer with a fixed result at once).
//
//   load_bench [--workers 1000] [--jobs 20000] [--threads 64] [--channels 64] [--max-seconds 600]
//
// Prints leases/s and completions/s, p50/p99/max latency of LeaseJob calls that handed out a job
// and of CompleteJob calls, the coordinator's CPU (cores busy) and peak RSS, its synced store
// commits (count, transitions carried, mean time), and checks that every job completed exactly
// once, from the workers' accepted answers and from the result records in the store. Its last line
// is "lost N, duplicated M"; the exit code is 1 unless both are 0.
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "augsweep/v1/worker_service.grpc.pb.h"
#include "common/cli_flags.h"
#include "common/cli_main.h"
#include "common/read_file.h"
#include "common/spec/sweep_spec.h"
#include "coordinator/planner/prepare_sweep.h"
#include "coordinator/server/coordinator_server.h"
#include "coordinator/store/store.h"

namespace augsweep {
namespace {

using Clock = std::chrono::steady_clock;
constexpr char kNoopKind[] = "bench-noop";

double SecondsBetween(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// The sweep the coordinator serves: the bundled dataset and a one-classifier spec give it real
// dataset and folds artifacts; its jobs are then replaced by `jobs` independent TRAIN_EVAL jobs
// of the bench-only kind, each its own cell.
StatusOr<PreparedSweep> BenchSweep(int64_t jobs) {
  // No such file: the path only anchors the spec's relative dataset path in examples/.
  const std::string spec_path = AUGSWEEP_SOURCE_DIR "/examples/load-bench.yaml";
  AUGSWEEP_ASSIGN_OR_RETURN(
      ParsedSpec parsed,
      ParseSweepSpec("name: load-bench\n"
                     "dataset: {path: data/wordnet-themes.csv, id_field: id, label_field: themes}\n"
                     "augment_counts: [0]\n"
                     "classifiers: [{name: noop, kind: tfidf-logreg}]\n",
                     spec_path));
  AUGSWEEP_ASSIGN_OR_RETURN(std::string data, ReadWholeFile(parsed.spec.dataset().path()));
  AUGSWEEP_ASSIGN_OR_RETURN(PreparedSweep sweep, PrepareSweep(std::move(parsed), data));
  const v1::JobSpec model = sweep.plan.jobs.front();
  sweep.plan.jobs.clear();
  sweep.plan.cells.clear();
  for (int64_t i = 0; i < jobs; ++i) {
    v1::JobSpec job = model;
    job.set_key("bench-" + std::to_string(i));
    job.mutable_train_eval()->mutable_classifier()->set_kind(kNoopKind);
    v1::SweepCell& cell = sweep.plan.cells.emplace_back();
    cell.set_classifier("noop");
    cell.set_repeat(static_cast<int32_t>(i / 5));
    cell.set_fold(static_cast<int32_t>(i % 5));
    cell.set_job_key(job.key());
    sweep.plan.jobs.push_back(std::move(job));
  }
  sweep.plan.train_eval_jobs = jobs;
  return sweep;
}

// The coordinator process: starts the server, submits the sweep, reports its address on
// `to_parent`, serves until SIGTERM, then reports the store's result records and its synced
// commits, and exits.
[[noreturn]] void CoordinatorChild(int to_parent, const std::string& data_dir, int64_t jobs) {
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &term, nullptr);  // before any thread: sigwait takes it below
  auto fail = [&](const Status& s) {
    const std::string line = "error " + s.ToString() + "\n";
    (void)!write(to_parent, line.data(), line.size());
    std::_Exit(1);
  };
  StatusOr<PreparedSweep> sweep = BenchSweep(jobs);
  if (!sweep.ok()) fail(sweep.status());
  CoordinatorOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = data_dir;
  options.log_events = false;
  StatusOr<std::unique_ptr<CoordinatorServer>> server = CoordinatorServer::Start(options);
  if (!server.ok()) fail(server.status());
  StatusOr<SubmitOutcome> submitted = (*server)->scheduler().Submit(*sweep, "name: load-bench\n");
  if (!submitted.ok()) fail(submitted.status());
  const std::string ready = "address " + (*server)->address() + "\n";
  (void)!write(to_parent, ready.data(), ready.size());
  int signal = 0;
  sigwait(&term, &signal);
  const SchedulerStats stats = (*server)->scheduler().Stats();
  (*server)->Shutdown();
  server->reset();
  // Count what the store holds, read afresh from disk.
  StoreOptions read_only;
  read_only.read_only = true;
  StatusOr<std::unique_ptr<Store>> store = Store::Open(data_dir, read_only);
  if (!store.ok()) fail(store.status());
  int64_t records = 0;
  Status scanned = (*store)->Scan(Family::kResults, "", [&](std::string_view, std::string_view) {
    ++records;
    return true;
  });
  if (!scanned.ok()) fail(scanned);
  std::ostringstream out;
  out << "records " << records << " commits " << stats.store_write_seconds.count() << " sets "
      << stats.store_sets_written << " mean_s "
      << (stats.store_write_seconds.count() > 0
              ? stats.store_write_seconds.sum() / stats.store_write_seconds.count()
              : 0.0)
      << "\n";
  (void)!write(to_parent, out.str().data(), out.str().size());
  std::_Exit(0);
}

// Reads one line from the child (blocking).
std::string ReadLine(int fd) {
  std::string line;
  char c;
  while (read(fd, &c, 1) == 1 && c != '\n') line += c;
  return line;
}

struct ProcessSample {
  double cpu_seconds = 0;  // user + system
  int64_t peak_rss_kb = 0;
};

ProcessSample Sample(pid_t pid) {
  ProcessSample s;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  std::istringstream rest(text.substr(text.rfind(')') + 2));
  std::string field;
  long ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stol(field);
  }
  s.cpu_seconds = static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) s.peak_rss_kb = std::stol(line.substr(6));
  }
  return s;
}

double Percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

// Makes one call with a fresh context; whether it succeeded, and its milliseconds in `*ms`.
template <typename Call>
bool TimedCall(double* ms, const Call& call) {
  grpc::ClientContext context;
  const auto start = Clock::now();
  const bool ok = call(&context).ok();
  *ms = 1000 * SecondsBetween(start, Clock::now());
  return ok;
}

// What the simulated workers of one thread saw.
struct ThreadLog {
  std::vector<double> lease_ms, complete_ms;
  int64_t empty_leases = 0, rpc_errors = 0;
};

int Run(int argc, char** argv) {
  int64_t workers = 1000, jobs = 20000, threads = 64, channels = 64, max_seconds = 600;
  FlagSet flags("load_bench [flags]",
                "Simulated workers against one coordinator with a real store: throughput, "
                "latency and exactly-once completion.");
  flags.Int("workers", &workers,
            "simulated workers, each registered and holding one lease at a time");
  flags.Int("jobs", &jobs, "trivial jobs to complete");
  flags.Int("threads", &threads, "threads driving the workers (each drives workers/threads)");
  flags.Int("channels", &channels, "gRPC channels (connections) the workers share");
  flags.Int("max-seconds", &max_seconds, "stop then even if jobs remain (they count as lost)");
  std::vector<std::string> positional;
  if (auto code = ParseFlagsOrExit(flags, {argv + 1, argv + argc}, "load_bench", &positional)) {
    return *code;
  }
  if (!positional.empty() || workers < 1 || jobs < 1 || threads < 1 || channels < 1 ||
      threads > workers) {
    std::fprintf(stderr,
                 "load_bench: no arguments, counts must be positive and threads <= workers\n");
    return 2;
  }
  char dir_template[] = "/tmp/augsweep-load-bench.XXXXXX";
  if (mkdtemp(dir_template) == nullptr) return 1;
  const std::string data_dir = std::string(dir_template) + "/data";

  // The coordinator is forked before this process makes any gRPC object or thread.
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return 1;
  const pid_t child = fork();
  if (child == 0) {
    close(pipe_fds[0]);
    CoordinatorChild(pipe_fds[1], data_dir, jobs);
  }
  close(pipe_fds[1]);
  const std::string ready = ReadLine(pipe_fds[0]);
  if (ready.rfind("address ", 0) != 0) {
    std::fprintf(stderr, "load_bench: the coordinator did not start: %s\n", ready.c_str());
    kill(child, SIGKILL);
    return 1;
  }
  const std::string address = ready.substr(8);
  std::printf("coordinator %s (pid %d), store %s, %lld jobs of kind %s\n", address.c_str(),
              static_cast<int>(child), data_dir.c_str(), static_cast<long long>(jobs), kNoopKind);

  std::vector<std::unique_ptr<v1::WorkerService::Stub>> stubs;
  for (int64_t c = 0; c < channels; ++c) {
    grpc::ChannelArguments channel_args;
    channel_args.SetInt("bench.channel", static_cast<int>(c));  // distinct: a connection each
    stubs.push_back(v1::WorkerService::NewStub(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), channel_args)));
  }
  v1::WorkerCapabilities caps;
  caps.set_device("cpu");
  caps.set_slots(1);
  caps.add_job_kinds(v1::TRAIN_EVAL);
  caps.add_executor_kinds(kNoopKind);
  std::vector<std::string> worker_ids(static_cast<size_t>(workers));
  for (int64_t w = 0; w < workers; ++w) {
    v1::RegisterWorkerRequest request;
    request.set_hostname("bench-" + std::to_string(w));
    *request.mutable_capabilities() = caps;
    v1::RegisterWorkerResponse response;
    grpc::ClientContext context;
    const grpc::Status s =
        stubs[static_cast<size_t>(w % channels)]->RegisterWorker(&context, request, &response);
    if (!s.ok()) {
      std::fprintf(stderr, "load_bench: RegisterWorker: %s\n", s.error_message().c_str());
      kill(child, SIGKILL);
      return 1;
    }
    worker_ids[static_cast<size_t>(w)] = response.worker_id();
  }

  std::vector<std::atomic<int32_t>> accepted(static_cast<size_t>(jobs));
  std::atomic<int64_t> completed{0};
  std::vector<ThreadLog> logs(static_cast<size_t>(threads));
  const ProcessSample before = Sample(child);
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::seconds(max_seconds);
  std::vector<std::thread> pool;
  for (int64_t t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      ThreadLog& log = logs[static_cast<size_t>(t)];
      while (completed.load() < jobs && Clock::now() < deadline) {
        bool any = false;
        for (int64_t w = t; w < workers; w += threads) {  // this thread's workers, in turn
          v1::WorkerService::Stub& stub = *stubs[static_cast<size_t>(w % channels)];
          v1::LeaseJobRequest lease_request;
          lease_request.set_worker_id(worker_ids[static_cast<size_t>(w)]);
          *lease_request.mutable_capabilities() = caps;
          lease_request.set_wait_ms(0);
          v1::LeaseJobResponse lease;
          double lease_ms = 0;
          if (!TimedCall(&lease_ms, [&](grpc::ClientContext* context) {
                return stub.LeaseJob(context, lease_request, &lease);
              })) {
            ++log.rpc_errors;
            continue;
          }
          if (!lease.has_lease()) {
            ++log.empty_leases;
            continue;
          }
          any = true;
          log.lease_ms.push_back(lease_ms);
          v1::CompleteJobRequest complete;
          complete.set_worker_id(worker_ids[static_cast<size_t>(w)]);
          v1::JobResult& result = *complete.mutable_result();
          result.set_job_key(lease.lease().job().key());
          result.set_attempt(lease.lease().attempt());
          result.set_worker_id(worker_ids[static_cast<size_t>(w)]);
          result.mutable_train_eval()->set_macro_defined(true);
          result.mutable_train_eval()->set_macro_auc(0.5);
          v1::CompleteJobResponse done;
          double complete_ms = 0;
          if (!TimedCall(&complete_ms, [&](grpc::ClientContext* context) {
                return stub.CompleteJob(context, complete, &done);
              })) {
            ++log.rpc_errors;
            continue;
          }
          log.complete_ms.push_back(complete_ms);
          if (done.accepted()) {
            const int64_t index = std::stoll(result.job_key().substr(6));
            accepted[static_cast<size_t>(index)].fetch_add(1);
            completed.fetch_add(1);
          }
        }
        if (!any) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
  }
  for (std::thread& t : pool) t.join();
  const double seconds = SecondsBetween(start, Clock::now());
  const ProcessSample after = Sample(child);

  kill(child, SIGTERM);
  const std::string report = ReadLine(pipe_fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  std::error_code ec;
  std::filesystem::remove_all(dir_template, ec);

  std::vector<double> lease_ms, complete_ms;
  int64_t empty = 0, errors = 0;
  for (ThreadLog& log : logs) {
    lease_ms.insert(lease_ms.end(), log.lease_ms.begin(), log.lease_ms.end());
    complete_ms.insert(complete_ms.end(), log.complete_ms.begin(), log.complete_ms.end());
    empty += log.empty_leases;
    errors += log.rpc_errors;
  }
  int64_t lost = 0, duplicated = 0;
  for (const auto& a : accepted) {
    lost += a.load() == 0;
    duplicated += std::max(0, a.load() - 1);
  }
  int64_t records = -1, commits = 0, sets = 0;
  double commit_mean_s = 0;
  std::istringstream fields(report);
  std::string word;
  while (fields >> word) {
    if (word == "records") fields >> records;
    if (word == "commits") fields >> commits;
    if (word == "sets") fields >> sets;
    if (word == "mean_s") fields >> commit_mean_s;
  }
  if (records < 0) {
    std::fprintf(stderr, "load_bench: no report from the coordinator: %s\n", report.c_str());
    return 1;
  }
  // A record in the store that no accepted answer accounts for, or one missing.
  const int64_t unique_accepted = jobs - lost;
  duplicated += std::max<int64_t>(0, records - unique_accepted);
  lost += std::max<int64_t>(0, unique_accepted - records);

  const int64_t leases = static_cast<int64_t>(lease_ms.size());
  std::printf("%lld workers on %lld threads and %lld connections, %.1f s\n",
              static_cast<long long>(workers), static_cast<long long>(threads),
              static_cast<long long>(channels), seconds);
  std::printf("leases       %8.0f /s   (%lld handed out, %lld answered empty)\n",
              static_cast<double>(leases) / seconds, static_cast<long long>(leases),
              static_cast<long long>(empty));
  std::printf("completions  %8.0f /s   (%lld accepted, %lld RPC errors)\n",
              static_cast<double>(completed.load()) / seconds,
              static_cast<long long>(completed.load()), static_cast<long long>(errors));
  const double lease_p50 = Percentile(lease_ms, 0.5), lease_p99 = Percentile(lease_ms, 0.99);
  const double lease_max = lease_ms.empty() ? 0 : lease_ms.back();
  const double complete_p50 = Percentile(complete_ms, 0.5);
  const double complete_p99 = Percentile(complete_ms, 0.99);
  const double complete_max = complete_ms.empty() ? 0 : complete_ms.back();
  std::printf("LeaseJob     p50 %7.2f ms  p99 %7.2f ms  max %8.2f ms\n", lease_p50, lease_p99,
              lease_max);
  std::printf("CompleteJob  p50 %7.2f ms  p99 %7.2f ms  max %8.2f ms\n", complete_p50, complete_p99,
              complete_max);
  std::printf("coordinator  %.2f cores busy, peak RSS %lld MiB\n",
              (after.cpu_seconds - before.cpu_seconds) / seconds,
              static_cast<long long>(after.peak_rss_kb / 1024));
  // Group commit: each synced batch carries every transition queued while the one before it
  // was written, so the disk's sync rate bounds batches, not transitions.
  std::printf(
      "store        %lld synced commits carrying %lld transitions (%.1f each), mean %.3f ms "
      "each: %.0f syncs/s at most\n",
      static_cast<long long>(commits), static_cast<long long>(sets),
      commits > 0 ? static_cast<double>(sets) / static_cast<double>(commits) : 0.0,
      1000 * commit_mean_s, commit_mean_s > 0 ? 1 / commit_mean_s : 0.0);
  std::printf("goal         completions >= 2000/s: %s; LeaseJob p99 < 50 ms: %s\n",
              static_cast<double>(completed.load()) / seconds >= 2000 ? "met" : "NOT met",
              lease_p99 < 50 ? "met" : "NOT met");
  std::printf("result records in the store %lld of %lld jobs\n", static_cast<long long>(records),
              static_cast<long long>(jobs));
  std::printf("lost %lld, duplicated %lld\n", static_cast<long long>(lost),
              static_cast<long long>(duplicated));
  return lost == 0 && duplicated == 0 ? 0 : 1;
}

}  // namespace
}  // namespace augsweep

int main(int argc, char** argv) { return augsweep::Run(argc, argv); }
