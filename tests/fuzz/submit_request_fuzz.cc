// The coordinator's validation of a SubmitSweep: the header is the input parsed as a
// SubmitSweepHeader (arbitrary bytes in every field, as protobuf's wire format lets them be), and
// its spec_yaml doubles as the dataset bytes; ValidateResolvedSpec, then PrepareSweep (dataset,
// folds, plan), as SweepServiceImpl::SubmitSweep runs them before anything is stored.
#include "augsweep/v1/sweep_service.pb.h"
#include "common/spec/sweep_spec.h"
#include "coordinator/planner/prepare_sweep.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace augsweep;
  v1::SubmitSweepHeader header;
  if (!header.ParseFromArray(data, static_cast<int>(size))) return 0;
  if (!ValidateResolvedSpec(header.spec()).ok()) return 0;
  (void)PrepareSweep(ParsedSpec{header.spec(), {}}, header.spec_yaml());
  return 0;
}
