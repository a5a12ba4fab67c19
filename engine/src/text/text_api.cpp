// The public text API (warden/text.hpp): parser + encoder, decoder + printer.
#include "warden/text.hpp"

#include "decode/decoder.hpp"
#include "decode/encoder.hpp"
#include "printer.hpp"
#include "wast.hpp"

namespace warden {

Result<std::vector<uint8_t>> wat_to_wasm(std::string_view text) {
  Result<ast::Module> m = text::parse_module(text);
  if (!m.ok()) return m.error();
  return encode(*m);
}

Result<std::string> wasm_to_wat(std::span<const uint8_t> bytes) {
  Result<ast::Module> m = decode(bytes, Limits{});
  if (!m.ok()) return m.error();
  return text::print_module(*m);
}

}  // namespace warden
