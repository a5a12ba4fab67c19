// WASI snapshot_preview1 under a deny-by-default policy (docs/sandbox.md).
//
// A wasi::Context holds what the operator granted: arguments, environment
// variables, the three standard streams, preopened directories (each
// read-only unless write was granted), clocks, randomness and exit. Every
// function of the module "wasi_snapshot_preview1" is tagged with the
// capability it needs (capability_of); link() defines only the granted
// ones, so a module importing a denied one fails to link with
// "wasi_snapshot_preview1.path_open needs capability fs (not granted)".
// Functions outside the supported subset link and return ENOSYS.
//
// Guest memory is reached only through GuestMemory (warden/host.hpp); paths
// resolve only beneath their preopen (openat with O_NOFOLLOW component by
// component, or openat2 RESOLVE_BENEATH), and no host allocation is sized
// by a guest-claimed count before that count is checked against guest
// memory and the Config's bounds.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "warden/host.hpp"
#include "warden/warden.hpp"

namespace warden::wasi {

inline constexpr std::string_view kModuleName = "wasi_snapshot_preview1";

/// A host directory made visible to the guest under `guest_path`.
struct Preopen {
  std::string host_path;
  std::string guest_path;
  bool writable = false;  ///< create, write, rename, remove; else read-only
};

struct Config {
  /// argv as the guest sees it (args[0] is the program name). Reachable
  /// only when grants has Capability::Args.
  std::vector<std::string> args;
  /// NAME=VALUE pairs, the only environment the guest sees (needs Env).
  std::vector<std::pair<std::string, std::string>> env;
  /// Needs Fs. Guest fds 3, 4, ... in this order.
  std::vector<Preopen> dirs;
  /// Which standard streams exist for the guest (fd 0, 1, 2); a stream not
  /// granted is EBADF. `*_fd` are the host descriptors behind them.
  bool stdin_granted = false, stdout_granted = false, stderr_granted = false;
  int stdin_fd = 0, stdout_fd = 1, stderr_fd = 2;
  /// Args, Env, Clock, Random, Fs, Exit.
  Grants grants;
  /// Virtual clocks (start at kDeterministicEpochNs, advance 1 ms per
  /// clock read) and random_get from a generator seeded with `seed`: two
  /// runs with the same inputs produce the same bytes.
  bool deterministic = false;
  uint64_t seed = 0;
  /// Open descriptors per instance, preopens and stdio included.
  uint32_t max_open_files = 64;
  /// Bytes one fd_read/fd_write/random_get/... call may move, and iovecs
  /// per call (POSIX IOV_MAX).
  uint64_t max_io_bytes = 16ull << 20;
  uint32_t max_iovs = 1024;
  /// Longest path (bytes) a guest may pass.
  uint32_t max_path = 4096;
};

/// 2000-01-01T00:00:00Z: where deterministic clocks start.
inline constexpr uint64_t kDeterministicEpochNs = 946'684'800'000'000'000ull;

/// What a run did at the doors: calls per function, and each denial.
struct Stats {
  uint64_t calls = 0;
  uint64_t denied =
      0;  ///< calls refused by policy (EBADF on an ungranted stream, ENOTCAPABLE, EACCES/EROFS on read-only, EMFILE at max_open_files)
  uint64_t faults = 0;  ///< calls refused for guest pointers out of bounds (EFAULT)
  uint64_t bytes_read = 0, bytes_written = 0;
  std::vector<std::string> denials;  ///< "path_open: ../etc/passwd escapes the preopen", at most 100 kept
  /// Calls and denials per function, indexed as function_names().
  std::vector<uint64_t> calls_by_function, denied_by_function;
};

class Context {
 public:
  /// Opens every preopen (a directory, else Uninstantiable "cannot open
  /// preopen HOST: reason"). The context must outlive the instances
  /// linked to it.
  static Result<std::unique_ptr<Context>> create(Config config);
  ~Context();

  /// Defines wasi_snapshot_preview1 in `linker`, each function only if its
  /// capability was granted (Linker::define_host).
  void link(Store& store, Linker& linker);

  /// Set once the guest called proc_exit(code); the call then ended with
  /// Trap "exit N" (is_exit recognises it).
  std::optional<uint32_t> exit_code() const;
  const Stats& stats() const;
  const Config& config() const;

  struct Impl;

 private:
  explicit Context(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// True for the Error with which proc_exit ends a run.
bool is_exit(const Error& e);

/// The capability a WASI preview1 function needs (Capability::None for the
/// fd_* functions: what they reach is decided by the descriptor table), or
/// nullopt when `name` is not a preview1 function Warden defines.
std::optional<Capability> capability_of(std::string_view name);

/// Every preview1 function Warden defines, supported or ENOSYS, in order.
std::vector<std::string_view> function_names();
/// Whether `name` is implemented (false: linkable, returns ENOSYS).
bool supported(std::string_view name);
/// The preview1 type of `name` (i32/i64 parameters; one i32 errno result,
/// none for proc_exit), or nullopt when it is not a preview1 function.
std::optional<FuncType> type_of(std::string_view name);

/// The preview1 name of an errno ("success", "badf", "notcapable", ...),
/// or "" for a value past 76.
std::string_view errno_name(uint32_t e);

}  // namespace warden::wasi
