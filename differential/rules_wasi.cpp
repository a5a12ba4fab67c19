// The WASI differential's rules: each explains one way Warden and node:wasi
// (node 20, uvwasi 0.0.23) differ: a bug of node's (differential/
// peer-bugs.md, "node:wasi"), a convention of node's, or a place where
// Warden is stricter by design (docs/sandbox.md, "Warden beside
// node:wasi"). A rule looks at the call and its arguments, never at the
// signature alone.
#include <string>
#include <string_view>
#include <vector>

#include "warden/wasi.hpp"
#include "wasi_diff.hpp"

namespace warden::diff {
namespace {

constexpr uint64_t kMemory = 65536;  // a Record program's memory never grows

/// The call that differs, with the runs' errnos for it.
struct At {
  const fuzz::WasiCall* call = nullptr;
  std::string name;
  int32_t warden = -1, node = -1;
};
At at(const WasiCase& c) {
  At a;
  size_t i = c.finding.call;
  if (i == 0 || i > c.calls.size()) return a;
  a.call = &c.calls[i - 1];
  a.name = fuzz::wasi_call_name(*a.call);
  if (i - 1 < c.warden.errnos.size()) a.warden = c.warden.errnos[i - 1];
  if (i - 1 < c.node.errnos.size()) a.node = c.node.errnos[i - 1];
  return a;
}
uint64_t arg(const At& a, size_t k) { return k < a.call->args.size() ? a.call->args[k] : 0; }
uint32_t u32_at(const std::vector<uint8_t>& m, uint64_t p) {
  if (p + 4 > m.size()) return 0;
  return uint32_t{m[p]} | uint32_t{m[p + 1]} << 8 | uint32_t{m[p + 2]} << 16 | uint32_t{m[p + 3]} << 24;
}

// Errnos by their preview1 names, from the engine's one table.
int32_t errno_value(std::string_view name) {
  for (uint32_t e = 0; !wasi::errno_name(e).empty(); ++e)
    if (wasi::errno_name(e) == name) return static_cast<int32_t>(e);
  return -2;  // no such name: matches no errno (nor "unreached")
}
const int32_t kSuccess = errno_value("success"), kBadf = errno_value("badf"), kInval = errno_value("inval"),
              kIsdir = errno_value("isdir"), kNametoolong = errno_value("nametoolong"), kNobufs = errno_value("nobufs"),
              kNoent = errno_value("noent"), kNosys = errno_value("nosys"), kNotdir = errno_value("notdir"),
              kNotsup = errno_value("notsup"), kOverflow = errno_value("overflow"), kPerm = errno_value("perm"),
              kSpipe = errno_value("spipe"), kNotcapable = errno_value("notcapable");

// The guest-memory ranges node's binding checks before it calls uvwasi
// (node 20 src/node_wasi.cc): pointer argument, and either a fixed size or
// a count argument times an element size. args_get and environ_get check
// the sizes of this campaign's argv and environment (wasi_diff.cpp).
struct Access {
  std::string_view fn;
  int ptr, count;  // argument indices; count -1: `size` bytes
  uint64_t size;
  bool path = false;  // (ptr, count) is a path
};
constexpr Access kAccesses[] = {
    {"args_get", 1, -1, 118},  // "wasi-diff\0--flag\0" + 100 x + NUL
    {"args_get", 0, -1, 3 * 4},
    {"args_sizes_get", 0, -1, 4},
    {"args_sizes_get", 1, -1, 4},
    {"environ_get", 1, -1, 21},  // "HOME=/sandbox\0EMPTY=\0"
    {"environ_get", 0, -1, 2 * 4},
    {"environ_sizes_get", 0, -1, 4},
    {"environ_sizes_get", 1, -1, 4},
    {"clock_res_get", 1, -1, 8},
    {"clock_time_get", 2, -1, 8},
    {"fd_fdstat_get", 1, -1, 24},
    {"fd_filestat_get", 1, -1, 64},
    {"fd_prestat_get", 1, -1, 8},
    {"fd_prestat_dir_name", 1, 2, 1},
    {"fd_read", 1, 2, 8},
    {"fd_read", 3, -1, 4},
    {"fd_write", 1, 2, 8},
    {"fd_write", 3, -1, 4},
    {"fd_pread", 1, 2, 8},
    {"fd_pread", 4, -1, 4},
    {"fd_pwrite", 1, 2, 8},
    {"fd_pwrite", 4, -1, 4},
    {"fd_readdir", 1, 2, 1},
    {"fd_readdir", 4, -1, 4},
    {"fd_seek", 3, -1, 8},
    {"fd_tell", 1, -1, 8},
    {"path_create_directory", 1, 2, 1, true},
    {"path_filestat_get", 2, 3, 1, true},
    {"path_filestat_get", 4, -1, 64},
    {"path_filestat_set_times", 2, 3, 1, true},
    {"path_link", 2, 3, 1, true},
    {"path_link", 5, 6, 1, true},
    {"path_open", 2, 3, 1, true},
    {"path_open", 8, -1, 4},
    {"path_readlink", 1, 2, 1, true},
    {"path_readlink", 3, 4, 1},
    {"path_readlink", 5, -1, 4},
    {"path_remove_directory", 1, 2, 1, true},
    {"path_rename", 1, 2, 1, true},
    {"path_rename", 4, 5, 1, true},
    {"path_symlink", 0, 1, 1, true},
    {"path_symlink", 3, 4, 1, true},
    {"path_unlink_file", 1, 2, 1, true},
    {"poll_oneoff", 0, 2, 48},
    {"poll_oneoff", 1, 2, 32},
    {"poll_oneoff", 3, -1, 4},
    {"random_get", 0, 1, 1},
    {"sock_accept", 2, -1, 4},
    {"sock_recv", 1, 2, 8},
    {"sock_recv", 4, -1, 4},
    {"sock_recv", 5, -1, 2},
    {"sock_send", 1, 2, 8},
    {"sock_send", 4, -1, 4},
};
// The functions whose count argument (index 2) numbers 8-byte iovecs.
bool takes_iovecs(std::string_view fn) {
  return fn == "fd_read" || fn == "fd_write" || fn == "fd_pread" || fn == "fd_pwrite" || fn == "sock_recv" ||
         fn == "sock_send";
}

// The call's paths as the guest's memory holds them (in bounds only).
std::vector<std::string> paths_of(const At& a) {
  static const std::vector<uint8_t> image = fuzz::wasi_memory_image();
  std::vector<std::string> out;
  for (const Access& p : kAccesses) {
    if (p.fn != a.name || !p.path) continue;
    uint64_t ptr = arg(a, static_cast<size_t>(p.ptr)), len = arg(a, static_cast<size_t>(p.count));
    if (ptr + len <= kMemory)
      out.emplace_back(image.begin() + static_cast<long>(ptr), image.begin() + static_cast<long>(ptr + len));
  }
  return out;
}

// Whether any range node checks for this call lies outside memory, in
// 64-bit arithmetic, the iovecs' own buffers included.
bool out_of_bounds(const At& a) {
  for (const Access& x : kAccesses) {
    if (x.fn != a.name) continue;
    uint64_t bytes = x.count < 0 ? x.size : arg(a, static_cast<size_t>(x.count)) * x.size;
    if (arg(a, static_cast<size_t>(x.ptr)) + bytes > kMemory) return true;
  }
  if (!takes_iovecs(a.name)) return false;
  static const std::vector<uint8_t> image = fuzz::wasi_memory_image();
  for (uint64_t i = 0, iovs = arg(a, 1); i < arg(a, 2) && iovs + 8 * i + 8 <= kMemory; ++i) {
    uint64_t buf = u32_at(image, iovs + 8 * i), len = u32_at(image, iovs + 8 * i + 4);
    if (buf + len > kMemory) return true;
  }
  return false;
}

// ---- node-20-wasi-symlink-escape (a bug of node's: a sandbox escape)
// A path through a symlink in the preopen that points outside it
// (link_out -> ../canary, link_abs -> ROOT/canary): Warden refuses it
// (ENOTCAPABLE); node follows it and acts outside the sandbox: it tells
// whether files there exist (EEXIST, ENOTDIR, ...) and removes them
// (the canary changes).
bool through_outward_link(const std::string& p) { return p.rfind("link_out/", 0) == 0 || p.rfind("link_abs/", 0) == 0; }
bool node_symlink_escape(const WasiCase& c) {
  if (c.finding.where == "canary changed") {
    if (c.finding.engines != std::vector<std::string>{"node"}) return false;
    for (const fuzz::WasiCall& call : c.calls) {
      At a{&call, fuzz::wasi_call_name(call)};
      for (const std::string& p : paths_of(a))
        if (through_outward_link(p)) return true;
    }
    return false;
  }
  At a = at(c);
  if (!a.call || c.finding.kind != FindingKind::Result || a.warden != kNotcapable || a.node == kNotcapable)
    return false;
  for (const std::string& p : paths_of(a))
    if (through_outward_link(p) && p.find("..") == std::string::npos) return true;
  return false;
}

// ---- node-20-wasi-stdio-paths-escape (a bug of node's: a sandbox escape)
// uvwasi gives fd 0-2 the pseudo-paths "<stdin>", "<stdout>", "<stderr>"
// and resolves path calls on them against node's working directory:
// path_create_directory(0, ".") makes a directory "<stdin>" there, outside
// every preopen (mkdir, open with O_CREAT, rename, ... likewise). Warden:
// ENOTDIR, a stream is no directory.
bool node_stdio_paths(const WasiCase& c) {
  auto stdio_path_call = [](const fuzz::WasiCall& call) {
    std::string n = fuzz::wasi_call_name(call);
    if (n.rfind("path_", 0) != 0 || call.args.empty()) return false;
    uint64_t fd = n == "path_symlink" ? call.args[2] : call.args[0];
    if (n == "path_rename" && call.args.size() > 3 && call.args[3] <= 2) return true;
    if (n == "path_link" && call.args.size() > 4 && call.args[4] <= 2) return true;
    return fd <= 2;
  };
  if (c.finding.where == "written outside the sandbox") {
    if (c.finding.engines != std::vector<std::string>{"node"}) return false;
    for (const fuzz::WasiCall& call : c.calls)
      if (stdio_path_call(call)) return true;
    return false;
  }
  At a = at(c);
  return a.call && c.finding.kind == FindingKind::Result && a.warden == kNotdir && a.node == kSuccess &&
         stdio_path_call(*a.call);
}

// ---- node-20-wasi-count-times-size-wraps (a bug of node's)
// node's binding checks an array argument as `ptr + count * size <= memory
// size` with `count * size` in 32-bit arithmetic: an iovec count of 2^29
// or more (8-byte iovecs), or a poll_oneoff subscription count of 2^31
// (48-byte subscriptions), wraps, the check passes, and node reads `count`
// entries from past the end of the guest's memory: it dies of SIGSEGV in
// the guard region, or runs out of memory (a host read outside the
// sandbox either way).
bool node_count_wraps(const WasiCase& c) {
  At a = at(c);
  if (!a.call || (c.finding.kind != FindingKind::Crash && c.finding.kind != FindingKind::Hang) ||
      c.finding.engines != std::vector<std::string>{"node"})
    return false;
  for (const Access& x : kAccesses) {
    if (x.fn != a.name || x.count < 0 || x.size == 1) continue;
    uint64_t bytes = arg(a, static_cast<size_t>(x.count)) * x.size;
    if (bytes >= (uint64_t{1} << 32) && arg(a, static_cast<size_t>(x.ptr)) + (bytes & 0xFFFFFFFFu) <= kMemory)
      return true;
  }
  return false;
}

// ---- node-20-wasi-sock-on-non-socket (a bug of node's)
// sock_accept, sock_shutdown, sock_recv or sock_send on an open descriptor
// that is not a socket (fd 0-3 here): uvwasi 0.0.23 hands the descriptor's
// missing socket handle (null) to libuv and node dies of SIGSEGV. Warden
// does not implement sockets (ENOSYS).
bool node_sock_non_socket(const WasiCase& c) {
  At a = at(c);
  return a.call && a.name.starts_with("sock_") && c.finding.kind == FindingKind::Crash &&
         c.finding.engines == std::vector<std::string>{"node"} && arg(a, 0) <= 3;
}

// ---- node-20-wasi-set-times-lock-leak (a bug of node's)
// path_filestat_set_times with invalid fstflags (bits past mtim_now, or
// both atim and atim_now, or mtim and mtim_now) returns EINVAL without
// releasing the descriptor's lock in uvwasi 0.0.23: the next call on that
// descriptor deadlocks node.
bool invalid_fstflags(uint64_t f) { return (f & ~uint64_t{0xF}) || (f & 3) == 3 || (f & 12) == 12; }
bool node_set_times_lock_leak(const WasiCase& c) {
  At a = at(c);
  if (!a.call || c.finding.kind != FindingKind::Hang || c.finding.engines != std::vector<std::string>{"node"})
    return false;
  for (size_t k = 0; k + 1 < c.finding.call && k < c.calls.size(); ++k) {
    const fuzz::WasiCall& e = c.calls[k];
    if (fuzz::wasi_call_name(e) != "path_filestat_set_times" || e.args.size() < 7 || !invalid_fstflags(e.args[6]))
      continue;
    for (uint64_t v : a.call->args)
      if (v == e.args[0]) return true;  // the hanging call names the same descriptor
  }
  return false;
}

// ---- node-wasi-poll-oneoff-sleeps (node's nature)
// poll_oneoff on a clock subscription sleeps for real under node; Warden
// runs this campaign --deterministic, where time passes at once. Programs
// that ask for seconds of sleep outlast node's timeout. (uvwasi sleeps even
// on a clock id that does not exist; Warden answers that subscription with
// EINVAL at once.)
// A poll_oneoff with a clock subscription of a second or more.
bool sleeps_for_seconds(const fuzz::WasiCall& call) {
  if (fuzz::wasi_call_name(call) != "poll_oneoff") return false;
  static const std::vector<uint8_t> image = fuzz::wasi_memory_image();
  auto u64_at = [](uint64_t p) { return uint64_t{u32_at(image, p)} | uint64_t{u32_at(image, p + 4)} << 32; };
  const std::vector<uint64_t>& args = call.args;
  if (args.size() < 3) return false;
  for (uint64_t i = 0, in = args[0]; i < args[2] && in + 48 * (i + 1) <= kMemory; ++i) {
    uint64_t sub = in + 48 * i;
    if (image[sub + 8] == 0 && u64_at(sub + 24) >= 1'000'000'000) return true;
  }
  return false;
}
bool node_poll_sleeps(const WasiCase& c) {
  if (c.finding.kind != FindingKind::Hang || c.finding.engines != std::vector<std::string>{"node"}) return false;
  for (size_t k = 0; k < c.finding.call && k < c.calls.size(); ++k)
    if (sleeps_for_seconds(c.calls[k])) return true;
  return false;
}

// ---- node-20-wasi-proc-raise-signals-node (a bug of node's)
// uvwasi's proc_raise sends the signal to the host process itself: a guest
// kills, stops or interrupts node with proc_raise(SIGKILL/STOP/...).
// Warden does not implement proc_raise (ENOSYS).
bool node_proc_raise(const WasiCase& c) {
  At a = at(c);
  return a.call && a.name == "proc_raise" && c.finding.engines == std::vector<std::string>{"node"} &&
         (c.finding.kind == FindingKind::Crash || c.finding.kind == FindingKind::Hang);
}

// ---- node-20-wasi-bounds-eoverflow (node's convention)
// node checks every guest-memory range a call names before anything else
// and reports one past the end as EOVERFLOW. Warden checks the descriptor
// and the arguments first, and reports a bad pointer as EFAULT.
bool node_bounds_eoverflow(const WasiCase& c) {
  At a = at(c);
  return a.call && c.finding.kind == FindingKind::Result && a.node == kOverflow && out_of_bounds(a);
}

// ---- warden-wasi-enosys (Warden by design)
// The preview1 functions outside Warden's subset link and return ENOSYS
// (docs/sandbox.md lists them); node implements them.
bool warden_enosys(const WasiCase& c) {
  At a = at(c);
  return a.call && c.finding.kind == FindingKind::Result && a.warden == kNosys && !wasi::supported(a.name);
}

// ---- warden-wasi-no-links (Warden by design)
// path_link and path_symlink are refused with EPERM: a link is how a guest
// would point a name at something outside its preopen later.
bool warden_no_links(const WasiCase& c) {
  At a = at(c);
  return a.call && c.finding.kind == FindingKind::Result && a.warden == kPerm &&
         (a.name == "path_link" || a.name == "path_symlink");
}

// ---- node-20-wasi-empty-range-at-end (a bug of node's)
// A range that starts exactly at the end of memory and is empty (an iovec
// array of 0 entries at 65536) is in bounds; node refuses it with
// EOVERFLOW.
bool node_empty_range_at_end(const WasiCase& c) {
  At a = at(c);
  if (!a.call || c.finding.kind != FindingKind::Result || a.node != kOverflow || out_of_bounds(a)) return false;
  for (const Access& x : kAccesses) {
    if (x.fn != a.name || x.count < 0) continue;
    if (arg(a, static_cast<size_t>(x.ptr)) == kMemory && arg(a, static_cast<size_t>(x.count)) == 0) return true;
  }
  return false;
}

// ---- wasi-fd-kind-checked-first (an order of checks)
// A call on a descriptor of the wrong kind: a path or directory call on
// fd 0-2 (a stream), or a file call on fd 3 (the preopened directory).
// Warden checks the descriptor's kind first (ENOTDIR, EISDIR); uvwasi
// checks rights, the path or bounds first. Both refuse the call.
bool fd_kind_checked_first(const WasiCase& c) {
  At a = at(c);
  if (!a.call || c.finding.kind != FindingKind::Result || a.node <= 0 || a.call->args.empty()) return false;
  std::vector<uint64_t> fds = {arg(a, 0)};
  if (a.name == "path_symlink") fds = {arg(a, 2)};
  if (a.name == "path_rename") fds.push_back(arg(a, 3));
  if (a.name == "path_link") fds.push_back(arg(a, 4));
  for (uint64_t fd : fds)
    if ((a.warden == kNotdir && fd <= 2) || (a.warden == kIsdir && fd == 3)) return true;
  return false;
}

// ---- node-20-wasi-prestat-einval (node's convention)
// fd_prestat_get/fd_prestat_dir_name on an open descriptor that is not a
// preopen (fd 0-2): uvwasi says EINVAL, Warden EBADF, the answer that
// ends wasi-libc's scan of the preopens.
bool node_prestat_einval(const WasiCase& c) {
  At a = at(c);
  return a.call && c.finding.kind == FindingKind::Result &&
         (a.name == "fd_prestat_get" || a.name == "fd_prestat_dir_name") && arg(a, 0) <= 2 && a.warden == kBadf &&
         a.node == kInval;
}

// ---- wasi-prestat-name-short-buffer (two readings of the ABI)
// fd_prestat_dir_name with a buffer shorter than the name ("/sandbox"):
// Warden EINVAL, uvwasi ENOBUFS. Neither writes a partial name.
bool prestat_name_short_buffer(const WasiCase& c) {
  At a = at(c);
  return a.call && c.finding.kind == FindingKind::Result && a.name == "fd_prestat_dir_name" && arg(a, 0) == 3 &&
         arg(a, 2) < 8 && a.warden == kInval && a.node == kNobufs;
}

// ---- warden-wasi-stdio-streams (Warden by design)
// Warden's fd 0-2 are streams whatever the host descriptor behind them:
// fd_seek, fd_tell, fd_pread and fd_pwrite are ESPIPE, fd_sync and
// fd_datasync do nothing and succeed, fd_fdstat_set_flags is ENOTSUP
// (their open file descriptions are shared with the host). node passes
// them to the host file (here a regular file or /dev/null).
bool warden_stdio_streams(const WasiCase& c) {
  At a = at(c);
  if (!a.call || c.finding.kind != FindingKind::Result || a.call->args.empty() || arg(a, 0) > 2) return false;
  if (a.warden == kSpipe)
    return a.name == "fd_seek" || a.name == "fd_tell" || a.name == "fd_pread" || a.name == "fd_pwrite";
  if (a.warden == kSuccess) return a.name == "fd_sync";
  return a.warden == kNotsup && a.name == "fd_fdstat_set_flags";
}

// ---- node-20-wasi-offset-checked-first (an order of checks)
// fd_pread/fd_pwrite with an offset of 2^63 or more: node refuses the
// negative file offset (EINVAL) before it looks at the descriptor; Warden
// looks at the descriptor first. Both refuse.
bool node_offset_checked_first(const WasiCase& c) {
  At a = at(c);
  return a.call && c.finding.kind == FindingKind::Result && (a.name == "fd_pread" || a.name == "fd_pwrite") &&
         arg(a, 3) >= (uint64_t{1} << 63) && a.node == kInval && a.warden > 0;
}

// ---- warden-wasi-path-limit (Warden by design)
// A path longer than the policy's max_path (4096 bytes) is ENAMETOOLONG
// before Warden reads it; node reads it and finds something else wrong.
bool warden_path_limit(const WasiCase& c) {
  At a = at(c);
  if (!a.call || c.finding.kind != FindingKind::Result || a.warden != kNametoolong || a.node == kSuccess) return false;
  for (const Access& x : kAccesses)
    if (x.fn == a.name && x.path && arg(a, static_cast<size_t>(x.count)) > 4096) return true;
  return false;
}

// ---- warden-wasi-open-flag-bits (Warden by design)
// path_open with bits outside oflags (creat, directory, excl, trunc) or
// fdflags: Warden refuses them (EINVAL) before it resolves anything;
// uvwasi ignores unknown bits, and opens the file or fails later.
bool warden_open_flag_bits(const WasiCase& c) {
  At a = at(c);
  return a.call && c.finding.kind == FindingKind::Result && a.name == "path_open" && a.warden == kInval &&
         ((arg(a, 4) & ~uint64_t{0xF}) || (arg(a, 7) & ~uint64_t{0x1F}));
}

// ---- wasi-open-creat-directory-first (the same refusal, another order)
// path_open with oflags creat and directory together: Warden refuses the
// pair (EINVAL) before it resolves the path (docs/sandbox.md, "The final
// component"); uvwasi resolves the path first, so one that escapes or does
// not resolve gets that errno (an absolute path: ENOTCAPABLE), and only one
// that resolves reaches the kernel with the pair. Both refuse the call.
bool open_creat_directory_first(const WasiCase& c) {
  At a = at(c);
  return a.call && c.finding.kind == FindingKind::Result && a.name == "path_open" && a.warden == kInval &&
         a.node > 0 /* node refused too */ && (arg(a, 4) & 3) == 3;
}

// ---- wasi-path-open-undefined-rights (two readings of the ABI)
// path_open asking for rights bits that name no right (bit 29 and up):
// uvwasi refuses them as rights the directory cannot pass on
// (ENOTCAPABLE); Warden gives the new descriptor the rights its kind can
// carry and ignores the rest, as the preview1 text allows for rights that
// do not apply, and fails later on what is wrong with the call.
bool path_open_undefined_rights(const WasiCase& c) {
  At a = at(c);
  return a.call && c.finding.kind == FindingKind::Result && a.name == "path_open" && a.node == kNotcapable &&
         ((arg(a, 5) | arg(a, 6)) >> 29) != 0;
}

// ---- node-20-wasi-path-nul-truncates (a bug of node's)
// A path holding a NUL byte names no file (Warden: EINVAL); uvwasi passes
// it on as a C string, so "f\0g" becomes "f" and node acts on a file the
// guest did not name (an empty name becomes the directory itself).
bool node_path_nul(const WasiCase& c) {
  At a = at(c);
  if (!a.call || c.finding.kind != FindingKind::Result || a.warden != kInval) return false;
  for (const std::string& p : paths_of(a))
    if (p.find('\0') != std::string::npos) return true;
  return false;
}

// ---- wasi-empty-path (two readings of the ABI)
// An empty path: Warden says ENOENT, as POSIX does; uvwasi EINVAL.
bool empty_path(const WasiCase& c) {
  At a = at(c);
  if (!a.call || c.finding.kind != FindingKind::Result || a.warden != kNoent || a.node != kInval) return false;
  for (const std::string& p : paths_of(a))
    if (p.empty()) return true;
  return false;
}

// ---- wasi-dotdot-after-symlink (two ways to resolve a path)
// "link_out/../scratch/f": Warden resolves component by component as POSIX
// does, so ".." after a symlink is the parent of the link's target, and a
// target outside the preopen is ENOTCAPABLE there. uvwasi first removes
// ".." lexically ("scratch/f"), then resolves what is left inside the
// preopen.
bool dotdot_after_symlink(const WasiCase& c) {
  At a = at(c);
  if (!a.call || c.finding.kind != FindingKind::Result || a.warden != kNotcapable) return false;
  for (const std::string& p : paths_of(a))
    for (std::string_view link : {"link_out/..", "link_abs/..", "link_dir/..", "link_root/.."})
      if (p.find(link) != std::string::npos) return true;
  return false;
}

// ---- warden-wasi-stdio-directions (Warden by design)
// Warden's fd 0 is read-only and fd 1-2 write-only (their rights say so):
// writing stdin or reading stdout/stderr is ENOTCAPABLE. node grants every
// right on them and lets the host descriptor decide.
bool warden_stdio_directions(const WasiCase& c) {
  At a = at(c);
  if (!a.call || c.finding.kind != FindingKind::Result || a.warden != kNotcapable || a.call->args.empty()) return false;
  uint64_t fd = arg(a, 0);
  return ((a.name == "fd_read" || a.name == "fd_pread") && (fd == 1 || fd == 2)) ||
         ((a.name == "fd_write" || a.name == "fd_pwrite") && fd == 0);
}

// ---- wasi-dotdot-lexical (two ways to resolve a path)
// "a/../../x" where "a" does not exist: Warden walks the path and stops at
// "a" (ENOENT, as POSIX does); uvwasi removes ".." lexically first, sees
// "../x" leave the preopen and says ENOTCAPABLE. And "a/../x" (seed
// 20261213: "escape/etc/passwda/../../xd/../fd/../../flink_ou"): what is
// left, "x", stays inside, and uvwasi goes on to open it, whatever that
// gives, where Warden says ENOENT at "a". That form needs a component that
// a ".." takes away to be missing from Warden's tree.
bool dotdot_lexical(const WasiCase& c) {
  At a = at(c);
  if (!a.call || c.finding.kind != FindingKind::Result || a.warden != kNoent || a.node == kNoent) return false;
  // The paths in Warden's tree afterwards (tree_snapshot: one per line,
  // first).
  auto exists = [&](const std::string& path) {
    for (size_t at = 0; at < c.warden.scratch.size();) {
      size_t end = c.warden.scratch.find('\n', at);
      if (end == std::string::npos) end = c.warden.scratch.size();
      const std::string line = c.warden.scratch.substr(at, end - at);
      if (line.substr(0, line.find(' ')) == path) return true;
      at = end + 1;
    }
    return false;
  };
  for (const std::string& p : paths_of(a)) {
    if (p.find("..") == std::string::npos) continue;
    if (a.node == kNotcapable) return true;
    std::vector<std::string> kept;
    bool escapes = false, missing = false;
    for (size_t at = 0; at <= p.size();) {
      size_t end = p.find('/', at);
      if (end == std::string::npos) end = p.size();
      const std::string part = p.substr(at, end - at);
      at = end + 1;
      if (part.empty() || part == ".") continue;
      if (part != "..") {
        kept.push_back(part);
        continue;
      }
      if (kept.empty()) {
        escapes = true;
        break;
      }
      std::string prefix;
      for (const std::string& k : kept) prefix += (prefix.empty() ? "" : "/") + k;
      missing |= !exists(prefix);
      kept.pop_back();
    }
    if (missing && !escapes) return true;
  }
  return false;
}

// ---- wasi-readlink-short-buffer (two readings of the ABI)
// path_readlink into a buffer shorter than the target: Warden returns the
// first bytes, as POSIX readlink does (bufused says how many); uvwasi
// ENOBUFS.
bool readlink_short_buffer(const WasiCase& c) {
  At a = at(c);
  return a.call && c.finding.kind == FindingKind::Result && a.name == "path_readlink" && a.warden == kSuccess &&
         a.node == kNobufs;
}

// ---- warden-wasi-iov-limit (Warden by design)
// More than max_iovs (1024, POSIX IOV_MAX) iovecs in one call is EINVAL in
// Warden before anything moves; uvwasi takes any number.
bool warden_iov_limit(const WasiCase& c) {
  At a = at(c);
  return a.call && c.finding.kind == FindingKind::Result && takes_iovecs(a.name) && arg(a, 2) > 1024 &&
         a.warden == kInval;
}

// ---- node-20-wasi-rmdir-preopen (a bug of node's)
// path_remove_directory(".") names the preopened directory itself: Warden
// refuses it (EINVAL, as rmdir(".") does); uvwasi resolves "." to the
// preopen's host path and removes it: ENOTEMPTY here only because the
// scratch directory is not empty. An empty preopen would be deleted.
bool node_rmdir_preopen(const WasiCase& c) {
  At a = at(c);
  if (!a.call || c.finding.kind != FindingKind::Result || a.name != "path_remove_directory" || a.warden != kInval ||
      arg(a, 0) != 3)
    return false;
  std::vector<std::string> p = paths_of(a);
  return !p.empty() && (p[0] == "." || p[0] == "d/.." || p[0] == "./");
}

// ---- warden-wasi-flag-bits (Warden by design)
// fd_fdstat_set_flags with bits outside fdflags (append, dsync, nonblock,
// rsync, sync) is EINVAL in Warden, and changing dsync/rsync/sync is
// ENOTSUP (fcntl cannot); uvwasi ignores unknown bits and the sync ones.
bool warden_flag_bits(const WasiCase& c) {
  At a = at(c);
  if (!a.call || c.finding.kind != FindingKind::Result || a.name != "fd_fdstat_set_flags") return false;
  return (a.warden == kInval && (arg(a, 1) & ~uint64_t{0x1F})) || (a.warden == kNotsup && (arg(a, 1) & 0x1A));
}

// ---- wasi-poll-oneoff-invalid-subscription (two readings of the ABI)
// A subscription with a tag past fd_write or a clock id past thread_cputime:
// uvwasi fails the whole call with EINVAL; Warden answers that
// subscription with an event whose error is EINVAL.
bool poll_invalid_subscription(const WasiCase& c) {
  At a = at(c);
  if (!a.call || c.finding.kind != FindingKind::Result || a.name != "poll_oneoff" || a.warden != kSuccess ||
      a.node != kInval)
    return false;
  static const std::vector<uint8_t> image = fuzz::wasi_memory_image();
  for (uint64_t i = 0, in = arg(a, 0); i < arg(a, 2) && in + 48 * (i + 1) <= kMemory; ++i) {
    uint8_t tag = image[in + 48 * i + 8];
    if (tag > 2 || (tag == 0 && u32_at(image, in + 48 * i + 16) > 3)) return true;
  }
  return false;
}

const WasiRule kRules[] = {
    {"node-20-wasi-symlink-escape", "node follows a symlink out of the preopen: it reads, tests and removes outside",
     node_symlink_escape},
    {"node-20-wasi-stdio-paths-escape",
     "path calls on fd 0-2 resolve against node's working directory: writes outside every preopen", node_stdio_paths},
    {"node-20-wasi-count-times-size-wraps",
     "an array count times its entry size wraps node's 32-bit bounds check: node reads past the guest's memory",
     node_count_wraps},
    {"node-20-wasi-sock-on-non-socket",
     "sock_accept/shutdown/recv/send on a descriptor that is not a socket kills node", node_sock_non_socket},
    {"node-20-wasi-set-times-lock-leak",
     "path_filestat_set_times with invalid fstflags leaves the descriptor locked: the next call on it deadlocks",
     node_set_times_lock_leak},
    {"node-wasi-poll-oneoff-sleeps", "poll_oneoff sleeps for real under node", node_poll_sleeps},
    {"node-20-wasi-proc-raise-signals-node", "proc_raise delivers the signal to node itself", node_proc_raise},
    {"node-20-wasi-bounds-eoverflow",
     "node checks guest-memory ranges first and reports one out of bounds as EOVERFLOW", node_bounds_eoverflow},
    {"warden-wasi-enosys", "a function outside Warden's subset returns ENOSYS", warden_enosys},
    {"warden-wasi-no-links", "path_link and path_symlink are EPERM in Warden", warden_no_links},
    {"node-20-wasi-empty-range-at-end", "node refuses an empty range at the end of memory with EOVERFLOW",
     node_empty_range_at_end},
    {"wasi-fd-kind-checked-first", "a descriptor of the wrong kind: Warden says so first, node checks other things",
     fd_kind_checked_first},
    {"node-20-wasi-prestat-einval", "fd_prestat_* on a descriptor that is not a preopen: node EINVAL, Warden EBADF",
     node_prestat_einval},
    {"wasi-prestat-name-short-buffer", "a short fd_prestat_dir_name buffer: Warden EINVAL, node ENOBUFS",
     prestat_name_short_buffer},
    {"warden-wasi-stdio-streams", "Warden's fd 0-2 are streams: not seekable, sync a no-op, flags fixed",
     warden_stdio_streams},
    {"node-20-wasi-offset-checked-first", "fd_pread/fd_pwrite at an offset >= 2^63: node EINVAL before the fd",
     node_offset_checked_first},
    {"warden-wasi-path-limit", "a path past max_path is ENAMETOOLONG in Warden", warden_path_limit},
    {"warden-wasi-open-flag-bits", "path_open with unknown oflags/fdflags bits is EINVAL in Warden",
     warden_open_flag_bits},
    {"wasi-open-creat-directory-first",
     "path_open with creat|directory: Warden EINVAL before the path, node resolves the path first",
     open_creat_directory_first},
    {"wasi-path-open-undefined-rights", "path_open asking for undefined rights bits: node ENOTCAPABLE",
     path_open_undefined_rights},
    {"node-20-wasi-path-nul-truncates", "a path with a NUL byte: node acts on the name before the NUL", node_path_nul},
    {"wasi-empty-path", "an empty path: Warden ENOENT, node EINVAL", empty_path},
    {"wasi-dotdot-after-symlink", "\"..\" after a symlink: Warden follows the link first, node drops \"..\" lexically",
     dotdot_after_symlink},
    {"warden-wasi-stdio-directions", "Warden's stdin is read-only, stdout/stderr write-only", warden_stdio_directions},
    {"wasi-dotdot-lexical",
     "\"a/../../x\" or \"a/../x\" with no \"a\": Warden ENOENT, node ENOTCAPABLE or x's own answer (lexical \"..\")",
     dotdot_lexical},
    {"wasi-readlink-short-buffer", "readlink into a short buffer: Warden truncates, node ENOBUFS",
     readlink_short_buffer},
    {"warden-wasi-iov-limit", "more than 1024 iovecs is EINVAL in Warden", warden_iov_limit},
    {"node-20-wasi-rmdir-preopen", "path_remove_directory(\".\") makes node remove the preopened directory itself",
     node_rmdir_preopen},
    {"warden-wasi-flag-bits", "fd_fdstat_set_flags: unknown bits EINVAL, sync flags ENOTSUP in Warden",
     warden_flag_bits},
    {"wasi-poll-oneoff-invalid-subscription", "an invalid subscription: node fails the call, Warden the event",
     poll_invalid_subscription},
};

}  // namespace

std::span<const WasiRule> wasi_rules() { return kRules; }

bool node_can_take(const fuzz::WasiCall& c) {
  std::string name = fuzz::wasi_call_name(c);
  if (name == "proc_raise") return false;  // node-20-wasi-proc-raise-signals-node
  if (name == "path_filestat_set_times" && c.args.size() >= 7 && invalid_fstflags(c.args[6]))
    return false;                           // node-20-wasi-set-times-lock-leak
  if (sleeps_for_seconds(c)) return false;  // node-wasi-poll-oneoff-sleeps
  return true;
}

}  // namespace warden::diff
