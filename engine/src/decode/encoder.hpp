// The binary-format encoder (spec chapter 5, in reverse): writes any syntax
// tree as a canonical binary module.
#pragma once
#include <cstdint>
#include <vector>

#include "ast.hpp"

namespace warden {

/// Encode `m` as a binary module. The output is canonical: minimal LEB128s,
/// non-custom sections in the spec's order and only when non-empty, a data
/// count section when `m.data_count` is set or a body uses memory.init or
/// data.drop, each custom section after the section named by its
/// `after_section` (an empty section is kept when a custom section follows
/// it, so that the placement survives). Element segments use the
/// function-index forms (0-3) when every initialiser is a plain `ref.func`
/// and the type is funcref, the expression forms (4-7) otherwise; table 0
/// and memory 0 use the forms without an explicit index.
///
/// Round trip: for every `m` that decode() can produce, decode(encode(m))
/// equals `m` except for the `pos` fields, and encode(decode(b)) == b when
/// `b` is itself canonical.
///
/// Never fails: whatever `m` holds is written (an invalid tree gives an
/// invalid, but well-formed, module). Immediates an Instr cannot carry are
/// written as zeros: the extra types of a multi-type `select` repeat the
/// first, and a `br_table` in a constant expression has all labels 0.
std::vector<uint8_t> encode(const ast::Module& m);

}  // namespace warden
