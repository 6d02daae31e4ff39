// The interface every executor implements. A generator kind (eda, llama) turns a fold's training
// texts into synthetic texts per theme; a classifier kind (tfidf-logreg, roberta, ...) trains on
// labelled texts and scores the test texts. The worker's job runners do everything around them
// (fetching data, picking the fold, the first-n prefix, AUC, reporting), so an executor sees only
// what it may see: a generator never receives a test-fold text.
// A new model family is a new executor file registered in default_executors.cc (and a row in
// common/spec/executor_kinds.h), not a branch elsewhere.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "augsweep/v1/job.pb.h"
#include "augsweep/v1/spec.pb.h"
#include "common/status.h"

namespace augsweep {

struct LabelledText {
  std::string text;
  std::vector<int> labels;  // sorted theme indices
};

// Lets a long job notice cancellation (sweep cancelled, lease lost, SIGTERM) and report progress.
// Implementations are thread-safe; executors call them from the job's thread.
class JobControl {
 public:
  virtual ~JobControl() = default;
  virtual bool cancelled() const = 0;
  virtual void ReportProgress(float fraction) = 0;  // 0..1
};

struct GenerateRequest {
  v1::GeneratorSpec generator;
  double temperature = 0;
  int texts_per_theme = 0;  // N_max
  uint64_t seed = 0;        // with repeat and fold: the sample stream of this job
  int repeat = 0;
  int fold = 0;
  std::vector<std::string> themes;
  std::vector<LabelledText> train;  // the fold's training part, and nothing else
};

class GeneratorExecutor {
 public:
  virtual ~GeneratorExecutor() = default;
  // Returns texts_per_theme texts per theme, in order, each tagged with the theme it was written
  // for; a theme it could not fill is reported in shortfall_per_theme, never silently.
  // Deterministic for a request. Returns Cancelled when control says so.
  virtual StatusOr<v1::SyntheticSet> Generate(const GenerateRequest& request,
                                              JobControl& control) = 0;
};

struct TrainRequest {
  v1::ClassifierSpec classifier;
  uint64_t seed = 0;
  std::vector<std::string> themes;
  std::vector<LabelledText> train;      // real training texts, then synthetic ones
  std::vector<std::string> test_texts;  // the held-out fold
};

struct TrainOutcome {
  std::vector<std::vector<float>> test_probabilities;  // [test text][theme], each in [0, 1]
  std::vector<float> loss_curve;                       // training loss per epoch (or step)
};

class ClassifierExecutor {
 public:
  virtual ~ClassifierExecutor() = default;
  // Trains one multi-label model (one sigmoid per theme) and scores the test texts.
  // Deterministic for a request. Returns Cancelled when control says so.
  virtual StatusOr<TrainOutcome> TrainAndPredict(const TrainRequest& request,
                                                 JobControl& control) = 0;
};

}  // namespace augsweep
