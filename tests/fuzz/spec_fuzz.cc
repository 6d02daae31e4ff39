// The sweep spec parser on arbitrary YAML, then the coordinator's check of what it resolved.
#include "common/spec/sweep_spec.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace augsweep;
  // As if the spec were in tests/integration/: the seeds' relative paths (a dataset, templates,
  // model folders) resolve to real files, so a mutated spec gets past them.
  StatusOr<ParsedSpec> spec =
      ParseSweepSpec(fuzz::AsText(data, size), AUGSWEEP_SOURCE_DIR "/tests/integration/fuzz.yaml");
  if (spec.ok()) (void)ValidateResolvedSpec(spec->spec);
  return 0;
}
