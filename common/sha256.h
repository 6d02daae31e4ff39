// SHA-256 (FIPS 180-4): content-hash job keys and artifact checksums.
// Own implementation so that common/ needs no crypto library; speed is not critical here.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace augsweep {

class Sha256 {
 public:
  Sha256();
  void Update(const void* data, size_t size);
  void Update(std::string_view s) { Update(s.data(), s.size()); }
  // Finishes the hash; the object must not be updated afterwards.
  std::array<uint8_t, 32> Digest();
  // Finishes the hash and returns 64 lowercase hex digits.
  std::string HexDigest();

 private:
  void Compress(const uint8_t block[64]);
  std::array<uint32_t, 8> state_;
  uint8_t buffer_[64];
  size_t buffer_size_ = 0;
  uint64_t total_bytes_ = 0;
};

// SHA-256 of `data` as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view data);

// Builds a content hash from named fields without ambiguity: each field is written as
// length-prefixed name and value, so ("ab","c") and ("a","bc") never collide.
class ContentHasher {
 public:
  ContentHasher& Add(std::string_view name, std::string_view value);
  ContentHasher& AddInt(std::string_view name, int64_t value);
  ContentHasher& AddDouble(std::string_view name, double value);  // exact bits, not rounded text
  std::string HexDigest() { return sha_.HexDigest(); }

 private:
  void AddBytes(std::string_view bytes);
  Sha256 sha_;
};

}  // namespace augsweep
