// The dataset and fold splits as the artifacts jobs read (augsweep.v1.DatasetData,
// FoldAssignments): written by the coordinator at submission, read by workers.
#pragma once

#include <string>
#include <vector>

#include "augsweep/v1/data.pb.h"
#include "common/dataset/dataset.h"
#include "common/folds/stratified_folds.h"
#include "common/status.h"

namespace augsweep {

v1::DatasetData DatasetToProto(const Dataset& dataset, const std::string& fingerprint);
// Checks what a worker relies on (label indices in range) and names the artifact on error.
StatusOr<Dataset> DatasetFromProto(const v1::DatasetData& data);

v1::FoldAssignments SplitsToProto(const std::vector<FoldSplit>& splits);
// Checks that every split covers `num_examples` examples with fold numbers in range.
StatusOr<std::vector<FoldSplit>> SplitsFromProto(const v1::FoldAssignments& folds,
                                                 size_t num_examples);

}  // namespace augsweep
