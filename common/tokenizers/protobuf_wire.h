// A minimal, bounds-checked reader for the protobuf wire format (varints, fixed32/64,
// length-delimited fields, groups skipped), enough to read SentencePiece's ModelProto without
// libprotobuf or libsentencepiece (whose Debian build cannot share a process with the system
// protobuf; see shared/notes/cpp-stack.md). Every read checks the remaining length, so a
// truncated or garbage buffer gives a DataLoss error naming the byte offset, never a crash.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace augsweep::protobuf_wire {

enum class WireType : uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

// Reads fields one after another from a buffer it does not own. Offsets in error messages are
// relative to `base_offset`, so a reader over a nested message reports positions in the file.
class Reader {
 public:
  explicit Reader(std::string_view data, size_t base_offset = 0)
      : data_(data), base_offset_(base_offset) {}

  bool done() const { return pos_ >= data_.size(); }
  // Offset of the next unread byte, counted like the error messages.
  size_t offset() const { return base_offset_ + pos_; }

  // Reads a field key. Fails on a truncated key, field number 0 or an unknown wire type.
  Status ReadKey(uint32_t* field_number, WireType* wire_type);
  Status ReadVarint(uint64_t* value);
  Status ReadFixed32(uint32_t* value);
  Status ReadFixed64(uint64_t* value);
  // The payload of a length-delimited field; *payload_offset is where it starts (for nested
  // readers' messages).
  Status ReadLengthDelimited(std::string_view* payload, size_t* payload_offset = nullptr);
  // Skips the value of a field whose key was just read.
  Status SkipField(uint32_t field_number, WireType wire_type);

 private:
  Status Truncated(std::string_view what) const;
  Status SkipGroup(uint32_t field_number, int depth);

  std::string_view data_;
  size_t base_offset_ = 0;
  size_t pos_ = 0;
};

// "varint", "fixed64", ... for error messages.
std::string_view WireTypeName(WireType type);

}  // namespace augsweep::protobuf_wire
