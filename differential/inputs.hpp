// The campaign's inputs (docs/differential.md, "Inputs"): Warden's own
// generator, Binaryen's -ttf, and mutations of valid modules and of the
// testsuite's modules. Everything is a function of a 64-bit seed.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "warden/syntax.hpp"

namespace warden::diff {

class ToolServer;

/// A seed for item `index` of stream `stream` of a campaign seeded `seed`.
uint64_t mix_seed(uint64_t seed, uint64_t stream, uint64_t index);

/// `n` pseudo-random bytes from `seed`.
std::vector<uint8_t> seed_bytes(uint64_t seed, size_t n);

/// A module from Warden's generator (fuzzers/generator), with a
/// configuration (features, sizes, trap mode) drawn from the seed too.
ast::Module own_module(uint64_t seed);

/// The flags `wasm-opt -ttf` runs with: the 2.0 features without reference
/// types (with them, wabt and V8 reject most of its output).
std::vector<std::string> ttf_features();

/// A module from `wasm-opt -ttf` on seed bytes. False (with `error`) when
/// wasm-opt is missing or fails. With a `server` (a ToolServer of
/// tool_dir's wasm-opt) wasm-opt runs through it.
bool ttf_module(const std::string& tool_dir, const std::string& work_dir, uint64_t seed, std::vector<uint8_t>& out,
                std::string& error, ToolServer* server = nullptr);

/// The binary form of every module of every script in `dir` (text modules
/// encoded; quoted modules skipped), for mutation.
std::vector<std::vector<uint8_t>> testsuite_modules(const std::string& dir);

/// One to three stacked mutations of `bytes`: structure-aware (syntax tree
/// or section level, fuzzers/common/mutate.hpp) or byte-level (bit flips,
/// interesting bytes, insertions, deletions, duplications, truncation).
std::vector<uint8_t> mutate(std::span<const uint8_t> bytes, uint64_t seed);

}  // namespace warden::diff
