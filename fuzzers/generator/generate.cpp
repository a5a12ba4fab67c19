// generate_module: the generator's syntax tree, encoded by the engine's own
// encoder (engine/src/decode/encoder.hpp), so the bytes are canonical.
#include "generator.hpp"
#include "warden/binary.hpp"

namespace warden::gen {

std::vector<uint8_t> generate_module(std::span<const uint8_t> fuzz_bytes, const GenConfig& cfg) {
  return encode(generate_ast(fuzz_bytes, cfg));
}

}  // namespace warden::gen
