// The binary format (spec chapter 5) to syntax trees and back: the decoder
// Module::load uses, and the canonical encoder the fuzzers, the reducer and
// the text tools use.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "warden/syntax.hpp"
#include "warden/warden.hpp"

namespace warden {

/// Decode a binary module into its syntax tree. Function bodies and constant
/// expressions are decoded completely, so every malformed byte is reported
/// here, before validation; what is well-formed but invalid (unknown
/// indices, multiple memories, non-constant initialisers, select arity,
/// alignment) is left to the validator and appears in the tree as written.
///
/// Errors:
///   Malformed   with the spec testsuite's wording ("unexpected end",
///               "integer too large", "section size mismatch", "malformed
///               UTF-8 encoding", "too many locals" for 2^32 or more, ...)
///               and the byte offset of the offending item;
///   Exhaustion  "module too large" (bytes.size() > limits.max_module_bytes),
///               "too many functions" (imported + defined >
///               limits.max_functions), "too many locals" (params + declared
///               locals of one function > limits.max_locals), "too many
///               elements" (all element segments together >
///               limits.max_store_table_elements).
///
/// Uses no recursion; never allocates for a count before the bytes it
/// claims exist (every count is checked against the bytes left).
Result<ast::Module> decode(std::span<const uint8_t> bytes, const Limits& limits);

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
