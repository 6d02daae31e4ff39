// The tfidf-logreg classifier kind: TF-IDF features (worker/executors/tfidf_features.h) and one
// L2-regularised logistic regression per theme (one-vs-rest). A CPU baseline that needs no model
// weights: it shows what the transformer classifiers add, and runs the bundled demo on a laptop.
//
// Per theme t, with y_i = 1 when text i carries t, it minimises
//   F(w, b) = mean_i log(1 + exp(-(2 y_i - 1)(w . x_i + b))) + (weight_decay / 2) ||w||^2
// (the bias is not regularised) from w = 0, b = 0 by Nesterov-accelerated full-batch gradient
// descent (FISTA momentum) with function-value restart (O'Donoghue & Candes 2015):
//  - epochs: the number of iterations; one iteration is one accelerated gradient step over the
//    whole training set. With the spec's defaults (200 epochs, learning_rate 0.5, weight_decay
//    0.01) F ends within 1e-6 of where 1500 epochs end, on the unit test's 200-text corpus and on
//    a 200-text, 22k-feature one (plain gradient descent would need thousands of epochs).
//  - learning_rate: the step size of each gradient step. Rows have unit norm, so the gradient of
//    F is Lipschitz with constant at most 0.5 + weight_decay, and any step up to
//    1 / (0.5 + weight_decay) (~1.96) is safe; the default 0.5 is. A step that would raise F is
//    never taken: the momentum is dropped first (restart) and, if a plain gradient step still
//    raises F, the step size is halved for the rest of the training. So F never increases from
//    one epoch to the next, whatever learning_rate (a rejected step leaves F as it was).
//  - weight_decay: the L2 coefficient above.
//  - seed, batch_size, max_length, warmup_ratio: unused (full batch, zero start, no randomness).
// Classes are not reweighted: AUC depends only on the ranking of test texts, which a per-theme
// class weight barely changes (it mostly moves the bias), and keeping the plain loss keeps the
// comparison with the transformer classifiers, which use plain binary cross-entropy, like for like.
//
// loss_curve[e]: F after epoch e, averaged over the trained themes (its value includes the L2
// term, because F is the quantity that is guaranteed not to increase).
// A theme with no positive or no negative training text cannot be trained; its probability for
// every test text is its training rate (0 or 1), it is left out of loss_curve's average, and if
// no theme can be trained loss_curve is `epochs` zeros (the constant fits the training labels
// exactly).
//
// Deterministic: the same request gives bit-identical outputs on the same build.
// Thread safety: an instance keeps no state between calls; concurrent calls are safe.
#pragma once

#include "worker/executors/executor.h"
#include "worker/executors/tfidf_features.h"

namespace augsweep {

inline constexpr char kTfidfLogRegKind[] = "tfidf-logreg";

class TfidfLogRegClassifier : public ClassifierExecutor {
 public:
  explicit TfidfLogRegClassifier(TfidfOptions features = {}) : features_(features) {}

  // Errors: InvalidArgument for a request this kind cannot run (classifier.kind other than
  // "tfidf-logreg", epochs < 1, learning_rate not positive and finite, weight_decay negative or
  // not finite, no themes, no training texts, a label index outside the themes, bad feature
  // options); Cancelled when control says so (checked before each epoch).
  StatusOr<TrainOutcome> TrainAndPredict(const TrainRequest& request, JobControl& control) override;

 private:
  TfidfOptions features_;
};

}  // namespace augsweep
