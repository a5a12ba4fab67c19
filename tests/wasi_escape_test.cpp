// The escape suite: hostile guests against WASI's doors (docs/sandbox.md).
// Each module tries one way out of the sandbox, or one way to make the host
// misbehave, and the test asserts the exact errno (or trap); the fixture
// (wasi_harness.hpp) then checks that nothing outside the writable preopen
// changed and that no host descriptor leaked.
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

#include "wasi_harness.hpp"

namespace {

using namespace warden;
using namespace wasi_harness;

std::string R(const char* s) { return s; }  // for concatenating WAT with kReadRights

/// A guest whose `run` opens `path` under fd 3 (lookup flags, oflags,
/// rights given as WAT) and returns the errno.
std::string open_body(const std::string& path, int lookup = 1, int oflags = 0,
                      const std::string& rights = kReadRights) {
  return R(R"((func (export "run") (result i32)
      (call $path_open (i32.const 3) (i32.const )") +
         std::to_string(lookup) + ") @\"" + path + "\" (i32.const " + std::to_string(oflags) + ") " + rights +
         " (i64.const 0) (i32.const 0) (i32.const 0)))";
}

// ------------------------------------------------------ paths that leave ----

TEST_F(Wasi, DotDotToEtcPasswd) {
  auto g = make_guest(config(), open_body("../../etc/passwd"));
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kEnotcapable);
  EXPECT_EQ(g->u32(0), 0u);  // no fd written
  EXPECT_EQ(g->ctx->stats().denied, 1u);
  ASSERT_EQ(g->ctx->stats().denials.size(), 1u);
  EXPECT_EQ(g->ctx->stats().denials[0], "path_open: '../../etc/passwd' escapes the preopen");
}

TEST_F(Wasi, AbsolutePath) {
  auto g = make_guest(config(), open_body("/etc/passwd"));
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kEnotcapable);
  EXPECT_EQ(g->ctx->stats().denials.at(0), "path_open: '/etc/passwd' is absolute");
}

TEST_F(Wasi, SymlinkToRoot) {
  for (auto [path, lookup, want] :
       {std::tuple{"to_root/etc/passwd", 0, kEnotcapable}, std::tuple{"to_root", 1, kEnotcapable},
        std::tuple{"to_root", 0, kEloop}}) {  // O_NOFOLLOW on the link itself
    auto g = make_guest(config(), open_body(path, lookup));
    ASSERT_TRUE(g);
    EXPECT_EQ(g->run(), want) << path << " lookup " << lookup;
  }
}

TEST_F(Wasi, SymlinkToTheCanary) {
  for (auto [path, lookup, want] :
       {std::tuple{"to_canary/secret.txt", 0, kEnotcapable}, std::tuple{"to_canary_abs/secret.txt", 0, kEnotcapable},
        std::tuple{"to_canary_file", 1, kEnotcapable}, std::tuple{"to_canary_file", 0, kEloop},
        std::tuple{"a/../to_canary/sub/deep.txt", 1, kEnotcapable}}) {
    auto g = make_guest(config(), open_body(path, lookup));
    ASSERT_TRUE(g);
    EXPECT_EQ(g->run(), want) << path << " lookup " << lookup;
  }
}

TEST_F(Wasi, CreatingThroughSymlinksOut) {
  for (auto [path, lookup, want] :
       {std::tuple{"to_canary/new.txt", 1, kEnotcapable}, std::tuple{"to_canary_abs/new.txt", 1, kEnotcapable},
        std::tuple{"dangling_out", 1, kEnotcapable},  // ../canary/new.txt
        std::tuple{"dangling_out", 0, kEloop}}) {
    auto g = make_guest(config(), open_body(path, lookup, /*O_CREAT*/ 1, "(i64.const -1)"));
    ASSERT_TRUE(g);
    EXPECT_EQ(g->run(), want) << path << " lookup " << lookup;
  }
  EXPECT_FALSE(exists(canary_ + "/new.txt"));
}

TEST_F(Wasi, SymlinkLoop) {
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32)
      (i32.store (i32.const 100) (call $path_open (i32.const 3) (i32.const 1) @"loop1" (i32.const 0)
                                  (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0)))
      (i32.store (i32.const 104) (call $path_filestat_get (i32.const 3) (i32.const 1) @"loop2" (i32.const 256)))
      (call $path_open (i32.const 3) (i32.const 0) @"loop1/x" (i32.const 0)
        (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0))))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kEloop);
  EXPECT_EQ(g->u32(100), static_cast<uint32_t>(kEloop));
  EXPECT_EQ(g->u32(104), static_cast<uint32_t>(kEloop));
}

TEST_F(Wasi, FortySymlinksAndNoMore) {
  // chain0 -> chain1 -> ... -> chainN -> hello.txt: N+1 links to follow.
  auto chain = [&](int links, const std::string& prefix) {
    for (int i = 0; i < links; ++i) {
      const std::string target = i + 1 < links ? prefix + std::to_string(i + 1) : "hello.txt";
      ASSERT_EQ(::symlink(target.c_str(), (scratch_ + "/" + prefix + std::to_string(i)).c_str()), 0);
    }
  };
  chain(40, "ok");
  chain(41, "long");
  auto g = make_guest(config(), open_body("ok0"));
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kOk);
  auto h = make_guest(config(), open_body("long0"));
  ASSERT_TRUE(h);
  EXPECT_EQ(h->run(), kEloop);
}

TEST_F(Wasi, DirectoryReplacedBySymlinkBetweenCalls) {
  ::mkdir((scratch_ + "/sw").c_str(), 0755);
  write_file(scratch_ + "/sw/secret.txt", "INSIDE");
  // test.swap: the host moves sw away and puts a symlink to the canary in
  // its place, as a concurrent process could between two guest calls.
  Extra swap = [&](Store& s, Linker& l) {
    l.define("test", "swap", Extern::of(s.create_host_func({}, [&](Caller&, auto, auto) -> Result<void> {
               ::rename((scratch_ + "/sw").c_str(), (scratch_ + "/sw_old").c_str());
               ::symlink("../canary", (scratch_ + "/sw").c_str());
               return {};
             })));
  };
  auto g = make_guest(config(),
                      std::string(R"(
    (import "test" "swap" (func $swap))
    (func $open (param $dir i32) (param $p i32) (param $n i32) (result i32)
      (call $path_open (local.get $dir) (i32.const 1) (local.get $p) (local.get $n) (i32.const 0) )") +
                          kDirRights + R"( (i64.const -1) (i32.const 0) (i32.const 0)))
    (func $first_byte (param $fd i32) (result i32)
      (call $iov (i32.const 16) (i32.const 64) (i32.const 1))
      (call $ok (call $fd_read (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 8)))
      (i32.load8_u (i32.const 64)))
    (func (export "run") (result i32) (local $dir i32)
      (call $ok (call $open (i32.const 3) @"sw"))
      (local.set $dir (i32.load (i32.const 0)))
      (call $ok (call $open (i32.const 3) @"sw/secret.txt"))
      (i32.store (i32.const 100) (call $first_byte (i32.load (i32.const 0))))
      (call $swap)
      ;; The directory fd opened before the swap still means the directory.
      (call $ok (call $open (local.get $dir) @"secret.txt"))
      (i32.store (i32.const 104) (call $first_byte (i32.load (i32.const 0))))
      (i32.store (i32.const 0) (i32.const -1))
      (call $open (i32.const 3) @"sw/secret.txt")))",
                      swap);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kEnotcapable);
  EXPECT_EQ(g->u32(100), static_cast<uint32_t>('I'));
  EXPECT_EQ(g->u32(104), static_cast<uint32_t>('I'));
  EXPECT_EQ(g->u32(0), 0xFFFFFFFFu);
}

TEST_F(Wasi, SymlinksSwappedConcurrentlyNeverLeadOut) {
  // Another thread swaps, atomically and as fast as it can, a directory with
  // a symlink to the canary and a file with a symlink to the canary's file,
  // while the guest opens through them (reading, and creating files).
  ::mkdir((scratch_ + "/flip").c_str(), 0755);
  write_file(scratch_ + "/flip/secret.txt", "INSIDE");
  ASSERT_EQ(::symlink("../canary", (scratch_ + "/flip_alt").c_str()), 0);
  write_file(scratch_ + "/flipfile", "INSIDE");
  ASSERT_EQ(::symlink("../canary/secret.txt", (scratch_ + "/flipfile_alt").c_str()), 0);
  auto g = make_guest(config(), std::string(R"(
    (func $try (param $p i32) (param $n i32) (param $oflags i32)
      (local $e i32)
      (local.set $e (call $path_open (i32.const 3) (i32.const 1) (local.get $p) (local.get $n) (local.get $oflags)
                      )") + kReadRights +
                                    R"( (i64.const 0) (i32.const 0) (i32.const 0)))
      (if (i32.eqz (local.get $e))
        (then
          (call $iov (i32.const 16) (i32.const 64) (i32.const 1))
          (i32.store8 (i32.const 64) (i32.const 0))
          (drop (call $fd_read (i32.load (i32.const 0)) (i32.const 16) (i32.const 1) (i32.const 8)))
          (drop (call $fd_close (i32.load (i32.const 0))))
          (if (i32.eq (i32.load8_u (i32.const 64)) (i32.const 67))  ;; 'C': the canary
            (then (i32.store (i32.const 200) (i32.add (i32.load (i32.const 200)) (i32.const 1)))))
          (i32.store (i32.const 204) (i32.add (i32.load (i32.const 204)) (i32.const 1))))
        (else (i32.store (i32.const 208) (i32.add (i32.load (i32.const 208)) (i32.const 1))))))
    (func (export "run") (param $n i32) (result i32)
      (loop $l
        (call $try @"flip/secret.txt" (i32.const 0))
        (call $try @"flipfile" (i32.const 0))
        (call $try @"flip/created.txt" (i32.const 1))
        (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
      (i32.load (i32.const 200))))");
  ASSERT_TRUE(g);
  std::atomic<bool> stop{false};
  std::thread flipper([&] {
    const std::string a = scratch_ + "/flip", b = scratch_ + "/flip_alt";
    const std::string c = scratch_ + "/flipfile", d = scratch_ + "/flipfile_alt";
    while (!stop.load()) {
      ::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE);
      ::renameat2(AT_FDCWD, c.c_str(), AT_FDCWD, d.c_str(), RENAME_EXCHANGE);
    }
  });
  const int32_t canary_reads = g->run({Value::i32(3000)});
  stop = true;
  flipper.join();
  EXPECT_EQ(canary_reads, 0);
  EXPECT_EQ(g->u32(204) + g->u32(208), 9000u);
  std::printf("  opened %u times, refused %u times\n", g->u32(204), g->u32(208));
  EXPECT_FALSE(exists(canary_ + "/created.txt"));
}

TEST_F(Wasi, EmbeddedNul) {
  auto g = make_guest(config(), open_body("hello.txt\\00/../../x"));
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kEinval);
}

TEST_F(Wasi, VeryLongPaths) {
  std::string longest;
  while (longest.size() < 4200) longest += "a/";
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32)
      (i32.store (i32.const 100) (call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const -1)
                                   (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0)))
      (call $path_open (i32.const 3) (i32.const 0) @")" +
                                    longest + R"(" (i32.const 0) (i64.const 2)
        (i64.const 0) (i32.const 0) (i32.const 0))))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kEnametoolong);
  EXPECT_EQ(g->u32(100), static_cast<uint32_t>(kEnametoolong));  // length checked before bounds
  // Within max_path but deeper than the walk holds directories open.
  std::string deep = scratch_;
  std::string rel;
  for (int i = 0; i < 300; ++i) {
    deep += "/d";
    rel += "d/";
    ::mkdir(deep.c_str(), 0755);
  }
  auto h = make_guest(config(), open_body(rel + "x", 0, 1, "(i64.const -1)"));
  ASSERT_TRUE(h);
  EXPECT_EQ(h->run(), kEnametoolong);
}

TEST_F(Wasi, DotDotThatStaysInside) {
  auto g = make_guest(config(), R"(
    (func $open (param i32 i32) (result i32)
      (call $path_open (i32.const 3) (i32.const 1) (local.get 0) (local.get 1) (i32.const 0)
        (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0)))
    (func (export "run") (result i32)
      (call $ok (call $open @"a/../hello.txt"))
      (call $ok (call $open @"./a/./b.txt"))
      (call $ok (call $open @"inside_dir_link/b.txt"))
      (call $ok (call $open @"a/.."))
      (i32.store (i32.const 100) (call $open @"hello.txt/../a"))
      (call $open @"a/../../scratch/hello.txt")))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kEnotcapable);  // back inside, but by way of the parent: refused
  EXPECT_EQ(g->u32(100), static_cast<uint32_t>(kEnotdir));
}

TEST_F(Wasi, DotDotAboveAnOpenedDirectory) {
  auto g = make_guest(config(), std::string(R"(
    (func (export "run") (result i32) (local $dir i32)
      (call $ok (call $path_open (i32.const 3) (i32.const 0) @"a" (i32.const 2) )") +
                                    kDirRights + R"(
                  (i64.const -1) (i32.const 0) (i32.const 0)))
      (local.set $dir (i32.load (i32.const 0)))
      (call $ok (call $path_open (local.get $dir) (i32.const 0) @"b.txt" (i32.const 0) (i64.const 2)
                  (i64.const 0) (i32.const 0) (i32.const 0)))
      (call $path_open (local.get $dir) (i32.const 0) @"../hello.txt" (i32.const 0) (i64.const 2)
        (i64.const 0) (i32.const 0) (i32.const 0))))");
  ASSERT_TRUE(g);
  // Every directory descriptor is a root of its own: `..` above it is
  // refused even where it would still be inside the preopen.
  EXPECT_EQ(g->run(), kEnotcapable);
}

TEST_F(Wasi, MutatingThroughSymlinkedDirectories) {
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32)
      (i32.store (i32.const 100) (call $path_unlink_file (i32.const 3) @"to_canary/secret.txt"))
      (i32.store (i32.const 104) (call $path_create_directory (i32.const 3) @"to_canary/newdir"))
      (i32.store (i32.const 108) (call $path_remove_directory (i32.const 3) @"to_canary_abs/sub"))
      (i32.store (i32.const 112) (call $path_rename (i32.const 3) @"to_canary/secret.txt" (i32.const 3) @"stolen"))
      (i32.store (i32.const 116) (call $path_rename (i32.const 3) @"hello.txt" (i32.const 3) @"to_canary/hello.txt"))
      (i32.store (i32.const 120) (call $path_create_directory (i32.const 3) @"../outside"))
      ;; The link itself is inside: removing it is fine and touches nothing out there.
      (call $path_unlink_file (i32.const 3) @"to_canary")))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kOk);
  for (uint32_t at = 100; at <= 120; at += 4) EXPECT_EQ(g->u32(at), static_cast<uint32_t>(kEnotcapable)) << at;
  EXPECT_FALSE(exists(scratch_ + "/to_canary"));
  EXPECT_TRUE(exists(scratch_ + "/hello.txt"));
}

TEST_F(Wasi, RenameOutOfThePreopen) {
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32)
      (i32.store (i32.const 100) (call $path_rename (i32.const 3) @"../canary/secret.txt" (i32.const 3) @"got"))
      (call $path_rename (i32.const 3) @"hello.txt" (i32.const 3) @"../x")))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kEnotcapable);
  EXPECT_EQ(g->u32(100), static_cast<uint32_t>(kEnotcapable));
  EXPECT_TRUE(exists(scratch_ + "/hello.txt"));
  EXPECT_FALSE(exists(root_ + "/x"));
}

TEST_F(Wasi, RenameIntoOrOutOfAReadOnlyPreopen) {
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32)
      (i32.store (i32.const 100) (call $path_rename (i32.const 4) @"readme.txt" (i32.const 3) @"taken.txt"))
      (call $path_rename (i32.const 3) @"hello.txt" (i32.const 4) @"stolen.txt")))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kErofs);
  EXPECT_EQ(g->u32(100), static_cast<uint32_t>(kErofs));
  EXPECT_TRUE(exists(scratch_ + "/hello.txt"));
  EXPECT_EQ(g->ctx->stats().denied, 2u);
}

TEST_F(Wasi, LinksAreRefusedByPolicy) {
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32)
      (i32.store (i32.const 100) (call $path_link (i32.const 3) (i32.const 0) @"hello.txt" (i32.const 3) @"../canary/ln"))
      (i32.store (i32.const 104) (call $path_link (i32.const 3) (i32.const 0) @"hello.txt" (i32.const 3) @"twin"))
      (call $path_symlink @"/etc" (i32.const 3) @"etc")))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kEperm);
  EXPECT_EQ(g->u32(100), static_cast<uint32_t>(kEperm));
  EXPECT_EQ(g->u32(104), static_cast<uint32_t>(kEperm));
  EXPECT_FALSE(exists(scratch_ + "/twin"));
  EXPECT_FALSE(exists(scratch_ + "/etc"));
  EXPECT_EQ(g->ctx->stats().denied, 3u);
}

TEST_F(Wasi, DirectoryOpenedForWriting) {
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32)
      (call $iov (i32.const 16) @"x")
      (i32.store (i32.const 100) (call $path_open (i32.const 3) (i32.const 0) @"a" (i32.const 2)
                                   (i64.const -1) (i64.const 0) (i32.const 0) (i32.const 0)))
      (i32.store (i32.const 104) (call $fd_write (i32.const 3) (i32.const 16) (i32.const 1) (i32.const 8)))
      (call $path_open (i32.const 3) (i32.const 0) @"a" (i32.const 0) (i64.const -1) (i64.const 0)
        (i32.const 0) (i32.const 0))))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kEisdir);
  EXPECT_EQ(g->u32(100), static_cast<uint32_t>(kEisdir));
  EXPECT_EQ(g->u32(104), static_cast<uint32_t>(kEisdir));
}

// oflags creat|directory asks for a new regular file that is a directory:
// EINVAL before the path is resolved, whatever exists (campaign seed 11:
// Warden said ENOENT for a path whose first directory is missing, node the
// host kernel's EINVAL). Nothing is created, on any kernel.
TEST_F(Wasi, CreateAndDirectoryTogether) {
  for (auto [path, oflags] : {std::tuple{"new.txt", 3}, std::tuple{"new.txt", 7}, std::tuple{"missing/new.txt", 3},
                              std::tuple{"a", 7}, std::tuple{"hello.txt", 15}, std::tuple{"to_canary/new.txt", 3}}) {
    auto g = make_guest(config(), open_body(path, 0, oflags, "(i64.const -1)"));
    ASSERT_TRUE(g);
    EXPECT_EQ(g->run(), kEinval) << path << " oflags " << oflags;
    EXPECT_EQ(g->u32(0), 0u);  // no fd written
    EXPECT_EQ(g->ctx->stats().denied, 0u) << path;
  }
  EXPECT_FALSE(exists(scratch_ + "/new.txt"));
  EXPECT_EQ(read_file(scratch_ + "/hello.txt"), "hello, world\n");  // not truncated
  // Each flag alone still does what it says.
  for (auto [path, oflags, want] : {std::tuple{"new.txt", 2, kEnoent}, std::tuple{"missing/new.txt", 1, kEnoent},
                                    std::tuple{"hello.txt", 2, kEnotdir}}) {
    auto g = make_guest(config(), open_body(path, 0, oflags, "(i64.const -1)"));
    ASSERT_TRUE(g);
    EXPECT_EQ(g->run(), want) << path << " oflags " << oflags;
  }
}

// ------------------------------------------------- the read-only preopen ----

TEST_F(Wasi, ReadOnlyPreopenRefusesEveryWrite) {
  auto g = make_guest(config(), std::string(R"(
    (func (export "run") (result i32)
      (i32.store (i32.const 100) (call $path_open (i32.const 4) (i32.const 0) @"new.txt" (i32.const 1)
                                   (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0)))
      (i32.store (i32.const 104) (call $path_open (i32.const 4) (i32.const 0) @"readme.txt" (i32.const 8)
                                   (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0)))
      (i32.store (i32.const 108) (call $path_open (i32.const 4) (i32.const 0) @"readme.txt" (i32.const 0)
                                   (i64.const -1) (i64.const 0) (i32.const 0) (i32.const 0)))
      (i32.store (i32.const 112) (call $path_unlink_file (i32.const 4) @"readme.txt"))
      (i32.store (i32.const 116) (call $path_create_directory (i32.const 4) @"d"))
      (i32.store (i32.const 120) (call $path_remove_directory (i32.const 4) @"empty"))
      (i32.store (i32.const 124) (call $path_rename (i32.const 4) @"readme.txt" (i32.const 4) @"r2.txt"))
      (call $path_open (i32.const 4) (i32.const 0) @"readme.txt" (i32.const 0) )") +
                                    kReadRights + R"(
        (i64.const 0) (i32.const 0) (i32.const 0))))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kOk);  // reading is what it is for
  for (uint32_t at = 100; at <= 124; at += 4) EXPECT_EQ(g->u32(at), static_cast<uint32_t>(kErofs)) << at;
  EXPECT_EQ(g->ctx->stats().denied, 7u);
  EXPECT_EQ(g->ctx->stats().denials.at(0), "path_open: 'new.txt' is in a read-only preopen");
}

TEST_F(Wasi, FilesAndDirectoriesFromAReadOnlyPreopenStayReadOnly) {
  auto g = make_guest(config(), std::string(R"(
    (func (export "run") (result i32) (local $fd i32)
      (call $ok (call $path_open (i32.const 4) (i32.const 0) @"readme.txt" (i32.const 0) )") +
                                    kReadRights + R"(
                  (i64.const 0) (i32.const 0) (i32.const 0)))
      (local.set $fd (i32.load (i32.const 0)))
      (call $iov (i32.const 16) @"overwrite")
      (i32.store (i32.const 100) (call $fd_write (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 8)))
      (i32.store (i32.const 104) (call $fd_pwrite (local.get $fd) (i32.const 16) (i32.const 1) (i64.const 0) (i32.const 8)))
      (call $ok (call $path_open (i32.const 4) (i32.const 0) @"empty" (i32.const 2) )" +
                                    kDirRights + R"(
                  (i64.const -1) (i32.const 0) (i32.const 0)))
      (call $path_open (i32.load (i32.const 0)) (i32.const 0) @"x" (i32.const 1) (i64.const 2)
        (i64.const 0) (i32.const 0) (i32.const 0))))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kErofs);
  EXPECT_EQ(g->u32(100), static_cast<uint32_t>(kErofs));
  EXPECT_EQ(g->u32(104), static_cast<uint32_t>(kErofs));
}

// ------------------------------------------------------------ descriptors ----

TEST_F(Wasi, RightsOnlyNarrow) {
  // A file opened with fd_read and fd_tell only (2 | 32), and a directory
  // opened without path_open (kDirRights minus bit 13).
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32) (local $fd i32)
      (call $ok (call $path_open (i32.const 3) (i32.const 0) @"hello.txt" (i32.const 0) (i64.const 34)
                  (i64.const 0) (i32.const 0) (i32.const 0)))
      (local.set $fd (i32.load (i32.const 0)))
      (call $iov (i32.const 16) @"x")
      (i32.store (i32.const 100) (call $fd_write (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 8)))
      (i32.store (i32.const 104) (call $fd_seek (local.get $fd) (i64.const 1) (i32.const 0) (i32.const 8)))
      (i32.store (i32.const 108) (call $fd_filestat_get (local.get $fd) (i32.const 256)))
      (call $ok (call $fd_seek (local.get $fd) (i64.const 0) (i32.const 1) (i32.const 8)))  ;; a tell
      (call $ok (call $path_open (i32.const 3) (i32.const 0) @"a" (i32.const 2) (i64.const 0xffffffffffbfdebe)
                  (i64.const 0) (i32.const 0) (i32.const 0)))
      (call $path_open (i32.load (i32.const 0)) (i32.const 0) @"b.txt" (i32.const 0) (i64.const 2)
        (i64.const 0) (i32.const 0) (i32.const 0))))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kEnotcapable);
  for (uint32_t at = 100; at <= 108; at += 4) EXPECT_EQ(g->u32(at), static_cast<uint32_t>(kEnotcapable)) << at;
  EXPECT_EQ(g->ctx->stats().denied, 4u);
  EXPECT_EQ(g->ctx->stats().denials.at(0), "fd_write: fd 5 lacks the rights for it");
  EXPECT_EQ(read_file(scratch_ + "/hello.txt"), "hello, world\n");
}

TEST_F(Wasi, DescriptorLimit) {
  wasi::Config c = config();
  c.max_open_files = 6;  // stdout and the two preopens take 3
  auto g = make_guest(c, R"(
    (func $open (param i32 i32 i32) (result i32)
      (call $path_open (i32.const 3) (i32.const 0) (local.get 0) (local.get 1) (local.get 2) (i64.const 2)
        (i64.const 0) (i32.const 0) (i32.const 0)))
    (func (export "run") (result i32)
      (call $ok (call $open @"hello.txt" (i32.const 0)))
      (call $ok (call $open @"hello.txt" (i32.const 0)))
      (call $ok (call $open @"hello.txt" (i32.const 0)))
      (i32.store (i32.const 100) (call $open @"hello.txt" (i32.const 0)))
      (i32.store (i32.const 104) (call $open @"after_limit.txt" (i32.const 1)))
      (call $ok (call $fd_close (i32.const 6)))
      (call $ok (call $open @"hello.txt" (i32.const 0)))
      (i32.load (i32.const 0))))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), 6);  // the freed fd again
  EXPECT_EQ(g->u32(100), static_cast<uint32_t>(kEmfile));
  EXPECT_EQ(g->u32(104), static_cast<uint32_t>(kEmfile));
  EXPECT_FALSE(exists(scratch_ + "/after_limit.txt"));
  EXPECT_EQ(g->ctx->stats().denied, 2u);
}

TEST_F(Wasi, BadDescriptors) {
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32) (local $fd i32)
      (call $iov (i32.const 16) (i32.const 64) (i32.const 8))
      (i32.store (i32.const 100) (call $fd_read (i32.const 9) (i32.const 16) (i32.const 1) (i32.const 8)))
      (i32.store (i32.const 104) (call $fd_write (i32.const -1) (i32.const 16) (i32.const 1) (i32.const 8)))
      (call $ok (call $path_open (i32.const 3) (i32.const 0) @"hello.txt" (i32.const 0) (i64.const 2)
                  (i64.const 0) (i32.const 0) (i32.const 0)))
      (local.set $fd (i32.load (i32.const 0)))
      (call $ok (call $fd_close (local.get $fd)))
      (i32.store (i32.const 108) (call $fd_read (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 8)))
      (i32.store (i32.const 112) (call $fd_close (local.get $fd)))
      (i32.store (i32.const 116) (call $path_open (i32.const 9) (i32.const 0) @"hello.txt" (i32.const 0)
                                   (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0)))
      (i32.store (i32.const 120) (call $path_open (i32.const 1) (i32.const 0) @"hello.txt" (i32.const 0)
                                   (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0)))
      (call $fd_readdir (i32.const 1) (i32.const 256) (i32.const 64) (i64.const 0) (i32.const 8))))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kEnotdir);
  for (uint32_t at = 100; at <= 116; at += 4) EXPECT_EQ(g->u32(at), static_cast<uint32_t>(kEbadf)) << at;
  EXPECT_EQ(g->u32(120), static_cast<uint32_t>(kEnotdir));
}

TEST_F(Wasi, StdoutNotGranted) {
  wasi::Config c = config();
  c.stdout_granted = false;
  auto g = make_guest(c, R"(
    (func (export "run") (result i32)
      (call $iov (i32.const 16) @"leak")
      (i32.store (i32.const 100) (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 8)))
      (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 8))))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kEbadf);
  EXPECT_EQ(g->u32(100), static_cast<uint32_t>(kEbadf));
  EXPECT_EQ(out(), "");
  EXPECT_EQ(g->ctx->stats().denied, 2u);
  EXPECT_EQ(g->ctx->stats().denials.at(1), "fd_write: fd 1 (stdout) was not granted");
}

// ------------------------------------------------- guest memory and sizes ----

TEST_F(Wasi, IovecLengthsSummingPast4GiB) {
  // 65537 iovecs of the same 64 KiB: 4 GiB + 64 KiB in all, 64 KiB if
  // summed in 32 bits. The count returned is clamped, never wrapped.
  const char* body = R"(
    (memory (export "memory") 10)
    (func (export "run") (result i32) (local $i i32)
      (loop $l
        (i32.store (i32.add (i32.const 65536) (i32.shl (local.get $i) (i32.const 3))) (i32.const 0))
        (i32.store (i32.add (i32.const 65540) (i32.shl (local.get $i) (i32.const 3))) (i32.const 65536))
        (br_if $l (i32.le_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 65536))))
      (call $ok (call $fd_write (i32.const 1) (i32.const 65536) (i32.const 65537) (i32.const 0)))
      (i32.load (i32.const 0))))";
  wasi::Config c = config();
  c.max_iovs = 70000;
  c.max_io_bytes = 1 << 20;
  auto g = make_guest(c, body);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), 1 << 20);
  EXPECT_EQ(out().size(), 1u << 20);
  // Unbounded max_io_bytes: the u32 result caps it (into /dev/null).
  const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  c.stdout_fd = null;
  c.max_io_bytes = UINT64_MAX;
  auto h = make_guest(c, body);
  ASSERT_TRUE(h);
  EXPECT_EQ(static_cast<uint32_t>(h->run()), 0xFFFFFFFFu);
  h.reset();
  ::close(null);
}

TEST_F(Wasi, IovecsPastTheEndOfMemory) {
  write_file(scratch_ + "/target.txt", "ORIGINAL");
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32) (local $fd i32)
      (call $ok (call $path_open (i32.const 3) (i32.const 0) @"target.txt" (i32.const 0) (i64.const -1)
                  (i64.const 0) (i32.const 0) (i32.const 0)))
      (local.set $fd (i32.load (i32.const 0)))
      (call $iov (i32.const 16) @"XXXX")
      (call $iov (i32.const 24) (i32.const 65530) (i32.const 16))
      (i32.store (i32.const 100) (call $fd_write (local.get $fd) (i32.const 16) (i32.const 2) (i32.const 8)))
      (call $iov (i32.const 24) (i32.const 0xFFFFFFF0) (i32.const 0x20))  ;; wraps in 32 bits
      (i32.store (i32.const 104) (call $fd_write (local.get $fd) (i32.const 16) (i32.const 2) (i32.const 8)))
      (i32.store (i32.const 108) (call $fd_write (local.get $fd) (i32.const 65532) (i32.const 1) (i32.const 8)))
      (i32.store (i32.const 112) (call $fd_write (local.get $fd) (i32.const 16) (i32.const 0x20000000) (i32.const 8)))
      (i32.store (i32.const 116) (call $fd_read (local.get $fd) (i32.const 16) (i32.const 2) (i32.const 8)))
      (call $ok (call $fd_tell (local.get $fd) (i32.const 120)))
      (i32.load (i32.const 8))))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), 0);  // no count was ever written
  EXPECT_EQ(g->u32(100), static_cast<uint32_t>(kEfault));
  EXPECT_EQ(g->u32(104), static_cast<uint32_t>(kEfault));
  EXPECT_EQ(g->u32(108), static_cast<uint32_t>(kEfault));
  EXPECT_EQ(g->u32(112), static_cast<uint32_t>(kEinval));  // more than max_iovs
  EXPECT_EQ(g->u32(116), static_cast<uint32_t>(kEfault));
  EXPECT_EQ(g->u64(120), 0u);  // nothing read either
  EXPECT_EQ(read_file(scratch_ + "/target.txt"), "ORIGINAL");
  EXPECT_EQ(g->ctx->stats().faults, 4u);
}

TEST_F(Wasi, IovecArrayOverlappingItself) {
  write_file(scratch_ + "/abc.txt", "ABCDEFGHIJKLMNOP");
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32) (local $fd i32)
      (call $ok (call $path_open (i32.const 3) (i32.const 0) @"abc.txt" (i32.const 0) (i64.const -1)
                  (i64.const 0) (i32.const 0) (i32.const 512)))
      (local.set $fd (i32.load (i32.const 512)))
      ;; iovec 0 at 0 receives the first 8 bytes over itself and iovec 1.
      (call $iov (i32.const 0) (i32.const 0) (i32.const 8))
      (call $iov (i32.const 8) (i32.const 100) (i32.const 8))
      (call $ok (call $fd_read (local.get $fd) (i32.const 0) (i32.const 2) (i32.const 200)))
      ;; An iovec that writes its own bytes out.
      (call $iov (i32.const 300) (i32.const 300) (i32.const 8))
      (call $ok (call $fd_write (local.get $fd) (i32.const 300) (i32.const 1) (i32.const 204)))
      (i32.load (i32.const 200))))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), 16);
  EXPECT_EQ(g->str(0, 8), "ABCDEFGH");
  EXPECT_EQ(g->str(100, 8), "IJKLMNOP");
  EXPECT_EQ(g->u32(204), 8u);
  EXPECT_EQ(read_file(scratch_ + "/abc.txt"),
            std::string("ABCDEFGHIJKLMNOP") + std::string("\x2c\x01\0\0\x08\0\0\0", 8));
}

TEST_F(Wasi, ResultPointerOutOfBoundsWritesNothing) {
  write_file(scratch_ + "/target.txt", "ORIGINAL");
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32) (local $fd i32)
      (call $ok (call $path_open (i32.const 3) (i32.const 0) @"target.txt" (i32.const 0) (i64.const -1)
                  (i64.const 0) (i32.const 0) (i32.const 0)))
      (local.set $fd (i32.load (i32.const 0)))
      (call $iov (i32.const 16) @"XXXX")
      (i32.store (i32.const 100) (call $fd_write (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 65534)))
      (i32.store (i32.const 104) (call $fd_pwrite (local.get $fd) (i32.const 16) (i32.const 1) (i64.const 0) (i32.const 65533)))
      (call $iov (i32.const 16) (i32.const 64) (i32.const 4))
      (i32.store (i32.const 108) (call $fd_read (local.get $fd) (i32.const 16) (i32.const 1) (i32.const -4)))
      (i32.store (i32.const 112) (call $path_open (i32.const 3) (i32.const 0) @"created.txt" (i32.const 1)
                                   (i64.const -1) (i64.const 0) (i32.const 0) (i32.const 65535)))
      (call $ok (call $fd_tell (local.get $fd) (i32.const 120)))
      (call $fd_seek (local.get $fd) (i64.const 0) (i32.const 0) (i32.const 65529))))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kEfault);
  for (uint32_t at = 100; at <= 112; at += 4) EXPECT_EQ(g->u32(at), static_cast<uint32_t>(kEfault)) << at;
  EXPECT_EQ(g->u64(120), 0u);
  EXPECT_EQ(read_file(scratch_ + "/target.txt"), "ORIGINAL");
  EXPECT_FALSE(exists(scratch_ + "/created.txt"));
}

TEST_F(Wasi, ReaddirCookiePastTheEnd) {
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32)
      (i32.store (i32.const 0) (i32.const 77))
      (call $ok (call $fd_readdir (i32.const 3) (i32.const 256) (i32.const 512) (i64.const 1000) (i32.const 0)))
      (i32.store (i32.const 4) (i32.const 77))
      (call $ok (call $fd_readdir (i32.const 3) (i32.const 256) (i32.const 512) (i64.const -1) (i32.const 4)))
      (call $fd_readdir (i32.const 3) (i32.const 65500) (i32.const 100) (i64.const 0) (i32.const 8))))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kEfault);
  EXPECT_EQ(g->u32(0), 0u);
  EXPECT_EQ(g->u32(4), 0u);
}

TEST_F(Wasi, HugeRandomGet) {
  wasi::Config c = config();
  c.max_io_bytes = 1024;
  auto g = make_guest(c, R"(
    (func (export "run") (result i32)
      (i32.store (i32.const 100) (call $random_get (i32.const 0) (i32.const -1)))
      (i32.store (i32.const 104) (call $random_get (i32.const 65535) (i32.const 2)))
      (i32.store (i32.const 108) (call $random_get (i32.const 0) (i32.const 2048)))
      (call $random_get (i32.const 65535) (i32.const 1))))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kOk);
  EXPECT_EQ(g->u32(100), static_cast<uint32_t>(kEfault));
  EXPECT_EQ(g->u32(104), static_cast<uint32_t>(kEfault));
  EXPECT_EQ(g->u32(108), static_cast<uint32_t>(kEinval));  // in bounds, past max_io_bytes
  EXPECT_EQ(g->ctx->stats().faults, 2u);
}

TEST_F(Wasi, ReadlinkOfALinkPointingOut) {
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32)
      (call $ok (call $path_readlink (i32.const 3) @"to_canary" (i32.const 256) (i32.const 64) (i32.const 0)))
      (call $ok (call $path_readlink (i32.const 3) @"to_canary_file" (i32.const 512) (i32.const 3) (i32.const 4)))
      (i32.store (i32.const 100) (call $path_readlink (i32.const 3) @"hello.txt" (i32.const 512) (i32.const 64) (i32.const 8)))
      (i32.store (i32.const 104) (call $path_readlink (i32.const 3) @"to_canary" (i32.const 65530) (i32.const 64) (i32.const 8)))
      (call $path_readlink (i32.const 3) @"to_canary/sub" (i32.const 512) (i32.const 64) (i32.const 8))))");
  ASSERT_TRUE(g);
  // The text of a link is readable wherever it points; going through it is not.
  EXPECT_EQ(g->run(), kEnotcapable);
  EXPECT_EQ(g->u32(0), 9u);
  EXPECT_EQ(g->str(256, 9), "../canary");
  EXPECT_EQ(g->u32(4), 3u);  // truncated to the buffer
  EXPECT_EQ(g->str(512, 3), "../");
  EXPECT_EQ(g->u32(100), static_cast<uint32_t>(kEinval));
  EXPECT_EQ(g->u32(104), static_cast<uint32_t>(kEfault));
}

TEST_F(Wasi, FilestatFollowingALinkOut) {
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32)
      (i32.store (i32.const 100) (call $path_filestat_get (i32.const 3) (i32.const 1) @"to_canary_file" (i32.const 256)))
      (i32.store (i32.const 104) (call $path_filestat_get (i32.const 3) (i32.const 1) @"to_canary/sub" (i32.const 256)))
      (call $path_filestat_get (i32.const 3) (i32.const 0) @"to_canary_file" (i32.const 512))))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kOk);
  EXPECT_EQ(g->u32(100), static_cast<uint32_t>(kEnotcapable));
  EXPECT_EQ(g->u32(104), static_cast<uint32_t>(kEnotcapable));
  EXPECT_EQ(g->str(256, 64), std::string(64, '\0'));  // nothing written for a refusal
  EXPECT_EQ(g->mem()[512 + 16], 7);                   // the link itself
  EXPECT_EQ(g->u64(512 + 32), 20u);                   // its text's length
}

TEST_F(Wasi, PrestatDirNameBuffers) {
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32)
      (i32.store (i32.const 100) (call $fd_prestat_dir_name (i32.const 3) (i32.const 64) (i32.const 3)))
      (i32.store (i32.const 104) (call $fd_prestat_dir_name (i32.const 3) (i32.const 65530) (i32.const 8)))
      (i32.store (i32.const 108) (call $fd_prestat_get (i32.const 3) (i32.const 65533)))
      (i32.store (i32.const 112) (call $fd_prestat_dir_name (i32.const 1) (i32.const 64) (i32.const 8)))
      (call $fd_prestat_dir_name (i32.const 3) (i32.const 65528) (i32.const 8))))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kOk);
  EXPECT_EQ(g->u32(100), static_cast<uint32_t>(kEinval));
  EXPECT_EQ(g->str(64, 3), std::string(3, '\0'));
  EXPECT_EQ(g->u32(104), static_cast<uint32_t>(kEfault));
  EXPECT_EQ(g->u32(108), static_cast<uint32_t>(kEfault));
  EXPECT_EQ(g->u32(112), static_cast<uint32_t>(kEbadf));
  EXPECT_EQ(g->str(65528, 8), "/sandbox");
}

TEST_F(Wasi, PathPointersOutOfBounds) {
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32)
      (i32.store (i32.const 100) (call $path_open (i32.const 3) (i32.const 0) (i32.const 65530) (i32.const 100)
                                   (i32.const 1) (i64.const -1) (i64.const 0) (i32.const 0) (i32.const 0)))
      (i32.store (i32.const 104) (call $path_create_directory (i32.const 3) (i32.const -1) (i32.const 2)))
      (call $path_rename (i32.const 3) @"hello.txt" (i32.const 3) (i32.const 65535) (i32.const 2))))");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->run(), kEfault);
  EXPECT_EQ(g->u32(100), static_cast<uint32_t>(kEfault));
  EXPECT_EQ(g->u32(104), static_cast<uint32_t>(kEfault));
  EXPECT_TRUE(exists(scratch_ + "/hello.txt"));
}

TEST_F(Wasi, AModuleWithoutMemory) {
  auto g = make_guest(config(), R"(
    ;; no memory
    (func (export "run") (result i32)
      (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0))))");
  ASSERT_TRUE(g);
  auto r = g->call("run");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].as_i32(), static_cast<uint32_t>(kEfault));
}

TEST_F(Wasi, ExitDoesNotDependOnTheMessageAlone) {
  // A guest's own trap cannot pose as an exit: exit_code() is only set by proc_exit.
  auto g = make_guest(config(), R"(
    (func (export "run") (result i32) (unreachable)))");
  ASSERT_TRUE(g);
  auto r = g->call("run");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Trap);
  EXPECT_EQ(r.error().message, "unreachable");
  EXPECT_FALSE(wasi::is_exit(r.error()));
  EXPECT_EQ(g->ctx->exit_code(), std::nullopt);
}

}  // namespace
