// The record kinds the coordinator store keeps apart, one RocksDB column family each.
#pragma once

#include <string_view>

namespace augsweep {

enum class Family {
  kSweeps,
  kJobs,
  kArtifacts,  // manifests "<id>" and chunks "<id>/<8-digit index>"; see Store::PutArtifact
  kResults,
  kEvents,  // keys are 20-digit sequence numbers assigned by Store::Commit
  kMeta,    // store bookkeeping: "schema_version", "last_event_sequence"
};

inline constexpr int kFamilyCount = 6;

// The column family name on disk ("sweeps", "jobs", ...). Names are part of the on-disk format.
std::string_view FamilyName(Family family);

}  // namespace augsweep
