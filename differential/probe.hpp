// Probe modules: the form in which every engine runs a module, so that all
// four can be compared on exactly the same bytes and calls.
//
// make_probe rewrites a valid module (spec 2.5, as a syntax tree) into one
// that every engine runs the same way:
//  * no imports: imported functions become defined stubs returning zeros,
//    imported globals defined globals with the spectest values, imported
//    tables and memories defined ones of the declared type (index spaces
//    are unchanged: the definitions go first);
//  * its only function exports are zero-argument wrappers "c<k>" (round 0)
//    and "c<k>_<r>" (round r), one per original function export, each of
//    which resets the generator's fuel global (or calls Binaryen's
//    hangLimitInitializer), calls the original with constant arguments
//    chosen from the seed, and returns every result as integer bits (f32 ->
//    i32.reinterpret, f64 -> i64.reinterpret, v128 -> two i64 lanes,
//    references -> ref.is_null). JS can pass no v128 and quiets NaNs;
//    Binaryen passes no arguments; wabt prints floats lossily: integers
//    cross every one of those boundaries exactly;
//  * a last export "state" returns the first NaN-rule violation, each
//    memory's size and a hash of its bytes, every global and every table's
//    size: the state afterwards, observed the same way on every engine;
//  * with fold, every value the module would otherwise lose (dropped,
//    overwritten in a local or global, left in a local at return) is mixed
//    into a checksum global that "state" returns last (probe_fold.hpp);
//  * with nan_check, every instruction the spec lets return a
//    nondeterministic NaN (the opcode table's Nan column; spec 4.3.3) is
//    followed by code that checks the NaN it returned against the rule for
//    its inputs (canonical inputs -> canonical NaN, else an arithmetic NaN;
//    per lane for SIMD), records the first violation (opcode index + 1) in
//    a global, and replaces the NaN by the canonical one. Each engine is
//    thereby checked against the spec's NaN rule per instruction, and the
//    values compared across engines become deterministic.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine.hpp"
#include "warden/syntax.hpp"

namespace warden::diff {

struct ProbeConfig {
  uint32_t rounds = 2;  ///< every export is called this many times
  uint32_t fuel = 200;  ///< the generator's fuel global before each call
  /// One probe in `deep_one_in` (0: none), by its seed, gets `deep_fuel`
  /// instead: room for a recursion to pass the peers' fixed call depths
  /// (Binaryen 251 frames, wabt 1638) and stay below V8's (5k at least)
  /// and Warden's (20000), so that what follows an overflow is compared
  /// (compare.hpp, "depth-matched").
  uint32_t deep_fuel = 3000;
  uint32_t deep_one_in = 8;
  bool nan_check = true;
  /// Fold the values the module would lose into a checksum global that
  /// "state" returns last (probe_fold.hpp).
  bool fold = true;
  uint32_t max_hash_pages = 2;  ///< pages the state hash covers fully (then every 4 KiB)
  uint32_t max_exports = 24;    ///< original function exports wrapped
};

struct Probe {
  std::vector<uint8_t> bytes;
  std::vector<Call> calls;                ///< the exports, in order; "state" last
  std::vector<std::string> targets;       ///< per call: the original export it wraps
  std::vector<std::string> state_labels;  ///< per value of "state"
  /// What the generator's fuel global is set to before each call (which
  /// bounds the call depth), or 0 when the module has none.
  uint32_t fuel = 0;
};

/// The probe of `m` (which must be valid); constants for the arguments come
/// from `seed`. Returns false with `error` set when `m` cannot be probed.
bool make_probe(const ast::Module& m, uint64_t seed, const ProbeConfig& cfg, Probe& out, std::string& error);

/// The opcode a NaN-rule violation code (the first value of "state") names,
/// e.g. "f32.add"; "" for 0.
std::string nan_violation_op(uint64_t code);

}  // namespace warden::diff
