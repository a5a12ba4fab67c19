// WASI preview1 path functions: every path resolves beneath the directory
// descriptor it is given, never above it (docs/sandbox.md, "Confinement").
//
// The walk is Warden's own, one component at a time from a descriptor it
// holds: each directory is opened with openat(O_NOFOLLOW | O_DIRECTORY)
// relative to the previous one, so the kernel never follows a symlink or
// `..` for us. A symlink is read with readlinkat and its target pushed in
// front of the remaining components, confined by the same walk (an
// absolute target is refused, at most 40 links per path); `..` pops the
// walk's own stack of descriptors, and `..` at the start directory is
// refused. The final component is then used with a *at call relative to
// the last directory and never followed by the kernel (O_NOFOLLOW,
// AT_SYMLINK_NOFOLLOW). So a symlink or directory swapped in between two
// steps, or between the walk and the use, cannot lead outside: the worst
// it can do is make the call fail (ELOOP, ENOTDIR).
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "wasi_impl.hpp"

namespace warden::wasi {
namespace {

using Kind = Descriptor::Kind;

/// Symlinks followed in one path (Linux's MAXSYMLINKS).
constexpr int kMaxSymlinks = 40;
/// Directories one walk holds open at once (its `..` stack): deeper paths
/// are ENAMETOOLONG rather than a burst of host descriptors.
constexpr size_t kMaxDepth = 256;

/// An owned host descriptor.
class HostFd {
 public:
  explicit HostFd(int fd = -1) : fd_(fd) {}
  HostFd(HostFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  HostFd& operator=(HostFd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  HostFd(const HostFd&) = delete;
  HostFd& operator=(const HostFd&) = delete;
  ~HostFd() { reset(); }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

/// Where a path ended up: the directory holding its final component, and
/// that component ("." when the path names the directory itself).
struct Walk {
  int base = -1;              ///< the guest descriptor's directory (not owned)
  std::vector<HostFd> stack;  ///< directories opened below base
  std::string name;
  bool trailing_slash = false;  ///< the final component must be a directory
  int dir() const { return stack.empty() ? base : stack.back().get(); }
};

void push_components(std::deque<std::string>& pending, std::string_view path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) pending.push_front(std::move(*it));
}

/// The target of symlink `name` in `dir`, if it is one (nullopt: not a
/// link, or gone). A target of PATH_MAX bytes or more is ENAMETOOLONG.
std::optional<std::string> link_target(int dir, const std::string& name, uint16_t& err) {
  char buf[PATH_MAX];
  const ssize_t n = ::readlinkat(dir, name.c_str(), buf, sizeof buf);
  if (n < 0) return std::nullopt;
  if (static_cast<size_t>(n) >= sizeof buf) {
    err = kNametoolong;
    return std::nullopt;
  }
  return std::string(buf, static_cast<size_t>(n));
}

/// Resolves `path` beneath `base`. `follow_final`: a symlink as the final
/// component is followed too (preview1's lookupflags.symlink_follow).
uint16_t resolve(Impl& cx, std::string_view func, int base, const std::string& path, bool follow_final, Walk& w) {
  w.base = base;
  if (path.empty()) return kNoent;
  if (path[0] == '/') return cx.deny(func, quoted(path) + " is absolute", kNotcapable);
  w.trailing_slash = path.back() == '/';
  std::deque<std::string> pending;
  push_components(pending, path);
  int links = 0;
  // Replaces a symlink by its target in the walk.
  auto expand = [&](const std::string& target) -> uint16_t {
    if (++links > kMaxSymlinks) return kLoop;
    if (target.empty()) return kNoent;
    if (target[0] == '/')
      return cx.deny(func, quoted(path) + " follows a symlink to the absolute path " + quoted(target), kNotcapable);
    if (pending.empty() && target.back() == '/') w.trailing_slash = true;
    push_components(pending, target);
    return kSuccess;
  };

  while (!pending.empty()) {
    std::string comp = std::move(pending.front());
    pending.pop_front();
    if (comp == ".") continue;
    if (comp == "..") {
      if (w.stack.empty()) return cx.deny(func, quoted(path) + " escapes the preopen", kNotcapable);
      w.stack.pop_back();
      continue;
    }
    if (pending.empty()) {  // the final component
      if (follow_final) {
        uint16_t err = kSuccess;
        std::optional<std::string> target = link_target(w.dir(), comp, err);
        if (err) return err;
        if (target) {
          if (uint16_t e = expand(*target)) return e;
          continue;
        }
      }
      w.name = std::move(comp);
      return kSuccess;
    }
    HostFd next(::openat(w.dir(), comp.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (next.get() >= 0) {
      if (w.stack.size() >= kMaxDepth) return kNametoolong;
      w.stack.push_back(std::move(next));
      continue;
    }
    const int e = errno;
    if (e != ELOOP && e != ENOTDIR) return from_host_errno(e);
    // Not a directory: a symlink to follow, or really not a directory.
    uint16_t err = kSuccess;
    std::optional<std::string> target = link_target(w.dir(), comp, err);
    if (err) return err;
    if (!target) return from_host_errno(e);
    if (uint16_t x = expand(*target)) return x;
  }
  w.name = ".";  // the path named a directory of the walk ("." or "a/..")
  return kSuccess;
}

/// The directory descriptor a path function starts from.
uint16_t dir_of(Impl& cx, std::string_view func, uint32_t fd, uint64_t right, Descriptor*& d) {
  d = cx.get(fd);
  if (!d) return cx.bad_fd(func, fd);
  if (d->kind != Kind::Dir) return kNotdir;
  return cx.lacks(func, fd, *d, right);
}

uint16_t read_only(Impl& cx, std::string_view func, const std::string& path) {
  return cx.deny(func, quoted(path) + " is in a read-only preopen", kRofs);
}

/// With a trailing slash the final component must be a directory (it is
/// not followed if it is a symlink: ENOTDIR).
uint16_t check_trailing(const Walk& w) {
  if (!w.trailing_slash) return kSuccess;
  struct stat st {};
  if (::fstatat(w.dir(), w.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return from_host_errno(errno);
  return S_ISDIR(st.st_mode) ? kSuccess : kNotdir;
}

}  // namespace

uint16_t path_open(Impl& cx, const GuestMemory& m, Args a) {
  constexpr std::string_view func = "path_open";
  const uint32_t fd = arg32(a, 0), dirflags = arg32(a, 1), path_ptr = arg32(a, 2), path_len = arg32(a, 3);
  const uint32_t of = arg32(a, 4), fl = arg32(a, 7), ret = arg32(a, 8);
  const uint64_t want_base = arg64(a, 5), want_inheriting = arg64(a, 6);
  Descriptor* d = nullptr;
  if (uint16_t e = dir_of(cx, func, fd, rights::kPathOpen, d)) return e;
  std::string path;
  if (uint16_t e = read_path(cx, m, path_ptr, path_len, path)) return e;
  if ((of & ~uint32_t{oflags::kAll}) || (fl & ~uint32_t{fdflags::kAll})) return kInval;
  // creat makes a regular file, directory demands a directory: no file
  // satisfies both. Refused here, before the walk, because the host's answer
  // depends on its kernel: Linux 6.4+ says EINVAL before any lookup, 5.7-6.3
  // create a regular file and then fail with ENOTDIR, older ones open it.
  if ((of & oflags::kCreat) && (of & oflags::kDirectory)) return kInval;
  if (!m.in_bounds(ret, 4)) return kFault;
  const bool create = of & oflags::kCreat;
  const bool writes = (want_base & rights::kFileWrite) != 0;
  if ((create || (of & oflags::kTrunc) || writes) && !d->writable) return read_only(cx, func, path);
  if (create)
    if (uint16_t e = cx.lacks(func, fd, *d, rights::kPathCreateFile)) return e;
  // Before anything is created: a refused open must leave no file behind.
  if (cx.open_count >= cx.config.max_open_files)
    return cx.deny(func, "more than " + std::to_string(cx.config.max_open_files) + " open descriptors", kMfile);

  Walk w;
  if (uint16_t e = resolve(cx, func, d->host, path, dirflags & kLookupSymlinkFollow, w)) return e;

  const bool reads = (want_base & (rights::kFdRead | rights::kFdReaddir)) != 0;
  int flags = writes ? (reads ? O_RDWR : O_WRONLY) : O_RDONLY;
  // O_NOFOLLOW: the walk followed what was to be followed. O_NONBLOCK while
  // opening: a FIFO must not block the open (cleared below unless asked).
  flags |= O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  if (create) flags |= O_CREAT;
  if (of & oflags::kExcl) flags |= O_EXCL;
  if (of & oflags::kTrunc) flags |= O_TRUNC;
  if ((of & oflags::kDirectory) || w.trailing_slash) flags |= O_DIRECTORY;
  if (fl & fdflags::kAppend) flags |= O_APPEND;
  if (fl & fdflags::kDsync) flags |= O_DSYNC;
  if (fl & fdflags::kRsync) flags |= O_RSYNC;
  if (fl & fdflags::kSync) flags |= O_SYNC;
  HostFd h(::openat(w.dir(), w.name.c_str(), flags, 0666));
  if (h.get() < 0) return from_host_errno(errno);
  if (!(fl & fdflags::kNonblock)) {
    const int cur = ::fcntl(h.get(), F_GETFL);
    if (cur < 0 || ::fcntl(h.get(), F_SETFL, cur & ~O_NONBLOCK) != 0) return from_host_errno(errno);
  }
  struct stat st {};
  if (::fstat(h.get(), &st) != 0) return from_host_errno(errno);

  auto nd = std::make_unique<Descriptor>();
  const bool dir = S_ISDIR(st.st_mode);
  nd->kind = dir ? Kind::Dir : Kind::File;
  nd->host = h.release();
  nd->writable = d->writable;
  nd->type = filetype_of_mode(st.st_mode);
  nd->flags = static_cast<uint16_t>(fl);
  // Rights only narrow: what was asked, of what the directory passes on,
  // of what this kind of descriptor can carry.
  nd->rights_base = want_base & d->rights_inheriting & (dir ? rights::kDir : rights::kFile);
  nd->rights_inheriting = want_inheriting & d->rights_inheriting;
  uint32_t new_fd = 0;
  if (uint16_t e = cx.install(func, std::move(nd), new_fd)) return e;
  (void)m.store<uint32_t>(ret, new_fd);
  return kSuccess;
}

uint16_t path_filestat_get(Impl& cx, const GuestMemory& m, Args a) {
  constexpr std::string_view func = "path_filestat_get";
  const uint32_t fd = arg32(a, 0), lookup = arg32(a, 1), ret = arg32(a, 4);
  Descriptor* d = nullptr;
  if (uint16_t e = dir_of(cx, func, fd, rights::kPathFilestatGet, d)) return e;
  std::string path;
  if (uint16_t e = read_path(cx, m, arg32(a, 2), arg32(a, 3), path)) return e;
  if (!m.in_bounds(ret, kFilestatSize)) return kFault;
  Walk w;
  if (uint16_t e = resolve(cx, func, d->host, path, lookup & kLookupSymlinkFollow, w)) return e;
  struct stat st {};
  if (::fstatat(w.dir(), w.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return from_host_errno(errno);
  if (w.trailing_slash && !S_ISDIR(st.st_mode)) return kNotdir;
  uint8_t out[kFilestatSize];
  encode_filestat(st, out);
  (void)m.write(ret, out);
  return kSuccess;
}

uint16_t path_create_directory(Impl& cx, const GuestMemory& m, Args a) {
  constexpr std::string_view func = "path_create_directory";
  Descriptor* d = nullptr;
  if (uint16_t e = dir_of(cx, func, arg32(a, 0), rights::kPathCreateDirectory, d)) return e;
  std::string path;
  if (uint16_t e = read_path(cx, m, arg32(a, 1), arg32(a, 2), path)) return e;
  if (!d->writable) return read_only(cx, func, path);
  Walk w;
  if (uint16_t e = resolve(cx, func, d->host, path, false, w)) return e;
  if (::mkdirat(w.dir(), w.name.c_str(), 0777) != 0) return from_host_errno(errno);
  return kSuccess;
}

uint16_t path_remove_directory(Impl& cx, const GuestMemory& m, Args a) {
  constexpr std::string_view func = "path_remove_directory";
  Descriptor* d = nullptr;
  if (uint16_t e = dir_of(cx, func, arg32(a, 0), rights::kPathRemoveDirectory, d)) return e;
  std::string path;
  if (uint16_t e = read_path(cx, m, arg32(a, 1), arg32(a, 2), path)) return e;
  if (!d->writable) return read_only(cx, func, path);
  Walk w;
  if (uint16_t e = resolve(cx, func, d->host, path, false, w)) return e;
  if (::unlinkat(w.dir(), w.name.c_str(), AT_REMOVEDIR) != 0) return from_host_errno(errno);
  return kSuccess;
}

uint16_t path_unlink_file(Impl& cx, const GuestMemory& m, Args a) {
  constexpr std::string_view func = "path_unlink_file";
  Descriptor* d = nullptr;
  if (uint16_t e = dir_of(cx, func, arg32(a, 0), rights::kPathUnlinkFile, d)) return e;
  std::string path;
  if (uint16_t e = read_path(cx, m, arg32(a, 1), arg32(a, 2), path)) return e;
  if (!d->writable) return read_only(cx, func, path);
  Walk w;
  if (uint16_t e = resolve(cx, func, d->host, path, false, w)) return e;
  if (w.trailing_slash) {  // "dir/" names a directory: never a file to unlink
    const uint16_t e = check_trailing(w);
    return e ? e : uint16_t{kIsdir};
  }
  if (::unlinkat(w.dir(), w.name.c_str(), 0) != 0) return from_host_errno(errno);
  return kSuccess;
}

uint16_t path_rename(Impl& cx, const GuestMemory& m, Args a) {
  constexpr std::string_view func = "path_rename";
  Descriptor *from = nullptr, *to = nullptr;
  if (uint16_t e = dir_of(cx, func, arg32(a, 0), rights::kPathRenameSource, from)) return e;
  if (uint16_t e = dir_of(cx, func, arg32(a, 3), rights::kPathRenameTarget, to)) return e;
  std::string old_path, new_path;
  if (uint16_t e = read_path(cx, m, arg32(a, 1), arg32(a, 2), old_path)) return e;
  if (uint16_t e = read_path(cx, m, arg32(a, 4), arg32(a, 5), new_path)) return e;
  // Both sides change a directory, so both must be writable.
  if (!from->writable) return read_only(cx, func, old_path);
  if (!to->writable) return read_only(cx, func, new_path);
  Walk src, dst;
  if (uint16_t e = resolve(cx, func, from->host, old_path, false, src)) return e;
  if (uint16_t e = resolve(cx, func, to->host, new_path, false, dst)) return e;
  if (src.trailing_slash || dst.trailing_slash) {
    src.trailing_slash = true;
    if (uint16_t e = check_trailing(src)) return e;
  }
  if (::renameat(src.dir(), src.name.c_str(), dst.dir(), dst.name.c_str()) != 0) return from_host_errno(errno);
  return kSuccess;
}

uint16_t path_readlink(Impl& cx, const GuestMemory& m, Args a) {
  constexpr std::string_view func = "path_readlink";
  const uint32_t buf = arg32(a, 3), buf_len = arg32(a, 4), ret = arg32(a, 5);
  Descriptor* d = nullptr;
  if (uint16_t e = dir_of(cx, func, arg32(a, 0), rights::kPathReadlink, d)) return e;
  std::string path;
  if (uint16_t e = read_path(cx, m, arg32(a, 1), arg32(a, 2), path)) return e;
  if (!m.in_bounds(buf, buf_len) || !m.in_bounds(ret, 4)) return kFault;
  Walk w;
  if (uint16_t e = resolve(cx, func, d->host, path, false, w)) return e;
  if (uint16_t e = check_trailing(w)) return e;
  // The link's text is returned as it is, wherever it points: reading it
  // follows nothing (docs/sandbox.md).
  char text[PATH_MAX];
  const ssize_t n = ::readlinkat(w.dir(), w.name.c_str(), text, sizeof text);
  if (n < 0) return from_host_errno(errno);
  const uint32_t len = std::min<uint32_t>(static_cast<uint32_t>(n), buf_len);  // preview1 truncates
  (void)m.write(buf, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text), len));
  (void)m.store<uint32_t>(ret, len);
  return kSuccess;
}

uint16_t path_link(Impl& cx, const GuestMemory&, Args) {
  // A hard link would give a file a second name, possibly in another
  // preopen or with other permissions: refused by policy.
  return cx.deny("path_link", "hard links are not permitted", kPerm);
}

uint16_t path_symlink(Impl& cx, const GuestMemory&, Args) {
  // The walk confines any symlink, but a link the guest plants could be
  // followed by the host (or the next user of the directory) outside the
  // sandbox: refused by policy.
  return cx.deny("path_symlink", "symbolic links are not permitted", kPerm);
}

}  // namespace warden::wasi
