// The coordinator's access rules, checked against a running augsweep-coordinator process: every
// RPC of both services, called with no token, a token of no role, the other role's token and its
// own role's token, must answer UNAUTHENTICATED, UNAUTHENTICATED, PERMISSION_DENIED and something
// else (the call itself may then fail: the requests are empty). A method missing from the table
// below fails the check, so a new RPC cannot ship without its role.
//
// usage: auth_matrix_check ADDRESS CREDENTIALS_DIR   (the folder --init-credentials made)
// Prints one line per call; exits 0 when every answer is the expected one.
#include <google/protobuf/descriptor.h>

#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "augsweep/v1/sweep_service.grpc.pb.h"
#include "augsweep/v1/worker_service.grpc.pb.h"
#include "rpc/rpc_options.h"
#include "security/credentials.h"

namespace augsweep {
namespace {

using Call = std::function<grpc::Status(const std::shared_ptr<grpc::Channel>&)>;

// A unary call of `method` on a stub of `Service` with an empty request.
template <typename Service, typename Request, typename Response>
Call Unary(grpc::Status (Service::Stub::*method)(grpc::ClientContext*, const Request&, Response*)) {
  return [method](const std::shared_ptr<grpc::Channel>& channel) {
    auto stub = Service::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(DeadlineIn(30'000));
    Response response;
    return ((*stub).*method)(&context, Request(), &response);
  };
}

// A client-streaming call of `method` that sends nothing.
template <typename Service, typename Request, typename Response>
Call ClientStream(std::unique_ptr<grpc::ClientWriter<Request>> (Service::Stub::*method)(
    grpc::ClientContext*, Response*)) {
  return [method](const std::shared_ptr<grpc::Channel>& channel) {
    auto stub = Service::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(DeadlineIn(30'000));
    Response response;
    auto writer = ((*stub).*method)(&context, &response);
    writer->WritesDone();
    return writer->Finish();
  };
}

grpc::Status GetArtifact(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = v1::WorkerService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(DeadlineIn(30'000));
  v1::GetArtifactRequest request;
  request.set_artifact_id("no-such-artifact");
  auto reader = stub->GetArtifact(&context, request);
  v1::ArtifactChunk chunk;
  while (reader->Read(&chunk)) {
  }
  return reader->Finish();
}

struct Method {
  Role role;
  Call call;
};

// Every RPC and the role it belongs to (security/credentials.h).
std::map<std::string, Method> Methods() {
  using S = v1::SweepService;
  using W = v1::WorkerService;
  const Role kClient = Role::kClient, kWorker = Role::kWorker;
  return {
      {"SweepService.SubmitSweep", {kClient, ClientStream<S>(&S::Stub::SubmitSweep)}},
      {"SweepService.GetStatus", {kClient, Unary<S>(&S::Stub::GetStatus)}},
      {"SweepService.ListSweeps", {kClient, Unary<S>(&S::Stub::ListSweeps)}},
      {"SweepService.GetResults", {kClient, Unary<S>(&S::Stub::GetResults)}},
      {"SweepService.CancelSweep", {kClient, Unary<S>(&S::Stub::CancelSweep)}},
      {"SweepService.RetryFailed", {kClient, Unary<S>(&S::Stub::RetryFailed)}},
      {"SweepService.ListWorkers", {kClient, Unary<S>(&S::Stub::ListWorkers)}},
      {"SweepService.ListEvents", {kClient, Unary<S>(&S::Stub::ListEvents)}},
      {"SweepService.GetTexts", {kClient, Unary<S>(&S::Stub::GetTexts)}},
      {"SweepService.DescribeSweep", {kClient, Unary<S>(&S::Stub::DescribeSweep)}},
      {"WorkerService.RegisterWorker", {kWorker, Unary<W>(&W::Stub::RegisterWorker)}},
      {"WorkerService.LeaseJob", {kWorker, Unary<W>(&W::Stub::LeaseJob)}},
      {"WorkerService.Heartbeat", {kWorker, Unary<W>(&W::Stub::Heartbeat)}},
      {"WorkerService.CompleteJob", {kWorker, Unary<W>(&W::Stub::CompleteJob)}},
      {"WorkerService.FailJob", {kWorker, Unary<W>(&W::Stub::FailJob)}},
      {"WorkerService.GiveBackLease", {kWorker, Unary<W>(&W::Stub::GiveBackLease)}},
      {"WorkerService.GetArtifact", {kWorker, GetArtifact}},
      {"WorkerService.PutArtifact", {kWorker, ClientStream<W>(&W::Stub::PutArtifact)}},
  };
}

// The methods the services declare, as "Service.Method".
std::set<std::string> DeclaredMethods() {
  std::set<std::string> names;
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const char* name : {"augsweep.v1.SweepService", "augsweep.v1.WorkerService"}) {
    const google::protobuf::ServiceDescriptor* service = pool->FindServiceByName(name);
    if (service == nullptr) {
      names.insert(std::string(name) + " (not linked in)");
      continue;
    }
    for (int i = 0; i < service->method_count(); ++i)
      names.insert(service->name() + "." + service->method(i)->name());
  }
  return names;
}

int Check(const std::string& address, const std::string& dir) {
  StatusOr<DialCredentials> client = LoadDialCredentials(dir + "/client", Role::kClient);
  StatusOr<DialCredentials> worker = LoadDialCredentials(dir + "/worker", Role::kWorker);
  if (!client.ok() || !worker.ok()) {
    std::fprintf(stderr, "cannot read the credentials in %s\n", dir.c_str());
    return 2;
  }
  auto channel_with = [&](const std::string& token) {
    DialCredentials dial = *client;
    dial.token = token;
    StatusOr<std::shared_ptr<grpc::Channel>> channel = MakeCoordinatorChannel(address, dial);
    if (!channel.ok()) {
      std::fprintf(stderr, "%s\n", channel.status().ToString().c_str());
      std::exit(2);
    }
    return *channel;
  };
  const std::map<Role, std::shared_ptr<grpc::Channel>> own = {
      {Role::kClient, channel_with(client->token)}, {Role::kWorker, channel_with(worker->token)}};
  const auto no_token = channel_with("");
  const auto no_role = channel_with(std::string(64, 'f'));

  int wrong = 0;
  const std::map<std::string, Method> methods = Methods();
  for (const std::string& declared : DeclaredMethods()) {
    if (!methods.count(declared)) {
      std::printf("MISSING %s: no role in auth_matrix_check's table\n", declared.c_str());
      ++wrong;
    }
  }
  auto expect = [&](const std::string& name, const char* caller, grpc::Status got,
                    bool want_refused, grpc::StatusCode want) {
    const bool refused = got.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
                         got.error_code() == grpc::StatusCode::PERMISSION_DENIED;
    const bool ok = want_refused ? got.error_code() == want : !refused;
    std::printf("%-4s %-30s %-16s -> %d %s\n", ok ? "ok" : "FAIL", name.c_str(), caller,
                static_cast<int>(got.error_code()), got.error_message().c_str());
    wrong += !ok;
  };
  for (const auto& [name, method] : methods) {
    const Role other = method.role == Role::kClient ? Role::kWorker : Role::kClient;
    expect(name, "no token", method.call(no_token), true, grpc::StatusCode::UNAUTHENTICATED);
    expect(name, "token of no role", method.call(no_role), true, grpc::StatusCode::UNAUTHENTICATED);
    expect(name, other == Role::kClient ? "client token" : "worker token",
           method.call(own.at(other)), true, grpc::StatusCode::PERMISSION_DENIED);
    expect(name, method.role == Role::kClient ? "client token" : "worker token",
           method.call(own.at(method.role)), false, grpc::StatusCode::OK);
  }
  std::printf("%s\n", wrong == 0 ? "auth matrix: every answer as expected"
                                 : "auth matrix: some answers were wrong");
  return wrong == 0 ? 0 : 1;
}

}  // namespace
}  // namespace augsweep

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s ADDRESS CREDENTIALS_DIR\n", argv[0]);
    return 2;
  }
  return augsweep::Check(argv[1], argv[2]);
}
