#include "cli/sweep_client.h"

#include <chrono>

#include "common/sha256.h"
#include "common/tunables.h"
#include "rpc/grpc_status.h"
#include "rpc/rpc_options.h"

namespace augsweep::cli {
namespace {

// A call's context; `deadline_calls`: its deadline in call deadlines (rpc_call_deadline_ms).
std::unique_ptr<grpc::ClientContext> Context(int64_t deadline_calls = 1) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(DeadlineIn(deadline_calls * GetTunables().rpc_call_deadline_ms));
  return context;
}

}  // namespace

SweepClient::SweepClient(std::string address, StatusOr<std::shared_ptr<grpc::Channel>> channel)
    : address_(std::move(address)), unusable_(channel.status()) {
  if (channel.ok()) stub_ = v1::SweepService::NewStub(*channel);
}

// `response` by reference: it is read after the call that fills it has run.
template <typename Response>
static StatusOr<Response> Finish(const std::string& address, const grpc::Status& s,
                                 const Response& response) {
  if (s.ok()) return response;
  const Status status = FromGrpc(s);
  // Transient (IsTransient): the coordinator is down, overloaded or shutting down.
  if (!IsTransient(s)) return status;
  return Status(status.code(), "cannot reach the coordinator at " + address + " (" +
                                   status.message() +
                                   "); is it running, and do --credentials fit it (TLS, CA)?");
}

StatusOr<v1::SubmitSweepResponse> SweepClient::Submit(const ParsedSpec& spec,
                                                      const std::string& spec_yaml,
                                                      const std::string& dataset_bytes) {
  if (!unusable_.ok()) return unusable_;
  auto context = Context(10);  // the dataset may be large
  v1::SubmitSweepResponse response;
  auto writer = stub_->SubmitSweep(context.get(), &response);
  v1::SubmitSweepRequest header;
  header.mutable_header()->set_spec_yaml(spec_yaml);
  *header.mutable_header()->mutable_spec() = spec.spec;
  header.mutable_header()->set_dataset_sha256(Sha256Hex(dataset_bytes));
  header.mutable_header()->set_dataset_size(dataset_bytes.size());
  bool open = writer->Write(header);
  for (size_t offset = 0; open && offset < dataset_bytes.size(); offset += kStreamChunkBytes) {
    v1::SubmitSweepRequest chunk;
    chunk.mutable_dataset_chunk()->set_offset(offset);
    chunk.mutable_dataset_chunk()->set_data(dataset_bytes.substr(offset, kStreamChunkBytes));
    open = writer->Write(chunk);
  }
  writer->WritesDone();
  return Finish(address_, writer->Finish(), response);
}

StatusOr<v1::SweepStatus> SweepClient::GetStatus(const std::string& sweep_id) {
  if (!unusable_.ok()) return unusable_;
  v1::GetStatusRequest request;
  request.set_sweep_id(sweep_id);
  v1::SweepStatus response;
  return Finish(address_, stub_->GetStatus(Context().get(), request, &response), response);
}

StatusOr<v1::ListSweepsResponse> SweepClient::ListSweeps() {
  if (!unusable_.ok()) return unusable_;
  v1::ListSweepsResponse response;
  return Finish(address_, stub_->ListSweeps(Context().get(), v1::ListSweepsRequest(), &response),
                response);
}

StatusOr<v1::GetResultsResponse> SweepClient::GetResults(const v1::GetResultsRequest& request) {
  if (!unusable_.ok()) return unusable_;
  v1::GetResultsResponse response;
  return Finish(address_, stub_->GetResults(Context().get(), request, &response), response);
}

StatusOr<v1::GetTextsResponse> SweepClient::GetTexts(const v1::GetTextsRequest& request) {
  if (!unusable_.ok()) return unusable_;
  v1::GetTextsResponse response;
  return Finish(address_, stub_->GetTexts(Context().get(), request, &response), response);
}

StatusOr<v1::CancelSweepResponse> SweepClient::Cancel(const std::string& sweep_id) {
  if (!unusable_.ok()) return unusable_;
  v1::CancelSweepRequest request;
  request.set_sweep_id(sweep_id);
  v1::CancelSweepResponse response;
  return Finish(address_, stub_->CancelSweep(Context().get(), request, &response), response);
}

StatusOr<v1::RetryFailedResponse> SweepClient::RetryFailed(const std::string& sweep_id) {
  if (!unusable_.ok()) return unusable_;
  v1::RetryFailedRequest request;
  request.set_sweep_id(sweep_id);
  v1::RetryFailedResponse response;
  return Finish(address_, stub_->RetryFailed(Context().get(), request, &response), response);
}

StatusOr<v1::ListWorkersResponse> SweepClient::ListWorkers() {
  if (!unusable_.ok()) return unusable_;
  v1::ListWorkersResponse response;
  return Finish(address_, stub_->ListWorkers(Context().get(), v1::ListWorkersRequest(), &response),
                response);
}

StatusOr<v1::ListEventsResponse> SweepClient::ListEvents(const v1::ListEventsRequest& request) {
  if (!unusable_.ok()) return unusable_;
  v1::ListEventsResponse response;
  return Finish(address_, stub_->ListEvents(Context().get(), request, &response), response);
}

StatusOr<v1::SweepDescription> SweepClient::DescribeSweep(const std::string& sweep_id) {
  if (!unusable_.ok()) return unusable_;
  v1::DescribeSweepRequest request;
  request.set_sweep_id(sweep_id);
  v1::SweepDescription response;
  return Finish(address_, stub_->DescribeSweep(Context().get(), request, &response), response);
}

}  // namespace augsweep::cli
