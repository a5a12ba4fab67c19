// Hostile WASI programs and the directory tree they run in: what the `wasi`
// fuzz target (the sandbox-escape oracle) and the WASI differential of
// `warden diff` share.
//
// A program is a list of calls to wasi_snapshot_preview1 functions with
// constant arguments chosen from a palette of hostile values: pointers at
// and past the end of memory, lengths whose sum wraps 32 bits, iovec arrays
// that point into themselves or out of bounds, paths with "..", "/", NUL,
// long names and symlinks that point out, closed and never-opened fds.
// wasi_calls() reads one from arbitrary bytes; wasi_module() turns it into
// a module in one of two shapes:
//
//   Check   export "run": a call whose result is not a preview1 errno
//           (0..76) executes `unreachable` (the fuzz target's oracle);
//   Record  export "_start" (what node:wasi starts): before each call the
//           page is restored (memory.init of the arena, memory.fill of the
//           rest), so every call sees wasi_memory_image() and never what an
//           earlier one wrote; call i's errno goes to
//           the exported global "errno<i>" (initially -1: not reached),
//           and the global "done" becomes 1 when _start returns.
//           Two runtimes can then be compared call by call.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "warden/syntax.hpp"

namespace warden::fuzz {

/// One call: the function's index in wasi::function_names() and its
/// arguments (i32 ones zero-extended).
struct WasiCall {
  uint32_t fn = 0;
  std::vector<uint64_t> args;
  uint32_t path_args = 0;  ///< bit k: args k, k+1 are a palette path (ptr, len)
};

inline constexpr uint32_t kWasiMaxCalls = 64;

/// The program `input` encodes. Each call is one byte choosing the
/// function, then one byte per parameter choosing its value from the
/// palette; a byte >= 0xC0 (but 0xFF) makes a (ptr, len) pair a path;
/// 0xFF takes four raw bytes. proc_exit comes only near the end.
std::vector<WasiCall> wasi_calls(std::span<const uint8_t> input);

enum class WasiShape { Check, Record };
ast::Module wasi_module(std::span<const WasiCall> calls, WasiShape shape);

/// What a Record-shape program's memory holds before every call: the
/// arena (paths, iovec arrays), then zeros to the end of the one page.
std::vector<uint8_t> wasi_memory_image();

/// The function's name, for reports.
std::string wasi_call_name(const WasiCall& c);
/// "path_open(3, 1, "../escape", 0, ...)": the (ptr, len) pairs chosen as
/// palette paths are shown as strings.
std::string describe(const WasiCall& c);

/// The tree a program runs in, under `root`:
///   root/scratch   the preopen ("/sandbox"): f, d/, d/f, and symlinks
///                  link_out -> ../canary, link_abs -> root/canary (absolute),
///                  link_dir -> d, loop -> loop, and link_root -> / when
///                  `link_to_root` (never for a runtime that is not
///                  confining by design: it would reach this machine's /)
///   root/canary    outside: files a guest must never read or change
///   root/ro        a second preopen for runtimes with read-only ones,
///                  holding link_out -> ../canary
void make_wasi_tree(const std::string& root, bool link_to_root);
/// Resets root/scratch to its initial state.
void reset_wasi_scratch(const std::string& root, bool link_to_root);

/// A canonical description of a tree: each entry's relative path, type,
/// permission bits (when `modes`), and content or link target, sorted.
std::string tree_snapshot(const std::string& root, bool modes = true);

}  // namespace warden::fuzz
