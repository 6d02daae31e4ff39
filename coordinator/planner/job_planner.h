// Expands a sweep spec into the job DAG (docs/ARCHITECTURE.md, "The job DAG"):
//   - one GENERATE job per (generator, temperature, repeat, fold) writing N_max =
//   max(augment_counts)
//     texts per theme from the fold's training part only; a generator that ignores temperature
//     (eda) has one job for all temperatures;
//   - with `filters:`, one FILTER job per (filter with checks, generate job), whose output keeps
//     the generation order; a filter without checks uses the generate job itself;
//   - one TRAIN_EVAL job per (classifier, generate or filter job, n > 0), using the first n texts
//     (prefix sharing: one generation serves every n, every classifier and every filter);
//   - one baseline TRAIN_EVAL job (n = 0) per (classifier, repeat, fold), shared by every row.
// Keys are content hashes of everything that changes a job's output, so the same key means the
// same result, across sweeps too. Pure: no I/O; model identities are computed by the caller.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "augsweep/v1/job.pb.h"
#include "augsweep/v1/spec.pb.h"
#include "common/folds/stratified_folds.h"
#include "common/status.h"

namespace augsweep {

struct PlanInputs {
  const v1::SweepSpec* spec = nullptr;
  std::string dataset_fingerprint;  // DatasetFingerprint() of the sweep's data
  std::vector<std::string> themes;  // the dataset's themes, in label-index order
  std::string dataset_artifact;     // artifact ids the jobs refer to
  std::string folds_artifact;
  const std::vector<FoldSplit>* splits = nullptr;     // one per CV repeat
  std::map<std::string, std::string> model_identity;  // model_dir -> ModelIdentity()
};

struct Plan {
  std::vector<v1::JobSpec> jobs;     // unique jobs, generate jobs first, in a stable order
  std::vector<v1::SweepCell> cells;  // the table's cells (baseline once per classifier and fold)
  // generators × temperatures × filters × counts × classifiers × folds × repeats
  int64_t naive_cells = 0;
  int64_t naive_jobs = 0;  // if every cell generated its own texts: train/eval + generate jobs
  int64_t generate_jobs = 0;
  int64_t filter_jobs = 0;
  int64_t train_eval_jobs = 0;  // baselines included
  int64_t baseline_jobs = 0;

  int64_t unique_jobs() const { return generate_jobs + filter_jobs + train_eval_jobs; }
  // "720 grid cells → 615 unique jobs (60 generate, 555 train/eval incl. 15 baselines)..."
  std::string Summary() const;
};

StatusOr<Plan> PlanSweep(const PlanInputs& inputs);

// The code version of the filter job (part of its key): bump it when the checks' output changes.
inline constexpr char kFilterCodeVersion[] = "filter/1";

// The most grid cells a sweep may have (generators × temperatures × filters × counts ×
// classifiers × folds × repeats); the reference study has 720.
inline constexpr int64_t kMaxGridCells = 10'000'000;

// Digest of one repeat's fold assignment: every key of that repeat changes when the split does.
std::string SplitDigest(const FoldSplit& split);

}  // namespace augsweep
