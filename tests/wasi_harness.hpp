// The WASI tests' harness (wasi_test.cpp, wasi_escape_test.cpp).
//
// Every test runs against a fresh directory tree made with mkdtemp:
//   ROOT/scratch  the writable preopen "/sandbox" (guest fd 3), with
//                 symlinks pointing out of it: to_canary -> ../canary,
//                 to_canary_abs -> ROOT/canary, to_root -> /, ...
//   ROOT/ro       the read-only preopen "/ro" (guest fd 4)
//   ROOT/canary   outside both: files a guest must never read or change
// After each test everything under ROOT but scratch must be byte-identical
// (names, contents, modes, link targets): nothing escaped, nothing was
// created outside.
//
// Guest modules are WAT. In a module body `@"text"` stands for the two
// i32 arguments (pointer, length) of a string placed in memory by a data
// segment, and the wasi_snapshot_preview1 functions a body calls are
// imported for it (their types are written out here from the witx, not
// taken from the implementation).
#pragma once
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "warden/host.hpp"
#include "warden/text.hpp"
#include "warden/warden.hpp"
#include "warden/wasi.hpp"

namespace wasi_harness {

using namespace warden;
namespace stdfs = std::filesystem;

// preview1 errno values (wasi-libc's wasi/api.h).
enum : int32_t {
  kOk = 0,
  kEbadf = 8,
  kEexist = 20,
  kEfault = 21,
  kEinval = 28,
  kEisdir = 31,
  kEloop = 32,
  kEmfile = 33,
  kEnametoolong = 37,
  kEnoent = 44,
  kEnosys = 52,
  kEnotdir = 54,
  kEnotempty = 55,
  kEnotsup = 58,
  kEperm = 63,
  kErofs = 69,
  kEspipe = 70,
  kEnotcapable = 76,
};
// Rights a read-only open asks for: fd_read, fd_seek, fd_tell, fd_readdir, fd_filestat_get.
inline constexpr const char* kReadRights = "(i64.const 2113574)";
// What wasi-libc's opendir asks for: every right but the four that write a
// file (fd_datasync, fd_write, fd_allocate, fd_filestat_set_size).
inline constexpr const char* kDirRights = "(i64.const 0xffffffffffbffebe)";

inline constexpr std::pair<const char*, const char*> kImports[] = {
    {"args_get", "(param i32 i32) (result i32)"},
    {"args_sizes_get", "(param i32 i32) (result i32)"},
    {"environ_get", "(param i32 i32) (result i32)"},
    {"environ_sizes_get", "(param i32 i32) (result i32)"},
    {"clock_res_get", "(param i32 i32) (result i32)"},
    {"clock_time_get", "(param i32 i64 i32) (result i32)"},
    {"fd_advise", "(param i32 i64 i64 i32) (result i32)"},
    {"fd_close", "(param i32) (result i32)"},
    {"fd_fdstat_get", "(param i32 i32) (result i32)"},
    {"fd_fdstat_set_flags", "(param i32 i32) (result i32)"},
    {"fd_filestat_get", "(param i32 i32) (result i32)"},
    {"fd_pread", "(param i32 i32 i32 i64 i32) (result i32)"},
    {"fd_prestat_get", "(param i32 i32) (result i32)"},
    {"fd_prestat_dir_name", "(param i32 i32 i32) (result i32)"},
    {"fd_pwrite", "(param i32 i32 i32 i64 i32) (result i32)"},
    {"fd_read", "(param i32 i32 i32 i32) (result i32)"},
    {"fd_readdir", "(param i32 i32 i32 i64 i32) (result i32)"},
    {"fd_renumber", "(param i32 i32) (result i32)"},
    {"fd_seek", "(param i32 i64 i32 i32) (result i32)"},
    {"fd_tell", "(param i32 i32) (result i32)"},
    {"fd_write", "(param i32 i32 i32 i32) (result i32)"},
    {"path_create_directory", "(param i32 i32 i32) (result i32)"},
    {"path_filestat_get", "(param i32 i32 i32 i32 i32) (result i32)"},
    {"path_link", "(param i32 i32 i32 i32 i32 i32 i32) (result i32)"},
    {"path_open", "(param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)"},
    {"path_readlink", "(param i32 i32 i32 i32 i32 i32) (result i32)"},
    {"path_remove_directory", "(param i32 i32 i32) (result i32)"},
    {"path_rename", "(param i32 i32 i32 i32 i32 i32) (result i32)"},
    {"path_symlink", "(param i32 i32 i32 i32 i32) (result i32)"},
    {"path_unlink_file", "(param i32 i32 i32) (result i32)"},
    {"poll_oneoff", "(param i32 i32 i32 i32) (result i32)"},
    {"proc_exit", "(param i32)"},
    {"random_get", "(param i32 i32) (result i32)"},
    {"sched_yield", "(result i32)"},
    {"sock_recv", "(param i32 i32 i32 i32 i32 i32) (result i32)"},
};

/// Helpers a body may call: $iov stores an iovec, $ok traps (saving the
/// errno at 1020) unless its argument is 0.
inline constexpr const char* kHelpers = R"(
  (func $iov (param $at i32) (param $ptr i32) (param $len i32)
    (i32.store (local.get $at) (local.get $ptr))
    (i32.store offset=4 (local.get $at) (local.get $len)))
  (func $ok (param $e i32)
    (if (local.get $e) (then (i32.store (i32.const 1020) (local.get $e)) (unreachable))))
)";

inline bool calls(const std::string& code, const std::string& name) {
  for (const char* end : {" ", ")", "\n"})
    if (code.find("call $" + name + end) != std::string::npos) return true;
  return false;
}

inline std::string module_text(std::string_view body) {
  std::string code, data;
  uint32_t next = 2048;
  for (size_t i = 0; i < body.size();) {
    if (body[i] == '@' && i + 1 < body.size() && body[i + 1] == '"') {
      size_t j = i + 2;
      uint32_t len = 0;
      while (body[j] != '"') {
        j += body[j] != '\\' ? 1 : std::isxdigit(static_cast<unsigned char>(body[j + 1])) ? 3 : 2;
        ++len;
      }
      code += "(i32.const " + std::to_string(next) + ") (i32.const " + std::to_string(len) + ")";
      data += "(data (i32.const " + std::to_string(next) + ") " + std::string(body.substr(i + 1, j - i)) + ")\n";
      next += (len + 16) & ~7u;
      i = j + 1;
    } else {
      code += body[i++];
    }
  }
  std::string imports;
  for (const auto& [name, type] : kImports)
    if (calls(code, name))
      imports +=
          std::string("(import \"wasi_snapshot_preview1\" \"") + name + "\" (func $" + name + " " + type + "))\n";
  // ";; no memory" in a body: a module without one.
  const bool memory = code.find("(memory") == std::string::npos && code.find(";; no memory") == std::string::npos;
  std::string mem = memory ? "(memory (export \"memory\") 1)\n" : "";
  std::string helpers = calls(code, "iov") || calls(code, "ok") ? kHelpers : "";
  return "(module\n" + imports + code + helpers + mem + data + ")";
}

/// One instantiated guest and the context it is linked to.
struct Guest {
  std::unique_ptr<wasi::Context> ctx;  // outlives the store's functions
  std::unique_ptr<Store> store;
  Instance* inst = nullptr;

  Result<std::vector<Value>> call(std::string_view name, std::vector<Value> args = {}) {
    return store->invoke(inst->find_export(name)->func, args);
  }
  /// Calls `name` (default "run"), which returns an i32.
  int32_t run(std::vector<Value> args = {}, std::string_view name = "run") {
    auto r = call(name, std::move(args));
    EXPECT_TRUE(r.ok()) << r.error().message << " (errno at 1020: " << u32(1020) << ")";
    if (!r.ok() || r->empty()) return -1;
    return static_cast<int32_t>((*r)[0].as_i32());
  }
  std::span<uint8_t> mem() { return store->memory_data(inst->find_export("memory")->memory); }
  uint32_t u32(uint32_t at) {
    uint32_t v;
    std::memcpy(&v, mem().data() + at, 4);
    return v;
  }
  uint64_t u64(uint32_t at) {
    uint64_t v;
    std::memcpy(&v, mem().data() + at, 8);
    return v;
  }
  std::string str(uint32_t at, uint32_t len) { return std::string(reinterpret_cast<char*>(mem().data()) + at, len); }
  void poke(uint32_t at, const void* p, size_t n) { std::memcpy(mem().data() + at, p, n); }
  template <class T>
  void put(uint32_t at, T v) {
    poke(at, &v, sizeof v);
  }
};

using Extra = std::function<void(Store&, Linker&)>;

inline std::unique_ptr<Guest> make_guest(wasi::Config cfg, std::string_view body, const Extra& extra = {},
                                         Limits limits = {}) {
  const std::string text = module_text(body);
  Result<std::vector<uint8_t>> bytes = wat_to_wasm(text);
  EXPECT_TRUE(bytes.ok()) << bytes.error().message << "\n" << text;
  if (!bytes) return nullptr;
  auto m = Module::load(*bytes);
  EXPECT_TRUE(m.ok()) << m.error().message << "\n" << text;
  if (!m) return nullptr;
  auto g = std::make_unique<Guest>();
  auto ctx = wasi::Context::create(std::move(cfg));
  EXPECT_TRUE(ctx.ok()) << ctx.error().message;
  if (!ctx) return nullptr;
  g->ctx = std::move(*ctx);
  g->store = std::make_unique<Store>(limits);
  Linker linker;
  g->ctx->link(*g->store, linker);
  if (extra) extra(*g->store, linker);
  auto imports = linker.resolve(**m);
  EXPECT_TRUE(imports.ok()) << imports.error().message;
  if (!imports) return nullptr;
  auto inst = g->store->instantiate(*m, *imports);
  EXPECT_TRUE(inst.ok()) << inst.error().message;
  if (!inst) return nullptr;
  g->inst = *inst;
  return g;
}

inline void write_file(const std::string& path, std::string_view content, mode_t mode = 0644) {
  std::ofstream(path, std::ios::binary) << content;
  ::chmod(path.c_str(), mode);
}

inline std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

inline std::string fd_contents(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  off_t at = 0;
  while ((n = ::pread(fd, buf, sizeof buf, at)) > 0) {
    out.append(buf, static_cast<size_t>(n));
    at += n;
  }
  return out;
}

/// Everything under `root` except `skip`: path -> type, mode, contents or link target.
inline std::map<std::string, std::string> snapshot(const std::string& root, const std::string& skip) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (auto it = stdfs::recursive_directory_iterator(root, ec); it != stdfs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string p = it->path().string();
    if (p == skip) {
      it.disable_recursion_pending();
      continue;
    }
    struct stat st {};
    ::lstat(p.c_str(), &st);
    std::string d = std::to_string(st.st_mode);
    if (S_ISLNK(st.st_mode))
      d += " -> " + stdfs::read_symlink(p).string();
    else if (S_ISREG(st.st_mode))
      d += " = " + read_file(p);
    out[p.substr(root.size())] = d;
  }
  return out;
}

inline size_t count_open_fds() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : stdfs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

class Wasi : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/warden-wasi-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    scratch_ = root_ + "/scratch";
    canary_ = root_ + "/canary";
    ro_ = root_ + "/ro";
    for (const std::string& d : {scratch_, canary_, ro_, canary_ + "/sub", scratch_ + "/a", scratch_ + "/list"})
      ::mkdir(d.c_str(), 0755);
    write_file(canary_ + "/secret.txt", "CANARY-SECRET");
    write_file(canary_ + "/sub/deep.txt", "DEEP", 0600);
    write_file(canary_ + "/run.sh", "#!/bin/sh\n", 0755);
    write_file(ro_ + "/readme.txt", "READ ONLY\n");
    ::mkdir((ro_ + "/empty").c_str(), 0755);
    write_file(scratch_ + "/hello.txt", "hello, world\n");
    write_file(scratch_ + "/a/b.txt", "bee");
    for (const char* n : {"b", "a", "ccc"}) write_file(scratch_ + "/list/" + n, n);
    auto link = [&](const std::string& target, const char* name) {
      ASSERT_EQ(::symlink(target.c_str(), (scratch_ + "/" + name).c_str()), 0);
    };
    link("../canary", "to_canary");
    link(canary_, "to_canary_abs");
    link("/", "to_root");
    link("../canary/secret.txt", "to_canary_file");
    link("../canary/new.txt", "dangling_out");
    link("loop2", "loop1");
    link("loop1", "loop2");
    link("hello.txt", "inside_link");
    link("a/../a", "inside_dir_link");
    stdout_fd_ = ::memfd_create("guest-stdout", MFD_CLOEXEC);
    ASSERT_GE(stdout_fd_, 0);
    before_ = snapshot(root_, scratch_);
    open_fds_ = count_open_fds();
  }

  void TearDown() override {
    EXPECT_EQ(snapshot(root_, scratch_), before_) << "the tree outside the preopen changed";
    EXPECT_EQ(count_open_fds(), open_fds_) << "host descriptors leaked";
    if (stdout_fd_ >= 0) ::close(stdout_fd_);
    std::error_code ec;
    stdfs::remove_all(root_, ec);
  }

  /// fd 3 = scratch as "/sandbox" (writable), fd 4 = ro as "/ro"; stdout
  /// granted into a memfd; every capability granted.
  wasi::Config config() {
    wasi::Config c;
    c.args = {"prog"};
    c.dirs = {{scratch_, "/sandbox", true}, {ro_, "/ro", false}};
    c.stdout_granted = true;
    c.stdout_fd = stdout_fd_;
    c.grants = Grants::all();
    return c;
  }
  std::string out() { return fd_contents(stdout_fd_); }
  bool exists(const std::string& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0;
  }

  std::string root_, scratch_, canary_, ro_;
  int stdout_fd_ = -1;
  std::map<std::string, std::string> before_;
  size_t open_fds_ = 0;
};

/// Parses fd_readdir's buffer into names (complete entries only).
inline std::vector<std::string> dirent_names(Guest& g, uint32_t buf, uint32_t used, uint64_t* last_next = nullptr) {
  std::vector<std::string> names;
  uint32_t at = 0;
  while (at + 24 <= used) {
    const uint32_t namlen = g.u32(buf + at + 16);
    if (at + 24 + namlen > used) break;
    if (last_next) *last_next = g.u64(buf + at);
    names.push_back(g.str(buf + at + 24, namlen));
    at += 24 + namlen;
  }
  return names;
}

}  // namespace wasi_harness
