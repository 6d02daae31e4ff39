// Where a job's inputs come from and where its outputs go: the coordinator's artifact streams in
// production (CoordinatorClient), an in-memory map in tests. Fetch reads an artifact, Put writes
// one (a generate job's synthetic set).
#pragma once

#include <string>

#include "common/status.h"

namespace augsweep {

class ArtifactExchange {
 public:
  virtual ~ArtifactExchange() = default;
  virtual StatusOr<std::string> Fetch(const std::string& artifact_id) = 0;
  virtual Status Put(const std::string& artifact_id, const std::string& bytes) = 0;
};

}  // namespace augsweep
