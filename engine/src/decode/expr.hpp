// Decoding of types and instruction sequences (spec 5.3, 5.4), shared by
// function bodies and constant expressions.
#pragma once
#include <cstdint>
#include <vector>

#include "decode/reader.hpp"
#include "warden/syntax.hpp"

namespace warden::decode_detail {

/// A value type (spec 5.3.4). Types are single bytes; a set continuation
/// bit is "integer representation too long" (the reference reads them as
/// 7-bit LEBs), any other unknown byte "malformed value type".
ValType read_value_type(Reader& r);

/// A reference type (spec 5.3.3): funcref or externref, else "malformed
/// reference type".
ValType read_ref_type(Reader& r);

/// Instructions up to and including the `end` that closes the outermost
/// level, appended to `out` (spec 5.4.9). Block nesting is tracked with an
/// explicit stack, never by recursion. br_table label lists are appended to
/// `br_targets` as ast.hpp describes. memory.init and data.drop need the data
/// count section (spec 5.5.15): `has_data_count` says whether there is one.
/// Errors are latched in `r`.
void read_expr(Reader& r, ast::Expr& out, std::vector<uint32_t>& br_targets, bool has_data_count);

}  // namespace warden::decode_detail
