// Comparing engines' outcomes (docs/differential.md, "Comparison rules").
//
// A disagreement becomes a Finding with a signature: its kind, where it
// happened (the first differing call or state value, the NaN-rule opcode,
// or the rule a load error names) and the set of engines on the other side
// of the reference engine (Warden, when it runs). Findings with equal
// signatures are one bucket.
//
// What cannot be compared is not a finding but an ignored run, counted
// under the name of the rule that says why (a feature an engine lacks, a
// peer's implementation limit, a call JS cannot make, ...). Warden's own
// limit is a finding when V8 loads the module: what loads on the web must
// load here.
#pragma once
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "engine.hpp"

namespace warden::diff {

/// Sanitizer: Warden's sanitized build (kSanitizedEngine) reported an error
/// (sanitizer.hpp), whatever the result.
enum class FindingKind : uint8_t { Validation, Result, Trap, Crash, Hang, Nondeterminism, Sanitizer };
std::string_view to_string(FindingKind k);

struct Finding {
  FindingKind kind = FindingKind::Result;
  std::string where;                 ///< "c3", "state: memory hash", "nan f32.add", a load-error key
  std::vector<std::string> engines;  ///< the engines that disagree with the reference
  std::string signature;             ///< kind|where-key|engines
  /// Per engine, what it did (the reference's entry is the "expected").
  std::map<std::string, std::string> outcomes;
  std::string reference;  ///< the engine others were compared with
  size_t call = 0;        ///< index of the first differing call (run findings)
};

/// Counts of ignored comparisons, by rule name.
using Ignored = std::map<std::string, uint64_t>;

/// One engine's answer, with the engine's name.
struct EngineLoad {
  std::string engine;
  bool three_way = false;
  LoadResult load;
};
struct EngineRun {
  std::string engine;
  RunResult run;
};

/// Whether `engine` is Warden's sanitized twin (kSanitizedEngine). A twin
/// runs Warden's own code, so it is compared with Warden alone and exactly
/// (verdict, message and offset; status, values, trap kinds and message),
/// never with the peers, and no peer rule can explain it: a sanitizer
/// report is a Sanitizer finding, any other difference a finding of its
/// kind. Only a deadline (the sanitized build is slower) sets the rest of a
/// twin's run aside, counted as "twin: NAME reached a deadline".
bool is_twin(std::string_view engine);

/// A depth-matched rerun: Warden run again at a peer's fixed call depth
/// (Engine::fixed_call_depth) after that peer's call stack overflowed. Its
/// run is named depth_matched_name(PEER) and compared
/// with PEER's alone, every step, the overflow included: at the same depth
/// both must trap at the same call and leave the same state behind. A
/// difference is a finding with the signature KIND|depth-matched
/// {instantiate,call,state}|PEER.
std::string depth_matched_name(std::string_view peer);
/// The peer of a depth-matched run, or "" when `engine` is not one.
std::string_view depth_matched_peer(std::string_view engine);

/// Compares load verdicts (the three-way validation differential). An
/// engine's implementation limit is ignored, but for Warden's against a
/// module V8 loads: a finding, "warden limit rejects a module V8 accepts: ...".
std::vector<Finding> compare_loads(std::span<const EngineLoad> loads, Ignored& ignored);

/// Compares runs of the same probe. `state_labels` names the values of the
/// last call ("state"); `targets` names the original export per call.
std::vector<Finding> compare_runs(std::span<const EngineRun> runs, const std::vector<std::string>& targets,
                                  const std::vector<std::string>& state_labels, Ignored& ignored);

/// Whether two verdicts agree: equal, or "rejected" against malformed or
/// invalid.
bool verdicts_agree(Verdict a, Verdict b);
/// Whether two outcomes agree: same status, equal bits, intersecting trap
/// kinds.
bool outcomes_agree(const Outcome& a, const Outcome& b);
/// Whether an outcome can be compared with another's: it returned or
/// trapped (not a limit, a hang, a crash or a call the engine cannot make).
bool comparable(const Outcome& o);

/// "digits -> N", cut to 48 characters: a message as a dedup key.
std::string message_key(const std::string& message);

}  // namespace warden::diff
