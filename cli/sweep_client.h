// The CLI's side of augsweep.v1.SweepService: submit (spec + dataset upload as a chunk stream),
// status, results, texts, events, cancel, retry, workers. Errors come back as Status with the
// server's message.
#pragma once

#include <memory>
#include <string>

#include "augsweep/v1/sweep_service.grpc.pb.h"
#include "cli/sweep_reader.h"
#include "common/spec/sweep_spec.h"
#include "common/status.h"

namespace augsweep::cli {

class SweepClient final : public SweepReader {
 public:
  // A client of the coordinator at `address` over `channel` (MakeCoordinatorChannel). When the
  // channel could not be made, every call returns that error.
  SweepClient(std::string address, StatusOr<std::shared_ptr<grpc::Channel>> channel);

  // Uploads the parsed spec, its YAML text and the dataset's bytes.
  StatusOr<v1::SubmitSweepResponse> Submit(const ParsedSpec& spec, const std::string& spec_yaml,
                                           const std::string& dataset_bytes);
  StatusOr<v1::SweepStatus> GetStatus(const std::string& sweep_id) override;
  StatusOr<v1::ListSweepsResponse> ListSweeps() override;
  StatusOr<v1::GetResultsResponse> GetResults(const v1::GetResultsRequest& request) override;
  StatusOr<v1::GetTextsResponse> GetTexts(const v1::GetTextsRequest& request) override;
  StatusOr<v1::CancelSweepResponse> Cancel(const std::string& sweep_id);
  StatusOr<v1::RetryFailedResponse> RetryFailed(const std::string& sweep_id);
  StatusOr<v1::ListWorkersResponse> ListWorkers() override;
  StatusOr<v1::ListEventsResponse> ListEvents(const v1::ListEventsRequest& request) override;
  StatusOr<v1::SweepDescription> DescribeSweep(const std::string& sweep_id) override;

 private:
  std::string address_;
  Status unusable_;  // why there is no stub
  std::unique_ptr<v1::SweepService::Stub> stub_;
};

}  // namespace augsweep::cli
