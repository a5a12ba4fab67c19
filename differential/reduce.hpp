// Minimization of a finding's module while its signature holds
// (docs/differential.md, "Minimization").
//
// reduce_module works on the syntax tree (ast::Module) and keeps the module
// valid (checked in process by Warden's validator before the expensive
// predicate runs the peers): it drops exports, the start function,
// functions, globals and segments (renumbering every reference), replaces
// bodies by `unreachable`, deletes balanced instruction ranges and shortens
// data. reduce_bytes is for modules that do not decode (the validation
// differential): it first drops whole sections and replaces function
// bodies by `unreachable`, rewriting the sizes around them, then deletes
// byte ranges, largest first.
//
// Both are greedy to a fixpoint and bounded by `budget` predicate calls.
#pragma once
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "warden/syntax.hpp"

namespace warden::diff {

using AstPredicate = std::function<bool(const ast::Module&)>;
using BytesPredicate = std::function<bool(std::span<const uint8_t>)>;

struct ReduceStats {
  uint32_t checks = 0;            ///< predicate calls
  uint32_t accepted = 0;          ///< edits kept
  uint32_t rejected_invalid = 0;  ///< edits dropped because the module became invalid
};

/// The smallest module found that is still valid (when `keep_valid`) and
/// interesting.
ast::Module reduce_module(ast::Module m, const AstPredicate& interesting, uint32_t budget, bool keep_valid,
                          ReduceStats* stats = nullptr);

std::vector<uint8_t> reduce_bytes(std::vector<uint8_t> b, const BytesPredicate& interesting, uint32_t budget,
                                  ReduceStats* stats = nullptr);

/// Every opcode name in the module's function bodies, sorted, unique
/// (a bucket's "opcodes" after minimization).
std::vector<std::string> opcodes_of(const ast::Module& m);

}  // namespace warden::diff
