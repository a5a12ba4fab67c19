// Warden's text-format API: WebAssembly text (spec chapter 6) to binary and
// back. Nothing here validates; Module::load or load_syntax does that.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "warden/syntax.hpp"
#include "warden/warden.hpp"

namespace warden {

/// Parse a text module, `(module ...)` or bare module fields, and encode it
/// as a canonical binary module (spec 5).
/// Errors: Malformed with the spec testsuite's wording ("unexpected token",
/// "unknown operator foo", "constant out of range", ...); Error::offset
/// holds the source position as (line << 32) | column, both 1-based.
Result<std::vector<uint8_t>> wat_to_wasm(std::string_view text);

/// Decode a binary module and print it in the text format: numeric indices,
/// flat instructions, floats that re-parse to the same bits. wat_to_wasm of
/// the result gives an equivalent module (custom sections become comments).
/// Errors: the decoder's (Malformed; Exhaustion for default Limits), and
/// Exhaustion "text too large" past 1 MiB + 128 bytes of text per byte of
/// binary, or 1 GiB (declared locals print one word each, so a few bytes
/// can declare gigabytes of text).
Result<std::string> wasm_to_wat(std::span<const uint8_t> bytes);

/// A text-format string literal (spec 6.3.3) denoting exactly these bytes:
/// printable ASCII as is, and `"`, `\` and every other byte as `\hh`.
std::string wat_string(std::string_view bytes);

}  // namespace warden

namespace warden::text {

/// Renders `m` as `(module ...)`: explicit type definitions, numeric
/// indices (with `(;N;)` index comments), flat instructions indented by
/// block depth, floats that re-parse to the same bits (shortest decimal, or
/// `nan:0x...`), strings with `\hh` escapes. parse_module of the result
/// gives back `m` (ignoring `pos` fields), except for what the text format
/// cannot express: custom sections (printed as comments), a data count
/// section that no instruction needs, and the grouping of local
/// declarations (consecutive locals of one type become one entry, and
/// zero-count entries vanish).
std::string print_module(const ast::Module& m);

/// As above, but gives up (false, `out` empty) once the text would exceed
/// `max_bytes`: declared locals are one word of text each, so a module of a
/// few bytes can otherwise ask for gigabytes of text.
bool print_module(const ast::Module& m, size_t max_bytes, std::string& out);

}  // namespace warden::text
