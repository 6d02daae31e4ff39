// The golden checks of the encoder classifiers (schema "hf-sequence-classification", the
// hf-tiny/{bert,roberta,distilbert,xlnet} fixtures): used by RunGoldenCheck (golden_check.h) and
// by the runtime's golden tests. No torch in this header.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "common/status.h"
#include "worker/runtime/encoder_classifier.h"
#include "worker/runtime/golden_check.h"

namespace augsweep {

// Whether `golden` has the classifiers' shape: `batches` with `labels`, and `train_step`.
bool IsSequenceClassificationGolden(const nlohmann::json& golden);

// Runs every check of the schema against a loaded classifier: each batch's logits, BCE loss and
// hidden states (where given), then the train step (loss, gradient norms, the head's gradients,
// one AdamW step with lr 1e-3 and weight decay 0.01 on every parameter, the logits and head
// parameters after it). The step changes the model's weights. Every float check uses
// `float_tolerance`. InvalidArgument naming the field for a malformed file.
StatusOr<std::vector<GoldenCheck>> CheckClassifierGolden(EncoderClassifier& model,
                                                         const nlohmann::json& golden,
                                                         double float_tolerance);

}  // namespace augsweep
