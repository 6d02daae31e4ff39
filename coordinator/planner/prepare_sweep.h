// From a parsed spec and the dataset's bytes to everything a sweep needs before it is stored:
// the validated dataset, the fold splits, the warnings and the job plan. Shared by the
// coordinator's SubmitSweep and by `augsweep plan`, so that both see the same errors.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/dataset/dataset.h"
#include "common/folds/stratified_folds.h"
#include "common/spec/sweep_spec.h"
#include "common/status.h"
#include "coordinator/planner/job_planner.h"

namespace augsweep {

struct PreparedSweep {
  ParsedSpec parsed;  // spec and warnings, the dataset's warnings included
  Dataset dataset;
  std::string dataset_fingerprint;
  std::vector<FoldSplit> splits;  // one per CV repeat
  Plan plan;
};

// Reads nothing but the model folders the spec names (for their identities).
StatusOr<PreparedSweep> PrepareSweep(ParsedSpec parsed, std::string_view dataset_bytes);

// Content-derived artifact ids, so the same data is stored once.
std::string DatasetArtifactId(const std::string& dataset_fingerprint);
std::string FoldsArtifactId(const std::vector<FoldSplit>& splits);

}  // namespace augsweep
