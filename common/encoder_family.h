// The encoder families a classifier can be (BERT, RoBERTa, DistilBERT, XLNet): one enum for the
// tokenizers' input layout (common/tokenizers/classifier_inputs.h) and the runtime's networks
// (worker/runtime/encoder_config.h). In augsweep_base, which both may use.
#pragma once

#include <string_view>

#include "common/status.h"

namespace augsweep {

enum class EncoderFamily { kBert, kRoberta, kDistilBert, kXlnet };

// "bert", "roberta", "distilbert", "xlnet": the config.json model_type and the classifier kind.
const char* EncoderFamilyName(EncoderFamily family);

// The inverse of EncoderFamilyName; InvalidArgument naming the four for any other name.
StatusOr<EncoderFamily> ParseEncoderFamily(std::string_view name);

}  // namespace augsweep
