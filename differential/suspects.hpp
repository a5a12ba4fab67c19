// Which instruction a run finding is about (docs/differential.md,
// "Suspects"). A minimized module still holds a handful of instructions;
// the one an engine gets wrong is the one whose result, for the operands it
// was given, differs from the spec's.
//
// trace_module copies a module and records, at each operator site (a
// numeric instruction of the opcode table: class Num or Trap, no
// immediates), the operands and the result of its first and its last
// execution, and how often it ran, in globals of their own; the probe's
// `state` call returns them like any global. suspects() then asks Warden
// what each operator gives for the operands an engine recorded: a site
// whose recorded result differs (NaNs with different payloads agree where
// the spec allows any NaN, spec 4.3.3) names its opcode as a suspect. Each
// site is judged on its own operands, so what follows from the culprit's
// wrong value is not suspected with it.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "warden/syntax.hpp"

namespace warden::diff {

struct TraceSite {
  Op op = Op::Nop;
  uint32_t first_global = 0;  ///< count, then first operands + result, then last operands + result
};

struct Trace {
  ast::Module module;  ///< the instrumented copy (valid when the original was)
  std::vector<TraceSite> sites;
};

/// At most this many sites are traced (the state call returns every
/// global; this keeps it well below the engines' 1000-result limit).
inline constexpr size_t kMaxTraceSites = 48;

/// `skip`: the first this many operator sites (in module order) are left
/// untraced, so that a module with more than kMaxTraceSites is traced in
/// windows.
Trace trace_module(const ast::Module& m, size_t skip = 0);

/// The opcodes of `trace`'s sites whose recorded results differ from what
/// Warden computes for the recorded operands, in site order, each once.
/// `globals` maps a global's index to its bits as the state call returned
/// them (one value, or two for a v128: low half first).
std::vector<std::string> suspects(const Trace& trace, const std::map<uint32_t, std::vector<uint64_t>>& globals);

/// The globals in a probe's state call: its values by the labels
/// "global N" and "global N.K" (Probe::state_labels).
std::map<uint32_t, std::vector<uint64_t>> globals_of(const std::vector<std::string>& labels,
                                                     const std::vector<uint64_t>& values);

}  // namespace warden::diff
