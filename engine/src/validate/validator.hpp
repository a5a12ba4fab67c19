// Module validation (spec chapter 3) and compilation to the flat code of
// code.hpp, done in one pass over every function body.
#pragma once
#include <span>
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
///
/// The code's op words are the op numbers mapped through `op_words`
/// (Context::op_words): the numbers themselves if it is null.
Result<code::CompiledCode> validate(const ast::Module& m, const Limits& limits, const uint64_t* op_words = nullptr);

/// A module decoded, validated and compiled: the syntax tree without the
/// function bodies (Function::body and br_targets are empty), and the code.
struct Loaded {
  ast::Module tree;
  code::CompiledCode code;
};

/// decode() then validate(), as one pass: each body is validated and
/// compiled while it is decoded, and never held as a tree. The outcome is
/// theirs exactly: the decoder's error if there is one (wherever it is in
/// the module), else validate()'s first error in validate()'s order.
/// With `compile` false the bodies are validated and not compiled: the
/// outcome is the same, and the code holds no functions.
Result<Loaded> load_binary(std::span<const uint8_t> bytes, const Limits& limits, const uint64_t* op_words = nullptr,
                           bool compile = true);

}  // namespace warden
