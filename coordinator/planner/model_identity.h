// The identity of a Hugging Face model folder, for job keys: two folders with the same weights
// and configuration get the same identity wherever they are copied, a changed weight gets a new
// one. Hashing 13 GB of weights at every submission would take minutes, so the identity covers
// the small files in full (config, tokenizer, safetensors headers) and the weight data by
// size plus evenly spaced 64 KiB samples — enough to tell fine-tuned weights of the same shape
// apart without reading them all.
#pragma once

#include <string>

#include "common/status.h"

namespace augsweep {

StatusOr<std::string> ModelIdentity(const std::string& model_dir);

}  // namespace augsweep
