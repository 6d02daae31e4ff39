#include "cli/data_dir_reader.h"

#include <utility>

#include "coordinator/scheduler/job_scheduler.h"
#include "coordinator/service/sweep_queries.h"
#include "coordinator/store/store.h"

namespace augsweep::cli {
namespace {

class DataDirReader final : public SweepReader {
 public:
  DataDirReader(std::unique_ptr<Store> store, std::unique_ptr<JobScheduler> scheduler)
      : store_(std::move(store)),
        scheduler_(std::move(scheduler)),
        queries_(store_.get(), scheduler_.get()) {}

  StatusOr<v1::SweepStatus> GetStatus(const std::string& sweep_id) override {
    v1::GetStatusRequest request;
    request.set_sweep_id(sweep_id);
    return queries_.GetStatus(request);
  }
  StatusOr<v1::ListSweepsResponse> ListSweeps() override { return queries_.ListSweeps(); }
  StatusOr<v1::GetResultsResponse> GetResults(const v1::GetResultsRequest& request) override {
    return queries_.GetResults(request);
  }
  StatusOr<v1::GetTextsResponse> GetTexts(const v1::GetTextsRequest& request) override {
    return queries_.GetTexts(request);
  }
  StatusOr<v1::ListEventsResponse> ListEvents(const v1::ListEventsRequest& request) override {
    return queries_.ListEvents(request);
  }
  // No process runs here: the data directory knows no live worker.
  StatusOr<v1::ListWorkersResponse> ListWorkers() override { return v1::ListWorkersResponse(); }
  StatusOr<v1::SweepDescription> DescribeSweep(const std::string& sweep_id) override {
    v1::DescribeSweepRequest request;
    request.set_sweep_id(sweep_id);
    return queries_.DescribeSweep(request);
  }

 private:
  std::unique_ptr<Store> store_;  // declared first: the scheduler reads it until it is gone
  std::unique_ptr<JobScheduler> scheduler_;
  SweepQueries queries_;
};

}  // namespace

StatusOr<std::unique_ptr<SweepReader>> OpenDataDirReader(const std::string& data_dir) {
  StoreOptions options;
  options.read_only = true;
  AUGSWEEP_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(data_dir, options));
  AUGSWEEP_ASSIGN_OR_RETURN(std::unique_ptr<JobScheduler> scheduler,
                            JobScheduler::Load(store.get(), SchedulerOptions{}));
  return std::unique_ptr<SweepReader>(
      std::make_unique<DataDirReader>(std::move(store), std::move(scheduler)));
}

}  // namespace augsweep::cli
