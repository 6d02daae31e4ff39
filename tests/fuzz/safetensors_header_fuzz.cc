// The safetensors file validator on an arbitrary file image.
#include <span>

#include "common/safetensors/header.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)augsweep::ParseSafetensorsHeader(
      std::span<const std::byte>(reinterpret_cast<const std::byte*>(data), size), "fuzz");
  return 0;
}
