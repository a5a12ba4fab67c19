// The `warden` command: typed literals (compiled in directly) and the
// subcommands end to end (the built binary, next to this test's directory).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "../tools/warden/cpus.hpp"
#include "../tools/warden/literal.cpp"
#include "command.hpp"
#include "warden/host.hpp"
#include "wasm_builder.hpp"

namespace {

using warden::V128;
using warden::ValType;
using warden::Value;
using warden::cli::format_value;
using warden::cli::parse_literal;

Value parse_ok(const std::string& text) {
  std::string error;
  auto v = parse_literal(text, error);
  EXPECT_TRUE(v.has_value()) << text << ": " << error;
  return v.value_or(Value{});
}

std::string parse_error(const std::string& text) {
  std::string error;
  auto v = parse_literal(text, error);
  EXPECT_FALSE(v.has_value()) << text << " parsed";
  return error;
}

// ------------------------------------------------------------ literals ----

TEST(Literal, Integers) {
  EXPECT_EQ(parse_ok("i32:5"), Value::i32(5));
  EXPECT_EQ(parse_ok("i32:-1"), Value::i32(0xffffffff));
  EXPECT_EQ(parse_ok("i32:+7"), Value::i32(7));
  EXPECT_EQ(parse_ok("i32:4294967295"), Value::i32(0xffffffff));
  EXPECT_EQ(parse_ok("i32:-2147483648"), Value::i32(0x80000000));
  EXPECT_EQ(parse_ok("i32:0x7fffffff"), Value::i32(0x7fffffff));
  EXPECT_EQ(parse_ok("i32:-0x1"), Value::i32(0xffffffff));
  EXPECT_EQ(parse_ok("i32:1_000_000"), Value::i32(1000000));
  EXPECT_EQ(parse_ok("i64:-1"), Value::i64(~uint64_t{0}));
  EXPECT_EQ(parse_ok("i64:18446744073709551615"), Value::i64(~uint64_t{0}));
  EXPECT_EQ(parse_ok("i64:-9223372036854775808"), Value::i64(uint64_t{1} << 63));
}

TEST(Literal, IntegerErrors) {
  EXPECT_EQ(parse_error("i32:4294967296"), "integer out of range for i32: '4294967296'");
  EXPECT_EQ(parse_error("i32:-2147483649"), "integer out of range for i32: '-2147483649'");
  EXPECT_EQ(parse_error("i64:18446744073709551616"), "integer out of range for i64: '18446744073709551616'");
  EXPECT_EQ(parse_error("i32:"), "not an integer: ''");
  EXPECT_EQ(parse_error("i32:12a"), "not an integer: '12a'");
  EXPECT_EQ(parse_error("i32:--1"), "not an integer: '--1'");
  EXPECT_EQ(parse_error("i32:1.5"), "not an integer: '1.5'");
  EXPECT_EQ(parse_error("i32:_1"), "misplaced '_' in integer '_1'");
  EXPECT_EQ(parse_error("5"), "literal '5' needs a type, e.g. i32:5 or f64:1.5");
  EXPECT_EQ(parse_error("u32:5"), "unknown value type 'u32' (expected i32, i64, f32, f64, v128, funcref or externref)");
}

TEST(Literal, Floats) {
  EXPECT_EQ(parse_ok("f32:1.5"), Value::f32_bits(0x3fc00000));
  EXPECT_EQ(parse_ok("f32:-1.5"), Value::f32_bits(0xbfc00000));
  EXPECT_EQ(parse_ok("f32:-0"), Value::f32_bits(0x80000000));
  EXPECT_EQ(parse_ok("f32:0.1"), Value::f32_bits(0x3dcccccd));  // rounded once, to float
  EXPECT_EQ(parse_ok("f32:0x1p-149"), Value::f32_bits(0x00000001));
  EXPECT_EQ(parse_ok("f32:1e-50"), Value::f32_bits(0));  // underflow rounds to zero
  EXPECT_EQ(parse_ok("f32:inf"), Value::f32_bits(0x7f800000));
  EXPECT_EQ(parse_ok("f32:-inf"), Value::f32_bits(0xff800000));
  EXPECT_EQ(parse_ok("f32:nan"), Value::f32_bits(0x7fc00000));
  EXPECT_EQ(parse_ok("f32:-nan"), Value::f32_bits(0xffc00000));
  EXPECT_EQ(parse_ok("f32:nan:0x200000"), Value::f32_bits(0x7fa00000));
  EXPECT_EQ(parse_ok("f32:nan:0x1"), Value::f32_bits(0x7f800001));
  EXPECT_EQ(parse_ok("f64:0x1p-3"), Value::f64_bits(0x3fc0000000000000));
  EXPECT_EQ(parse_ok("f64:0x1.8p1"), Value::f64_bits(0x4008000000000000));
  EXPECT_EQ(parse_ok("f64:1e308"), Value::f64_bits(0x7fe1ccf385ebc8a0));
  EXPECT_EQ(parse_ok("f64:-inf"), Value::f64_bits(0xfff0000000000000));
  EXPECT_EQ(parse_ok("f64:nan:0x8000000000000"), Value::f64_bits(0x7ff8000000000000));
  EXPECT_EQ(parse_ok("f64:1_000.5"), Value::f64_bits(0x408f440000000000));
}

TEST(Literal, FloatErrors) {
  EXPECT_EQ(parse_error("f32:1e39"), "constant out of range for f32: '1e39'");
  EXPECT_EQ(parse_error("f64:1e309"), "constant out of range for f64: '1e309'");
  EXPECT_EQ(parse_error("f32:nan:0x800000"), "NaN payload out of range for f32: 'nan:0x800000'");
  EXPECT_EQ(parse_error("f32:nan:0x0"), "NaN payload out of range for f32: 'nan:0x0'");
  EXPECT_EQ(parse_error("f32:nan:12"), "bad NaN payload in 'nan:12' (expected nan:0xHEX)");
  EXPECT_EQ(parse_error("f32:infinity"), "not an f32 literal: 'infinity'");
  EXPECT_EQ(parse_error("f64: 1"), "not an f64 literal: ' 1'");
  EXPECT_EQ(parse_error("f64:1.5x"), "not an f64 literal: '1.5x'");
  EXPECT_EQ(parse_error("f64:"), "not an f64 literal: ''");
}

TEST(Literal, Vectors) {
  EXPECT_EQ(parse_ok("v128:i32x4:1,2,3,4"), Value::v128(V128{0x0000000200000001, 0x0000000400000003}));
  EXPECT_EQ(parse_ok("v128:i8x16:0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,-1"),
            Value::v128(V128{0x0706050403020100, 0xff0e0d0c0b0a0908}));
  EXPECT_EQ(parse_ok("v128:i16x8:-1,0,0,0,0,0,0,0x8000"), Value::v128(V128{0x000000000000ffff, 0x8000000000000000}));
  EXPECT_EQ(parse_ok("v128:i64x2:-1,2"), Value::v128(V128{~uint64_t{0}, 2}));
  EXPECT_EQ(parse_ok("v128:f32x4:1.5,-0,nan,inf"), Value::v128(V128{0x800000003fc00000, 0x7f8000007fc00000}));
  EXPECT_EQ(parse_ok("v128:f64x2:0x1p-3,-inf"), Value::v128(V128{0x3fc0000000000000, 0xfff0000000000000}));
  EXPECT_EQ(parse_error("v128:i32x4:1,2,3"), "i32x4 needs 4 lanes, got 3");
  EXPECT_EQ(parse_error("v128:i32x4:1,2,3,4,5"), "too many lanes for i32x4");
  EXPECT_EQ(parse_error("v128:i8x16:256,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0"), "integer out of range for i8: '256'");
  EXPECT_EQ(parse_error("v128:i32x3:1,2,3"),
            "unknown v128 shape 'i32x3' (expected i8x16, i16x8, i32x4, i64x2, f32x4 or f64x2)");
  EXPECT_EQ(parse_error("v128:1"), "v128 literal needs a shape: v128:i32x4:1,2,3,4");
}

TEST(Literal, References) {
  EXPECT_EQ(parse_ok("funcref:null"), Value::null(ValType::FuncRef));
  EXPECT_EQ(parse_ok("externref:null"), Value::null(ValType::ExternRef));
  EXPECT_EQ(parse_ok("externref:0"), Value::externref(1));  // word N+1: 0 is not null
  EXPECT_EQ(parse_ok("externref:41"), Value::externref(42));
  EXPECT_EQ(parse_error("funcref:3"), "a funcref argument can only be funcref:null");
  EXPECT_EQ(parse_error("externref:-1"), "externref:N needs N from 0 to 2^64-2, or null: 'externref:-1'");
  EXPECT_EQ(parse_error("externref:18446744073709551615"),
            "externref:N needs N from 0 to 2^64-2, or null: 'externref:18446744073709551615'");
}

TEST(Literal, Format) {
  EXPECT_EQ(format_value(Value::i32(0xffffffff)), "i32:-1");
  EXPECT_EQ(format_value(Value::i32(42)), "i32:42");
  EXPECT_EQ(format_value(Value::i64(uint64_t{1} << 63)), "i64:-9223372036854775808");
  EXPECT_EQ(format_value(Value::f32_bits(0x3fc00000)), "f32:1.5 (0x3fc00000)");
  EXPECT_EQ(format_value(Value::f32_bits(0x3dcccccd)), "f32:0.1 (0x3dcccccd)");
  EXPECT_EQ(format_value(Value::f32_bits(0x80000000)), "f32:-0 (0x80000000)");
  EXPECT_EQ(format_value(Value::f32_bits(0x7fc00000)), "f32:nan:0x400000 (0x7fc00000)");
  EXPECT_EQ(format_value(Value::f32_bits(0xffa00000)), "f32:-nan:0x200000 (0xffa00000)");
  EXPECT_EQ(format_value(Value::f32_bits(0xff800000)), "f32:-inf (0xff800000)");
  EXPECT_EQ(format_value(Value::f64_bits(0x3fc0000000000000)), "f64:0.125 (0x3fc0000000000000)");
  EXPECT_EQ(format_value(Value::f64_bits(0x7ff8000000000001)), "f64:nan:0x8000000000001 (0x7ff8000000000001)");
  EXPECT_EQ(format_value(Value::v128(V128{0x0000000200000001, 0xffffffff00000003})),
            "v128:i32x4:1,2,3,-1 (0xffffffff000000030000000200000001)");
  EXPECT_EQ(format_value(Value::null(ValType::FuncRef)), "funcref:null");
  EXPECT_EQ(format_value(Value::null(ValType::ExternRef)), "externref:null");
  EXPECT_EQ(format_value(Value::externref(42)), "externref:41");
}

TEST(Literal, FormatRoundTrips) {
  // Every printed value, minus its "(0x...)" bit pattern, parses back to itself.
  const std::vector<Value> values = {Value::i32(0x80000000),
                                     Value::i64(12345),
                                     Value::f32_bits(0x00000001),
                                     Value::f32_bits(0x7f7fffff),
                                     Value::f32_bits(0xffa00001),
                                     Value::f64_bits(0x0000000000000001),
                                     Value::f64_bits(0x3fb999999999999a),
                                     Value::f64_bits(0x7fefffffffffffff),
                                     Value::v128(V128{0x8000000000000000, 0x7fffffff}),
                                     Value::externref(1)};
  for (const Value& v : values) {
    std::string text = format_value(v);
    std::string literal = text.substr(0, text.find(" ("));
    EXPECT_EQ(parse_ok(literal), v) << text;
  }
}

// ------------------------------------------------------- the command ----

/* (module
     (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
     (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
     (func (export "spin") (loop br 0))
     (func (export "fid") (param f32) (result f32) local.get 0)
     (func (export "vid") (param v128) (result v128) local.get 0)
     (func (export "two") (result i64 f64) i64.const -1 f64.const 0.125)
     (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
     (memory (export "mem") 1)) */
const std::vector<uint8_t> kFuncs = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x1e, 0x06, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x00,
    0x00, 0x60, 0x01, 0x7d, 0x01, 0x7d, 0x60, 0x01, 0x7b, 0x01, 0x7b, 0x60, 0x00, 0x02, 0x7e, 0x7c, 0x60, 0x01, 0x7f,
    0x01, 0x7f, 0x03, 0x08, 0x07, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x33,
    0x08, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00, 0x03, 0x64, 0x69, 0x76, 0x00, 0x01, 0x04, 0x73, 0x70, 0x69, 0x6e, 0x00,
    0x02, 0x03, 0x66, 0x69, 0x64, 0x00, 0x03, 0x03, 0x76, 0x69, 0x64, 0x00, 0x04, 0x03, 0x74, 0x77, 0x6f, 0x00, 0x05,
    0x04, 0x67, 0x72, 0x6f, 0x77, 0x00, 0x06, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x0a, 0x38, 0x07, 0x07, 0x00, 0x20,
    0x00, 0x20, 0x01, 0x6a, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6d, 0x0b, 0x07, 0x00, 0x03, 0x40, 0x0c, 0x00,
    0x0b, 0x0b, 0x04, 0x00, 0x20, 0x00, 0x0b, 0x04, 0x00, 0x20, 0x00, 0x0b, 0x0d, 0x00, 0x42, 0x7f, 0x44, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xc0, 0x3f, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x40, 0x00, 0x0b};

// (module (func $s unreachable) (start $s))
const std::vector<uint8_t> kTrapInStart = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04,
                                           0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x08, 0x01,
                                           0x00, 0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b};

// (module (import "env" "f" (func)))
const std::vector<uint8_t> kImportsEnv = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00,
                                          0x00, 0x02, 0x09, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x66, 0x00, 0x00};

// (module (func (export "_start") (result i32) i32.const 42))
const std::vector<uint8_t> kStart42 = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00,
                                       0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x07, 0x0a, 0x01, 0x06, 0x5f, 0x73, 0x74,
                                       0x61, 0x72, 0x74, 0x00, 0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b};

// (module (func (result i32) i64.const 0)): i64.const at 0x18 leaves an i64,
// the `end` at 0x1a finds the type mismatch.
const std::vector<uint8_t> kTypeMismatch = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01,
                                            0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, 0x03, 0x02, 0x01,
                                            0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x42, 0x00, 0x0b};

/* (module
     (func $rec (export "rec") call $rec)
     (func (export "fadd") (param f32 f32) (result f32) local.get 0 local.get 1 f32.add)
     (memory 2)) */
const std::vector<uint8_t> kLimits = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x02, 0x60, 0x00,
                                      0x00, 0x60, 0x02, 0x7d, 0x7d, 0x01, 0x7d, 0x03, 0x03, 0x02, 0x00, 0x01, 0x05,
                                      0x03, 0x01, 0x00, 0x02, 0x07, 0x0e, 0x02, 0x03, 0x72, 0x65, 0x63, 0x00, 0x00,
                                      0x04, 0x66, 0x61, 0x64, 0x64, 0x00, 0x01, 0x0a, 0x0e, 0x02, 0x04, 0x00, 0x10,
                                      0x00, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x92, 0x0b};

TEST_F(Command, HelpForEverySubcommand) {
  Outcome top = warden("--help");
  EXPECT_EQ(top.exit_code, 0);
  for (const char* sub : {"inspect", "repro", "run", "validate", "wast", "wat2wasm", "wasm2wat"}) {
    EXPECT_NE(top.out.find(std::string("\n  ") + sub + " "), std::string::npos) << sub << top.out;
  }
  for (const char* sub : {"inspect", "repro", "run", "validate", "wast", "wat2wasm", "wasm2wat"}) {
    Outcome o = warden(std::string(sub) + " --help");
    EXPECT_EQ(o.exit_code, 0) << sub;
    EXPECT_NE(o.out.find("Exit status"), std::string::npos) << sub << ": " << o.out;
  }
  EXPECT_EQ(warden("").exit_code, 64);
  EXPECT_EQ(warden("frobnicate").exit_code, 64);
  EXPECT_EQ(warden("run").exit_code, 64);  // FILE is required
}

TEST_F(Command, ValidateAcceptsAndRejects) {
  std::string good = write("good.wasm", kFuncs);
  Outcome o = warden("validate " + good);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.err, "");

  std::string bad = write("bad.wasm", kTypeMismatch);
  o = warden("validate " + bad);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_EQ(o.err, bad + ":0x1a: invalid: type mismatch\n");

  std::string magic = write("magic.wasm", {0x00, 0x61, 0x73, 0x6e, 0x01, 0x00, 0x00, 0x00});
  o = warden("validate " + magic);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.err.find(": malformed: magic header not detected"), std::string::npos) << o.err;

  o = warden("validate " + (dir_ / "missing.wasm").string());
  EXPECT_EQ(o.exit_code, 64);
  EXPECT_NE(o.err.find("missing.wasm: cannot read: No such file or directory"), std::string::npos) << o.err;

  // The same outcome on any number of load threads; 1..64 only.
  o = warden("validate --load-threads 3 " + bad);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_EQ(o.err, bad + ":0x1a: invalid: type mismatch\n");
  EXPECT_EQ(warden("run --load-threads 2 " + good + " --invoke add i32:2 i32:3").out, "i32:5\n");
  EXPECT_EQ(warden("validate --load-threads 0 " + good).exit_code, 64);
  EXPECT_EQ(warden("validate --load-threads 65 " + good).exit_code, 64);
}

// --load-threads' default follows a cgroup's CPU quota, which the affinity
// mask does not show (tools/warden/cpus.cpp): a 1.2 MB module run in a
// cgroup allowed one CPU's time loads on 1 thread, outside it on as many as
// this process may use. Needs root and cgroup v1's cpu hierarchy, or v2
// with the cpu controller handed down to this process's group; skipped
// elsewhere, and on a one-CPU machine (where 1 would prove nothing).
TEST_F(Command, LoadThreadsDefaultFollowsTheCgroupQuota) {
  const unsigned cpus = std::min(warden::cli::usable_cpus(), 8u);
  if (cpus < 2) GTEST_SKIP() << "one CPU";
  namespace fs = std::filesystem;
  const std::string mountinfo = slurp("/proc/self/mountinfo");
  const std::vector<warden::cli::CgroupDir> dirs = warden::cli::cpu_cgroup_dirs(slurp("/proc/self/cgroup"), mountinfo);
  // v1's cpu hierarchy where there is one (a hybrid system's v2 has no cpu
  // controller), else v2's.
  auto mine = std::find_if(dirs.begin(), dirs.end(), [](const warden::cli::CgroupDir& d) { return !d.v2; });
  if (mine == dirs.end()) mine = dirs.begin();
  if (mine == dirs.end()) GTEST_SKIP() << "no cgroup hierarchy for CPU limits";
  // A child of this test's own group, so that the run stays under the
  // job's other limits. (On v2 a group with processes in it cannot hand
  // the cpu controller down, so there this mostly skips.)
  const fs::path group = mine->dir / ("warden-cli-test-" + std::to_string(::getpid()));
  std::error_code ec;
  if (!fs::create_directory(group, ec)) GTEST_SKIP() << "cannot create the cgroup " << group << ": " << ec.message();
  struct Remove {
    fs::path dir;
    ~Remove() {
      if (::rmdir(dir.c_str()) != 0) ADD_FAILURE() << "cgroup " << dir << " left behind: " << std::strerror(errno);
    }
  } remove{group};
  {
    // With the default period of 100000 us: one CPU.
    std::ofstream quota(group / (mine->v2 ? "cpu.max" : "cpu.cfs_quota_us"));
    quota << (mine->v2 ? "100000 100000\n" : "100000\n");
    quota.close();
    if (!quota) GTEST_SKIP() << "cannot set a CPU quota in " << group;
  }
  const std::string join = "echo $$ > " + (group / "cgroup.procs").string();
  Outcome probe = warden_shell("sh -c '" + join + " && cat /proc/self/cgroup'");
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  if (warden::cli::cgroup_cpu_limit(probe.out, mountinfo) != 1u) GTEST_SKIP() << "the quota is not where warden reads";

  // One function of 1.2 million nops: over the 1 MiB where the default
  // starts threads.
  wasm_builder::Module big;
  big.func(big.type({}, {}), wasm_builder::Bytes(1'200'000, 0x01));
  const std::string file = write("big.wasm", big.build()), metrics = (dir_ / "big.prom").string();

  const auto threads = [&] {
    const std::string text = slurp(metrics);
    const size_t at = text.find("warden_load_threads{");
    return at == std::string::npos ? std::string("none") : text.substr(at, text.find('\n', at) - at);
  };
  const std::string gauge = "warden_load_threads{module=\"" + file + "\"} ";
  Outcome o =
      warden_shell("sh -c '" + join + " && exec " + warden_.string() + " run --metrics " + metrics + " " + file + "'");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(threads(), gauge + "1");
  ASSERT_EQ(warden("run --metrics " + metrics + " " + file).exit_code, 0);
  EXPECT_EQ(threads(), gauge + std::to_string(cpus));
}

TEST_F(Command, RunPrintsTypedResults) {
  std::string m = write("m.wasm", kFuncs);
  Outcome o = warden("run " + m + " --invoke add i32:2 i32:-5");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "i32:-3\n");
  o = warden("run " + m + " --invoke two");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "i64:-1\nf64:0.125 (0x3fc0000000000000)\n");
  o = warden("run " + m + " --invoke fid f32:nan:0x200000");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "f32:nan:0x200000 (0x7fa00000)\n");
  o = warden("run " + m + " --invoke vid v128:i32x4:1,2,3,4");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "v128:i32x4:1,2,3,4 (0x00000004000000030000000200000001)\n");
  o = warden("run " + m);  // no --invoke, no _start: instantiate only
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "");

  std::string s = write("start.wasm", kStart42);
  o = warden("run " + s);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "i32:42\n");
}

TEST_F(Command, RunExitCodes) {
  std::string m = write("m.wasm", kFuncs);
  Outcome o = warden("run " + m + " --invoke div i32:1 i32:0");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.err, "trap: integer divide by zero\n");

  o = warden("run " + m + " --invoke spin --fuel 1000");
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_EQ(o.err.rfind("exhausted: ", 0), 0u) << o.err;

  o = warden("run " + m + " --invoke spin --timeout-ms 50");
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_EQ(o.err.rfind("exhausted: ", 0), 0u) << o.err;

  // 2 pages would be 128 KiB; the limit lets the memory stay at 1 page.
  o = warden("run " + m + " --invoke grow i32:1 --max-memory 65536");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "i32:-1\n");
  o = warden("run " + m + " --invoke grow i32:1");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "i32:1\n");

  o = warden("run " + write("trap.wasm", kTrapInStart));
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.err.rfind("trap: unreachable", 0), 0u) << o.err;

  std::string env = write("env.wasm", kImportsEnv);
  o = warden("run " + env);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_EQ(o.err, env + ": unlinkable: unknown import env.f\n");
}

TEST_F(Command, RunLimitsAndDeterminism) {
  std::string m = write("limits.wasm", kLimits);
  Outcome o = warden("run " + m + " --invoke rec");
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_EQ(o.err, "exhausted: call stack exhausted\n");

  // The module's 2 initial pages do not fit in 64 KiB.
  o = warden("run " + m + " --max-memory 65536");
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_EQ(o.err.rfind("exhausted: ", 0), 0u) << o.err;

  // Arithmetic on a NaN may give any arithmetic NaN (spec 4.3.3), but with
  // --deterministic it is always the positive canonical one.
  o = warden("run " + m + " --invoke fadd f32:-nan:0x200000 f32:1 --deterministic");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "f32:nan:0x400000 (0x7fc00000)\n");
  o = warden("run " + m + " --invoke fadd f32:1 f32:2 --deterministic");
  EXPECT_EQ(o.out, "f32:3 (0x40400000)\n");
}

TEST_F(Command, TextModules) {
  auto text = [&](const std::string& name, const std::string& wat) {
    return write(name, std::vector<uint8_t>(wat.begin(), wat.end()));
  };
  std::string add = text("add.wat",
                         "(module\n"
                         "  (func (export \"add\") (param i32 i32) (result i32)\n"
                         "    local.get 0 local.get 1 i32.add))\n");
  Outcome o = warden("run " + add + " --invoke add i32:1 i32:2");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "i32:3\n");
  EXPECT_EQ(warden("validate " + add).exit_code, 0);

  // Text that does not parse: line and column; text that parses but does not
  // validate: the offset in the encoded binary, as for kTypeMismatch.
  std::string bad = text("bad.wat", "(module\n  (func (result i32) i32.const))\n");
  o = warden("validate " + bad);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_EQ(o.err, bad + ":2:31: malformed: unexpected token\n");
  std::string invalid = text("invalid.wat", "(module (func (result i32) i64.const 0))");
  o = warden("run " + invalid);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_EQ(o.err, invalid + ":0x1a: invalid: type mismatch\n");
}

TEST_F(Command, RunUsageErrors) {
  std::string m = write("m.wasm", kFuncs);
  Outcome o = warden("run " + m + " --invoke nope");
  EXPECT_EQ(o.exit_code, 64);
  EXPECT_EQ(o.err, "warden run: unknown export 'nope'\n");
  o = warden("run " + m + " --invoke mem");
  EXPECT_EQ(o.exit_code, 64);
  EXPECT_EQ(o.err, "warden run: export 'mem' is a memory, not a function\n");
  o = warden("run " + m + " --invoke add i32:1");
  EXPECT_EQ(o.exit_code, 64);
  EXPECT_EQ(o.err, "warden run: 'add' takes 2 argument(s) (i32 i32), got 1\n");
  o = warden("run " + m + " --invoke add i32:1 i64:2");
  EXPECT_EQ(o.exit_code, 64);
  EXPECT_EQ(o.err, "warden run: argument 2 of 'add' is i32, got i64\n");
  o = warden("run " + m + " --invoke add i32:1 i32:x");
  EXPECT_EQ(o.exit_code, 64);
  EXPECT_EQ(o.err, "warden run: not an integer: 'x'\n");
  o = warden("run " + m + " i32:1");
  EXPECT_EQ(o.exit_code, 64);
  EXPECT_EQ(o.err, "warden run: arguments given without --invoke\n");
  o = warden("run " + m + " --fuel lots");
  EXPECT_EQ(o.exit_code, 64);
}

// ------------------------------------------------------------ version ----

TEST_F(Command, VersionNamesTheHostApi) {
  Outcome o = warden("--version");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("host API version " + std::to_string(warden::kHostApiVersion) + "\n"), std::string::npos)
      << o.out;
}

// ----------------------------------------------------- WASI programs ----
// tests/wasi/programs/*.c, built for wasm32-wasi into build/<preset>/tests/wasi/programs
// (skipped when clang-14 or wasi-libc is missing). Their outputs under node
// are compared in the wasi.* tests; here: grants, denials, exit statuses,
// determinism, policy files.

class Wasi : public Command {
 protected:
  void SetUp() override {
    Command::SetUp();
    programs_ = std::filesystem::read_symlink("/proc/self/exe").parent_path() / "wasi" / "programs";
  }
  /// The built program NAME.wasm, or "" (the test then skips).
  std::string program(const std::string& name) {
    auto p = programs_ / (name + ".wasm");
    return std::filesystem::exists(p) ? p.string() : "";
  }
  /// dir_/data with a file, a subdirectory, and a secret beside it.
  std::string data() {
    std::filesystem::create_directories(dir_ / "data" / "sub");
    std::ofstream(dir_ / "data" / "hello.txt") << "hello\n";
    std::ofstream(dir_ / "data" / "sub" / "b.txt") << "bee\n";
    std::ofstream(dir_ / "secret.txt") << "TOP SECRET\n";
    return (dir_ / "data").string();
  }
  std::string text(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name) << content;
    return (dir_ / name).string();
  }
  std::filesystem::path programs_;
};

#define NEED(var, name)            \
  std::string var = program(name); \
  if (var.empty()) GTEST_SKIP() << name ".wasm not built (needs clang-14 and wasi-libc)"

TEST_F(Wasi, ArgumentsAndEnvironmentAreExactlyTheGrantedOnes) {
  NEED(envargs, "envargs");
  Outcome o =
      warden("run --allow stdout,exit " + envargs + " --env GREETING=hi --env EMPTY= --env GREETING=again -- one -x");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "argc=3\nargv[0]=\"" + envargs +
                       "\"\nargv[1]=\"one\"\nargv[2]=\"-x\"\nenviron: 2\n  EMPTY=\n"
                       "  GREETING=again\nGREETING = again\nHOME unset\n");
  EXPECT_EQ(o.err, "");
}

TEST_F(Wasi, UngrantedCapabilitiesFailToLinkWithAHint) {
  NEED(exit7, "exit7");
  NEED(clockrand, "clockrand");
  NEED(cat, "cat");
  Outcome o = warden("run --allow stdout,stderr " + exit7);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_EQ(o.err, exit7 +
                       ": unlinkable: wasi_snapshot_preview1.proc_exit needs capability exit "
                       "(not granted)\nhint: grant it with --allow exit\n");
  EXPECT_EQ(o.out, "");

  o = warden("run --allow stdout,args,random,exit " + clockrand);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.err.find(": unlinkable: wasi_snapshot_preview1.clock_"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find(" needs capability clock (not granted)\nhint: grant it with --allow clock\n"), std::string::npos)
      << o.err;

  o = warden("run --allow stdout " + clockrand);  // no --: args is not granted either
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.err.find("hint: grant them with --allow args,clock,random,exit (arguments after -- grant "
                       "args too)\n"),
            std::string::npos)
      << o.err;

  o = warden("run --allow stdio,exit " + cat + " -- x");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.err.find("needs capability fs (not granted)\nhint: grant it with --dir HOST[::GUEST] "
                       "(--allow fs links with no directories)\n"),
            std::string::npos)
      << o.err;
}

TEST_F(Wasi, ProcExitStatusPassesThrough) {
  NEED(exit7, "exit7");
  std::string json = (dir_ / "exit.json").string();
  Outcome o = warden("run --allow stdout,stderr,exit --exit-code-json " + json + " " + exit7);
  EXPECT_EQ(o.exit_code, 7);
  EXPECT_EQ(o.out, "about to exit with 7\n");
  EXPECT_EQ(o.err, "exit7: leaving\n");  // Warden adds nothing for a guest's own status
  auto j = nlohmann::json::parse(slurp(json));
  EXPECT_EQ(j["exit_code"], 7);
  EXPECT_EQ(j["source"], "guest");
  EXPECT_EQ(j["reason"], "proc_exit");
  EXPECT_EQ(j["guest_status"], 7);

  // Warden's own code 1 for the same program, told apart by stderr and the record.
  o = warden("run --allow stdout,stderr --exit-code-json " + json + " " + exit7);
  EXPECT_EQ(o.exit_code, 1);
  j = nlohmann::json::parse(slurp(json));
  EXPECT_EQ(j["source"], "warden");
  EXPECT_EQ(j["reason"], "unlinkable");
}

TEST_F(Wasi, RuntimeDenialsAreReportedAndFailTheRun) {
  NEED(printf_wasm, "printf");
  std::string json = (dir_ / "exit.json").string();
  Outcome o = warden("run --exit-code-json " + json + " " + printf_wasm);
  EXPECT_EQ(o.exit_code, 4);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err.rfind("warden run: the sandbox denied ", 0), 0u) << o.err;
  EXPECT_NE(o.err.find("fd_write: fd 1 (stdout)"), std::string::npos) << o.err;
  EXPECT_TRUE(o.err.ends_with("\nhint: grant it with --allow stdout\n")) << o.err;
  auto j = nlohmann::json::parse(slurp(json));
  EXPECT_EQ(j["source"], "warden");
  EXPECT_EQ(j["reason"], "denied");
  EXPECT_GT(j["denied"].get<int>(), 0);

  o = warden("run --allow stdout " + printf_wasm);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("basel(1000) = 1.6439345666815615\n"), std::string::npos) << o.out;
}

TEST_F(Wasi, DirectoriesAreReadOnlyUnlessGrantedWrite) {
  NEED(cp, "cp");
  std::string d = data();
  Outcome o = warden("run --allow stdio,exit --dir " + d + "::/data " + cp + " -- /data/hello.txt /data/copy.txt");
  EXPECT_EQ(o.exit_code, 1);  // the program's own status: it reported the error
  EXPECT_FALSE(std::filesystem::exists(dir_ / "data" / "copy.txt"));
  EXPECT_NE(o.err.find("cp: /data/copy.txt: Read-only file system\n"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("warden run: the sandbox denied 1 call(s):\n"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("hint: a directory given with --dir is read-only; --dir-rw makes it writable"),
            std::string::npos)
      << o.err;

  o = warden("run --allow stdio,exit --dir-rw " + d + "::/data " + cp + " -- /data/hello.txt /data/copy.txt");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "copied 6 bytes\n");
  EXPECT_EQ(slurp(dir_ / "data" / "copy.txt"), "hello\n");
}

TEST_F(Wasi, PathsCannotLeaveTheirPreopen) {
  NEED(cat, "cat");
  std::string d = data();
  std::filesystem::create_symlink("../secret.txt", dir_ / "data" / "link");
  for (const char* path : {"/data/../secret.txt", "/data/sub/../../secret.txt", "/data/link"}) {
    Outcome o = warden("run --allow stdio,exit --dir " + d + "::/data " + cat + " -- " + path);
    EXPECT_EQ(o.exit_code, 1) << path;
    EXPECT_EQ(o.out, "") << path;
    EXPECT_EQ(o.err.find("TOP SECRET"), std::string::npos) << path;
    EXPECT_NE(o.err.find("warden run: the sandbox denied"), std::string::npos) << path << o.err;
  }
  Outcome o = warden("run --allow stdio,exit --dir " + d + "::/data " + cat + " -- /data/sub/../hello.txt");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "hello\n");
}

TEST_F(Wasi, DeterministicClocksAndRandomness) {
  NEED(clockrand, "clockrand");
  const std::string flags = "run --allow stdout,clock,random,exit " + clockrand + " --deterministic ";
  Outcome a = warden(flags + "--seed 5 -- verbose");
  Outcome b = warden(flags + "--seed 5 -- verbose");
  Outcome c = warden(flags + "--seed 6 -- verbose");
  EXPECT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out, c.out);
  // Virtual clocks start at 2000-01-01 and advance 1 ms per read.
  EXPECT_NE(a.out.find("monotonic 946684800.000000000 -> 946684800.001000000\n"
                       "realtime 946684800.002000000\n"),
            std::string::npos)
      << a.out;
  // --seed alone implies --deterministic.
  Outcome d = warden("run --allow stdout,clock,random,exit " + clockrand + " --seed 5 -- verbose");
  EXPECT_EQ(d.out, a.out);
}

TEST_F(Wasi, StatsAreJsonOnStderr) {
  NEED(printf_wasm, "printf");
  Outcome o = warden("run --allow stdout --stats " + printf_wasm);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  auto j = nlohmann::json::parse(o.err);
  EXPECT_EQ(j["wasi"], true);
  EXPECT_GT(j["calls"].get<uint64_t>(), 0u);
  EXPECT_EQ(j["denied"], 0);
  EXPECT_EQ(j["faults"], 0);
  EXPECT_EQ(j["bytes_written"].get<uint64_t>(), o.out.size());
  EXPECT_TRUE(j["denials"].is_array());
  EXPECT_GT(j["fuel_consumed"].get<uint64_t>(), 0u);
}

TEST_F(Wasi, LimitFlags) {
  NEED(printf_wasm, "printf");
  NEED(cat, "cat");
  // wasi-libc programs start with 2 pages (128 KiB).
  Outcome o = warden("run --allow stdout --max-memory 64KiB " + printf_wasm);
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_EQ(o.err.rfind("exhausted: ", 0), 0u) << o.err;
  o = warden("run --allow stdout --max-memory 1MiB --call-depth 1000 " + printf_wasm);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  o = warden("run --allow stdout --max-memory 12XB " + printf_wasm);
  EXPECT_EQ(o.exit_code, 64);
  EXPECT_EQ(o.err, "warden run: --max-memory: bad size '12XB' (bytes, or units B, KiB, MiB, GiB)\n");

  // Three standard streams and one preopen fill four descriptors.
  std::string d = data();
  o = warden("run --allow stdio,exit --max-open-files 4 --dir " + d + "::/data " + cat + " -- /data/hello.txt");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.err.find("hint: --max-open-files raises the descriptor limit (now 4)"), std::string::npos) << o.err;
  o = warden("run --allow stdio,exit --max-open-files 5 --dir " + d + "::/data " + cat + " -- /data/hello.txt");
  EXPECT_EQ(o.exit_code, 0) << o.err;
}

TEST_F(Wasi, GrantUsageErrors) {
  NEED(envargs, "envargs");
  Outcome o = warden("run --allow network " + envargs);
  EXPECT_EQ(o.exit_code, 64);
  EXPECT_EQ(o.err,
            "warden run: unknown capability 'network' (expected stdin, stdout, stderr, "
            "stdio, args, env, clock, random, exit, fs)\n");
  o = warden("run --dir ::/x " + envargs);
  EXPECT_EQ(o.exit_code, 64);
  EXPECT_EQ(o.err, "warden run: bad directory '::/x' (expected HOST or HOST::GUEST)\n");
  o = warden("run --env =x " + envargs);
  EXPECT_EQ(o.exit_code, 64);
  EXPECT_EQ(o.err, "warden run: bad variable '=x' (expected NAME=VALUE or NAME)\n");
  o = warden("run --dir " + (dir_ / "missing").string() + " " + envargs);
  EXPECT_EQ(o.exit_code, 64);
  EXPECT_NE(o.err.find("cannot open preopen"), std::string::npos) << o.err;
}

TEST_F(Wasi, PolicyFile) {
  NEED(envargs, "envargs");
  NEED(tree, "tree");
  NEED(printf_wasm, "printf");
  data();
  // Relative host paths are relative to the policy file, not the working directory.
  std::string policy = text("policy.toml",
                            "[grants]\n"
                            "allow = [\"stdout\", \"exit\"]\n"
                            "args = true\n"
                            "[env]\n"
                            "GREETING = \"from the file\"\n"
                            "OTHER = \"x\"\n"
                            "[[dirs]]\n"
                            "host = \"data\"\n"
                            "guest = \"/data\"\n"
                            "[limits]\n"
                            "memory = \"16MiB\"\n"
                            "fuel = 100000000\n"
                            "timeout_ms = 60000\n"
                            "call_depth = 5000\n"
                            "open_files = 16\n"
                            "[determinism]\n"
                            "enabled = true\n"
                            "seed = 9\n");
  Outcome o = warden("run --policy " + policy + " " + envargs + " --env GREETING=flag");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("argc=1\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("environ: 2\n  GREETING=flag\n  OTHER=x\nGREETING = flag\n"), std::string::npos) << o.out;
  o = warden("run --policy " + policy + " " + tree + " -- /data");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "f /data/hello.txt 6\nd /data/sub\nf /data/sub/b.txt 4\n");

  // A limit from the file, and a flag winning over it.
  std::string small = text("small.toml", "[grants]\nallow = [\"stdout\"]\n[limits]\nmemory = \"64KiB\"\n");
  o = warden("run --policy " + small + " " + printf_wasm);
  EXPECT_EQ(o.exit_code, 3) << o.err;
  o = warden("run --policy " + small + " --max-memory 1MiB " + printf_wasm);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  o = warden("run --policy " + small + " --max-memory 1MiB --stats --allow stderr " + printf_wasm);
  EXPECT_EQ(o.exit_code, 0) << o.err;
}

TEST_F(Wasi, PolicyFileErrorsNameTheKey) {
  NEED(envargs, "envargs");
  auto fails = [&](const std::string& toml, const std::string& message) {
    std::string p = text("bad.toml", toml);
    Outcome o = warden("run --policy " + p + " " + envargs);
    EXPECT_EQ(o.exit_code, 64) << toml;
    EXPECT_EQ(o.err, "warden run: " + p + ":" + message + "\n") << toml;
  };
  fails("[grants]\nalow = [\"stdout\"]\n", "2:1: unknown key 'grants.alow' (expected allow, args)");
  fails("[grant]\nallow = []\n", "1:2: unknown key 'grant' (expected grants, env, dirs, limits, determinism, trust)");
  fails("[limits]\nfuel = \"lots\"\n", "2:8: 'limits.fuel' must be an integer");
  fails("[limits]\nmemory = \"64MB\"\n",
        "2:10: 'limits.memory' must be bytes or a size such as \"64MiB\" (units B, KiB, MiB, GiB)");
  fails("[limits]\ncall_depth = 0\n", "2:14: 'limits.call_depth' must be from 1 to 4294967295");
  fails("[grants]\nallow = [\"network\"]\n",
        "2:10: grants.allow: unknown capability 'network' (expected stdin, stdout, stderr, stdio, "
        "args, env, clock, random, exit, fs)");
  fails("[[dirs]]\nguest = \"/x\"\n", "1:1: [[dirs]] needs 'host'");
  fails("[[dirs]]\nhost = \"d\"\nwritable = true\n", "3:1: unknown key 'dirs.writable' (expected host, guest, write)");
  fails("[determinism]\nenabled = 1\n", "2:11: 'determinism.enabled' must be true or false");
  // Syntax errors: toml++'s message at its position.
  std::string p = text("syntax.toml", "[grants\n");
  Outcome o = warden("run --policy " + p + " " + envargs);
  EXPECT_EQ(o.exit_code, 64);
  EXPECT_EQ(o.err.rfind("warden run: " + p + ":1:", 0), 0u) << o.err;
}

// ------------------------------------------------------------ inspect ----

TEST_F(Command, InspectListsTheModule) {
  Outcome o = warden("inspect " + write("m.wasm", kFuncs));
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find(": valid; 0 imports, 7 functions (0 imported), 8 exports\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("  add                      func   0     [i32 i32] -> [i32]\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("memories:\n  0   defined                          min 1 pages, no max\n"), std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("requires (no _start export):\n  nothing from the host\n"), std::string::npos) << o.out;

  std::string env = write("env.wasm", kImportsEnv);
  o = warden("inspect " + env);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("  cannot   env.f: host function not provided by warden run: will not link\n"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("warden run cannot link this module"), std::string::npos) << o.out;

  std::string bad = write("bad.wasm", kTypeMismatch);
  o = warden("inspect --json " + bad);
  EXPECT_EQ(o.exit_code, 1);
  auto j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["valid"], false);
  EXPECT_EQ(j["error"], "invalid: type mismatch");

  o = warden("inspect " + write("magic.wasm", {0x00, 0x61, 0x73, 0x6e, 0x01, 0x00, 0x00, 0x00}));
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.err.find(": malformed: magic header not detected"), std::string::npos) << o.err;
}

TEST_F(Command, InspectNamesTheGrantsAWasiModuleNeeds) {
  std::string wat =
      "(module\n"
      "  (import \"wasi_snapshot_preview1\" \"clock_time_get\" (func (param i32 i64 i32) (result i32)))\n"
      "  (import \"wasi_snapshot_preview1\" \"fd_write\" (func (param i32 i32 i32 i32) (result i32)))\n"
      "  (import \"wasi_snapshot_preview1\" \"path_open\"\n"
      "    (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))\n"
      "  (import \"spectest\" \"global_i32\" (global i32))\n"
      "  (import \"env\" \"table\" (table 1 3 funcref))\n"
      "  (memory (export \"memory\") 1 2)\n"
      "  (global (mut i64) (i64.const 0))\n"
      "  (func $s) (start $s)\n"
      "  (func (export \"_start\")))\n";
  std::string m = write("w.wat", std::vector<uint8_t>(wat.begin(), wat.end()));
  Outcome o = warden("inspect --json " + m);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  auto j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["imports"][0]["needs"], "clock");
  EXPECT_EQ(j["imports"][0]["type"], "[i32 i64 i32] -> [i32]");
  EXPECT_EQ(j["imports"][1]["needs"], "none");
  EXPECT_EQ(j["imports"][2]["needs"], "fs");
  EXPECT_EQ(j["imports"][3]["provided_by"], "spectest");
  EXPECT_EQ(j["imports"][4]["note"], "not provided by warden run: will not link");
  EXPECT_EQ(j["tables"][0]["imported"], true);
  EXPECT_EQ(j["tables"][0]["max"], 3);
  EXPECT_EQ(j["memories"][0]["min_bytes"], 65536);
  EXPECT_EQ(j["globals"][1]["mutable"], true);
  EXPECT_EQ(j["start"]["index"], 3);
  EXPECT_EQ(j["requires"]["wasi_command"], true);
  EXPECT_EQ(j["requires"]["capabilities"]["clock"][0], "clock_time_get");
  EXPECT_EQ(j["requires"]["streams"], nlohmann::json({"stdout", "stderr"}));
  EXPECT_TRUE(j["requires"]["run"].is_null());  // env.table cannot be linked

  // The same imports without the unlinkable one: the run line grants exactly them.
  std::string ok_wat = wat;
  ok_wat.replace(ok_wat.find("  (import \"env\""),
                 std::string("  (import \"env\" \"table\" (table 1 3 funcref))\n").size(), "");
  m = write("ok.wat", std::vector<uint8_t>(ok_wat.begin(), ok_wat.end()));
  o = warden("inspect " + m);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("run with:\n  warden run --allow stdout,stderr,clock --dir HOST[::GUEST] " + m + "\n"),
            std::string::npos)
      << o.out;
}

TEST_F(Wasi, InspectARealProgramAndRunWhatItSays) {
  NEED(exit7, "exit7");
  Outcome o = warden("inspect --json " + exit7);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  auto j = nlohmann::json::parse(o.out);
  std::string run = j["requires"]["run"];
  EXPECT_EQ(run, "warden run --allow stdout,stderr,exit " + exit7);
  o = warden(run.substr(std::string("warden ").size()));
  EXPECT_EQ(o.exit_code, 7) << o.err;
}

TEST_F(Wasi, UnknownWasiFunctionsDoNotLink) {
  std::string wat =
      "(module (import \"wasi_snapshot_preview1\" \"teleport\" (func))\n"
      "  (func (export \"_start\")))\n";
  std::string m = write("t.wat", std::vector<uint8_t>(wat.begin(), wat.end()));
  Outcome o = warden("inspect " + m);
  EXPECT_NE(o.out.find("wasi_snapshot_preview1.teleport  func    [] -> []  unknown: will not link\n"),
            std::string::npos)
      << o.out;
  o = warden("run " + m);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_EQ(o.err, m + ": unlinkable: unknown import wasi_snapshot_preview1.teleport\n"
                       "hint: wasi_snapshot_preview1.teleport is not a WASI preview1 function "
                       "warden defines\n");
}

}  // namespace

TEST_F(Command, SignVerifyAndRunOnlyWhatATrustedKeySigned) {
  std::string m = write("m.wasm", kFuncs), key = (dir_ / "alice.key").string(), bob = (dir_ / "bob.key").string();
  ASSERT_EQ(warden("keygen -o " + key).exit_code, 0);
  ASSERT_EQ(warden("keygen -o " + bob).exit_code, 0);
  EXPECT_EQ(std::filesystem::file_size(key), 65u);
  EXPECT_EQ(std::filesystem::file_size(key + ".pub"), 33u);
  EXPECT_EQ(std::filesystem::status(key).permissions() & std::filesystem::perms::others_read,
            std::filesystem::perms::none);
  std::string s = (dir_ / "m.signed.wasm").string();
  ASSERT_EQ(warden("sign --key " + key + " " + m + " -o " + s).exit_code, 0);

  Outcome o = warden("verify --key " + key + ".pub " + s);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, s + ": signed by " + key + ".pub\n");
  o = warden("run --require-signature " + key + ".pub " + s + " --invoke add i32:2 i32:3");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "i32:5\n");

  // Another key, no signature, a flipped byte: refused with exit 5, and
  // the module is never run.
  o = warden("run --require-signature " + bob + ".pub " + s + " --invoke add i32:2 i32:3");
  EXPECT_EQ(o.exit_code, 5);
  EXPECT_EQ(o.err, s + ": signature refused: no signature by a trusted key\n");
  EXPECT_EQ(o.out, "");
  o = warden("run --require-signature " + key + ".pub " + m + " --invoke add i32:2 i32:3");
  EXPECT_EQ(o.exit_code, 5);
  EXPECT_EQ(o.err, m + ": signature refused: module is not signed (no signature section first, and no detached "
                       "signature given)\n");
  std::string raw = slurp(s);
  std::vector<uint8_t> tampered(raw.begin(), raw.end());
  tampered[tampered.size() - 2] ^= 0x01;
  std::string t = write("t.wasm", tampered);
  o = warden("verify --key " + key + ".pub " + t);
  EXPECT_EQ(o.exit_code, 5);
  EXPECT_EQ(o.err, t + ": signature refused: module content does not match its signature (part 1 of 1)\n");

  // Detached, and trusted through the policy file.
  std::string sig = (dir_ / "m.sig").string();
  ASSERT_EQ(warden("sign --key " + bob + " " + m + " --detached " + sig).exit_code, 0);
  std::ofstream(dir_ / "p.toml") << "[trust]\nrequire_signature = [\"alice.key.pub\", \"bob.key.pub\"]\n";
  o = warden("run --policy " + (dir_ / "p.toml").string() + " --signature " + sig + " " + m +
             " --invoke add i32:1 i32:1");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "i32:2\n");
  o = warden("run --signature " + sig + " " + m + " --invoke add i32:1 i32:1");
  EXPECT_EQ(o.exit_code, 64);
}

TEST_F(Command, ATextModuleCannotCarryASignature) {
  std::string key = (dir_ / "k.key").string();
  ASSERT_EQ(warden("keygen -o " + key).exit_code, 0);
  std::ofstream(dir_ / "m.wat") << "(module (func (export \"f\") (result i32) i32.const 1))";
  Outcome o = warden("run --require-signature " + key + ".pub " + (dir_ / "m.wat").string() + " --invoke f");
  EXPECT_EQ(o.exit_code, 64);
  EXPECT_EQ(o.err, "warden run: " + (dir_ / "m.wat").string() +
                       ": a text module cannot carry a signature (sign and run the binary)\n");
}

// --metrics passes `promtool check metrics` (Debian `prometheus`, installed
// by scripts/setup) and says what happened; --log-json is one JSON object a
// line, in the documented order.
TEST_F(Command, MetricsPassPromtoolAndEventsParse) {
  if (access("/usr/bin/promtool", X_OK) != 0) GTEST_SKIP() << "promtool not installed (bash scripts/setup)";
  std::string m = write("m.wasm", kFuncs), metrics = (dir_ / "m.prom").string(), log = (dir_ / "ev.jsonl").string();
  Outcome o = warden("run " + m + " --invoke div i32:7 i32:0 --metrics " + metrics + " --log-json " + log);
  EXPECT_EQ(o.exit_code, 2);
  std::string text = slurp(metrics);
  EXPECT_NE(text.find("# TYPE warden_runs_total counter\nwarden_runs_total{module=\"" + m + "\",outcome=\"trap\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("warden_traps_total{module=\"" + m + "\",kind=\"integer divide by zero\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("warden_invocations_total{module=\"" + m + "\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("warden_memory_peak_bytes{module=\"" + m + "\"} 65536\n"), std::string::npos) << text;
  EXPECT_NE(text.find("warden_load_threads{module=\"" + m + "\"} 1\n"), std::string::npos) << text;
  Outcome check = warden_shell("/usr/bin/promtool check metrics < " + metrics);
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;

  // A refused signature is an event and an outcome too (appended).
  std::string key = (dir_ / "k.key").string();
  ASSERT_EQ(warden("keygen -o " + key).exit_code, 0);
  o = warden("run " + m + " --invoke add i32:1 i32:2 --require-signature " + key + ".pub --metrics " + metrics +
             " --log-json " + log);
  EXPECT_EQ(o.exit_code, 5);
  EXPECT_NE(slurp(metrics).find("outcome=\"unsigned\"} 1\n"), std::string::npos);
  check = warden_shell("/usr/bin/promtool check metrics < " + metrics);
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;

  std::vector<std::string> events;
  std::istringstream lines(slurp(log));
  for (std::string line; std::getline(lines, line);) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    EXPECT_EQ(j.value("module", ""), m);
    std::string time = j.value("time", "");
    EXPECT_EQ(time.size(), 30u) << time;  // 2026-12-05T03:04:05.123456789Z
    EXPECT_EQ(time.back(), 'Z');
    events.push_back(j.value("event", ""));
    if (events.back() == "module_loaded") {
      EXPECT_EQ(j.value("sha256", "").size(), 64u);
    } else if (events.back() == "trap") {
      EXPECT_EQ(j.value("message", ""), "integer divide by zero");
    } else if (events.back() == "signature_failed") {
      EXPECT_EQ(j.value("reason", ""),
                "module is not signed (no signature section first, and no detached signature given)");
    }
  }
  EXPECT_EQ(events,
            (std::vector<std::string>{"module_loaded", "trap", "instance_exit", "signature_failed", "instance_exit"}));
}

// --otel-file: one OTLP/JSON trace a line, a root span and one child per
// phase, valid ids, times in order.
TEST_F(Command, OtelTraceHasASpanPerPhase) {
  std::string m = write("m.wasm", kFuncs), file = (dir_ / "t.otlp").string();
  ASSERT_EQ(warden("run " + m + " --invoke add i32:1 i32:2 --otel-file " + file).exit_code, 0);
  ASSERT_EQ(warden("run " + m + " --invoke div i32:1 i32:0 --otel-file " + file).exit_code, 2);
  std::istringstream lines(slurp(file));
  std::vector<nlohmann::json> traces;
  for (std::string line; std::getline(lines, line);) traces.push_back(nlohmann::json::parse(line, nullptr, false));
  ASSERT_EQ(traces.size(), 2u);
  auto hex = [](const std::string& s, size_t n) {
    return s.size() == n && s.find_first_not_of("0123456789abcdef") == std::string::npos &&
           s.find_first_not_of('0') != std::string::npos;
  };
  std::vector<std::string> trace_ids;
  for (const nlohmann::json& t : traces) {
    ASSERT_TRUE(t.is_object());
    const nlohmann::json& rs = t["resourceSpans"][0];
    EXPECT_EQ(rs["resource"]["attributes"][0]["key"], "service.name");
    const nlohmann::json& spans = rs["scopeSpans"][0]["spans"];
    ASSERT_EQ(spans.size(), 5u);  // run; read, load, instantiate, invoke
    const nlohmann::json& root = spans[0];
    EXPECT_EQ(root["name"], "warden.run");
    EXPECT_TRUE(hex(root["traceId"], 32)) << root["traceId"];
    EXPECT_TRUE(hex(root["spanId"], 16)) << root["spanId"];
    trace_ids.push_back(root["traceId"]);
    std::vector<std::string> names;
    uint64_t last_end = 0;
    for (size_t i = 1; i < spans.size(); ++i) {
      const nlohmann::json& s = spans[i];
      names.push_back(s["name"]);
      EXPECT_EQ(s["traceId"], root["traceId"]);
      EXPECT_EQ(s["parentSpanId"], root["spanId"]);
      EXPECT_TRUE(hex(s["spanId"], 16));
      uint64_t start = std::stoull(s["startTimeUnixNano"].get<std::string>());
      uint64_t end = std::stoull(s["endTimeUnixNano"].get<std::string>());
      EXPECT_LE(start, end);
      EXPECT_LE(last_end, start);
      last_end = end;
    }
    EXPECT_EQ(names, (std::vector<std::string>{"warden.read", "warden.load", "warden.instantiate", "warden.invoke"}));
  }
  EXPECT_NE(trace_ids[0], trace_ids[1]);
  EXPECT_EQ(traces[0]["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["status"]["code"], 1);
  const nlohmann::json& failed = traces[1]["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["status"];
  EXPECT_EQ(failed["code"], 2);
  EXPECT_EQ(failed["message"], "trap: integer divide by zero");
}

// wast and diff write their figures in the same format.
TEST_F(Command, WastAndDiffMetricsPassPromtool) {
  if (access("/usr/bin/promtool", X_OK) != 0) GTEST_SKIP() << "promtool not installed (bash scripts/setup)";
  std::ofstream(dir_ / "t.wast") << "(module (func (export \"f\") (result i32) i32.const 7))\n"
                                    "(assert_return (invoke \"f\") (i32.const 7))\n"
                                    "(assert_return (invoke \"f\") (i32.const 8))\n";
  std::string metrics = (dir_ / "w.prom").string();
  Outcome o = warden("wast " + (dir_ / "t.wast").string() + " --metrics " + metrics);
  EXPECT_EQ(o.exit_code, 1);
  std::string text = slurp(metrics);
  EXPECT_NE(text.find("warden_wast_commands_total{file=\"t.wast\",result=\"passed\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("warden_wast_commands_total{file=\"t.wast\",result=\"failed\"} 1\n"), std::string::npos) << text;
  Outcome check = warden_shell("/usr/bin/promtool check metrics < " + metrics);
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;

  metrics = (dir_ / "d.prom").string();
  o = warden("diff --cycles 1 --engines warden,wabt --generator own --batch 4 --findings " + (dir_ / "f").string() +
             " --metrics " + metrics);
  ASSERT_NE(o.exit_code, 64) << o.out << o.err;
  text = slurp(metrics);
  EXPECT_NE(text.find("warden_diff_inputs_total{kind=\"generated\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("warden_diff_engine_inputs_total{engine=\"warden\"} "), std::string::npos) << text;
  check = warden_shell("/usr/bin/promtool check metrics < " + metrics);
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

// `warden serve` execs warden-serve from its own directory: the options and
// --help are the server's, and without it the command says what is missing.
TEST_F(Command, ServeRunsTheServerExecutableBesideWarden) {
  Outcome help = warden("serve --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--route"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("See docs/serve.md."), std::string::npos) << help.out;
  const std::filesystem::path alone = dir_ / "alone";
  std::filesystem::create_directories(alone);
  std::filesystem::copy_file(warden_, alone / "warden");
  Outcome o = warden_shell((alone / "warden").string() + " serve --route /x=y.wasm");
  EXPECT_EQ(o.exit_code, 64);
  EXPECT_NE(o.err.find("warden serve: cannot run " + (alone / "warden-serve").string() + ": No such file or directory"),
            std::string::npos)
      << o.err;
}

// warden serve: WAGI request in, response out; a trap is 500, the deadline
// 504, a failed request leaves the others alone; /healthz and /metrics.
TEST_F(Command, ServeAnswersEachRequestWithAFreshInstance) {
  auto wat = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir_ / (name + ".wat")) << text;
    EXPECT_EQ(
        warden("wat2wasm " + (dir_ / (name + ".wat")).string() + " -o " + (dir_ / (name + ".wasm")).string()).exit_code,
        0);
    return (dir_ / (name + ".wasm")).string();
  };
  // Echoes the body after a header; counts requests in a global that a
  // second request must not see (a fresh instance each time).
  std::string echo = wat("echo", R"((module
    (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 2)
    (global $seen (mut i32) (i32.const 48))
    (data (i32.const 0) "Content-Type: text/x-echo\n\n")
    (func (export "_start")
      (local $n i32) (local $total i32)
      (global.set $seen (i32.add (global.get $seen) (i32.const 1)))
      (i32.store8 (i32.const 1024) (global.get $seen))
      (local.set $total (i32.const 1))
      (block $done (loop $more
        (i32.store (i32.const 100) (i32.add (i32.const 1024) (local.get $total)))
        (i32.store (i32.const 104) (i32.sub (i32.const 60000) (local.get $total)))
        (br_if $done (call $read (i32.const 0) (i32.const 100) (i32.const 1) (i32.const 200)))
        (local.set $n (i32.load (i32.const 200)))
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $total (i32.add (local.get $total) (local.get $n)))
        (br $more)))
      (i32.store (i32.const 300) (i32.const 0)) (i32.store (i32.const 304) (i32.const 27))
      (i32.store (i32.const 308) (i32.const 1024)) (i32.store (i32.const 312) (local.get $total))
      (drop (call $write (i32.const 1) (i32.const 300) (i32.const 2) (i32.const 400))))))");
  std::string loop = wat("loop", "(module (func (export \"_start\") (loop (br 0))))");
  std::string trap = wat("trap", "(module (func (export \"_start\") unreachable))");
  std::string log = (dir_ / "serve.log").string(), pid = (dir_ / "serve.pid").string();
  std::system((warden_.string() + " serve --port 0 --workers 2 --timeout-ms 200 --route /echo=" + echo +
               " --route /loop=" + loop + " --route /trap=" + trap + " >" + log + " 2>&1 & echo $! >" + pid)
                  .c_str());
  int port = 0;
  for (int i = 0; i < 100 && !port; ++i) {
    std::string text = slurp(log);
    size_t at = text.find("127.0.0.1:");
    if (at != std::string::npos) port = std::atoi(text.c_str() + at + 10);
    if (!port) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const pid_t server = std::atoi(slurp(pid).c_str());
  ASSERT_GT(port, 0) << slurp(log);
  httplib::Client http("127.0.0.1", port);
  auto r = http.Post("/echo?x=1", "hello", "text/plain");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "1hello");  // the global started at '0': this instance saw one request
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/x-echo");
  r = http.Get("/loop");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 504);
  EXPECT_EQ(r->body.rfind("exhausted: ", 0), 0u) << r->body;
  r = http.Get("/trap");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, "trap: unreachable\n");
  r = http.Post("/echo", "again", "text/plain");  // a fresh instance: '1' again
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->body, "1again");
  r = http.Get("/healthz");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->body, "ok\n");
  r = http.Get("/metrics");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_NE(r->body.find("warden_serve_requests_total{route=\"/echo\",status=\"200\"} 2\n"), std::string::npos)
      << r->body;
  EXPECT_NE(r->body.find("warden_serve_requests_total{route=\"/loop\",status=\"504\"} 1\n"), std::string::npos);
  if (access("/usr/bin/promtool", X_OK) == 0) {
    std::ofstream(dir_ / "s.prom") << r->body;
    EXPECT_EQ(warden_shell("/usr/bin/promtool check metrics < " + (dir_ / "s.prom").string()).exit_code, 0);
  }
  ::kill(server, SIGTERM);

  // A module that does not verify stops the server before it listens.
  std::string key = (dir_ / "k.key").string();
  ASSERT_EQ(warden("keygen -o " + key).exit_code, 0);
  Outcome o = warden("serve --port 0 --route /echo=" + echo + " --require-signature " + key + ".pub");
  EXPECT_EQ(o.exit_code, 5);
  EXPECT_NE(o.err.find("warden serve: not starting: " + echo + " is not signed by a trusted key"), std::string::npos)
      << o.err;
}
