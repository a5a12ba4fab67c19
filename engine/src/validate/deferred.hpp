// Internal to validate/: function bodies the decoder skipped (BodySink::
// defer), decoded, validated and compiled afterwards on several threads
// (docs/design.md, "Loading on several threads").
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "code.hpp"
#include "validate/context.hpp"
#include "warden/warden.hpp"

namespace warden::valid {

/// A code entry as BodySink::defer describes it. Offsets fit 32 bits:
/// decode_module refuses larger modules.
struct DeferredBody {
  uint32_t index;  // among the defined functions
  uint32_t at;     // its first instruction
  uint32_t start;  // its code entry, after the entry's size
  uint32_t size;
};

struct DeferredResult {
  /// The malformed byte of the lowest-indexed body that has one: what a
  /// decoder reading every body in order would have stopped at.
  std::optional<Error> malformed;
  /// Else the error of the lowest-indexed invalid body (spec 3.4.1),
  /// which is what validating the bodies in order finds first.
  std::optional<Error> invalid;
  /// With neither, and `emit`: every defined function's code, funcs in
  /// function order (`bodies` must then be all of them, in order).
  code::CompiledCode code;
};

/// Deals runs of bodies (`run_bytes[k]`: run k's bytes) to `workers`
/// workers (at least one): the largest first, each to the worker with the
/// fewest bytes so far, the lower index on a tie. A worker's last run went
/// to it as the least loaded, so it ends with at most the mean plus that run
/// (Graham's bound for the largest first: within 4/3 of the best deal). A
/// module with a huge body (an interpreter's dispatch loop) has it dealt
/// first, to a worker that takes more runs only once the others have
/// caught up, where dealing in turn gave that worker its share of the rest
/// besides. Depends on the sizes and the count only, never on the
/// machine. Each worker's runs are in ascending order (the early stop at a
/// malformed body relies on it).
std::vector<std::vector<uint32_t>> deal_runs(std::span<const uint64_t> run_bytes, size_t workers);

/// Decodes every body of `bodies` from `bytes` (the whole module) as the
/// decoder would have, up to the body's final end, and checks that the
/// entry ends there. With `c` (the module's context), also validates each,
/// and with `emit` compiles it; without, it only looks for malformed bytes
/// (the module failed before its bodies could matter). Runs on up to
/// `threads` threads (at most 64), the calling one included, sharing out
/// runs of consecutive bodies; the result does not depend on the count.
DeferredResult run_deferred(std::span<const uint8_t> bytes, bool has_data_count, std::span<const DeferredBody> bodies,
                            const Context* c, const Limits& limits, bool emit, uint32_t threads);

}  // namespace warden::valid
