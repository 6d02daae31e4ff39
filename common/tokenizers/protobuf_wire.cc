#include "common/tokenizers/protobuf_wire.h"

#include <cstring>

namespace augsweep::protobuf_wire {
namespace {

// Groups are deprecated and nothing we read uses them; the limit only stops a hostile file from
// recursing deeply.
constexpr int kMaxGroupDepth = 64;

}  // namespace

std::string_view WireTypeName(WireType type) {
  switch (type) {
    case WireType::kVarint:
      return "varint";
    case WireType::kFixed64:
      return "fixed64";
    case WireType::kLengthDelimited:
      return "length-delimited";
    case WireType::kStartGroup:
      return "start-group";
    case WireType::kEndGroup:
      return "end-group";
    case WireType::kFixed32:
      return "fixed32";
  }
  return "unknown";
}

Status Reader::Truncated(std::string_view what) const {
  return DataLossError("truncated " + std::string(what) + " at byte offset " +
                       std::to_string(offset()));
}

Status Reader::ReadVarint(uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) return Truncated("varint");
    const uint8_t byte = static_cast<uint8_t>(data_[pos_++]);
    // The tenth byte may only carry the top bit of a 64-bit value.
    if (shift == 63 && byte > 1) {
      return DataLossError("varint longer than 64 bits at byte offset " +
                           std::to_string(offset() - 1));
    }
    result |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return OkStatus();
    }
  }
  return DataLossError("varint longer than 10 bytes at byte offset " + std::to_string(offset()));
}

Status Reader::ReadKey(uint32_t* field_number, WireType* wire_type) {
  const size_t key_offset = offset();
  uint64_t key = 0;
  AUGSWEEP_RETURN_IF_ERROR(ReadVarint(&key));
  const uint64_t type = key & 7;
  const uint64_t number = key >> 3;
  if (number == 0 || number > 0x1FFFFFFF) {
    return DataLossError("invalid field number " + std::to_string(number) + " at byte offset " +
                         std::to_string(key_offset));
  }
  if (type > 5) {
    return DataLossError("invalid wire type " + std::to_string(type) + " at byte offset " +
                         std::to_string(key_offset));
  }
  *field_number = static_cast<uint32_t>(number);
  *wire_type = static_cast<WireType>(type);
  return OkStatus();
}

Status Reader::ReadFixed32(uint32_t* value) {
  if (data_.size() - pos_ < 4) return Truncated("fixed32");
  uint8_t b[4];
  std::memcpy(b, data_.data() + pos_, 4);
  *value = uint32_t{b[0]} | uint32_t{b[1]} << 8 | uint32_t{b[2]} << 16 | uint32_t{b[3]} << 24;
  pos_ += 4;
  return OkStatus();
}

Status Reader::ReadFixed64(uint64_t* value) {
  if (data_.size() - pos_ < 8) return Truncated("fixed64");
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(data_[pos_ + i]);
  *value = v;
  pos_ += 8;
  return OkStatus();
}

Status Reader::ReadLengthDelimited(std::string_view* payload, size_t* payload_offset) {
  uint64_t length = 0;
  AUGSWEEP_RETURN_IF_ERROR(ReadVarint(&length));
  if (length > data_.size() - pos_) {
    return DataLossError("length-delimited field of " + std::to_string(length) +
                         " bytes at byte offset " + std::to_string(offset()) +
                         " runs past the end (" + std::to_string(data_.size() - pos_) +
                         " bytes left)");
  }
  if (payload_offset != nullptr) *payload_offset = offset();
  *payload = data_.substr(pos_, length);
  pos_ += length;
  return OkStatus();
}

Status Reader::SkipGroup(uint32_t field_number, int depth) {
  if (depth > kMaxGroupDepth) {
    return DataLossError("groups nested too deeply at byte offset " + std::to_string(offset()));
  }
  while (!done()) {
    uint32_t number = 0;
    WireType type{};
    AUGSWEEP_RETURN_IF_ERROR(ReadKey(&number, &type));
    if (type == WireType::kEndGroup) {
      if (number != field_number) {
        return DataLossError("mismatched end-group for field " + std::to_string(number) +
                             " at byte offset " + std::to_string(offset()));
      }
      return OkStatus();
    }
    if (type == WireType::kStartGroup) {
      AUGSWEEP_RETURN_IF_ERROR(SkipGroup(number, depth + 1));
    } else {
      AUGSWEEP_RETURN_IF_ERROR(SkipField(number, type));
    }
  }
  return Truncated("group");
}

Status Reader::SkipField(uint32_t field_number, WireType wire_type) {
  switch (wire_type) {
    case WireType::kVarint: {
      uint64_t ignored = 0;
      return ReadVarint(&ignored);
    }
    case WireType::kFixed64: {
      uint64_t ignored = 0;
      return ReadFixed64(&ignored);
    }
    case WireType::kFixed32: {
      uint32_t ignored = 0;
      return ReadFixed32(&ignored);
    }
    case WireType::kLengthDelimited: {
      std::string_view ignored;
      return ReadLengthDelimited(&ignored);
    }
    case WireType::kStartGroup:
      return SkipGroup(field_number, 1);
    case WireType::kEndGroup:
      return DataLossError("unexpected end-group for field " + std::to_string(field_number) +
                           " at byte offset " + std::to_string(offset()));
  }
  return DataLossError("invalid wire type");
}

}  // namespace augsweep::protobuf_wire
