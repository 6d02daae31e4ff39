// Small facts about the stored job records, shared by the state machine and its status view.
#pragma once

#include <algorithm>
#include <string>

#include "augsweep/v1/records.pb.h"
#include "coordinator/scheduler/scheduler_types.h"

namespace augsweep {

inline JobStage StageOf(v1::JobKind kind) {
  return kind == v1::GENERATE ? JobStage::kGenerate
         : kind == v1::FILTER ? JobStage::kFilter
                              : JobStage::kTrainEval;
}
inline JobStage StageOf(const v1::JobSpec& job) { return StageOf(job.kind()); }

// Ended without a result (FAILED, BLOCKED, CANCELLED): only a retry or a resubmission brings
// one.
inline bool EndedWithoutResult(v1::JobState s) {
  return s == v1::FAILED || s == v1::BLOCKED || s == v1::CANCELLED;
}

// A state no transition leaves on its own (RetryFailed and resubmission revive some).
inline bool IsTerminal(v1::JobState s) { return s == v1::SUCCEEDED || EndedWithoutResult(s); }

// A job key short enough for an event or an error line ("train-" + 12 hex).
inline std::string ShortKey(const std::string& key) {
  return key.substr(0, std::min<size_t>(key.size(), 18));
}

}  // namespace augsweep
