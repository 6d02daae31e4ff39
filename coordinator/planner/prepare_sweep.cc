#include "coordinator/planner/prepare_sweep.h"

#include "common/sha256.h"
#include "coordinator/planner/model_identity.h"

namespace augsweep {

std::string DatasetArtifactId(const std::string& dataset_fingerprint) {
  return "dataset-" + dataset_fingerprint;
}

std::string FoldsArtifactId(const std::vector<FoldSplit>& splits) {
  ContentHasher h;
  for (const FoldSplit& split : splits)
    h.AddInt("repeat", split.repeat).Add("split", SplitDigest(split));
  return "folds-" + h.HexDigest();
}

StatusOr<PreparedSweep> PrepareSweep(ParsedSpec parsed, std::string_view dataset_bytes) {
  PreparedSweep out;
  out.parsed = std::move(parsed);
  const v1::SweepSpec& spec = out.parsed.spec;
  AUGSWEEP_ASSIGN_OR_RETURN(out.dataset,
                            ParseDataset(dataset_bytes, ToDatasetOptions(spec.dataset())));
  out.dataset_fingerprint = DatasetFingerprint(out.dataset);
  for (std::string& w : DatasetWarnings(spec, out.dataset))
    out.parsed.warnings.push_back(std::move(w));

  std::vector<std::vector<int>> labels;
  labels.reserve(out.dataset.examples.size());
  for (const Example& e : out.dataset.examples) labels.push_back(e.labels);
  AUGSWEEP_ASSIGN_OR_RETURN(
      out.splits,
      RepeatedStratifiedSplits(labels, static_cast<int>(out.dataset.themes.size()),
                               spec.cv().folds(), spec.cv().repeats(), spec.cv().seed()));

  PlanInputs inputs;
  inputs.spec = &spec;
  inputs.splits = &out.splits;
  inputs.themes = out.dataset.themes;
  inputs.dataset_fingerprint = out.dataset_fingerprint;
  inputs.dataset_artifact = DatasetArtifactId(out.dataset_fingerprint);
  inputs.folds_artifact = FoldsArtifactId(out.splits);
  auto add_identity = [&](const std::string& dir) -> Status {
    if (dir.empty() || inputs.model_identity.count(dir)) return OkStatus();
    AUGSWEEP_ASSIGN_OR_RETURN(std::string id, ModelIdentity(dir));
    inputs.model_identity[dir] = id;
    return OkStatus();
  };
  for (const auto& g : spec.generators()) AUGSWEEP_RETURN_IF_ERROR(add_identity(g.model_dir()));
  for (const auto& c : spec.classifiers()) AUGSWEEP_RETURN_IF_ERROR(add_identity(c.model_dir()));
  for (const auto& filter : spec.filters()) {
    AUGSWEEP_RETURN_IF_ERROR(add_identity(filter.label_consistency().classifier().model_dir()));
  }
  AUGSWEEP_ASSIGN_OR_RETURN(out.plan, PlanSweep(inputs));
  return out;
}

}  // namespace augsweep
