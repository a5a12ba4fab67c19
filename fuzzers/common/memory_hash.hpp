// The memory hash of run_module's traces (harness.cpp; the execute and
// binary_mutate targets).
#pragma once
#include <cstdint>
#include <span>

namespace warden::fuzz {

/// XXH3_64bits of `mem`, without faulting in the pages never touched: when
/// no swap area is active (checked at the first call) and `mem` starts on a
/// page boundary, the pages that mincore() finds not resident are hashed
/// as the zeros they hold. That holds for anonymous private memory only,
/// which is what a Warden memory is (engine/src/runtime/memory.cpp); a
/// file-backed page can be absent and hold data. Reading the untouched
/// pages would map each one, and unmapping them later would cost more: the
/// hashes took 14 % of the execute target's samples in a 60 s run
/// (docs/fuzzing.md, "Fourth round").
uint64_t hash_memory(std::span<const uint8_t> mem);

/// Whether a swap area may be active (/proc/swaps lists one, or cannot be
/// read), checked once. While it is, hash_memory reads every byte.
bool swap_active();

}  // namespace warden::fuzz
