// The sweep spec: a YAML file that names the dataset, the CV scheme, the generators, temperatures,
// augment counts and classifiers of a study. Parsing resolves it into an augsweep.v1.SweepSpec with
// every default filled in and every path absolute (relative paths are relative to the spec file).
//
// Strict on purpose: an unknown key, a wrong type or an out-of-range value is an error naming the
// file, the line, the field path and what was expected, because a typo must never silently change
// a study. Valid but suspicious choices come back as warnings.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "augsweep/v1/spec.pb.h"
#include "common/dataset/dataset.h"
#include "common/status.h"

namespace augsweep {

struct ParsedSpec {
  v1::SweepSpec spec;
  std::vector<std::string> warnings;  // one line each, ready to print
};

// Reads and parses the spec file at `path`.
StatusOr<ParsedSpec> LoadSweepSpec(const std::string& path);

// Parses spec text; `spec_path` names it in messages and anchors relative paths.
StatusOr<ParsedSpec> ParseSweepSpec(std::string_view yaml_text, const std::string& spec_path);

// Checks a resolved spec that arrived over the wire (the coordinator cannot trust that its
// client validated it): kinds, ranges and the fields every later step relies on.
Status ValidateResolvedSpec(const v1::SweepSpec& spec);

// Warnings that need the data: a theme with fewer positives than folds (some test folds then
// have no positive and its AUC is undefined there), or an augment count larger than a theme's
// training texts many times over.
std::vector<std::string> DatasetWarnings(const v1::SweepSpec& spec, const Dataset& dataset);

// The dataset loader's options for the spec's dataset section.
DatasetOptions ToDatasetOptions(const v1::DatasetSpec& dataset);

}  // namespace augsweep
