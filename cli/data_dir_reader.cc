#include "cli/data_dir_reader.h"

#include <chrono>
#include <thread>
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

// The store as it is now, read-only, with a scheduler loaded from it.
StatusOr<std::unique_ptr<SweepReader>> OpenSnapshot(const std::string& data_dir) {
  StoreOptions options;
  options.read_only = true;
  // A coordinator holding the store may delete a file (a compaction) while it is being opened:
  // an I/O error then is worth another try; a missing or foreign store is not.
  StatusOr<std::unique_ptr<Store>> opened = Store::Open(data_dir, options);
  for (int attempt = 1; attempt < 3 && !opened.ok() &&
                        (opened.status().code() == StatusCode::kInternal ||
                         opened.status().code() == StatusCode::kUnavailable);
       ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    opened = Store::Open(data_dir, options);
  }
  AUGSWEEP_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, std::move(opened));
  AUGSWEEP_ASSIGN_OR_RETURN(std::unique_ptr<JobScheduler> scheduler,
                            JobScheduler::Load(store.get(), SchedulerOptions{}));
  return std::unique_ptr<SweepReader>(
      std::make_unique<DataDirReader>(std::move(store), std::move(scheduler)));
}

// Each call on a fresh snapshot.
class ReopeningReader final : public SweepReader {
 public:
  explicit ReopeningReader(std::string data_dir) : data_dir_(std::move(data_dir)) {}

  StatusOr<v1::SweepStatus> GetStatus(const std::string& sweep_id) override {
    return Fresh([&](SweepReader& now) { return now.GetStatus(sweep_id); });
  }
  StatusOr<v1::ListSweepsResponse> ListSweeps() override {
    return Fresh([](SweepReader& now) { return now.ListSweeps(); });
  }
  StatusOr<v1::GetResultsResponse> GetResults(const v1::GetResultsRequest& request) override {
    return Fresh([&](SweepReader& now) { return now.GetResults(request); });
  }
  StatusOr<v1::GetTextsResponse> GetTexts(const v1::GetTextsRequest& request) override {
    return Fresh([&](SweepReader& now) { return now.GetTexts(request); });
  }
  StatusOr<v1::ListEventsResponse> ListEvents(const v1::ListEventsRequest& request) override {
    return Fresh([&](SweepReader& now) { return now.ListEvents(request); });
  }
  StatusOr<v1::ListWorkersResponse> ListWorkers() override { return v1::ListWorkersResponse(); }
  StatusOr<v1::SweepDescription> DescribeSweep(const std::string& sweep_id) override {
    return Fresh([&](SweepReader& now) { return now.DescribeSweep(sweep_id); });
  }

 private:
  template <typename Call>
  auto Fresh(const Call& call) -> decltype(call(std::declval<SweepReader&>())) {
    AUGSWEEP_ASSIGN_OR_RETURN(std::unique_ptr<SweepReader> now, OpenSnapshot(data_dir_));
    return call(*now);
  }

  const std::string data_dir_;
};

}  // namespace

StatusOr<std::unique_ptr<SweepReader>> OpenDataDirReader(const std::string& data_dir,
                                                         bool reopen_per_call) {
  if (!reopen_per_call) return OpenSnapshot(data_dir);
  AUGSWEEP_RETURN_IF_ERROR(OpenSnapshot(data_dir).status());  // report a bad directory now
  return std::unique_ptr<SweepReader>(std::make_unique<ReopeningReader>(data_dir));
}

}  // namespace augsweep::cli
