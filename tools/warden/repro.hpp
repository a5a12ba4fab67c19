// `warden repro`: from whatever a user was handed (a fuzzer's crash file, a
// module, a script, a `warden diff` bundle) to one explained verdict
// (docs/repro.md). `warden audit` runs it on every new finding.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace warden::cli::repro {

/// The one-line answer, most serious first. The process exit status of
/// `warden repro` is the most serious verdict over its artifacts.
enum class Verdict : uint8_t {
  NotReproducible,  ///< every engine agrees and nothing crashed
  SpecAllowed,      ///< engines differ only where the spec allows it (a feature, a limit, NaN bits)
  PeerBug,          ///< a catalogued peer bug (differential/peer-bugs.md)
  NewPeerBug,       ///< a peer disagrees with Warden and the others, no rule explains it
  WardenBug,        ///< Warden crashed, failed an oracle or an assertion, or every peer disagrees with it
};
const char* to_string(Verdict v);
/// 0 not reproducible, 10 Warden bug, 11 peer bug, 12 new peer bug, 13 spec-allowed.
int exit_code(Verdict v);

enum class Kind : uint8_t { FuzzInput, Module, Text, Script, Bundle, WasiBundle };
const char* to_string(Kind k);

struct Options {
  std::vector<std::string> artifacts;
  std::string target;  ///< fuzz target of inputs their path does not name
  std::string engines = "warden,wabt,binaryen,v8";
  std::vector<std::string> protocol;  ///< --engine NAME=COMMAND (docs/engine-protocol.md)
  std::string fuzz_build;             ///< libFuzzer + ASan/UBSan build (default <source>/build/fuzz)
  std::string fuzzer;                 ///< an explicit fuzz-target binary (libFuzzer or replay_<target>)
  std::string out = "repro-out";      ///< bundles, converted and minimized inputs
  std::string corpora;                ///< --add-regression's root (default <source>/corpora)
  double timeout = 25;                ///< seconds per fuzz-target run
  bool minimize = false, add_regression = false, json = false, verbose = false;
};

/// What one engine did, in the comparison's words.
struct EngineResult {
  std::string engine, load, run;  ///< run: "" when the module was not run
};

struct FindingLine {
  std::string signature, rule, bundle;
  std::vector<std::string> suspects;  ///< instructions the bundle's trace says an engine gets wrong
  Verdict verdict = Verdict::NotReproducible;
  std::map<std::string, std::string> outcomes;
};

struct Report {
  std::string artifact;
  Kind kind = Kind::Module;
  std::string target;  ///< fuzz inputs
  std::string build;   ///< which build replayed it, in words
  // The fuzz target's run on the input.
  std::string crash;  ///< "" = clean; else one line: what went wrong
  std::vector<std::string> frames;
  std::string crash_log;  ///< where the whole report was saved
  // The spec's expectation where a script decides it.
  std::vector<std::string> expected;
  uint32_t script_passed = 0, script_failed = 0;
  std::vector<EngineResult> engines;
  std::vector<std::string> missing;  ///< peers not available, with why
  std::vector<FindingLine> findings;
  std::map<std::string, uint64_t> ignored;
  Verdict verdict = Verdict::NotReproducible;
  std::string why;                       ///< the verdict's one-line reason
  std::string minimized;                 ///< --minimize: the smaller input
  std::vector<std::string> regressions;  ///< --add-regression: files written
  std::string error;                     ///< the artifact could not be replayed at all
};

/// Replays one artifact. Never throws on bad input: what went wrong is in
/// `error` (and the verdict stays NotReproducible).
Report reproduce(const std::string& artifact, const Options& o);

std::string render_text(const Report& r);
std::string render_json(const std::vector<Report>& reports);

/// The repository this warden was built from (its fuzz build, harnesses,
/// corpora): WARDEN_SOURCE_DIR.
std::string source_dir();

}  // namespace warden::cli::repro
