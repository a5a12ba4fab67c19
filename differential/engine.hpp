// The one interface every engine under differential test implements, and the
// outcomes it reports.
//
// An engine is asked two things:
//   validate  bytes -> valid / malformed / invalid (or "rejected" when the
//             engine cannot tell the last two apart);
//   run       bytes + a list of calls -> the load verdict, the outcome of
//             instantiation, and one outcome per call (values as raw bits,
//             or a trap with its kinds).
// Memories and globals are observed through calls too: the campaign runs
// probe modules (probe.hpp) whose last export returns a hash of the memory
// and the value of every global, so "state afterwards" is one more call
// that every engine can make the same way.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "warden/warden.hpp"

namespace warden::diff {

/// What loading a module gave (spec 5 decoding, spec 3 validation).
enum class Verdict : uint8_t {
  Valid,
  Malformed,    ///< does not decode (spec 5)
  Invalid,      ///< decodes, fails validation (spec 3)
  Rejected,     ///< malformed or invalid; the engine does not say which
  Limit,        ///< refused by an implementation limit, not by the spec
  Unsupported,  ///< uses a feature the engine (as configured) lacks
  Crash,        ///< the engine died
  Hang,         ///< the engine did not answer in time
  NotRun,       ///< the engine was not asked (missing, or out of budget)
};
std::string_view to_string(Verdict v);

/// Trap kinds as a bit set: one engine message may stand for several kinds
/// (V8 says "null function or function signature mismatch" for both an
/// uninitialized element and an indirect call type mismatch), and two
/// outcomes agree when their sets intersect. traps.cpp holds the one table
/// from each engine's messages to these bits.
enum TrapKind : uint32_t {
  kTrapUnreachable = 1u << 0,       ///< "unreachable"
  kTrapDivZero = 1u << 1,           ///< "integer divide by zero"
  kTrapIntOverflow = 1u << 2,       ///< "integer overflow"
  kTrapConversion = 1u << 3,        ///< "invalid conversion to integer"
  kTrapMemory = 1u << 4,            ///< "out of bounds memory access"
  kTrapTable = 1u << 5,             ///< "out of bounds table access"
  kTrapUndefinedElement = 1u << 6,  ///< "undefined element" (call_indirect index >= size)
  kTrapUninitialized = 1u << 7,     ///< "uninitialized element"
  kTrapIndirectType = 1u << 8,      ///< "indirect call type mismatch"
  kTrapStack = 1u << 9,             ///< "call stack exhausted"
  kTrapUnknown = 1u << 31,          ///< a message missing from the table
};
/// "unreachable|stack" style names of a set.
std::string trap_names(uint32_t kinds);

/// The outcome of instantiation or of one call.
struct Outcome {
  enum class Status : uint8_t {
    Ok,           ///< returned `values`
    Trap,         ///< trapped: `trap` holds its kinds
    Exhausted,    ///< an engine resource limit (Warden's fuel, memory cap)
    Unlinkable,   ///< imports did not match (instantiation only)
    Unsupported,  ///< the engine cannot make this call (e.g. v128 through JS)
    Crash,
    Hang,
    NotRun,  ///< never reached (load failed, an earlier crash, ...)
  };
  Status status = Status::NotRun;
  std::vector<uint64_t> values;  ///< result bits; i32 zero-extended
  uint32_t trap = 0;             ///< TrapKind bits when status == Trap
  std::string message;           ///< the engine's own words, for the report
};
std::string_view to_string(Outcome::Status s);
/// "ok 0x2a 0x7fc00000", "trap divzero (integer divide by zero)", ...
std::string describe(const Outcome& o);

/// One call of a run: an export with arguments. Engines that cannot pass
/// arguments (Binaryen's --fuzz-exec) need every call to take none, which
/// the probe modules guarantee.
struct Call {
  std::string name;
  std::vector<Value> args;
  std::vector<ValType> results;  ///< the export's result types (for parsing)
};

struct RunJob {
  std::span<const uint8_t> bytes;
  std::vector<Call> calls;  ///< in order; every call is attempted
};

struct LoadResult {
  Verdict verdict = Verdict::NotRun;
  std::string message;
  uint64_t offset = kNoOffset;  ///< byte offset of the error, where the engine says
};

struct RunResult {
  LoadResult load;
  Outcome instantiate;
  std::vector<Outcome> calls;  ///< one per RunJob call
};

/// The limits every engine is given, so exhaustion is comparable
/// (docs/differential.md, "Resource exhaustion").
struct EngineLimits {
  uint32_t call_depth = 0;             ///< frames; 0 = the engine's default
  uint32_t timeout_ms = 5000;          ///< per process run / per module
  uint64_t memory_bytes = 4ull << 30;  ///< address space of a peer process
};

/// An engine outside Warden that speaks the engine protocol
/// (docs/engine-protocol.md): a long-lived program, started as
/// `/bin/sh -c command` in <work_dir>/<name>/, that answers one JSON line
/// on stdout for each JSON line of request on stdin.
struct ProtocolSpec {
  std::string name;     ///< how the campaign, findings and reports call it
  std::string command;  ///< a shell command line (arguments allowed)
};

/// Parses "NAME=COMMAND" (what `--engine` takes). NAME: 1 to 32 of
/// [A-Za-z0-9._-], starting with a letter or digit, and not a built-in
/// engine's name (builtin_engines()); COMMAND: not empty. On failure
/// returns nullopt and says why in `error`.
std::optional<ProtocolSpec> parse_engine_spec(std::string_view spec, std::string& error);

/// The names make_engine knows without a ProtocolSpec: warden, wabt,
/// binaryen, v8, the npm peers binaryen-npm and wabt-npm, and warden-asan
/// (Warden's ASan+UBSan build, EngineSetup::sanitized).
std::span<const std::string_view> builtin_engines();

/// Where the engines find their tools and keep their scratch files. Every
/// field has a working default, so `EngineSetup{}` (plus `protocol` for
/// engines of one's own) is enough for make_engine.
struct EngineSetup {
  EngineLimits limits;
  std::string tool_dir = "/usr/bin";   ///< wabt's and Binaryen's executables
  std::string work_dir;                ///< scratch files; an engine keeps its own folder in it (default /tmp)
  std::string node = "/usr/bin/node";  ///< v8, binaryen-npm, wabt-npm: the node executable
  std::string harness;                 ///< v8: v8_harness.js (default: this tree's differential/v8_harness.js)
  std::string repo_dir;  ///< this tree (default: the configured source dir): the npm harnesses and node_modules/
  /// Engines of one's own, by name: make_engine(spec.name, ...) returns a
  /// protocol engine running spec.command.
  std::vector<ProtocolSpec> protocol;
  /// The tool server (process.hpp, ToolServer) that keeps wasm-opt and
  /// wasm-validate loaded between runs: "" = the library this tree built,
  /// "none" = every run is an exec, else the library's path.
  std::string tool_server;
  /// warden-asan: the `warden` executable of the ASan+UBSan build, whose
  /// `engine-server` it runs (docs/differential.md, "The sanitized
  /// differential").
  std::string sanitized;
};

/// The library `tool_server` (EngineSetup::tool_server) names, or "" for
/// none (also when this tree did not build one).
std::string tool_server_library(const std::string& tool_server);

class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string_view name() const = 0;
  /// "wabt 1.0.32", "node v20.20.2", ...
  virtual std::string version() const = 0;
  /// Whether the engine can run here; `why` says what is missing.
  virtual bool available(std::string& why) = 0;
  /// Whether calls may take arguments.
  virtual bool passes_arguments() const { return true; }
  /// Whether validate() separates malformed from invalid.
  virtual bool three_way() const { return false; }
  /// The call depth at which this engine's call stack overflows whatever
  /// the frames' sizes, in wasm frames counted as Warden counts them
  /// (Limits::max_call_depth: the called export's frame included); 0 when
  /// it depends on frame sizes (V8) or is unknown. Warden reruns a probe at
  /// this depth to compare what follows a peer's overflow
  /// (docs/differential.md, "Depth-matched reruns").
  virtual uint32_t fixed_call_depth() const { return 0; }

  virtual std::vector<LoadResult> validate(std::span<const std::span<const uint8_t>> modules) = 0;
  /// One job: load, instantiate, then every call in order.
  virtual RunResult run_one(const RunJob& job) = 0;
  /// The jobs in order, by default one run_one() after another; an engine
  /// that takes a batch at once (wabt: one process per batch) overrides it.
  virtual std::vector<RunResult> run(std::span<const RunJob> jobs);
  /// A second opinion on one module's verdict, from the engine's dedicated
  /// validator where it has one (wabt: wasm-validate); by default validate().
  virtual LoadResult confirm(std::span<const uint8_t> bytes) {
    std::span<const uint8_t> one[] = {bytes};
    return validate(one).front();
  }
};

/// The engine called `name`, not yet asked whether it is available: a
/// built-in (builtin_engines()) or one of `setup.protocol`; null for any
/// other name. v8, binaryen-npm and wabt-npm are protocol engines too
/// (node running differential/<engine>_harness.js); available() says what
/// is missing when their node, harness or node_modules/ package is not
/// there.
///
/// How a command adds `--engine NAME=COMMAND` (warden diff does this; so
/// can repro, audit, ...):
///   EngineSetup setup;
///   std::string error;
///   std::optional<ProtocolSpec> spec = parse_engine_spec(arg, error);
///   if (!spec) -> usage error `error`
///   setup.protocol.push_back(*spec);
///   std::unique_ptr<Engine> e = make_engine(spec->name, setup);
///   std::string why;
///   if (!e->available(why)) -> report `why` (the engine did not start or
///                              did not answer hello with protocol 1)
std::unique_ptr<Engine> make_engine(std::string_view name, const EngineSetup& setup);

/// The sanitized differential's engine: Warden's ASan+UBSan build behind
/// the engine protocol. It is Warden's twin, compared with Warden alone and
/// exactly (compare.hpp), never with the peers.
inline constexpr std::string_view kSanitizedEngine = "warden-asan";

/// How much longer than Warden the sanitized build may take for a module
/// before it counts as slow (its deadline is timeout_ms times this):
/// Warden's debug ASan+UBSan build without fused operands is that much
/// slower (docs/differential.md, "The sanitized differential").
inline constexpr uint32_t kSanitizedSlowdown = 20;

/// The Wasm 2.0 feature flags Binaryen 108 needs (it defaults to MVP).
extern const std::vector<std::string> kBinaryenFeatures;

}  // namespace warden::diff
