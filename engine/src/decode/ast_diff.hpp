// Structural comparison of syntax trees, for round-trip checks (decode of
// encode, text against binary) in tests and fuzzers.
#pragma once
#include <string>

#include "ast.hpp"

namespace warden {

/// The first structural difference between `a` and `b`, described for a
/// test failure message ("funcs[2].body[7]: i32.const 1 vs i32.const 2"),
/// or "" when they are equal. Byte offsets (`pos` fields) are ignored;
/// everything else, including custom sections and their placement, counts.
std::string ast_diff(const ast::Module& a, const ast::Module& b);

}  // namespace warden
