// The text printer: any syntax tree as a module in the text format.
#pragma once
#include <cstddef>
#include <string>

#include "ast.hpp"

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
