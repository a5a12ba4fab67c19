// WASI snapshot_preview1 (warden/wasi.hpp): the functions work as preview1
// says, link only under their capabilities, and a wasi-libc program runs.
// The hostile guests are in wasi_escape_test.cpp; the harness (a scratch
// tree with a canary outside it, WAT guests) is wasi_harness.hpp.
#include <chrono>
#include <cstdlib>
#include <optional>

#include "wasi_harness.hpp"

namespace {

using namespace warden;
using namespace wasi_harness;

// =================================================== functional tests ====

TEST_F(Wasi, ArgsAndEnvironmentRoundTrip) {
  wasi::Config c = config();
  c.args = {"prog", "a b", "\xc3\xbc"};
  c.env = {{"K", "V"}, {"EMPTY", ""}};
  auto g = make_guest(c, R"(
    (func (export "run") (result i32)
      (call $ok (call $args_sizes_get (i32.const 0) (i32.const 4)))
      (call $ok (call $args_get (i32.const 64) (i32.const 256)))
      (call $ok (call $environ_sizes_get (i32.const 8) (i32.const 12)))
      (call $ok (call $environ_get (i32.const 128) (i32.const 512)))
      (i32.const 0)))");
  ASSERT_TRUE(g);
  ASSERT_EQ(g->run(), kOk);
  EXPECT_EQ(g->u32(0), 3u);
  EXPECT_EQ(g->u32(4), 5u + 4u + 3u);
  EXPECT_EQ(g->u32(64), 256u);
  EXPECT_EQ(g->str(g->u32(68), 4), std::string("a b\0", 4));
  EXPECT_EQ(g->str(g->u32(72), 3), std::string("\xc3\xbc\0", 3));
  EXPECT_EQ(g->u32(8), 2u);
  EXPECT_EQ(g->u32(12), 4u + 7u);
  EXPECT_EQ(g->str(g->u32(128), 4), std::string("K=V\0", 4));
  EXPECT_EQ(g->str(g->u32(132), 7), std::string("EMPTY=\0", 7));
  EXPECT_EQ(g->ctx->stats().calls, 4u);
  EXPECT_EQ(g->ctx->stats().denied, 0u);
}

TEST_F(Wasi, StdoutAndStdinStreams) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  ASSERT_EQ(::write(p[1], "from stdin", 10), 10);
  ::close(p[1]);
  wasi::Config c = config();
  c.stdin_granted = true;
  c.stdin_fd = p[0];
  auto g = make_guest(c, R"(
    (func (export "run") (result i32)
      (call $iov (i32.const 16) @"hello, ")
      (call $iov (i32.const 24) @"stdout\n")
      (call $ok (call $fd_write (i32.const 1) (i32.const 16) (i32.const 2) (i32.const 0)))
      (call $iov (i32.const 16) (i32.const 64) (i32.const 100))
      (call $ok (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 4)))
      (call $fd_seek (i32.const 1) (i64.const 0) (i32.const 0) (i32.const 8))))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kEspipe);  // streams do not seek
  EXPECT_EQ(g->u32(0), 14u);
  EXPECT_EQ(out(), "hello, stdout\n");
  EXPECT_EQ(g->u32(4), 10u);
  EXPECT_EQ(g->str(64, 10), "from stdin");
  EXPECT_EQ(g->ctx->stats().bytes_written, 14u);
  EXPECT_EQ(g->ctx->stats().bytes_read, 10u);
  ::close(p[0]);
}

TEST_F(Wasi, CreateWriteSeekReadBack) {
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32) (local $fd i32)
      (call $ok (call $path_open (i32.const 3) (i32.const 0) @"new.txt" (i32.const 9)
                  (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 0)))
      (local.set $fd (i32.load (i32.const 0)))
      (call $iov (i32.const 16) @"payload!")
      (call $ok (call $fd_write (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 4)))
      (call $ok (call $fd_seek (local.get $fd) (i64.const -5) (i32.const 2) (i32.const 8)))
      (call $iov (i32.const 16) (i32.const 256) (i32.const 64))
      (call $ok (call $fd_read (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 32)))
      (call $ok (call $fd_tell (local.get $fd) (i32.const 40)))
      (call $ok (call $fd_pread (local.get $fd) (i32.const 16) (i32.const 1) (i64.const 1) (i32.const 48)))
      (call $fd_close (local.get $fd))))");
  ASSERT_TRUE(g);
  ASSERT_EQ(g->run(), kOk);
  EXPECT_EQ(g->u32(0), 5u);  // first free fd after stdio and the two preopens
  EXPECT_EQ(g->u32(4), 8u);
  EXPECT_EQ(g->u64(8), 3u);
  EXPECT_EQ(g->u64(40), 8u);
  EXPECT_EQ(g->u32(48), 7u);
  EXPECT_EQ(g->str(256, 7), "ayload!");
  EXPECT_EQ(read_file(scratch_ + "/new.txt"), "payload!");
}

TEST_F(Wasi, ReaddirListsSortedEntriesWithCookies) {
  auto g = make_guest(config(), std::string(R"(
    (func (export "open") (result i32)
      (call $ok (call $path_open (i32.const 3) (i32.const 0) @"list" (i32.const 2) )") +
                                    kReadRights + R"(
                  (i64.const 0) (i32.const 0) (i32.const 0)))
      (i32.load (i32.const 0)))
    (func (export "readdir") (param i32 i32 i32 i64 i32) (result i32)
      (call $fd_readdir (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4))))");
  ASSERT_TRUE(g);
  const uint32_t fd = static_cast<uint32_t>(g->run({}, "open"));
  auto readdir = [&](uint32_t len, uint64_t cookie) {
    return g->run({Value::i32(fd), Value::i32(256), Value::i32(len), Value::i64(cookie), Value::i32(8)}, "readdir");
  };
  ASSERT_EQ(readdir(4096, 0), kOk);
  EXPECT_LT(g->u32(8), 4096u);  // all of it
  EXPECT_EQ(dirent_names(*g, 256, g->u32(8)), (std::vector<std::string>{".", "..", "a", "b", "ccc"}));
  EXPECT_EQ(g->mem()[256 + 25 + 26 + 20], 4);  // after "." and "..": "a", a regular file
  // A buffer of 30 bytes: "." (25 bytes) and 5 bytes of the next header.
  ASSERT_EQ(readdir(30, 0), kOk);
  EXPECT_EQ(g->u32(8), 30u);  // full: there may be more
  uint64_t next = 0;
  EXPECT_EQ(dirent_names(*g, 256, 30, &next), (std::vector<std::string>{"."}));
  EXPECT_EQ(next, 1u);
  ASSERT_EQ(readdir(4096, next), kOk);
  EXPECT_EQ(dirent_names(*g, 256, g->u32(8)), (std::vector<std::string>{"..", "a", "b", "ccc"}));
  ASSERT_EQ(readdir(4096, 5), kOk);
  EXPECT_EQ(g->u32(8), 0u);  // the end
}

TEST_F(Wasi, RenameUnlinkMkdirRmdir) {
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32)
      (call $ok (call $path_create_directory (i32.const 3) @"d1"))
      (call $ok (call $path_rename (i32.const 3) @"hello.txt" (i32.const 3) @"d1/moved.txt"))
      (call $ok (call $path_unlink_file (i32.const 3) @"a/b.txt"))
      (call $ok (call $path_remove_directory (i32.const 3) @"a/"))
      (i32.store (i32.const 0) (call $path_remove_directory (i32.const 3) @"d1"))
      (i32.store (i32.const 4) (call $path_unlink_file (i32.const 3) @"d1"))
      (i32.store (i32.const 8) (call $path_create_directory (i32.const 3) @"d1"))
      (i32.store (i32.const 12) (call $path_unlink_file (i32.const 3) @"d1/moved.txt/"))
      (call $path_unlink_file (i32.const 3) @"nothing")))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kEnoent);
  EXPECT_EQ(g->u32(0), static_cast<uint32_t>(kEnotempty));
  EXPECT_EQ(g->u32(4), static_cast<uint32_t>(kEisdir));
  EXPECT_EQ(g->u32(8), static_cast<uint32_t>(kEexist));
  EXPECT_EQ(g->u32(12), static_cast<uint32_t>(kEnotdir));
  EXPECT_EQ(read_file(scratch_ + "/d1/moved.txt"), "hello, world\n");
  EXPECT_FALSE(exists(scratch_ + "/hello.txt"));
  EXPECT_FALSE(exists(scratch_ + "/a"));
}

TEST_F(Wasi, RenameAcrossPreopensAndClosingOne) {
  wasi::Config c = config();
  c.dirs.push_back({scratch_ + "/a", "/a", true});  // fd 5
  auto g = make_guest(c, R"(
    (func (export "run") (result i32)
      (call $ok (call $path_rename (i32.const 3) @"hello.txt" (i32.const 5) @"moved.txt"))
      (i32.store (i32.const 100) (call $path_rename (i32.const 5) @"moved.txt" (i32.const 5) @"../back.txt"))
      (call $ok (call $fd_close (i32.const 3)))
      (call $path_create_directory (i32.const 3) @"gone")))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kEbadf);  // a closed preopen is gone
  EXPECT_EQ(g->u32(100), static_cast<uint32_t>(kEnotcapable));
  EXPECT_EQ(read_file(scratch_ + "/a/moved.txt"), "hello, world\n");
}

TEST_F(Wasi, FdstatSetFlags) {
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32) (local $fd i32)
      (call $ok (call $path_open (i32.const 3) (i32.const 0) @"hello.txt" (i32.const 0) (i64.const -1)
                  (i64.const 0) (i32.const 0) (i32.const 0)))
      (local.set $fd (i32.load (i32.const 0)))
      (call $ok (call $fd_fdstat_set_flags (local.get $fd) (i32.const 1)))  ;; append
      (call $ok (call $fd_fdstat_get (local.get $fd) (i32.const 64)))
      (call $iov (i32.const 16) @"Z")
      (call $ok (call $fd_write (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 8)))
      (i32.store (i32.const 100) (call $fd_fdstat_set_flags (local.get $fd) (i32.const 0x100)))
      (i32.store (i32.const 104) (call $fd_fdstat_set_flags (local.get $fd) (i32.const 16)))  ;; sync
      (call $fd_fdstat_set_flags (i32.const 1) (i32.const 4))))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kEnotsup);  // the streams are the host's: left alone
  EXPECT_EQ(g->u32(64 + 2) & 0xFFFF, 1u);
  EXPECT_EQ(g->u32(100), static_cast<uint32_t>(kEinval));
  EXPECT_EQ(g->u32(104), static_cast<uint32_t>(kEnotsup));
  EXPECT_EQ(read_file(scratch_ + "/hello.txt"), "hello, world\nZ");
}

TEST_F(Wasi, FilestatAndFdstat) {
  auto g = make_guest(config(), std::string(R"(
    (func (export "run") (result i32) (local $fd i32)
      (call $ok (call $path_open (i32.const 3) (i32.const 0) @"hello.txt" (i32.const 0) )") +
                                    kReadRights + R"(
                  (i64.const 0) (i32.const 0) (i32.const 0)))
      (local.set $fd (i32.load (i32.const 0)))
      (call $ok (call $fd_filestat_get (local.get $fd) (i32.const 64)))
      (call $ok (call $path_filestat_get (i32.const 3) (i32.const 0) @"a" (i32.const 128)))
      (call $ok (call $path_filestat_get (i32.const 3) (i32.const 0) @"inside_link" (i32.const 192)))
      (call $ok (call $path_filestat_get (i32.const 3) (i32.const 1) @"inside_link" (i32.const 256)))
      (call $ok (call $fd_fdstat_get (local.get $fd) (i32.const 320)))
      (call $ok (call $fd_fdstat_get (i32.const 1) (i32.const 352)))
      (call $ok (call $fd_fdstat_get (i32.const 3) (i32.const 384)))
      (i32.const 0)))");
  ASSERT_TRUE(g);
  ASSERT_EQ(g->run(), kOk);
  struct stat st {};
  ::stat((scratch_ + "/hello.txt").c_str(), &st);
  EXPECT_EQ(g->u64(64), static_cast<uint64_t>(st.st_dev));
  EXPECT_EQ(g->u64(64 + 8), static_cast<uint64_t>(st.st_ino));
  EXPECT_EQ(g->mem()[64 + 16], 4);  // regular file
  EXPECT_EQ(g->u64(64 + 24), 1u);   // nlink
  EXPECT_EQ(g->u64(64 + 32), 13u);  // size
  EXPECT_EQ(g->u64(64 + 48), static_cast<uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000ull + st.st_mtim.tv_nsec);
  EXPECT_EQ(g->mem()[128 + 16], 3);  // directory
  EXPECT_EQ(g->mem()[192 + 16], 7);  // the link itself
  EXPECT_EQ(g->mem()[256 + 16], 4);  // followed, inside
  EXPECT_EQ(g->u64(256 + 32), 13u);
  EXPECT_EQ(g->mem()[320], 4);
  EXPECT_EQ(g->u64(320 + 8), 2113574u & ~(1u << 14));  // fd_readdir is not a file's right
  EXPECT_EQ(g->u64(352 + 8) & 0x66, 0x40u);            // stdout: fd_write, no read/seek/tell
  EXPECT_EQ(g->mem()[384], 3);
}

TEST_F(Wasi, PrestatNamesThePreopens) {
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32)
      (call $ok (call $fd_prestat_get (i32.const 3) (i32.const 0)))
      (call $ok (call $fd_prestat_dir_name (i32.const 3) (i32.const 64) (i32.const 8)))
      (call $ok (call $fd_prestat_get (i32.const 4) (i32.const 8)))
      (i32.store (i32.const 16) (call $fd_prestat_get (i32.const 1) (i32.const 24)))
      (call $fd_prestat_get (i32.const 5) (i32.const 24))))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kEbadf);  // wasi-libc stops probing here
  EXPECT_EQ(g->mem()[0], 0);    // tag: directory
  EXPECT_EQ(g->u32(4), 8u);
  EXPECT_EQ(g->str(64, 8), "/sandbox");
  EXPECT_EQ(g->u32(12), 3u);
  EXPECT_EQ(g->u32(16), static_cast<uint32_t>(kEbadf));
  EXPECT_EQ(g->ctx->stats().denied, 0u);  // probing is not refused by policy
}

TEST_F(Wasi, ClocksAdvance) {
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32)
      (call $ok (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 0)))
      (call $ok (call $sched_yield))
      (call $ok (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 8)))
      (call $ok (call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 16)))
      (call $ok (call $clock_time_get (i32.const 2) (i64.const 1) (i32.const 24)))
      (call $ok (call $clock_res_get (i32.const 1) (i32.const 32)))
      (i32.store (i32.const 40) (call $clock_res_get (i32.const 4) (i32.const 32)))
      (call $clock_time_get (i32.const 9) (i64.const 1) (i32.const 48))))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kEinval);
  EXPECT_LT(g->u64(0), g->u64(8));
  const uint64_t now = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  EXPECT_LT(now - g->u64(16), 60'000'000'000ull);
  EXPECT_GT(g->u64(24), 0u);
  EXPECT_GT(g->u64(32), 0u);
  EXPECT_EQ(g->u32(40), static_cast<uint32_t>(kEinval));
}

constexpr const char* kDeterminismProbe = R"(
  (func (export "run") (result i32)
    (call $ok (call $clock_time_get (i32.const 0) (i64.const 0) (i32.const 0)))
    (call $ok (call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 8)))
    (call $ok (call $clock_res_get (i32.const 0) (i32.const 16)))
    (call $ok (call $random_get (i32.const 64) (i32.const 61)))
    (call $ok (call $random_get (i32.const 125) (i32.const 3)))
    (i32.const 0)))";

TEST_F(Wasi, DeterministicClocksAndRandomnessRepeat) {
  auto run = [&](uint64_t seed) {
    wasi::Config c = config();
    c.deterministic = true;
    c.seed = seed;
    auto g = make_guest(c, kDeterminismProbe);
    EXPECT_TRUE(g);
    if (!g) return std::string();
    EXPECT_EQ(g->run(), kOk);
    EXPECT_EQ(g->u64(0), wasi::kDeterministicEpochNs);
    EXPECT_EQ(g->u64(8), wasi::kDeterministicEpochNs + 1'000'000);
    EXPECT_EQ(g->u64(16), 1'000'000u);
    return g->str(64, 64);
  };
  const std::string a = run(42), b = run(42), c = run(43);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, std::string(64, '\0'));
}

TEST_F(Wasi, PollOneoffSleepsOnClocksOnly) {
  wasi::Config c = config();
  auto g = make_guest(c, R"(
    (func (export "poll") (param i32) (result i32)
      (call $poll_oneoff (i32.const 256) (i32.const 512) (local.get 0) (i32.const 0))))");
  ASSERT_TRUE(g);
  // Subscription 0: relative monotonic clock, 2 ms. 1: fd_read on stdin.
  g->put<uint64_t>(256, 0x1122);
  g->mem()[256 + 8] = 0;
  g->put<uint32_t>(256 + 16, 1);
  g->put<uint64_t>(256 + 24, 2'000'000);
  g->put<uint64_t>(304, 0x3344);
  g->mem()[304 + 8] = 1;
  ASSERT_EQ(g->run({Value::i32(2)}, "poll"), kOk);
  EXPECT_EQ(g->u32(0), 1u);  // the fd one, at once: ENOTSUP
  EXPECT_EQ(g->u64(512), 0x3344u);
  EXPECT_EQ(g->mem()[512 + 8], kEnotsup);
  EXPECT_EQ(g->mem()[512 + 10], 1);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(g->run({Value::i32(1)}, "poll"), kOk);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(2));
  EXPECT_EQ(g->u32(0), 1u);
  EXPECT_EQ(g->u64(512), 0x1122u);
  EXPECT_EQ(g->mem()[512 + 8], 0);
  EXPECT_EQ(g->mem()[512 + 10], 0);
  EXPECT_EQ(g->run({Value::i32(0)}, "poll"), kEinval);
  EXPECT_EQ(g->run({Value::i32(2000)}, "poll"), kEfault);  // 96 KB of subscriptions
}

TEST_F(Wasi, DeterministicSleepAdvancesTheVirtualClock) {
  wasi::Config c = config();
  c.deterministic = true;
  auto g = make_guest(c, R"(
    (func (export "run") (result i32)
      (call $ok (call $poll_oneoff (i32.const 256) (i32.const 512) (i32.const 1) (i32.const 0)))
      (call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 8))))");
  ASSERT_TRUE(g);
  g->put<uint32_t>(256 + 16, 1);                 // monotonic
  g->put<uint64_t>(256 + 24, 5'000'000'000ull);  // 5 s, relative
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(g->run(), kOk);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
  EXPECT_EQ(g->u64(8), wasi::kDeterministicEpochNs + 5'000'000'000ull);
  // Absolute, on the realtime clock: until epoch + 60 s.
  g->mem()[256 + 40] = 1;
  g->put<uint32_t>(256 + 16, 0);
  g->put<uint64_t>(256 + 24, wasi::kDeterministicEpochNs + 60'000'000'000ull);
  ASSERT_EQ(g->run(), kOk);
  EXPECT_EQ(g->u64(8), wasi::kDeterministicEpochNs + 60'000'000'000ull);
  EXPECT_EQ(g->u32(0), 1u);
  EXPECT_EQ(g->mem()[512 + 8], 0);
}

TEST_F(Wasi, ProcExitEndsTheRunWithItsCode) {
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32) (call $proc_exit (i32.const 7)) (i32.const 1)))");
  ASSERT_TRUE(g);
  auto r = g->call("run");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Trap);
  EXPECT_EQ(r.error().message, "exit 7");
  EXPECT_TRUE(wasi::is_exit(r.error()));
  EXPECT_EQ(g->ctx->exit_code(), 7u);
}

TEST(WasiExit, IsExitMatchesOnlyProcExit) {
  EXPECT_TRUE(wasi::is_exit({ErrorKind::Trap, "exit 0"}));
  EXPECT_TRUE(wasi::is_exit({ErrorKind::Trap, "exit 4294967295"}));
  EXPECT_TRUE(wasi::is_exit({ErrorKind::Uninstantiable, "exit 3"}));  // from a start function
  for (const char* m : {"exit", "exit ", "exit 01", "exit -1", "exit 4294967296", "exit 1 ", "exit 1x", "unreachable"})
    EXPECT_FALSE(wasi::is_exit({ErrorKind::Trap, m})) << m;
  EXPECT_FALSE(wasi::is_exit({ErrorKind::Invalid, "exit 1"}));
}

TEST_F(Wasi, UnsupportedFunctionsLinkAndReturnEnosys) {
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32)
      (i32.store (i32.const 0) (call $fd_advise (i32.const 3) (i64.const 0) (i64.const 0) (i32.const 0)))
      (i32.store (i32.const 4) (call $fd_renumber (i32.const 3) (i32.const 9)))
      (call $sock_recv (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kEnosys);
  EXPECT_EQ(g->u32(0), static_cast<uint32_t>(kEnosys));
  EXPECT_EQ(g->u32(4), static_cast<uint32_t>(kEnosys));
  EXPECT_EQ(wasi::function_names().size(), 46u);
  EXPECT_EQ(wasi::function_names().front(), "args_get");
  EXPECT_TRUE(wasi::supported("path_open"));
  EXPECT_FALSE(wasi::supported("fd_advise"));
  EXPECT_FALSE(wasi::supported("path_link"));
  EXPECT_FALSE(wasi::supported("fd_foo"));
  EXPECT_EQ(wasi::capability_of("path_open"), Capability::Fs);
  EXPECT_EQ(wasi::capability_of("fd_readdir"), Capability::Fs);
  EXPECT_EQ(wasi::capability_of("fd_prestat_get"), Capability::Fs);
  EXPECT_EQ(wasi::capability_of("fd_write"), Capability::None);
  EXPECT_EQ(wasi::capability_of("poll_oneoff"), Capability::Clock);
  EXPECT_EQ(wasi::capability_of("proc_exit"), Capability::Exit);
  // The engine's table (wasi::type_of, which the wasi fuzz target builds
  // from) against this harness's own statement of the preview1 ABI.
  for (const auto& [name, text] : kImports) {
    FuncType want;
    std::istringstream words{std::string(text)};
    bool results = false;
    for (std::string w; words >> w;) {
      if (w.find("result") != std::string::npos) results = true;
      const ValType t = w.find("i64") != std::string::npos ? ValType::I64 : ValType::I32;
      if (w.find("i32") != std::string::npos || w.find("i64") != std::string::npos)
        (results ? want.results : want.params).push_back(t);
    }
    EXPECT_EQ(wasi::type_of(name), want) << name;
  }
  EXPECT_EQ(wasi::type_of("fd_foo"), std::nullopt);
  EXPECT_EQ(wasi::capability_of("random_get"), Capability::Random);
  EXPECT_EQ(wasi::capability_of("environ_get"), Capability::Env);
  EXPECT_EQ(wasi::capability_of("args_sizes_get"), Capability::Args);
  EXPECT_EQ(wasi::capability_of("fd_foo"), std::nullopt);
}

// ============================================================ linking ====

Error link_error(const wasi::Config& c, std::string_view wat) {
  auto ctx = wasi::Context::create(c);
  if (!ctx) return Error{ErrorKind::Trap, "context: " + ctx.error().message};
  Store s;
  Linker l;
  (*ctx)->link(s, l);
  auto m = Module::load(*wat_to_wasm(wat));
  if (!m) return Error{ErrorKind::Trap, "load: " + m.error().message};
  auto r = l.resolve(**m);
  EXPECT_FALSE(r.ok());
  return r.ok() ? Error{} : r.error();
}

TEST(WasiLink, DeniedCapabilityAndUnknownNames) {
  wasi::Config c;  // Grants{}: nothing
  Error e = link_error(c, R"((module (import "wasi_snapshot_preview1" "path_open"
      (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))))");
  EXPECT_EQ(e.kind, ErrorKind::Unlinkable);
  EXPECT_EQ(e.message, "wasi_snapshot_preview1.path_open needs capability fs (not granted)");
  e = link_error(c, R"((module (import "wasi_snapshot_preview1" "fd_foo" (func))))");
  EXPECT_EQ(e.message, "unknown import wasi_snapshot_preview1.fd_foo");
  e = link_error(c, R"((module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))))");
  EXPECT_EQ(e.message, "wasi_snapshot_preview1.proc_exit needs capability exit (not granted)");
}

TEST(WasiLink, PreopenMustBeADirectory) {
  wasi::Config c;
  c.dirs = {{"/nonexistent/warden", "/x", false}};
  auto ctx = wasi::Context::create(c);
  ASSERT_FALSE(ctx.ok());
  EXPECT_EQ(ctx.error().kind, ErrorKind::Uninstantiable);
  EXPECT_EQ(ctx.error().message, "cannot open preopen /nonexistent/warden: No such file or directory");
}

TEST_F(Wasi, WithoutFsThePreopensAreNotThere) {
  wasi::Config c = config();
  c.grants = Grants{};
  auto g = make_guest(c, R"(
    (func (export "run") (result i32)
      (i32.store (i32.const 16) (call $fd_fdstat_get (i32.const 1) (i32.const 32)))
      (call $fd_fdstat_get (i32.const 3) (i32.const 0))))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kEbadf);
  EXPECT_EQ(g->u32(16), 0u);
}

// A C program through wasi-libc: what it imports and does at startup must
// work with exactly the grants it needs.
class WasiC : public Wasi {
 protected:
  std::vector<uint8_t> compile(const std::string& source) {
    const std::string dir = root_ + "-c";
    stdfs::create_directories(dir);
    write_file(dir + "/prog.c", source);
    const std::string cmd = "clang-14 --target=wasm32-wasi --sysroot=/usr -O2 " + dir + "/prog.c -o " + dir +
                            "/prog.wasm 2>" + dir + "/log";
    std::vector<uint8_t> bytes;
    if (std::system(cmd.c_str()) == 0) {
      const std::string s = read_file(dir + "/prog.wasm");
      bytes.assign(s.begin(), s.end());
    }
    std::error_code ec;
    stdfs::remove_all(dir, ec);
    return bytes;
  }
  /// Runs _start; the error, if any.
  std::optional<Error> run_c(const std::vector<uint8_t>& wasm, wasi::Config c) {
    auto m = Module::load(wasm);
    EXPECT_TRUE(m.ok());
    auto ctx = wasi::Context::create(std::move(c));
    EXPECT_TRUE(ctx.ok());
    Store s;
    Linker l;
    (*ctx)->link(s, l);
    auto imports = l.resolve(**m);
    if (!imports) return imports.error();
    auto inst = s.instantiate(*m, *imports);
    if (!inst) return inst.error();
    auto r = s.invoke((*inst)->find_export("_start")->func, {});
    denied_ = (*ctx)->stats().denied;
    if (!r) return r.error();
    return std::nullopt;
  }
  uint64_t denied_ = 0;
};

TEST_F(WasiC, HelloWorldNeedsOnlyStdout) {
  auto wasm = compile("#include <stdio.h>\nint main(void) { printf(\"hello %d\\n\", 42); return 0; }\n");
  if (wasm.empty()) GTEST_SKIP() << "clang-14 with wasi-libc is not installed";
  auto m = Module::load(wasm);
  ASSERT_TRUE(m.ok());
  for (const ImportInfo& im : (*m)->imports()) {
    EXPECT_NE(im.name, "fd_prestat_get");
    EXPECT_EQ(wasi::capability_of(im.name), Capability::None) << im.name;
  }
  wasi::Config c;
  c.stdout_granted = true;
  c.stdout_fd = stdout_fd_;
  EXPECT_EQ(run_c(wasm, c), std::nullopt);
  EXPECT_EQ(out(), "hello 42\n");
  EXPECT_EQ(denied_, 0u);  // wasi-libc's startup asks for nothing it may not have
}

TEST_F(WasiC, FilesThroughWasiLibc) {
  auto wasm = compile(R"(#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char** argv) {
  printf("argc=%d argv1=%s env=%s\n", argc, argv[1], getenv("GREETING"));
  FILE* f = fopen("/sandbox/c_out.txt", "w");
  if (!f) { printf("fopen: %s\n", strerror(errno)); return 1; }
  fputs("written by C\n", f);
  fclose(f);
  char buf[64] = {0};
  f = fopen("/sandbox/c_out.txt", "r");
  fgets(buf, sizeof buf, f);
  fclose(f);
  printf("read back: %s", buf);
  errno = 0;
  f = fopen("/sandbox/../canary/secret.txt", "r");
  printf("escape: %s\n", f ? "OPENED" : strerror(errno));
  errno = 0;
  f = fopen("/sandbox/to_canary/secret.txt", "r");
  printf("symlink: %s\n", f ? "OPENED" : strerror(errno));
  errno = 0;
  f = fopen("/ro/new.txt", "w");
  printf("ro create: %s\n", f ? "OPENED" : strerror(errno));
  f = fopen("/ro/readme.txt", "r");
  fgets(buf, sizeof buf, f);
  fclose(f);
  printf("ro read: %s", buf);
  DIR* d = opendir("/sandbox/list");
  int n = 0;
  while (readdir(d)) ++n;
  closedir(d);
  printf("entries: %d\n", n);
  exit(3);
}
)");
  if (wasm.empty()) GTEST_SKIP() << "clang-14 with wasi-libc is not installed";
  wasi::Config c = config();
  c.args = {"prog", "one"};
  c.env = {{"GREETING", "hi"}};
  std::optional<Error> e = run_c(wasm, c);
  ASSERT_TRUE(e.has_value());
  EXPECT_TRUE(wasi::is_exit(*e)) << e->message;
  EXPECT_EQ(e->message, "exit 3");
  EXPECT_EQ(out(),
            "argc=2 argv1=one env=hi\n"
            "read back: written by C\n"
            "escape: Capabilities insufficient\n"
            "symlink: Capabilities insufficient\n"
            "ro create: Read-only file system\n"
            "ro read: READ ONLY\n"
            "entries: 5\n");
  EXPECT_EQ(read_file(scratch_ + "/c_out.txt"), "written by C\n");
  EXPECT_EQ(denied_, 3u);  // the escape, the symlink, the read-only create
}

}  // namespace
