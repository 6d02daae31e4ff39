#include "coordinator/planner/model_identity.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

#include "common/sha256.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kSmallFileLimit = 16 << 20;  // hashed in full below this size
constexpr uint64_t kSampleBytes = 64 << 10;
constexpr int kSamples = 64;

Status HashFile(const fs::path& path, uint64_t size, ContentHasher& h) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + path.string());
  h.Add("file", path.filename().string());
  h.AddInt("size", static_cast<int64_t>(size));
  auto read_at = [&](uint64_t offset, uint64_t n) -> StatusOr<std::string> {
    std::string buf(n, '\0');
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(buf.data(), static_cast<std::streamsize>(n));
    if (static_cast<uint64_t>(in.gcount()) != n)
      return DataLossError("short read from " + path.string());
    return buf;
  };
  if (size <= kSmallFileLimit) {
    AUGSWEEP_ASSIGN_OR_RETURN(std::string all, read_at(0, size));
    h.Add("contents", all);
    return OkStatus();
  }
  // A large safetensors file: its header (names, shapes, offsets) in full, then samples.
  uint64_t header_end = 0;
  if (path.extension() == ".safetensors") {
    AUGSWEEP_ASSIGN_OR_RETURN(std::string len_bytes, read_at(0, 8));
    uint64_t len = 0;
    for (int i = 7; i >= 0; --i) len = (len << 8) | static_cast<uint8_t>(len_bytes[i]);
    if (len + 8 <= size && len <= kSmallFileLimit) {
      AUGSWEEP_ASSIGN_OR_RETURN(std::string header, read_at(8, len));
      h.Add("header", header);
      header_end = 8 + len;
    }
  }
  const uint64_t span = size - header_end;
  for (int i = 0; i < kSamples; ++i) {
    const uint64_t offset = header_end + (span - std::min(span, kSampleBytes)) * i / (kSamples - 1);
    AUGSWEEP_ASSIGN_OR_RETURN(std::string sample,
                              read_at(offset, std::min(kSampleBytes, size - offset)));
    h.Add("sample", sample);
  }
  return OkStatus();
}

}  // namespace

StatusOr<std::string> ModelIdentity(const std::string& model_dir) {
  std::error_code ec;
  if (!fs::is_directory(model_dir, ec))
    return NotFoundError("model folder not found: " + model_dir);
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(model_dir, ec)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  if (ec) return UnavailableError("cannot list " + model_dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  ContentHasher h;
  for (const auto& file : files) {
    // Only what a loader reads: configs, tokenizers and weights, not READMEs or logs.
    const std::string ext = file.extension().string();
    if (ext != ".json" && ext != ".safetensors" && ext != ".model" && ext != ".txt") continue;
    if (file.filename() == "README.txt") continue;
    AUGSWEEP_RETURN_IF_ERROR(HashFile(file, fs::file_size(file, ec), h).WithContext(model_dir));
  }
  return h.HexDigest();
}

}  // namespace augsweep
