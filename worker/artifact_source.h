// Where a job's inputs come from and its outputs go: the coordinator's artifact streams in
// production, an in-memory map in tests.
#pragma once

#include <string>

#include "common/status.h"

namespace augsweep {

class ArtifactSource {
 public:
  virtual ~ArtifactSource() = default;
  virtual StatusOr<std::string> Fetch(const std::string& artifact_id) = 0;
  virtual Status Put(const std::string& artifact_id, const std::string& bytes) = 0;
};

}  // namespace augsweep
