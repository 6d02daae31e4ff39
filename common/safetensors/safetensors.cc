#include "common/safetensors/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "common/safetensors/header.h"

namespace augsweep {

std::string_view DTypeName(DType dtype) {
  switch (dtype) {
    case DType::kF32:
      return "F32";
    case DType::kF16:
      return "F16";
    case DType::kBF16:
      return "BF16";
    case DType::kI64:
      return "I64";
  }
  return "?";
}

size_t DTypeSize(DType dtype) {
  switch (dtype) {
    case DType::kF32:
      return 4;
    case DType::kF16:
      return 2;
    case DType::kBF16:
      return 2;
    case DType::kI64:
      return 8;
  }
  return 0;
}

std::optional<DType> DTypeFromName(std::string_view name) {
  for (DType d : {DType::kF32, DType::kF16, DType::kBF16, DType::kI64}) {
    if (DTypeName(d) == name) return d;
  }
  return std::nullopt;
}

std::string SupportedDTypeNames() { return "F32, F16, BF16, I64"; }

uint64_t TensorInfo::num_elements() const {
  uint64_t n = 1;
  for (int64_t d : shape) n *= static_cast<uint64_t>(d);
  return n;
}

namespace {

// Closes a descriptor on every return path of Open.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

Status ErrnoError(const std::string& path, const char* what, int err) {
  std::string message = path + ": " + what + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return NotFoundError(message);
    case EACCES:
    case EPERM:
      return Status(StatusCode::kPermissionDenied, message);
    case ENOMEM:
      return ResourceExhaustedError(message);
    default:
      return UnavailableError(message);
  }
}

}  // namespace

StatusOr<std::unique_ptr<SafetensorsFile>> SafetensorsFile::Open(const std::string& path) {
  FdCloser fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.fd < 0) return ErrnoError(path, "cannot open", errno);
  struct stat st;
  if (::fstat(fd.fd, &st) != 0) return ErrnoError(path, "cannot stat", errno);
  if (!S_ISREG(st.st_mode)) return InvalidArgumentError(path + ": not a regular file");
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size < 8) {
    // Checked before mmap, which rejects an empty mapping; the parser gives the same message.
    std::byte prefix[8] = {};
    return ParseSafetensorsHeader(std::span<const std::byte>(prefix, size), path).status();
  }

  std::unique_ptr<SafetensorsFile> file(new SafetensorsFile());
  file->path_ = path;
  void* addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.fd, 0);
  if (addr == MAP_FAILED) return ErrnoError(path, "cannot mmap", errno);
  file->mapping_ = static_cast<const std::byte*>(addr);  // owned by `file` from here on
  file->mapping_size_ = size;

  AUGSWEEP_ASSIGN_OR_RETURN(
      SafetensorsHeader header,
      ParseSafetensorsHeader(std::span<const std::byte>(file->mapping_, size), path));
  file->header_size_ = header.header_size;
  file->data_size_ = header.data_size;
  file->tensors_ = std::move(header.tensors);
  file->metadata_ = std::move(header.metadata);
  for (size_t i = 0; i < file->tensors_.size(); ++i) {
    file->index_.emplace(file->tensors_[i].name, i);
  }
  return file;
}

SafetensorsFile::~SafetensorsFile() {
  if (mapping_ != nullptr) {
    ::munmap(const_cast<std::byte*>(mapping_), mapping_size_);
  }
}

const TensorInfo* SafetensorsFile::Find(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

std::span<const std::byte> SafetensorsFile::Data(const TensorInfo& info) const {
  if (info.begin > info.end || info.end > data_size_) return {};
  return std::span<const std::byte>(mapping_ + 8 + header_size_ + info.begin, info.num_bytes());
}

}  // namespace augsweep
