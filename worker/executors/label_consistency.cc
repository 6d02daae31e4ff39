#include "worker/executors/label_consistency.h"

namespace augsweep {

StatusOr<std::vector<LabelVerdict>> CheckLabels(ClassifierExecutor& classifier,
                                                const v1::ClassifierSpec& spec, uint64_t seed,
                                                const std::vector<std::string>& themes,
                                                const std::vector<LabelledText>& real,
                                                const std::vector<CandidateText>& candidates,
                                                double threshold, LabelAction action,
                                                JobControl& control) {
  TrainRequest request;
  request.classifier = spec;
  request.seed = seed;
  request.themes = themes;
  request.train = real;  // real texts only: no synthetic text judges another
  for (const CandidateText& c : candidates) request.test_texts.push_back(c.text);
  AUGSWEEP_ASSIGN_OR_RETURN(TrainOutcome outcome, classifier.TrainAndPredict(request, control));
  if (outcome.test_probabilities.size() != candidates.size())
    return InternalError("label consistency: the classifier scored " +
                         std::to_string(outcome.test_probabilities.size()) + " of " +
                         std::to_string(candidates.size()) + " texts");
  std::vector<LabelVerdict> verdicts;
  for (size_t i = 0; i < candidates.size(); ++i) {
    LabelVerdict v;
    v.probabilities = outcome.test_probabilities[i];
    const int intended = candidates[i].theme;
    if (action == LabelAction::kDrop) {
      v.keep = intended >= 0 && static_cast<size_t>(intended) < v.probabilities.size() &&
               v.probabilities[static_cast<size_t>(intended)] >= threshold;
      if (v.keep) v.labels = {intended};
    } else {
      for (size_t t = 0; t < v.probabilities.size(); ++t) {
        if (v.probabilities[t] >= threshold) v.labels.push_back(static_cast<int>(t));
      }
      v.keep = !v.labels.empty();
    }
    verdicts.push_back(std::move(v));
  }
  return verdicts;
}

}  // namespace augsweep
