// Module validation (spec chapter 3) and compilation to the flat code of
// code.hpp, done in one pass over every function body.
#pragma once
#include <vector>

#include "code.hpp"
#include "warden/syntax.hpp"
#include "warden/warden.hpp"

namespace warden {

/// Validate `m` as the spec's chapter 3 does and compile each defined
/// function (in order, imports excluded) to the word code of code.hpp.
///
/// Errors:
///   Invalid     any rule of chapter 3, with the testsuite's wording ("type
///               mismatch", "unknown local 2", "global is immutable", ...)
///               and the offending instruction's or item's `pos` as offset;
///   Exhaustion  a load-time limit: "nesting too deep" (blocks nested deeper
///               than limits.max_nesting), "too many locals" (params + locals
///               beyond limits.max_locals), "too many functions", "too
///               many parameters" / "too many results" (a function type
///               with more than limits.max_params of either), "too many
///               elements" (all element segments together beyond
///               limits.max_store_table_elements, as the decoder checks);
///   Malformed   a syntax tree a decoder could not have produced (an `else`
///               outside an `if`, a body without its final `end`).
/// Uses no recursion and allocates in proportion to what `m` already holds.
Result<std::vector<code::CompiledFunc>> validate(const ast::Module& m, const Limits& limits);

}  // namespace warden
