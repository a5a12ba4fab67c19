// Structural equality of syntax trees, ignoring byte positions: the oracle
// of every round trip (binary -> tree -> binary -> tree, text -> tree ->
// binary -> tree, tree -> text -> tree).
#pragma once
#include <string>

#include "ast.hpp"

namespace warden::fuzz {

/// Empty when `a` and `b` are the same module (pos fields aside); else a
/// short description of the first difference.
std::string ast_difference(const ast::Module& a, const ast::Module& b);

}  // namespace warden::fuzz
