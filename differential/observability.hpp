// How much of what a probe computes can be seen (docs/differential.md,
// "Probes: folding"): the share of executed instructions whose result
// reaches an observable value, i.e. a call's result or the state call.
//
// Measured by fault injection, on Warden in process. A *site* is an
// instruction in live code that pushes a value of a numeric or vector type
// (constants, variable reads, operators, loads, calls, select, lanes; not
// block ends and not references). For a module:
//  1. up to kMaxMarkedSites sites, picked at random, get a counter global
//     each, incremented after the instruction; one run of the probe says
//     which of them executed at least once;
//  2. of the executed ones, up to `sample` are picked at random; for each,
//     the module is copied with that one result perturbed (its lowest bit
//     flipped: `i32.const 1 i32.xor`, through reinterpret for floats, lane
//     0 of a v128) and probed with the same seed;
//  3. the site is *observed* when any outcome of the perturbed probe
//     (instantiation, a call's status, trap or result bits, the state)
//     differs from the unperturbed probe's.
// Steps 2 and 3 run once with folding off and once with it on.
#pragma once
#include <array>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include "engine.hpp"
#include "probe.hpp"
#include "warden/syntax.hpp"

namespace warden::diff {

inline constexpr uint32_t kMaxMarkedSites = 400;

struct Observability {
  uint64_t modules = 0;   ///< measured (probed, with at least one executed site)
  uint64_t skipped = 0;   ///< not probed, or no marked site executed
  uint64_t sites = 0;     ///< sites in live code
  uint64_t marked = 0;    ///< sites given a counter
  uint64_t executed = 0;  ///< marked sites that ran at least once
  uint64_t sampled = 0;   ///< executed sites perturbed
  uint64_t observed_off = 0, observed_on = 0;
  /// Per kind of site ("numeric", "load", "constant", "variable", "call",
  /// "other"): sampled, observed with folding off, observed with it on.
  std::map<std::string, std::array<uint64_t, 3>> by_kind;
  /// The sites not observed even with folding, by the instruction right
  /// after them (usually the one that consumes the value).
  std::map<std::string, uint64_t> unseen_before;
  void add(const Observability& o);
};

/// Measures one module (which must be valid) with probe settings `cfg`
/// (its `fold` is set by each step) and `seed` for the probe's arguments
/// and the sampling.
Observability measure_module(const ast::Module& m, uint64_t seed, const ProbeConfig& cfg, uint32_t sample,
                             Engine& warden);

struct ObservabilityOptions {
  uint64_t seed = 1;
  uint32_t modules = 300;
  uint32_t sample = 16;           ///< sites perturbed per module
  std::string generator = "own";  ///< "own" (Warden's generator) or "ttf" (wasm-opt -ttf)
  std::string tool_dir = "/usr/bin";
  std::string work_dir;  ///< for ttf's files (default: a folder under /tmp)
  ProbeConfig probe;
};

/// Measures `o.modules` modules of the generator, printing a summary to
/// `out`. Returns false (with a message on `out`) when the generator cannot
/// run.
bool measure_observability(const ObservabilityOptions& o, Observability& total, FILE* out);

}  // namespace warden::diff
