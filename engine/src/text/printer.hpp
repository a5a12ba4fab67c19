// The text printer: any syntax tree as a module in the text format.
#pragma once
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

}  // namespace warden::text
