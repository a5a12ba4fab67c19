// The binary-format decoder (spec chapter 5).
#pragma once
#include <cstdint>
#include <span>

#include "ast.hpp"
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

}  // namespace warden
