#include "coordinator/server/coordinator_server.h"

#include <chrono>

#include "common/tunables.h"
#include "coordinator/server/metrics_http_server.h"
#include "coordinator/server/prometheus_text.h"
#include "coordinator/service/sweep_service_impl.h"
#include "coordinator/service/worker_service_impl.h"
#include "rpc/rpc_options.h"
#include "rpc/transport_security.h"
#include "security/private_files.h"

namespace augsweep {
namespace {

// A data directory the coordinator cannot use (unwritable, corrupted, not a store) is bad input,
// as a bad flag is: FailedPrecondition, which the command exits 2 for. Its message already
// names the directory.
Status AsDataDirError(const Status& status) {
  if (status.ok() || status.code() == StatusCode::kFailedPrecondition) return status;
  return FailedPreconditionError(status.message());
}

}  // namespace

StatusOr<std::unique_ptr<CoordinatorServer>> CoordinatorServer::Start(
    const CoordinatorOptions& options) {
  if (options.data_dir.empty())
    return InvalidArgumentError("the coordinator needs a data directory");
  AUGSWEEP_RETURN_IF_ERROR(
      CheckListenSecurity(options.listen, options.credentials, options.insecure));
  AUGSWEEP_RETURN_IF_ERROR(
      AsDataDirError(EnsureOwnerOnlyDirectory(options.data_dir, "the data directory")));
  std::unique_ptr<CoordinatorServer> c(new CoordinatorServer());
  c->authorizer_ = std::make_unique<CallAuthorizer>(
      options.credentials.client_token, options.credentials.worker_token, "augsweep-coordinator");
  {
    StatusOr<std::unique_ptr<Store>> store = Store::Open(options.data_dir);
    // Another coordinator holding the store is not a bad directory: it stays Unavailable.
    if (store.status().code() == StatusCode::kUnavailable) return store.status();
    AUGSWEEP_RETURN_IF_ERROR(AsDataDirError(store.status()));
    c->store_ = std::move(store).value();
  }
  StatusOr<std::unique_ptr<JobScheduler>> scheduler =
      JobScheduler::Load(c->store_.get(), options.scheduler);
  AUGSWEEP_RETURN_IF_ERROR(AsDataDirError(scheduler.status()));
  c->scheduler_ = std::move(scheduler).value();
  c->sweep_service_ = std::make_unique<SweepServiceImpl>(c->store_.get(), c->scheduler_.get(),
                                                         c->authorizer_.get(), options.log_events);
  c->worker_service_ = std::make_unique<WorkerServiceImpl>(
      c->store_.get(), c->scheduler_.get(), c->authorizer_.get(), options.log_events);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options.listen, MakeServerCredentials(options.credentials), &port);
  ApplyServerLimits(builder);
  builder.RegisterService(c->sweep_service_.get());
  builder.RegisterService(c->worker_service_.get());
  c->server_ = builder.BuildAndStart();
  if (!c->server_ || port == 0) {
    return UnavailableError("cannot listen on " + options.listen + " (address in use or invalid)");
  }
  c->address_ = options.listen.substr(0, options.listen.rfind(':')) + ":" + std::to_string(port);
  if (!options.metrics_listen.empty()) {
    const std::string listen = options.metrics_listen.find(':') == std::string::npos
                                   ? "127.0.0.1:" + options.metrics_listen
                                   : options.metrics_listen;
    if (!IsLoopbackAddress(listen) && !options.insecure) {
      return FailedPreconditionError(
          "--metrics-listen " + listen +
          " is off loopback: metrics are plain HTTP, and scrapers send the client token; scrape "
          "through an SSH tunnel or a Prometheus agent on this host, or give --insecure on a "
          "network you trust entirely");
    }
    AUGSWEEP_ASSIGN_OR_RETURN(
        c->metrics_,
        MetricsHttpServer::Start(listen, options.credentials.client_token, [p = c.get()] {
          return RenderPrometheusText(p->scheduler_->Stats(), p->worker_service_->LeaseSeconds());
        }));
  }
  c->expire_thread_ = std::thread([p = c.get()] { p->ExpireLoop(); });
  return c;
}

void CoordinatorServer::ExpireLoop() {
  MutexLock lock(&mu_);
  while (!stopping_) {
    stop_cv_.WaitUntil(&mu_, std::chrono::steady_clock::now() +
                                 std::chrono::milliseconds(GetTunables().lease_expiry_period_ms));
    if (stopping_) break;
    mu_.Unlock();
    scheduler_->ExpireLeases();
    mu_.Lock();
  }
}

void CoordinatorServer::Shutdown() {
  {
    MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  stop_cv_.SignalAll();
  if (scheduler_) scheduler_->Shutdown();  // releases long-polling LeaseJob calls
  metrics_.reset();                        // its scrapes read the scheduler: stop it first
  if (server_) server_->Shutdown(DeadlineIn(GetTunables().shutdown_grace_ms));
  if (expire_thread_.joinable()) expire_thread_.join();
}

const std::string& CoordinatorServer::metrics_address() const {
  static const std::string kNone;
  return metrics_ ? metrics_->address() : kNone;
}

CoordinatorServer::~CoordinatorServer() {
  Shutdown();
  server_.reset();
  scheduler_.reset();
  store_.reset();
}

}  // namespace augsweep
