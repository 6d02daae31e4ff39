// The label-consistency filter (LAMBADA, Anaby-Tavor et al. 2020; relabelling as in Chung et al.
// 2023): a classifier trained on the fold's real training texts only scores every synthetic text,
// and a text whose probability for the theme it was written for falls below a threshold is
// dropped, or given the themes the classifier does find (multi-label data). The test fold never
// enters: the classifier sees the real training texts, and scores the synthetic ones.
#pragma once

#include <string>
#include <vector>

#include "augsweep/v1/spec.pb.h"
#include "common/status.h"
#include "worker/executors/executor.h"

namespace augsweep {

enum class LabelAction {
  kDrop,     // keep a text only if its intended theme scores >= threshold
  kRelabel,  // label a text with every theme scoring >= threshold; drop it when there is none
};

struct CandidateText {
  std::string text;
  int theme = 0;  // the theme it was written for (index into themes)
};

struct LabelVerdict {
  bool keep = false;
  std::vector<int> labels;           // the themes it goes into training with (sorted)
  std::vector<float> probabilities;  // per theme, from the real-data classifier
};

// Trains `classifier` (with `spec`) on `real` and scores `candidates`; one verdict per candidate,
// in order. Errors are the classifier's.
StatusOr<std::vector<LabelVerdict>> CheckLabels(ClassifierExecutor& classifier,
                                                const v1::ClassifierSpec& spec, uint64_t seed,
                                                const std::vector<std::string>& themes,
                                                const std::vector<LabelledText>& real,
                                                const std::vector<CandidateText>& candidates,
                                                double threshold, LabelAction action,
                                                JobControl& control);

}  // namespace augsweep
