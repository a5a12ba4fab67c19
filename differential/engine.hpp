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

/// Where the engines find their tools and keep their scratch files.
struct EngineSetup {
  EngineLimits limits;
  std::string tool_dir;  ///< wabt's and Binaryen's executables (/usr/bin)
  std::string work_dir;  ///< scratch files; an engine keeps its own folder in it
  std::string node;      ///< V8: the node executable
  std::string harness;   ///< V8: v8_harness.js
};

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

/// The engine called `name` (warden, wabt, binaryen, v8), not yet asked
/// whether it is available; null for any other name.
std::unique_ptr<Engine> make_engine(std::string_view name, const EngineSetup& setup);

/// The Wasm 2.0 feature flags Binaryen 108 needs (it defaults to MVP).
extern const std::vector<std::string> kBinaryenFeatures;

}  // namespace warden::diff
