// WASI snapshot_preview1 (warden/wasi.hpp): the context, the function
// table with each function's capability, and the functions that touch no
// descriptor: arguments, environment, clocks, randomness, poll_oneoff,
// sched_yield, proc_exit, and the ENOSYS stubs. Descriptors are
// wasi_fs.cpp's, paths wasi_path.cpp's; the policy is docs/sandbox.md.
//
// Every function follows one order, so that a refused call changes
// nothing: check the descriptor and the policy, then every guest range it
// will read or write (EFAULT), and only then act and write the results.
#include <fcntl.h>
#include <sched.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <new>
#include <string>
#include <utility>

#include "wasi_impl.hpp"

namespace warden::wasi {

// ------------------------------------------------------------ shared ----

uint16_t from_host_errno(int e) {
  switch (e) {
    case 0: return kSuccess;
    case E2BIG: return k2Big;
    case EACCES: return kAcces;
    case EAGAIN: return kAgain;
    case EBADF: return kBadf;
    case EBUSY: return kBusy;
    case EEXIST: return kExist;
    case EFAULT: return kFault;
    case EFBIG: return kFbig;
    case EILSEQ: return kIlseq;
    case EINTR: return kIntr;
    case EINVAL: return kInval;
    case EIO: return kIo;
    case EISDIR: return kIsdir;
    case ELOOP: return kLoop;
    case EMFILE: return kMfile;
    case EMLINK: return kMlink;
    case ENAMETOOLONG: return kNametoolong;
    case ENFILE: return kNfile;
    case ENODEV: return kNodev;
    case ENOENT: return kNoent;
    case ENOMEM: return kNomem;
    case ENOSPC: return kNospc;
    case ENOSYS: return kNosys;
    case ENOTDIR: return kNotdir;
    case ENOTEMPTY: return kNotempty;
    case EOPNOTSUPP: return kNotsup;
    case ENOTTY: return kNotty;
    case ENXIO: return kNxio;
    case EOVERFLOW: return kOverflow;
    case EPERM: return kPerm;
    case EPIPE: return kPipe;
    case ERANGE: return kRange;
    case EROFS: return kRofs;
    case ESPIPE: return kSpipe;
    case ETXTBSY: return kTxtbsy;
    case EXDEV: return kXdev;
    default: return kIo;
  }
}

Descriptor::~Descriptor() {
  if (owned && host >= 0) ::close(host);
}

uint16_t Impl::deny(std::string_view func, const std::string& why, uint16_t err) {
  ++stats.denied;
  if (stats.denials.size() < 100) {
    std::string line(func);
    line += ": ";
    line += why;
    stats.denials.push_back(std::move(line));
  }
  return err;
}

uint16_t Impl::bad_fd(std::string_view func, uint32_t fd) {
  static constexpr const char* kStreams[] = {"stdin", "stdout", "stderr"};
  const bool granted[] = {config.stdin_granted, config.stdout_granted, config.stderr_granted};
  if (fd < 3 && !granted[fd])
    return deny(func, "fd " + std::to_string(fd) + " (" + kStreams[fd] + ") was not granted", kBadf);
  return kBadf;
}

uint16_t Impl::lacks(std::string_view func, uint32_t fd, const Descriptor& d, uint64_t needed) {
  if ((d.rights_base & needed) == needed) return kSuccess;
  return deny(func, "fd " + std::to_string(fd) + " lacks the rights for it", kNotcapable);
}

uint16_t Impl::install(std::string_view func, std::unique_ptr<Descriptor> d, uint32_t& fd_out) {
  if (open_count >= config.max_open_files)
    return deny(func, "more than " + std::to_string(config.max_open_files) + " open descriptors", kMfile);
  size_t slot = 3;
  while (slot < fds.size() && fds[slot]) ++slot;
  if (slot == fds.size()) fds.emplace_back();
  fds[slot] = std::move(d);
  ++open_count;
  fd_out = static_cast<uint32_t>(slot);
  return kSuccess;
}

uint8_t filetype_of_mode(unsigned mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return filetype::kRegularFile;
    case S_IFDIR: return filetype::kDirectory;
    case S_IFLNK: return filetype::kSymbolicLink;
    case S_IFCHR: return filetype::kCharacterDevice;
    case S_IFBLK: return filetype::kBlockDevice;
    case S_IFSOCK: return filetype::kSocketStream;
    default: return filetype::kUnknown;  // FIFOs have no preview1 type
  }
}

namespace {

void put64(uint8_t* p, uint64_t v) { std::memcpy(p, &v, 8); }  // little-endian hosts only (below)
static_assert(std::endian::native == std::endian::little, "WASI layouts are written with memcpy");

uint64_t timespec_ns(const struct timespec& t) {
  if (t.tv_sec < 0) return 0;  // before 1970: preview1 timestamps are unsigned
  return static_cast<uint64_t>(t.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(t.tv_nsec);
}

}  // namespace

void encode_filestat(const struct stat& st, uint8_t out[kFilestatSize]) {
  std::memset(out, 0, kFilestatSize);
  put64(out + 0, static_cast<uint64_t>(st.st_dev));
  put64(out + 8, static_cast<uint64_t>(st.st_ino));
  out[16] = filetype_of_mode(st.st_mode);
  put64(out + 24, static_cast<uint64_t>(st.st_nlink));
  put64(out + 32, st.st_size < 0 ? 0 : static_cast<uint64_t>(st.st_size));
  put64(out + 40, timespec_ns(st.st_atim));
  put64(out + 48, timespec_ns(st.st_mtim));
  put64(out + 56, timespec_ns(st.st_ctim));
}

std::string quoted(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  constexpr size_t kMax = 200;
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F && c != '\\' && c != '\'') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (s.size() > kMax) out += "...";
  out += "'";
  return out;
}

uint16_t read_path(Impl& cx, const GuestMemory& mem, uint32_t ptr, uint32_t len, std::string& out) {
  if (len > cx.config.max_path) return kNametoolong;
  std::optional<std::span<uint8_t>> b = mem.bytes(ptr, len);
  if (!b) return kFault;
  out.assign(reinterpret_cast<const char*>(b->data()), b->size());
  if (out.find('\0') != std::string::npos) return kInval;
  return kSuccess;
}

namespace {

// ------------------------------------------------- args and environment ----

/// The strings args_get / environ_get copy out, each NUL-terminated.
std::vector<std::string> env_strings(const Config& c) {
  std::vector<std::string> out;
  out.reserve(c.env.size());
  for (const auto& [k, v] : c.env) out.push_back(k + "=" + v);
  return out;
}

/// *_sizes_get: count and total bytes (NULs included).
uint16_t sizes_get(const GuestMemory& m, const std::vector<std::string>& strs, uint32_t count_ptr, uint32_t size_ptr) {
  if (!m.in_bounds(count_ptr, 4) || !m.in_bounds(size_ptr, 4)) return kFault;
  uint64_t total = 0;
  for (const std::string& s : strs) total += s.size() + 1;
  if (strs.size() > UINT32_MAX || total > UINT32_MAX) return kOverflow;
  (void)m.store<uint32_t>(count_ptr, static_cast<uint32_t>(strs.size()));
  (void)m.store<uint32_t>(size_ptr, static_cast<uint32_t>(total));
  return kSuccess;
}

/// *_get: pointers into `buf` at `ptrs`, the strings at `buf`. Both ranges
/// are checked before either is written.
uint16_t strings_get(const GuestMemory& m, const std::vector<std::string>& strs, uint32_t ptrs, uint32_t buf) {
  uint64_t total = 0;
  for (const std::string& s : strs) total += s.size() + 1;
  if (!m.in_bounds(ptrs, 4 * uint64_t{strs.size()}) || !m.in_bounds(buf, total)) return kFault;
  uint64_t at = buf;
  for (size_t i = 0; i < strs.size(); ++i) {
    // at < buf + total <= memory size <= 2^32: fits the guest's u32 pointer.
    (void)m.store<uint32_t>(ptrs + 4 * uint64_t{i}, static_cast<uint32_t>(at));
    const std::string& s = strs[i];
    (void)m.write(at, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
    (void)m.store<uint8_t>(at + s.size(), 0);
    at += s.size() + 1;
  }
  return kSuccess;
}

uint16_t args_sizes_get(Impl& cx, const GuestMemory& m, Args a) {
  return sizes_get(m, cx.config.args, arg32(a, 0), arg32(a, 1));
}
uint16_t args_get(Impl& cx, const GuestMemory& m, Args a) {
  return strings_get(m, cx.config.args, arg32(a, 0), arg32(a, 1));
}
uint16_t environ_sizes_get(Impl& cx, const GuestMemory& m, Args a) {
  return sizes_get(m, env_strings(cx.config), arg32(a, 0), arg32(a, 1));
}
uint16_t environ_get(Impl& cx, const GuestMemory& m, Args a) {
  return strings_get(m, env_strings(cx.config), arg32(a, 0), arg32(a, 1));
}

// --------------------------------------------------------------- clocks ----

constexpr uint64_t kVirtualTick = 1'000'000;  // 1 ms per read in deterministic mode

std::optional<clockid_t> host_clock(uint32_t id) {
  switch (id) {
    case 0: return CLOCK_REALTIME;
    case 1: return CLOCK_MONOTONIC;
    case 2: return CLOCK_PROCESS_CPUTIME_ID;
    case 3: return CLOCK_THREAD_CPUTIME_ID;
    default: return std::nullopt;
  }
}

uint64_t saturating_add(uint64_t a, uint64_t b) { return b > UINT64_MAX - a ? UINT64_MAX : a + b; }

/// The current value of clock `id` (valid). Deterministic mode: the
/// virtual clock (realtime and monotonic) or the virtual time elapsed
/// since the epoch (the CPU-time clocks); `advance` moves it on by a tick.
uint64_t clock_now(Impl& cx, uint32_t id, bool advance) {
  if (cx.config.deterministic) {
    const uint64_t now = cx.virtual_ns;
    if (advance) cx.virtual_ns = saturating_add(cx.virtual_ns, kVirtualTick);
    return id >= 2 ? now - kDeterministicEpochNs : now;
  }
  struct timespec t {};
  if (clock_gettime(*host_clock(id), &t) != 0) return 0;
  return timespec_ns(t);
}

uint16_t clock_res_get(Impl& cx, const GuestMemory& m, Args a) {
  const uint32_t id = arg32(a, 0), ret = arg32(a, 1);
  std::optional<clockid_t> c = host_clock(id);
  if (!c) return kInval;
  if (!m.in_bounds(ret, 8)) return kFault;
  uint64_t res = kVirtualTick;
  if (!cx.config.deterministic) {
    struct timespec t {};
    if (clock_getres(*c, &t) != 0) return from_host_errno(errno);
    res = std::max<uint64_t>(timespec_ns(t), 1);  // preview1: non-zero for a supported clock
  }
  (void)m.store<uint64_t>(ret, res);
  return kSuccess;
}

uint16_t clock_time_get(Impl& cx, const GuestMemory& m, Args a) {
  const uint32_t id = arg32(a, 0), ret = arg32(a, 2);  // arg 1, precision, is a hint
  if (!host_clock(id)) return kInval;
  if (!m.in_bounds(ret, 8)) return kFault;  // before the virtual clock moves
  (void)m.store<uint64_t>(ret, clock_now(cx, id, true));
  return kSuccess;
}

// --------------------------------------------------------------- random ----

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/// splitmix64: expands the seed into xoshiro's state (never all zero).
uint64_t splitmix64(uint64_t& x) {
  x += 0x9E3779B97F4A7C15ull;
  uint64_t z = x;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// xoshiro256** (Blackman and Vigna): fast, and plenty for a
/// reproducible stream. Deterministic mode is for testing, not secrets.
uint64_t xoshiro_next(uint64_t s[4]) {
  const uint64_t out = rotl(s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return out;
}

uint16_t random_get(Impl& cx, const GuestMemory& m, Args a) {
  const uint32_t buf = arg32(a, 0), len = arg32(a, 1);
  // Bounds first: the bytes are generated straight into guest memory, so
  // nothing on the host is sized by `len`.
  std::optional<std::span<uint8_t>> out = m.bytes(buf, len);
  if (!out) return kFault;
  if (len > cx.config.max_io_bytes)  // random_get cannot be short: refuse
    return cx.deny("random_get", std::to_string(len) + " bytes exceeds max_io_bytes", kInval);
  uint8_t* p = out->data();
  size_t left = out->size();
  if (cx.config.deterministic) {
    while (left > 0) {
      const uint64_t r = xoshiro_next(cx.rng);
      const size_t n = std::min<size_t>(left, 8);
      std::memcpy(p, &r, n);
      p += n;
      left -= n;
    }
    return kSuccess;
  }
  while (left > 0) {
    const ssize_t n = getrandom(p, std::min<size_t>(left, 1 << 20), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return kIo;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return kSuccess;
}

// ------------------------------------------------------------ scheduling ----

uint16_t sched_yield(Impl&, const GuestMemory&, Args) {
  ::sched_yield();
  return kSuccess;
}

void sleep_ns(uint64_t ns) {
  struct timespec t {};
  t.tv_sec = static_cast<time_t>(ns / 1'000'000'000ull);
  t.tv_nsec = static_cast<long>(ns % 1'000'000'000ull);
  while (clock_nanosleep(CLOCK_MONOTONIC, 0, &t, &t) == EINTR) {}
}

/// poll_oneoff: clock subscriptions only; an fd_read/fd_write
/// subscription is answered at once with an event whose error is ENOTSUP.
/// Subscriptions are read from guest memory in two passes (nothing is
/// allocated per subscription); events are written in subscription order.
uint16_t poll_oneoff(Impl& cx, const GuestMemory& m, Args a) {
  const uint32_t in = arg32(a, 0), out = arg32(a, 1), n = arg32(a, 2), ret = arg32(a, 3);
  if (n == 0) return kInval;
  if (!m.in_bounds(in, kSubscriptionSize * n) || !m.in_bounds(out, kEventSize * n) || !m.in_bounds(ret, 4))
    return kFault;

  struct Sub {
    uint64_t userdata;
    uint8_t tag;
    uint32_t clock;
    uint64_t timeout;
    bool abstime;
  };
  auto sub_at = [&](uint32_t i) {
    const uint64_t p = in + kSubscriptionSize * i;
    Sub s{};
    s.userdata = *m.load<uint64_t>(p);
    s.tag = *m.load<uint8_t>(p + 8);
    s.clock = *m.load<uint32_t>(p + 16);
    s.timeout = *m.load<uint64_t>(p + 24);
    s.abstime = (*m.load<uint16_t>(p + 40) & 1) != 0;
    return s;
  };
  // Each clock is read once, at the start: a subscription is due `due` ns
  // after it, the same value in both passes, so the one(s) the sleep waited
  // for always fire.
  uint64_t now0[4];
  for (uint32_t id = 0; id < 4; ++id) now0[id] = clock_now(cx, id, false);
  auto due = [&](const Sub& s) -> uint64_t {
    if (!s.abstime) return s.timeout;
    return s.timeout > now0[s.clock] ? s.timeout - now0[s.clock] : 0;
  };

  bool immediate = false;  // some event is ready without waiting
  uint64_t wait = UINT64_MAX;
  for (uint32_t i = 0; i < n; ++i) {
    const Sub s = sub_at(i);
    if (s.tag != 0 || !host_clock(s.clock)) {
      immediate = true;
      continue;
    }
    wait = std::min(wait, due(s));
  }
  if (immediate) wait = 0;
  if (wait > 0) {
    if (cx.config.deterministic) {
      cx.virtual_ns = saturating_add(cx.virtual_ns, wait);  // time passes, instantly
    } else {
      // A sleep never outlasts the store's deadline: cut short, the run
      // ends with "deadline exceeded" at its next fuel check.
      uint64_t cap = UINT64_MAX;
      if (cx.timeout_ms != 0 && cx.timeout_ms < UINT64_MAX / 1'000'000) cap = cx.timeout_ms * 1'000'000;
      sleep_ns(std::min(wait, cap));
    }
  }

  uint32_t events = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const Sub s = sub_at(i);
    uint16_t error = kSuccess;
    if (s.tag != 0) {
      error = s.tag <= 2 ? kNotsup : kInval;
    } else if (!host_clock(s.clock)) {
      error = kInval;
    } else if (due(s) > wait) {
      continue;  // not due yet
    }
    uint8_t ev[kEventSize] = {};
    put64(ev, s.userdata);
    std::memcpy(ev + 8, &error, 2);
    ev[10] = s.tag;
    (void)m.write(out + kEventSize * uint64_t{events}, ev);
    ++events;
  }
  (void)m.store<uint32_t>(ret, events);
  return kSuccess;
}

// ---------------------------------------------------------------- table ----

uint16_t enosys(Impl&, const GuestMemory&, Args) { return kNosys; }

struct Spec {
  std::string_view name;
  std::string_view params;  ///< 'i' i32, 'I' i64; every function returns an i32 errno but proc_exit
  Capability needs;
  Handler fn;      ///< null: proc_exit
  bool supported;  ///< false: ENOSYS (or EPERM by policy, path_link and path_symlink)
};

using C = Capability;
// In the order of the preview1 witx file.
constexpr Spec kSpecs[] = {
    {"args_get", "ii", C::Args, args_get, true},
    {"args_sizes_get", "ii", C::Args, args_sizes_get, true},
    {"environ_get", "ii", C::Env, environ_get, true},
    {"environ_sizes_get", "ii", C::Env, environ_sizes_get, true},
    {"clock_res_get", "ii", C::Clock, clock_res_get, true},
    {"clock_time_get", "iIi", C::Clock, clock_time_get, true},
    {"fd_advise", "iIIi", C::None, enosys, false},
    {"fd_allocate", "iII", C::None, enosys, false},
    {"fd_close", "i", C::None, fd_close, true},
    {"fd_datasync", "i", C::None, enosys, false},
    {"fd_fdstat_get", "ii", C::None, fd_fdstat_get, true},
    {"fd_fdstat_set_flags", "ii", C::None, fd_fdstat_set_flags, true},
    {"fd_fdstat_set_rights", "iII", C::None, enosys, false},
    {"fd_filestat_get", "ii", C::None, fd_filestat_get, true},
    {"fd_filestat_set_size", "iI", C::None, enosys, false},
    {"fd_filestat_set_times", "iIIi", C::None, enosys, false},
    {"fd_pread", "iiiIi", C::None, fd_pread, true},
    {"fd_prestat_get", "ii", C::Fs, fd_prestat_get, true},
    {"fd_prestat_dir_name", "iii", C::Fs, fd_prestat_dir_name, true},
    {"fd_pwrite", "iiiIi", C::None, fd_pwrite, true},
    {"fd_read", "iiii", C::None, fd_read, true},
    {"fd_readdir", "iiiIi", C::Fs, fd_readdir, true},
    {"fd_renumber", "ii", C::None, enosys, false},
    {"fd_seek", "iIii", C::None, fd_seek, true},
    {"fd_sync", "i", C::None, fd_sync, true},
    {"fd_tell", "ii", C::None, fd_tell, true},
    {"fd_write", "iiii", C::None, fd_write, true},
    {"path_create_directory", "iii", C::Fs, path_create_directory, true},
    {"path_filestat_get", "iiiii", C::Fs, path_filestat_get, true},
    {"path_filestat_set_times", "iiiiIIi", C::Fs, enosys, false},
    {"path_link", "iiiiiii", C::Fs, path_link, false},
    {"path_open", "iiiiiIIii", C::Fs, path_open, true},
    {"path_readlink", "iiiiii", C::Fs, path_readlink, true},
    {"path_remove_directory", "iii", C::Fs, path_remove_directory, true},
    {"path_rename", "iiiiii", C::Fs, path_rename, true},
    {"path_symlink", "iiiii", C::Fs, path_symlink, false},
    {"path_unlink_file", "iii", C::Fs, path_unlink_file, true},
    {"poll_oneoff", "iiii", C::Clock, poll_oneoff, true},
    {"proc_exit", "i", C::Exit, nullptr, true},
    {"proc_raise", "i", C::None, enosys, false},
    {"sched_yield", "", C::None, sched_yield, true},
    {"random_get", "ii", C::Random, random_get, true},
    {"sock_accept", "iii", C::None, enosys, false},
    {"sock_recv", "iiiiii", C::None, enosys, false},
    {"sock_send", "iiiii", C::None, enosys, false},
    {"sock_shutdown", "ii", C::None, enosys, false},
};

const Spec* find_spec(std::string_view name) {
  for (const Spec& s : kSpecs)
    if (s.name == name) return &s;
  return nullptr;
}

FuncType type_of(const Spec& s) {
  FuncType t;
  for (char c : s.params) t.params.push_back(c == 'I' ? ValType::I64 : ValType::I32);
  if (s.fn) t.results.push_back(ValType::I32);
  return t;
}

HostFunc make_host_func(Impl* cx, const Spec& spec, size_t index) {
  if (!spec.fn) {  // proc_exit: ends the run with a trap the embedder recognises
    return [cx, index](Caller&, std::span<const Value> args, std::span<Value>) -> Result<void> {
      ++cx->stats.calls;
      ++cx->stats.calls_by_function[index];
      const uint32_t code = args[0].as_i32();
      cx->exit_code = code;
      cx->exited = true;
      try {
        return Error{ErrorKind::Trap, "exit " + std::to_string(code)};
      } catch (...) {
        return Error{ErrorKind::Trap, {}};  // no memory for the message; exit_code() still says it
      }
    };
  }
  return
      [cx, fn = spec.fn, index](Caller& caller, std::span<const Value> args, std::span<Value> results) -> Result<void> {
        ++cx->stats.calls;
        ++cx->stats.calls_by_function[index];
        cx->timeout_ms = caller.store().limits().timeout_ms;
        uint16_t e;
        const uint64_t denied_before = cx->stats.denied;
        try {
          e = fn(*cx, caller.memory(), args);
        } catch (const std::bad_alloc&) {
          e = kNomem;
        } catch (...) {
          e = kIo;
        }
        if (e == kFault) ++cx->stats.faults;
        if (cx->stats.denied != denied_before) ++cx->stats.denied_by_function[index];
        results[0] = Value::i32(e);
        return {};
      };
}

constexpr uint64_t kStdinRights = rights::kStream | rights::kFdRead;
constexpr uint64_t kStdoutRights = rights::kStream | rights::kFdWrite;

/// A standard stream's descriptor (not owned: the host's fd stays open).
std::unique_ptr<Descriptor> stream(int host, uint64_t rights) {
  auto d = std::make_unique<Descriptor>();
  d->kind = Descriptor::Kind::Stream;
  d->host = host;
  d->owned = false;
  d->writable = true;
  d->rights_base = rights;
  struct stat st {};
  if (fstat(host, &st) == 0) d->type = filetype_of_mode(st.st_mode);
  return d;
}

}  // namespace

// ---------------------------------------------------------------- public ----

Context::Context(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Context::~Context() = default;

Result<std::unique_ptr<Context>> Context::create(Config config) {
  auto impl = std::make_unique<Impl>();
  impl->config = std::move(config);
  const Config& c = impl->config;
  impl->fds.resize(3);
  if (c.stdin_granted) impl->fds[0] = stream(c.stdin_fd, kStdinRights);
  if (c.stdout_granted) impl->fds[1] = stream(c.stdout_fd, kStdoutRights);
  if (c.stderr_granted) impl->fds[2] = stream(c.stderr_fd, kStdoutRights);
  impl->open_count = static_cast<uint32_t>(c.stdin_granted + c.stdout_granted + c.stderr_granted);

  // Every preopen is opened (and must be a directory) so that a mistyped
  // path is an error whatever was granted; without Fs none is installed.
  const bool fs = c.grants.has(Capability::Fs);
  for (const Preopen& p : c.dirs) {
    const int h = ::open(p.host_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (h < 0)
      return Error{ErrorKind::Uninstantiable, "cannot open preopen " + p.host_path + ": " + std::strerror(errno)};
    auto d = std::make_unique<Descriptor>();
    d->kind = Descriptor::Kind::Dir;
    d->host = h;
    d->preopen = true;
    d->writable = p.writable;
    d->type = filetype::kDirectory;
    d->guest_path = p.guest_path;
    // Read-only is enforced by the checks (EROFS), not by withholding
    // rights: wasi-libc asks for the rights an open() mode implies, so a
    // read-only preopen still offers them and refuses the write itself.
    d->rights_base = rights::kDir;
    d->rights_inheriting = rights::kDir | rights::kFile;
    if (!fs) continue;  // opened, checked and closed again
    if (impl->open_count >= c.max_open_files)
      return Error{ErrorKind::Uninstantiable, "cannot open preopen " + p.host_path + ": more than " +
                                                  std::to_string(c.max_open_files) + " descriptors"};
    impl->fds.push_back(std::move(d));
    ++impl->open_count;
  }

  uint64_t x = c.seed;
  for (uint64_t& s : impl->rng) s = splitmix64(x);
  impl->stats.calls_by_function.assign(std::size(kSpecs), 0);
  impl->stats.denied_by_function.assign(std::size(kSpecs), 0);
  return std::unique_ptr<Context>(new Context(std::move(impl)));
}

void Context::link(Store& store, Linker& linker) {
  HostModule host;
  host.name = std::string(kModuleName);
  host.funcs.reserve(std::size(kSpecs));
  for (size_t i = 0; i < std::size(kSpecs); ++i)
    host.funcs.push_back(HostFuncDef{std::string(kSpecs[i].name), type_of(kSpecs[i]), kSpecs[i].needs,
                                     make_host_func(impl_.get(), kSpecs[i], i)});
  linker.define_host(store, host, impl_->config.grants);
}

std::optional<uint32_t> Context::exit_code() const { return impl_->exited ? impl_->exit_code : std::nullopt; }
const Stats& Context::stats() const { return impl_->stats; }
const Config& Context::config() const { return impl_->config; }

std::string_view errno_name(uint32_t e) {
  // preview1's errno enum (witx typenames), in value order.
  static constexpr std::string_view kNames[] = {
      "success",        "2big",       "acces",       "addrinuse",      "addrnotavail", "afnosupport", "again",
      "already",        "badf",       "badmsg",      "busy",           "canceled",     "child",       "connaborted",
      "connrefused",    "connreset",  "deadlk",      "destaddrreq",    "dom",          "dquot",       "exist",
      "fault",          "fbig",       "hostunreach", "idrm",           "ilseq",        "inprogress",  "intr",
      "inval",          "io",         "isconn",      "isdir",          "loop",         "mfile",       "mlink",
      "msgsize",        "multihop",   "nametoolong", "netdown",        "netreset",     "netunreach",  "nfile",
      "nobufs",         "nodev",      "noent",       "noexec",         "nolck",        "nolink",      "nomem",
      "nomsg",          "noprotoopt", "nospc",       "nosys",          "notconn",      "notdir",      "notempty",
      "notrecoverable", "notsock",    "notsup",      "notty",          "nxio",         "overflow",    "ownerdead",
      "perm",           "pipe",       "proto",       "protonosupport", "prototype",    "range",       "rofs",
      "spipe",          "srch",       "stale",       "timedout",       "txtbsy",       "xdev",        "notcapable"};
  static_assert(std::size(kNames) == 77);
  return e < std::size(kNames) ? kNames[e] : std::string_view();
}

bool is_exit(const Error& e) {
  // A start function's trap reaches the embedder as Uninstantiable with
  // the trap's message (docs/design.md, "Errors"), so both kinds count.
  if (e.kind != ErrorKind::Trap && e.kind != ErrorKind::Uninstantiable) return false;
  std::string_view m = e.message;
  if (!m.starts_with("exit ")) return false;
  m.remove_prefix(5);
  if (m.empty() || m.size() > 10 || (m.size() > 1 && m[0] == '0')) return false;
  uint64_t v = 0;
  for (char ch : m) {
    if (ch < '0' || ch > '9') return false;
    v = v * 10 + static_cast<uint64_t>(ch - '0');
  }
  return v <= UINT32_MAX;
}

std::optional<Capability> capability_of(std::string_view name) {
  const Spec* s = find_spec(name);
  if (!s) return std::nullopt;
  return s->needs;
}

std::vector<std::string_view> function_names() {
  std::vector<std::string_view> out;
  out.reserve(std::size(kSpecs));
  for (const Spec& s : kSpecs) out.push_back(s.name);
  return out;
}

bool supported(std::string_view name) {
  const Spec* s = find_spec(name);
  return s && s->supported;
}

std::optional<FuncType> type_of(std::string_view name) {
  const Spec* s = find_spec(name);
  if (!s) return std::nullopt;
  return type_of(*s);
}

}  // namespace warden::wasi
