// Runs one leased job: fetches the dataset and the fold split, hands the executor exactly what it
// may see, and turns its output into a JobResult.
//   GENERATE: the fold's training texts → generator → SyntheticSet, stored as an artifact.
//   FILTER: a generate job's SyntheticSet + the fold's training texts → the filter's checks →
//   a filtered SyntheticSet in generation order, stored as an artifact.
//   TRAIN_EVAL: training texts + the first n synthetic texts per theme → classifier → scores of
//   the test fold → per-theme and macro AUC. Synthetic texts only ever join the training side.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "augsweep/v1/job.pb.h"
#include "augsweep/v1/worker_service.pb.h"
#include "common/dataset/dataset.h"
#include "common/folds/stratified_folds.h"
#include "common/mutex.h"
#include "worker/artifact_exchange.h"
#include "worker/executors/executor.h"
#include "worker/executors/executor_registry.h"

namespace augsweep {

// The artifact id under which a generate or filter job stores its synthetic texts.
std::string SyntheticArtifactId(const std::string& job_key);

// What the executors receive; free functions so that tests can check what crosses the fold line.
StatusOr<GenerateRequest> BuildGenerateRequest(const v1::JobSpec& job, const Dataset& dataset,
                                               const FoldSplit& split);
// `synthetic` may be null for the baseline. `test_indices` receives the test fold's examples;
// `synthetic_per_theme` (may be null) the synthetic texts taken per theme, at most n each. A
// relabelled text trains with its labels, and counts for the theme it was written for.
StatusOr<TrainRequest> BuildTrainRequest(const v1::JobSpec& job, const Dataset& dataset,
                                         const FoldSplit& split, const v1::SyntheticSet* synthetic,
                                         std::vector<int>* test_indices,
                                         std::vector<int>* synthetic_per_theme = nullptr);

class JobRunner {
 public:
  // Neither is owned; both must outlive the runner.
  JobRunner(const ExecutorRegistry* executors, ArtifactExchange* artifacts)
      : executors_(executors), artifacts_(artifacts) {}

  // The result carries the lease's job key and attempt. Errors: InvalidArgument/NotFound/
  // FailedPrecondition when retrying cannot help, Cancelled when control was cancelled.
  StatusOr<v1::JobResult> Run(const v1::Lease& lease, JobControl& control);

 private:
  struct JobData {
    Dataset dataset;
    std::vector<FoldSplit> splits;
  };
  StatusOr<std::shared_ptr<const JobData>> LoadData(const v1::JobSpec& job);
  StatusOr<v1::JobResult> RunGenerate(const v1::JobSpec& job, const JobData& data,
                                      JobControl& control);
  StatusOr<v1::JobResult> RunFilter(const v1::JobSpec& job, const JobData& data,
                                    JobControl& control);
  StatusOr<v1::JobResult> RunTrainEval(const v1::JobSpec& job, const JobData& data,
                                       JobControl& control);
  // The SyntheticSet a generate or filter job stored.
  StatusOr<v1::SyntheticSet> FetchSyntheticSet(const std::string& job_key);
  // Measures and audits `set` against the real training texts and stores it as `job_key`'s
  // synthetic artifact; returns the artifact id.
  StatusOr<std::string> MeasureAndStore(const std::string& job_key,
                                        const std::vector<LabelledText>& real_train,
                                        v1::SyntheticSet& set);

  const ExecutorRegistry* const executors_;
  ArtifactExchange* const artifacts_;
  Mutex mu_;
  // By dataset + folds artifact ids; jobs of several threads may share a runner.
  std::map<std::string, std::shared_ptr<const JobData>> data_cache_ AUGSWEEP_GUARDED_BY(mu_);
};

}  // namespace augsweep
