// A sharded checkpoint's model.safetensors.index.json, read from a folder that also holds one
// small valid shard (model-00001-of-00001.safetensors with tensor "w"), so that an index may
// name a shard that exists, one that does not, or a path that tries to leave the folder.
#include "common/safetensors/checkpoint.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

// {"w": F32 [2]} and its 8 bytes.
std::string TinyShard() {
  const std::string header = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  std::string file(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i)
    file[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
  return file + header + std::string(8, '\0');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace augsweep;
  static const bool shard_written = [] {
    fuzz::WriteScratchFile("model-00001-of-00001.safetensors", TinyShard());
    return true;
  }();
  (void)shard_written;
  fuzz::WriteScratchFile(std::string(kSafetensorsIndexName), fuzz::AsText(data, size));
  (void)Checkpoint::Open(fuzz::ScratchFolder());
  return 0;
}
