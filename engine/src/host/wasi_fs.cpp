// WASI preview1 descriptor functions: fd_* over the descriptor table
// (wasi_impl.hpp). Paths are wasi_path.cpp's.
//
// I/O goes straight between the host descriptor and guest memory, through
// iovecs built from the guest's after every one was checked: a call that
// fails for a bad pointer has done no I/O. Per call at most max_iovs
// iovecs and max_io_bytes bytes move (a short read or write is legal
// preview1), summed in 64 bits so no combination of lengths wraps.
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "wasi_impl.hpp"

namespace warden::wasi {
namespace {

using Kind = Descriptor::Kind;

/// The guest's iovecs as host iovecs into guest memory, clamped to
/// max_io_bytes in total. Every iovec is checked, also those past the
/// clamp, so the answer does not depend on max_io_bytes.
uint16_t gather(Impl& cx, const GuestMemory& m, std::string_view func, uint32_t iovs, uint32_t n,
                std::vector<struct iovec>& out, uint64_t& total) {
  if (n > cx.config.max_iovs) return cx.deny(func, std::to_string(n) + " iovecs exceeds max_iovs", kInval);
  if (!m.in_bounds(iovs, kIovecSize * n)) return kFault;
  out.clear();
  out.reserve(n);  // n <= max_iovs, and the array is in guest memory
  total = 0;
  // The count returned is a u32; iovecs may name the same bytes repeatedly,
  // so the sum is clamped here, not by the memory's size.
  const uint64_t limit = std::min<uint64_t>(cx.config.max_io_bytes, UINT32_MAX);
  for (uint32_t i = 0; i < n; ++i) {
    // Each descriptor is read by value before any I/O: a read may overwrite
    // the array it came from.
    const uint64_t at = iovs + kIovecSize * i;
    const uint32_t buf = *m.load<uint32_t>(at), len = *m.load<uint32_t>(at + 4);
    std::optional<std::span<uint8_t>> b = m.bytes(buf, len);
    if (!b) return kFault;
    const uint64_t take = std::min<uint64_t>(len, limit - total);
    if (take == 0) continue;
    out.push_back({b->data(), static_cast<size_t>(take)});
    total += take;
  }
  return kSuccess;
}

/// readv/writev (preadv/pwritev at `offset`) over `iov`, IOV_MAX at a time,
/// until done or short. An error after some bytes moved ends the call
/// with those bytes (as POSIX does); before, it is the call's errno.
uint16_t transfer(int fd, bool write, std::vector<struct iovec>& iov, std::optional<uint64_t> offset, uint64_t& done) {
  done = 0;
  size_t i = 0;
  while (i < iov.size()) {
    const int count = static_cast<int>(std::min<size_t>(iov.size() - i, IOV_MAX));
    uint64_t expect = 0;
    for (int k = 0; k < count; ++k) expect += iov[i + k].iov_len;
    ssize_t r;
    if (offset) {
      const off_t at = static_cast<off_t>(*offset + done);
      r = write ? ::pwritev(fd, &iov[i], count, at) : ::preadv(fd, &iov[i], count, at);
    } else {
      r = write ? ::writev(fd, &iov[i], count) : ::readv(fd, &iov[i], count);
    }
    if (r < 0) {
      if (errno == EINTR) continue;
      if (done > 0) break;
      return from_host_errno(errno);
    }
    done += static_cast<uint64_t>(r);
    if (static_cast<uint64_t>(r) < expect) break;
    i += static_cast<size_t>(count);
  }
  return kSuccess;
}

/// The descriptor checks of fd_read/fd_pread (write = false) and
/// fd_write/fd_pwrite (write = true).
uint16_t check_io(Impl& cx, std::string_view func, uint32_t fd, bool write, bool positioned, Descriptor*& d) {
  d = cx.get(fd);
  if (!d) return cx.bad_fd(func, fd);
  if (d->kind == Kind::Dir) return kIsdir;
  if (positioned && d->kind == Kind::Stream) return kSpipe;
  if (write && !d->writable)
    return cx.deny(func, "fd " + std::to_string(fd) + " was opened beneath a read-only preopen", kRofs);
  uint64_t need = write ? rights::kFdWrite : rights::kFdRead;
  if (positioned) need |= rights::kFdSeek;
  return cx.lacks(func, fd, *d, need);
}

uint16_t do_io(Impl& cx, const GuestMemory& m, Args a, bool write, bool positioned) {
  const std::string_view func = write ? (positioned ? "fd_pwrite" : "fd_write") : (positioned ? "fd_pread" : "fd_read");
  const uint32_t fd = arg32(a, 0), iovs = arg32(a, 1), n = arg32(a, 2);
  const uint64_t offset = positioned ? arg64(a, 3) : 0;
  const uint32_t ret = arg32(a, positioned ? 4 : 3);
  Descriptor* d = nullptr;
  if (uint16_t e = check_io(cx, func, fd, write, positioned, d)) return e;
  if (positioned && offset > static_cast<uint64_t>(INT64_MAX)) return kInval;
  if (!m.in_bounds(ret, 4)) return kFault;  // before any byte moves
  std::vector<struct iovec> iov;
  uint64_t total = 0;
  if (uint16_t e = gather(cx, m, func, iovs, n, iov, total)) return e;
  uint64_t done = 0;
  if (uint16_t e = transfer(d->host, write, iov, positioned ? std::optional<uint64_t>(offset) : std::nullopt, done))
    return e;
  (write ? cx.stats.bytes_written : cx.stats.bytes_read) += done;
  (void)m.store<uint32_t>(ret, static_cast<uint32_t>(done));  // done <= total <= UINT32_MAX
  return kSuccess;
}

uint8_t filetype_of_dirent(int dirfd, const struct dirent& e) {
  switch (e.d_type) {
    case DT_REG: return filetype::kRegularFile;
    case DT_DIR: return filetype::kDirectory;
    case DT_LNK: return filetype::kSymbolicLink;
    case DT_CHR: return filetype::kCharacterDevice;
    case DT_BLK: return filetype::kBlockDevice;
    case DT_SOCK: return filetype::kSocketStream;
    case DT_FIFO: return filetype::kUnknown;
    default: {
      struct stat st {};
      if (::fstatat(dirfd, e.d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) return filetype::kUnknown;
      return filetype_of_mode(st.st_mode);
    }
  }
}

/// Reads the whole directory, sorted by name (so listings do not depend on
/// the file system's hash order), into d.listing.
uint16_t take_listing(Descriptor& d) {
  // A second open description: the guest's descriptor keeps no offset.
  const int h = ::openat(d.host, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (h < 0) return from_host_errno(errno);
  DIR* dir = ::fdopendir(h);
  if (!dir) {
    const int e = errno;
    ::close(h);
    return from_host_errno(e);
  }
  std::vector<Descriptor::Entry> list;
  errno = 0;
  while (const struct dirent* e = ::readdir(dir)) {
    list.push_back({e->d_name, static_cast<uint64_t>(e->d_ino), filetype_of_dirent(h, *e)});
    errno = 0;
  }
  const int e = errno;
  ::closedir(dir);
  if (e != 0) return from_host_errno(e);
  std::sort(list.begin(), list.end(), [](const auto& x, const auto& y) { return x.name < y.name; });
  d.listing = std::move(list);
  d.listed = true;
  return kSuccess;
}

}  // namespace

// ---------------------------------------------------------- the table ----

uint16_t fd_close(Impl& cx, const GuestMemory&, Args a) {
  const uint32_t fd = arg32(a, 0);
  if (!cx.get(fd)) return cx.bad_fd("fd_close", fd);
  // A preopen may be closed too: the guest gives up that directory for the
  // rest of the run. A standard stream's host descriptor stays open.
  cx.fds[fd].reset();
  --cx.open_count;
  return kSuccess;
}

uint16_t fd_fdstat_get(Impl& cx, const GuestMemory& m, Args a) {
  const uint32_t fd = arg32(a, 0), ret = arg32(a, 1);
  Descriptor* d = cx.get(fd);
  if (!d) return cx.bad_fd("fd_fdstat_get", fd);
  if (!m.in_bounds(ret, kFdstatSize)) return kFault;
  uint8_t out[kFdstatSize] = {};
  out[0] = d->type;
  std::memcpy(out + 2, &d->flags, 2);
  std::memcpy(out + 8, &d->rights_base, 8);
  std::memcpy(out + 16, &d->rights_inheriting, 8);
  (void)m.write(ret, out);
  return kSuccess;
}

uint16_t fd_fdstat_set_flags(Impl& cx, const GuestMemory&, Args a) {
  const uint32_t fd = arg32(a, 0);
  const uint32_t want = arg32(a, 1);
  Descriptor* d = cx.get(fd);
  if (!d) return cx.bad_fd("fd_fdstat_set_flags", fd);
  if (want & ~uint32_t{fdflags::kAll}) return kInval;
  if (uint16_t e = cx.lacks("fd_fdstat_set_flags", fd, *d, rights::kFdFdstatSetFlags)) return e;
  // The standard streams' open file descriptions are shared with the host
  // (a terminal left non-blocking outlives the run): not changed.
  if (d->kind == Kind::Stream) return kNotsup;
  constexpr uint16_t kSyncs = fdflags::kDsync | fdflags::kRsync | fdflags::kSync;
  if ((want & kSyncs) != (d->flags & kSyncs)) return kNotsup;  // F_SETFL cannot change them
  const int cur = ::fcntl(d->host, F_GETFL);
  if (cur < 0) return from_host_errno(errno);
  int next = cur & ~(O_APPEND | O_NONBLOCK);
  if (want & fdflags::kAppend) next |= O_APPEND;
  if (want & fdflags::kNonblock) next |= O_NONBLOCK;
  if (::fcntl(d->host, F_SETFL, next) != 0) return from_host_errno(errno);
  d->flags = static_cast<uint16_t>(want);
  return kSuccess;
}

uint16_t fd_filestat_get(Impl& cx, const GuestMemory& m, Args a) {
  const uint32_t fd = arg32(a, 0), ret = arg32(a, 1);
  Descriptor* d = cx.get(fd);
  if (!d) return cx.bad_fd("fd_filestat_get", fd);
  if (uint16_t e = cx.lacks("fd_filestat_get", fd, *d, rights::kFdFilestatGet)) return e;
  if (!m.in_bounds(ret, kFilestatSize)) return kFault;
  struct stat st {};
  if (::fstat(d->host, &st) != 0) return from_host_errno(errno);
  uint8_t out[kFilestatSize];
  encode_filestat(st, out);
  (void)m.write(ret, out);
  return kSuccess;
}

uint16_t fd_prestat_get(Impl& cx, const GuestMemory& m, Args a) {
  const uint32_t fd = arg32(a, 0), ret = arg32(a, 1);
  Descriptor* d = cx.get(fd);
  // wasi-libc probes fd 3, 4, ... until EBADF: not a denial.
  if (!d || !d->preopen) return kBadf;
  if (!m.in_bounds(ret, kPrestatSize)) return kFault;
  uint8_t out[kPrestatSize] = {};  // tag 0: a directory
  const uint32_t len = static_cast<uint32_t>(d->guest_path.size());
  std::memcpy(out + 4, &len, 4);
  (void)m.write(ret, out);
  return kSuccess;
}

uint16_t fd_prestat_dir_name(Impl& cx, const GuestMemory& m, Args a) {
  const uint32_t fd = arg32(a, 0), buf = arg32(a, 1), len = arg32(a, 2);
  Descriptor* d = cx.get(fd);
  if (!d || !d->preopen) return kBadf;
  if (!m.in_bounds(buf, len)) return kFault;
  const std::string& name = d->guest_path;
  if (len < name.size()) return kInval;
  (void)m.write(buf, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(name.data()), name.size()));
  return kSuccess;
}

uint16_t fd_read(Impl& cx, const GuestMemory& m, Args a) { return do_io(cx, m, a, false, false); }
uint16_t fd_pread(Impl& cx, const GuestMemory& m, Args a) { return do_io(cx, m, a, false, true); }
uint16_t fd_write(Impl& cx, const GuestMemory& m, Args a) { return do_io(cx, m, a, true, false); }
uint16_t fd_pwrite(Impl& cx, const GuestMemory& m, Args a) { return do_io(cx, m, a, true, true); }

namespace {

uint16_t seek(Impl& cx, const GuestMemory& m, std::string_view func, uint32_t fd, int64_t offset, uint32_t whence,
              uint32_t ret) {
  Descriptor* d = cx.get(fd);
  if (!d) return cx.bad_fd(func, fd);
  if (d->kind == Kind::Stream) return kSpipe;
  if (d->kind == Kind::Dir) return kIsdir;  // fd_readdir keeps its own position
  if (whence > 2) return kInval;
  // preview1: fd_tell's right suffices for a seek that moves nothing.
  const bool tell = offset == 0 && whence == SEEK_CUR;
  if (uint16_t e =
          cx.lacks(func, fd, *d, tell && (d->rights_base & rights::kFdTell) ? rights::kFdTell : rights::kFdSeek))
    return e;
  if (!m.in_bounds(ret, 8)) return kFault;
  static constexpr int kWhence[] = {SEEK_SET, SEEK_CUR, SEEK_END};
  const off_t r = ::lseek(d->host, static_cast<off_t>(offset), kWhence[whence]);
  if (r < 0) return from_host_errno(errno);
  (void)m.store<uint64_t>(ret, static_cast<uint64_t>(r));
  return kSuccess;
}

}  // namespace

uint16_t fd_seek(Impl& cx, const GuestMemory& m, Args a) {
  return seek(cx, m, "fd_seek", arg32(a, 0), static_cast<int64_t>(arg64(a, 1)), arg32(a, 2), arg32(a, 3));
}

uint16_t fd_tell(Impl& cx, const GuestMemory& m, Args a) {
  return seek(cx, m, "fd_tell", arg32(a, 0), 0, 1, arg32(a, 1));
}

uint16_t fd_sync(Impl& cx, const GuestMemory&, Args a) {
  const uint32_t fd = arg32(a, 0);
  Descriptor* d = cx.get(fd);
  if (!d) return cx.bad_fd("fd_sync", fd);
  if (uint16_t e = cx.lacks("fd_sync", fd, *d, rights::kFdSync)) return e;
  if (::fsync(d->host) != 0) {
    if (d->kind == Kind::Stream && errno == EINVAL) return kSuccess;  // a terminal or pipe: nothing to sync
    return from_host_errno(errno);
  }
  return kSuccess;
}

uint16_t fd_readdir(Impl& cx, const GuestMemory& m, Args a) {
  const uint32_t fd = arg32(a, 0), buf = arg32(a, 1), len = arg32(a, 2), ret = arg32(a, 4);
  const uint64_t cookie = arg64(a, 3);
  Descriptor* d = cx.get(fd);
  if (!d) return cx.bad_fd("fd_readdir", fd);
  if (d->kind != Kind::Dir) return kNotdir;
  if (uint16_t e = cx.lacks("fd_readdir", fd, *d, rights::kFdReaddir)) return e;
  if (!m.in_bounds(buf, len) || !m.in_bounds(ret, 4)) return kFault;
  // Cookie 0 starts over with a fresh listing; a later cookie is an index
  // into the listing the descriptor already holds.
  if (cookie == 0 || !d->listed)
    if (uint16_t e = take_listing(*d)) return e;
  uint64_t used = 0;
  for (uint64_t i = cookie; i < d->listing.size() && used < len; ++i) {
    const Descriptor::Entry& e = d->listing[i];
    uint8_t head[kDirentSize] = {};
    const uint64_t next = i + 1;
    const uint32_t namlen = static_cast<uint32_t>(e.name.size());
    std::memcpy(head + 0, &next, 8);
    std::memcpy(head + 8, &e.ino, 8);
    std::memcpy(head + 16, &namlen, 4);
    head[20] = e.type;
    // Entries are truncated at the end of the buffer: bufused == buf_len
    // tells the guest there may be more (preview1).
    const uint64_t h = std::min<uint64_t>(kDirentSize, len - used);
    (void)m.write(buf + used, std::span<const uint8_t>(head, h));
    used += h;
    const uint64_t nb = std::min<uint64_t>(e.name.size(), len - used);
    (void)m.write(buf + used, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(e.name.data()), nb));
    used += nb;
  }
  (void)m.store<uint32_t>(ret, static_cast<uint32_t>(used));
  return kSuccess;
}

}  // namespace warden::wasi
