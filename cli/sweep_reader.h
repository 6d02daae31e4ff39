// What the read commands (status, results, texts, events, report, workers) ask: implemented by
// SweepClient against a running coordinator and by DataDirReader straight on a data directory.
#pragma once

#include <string>

#include "augsweep/v1/sweep_service.pb.h"
#include "common/status.h"

namespace augsweep::cli {

class SweepReader {
 public:
  virtual ~SweepReader() = default;
  virtual StatusOr<v1::SweepStatus> GetStatus(const std::string& sweep_id) = 0;
  virtual StatusOr<v1::ListSweepsResponse> ListSweeps() = 0;
  virtual StatusOr<v1::GetResultsResponse> GetResults(const v1::GetResultsRequest& request) = 0;
  virtual StatusOr<v1::GetTextsResponse> GetTexts(const v1::GetTextsRequest& request) = 0;
  virtual StatusOr<v1::ListEventsResponse> ListEvents(const v1::ListEventsRequest& request) = 0;
  virtual StatusOr<v1::SweepDescription> DescribeSweep(const std::string& sweep_id) = 0;
  virtual StatusOr<v1::ListWorkersResponse> ListWorkers() = 0;
};

}  // namespace augsweep::cli
