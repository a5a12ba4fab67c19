// WASI snapshot_preview1: what the implementation files share (wasi.cpp,
// wasi_fs.cpp, wasi_path.cpp). Not a public header: the contract is
// warden/wasi.hpp, and the policy is docs/sandbox.md.
//
// Layouts and constants are preview1's (the witx files; wasi-libc's
// wasi/api.h states every size and offset): little-endian, i32 pointers.
#pragma once
#include <sys/stat.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "warden/host.hpp"
#include "warden/wasi.hpp"

namespace warden::wasi {

// ---------------------------------------------------------------- errno ----

/// preview1 `errno` (u16). Only the values Warden returns are named.
enum Errno : uint16_t {
  kSuccess = 0,
  k2Big = 1,
  kAcces = 2,
  kAgain = 6,
  kBadf = 8,
  kBusy = 10,
  kExist = 20,
  kFault = 21,
  kFbig = 22,
  kIlseq = 25,
  kIntr = 27,
  kInval = 28,
  kIo = 29,
  kIsdir = 31,
  kLoop = 32,
  kMfile = 33,
  kMlink = 34,
  kNametoolong = 37,
  kNfile = 41,
  kNodev = 43,
  kNoent = 44,
  kNomem = 48,
  kNospc = 51,
  kNosys = 52,
  kNotdir = 54,
  kNotempty = 55,
  kNotsup = 58,
  kNotty = 59,
  kNxio = 60,
  kOverflow = 61,
  kPerm = 63,
  kPipe = 64,
  kRange = 68,
  kRofs = 69,
  kSpipe = 70,
  kTxtbsy = 74,
  kXdev = 75,
  kNotcapable = 76,
};

/// The preview1 errno for a host errno (EIO for anything unexpected).
uint16_t from_host_errno(int e);

// --------------------------------------------------------------- rights ----

namespace rights {
inline constexpr uint64_t kFdDatasync = 1ull << 0;
inline constexpr uint64_t kFdRead = 1ull << 1;
inline constexpr uint64_t kFdSeek = 1ull << 2;
inline constexpr uint64_t kFdFdstatSetFlags = 1ull << 3;
inline constexpr uint64_t kFdSync = 1ull << 4;
inline constexpr uint64_t kFdTell = 1ull << 5;
inline constexpr uint64_t kFdWrite = 1ull << 6;
inline constexpr uint64_t kFdAdvise = 1ull << 7;
inline constexpr uint64_t kFdAllocate = 1ull << 8;
inline constexpr uint64_t kPathCreateDirectory = 1ull << 9;
inline constexpr uint64_t kPathCreateFile = 1ull << 10;
inline constexpr uint64_t kPathLinkSource = 1ull << 11;
inline constexpr uint64_t kPathLinkTarget = 1ull << 12;
inline constexpr uint64_t kPathOpen = 1ull << 13;
inline constexpr uint64_t kFdReaddir = 1ull << 14;
inline constexpr uint64_t kPathReadlink = 1ull << 15;
inline constexpr uint64_t kPathRenameSource = 1ull << 16;
inline constexpr uint64_t kPathRenameTarget = 1ull << 17;
inline constexpr uint64_t kPathFilestatGet = 1ull << 18;
inline constexpr uint64_t kPathFilestatSetSize = 1ull << 19;
inline constexpr uint64_t kPathFilestatSetTimes = 1ull << 20;
inline constexpr uint64_t kFdFilestatGet = 1ull << 21;
inline constexpr uint64_t kFdFilestatSetSize = 1ull << 22;
inline constexpr uint64_t kFdFilestatSetTimes = 1ull << 23;
inline constexpr uint64_t kPathSymlink = 1ull << 24;
inline constexpr uint64_t kPathRemoveDirectory = 1ull << 25;
inline constexpr uint64_t kPathUnlinkFile = 1ull << 26;
inline constexpr uint64_t kPollFdReadwrite = 1ull << 27;

/// What a regular file (or device) descriptor can carry.
inline constexpr uint64_t kFile = kFdDatasync | kFdRead | kFdSeek | kFdFdstatSetFlags | kFdSync | kFdTell | kFdWrite |
                                  kFdAdvise | kFdAllocate | kFdFilestatGet | kFdFilestatSetSize | kFdFilestatSetTimes |
                                  kPollFdReadwrite;
/// What a directory descriptor can carry.
inline constexpr uint64_t kDir = kFdFdstatSetFlags | kFdSync | kFdAdvise | kPathCreateDirectory | kPathCreateFile |
                                 kPathLinkSource | kPathLinkTarget | kPathOpen | kFdReaddir | kPathReadlink |
                                 kPathRenameSource | kPathRenameTarget | kPathFilestatGet | kPathFilestatSetSize |
                                 kPathFilestatSetTimes | kFdFilestatGet | kFdFilestatSetTimes | kPathSymlink |
                                 kPathRemoveDirectory | kPathUnlinkFile;
/// The file rights that modify a file's contents: refused (EROFS) on a
/// file opened beneath a read-only preopen.
inline constexpr uint64_t kFileWrite = kFdDatasync | kFdWrite | kFdAllocate | kFdFilestatSetSize;
/// A standard stream: read or write, no seeking (so wasi-libc's isatty
/// sees a terminal as one), status.
inline constexpr uint64_t kStream = kFdFdstatSetFlags | kFdSync | kFdFilestatGet | kPollFdReadwrite;
}  // namespace rights

// ---------------------------------------------------------- other types ----

namespace filetype {
inline constexpr uint8_t kUnknown = 0, kBlockDevice = 1, kCharacterDevice = 2, kDirectory = 3, kRegularFile = 4,
                         kSocketDgram = 5, kSocketStream = 6, kSymbolicLink = 7;
}

namespace fdflags {
inline constexpr uint16_t kAppend = 1, kDsync = 2, kNonblock = 4, kRsync = 8, kSync = 16;
inline constexpr uint16_t kAll = 31;
}  // namespace fdflags

namespace oflags {
inline constexpr uint16_t kCreat = 1, kDirectory = 2, kExcl = 4, kTrunc = 8;
inline constexpr uint16_t kAll = 15;
}  // namespace oflags

inline constexpr uint32_t kLookupSymlinkFollow = 1;

/// Layout sizes (bytes).
inline constexpr uint64_t kIovecSize = 8, kFilestatSize = 64, kFdstatSize = 24, kPrestatSize = 8, kDirentSize = 24,
                          kSubscriptionSize = 48, kEventSize = 32;

// ---------------------------------------------------------- descriptors ----

/// One entry of the guest's descriptor table.
struct Descriptor {
  enum class Kind : uint8_t { Stream, File, Dir };

  Descriptor() = default;
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor();

  Kind kind = Kind::File;
  int host = -1;                      ///< the host descriptor
  bool owned = true;                  ///< closed with the descriptor (false: stdio)
  bool writable = true;               ///< beneath a writable preopen (streams: true)
  bool preopen = false;               ///< a preopen (fd_prestat_get answers)
  uint8_t type = filetype::kUnknown;  ///< preview1 filetype when opened
  uint16_t flags = 0;                 ///< preview1 fdflags
  uint64_t rights_base = 0, rights_inheriting = 0;
  std::string guest_path;  ///< preopens: the name the guest sees

  /// fd_readdir's snapshot: taken at cookie 0 (or the first call), so a
  /// cookie is an index into one stable, sorted listing.
  struct Entry {
    std::string name;
    uint64_t ino = 0;
    uint8_t type = filetype::kUnknown;
  };
  std::vector<Entry> listing;
  bool listed = false;
};

// -------------------------------------------------------------- context ----

struct Context::Impl {
  Config config;
  Stats stats;
  std::optional<uint32_t> exit_code;
  bool exited = false;  ///< proc_exit ran (exit_code is its argument)

  /// Guest fd -> descriptor; null slots are free (EBADF). 0..2 are the
  /// streams, 3.. the preopens, then whatever path_open returns.
  std::vector<std::unique_ptr<Descriptor>> fds;
  uint32_t open_count = 0;

  /// Deterministic mode: the virtual clock (ns) and xoshiro256** state.
  uint64_t virtual_ns = kDeterministicEpochNs;
  uint64_t rng[4] = {0, 0, 0, 0};
  /// The calling store's Limits::timeout_ms (poll_oneoff sleeps no longer).
  uint64_t timeout_ms = 0;

  /// The descriptor behind guest fd `fd`, or null.
  Descriptor* get(uint32_t fd) { return fd < fds.size() ? fds[fd].get() : nullptr; }
  /// EBADF for a missing fd, counted as a denial when it is a standard
  /// stream the operator did not grant.
  uint16_t bad_fd(std::string_view func, uint32_t fd);
  /// Records a refusal by policy (Stats::denied, Stats::denials) and
  /// returns `err`.
  uint16_t deny(std::string_view func, const std::string& why, uint16_t err);
  /// ENOTCAPABLE (a denial) unless guest fd `fd` (`d`) holds every right
  /// in `needed`.
  uint16_t lacks(std::string_view func, uint32_t fd, const Descriptor& d, uint64_t needed);
  /// Installs `d` at the lowest free fd >= 3; EMFILE (a denial) past
  /// max_open_files.
  uint16_t install(std::string_view func, std::unique_ptr<Descriptor> d, uint32_t& fd_out);
};

using Impl = Context::Impl;
using Args = std::span<const Value>;
/// A preview1 function: reads its i32/i64 arguments, returns the errno.
using Handler = uint16_t (*)(Impl&, const GuestMemory&, Args);

inline uint32_t arg32(Args a, size_t i) { return a[i].as_i32(); }
inline uint64_t arg64(Args a, size_t i) { return a[i].as_i64(); }

// ------------------------------------------------------------- helpers ----

/// Fills a 64-byte preview1 filestat from a host stat.
void encode_filestat(const struct stat& st, uint8_t out[kFilestatSize]);
uint8_t filetype_of_mode(unsigned mode);

/// `s` quoted for a Stats::denials line: bytes outside printable ASCII as
/// \xHH (a guest's path must not reach an operator's terminal as escape
/// sequences), and at most 200 bytes of it.
std::string quoted(std::string_view s);

/// Reads a guest path: ENAMETOOLONG past max_path, EFAULT out of bounds,
/// EINVAL with an embedded NUL.
uint16_t read_path(Impl& cx, const GuestMemory& mem, uint32_t ptr, uint32_t len, std::string& out);

// ------------------------------------------- the functions (by file) ------

// wasi_fs.cpp: descriptor functions.
uint16_t fd_close(Impl&, const GuestMemory&, Args);
uint16_t fd_fdstat_get(Impl&, const GuestMemory&, Args);
uint16_t fd_fdstat_set_flags(Impl&, const GuestMemory&, Args);
uint16_t fd_filestat_get(Impl&, const GuestMemory&, Args);
uint16_t fd_prestat_get(Impl&, const GuestMemory&, Args);
uint16_t fd_prestat_dir_name(Impl&, const GuestMemory&, Args);
uint16_t fd_read(Impl&, const GuestMemory&, Args);
uint16_t fd_pread(Impl&, const GuestMemory&, Args);
uint16_t fd_write(Impl&, const GuestMemory&, Args);
uint16_t fd_pwrite(Impl&, const GuestMemory&, Args);
uint16_t fd_seek(Impl&, const GuestMemory&, Args);
uint16_t fd_tell(Impl&, const GuestMemory&, Args);
uint16_t fd_sync(Impl&, const GuestMemory&, Args);
uint16_t fd_readdir(Impl&, const GuestMemory&, Args);

// wasi_path.cpp: path resolution beneath a directory descriptor.
uint16_t path_open(Impl&, const GuestMemory&, Args);
uint16_t path_filestat_get(Impl&, const GuestMemory&, Args);
uint16_t path_create_directory(Impl&, const GuestMemory&, Args);
uint16_t path_remove_directory(Impl&, const GuestMemory&, Args);
uint16_t path_unlink_file(Impl&, const GuestMemory&, Args);
uint16_t path_rename(Impl&, const GuestMemory&, Args);
uint16_t path_readlink(Impl&, const GuestMemory&, Args);
uint16_t path_link(Impl&, const GuestMemory&, Args);
uint16_t path_symlink(Impl&, const GuestMemory&, Args);

}  // namespace warden::wasi
