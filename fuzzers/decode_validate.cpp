// Fuzz target "decode_validate": raw bytes -> Module::load under tight
// limits, with the round-trip oracles of check_binary (common/oracles.hpp).
#include <cstddef>
#include <cstdint>

#include "oracles.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  warden::fuzz::check_binary(std::span<const uint8_t>(data, size));
  return 0;
}
