// The golden-check command line (golden_check_command.h): verifies a model folder against a
// golden.json of reference outputs (transformers or llama2.c logits and greedy continuations,
// tests/fixtures/README.md), so a user can check a converted checkpoint before a sweep relies on
// it. The comparisons themselves live in golden_check.h.
#include "worker/runtime/golden_check_command.h"

#include <algorithm>
#include <cstdio>

#include "common/cli_main.h"
#include "common/exit_codes.h"
#include "worker/runtime/golden_check.h"

namespace augsweep {

int GoldenCheckMain(const std::vector<std::string>& args, const std::string& program) {
  std::string model_dir, golden_path, device = "cpu", dtype = "float32";
  GoldenCheckOptions options;
  double tolerance = options.float_tolerance;
  int64_t threads = 0;
  bool strict_ids = true;
  FlagSet flags(
      program + " --model DIR --golden FILE [flags]",
      "Runs the model in DIR on the inputs of FILE, a golden.json of reference outputs in\n"
      "one of the schemas of tests/fixtures/README.md (hf-causal-lm: transformers logits,\n"
      "hidden states and greedy ids; llama2c-cases: llama2.c continuations and logits;\n"
      "hf-sequence-classification: transformers classifier logits, loss, gradients and an\n"
      "AdamW step), and prints the largest difference of every check. Float checks pass\n"
      "within --tolerance; token ids must be identical (--no-strict-ids: reported, not\n"
      "failed). Exit codes: 0 every check passed, 1 a check failed, 2 bad input (a missing\n"
      "file, a golden file of an unknown schema).");
  flags.String("model", &model_dir, "Hugging Face model folder");
  flags.String("golden", &golden_path, "golden.json with the reference outputs");
  flags.Double("tolerance", &tolerance, "largest |ours - reference| a float check accepts");
  flags.String("device", &device, "cpu, cuda or cuda:N");
  flags.String("dtype", &dtype,
               "decoders: the weights' float32, float16 or bfloat16; classifiers: float32, or "
               "bfloat16/float16 autocast on CUDA (widen --tolerance for half types)");
  flags.Int("threads", &threads, "CPU threads (0: one per hardware thread)");
  flags.Bool("strict-ids", &strict_ids,
             "a token id that differs fails the check (--no-strict-ids: half precision may "
             "flip near-ties, so ids are reported but do not fail)");
  std::vector<std::string> positional;
  if (auto code = ParseFlagsOrExit(flags, args, program, &positional)) return *code;
  if (model_dir.empty() || golden_path.empty() || !positional.empty() || !(tolerance >= 0) ||
      threads < 0 || threads > 4096) {
    return ReportCommandError(
        program, InvalidArgumentError("expected --model DIR, --golden FILE, --tolerance >= 0 "
                                      "and 0 <= --threads <= 4096 (see --help)"));
  }
  options.float_tolerance = tolerance;
  options.load.device = device;
  options.load.dtype = dtype;
  options.load.threads = static_cast<int>(threads);

  StatusOr<GoldenReport> report = RunGoldenCheck(model_dir, golden_path, options);
  if (!report.ok()) return ReportCommandError(program, report.status());

  std::printf("golden-check: %s (schema %s) vs %s on %s, %s\n", golden_path.c_str(),
              report->schema.c_str(), model_dir.c_str(), device.c_str(), dtype.c_str());
  size_t width = 0;
  for (const GoldenCheck& c : report->checks) width = std::max(width, c.name.size());
  int failed = 0, ids_differ = 0;
  for (const GoldenCheck& c : report->checks) {
    const bool tolerated = !c.passed && c.exact && !strict_ids;
    failed += c.passed || tolerated ? 0 : 1;
    ids_differ += tolerated ? 1 : 0;
    // Float checks print their largest difference, id checks how many ids differ.
    char measure[64];
    if (c.exact) {
      std::snprintf(measure, sizeof(measure), "mismatches %-9.0f (%s)", c.max_abs_diff,
                    strict_ids ? "must be 0" : "reported");
    } else {
      std::snprintf(measure, sizeof(measure), "max |diff| %-9.3g (tolerance %.3g)", c.max_abs_diff,
                    c.tolerance);
    }
    std::printf("%s  %-*s  %-40s  %s\n",
                c.passed    ? "PASS"
                : tolerated ? "DIFF"
                            : "FAIL",
                static_cast<int>(width), c.name.c_str(), measure, c.detail.c_str());
  }
  std::printf("golden-check: %zu checks, %d failed", report->checks.size(), failed);
  if (!strict_ids) std::printf(", %d with other token ids (not counted)", ids_differ);
  std::printf("\n");
  return failed == 0 ? kExitOk : kExitFailure;
}

}  // namespace augsweep
