#include "coordinator/service/sweep_service_impl.h"

#include <iostream>

#include "common/sha256.h"
#include "coordinator/planner/prepare_sweep.h"
#include "coordinator/service/scheduler_protos.h"
#include "rpc/grpc_status.h"

namespace augsweep {
namespace {

constexpr uint64_t kMaxDatasetBytes = uint64_t{1} << 30;

// The reply, or the error as a gRPC status.
template <typename Reply>
grpc::Status Answer(StatusOr<Reply> answer, Reply* response) {
  if (!answer.ok()) return ToGrpc(answer.status());
  *response = std::move(answer).value();
  return grpc::Status::OK;
}

// Reads the header and the dataset's chunks; checks size and checksum.
Status ReadSubmission(grpc::ServerReader<v1::SubmitSweepRequest>* reader,
                      v1::SubmitSweepHeader* header, std::string* dataset) {
  v1::SubmitSweepRequest message;
  if (!reader->Read(&message) || !message.has_header()) {
    return InvalidArgumentError("SubmitSweep: the first message must be the header");
  }
  *header = message.header();
  if (header->dataset_size() > kMaxDatasetBytes) {
    return InvalidArgumentError("SubmitSweep: the dataset is " +
                                std::to_string(header->dataset_size()) + " bytes; at most " +
                                std::to_string(kMaxDatasetBytes) + " are accepted");
  }
  dataset->reserve(header->dataset_size());
  while (reader->Read(&message)) {
    if (!message.has_dataset_chunk()) return InvalidArgumentError("SubmitSweep: a second header");
    if (message.dataset_chunk().offset() != dataset->size()) {
      return InvalidArgumentError("SubmitSweep: dataset chunk out of order");
    }
    dataset->append(message.dataset_chunk().data());
    if (dataset->size() > header->dataset_size()) break;
  }
  if (dataset->size() != header->dataset_size() ||
      Sha256Hex(*dataset) != header->dataset_sha256()) {
    return DataLossError(
        "SubmitSweep: the dataset arrived damaged (size or sha256 differ); submit again");
  }
  return OkStatus();
}

}  // namespace

grpc::Status SweepServiceImpl::SubmitSweep(grpc::ServerContext* context,
                                           grpc::ServerReader<v1::SubmitSweepRequest>* reader,
                                           v1::SubmitSweepResponse* response) {
  if (grpc::Status denied = authorizer_->Authorize(*context, Role::kClient, "SubmitSweep");
      !denied.ok())
    return denied;
  v1::SubmitSweepHeader header;
  std::string dataset;
  Status s = ReadSubmission(reader, &header, &dataset);
  // Everything is validated before anything is stored.
  if (s.ok()) s = ValidateResolvedSpec(header.spec());
  if (!s.ok()) return ToGrpc(s);
  StatusOr<PreparedSweep> prepared = PrepareSweep(ParsedSpec{header.spec(), {}}, dataset);
  if (!prepared.ok()) return ToGrpc(prepared.status());
  StatusOr<SubmitOutcome> outcome = scheduler_->Submit(*prepared, header.spec_yaml());
  if (!outcome.ok()) return ToGrpc(outcome.status());
  response->set_sweep_id(outcome->sweep_id);
  response->set_naive_cells(static_cast<int32_t>(prepared->plan.naive_cells));
  response->set_unique_jobs(outcome->unique_jobs);
  response->set_jobs_already_done(outcome->jobs_already_done);
  for (const auto& w : prepared->parsed.warnings) response->add_warnings(w);
  if (log_)
    std::cerr << "coordinator: sweep " << outcome->sweep_id << " (" << header.spec().name()
              << ") submitted, " << outcome->unique_jobs << " jobs, " << outcome->jobs_already_done
              << " already done\n";
  return grpc::Status::OK;
}

grpc::Status SweepServiceImpl::GetStatus(grpc::ServerContext* context,
                                         const v1::GetStatusRequest* request,
                                         v1::SweepStatus* response) {
  if (grpc::Status denied = authorizer_->Authorize(*context, Role::kClient, "GetStatus");
      !denied.ok())
    return denied;
  return Answer(queries_.GetStatus(*request), response);
}

grpc::Status SweepServiceImpl::ListSweeps(grpc::ServerContext* context,
                                          const v1::ListSweepsRequest*,
                                          v1::ListSweepsResponse* response) {
  if (grpc::Status denied = authorizer_->Authorize(*context, Role::kClient, "ListSweeps");
      !denied.ok())
    return denied;
  *response = queries_.ListSweeps();
  return grpc::Status::OK;
}

grpc::Status SweepServiceImpl::GetResults(grpc::ServerContext* context,
                                          const v1::GetResultsRequest* request,
                                          v1::GetResultsResponse* response) {
  if (grpc::Status denied = authorizer_->Authorize(*context, Role::kClient, "GetResults");
      !denied.ok())
    return denied;
  return Answer(queries_.GetResults(*request), response);
}

grpc::Status SweepServiceImpl::CancelSweep(grpc::ServerContext* context,
                                           const v1::CancelSweepRequest* request,
                                           v1::CancelSweepResponse* response) {
  if (grpc::Status denied = authorizer_->Authorize(*context, Role::kClient, "CancelSweep");
      !denied.ok())
    return denied;
  StatusOr<int32_t> n = scheduler_->CancelSweep(request->sweep_id());
  if (!n.ok()) return ToGrpc(n.status());
  response->set_jobs_cancelled(*n);
  return grpc::Status::OK;
}

grpc::Status SweepServiceImpl::RetryFailed(grpc::ServerContext* context,
                                           const v1::RetryFailedRequest* request,
                                           v1::RetryFailedResponse* response) {
  if (grpc::Status denied = authorizer_->Authorize(*context, Role::kClient, "RetryFailed");
      !denied.ok())
    return denied;
  StatusOr<int32_t> n = scheduler_->RetryFailed(request->sweep_id());
  if (!n.ok()) return ToGrpc(n.status());
  response->set_jobs_retried(*n);
  return grpc::Status::OK;
}

grpc::Status SweepServiceImpl::ListWorkers(grpc::ServerContext* context,
                                           const v1::ListWorkersRequest*,
                                           v1::ListWorkersResponse* response) {
  if (grpc::Status denied = authorizer_->Authorize(*context, Role::kClient, "ListWorkers");
      !denied.ok())
    return denied;
  for (const WorkerEntry& worker : scheduler_->ListWorkers())
    *response->add_workers() = ToProto(worker);
  return grpc::Status::OK;
}

grpc::Status SweepServiceImpl::ListEvents(grpc::ServerContext* context,
                                          const v1::ListEventsRequest* request,
                                          v1::ListEventsResponse* response) {
  if (grpc::Status denied = authorizer_->Authorize(*context, Role::kClient, "ListEvents");
      !denied.ok())
    return denied;
  return Answer(queries_.ListEvents(*request), response);
}

grpc::Status SweepServiceImpl::GetTexts(grpc::ServerContext* context,
                                        const v1::GetTextsRequest* request,
                                        v1::GetTextsResponse* response) {
  if (grpc::Status denied = authorizer_->Authorize(*context, Role::kClient, "GetTexts");
      !denied.ok())
    return denied;
  return Answer(queries_.GetTexts(*request), response);
}

grpc::Status SweepServiceImpl::DescribeSweep(grpc::ServerContext* context,
                                             const v1::DescribeSweepRequest* request,
                                             v1::SweepDescription* response) {
  if (grpc::Status denied = authorizer_->Authorize(*context, Role::kClient, "DescribeSweep");
      !denied.ok())
    return denied;
  return Answer(queries_.DescribeSweep(*request), response);
}

}  // namespace augsweep
