// Shared by the fuzz targets: failing loudly, running a module's exports
// under a schedule into a comparable trace, and describing outcomes.
//
// A target reports a bug by calling fail(), which prints the reason and
// aborts, so libFuzzer, AFL++ and the replay driver all record it as a
// crash with the input that caused it.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "warden/warden.hpp"

namespace warden::fuzz {

[[noreturn]] void fail(const std::string& why);

/// "kind: message" (the offset is left out: it is not part of a contract
/// between two loads of different bytes).
std::string describe(const Error& e);

/// Abort unless `e` is of one of the allowed kinds.
void require_kind(const Error& e, std::initializer_list<ErrorKind> allowed, const char* where);

/// How run_module drives an instance.
struct RunConfig {
  Limits limits;
  StoreOptions options;
  uint32_t rounds = 2;                ///< every exported function is called this often
  uint64_t call_fuel = 200'000;       ///< engine fuel per call (0 = unlimited)
  uint32_t fuel_global_value = 1000;  ///< the generator's fuel global, reset before each call
  /// Give call `index` exactly `fuel` units and, with `stop`, end the run
  /// after it (the trace then has no final state).
  struct Cut {
    size_t index;
    uint64_t fuel;
    bool stop = true;
  };
  std::optional<Cut> cut;
};

struct RunResult {
  bool instantiated = false;
  std::string trace;               ///< everything observable, comparable across stores
  std::vector<std::string> calls;  ///< per call: "ok ..." or "kind: message"
  std::vector<uint64_t> fuel;      ///< per call: fuel_consumed()
  size_t returned = 0, trapped = 0, exhausted = 0;
};

/// Instantiate `m` against the spectest host in a fresh store and call every
/// exported function `rounds` times, in export order, with arguments drawn
/// from `plan` (zeros once it runs out). The trace records the
/// instantiation outcome, each call's outcome with its results' bits, and
/// the final state (memory hash, globals, tables). Function references are
/// recorded as the export they denote, so traces from different stores
/// compare equal exactly when the observable behaviour is the same.
RunResult run_module(const std::shared_ptr<const Module>& m, std::span<const uint8_t> plan, const RunConfig& cfg);

/// Bit pattern of a value, "i32:0000002a" style, appended to `out`.
void append_value_bits(std::string& out, const Value& v);

}  // namespace warden::fuzz
