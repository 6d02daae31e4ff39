// A Hugging Face model folder's weights as one name -> tensor lookup, whether they are stored in a
// single model.safetensors or sharded as model-0000k-of-0000n.safetensors with an index.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/safetensors/safetensors.h"
#include "common/status.h"

namespace augsweep {

inline constexpr std::string_view kSafetensorsIndexName = "model.safetensors.index.json";
inline constexpr std::string_view kSafetensorsSingleName = "model.safetensors";

// Where a tensor lives: both pointers stay valid for the Checkpoint's lifetime.
struct CheckpointTensor {
  const SafetensorsFile* file;
  const TensorInfo* info;
};

// Immutable after Open; safe to read from several threads.
class Checkpoint {
 public:
  // If `folder`/model.safetensors.index.json exists, its "weight_map" (tensor name -> shard file,
  // relative to the folder) is authoritative: every shard it names is opened once, and every tensor
  // it lists must be present in that shard. Tensors a shard holds but the index does not list are
  // not exposed. Otherwise `folder`/model.safetensors is opened and all its tensors are exposed.
  // (transformers prefers model.safetensors when both exist; a folder with both is ambiguous and we
  // follow the index, which is what a sharded save leaves behind.)
  // Errors: NotFound when neither file exists (names the folder and both names), DataLoss when a
  // shard named by the index is missing, InvalidArgument for a malformed index or a tensor missing
  // from its shard, and whatever SafetensorsFile::Open reports for a bad shard.
  static StatusOr<std::unique_ptr<Checkpoint>> Open(const std::string& folder);

  const std::string& folder() const { return folder_; }
  // nullptr when absent.
  const CheckpointTensor* Find(std::string_view name) const;
  // All tensor names, sorted.
  const std::vector<std::string>& names() const { return names_; }
  // The opened files (one per shard), in file-name order.
  const std::vector<std::unique_ptr<SafetensorsFile>>& files() const { return files_; }

 private:
  Checkpoint() = default;

  std::string folder_;
  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::map<std::string, CheckpointTensor, std::less<>> tensors_;
  std::vector<std::string> names_;
};

}  // namespace augsweep
