#include "common/safetensors/writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>

#include "common/safetensors/header.h"

namespace augsweep {
namespace {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; a big-endian host would need byte swapping");

// Position of the dtype in the Rust crate's `Dtype` enum (only the relative order matters); the
// reference writer sorts by it, descending.
int RustDTypeRank(DType dtype) {
  switch (dtype) {
    case DType::kF16:
      return 0;
    case DType::kBF16:
      return 1;
    case DType::kF32:
      return 2;
    case DType::kI64:
      return 3;
  }
  return 0;
}

// A JSON string literal the way serde_json writes it (UTF-8 kept, only '"', '\\' and control
// characters escaped), which is also nlohmann's dump() without ensure_ascii. Throws on invalid
// UTF-8.
std::string JsonString(const std::string& s) { return nlohmann::json(s).dump(); }

Status ErrnoError(const std::string& path, const char* what, int err) {
  return UnavailableError(path + ": " + what + ": " + std::strerror(err));
}

Status WriteAll(int fd, const void* data, size_t size, const std::string& path) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    // Chunked: Linux writes at most ~2 GiB per call anyway.
    ssize_t n = ::write(fd, p, std::min<size_t>(size, size_t{1} << 30));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(path, "write failed", errno);
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return OkStatus();
}

// Makes the rename itself durable.
Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(dir, "cannot open directory to fsync", errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoError(dir, "fsync failed", err);
  return OkStatus();
}

}  // namespace

StatusOr<SerializedHeader> SerializeSafetensorsHeader(
    const std::vector<TensorToWrite>& tensors, const std::map<std::string, std::string>& metadata) {
  std::set<std::string_view> seen;
  for (const TensorToWrite& t : tensors) {
    if (t.name.empty()) return InvalidArgumentError("safetensors writer: empty tensor name");
    if (t.name == "__metadata__") {
      return InvalidArgumentError(
          "safetensors writer: \"__metadata__\" is reserved and cannot name a tensor");
    }
    if (!seen.insert(t.name).second) {
      return InvalidArgumentError("safetensors writer: duplicate tensor name \"" + t.name + "\"");
    }
    uint64_t elements = 1;
    for (int64_t d : t.shape) {
      if (d < 0 || __builtin_mul_overflow(elements, static_cast<uint64_t>(d), &elements)) {
        return InvalidArgumentError("safetensors writer: tensor \"" + t.name +
                                    "\": invalid dimension " + std::to_string(d));
      }
    }
    uint64_t bytes = 0;
    if (__builtin_mul_overflow(elements, uint64_t{DTypeSize(t.dtype)}, &bytes) ||
        bytes != t.data.size()) {
      return InvalidArgumentError("safetensors writer: tensor \"" + t.name +
                                  "\": " + std::to_string(t.data.size()) + " bytes of data, but " +
                                  std::to_string(elements) + " elements of " +
                                  std::string(DTypeName(t.dtype)) + " need " +
                                  std::to_string(elements * DTypeSize(t.dtype)));
    }
  }

  SerializedHeader out;
  out.order.resize(tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) out.order[i] = i;
  std::sort(out.order.begin(), out.order.end(), [&](size_t a, size_t b) {
    const int ra = RustDTypeRank(tensors[a].dtype), rb = RustDTypeRank(tensors[b].dtype);
    if (ra != rb) return ra > rb;
    return tensors[a].name < tensors[b].name;
  });

  std::string json = "{";
  try {
    if (!metadata.empty()) {
      json += "\"__metadata__\":{";
      bool first = true;
      for (const auto& [k, v] : metadata) {
        if (!first) json += ',';
        first = false;
        json += JsonString(k) + ":" + JsonString(v);
      }
      json += "}";
    }
    uint64_t offset = 0;
    for (size_t i : out.order) {
      const TensorToWrite& t = tensors[i];
      if (json.size() > 1) json += ',';
      json += JsonString(t.name) + ":{\"dtype\":\"" + std::string(DTypeName(t.dtype)) +
              "\",\"shape\":[";
      for (size_t d = 0; d < t.shape.size(); ++d) {
        if (d > 0) json += ',';
        json += std::to_string(t.shape[d]);
      }
      json += "],\"data_offsets\":[" + std::to_string(offset) + ",";
      offset += t.data.size();
      json += std::to_string(offset) + "]}";
    }
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgumentError(std::string("safetensors writer: a tensor name or metadata "
                                            "string is not valid UTF-8: ") +
                                e.what());
  }
  json += "}";
  json.resize((json.size() + 7) / 8 * 8, ' ');
  if (json.size() > kMaxSafetensorsHeaderSize) {
    return InvalidArgumentError("safetensors writer: header of " + std::to_string(json.size()) +
                                " bytes exceeds the " + std::to_string(kMaxSafetensorsHeaderSize) +
                                "-byte limit readers enforce");
  }
  const uint64_t n = json.size();
  out.bytes.assign(reinterpret_cast<const char*>(&n), 8);
  out.bytes += json;
  return out;
}

Status WriteSafetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                        const std::map<std::string, std::string>& metadata) {
  AUGSWEEP_ASSIGN_OR_RETURN(SerializedHeader header, SerializeSafetensorsHeader(tensors, metadata));

  std::string dir;
  try {
    std::filesystem::path p(path);
    dir = p.has_parent_path() ? p.parent_path().string() : std::string(".");
  } catch (const std::exception& e) {
    return InvalidArgumentError(path + ": bad path: " + e.what());
  }
  // Unique per process and call, in the target's folder so the rename stays on one file system.
  static std::atomic<uint64_t> counter{0};
  const std::string tmp =
      path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError(tmp, "cannot create", errno);

  Status status = WriteAll(fd, header.bytes.data(), header.bytes.size(), tmp);
  for (size_t i : header.order) {
    if (!status.ok()) break;
    const auto& data = tensors[i].data;
    status = WriteAll(fd, data.data(), data.size(), tmp);
  }
  if (status.ok() && ::fsync(fd) != 0) status = ErrnoError(tmp, "fsync failed", errno);
  if (::close(fd) != 0 && status.ok()) status = ErrnoError(tmp, "close failed", errno);
  if (status.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    status = ErrnoError(path, "cannot rename temporary file into place", errno);
  }
  if (!status.ok()) {
    ::unlink(tmp.c_str());
    return status;
  }
  return SyncDirectory(dir);
}

}  // namespace augsweep
