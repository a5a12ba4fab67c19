// One campaign cycle's engine work, every engine at once
// (docs/differential.md, "Throughput").
//
// A cycle asks each engine two things: run the probes, and validate the
// mutants. Engines are separate processes (or Warden in process), so they
// work side by side: each engine gets a thread of its own and does its runs,
// then its validations; Warden works on the caller's thread; Binaryen and
// V8, the slowest, share their work with a second instance (a second
// wasm-opt server, a second node) when there is one; and a side task (the
// WASI programs, on their own node) runs on one more thread. An engine
// object is only ever used by one thread.
// The answers are what each engine would give asked alone, in the same
// order: only the waiting overlaps.
#pragma once
#include <functional>
#include <span>
#include <vector>

#include "engine.hpp"

namespace warden::diff {

struct CycleJobs {
  std::span<const RunJob> runs;                       ///< for every engine
  std::span<const std::span<const uint8_t>> mutants;  ///< for every engine but Binaryen
  std::span<const std::span<const uint8_t>> sampled;  ///< Binaryen's share of the mutants
  bool warden_twice = true;                           ///< Warden runs the probes a second time
};

struct CycleAnswers {
  std::vector<std::vector<RunResult>> runs;           ///< per engine, in `engines` order (empty: no runs)
  std::vector<RunResult> warden_again;                ///< Warden's second run of the probes
  std::vector<std::vector<LoadResult>> loads;         ///< per engine: the mutants' verdicts (Binaryen: `sampled`)
  std::vector<double> run_seconds, validate_seconds;  ///< per engine, wall
};

/// Does a cycle's work on `engines`. `seconds[e]` (when `seconds` has an
/// e-th entry and it is not null) is a second instance of engines[e], on a
/// thread of its own: it takes the second half of that engine's runs and of
/// its mutants. `side` (may be empty) runs on a thread of its own meanwhile.
CycleAnswers run_cycle(std::span<Engine* const> engines, std::span<Engine* const> seconds, const CycleJobs& jobs,
                       const std::function<void()>& side);

}  // namespace warden::diff
