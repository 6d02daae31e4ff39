// IEEE binary16 (F16) and bfloat16 (BF16) <-> float conversions on raw 16-bit patterns, in plain
// C++ so code without libtorch (tests, tools, CPU reference paths) can read F16/BF16 weights.
// Exact for every input: half subnormals, signed zeros, infinities and NaNs (payload kept where the
// narrow format can hold it; a NaN never turns into an infinity). Float -> narrow rounds to
// nearest, ties to even, like torch's c10::Half / c10::BFloat16 constructors; overflow gives
// infinity.
#pragma once

#include <bit>
#include <cstdint>

namespace augsweep {

inline float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  uint32_t bits;
  if (exponent == 0x1f) {  // inf / NaN
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {  // normal: rebias 15 -> 127
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {  // signed zero
    bits = sign;
  } else {        // subnormal: mantissa * 2^-24; normalise so the leading 1 becomes implicit
    int e = 113;  // biased float exponent of 2^-14, decremented per shift
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --e;
    }
    bits = sign | (static_cast<uint32_t>(e) << 23) | ((mantissa & 0x3ffu) << 13);
  }
  return std::bit_cast<float>(bits);
}

inline uint16_t FloatToHalf(float f) {
  const uint32_t bits = std::bit_cast<uint32_t>(f);
  const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const uint32_t abs = bits & 0x7fffffffu;
  if (abs > 0x7f800000u) {  // NaN: keep the top payload bits, force quiet so it stays a NaN
    return static_cast<uint16_t>(sign | 0x7e00u | ((abs >> 13) & 0x3ffu));
  }
  if (abs >= 0x477ff000u) return sign | 0x7c00u;  // >= 65520 rounds to infinity (and inf itself)
  if (abs >= 0x38800000u) {  // normal half range: rebias and round the 13 dropped bits
    uint32_t r = (abs - 0x38000000u) >> 13;
    const uint32_t rest = abs & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (r & 1u))) ++r;  // a carry into the exponent is right
    return static_cast<uint16_t>(sign | r);
  }
  if (abs <= 0x33000000u) return sign;  // <= 2^-25: rounds (ties to even) to zero
  // Half subnormal: value / 2^-24 = significand * 2^(e - 126), e = biased float exponent.
  const uint32_t e = abs >> 23;
  const uint32_t significand = (abs & 0x7fffffu) | 0x800000u;
  const uint32_t shift = 126 - e;  // 14..24
  uint32_t r = significand >> shift;
  const uint32_t rest = significand & ((1u << shift) - 1);
  const uint32_t halfway = 1u << (shift - 1);
  if (rest > halfway || (rest == halfway && (r & 1u)))
    ++r;  // may become 0x400, the smallest normal
  return static_cast<uint16_t>(sign | r);
}

inline float BFloat16ToFloat(uint16_t b) {
  return std::bit_cast<float>(static_cast<uint32_t>(b) << 16);
}

inline uint16_t FloatToBFloat16(float f) {
  const uint32_t bits = std::bit_cast<uint32_t>(f);
  if ((bits & 0x7fffffffu) > 0x7f800000u) {  // NaN: truncating could clear the payload -> inf
    return static_cast<uint16_t>((bits >> 16) | 0x0040u);
  }
  const uint32_t rounding_bias = 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>((bits + rounding_bias) >> 16);
}

}  // namespace augsweep
