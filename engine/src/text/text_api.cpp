// The public text API (warden/text.hpp): parser + encoder, decoder + printer.
#include "warden/text.hpp"

#include <algorithm>

#include "warden/binary.hpp"
#include "warden/script.hpp"

namespace warden {

Result<std::vector<uint8_t>> wat_to_wasm(std::string_view text) {
  Result<ast::Module> m = text::parse_module(text);
  if (!m.ok()) return m.error();
  return encode(*m);
}

Result<std::string> wasm_to_wat(std::span<const uint8_t> bytes) {
  Result<ast::Module> m = decode(bytes, Limits{});
  if (!m.ok()) return m.error();
  // Real modules print at well under 128 text bytes per binary byte (the
  // worst is a one-byte instruction on a deeply indented line).
  constexpr size_t kSlack = size_t{1} << 20, kPerByte = 128, kMax = size_t{1} << 30;
  const size_t budget = std::min(kMax, kSlack + kPerByte * bytes.size());
  std::string text;
  if (!text::print_module(*m, budget, text)) return Error{ErrorKind::Exhaustion, "text too large"};
  return text;
}

}  // namespace warden
