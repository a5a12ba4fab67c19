// The .wast script runner: executes the official testsuite's commands against
// Warden's public API (spec interpreter README, "Scripts"), one Store and one
// Linker per file, and reports each command's outcome.
#pragma once
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "warden/script.hpp"
#include "warden/warden.hpp"

namespace warden::spec {

/// The outcome of one top-level command.
struct Outcome {
  enum class Status : uint8_t { Passed, Failed, Skipped };
  Status status = Status::Passed;
  uint32_t line = 0;
  std::string command;   ///< "module", "register", "action", "assert_return", ...
  std::string expected;  ///< what the script asked for (failures, mismatches)
  std::string actual;    ///< what Warden did
  /// Passed with the right error kind but a message that does not start with
  /// the script's text (the reference interpreter's prefix rule).
  bool message_mismatch = false;
  std::string skip_reason;  ///< Skipped: the reason from the skip list
};

/// Receives every outcome in command order.
using OutcomeSink = std::function<void(const Outcome&)>;
/// Called just before each command runs (to locate a crash).
using StartHook = std::function<void(uint32_t line, std::string_view command)>;

struct RunnerOptions {
  /// Lines of this file to skip, with their reasons.
  std::map<uint32_t, std::string> skips;
  /// Where spectest's print functions write; null = nowhere.
  std::FILE* print_to = nullptr;
  Limits limits;
};

/// Parses `source` and runs every command. A script that does not parse is
/// reported as one failed "script" outcome at the error's line. Never throws
/// or aborts on any script; a crash inside the engine is the caller's concern
/// (see run_file_isolated).
void run_source(std::string_view source, const RunnerOptions& options, const OutcomeSink& sink,
                const StartHook& on_start = {});

/// Runs an already-parsed script (its modules are moved out).
void run_script(text::Script& script, const RunnerOptions& options, const OutcomeSink& sink,
                const StartHook& on_start = {});

/// The name the script format gives a command kind ("assert_return", ...).
std::string_view command_name(text::Command::Kind k);

// ------------------------------------------------------------- per file ----

/// The outcomes of one .wast file.
struct FileReport {
  std::string name;  ///< base name, e.g. "i32.wast"
  std::string path;
  uint32_t passed = 0, failed = 0, skipped = 0, message_mismatches = 0;
  std::vector<Outcome> failures;    ///< Failed outcomes, in order
  std::vector<Outcome> mismatches;  ///< Passed with message_mismatch, in order
  /// Non-empty when the file could not be read, crashed or timed out.
  std::string fatal;

  uint32_t total() const { return passed + failed + skipped; }
  void add(const Outcome& o);
};

/// Runs one file in this process.
FileReport run_file(const std::string& path, const RunnerOptions& options);

/// Runs one file in a child process, so that a crash or a hang inside the
/// engine costs that file's remaining commands, not the whole run. The command
/// that was running when the child died (signal) or hit `timeout_seconds` is
/// recorded as a failure and `fatal` says what happened; commands after it are
/// not counted (their number is unknown once the child is gone).
FileReport run_file_isolated(const std::string& path, const RunnerOptions& options, unsigned timeout_seconds);

// --------------------------------------------------------- formatting ----

/// A value in script syntax, e.g. "(i32.const -1)", "(f32.const nan:0x200000)",
/// "(v128.const i32x4 0x00000001 ...)". `lane_shape` F32/F64 prints a v128 as
/// f32x4/f64x2 lanes.
std::string format_value(const Value& v, ValType lane_shape = ValType::I32);
std::string format_values(const std::vector<Value>& vs, ValType lane_shape = ValType::I32);
std::string format_expected(const std::vector<text::Expected>& es);

/// True when `actual` satisfies `expected` (bitwise, NaN patterns, per lane).
bool matches(const text::Expected& expected, const Value& actual);

/// `message` without a leading "LINE:COL: " position (text parser errors).
std::string_view strip_position(std::string_view message);

}  // namespace warden::spec
