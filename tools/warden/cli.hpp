// The `warden` command's subcommand registry.
//
// Each subcommand lives in its own file in tools/warden/ and registers itself
// with a static Registrar; main.cpp turns the registry into a CLI11 app. The
// files are compiled straight into the executable (not a static library), so
// every registrar's constructor runs before main(). To add a subcommand:
//
//   namespace {
//   void setup(CLI::App& sub, int& exit_code) {
//     auto opts = std::make_shared<Options>();   // outlives setup()
//     sub.add_option("file", opts->file, "...")->required();
//     sub.callback([opts, &exit_code] { exit_code = run(*opts); });
//   }
//   const warden::cli::Registrar reg{{"name", "one-line description", setup}};
//   }  // namespace
#pragma once
#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "warden/host.hpp"
#include "warden/warden.hpp"

namespace warden::cli {

/// Process exit codes shared by every subcommand (README.md, "Exit codes").
/// A WASI program's own status (proc_exit) passes through `run` unchanged,
/// so these can collide with it: Warden prints a line on stderr whenever it
/// chose the code, and `run --exit-code-json` records which (docs/policy.md).
enum Exit : int {
  kExitOk = 0,
  kExitRejected = 1,   ///< malformed, invalid or unlinkable module
  kExitTrap = 2,       ///< a trap (also during instantiation)
  kExitExhausted = 3,  ///< a Warden resource limit (Limits) was hit
  kExitDenied = 4,     ///< run: the guest ended with 0, but the sandbox refused it a call
  kExitUnsigned = 5,   ///< run, verify: no valid signature by a trusted key
  kExitUsage = 64,     ///< bad command line, literal, export name or arity
};

/// One subcommand. `setup` declares the options on `sub` and installs a
/// callback that stores the process exit code in `exit_code` (which lives
/// until main returns).
struct Command {
  const char* name;
  const char* description;
  void (*setup)(CLI::App& sub, int& exit_code);
};

/// Every registered subcommand, in registration order (unspecified across
/// files; main.cpp sorts by name).
std::vector<Command>& registry();

/// Registers a subcommand during static initialisation.
struct Registrar {
  explicit Registrar(Command c) { registry().push_back(c); }
};

// ---- helpers shared by the subcommands (common.cpp) ----

/// Reads a whole file. On failure prints "FILE: cannot read: reason" to
/// stderr and returns false. Refuses files larger than `max_bytes` with
/// "FILE: exhausted: ..." (sets *exhausted so the caller can exit 3).
bool read_file(const std::string& path, uint64_t max_bytes, std::vector<uint8_t>& out, bool* exhausted);

/// The binary module in FILE: read as is, or, when the name ends in ".wat",
/// parsed as the text format (spec 6) and encoded. On failure prints the
/// error (text errors as "FILE:LINE:COLUMN: malformed: message"), sets
/// `exit_code` and returns nullopt.
std::optional<std::vector<uint8_t>> read_module(const std::string& path, const Limits& limits, int& exit_code);

/// Limits::load_threads for a module of `module_bytes`: `flag` if given
/// (--load-threads), else the CPUs the process may keep busy (usable_cpus()
/// in cpus.hpp: the affinity mask lowered by a cgroup quota; at most 8) for
/// a module of 1 MiB or more, where they pay for starting, and 1 below.
uint32_t load_threads(size_t module_bytes, uint32_t flag);
/// Adds --load-threads N to `sub`, stored in `flag` (0: not given).
void add_load_threads_option(CLI::App& sub, uint32_t& flag);

/// Checks that `bytes` (read from FILE) carry a valid signature by one of
/// the public keys in `key_files`, embedded or in `detached_file` (when not
/// empty). On a refusal prints "FILE: signature refused: reason" and sets
/// `exit_code` to kExitUnsigned; on an unreadable or malformed key file,
/// prints why and sets kExitUsage. Returns whether the module may go on.
/// `signer` (when not null) gets the index of the key that signed.
bool check_signature(const std::string& file, std::span<const uint8_t> bytes, const std::vector<std::string>& key_files,
                     const std::string& detached_file, int& exit_code, size_t* signer = nullptr,
                     std::string* refusal = nullptr);

/// "10m", "90s", "1h", "600" (seconds) -> seconds; negative on a bad value.
double parse_duration(const std::string& s);

/// "a,b,,c" -> {"a", "b", "c"}: a comma list option.
std::vector<std::string> split_list(const std::string& s);

/// Prints a load-time error as "FILE:0xOFFSET: kind: message" (the offset
/// part is omitted when unknown) to stderr and returns the exit code for it.
int report_load_error(const std::string& file, const Error& e);

/// Prints a run-time error (stderr "trap: message" or "exhausted: message",
/// others as "kind: message") and returns its exit code.
int report_run_error(const Error& e);

/// The `warden run` flags that grant `streams` (stdin, stdout, stderr) and
/// `caps` (None is skipped): "--allow stdout,clock --dir HOST[::GUEST]", or
/// "" when nothing is needed. Used by `inspect` and by run's link hints.
std::string grant_flags(std::span<const std::string> streams, std::span<const Capability> caps);

}  // namespace warden::cli
