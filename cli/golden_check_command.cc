// augsweep golden-check: verifies a model folder against a golden.json of reference outputs
// (transformers or llama2.c logits and greedy continuations, tests/fixtures/README.md), so a user
// can check a converted checkpoint before a sweep relies on it. The comparisons themselves live in
// worker/runtime/golden_check.h.
#include <algorithm>
#include <cstdio>
#include <string>

#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "common/cli_main.h"
#include "worker/runtime/golden_check.h"

namespace augsweep::cli {

int RunGoldenCheckCommand(const Args& args) {
  std::string model_dir, golden_path, device = "cpu", dtype = "float32";
  GoldenCheckOptions options;
  double tolerance = options.float_tolerance;
  int64_t threads = 0;
  FlagSet flags(
      "augsweep golden-check --model DIR --golden FILE [flags]",
      "Runs the model in DIR on the inputs of FILE, a golden.json of reference outputs in\n"
      "one of the schemas of tests/fixtures/README.md (hf-causal-lm: transformers logits,\n"
      "hidden states and greedy ids; llama2c-cases: llama2.c continuations and logits),\n"
      "and prints the largest difference of every check. Float checks pass within\n"
      "--tolerance; token ids must be identical. Exit codes: 0 every check passed, 1 a\n"
      "check failed, 2 bad input (a missing file, a golden file of an unknown schema).");
  flags.String("model", &model_dir, "Hugging Face model folder");
  flags.String("golden", &golden_path, "golden.json with the reference outputs");
  flags.Double("tolerance", &tolerance, "largest |ours - reference| a float check accepts");
  flags.String("device", &device, "cpu or cuda");
  flags.String("dtype", &dtype, "float32, float16 or bfloat16 (widen --tolerance for half types)");
  flags.Int("threads", &threads, "CPU threads (0: one per hardware thread)");
  std::vector<std::string> positional;
  if (auto code = ParseFlagsOrExit(flags, args, "augsweep golden-check", &positional)) return *code;
  if (model_dir.empty() || golden_path.empty() || !positional.empty() || !(tolerance >= 0) ||
      threads < 0 || threads > 4096) {
    return ReportError(
        "golden-check",
        InvalidArgumentError("expected --model DIR, --golden FILE, --tolerance >= 0 and "
                             "0 <= --threads <= 4096 (see --help)"));
  }
  options.float_tolerance = tolerance;
  options.load.device = device;
  options.load.dtype = dtype;
  options.load.threads = static_cast<int>(threads);

  StatusOr<GoldenReport> report = RunGoldenCheck(model_dir, golden_path, options);
  if (!report.ok()) return ReportError("golden-check", report.status());

  std::printf("golden-check: %s (schema %s) vs %s on %s, %s\n", golden_path.c_str(),
              report->schema.c_str(), model_dir.c_str(), device.c_str(), dtype.c_str());
  size_t width = 0;
  for (const GoldenCheck& c : report->checks) width = std::max(width, c.name.size());
  int failed = 0;
  for (const GoldenCheck& c : report->checks) {
    failed += c.passed ? 0 : 1;
    // Float checks print their largest difference, id checks how many ids differ.
    char measure[64];
    if (c.exact) {
      std::snprintf(measure, sizeof(measure), "mismatches %-9.0f (must be 0)", c.max_abs_diff);
    } else {
      std::snprintf(measure, sizeof(measure), "max |diff| %-9.3g (tolerance %.3g)", c.max_abs_diff,
                    c.tolerance);
    }
    std::printf("%s  %-*s  %-40s  %s\n", c.passed ? "PASS" : "FAIL", static_cast<int>(width),
                c.name.c_str(), measure, c.detail.c_str());
  }
  std::printf("golden-check: %zu checks, %d failed\n", report->checks.size(), failed);
  return failed == 0 ? kExitOk : kExitFailure;
}

}  // namespace augsweep::cli
