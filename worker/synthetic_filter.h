// The FILTER job's work: a generate job's SyntheticSet through a FilterSpec's checks, in order —
// sanity, then near duplicates, then label consistency — each seeing only what the one before
// kept. The output keeps the generation order (the first n of a theme stay "the first n", so one
// filtered set serves every augment count) and records every text it dropped, with its check
// and reason. Only the fold's real training texts are used: the test fold never enters.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "augsweep/v1/job.pb.h"
#include "common/status.h"
#include "worker/executors/executor.h"
#include "worker/executors/executor_registry.h"

namespace augsweep {

struct FilterInputs {
  const v1::FilterSpec* filter = nullptr;
  const v1::SyntheticSet* generated = nullptr;
  std::vector<std::string> themes;       // the job's themes, in label-index order
  std::vector<LabelledText> real_train;  // the fold's training part
  uint64_t seed = 0;                     // the label check's classifier training
};

// The filtered set, without measures or audit (the caller computes them on what it kept).
// Errors: FailedPrecondition when the label check's classifier kind is not in `executors`;
// DataLoss for a set naming a theme the job does not have; the classifier's own errors.
StatusOr<v1::SyntheticSet> FilterSyntheticSet(const FilterInputs& inputs,
                                              const ExecutorRegistry& executors,
                                              JobControl& control);

}  // namespace augsweep
