// Compares a model folder with a golden.json of reference outputs (logits, greedy continuations)
// in one of the schemas of tests/fixtures/README.md: the engine of `augsweep golden-check`, which
// lets anyone verify a converted checkpoint against transformers or llama2.c, and of the
// runtime's own golden tests.
//
// A schema is recognised from the JSON's keys. Supported:
//   * "hf-causal-lm" (hf-tiny/llama): `batches` (logits and argmax at the mask==1 positions,
//     hidden states where given), `greedy` (new_token_ids, logits along the greedy path) and
//     `greedy_batch_left_padded` (batched and per-row greedy ids);
//   * "llama2c-cases" (hf-real/stories260K): `cases` (greedy continuation ids, argmax per
//     position, logits_pos0_4) and `greedy_batch_left_padded`.
//   * "hf-sequence-classification" (hf-tiny/{bert,roberta,distilbert,xlnet}): `batches` (logits,
//     BCE loss, hidden states) and `train_step` (gradients, one AdamW step): classifier_golden.h.
// A new schema is one more entry in the table in golden_check.cc.
//
// No torch in this header: it drives the models through their torch-free interfaces.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "worker/runtime/llama_model.h"

namespace augsweep {

// The outcome of one comparison.
struct GoldenCheck {
  std::string name;  // "batches[right_padded].logits", "cases[2].greedy_continuation_ids"
  // Float checks: the largest |ours - reference| (+infinity when ours is NaN).
  // Id checks (exact): the number of ids that differ (a missing or extra id counts as one).
  double max_abs_diff = 0;
  double tolerance = 0;  // passed == (max_abs_diff <= tolerance); 0 for id checks
  bool passed = false;
  bool exact = false;  // an id check (max_abs_diff counts mismatches)
  std::string detail;  // what was compared and where the largest difference or first mismatch is
};

struct GoldenCheckOptions {
  LoadOptions load;               // device, dtype, threads of the model under test
  double float_tolerance = 1e-4;  // for every float check (logits, hidden states)
};

// The schema name of `golden` ("hf-causal-lm", "llama2c-cases"). InvalidArgument naming the
// top-level keys and the known schemas when it follows none of them.
StatusOr<std::string> DetectGoldenSchema(const nlohmann::json& golden);

// Runs every check of a golden file of a LLaMA-family schema against a loaded model (greedy
// generation uses the model's own EOS ids, as the reference generate() did). InvalidArgument,
// naming the field, when the file is malformed or was made for another model (a row of logits
// whose length is not the model's vocab_size, an id outside it).
StatusOr<std::vector<GoldenCheck>> CheckLlamaGolden(LlamaModel& model, const nlohmann::json& golden,
                                                    double float_tolerance);

struct GoldenReport {
  std::string schema;
  std::vector<GoldenCheck> checks;
  bool passed() const;  // every check passed
};

// Reads `golden_path`, detects its schema, loads `model_dir` the way the schema needs and runs
// every check. A golden file that cannot be read or parsed, or of an unknown schema, is
// InvalidArgument/NotFound naming the file; model loading errors pass through.
StatusOr<GoldenReport> RunGoldenCheck(const std::string& model_dir, const std::string& golden_path,
                                      const GoldenCheckOptions& options);

}  // namespace augsweep
