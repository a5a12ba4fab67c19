// Folding: the part of the probe rewriting (probe.hpp) that makes values a
// module would otherwise lose observable (docs/differential.md, "Probes:
// folding"). A value that is dropped, a local or global overwritten, or a
// local's value when its function returns never reaches a result, a global
// or memory, so an engine computing it wrongly would go unseen. Each such
// value is mixed into one mutable i64 global, the checksum, which the
// probe's `state` call returns:
//
//   checksum = (checksum xor bits(v)) * K       (K odd)
//
// where bits(v) is v as an i64: i32 zero-extended, f32/f64 reinterpreted,
// v128 as its two i64 lanes (two mixes), a reference as ref.is_null. Both
// steps are bijections of the checksum, so one wrong value anywhere changes
// the final checksum, and the order of the values counts.
#pragma once
#include <cstdint>

#include "body_types.hpp"

namespace warden::diff {

struct FoldConfig {
  uint32_t checksum = 0;  ///< the mutable i64 global
  /// Whether float bits are deterministic across engines (the probe's NaN
  /// check canonicalises every NaN an engine may choose). When false, a
  /// scalar float NaN is folded as the canonical NaN's bits, and v128
  /// values (whose lane shape is unknown) are not folded.
  bool exact_floats = true;
  /// At most this many locals (parameters first) are folded when the
  /// function returns: the cost is paid at every return.
  uint32_t max_exit_locals = 64;
};

/// Rewrites `m.funcs[index]` (a defined function of a module without
/// imports, as the probe has it; `mt` its types) so that it folds the
/// values it would lose into the checksum:
///  * `drop` folds the value instead;
///  * `local.set`, `local.tee` and `global.set` fold the old value first;
///  * the body runs in a block, after which (and before every `return`)
///    the locals' final values are folded.
/// Dead code (body_types.hpp) is left as it is. Returns false, leaving the
/// function as it was, when its body does not type.
bool fold_lost_values(ast::Module& m, const ModuleTypes& mt, uint32_t index, const FoldConfig& cfg);

}  // namespace warden::diff
