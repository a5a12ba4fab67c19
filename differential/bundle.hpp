// A bucket's bundle, findings/<bucket>/ (docs/differential.md, "Findings"):
//   min.wasm, min.wat     the minimized module (for run findings, the module
//                         before probing; probe.wasm/probe.wat is what the
//                         engines ran)
//   repro.json            seed, generator, engine versions, limits, the
//                         signature, the explaining rule, the opcodes and
//                         suspects of the minimized module, and per engine
//                         what it did on it
//   regression.wast       the expected behaviour as a script Warden's spec
//                         runner replays (corpora/regressions/differential/)
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "compare.hpp"

namespace warden::diff {

struct Bundle {
  std::string dir;
  Finding finding;        ///< on the minimized module
  std::string rule;       ///< explaining peer rule, "" when unexplained
  std::string generator;  ///< own, ttf, mutate
  uint64_t campaign_seed = 0, module_seed = 0, index = 0;
  std::vector<uint8_t> module;  ///< minimized
  size_t original_size = 0;
  std::vector<uint8_t> probe;  ///< run findings: the probe of `module`
  std::vector<std::string> call_names;
  std::vector<std::vector<ValType>> call_results;  ///< per call, the probe's result types
  std::vector<EngineRun> runs;                     ///< run findings, on `probe`
  std::vector<EngineLoad> loads;                   ///< validation findings, on `module`
  std::map<std::string, std::string> versions;
  std::string limits;  ///< JSON object text
  std::vector<std::string> opcodes;
  /// Run findings: the operators whose results an odd engine got wrong for
  /// their operands (suspects.hpp).
  std::vector<std::string> suspects;
  uint32_t reduce_checks = 0;
};

/// Writes the bundle's files; false (with `error`) on an I/O failure.
bool write_bundle(const Bundle& b, std::string& error);

/// The expected behaviour of a finding as a .wast script: for a run
/// finding, for every call up to the first differing one, Warden's outcome
/// when a peer rule explains the finding (the spec's answer), else the
/// outcome most engines agree on (ties go to the peers); for a load, the
/// same choice of verdict.
std::string regression_wast(const Bundle& b);

}  // namespace warden::diff
