// A running coordinator: the store, the scheduler, both gRPC services and the thread that expires
// leases. Used by the augsweep-coordinator program and embedded by `augsweep run`.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "common/mutex.h"
#include "common/status.h"
#include "coordinator/scheduler/job_scheduler.h"
#include "coordinator/store/store.h"
#include "rpc/call_auth.h"
#include "security/credentials.h"

namespace augsweep {

class MetricsHttpServer;
class SweepServiceImpl;
class WorkerServiceImpl;

struct CoordinatorOptions {
  std::string listen = "127.0.0.1:7070";  // host:port; port 0 picks a free one
  std::string data_dir;
  SchedulerOptions scheduler;
  bool log_events = true;  // submissions, registrations, ignored duplicates on stderr
  // TLS and the two roles' tokens; empty: plaintext, no authentication (loopback only).
  ServeCredentials credentials;
  bool insecure = false;  // allow plaintext or no tokens off loopback (CheckListenSecurity)
  // Prometheus metrics over HTTP at /metrics; "" serves none, a bare port means loopback. It
  // asks for the client token as a bearer token when the coordinator has tokens; an address off
  // loopback needs `insecure` (the token would cross the network in plaintext).
  std::string metrics_listen;
};

class CoordinatorServer {
 public:
  // Checks that the data directory is owner-only (creating it so when absent) and that `listen`
  // may be served with the credentials given, opens the store (resuming every sweep in it) and
  // starts serving.
  static StatusOr<std::unique_ptr<CoordinatorServer>> Start(const CoordinatorOptions& options);
  ~CoordinatorServer();  // Shutdown() if not done

  // "host:port" actually bound (the port filled in when 0 was asked for).
  const std::string& address() const { return address_; }
  // "host:port" of the metrics endpoint; "" when it serves none.
  const std::string& metrics_address() const;
  JobScheduler& scheduler() { return *scheduler_; }

  // Stops accepting calls, lets running ones finish (a few seconds at most), closes the store.
  void Shutdown();

 private:
  CoordinatorServer() = default;
  void ExpireLoop();

  std::unique_ptr<CallAuthorizer> authorizer_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<JobScheduler> scheduler_;
  std::unique_ptr<SweepServiceImpl> sweep_service_;
  std::unique_ptr<WorkerServiceImpl> worker_service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<MetricsHttpServer> metrics_;
  std::string address_;
  std::thread expire_thread_;
  Mutex mu_;
  CondVar stop_cv_;
  bool stopping_ AUGSWEEP_GUARDED_BY(mu_) = false;
};

}  // namespace augsweep
