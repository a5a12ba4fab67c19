// A structure-aware mutator for binary modules (used by the binary_mutate
// target's LLVMFuzzerCustomMutator, and usable by any driver).
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "warden/syntax.hpp"

namespace warden::fuzz {

/// One mutation of `bytes`, chosen by `seed`: at the syntax-tree level when
/// the bytes decode (instructions, immediates, types, limits, indices,
/// items), else or sometimes at the section level (duplicate, drop, swap,
/// non-canonical LEB128s, broken sizes, custom sections). The 8-byte header
/// is kept. Returns an empty vector when `bytes` is not even a sequence of
/// sections, so the caller can fall back to byte-level mutation.
std::vector<uint8_t> mutate_module(std::span<const uint8_t> bytes, uint32_t seed);

/// The tree-level part alone: applies one random edit to `m`.
void mutate_tree(ast::Module& m, uint32_t seed);

/// Appends `v` as an unsigned LEB128, with `pad` more bytes than it needs
/// (a non-canonical encoding; 0: the shortest).
void put_leb(std::vector<uint8_t>& out, uint64_t v, uint32_t pad = 0);

}  // namespace warden::fuzz
