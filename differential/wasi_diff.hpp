// The WASI differential (docs/differential.md, "WASI"): hostile WASI
// programs (fuzzers/common/wasi_program.hpp, Record shape) run under Warden
// and under node's WASI (uvwasi, through differential/wasi_harness.js),
// each in its own copy of the same tree: a scratch preopen /sandbox beside
// a canary directory. Compared: the errno of every call, how the run ended
// (returned, proc_exit code, trap), stdout and stderr, the scratch tree
// afterwards, and the canary, which must never change under either.
//
// node:wasi is not a sandbox by its own documentation, so its tree never
// holds a link to /: the symlinks that point out lead to the canary.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "compare.hpp"
#include "process.hpp"
#include "wasi_program.hpp"

namespace warden::diff {

/// What one runtime did with a program.
struct WasiRun {
  std::string end;              ///< "returned", "exit N", "trap: ...", "hang", "crash: ...", "harness: ..."
  std::vector<int32_t> errnos;  ///< per call; -1: not reached
  int32_t died_in = -1;         ///< the call during which node crashed or hung
  std::vector<uint8_t> module;  ///< what ran
  std::string out, err;         ///< stdout and stderr bytes
  std::string scratch;          ///< tree_snapshot of the preopen afterwards, the tree's root as $ROOT
  std::string outside;          ///< what appeared beside the preopen, the canary and the streams
  bool canary_changed = false;
  std::string canary;  ///< the canary's snapshot when it changed
};

/// The two runtimes, each with a tree of its own under `work_dir`.
class WasiRunners {
 public:
  WasiRunners(std::string work_dir, std::string node, std::string harness, uint32_t timeout_ms, uint64_t memory_bytes);
  ~WasiRunners();
  /// Whether node and the harness answer; `why` says what is missing.
  bool available(std::string& why);
  std::string node_version() const { return node_version_; }
  /// Runs the program (Record shape) under Warden, in this process, as
  /// `warden diff` runs it: --deterministic, seed 1, every grant.
  WasiRun run_warden(std::span<const fuzz::WasiCall> calls);
  /// Runs it under node. When node dies or hangs, shorter prefixes of the
  /// program are run to find the call that does it (`died_in`): a binary
  /// search whose first two prefixes, when a `hint` is given, end just
  /// before and just after call `hint` (a minimizer that knows where the
  /// last program died). Either way the search ends at a prefix that survives
  /// next to one that dies.
  WasiRun run_node(std::span<const fuzz::WasiCall> calls, int32_t hint = -1);

 private:
  WasiRun node_once(std::span<const fuzz::WasiCall> calls);
  WasiRun finish(const std::string& root, WasiRun r);
  /// The node process for the next request. One that died or hung is
  /// replaced by the spare, started when the last one took over, so that a
  /// crash costs no start-up wait; a new spare starts at once.
  LineProcess& node_process();
  std::string work_, node_, harness_, node_version_;
  uint32_t timeout_ms_;
  uint64_t memory_bytes_;
  LineProcess procs_[2];  // the live node and its spare
  int live_ = 0;
  std::string canary_before_;
};

/// What a regression pins of a run: its end, errnos, output and tree, as
/// text (corpora/regressions/wasi-diff/*.expect).
std::string wasi_expectation(const WasiRun& r);

/// Every disagreement between Warden's run `w` and node's `n`, in order:
/// a changed canary alone; else each call whose errnos differ (a crash,
/// hang or trap ends the list), then how the runs ended, stdout, stderr and
/// the scratch tree. A call's signature names its function and both errnos.
std::vector<Finding> compare_wasi(std::span<const fuzz::WasiCall> calls, const WasiRun& w, const WasiRun& n);

/// What a program stands for: the first disagreement no rule explains, or
/// else the gravest explained one (a crash, hang or escape before any
/// other, then the first) with its rule; none when the runs agree. Comparison
/// goes past an explained call only while both runtimes refused it (an
/// error changes no state), so a difference that follows from another is
/// never a finding of its own.
std::optional<std::pair<Finding, std::string>> first_unexplained(std::span<const fuzz::WasiCall> calls,
                                                                 const WasiRun& w, const WasiRun& n);

/// A WASI finding's explanation: the rule (differential/peer-bugs.md for
/// node's bugs, docs/sandbox.md for Warden's deliberate differences) that
/// accounts for it, or "".
struct WasiCase {
  const Finding& finding;
  std::span<const fuzz::WasiCall> calls;
  const WasiRun& warden;
  const WasiRun& node;
};
std::string explain_wasi(const WasiCase& c);

/// Whether the program may go to node: false for the calls that take node
/// down for seconds by a catalogued bug or habit (a deadlock, a signal to
/// itself, a poll_oneoff that sleeps a second or more).
/// The campaign leaves them out of its programs; their regressions keep
/// them pinned.
bool node_can_take(const fuzz::WasiCall& c);

/// A program as JSON, [{"fn": NAME, "args": [...], "paths": MASK}, ...],
/// and back (false when a name is not a preview1 function Warden defines).
std::string program_json(std::span<const fuzz::WasiCall> calls);
bool program_from_json(const std::string& text, std::vector<fuzz::WasiCall>& calls);

/// The rule table, for docs and tests.
struct WasiRule {
  std::string_view name;
  std::string_view summary;
  bool (*match)(const WasiCase&);
};
std::span<const WasiRule> wasi_rules();

}  // namespace warden::diff
