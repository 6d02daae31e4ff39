// The generator and classifier kinds a spec may name, what each needs, and the code version of
// each kind's executor. The version is part of every job key: bump it when an executor's output
// changes for the same inputs, so that stored results are not reused across the change.
// Shared by the spec parser, the planner (coordinator) and the executors (worker).
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace augsweep {

inline const std::set<std::string, std::less<>> kGeneratorKinds = {"llama", "eda"};
inline const std::set<std::string, std::less<>> kClassifierKinds = {"roberta", "distilbert", "xlnet",
                                                                    "bert", "tfidf-logreg"};

inline bool IsGeneratorKind(std::string_view kind) { return kGeneratorKinds.count(kind) > 0; }
inline bool IsClassifierKind(std::string_view kind) { return kClassifierKinds.count(kind) > 0; }

// EDA rewrites real texts without sampling from a model: temperature does not change its output,
// so its generate job is shared by every temperature of the sweep.
inline bool GeneratorUsesTemperature(std::string_view kind) { return kind != "eda"; }
inline bool ClassifierNeedsModel(std::string_view kind) { return kind != "tfidf-logreg"; }

// "<kind>/<version>"; every kind starts at version 1.
inline std::string ExecutorCodeVersion(std::string_view kind) {
  return std::string(kind) + "/1";
}

}  // namespace augsweep
