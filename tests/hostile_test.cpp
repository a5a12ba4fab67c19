// Hostile inputs stay bounded: each test feeds Warden something built to
// exhaust it (nesting, counts, loops, growth, amplification) and checks the
// exact typed error, and that the work finished promptly and within memory.
//
// Each case runs in a forked child (run_bounded below), so that its peak RSS
// is its own (ru_maxrss is a high-water mark: in one process an earlier test
// would hide a later one), and a hang is a failure rather than a stuck test
// binary. The child reports what happened as text ("exhausted: nesting too
// deep"), its wall time and its peak RSS growth; the parent asserts on them.
//
// Modules are bytes from wasm_builder.hpp or written out by hand, with the
// WAT (or the malformed bytes' meaning) in a comment.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "warden/host.hpp"
#include "warden/script.hpp"
#include "warden/syntax.hpp"
#include "warden/text.hpp"
#include "warden/warden.hpp"
#include "wasm_builder.hpp"

namespace {

using namespace warden;
using wasm_builder::Bytes;
using wasm_builder::cat;
using wasm_builder::i32_const;
using wasm_builder::leb_u;
using VT = ValType;

// ------------------------------------------------------------ harness ----

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif
#ifdef NDEBUG
constexpr bool kOptimized = !kSanitized;
#else
constexpr bool kOptimized = false;
#endif

/// Seconds a case may take: `fast` is the bound for an optimised build
/// (several times what it needs); unoptimised and sanitized builds run the
/// interpreter and the allocator many times slower.
double time_limit(double fast) { return kOptimized ? fast : fast * 25; }

/// Peak RSS growth a case may show. ASan adds shadow memory and keeps freed
/// blocks in a quarantine (256 MiB by default), so it gets more room; both
/// are far below what any of these inputs would cost unbounded.
constexpr long kMaxRssGrowthKb = (kSanitized ? 640 : 256) * 1024;

long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

struct Outcome {
  bool finished = false;   // exited normally before the hard timeout
  std::string result;      // what the case reported
  double seconds = 0;      // its wall time
  double cpu_seconds = 0;  // its CPU time: what the bounds check, since the
                           // machines these tests run on are shared
  long rss_growth_kb = 0;  // its peak RSS above the RSS it started with
};

std::string describe(const Error& e) { return std::string(to_string(e.kind)) + ": " + e.message; }
template <class T>
std::string describe(const Result<T>& r) {
  return r ? std::string("ok") : describe(r.error());
}

/// Runs `body` in a forked child, killing it after `hard_timeout_s`.
Outcome run_bounded(const std::function<std::string()>& body, double hard_timeout_s = 600) {
  Outcome out;
  int fds[2];
  if (pipe(fds) != 0) return out;
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return out;
  if (pid == 0) {
    close(fds[0]);
    const long rss0 = peak_rss_kb();
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    std::string r = body();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    const long grown = peak_rss_kb() - rss0;
    std::string msg = std::to_string(secs) + " " + std::to_string(grown) + " " + std::to_string(cpu) + "\n" + r;
    size_t off = 0;
    while (off < msg.size()) {
      ssize_t n = write(fds[1], msg.data() + off, msg.size() - off);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string got;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(hard_timeout_s);
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[4096];
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) {  // EOF: the child is done
      int status = 0;
      waitpid(pid, &status, 0);
      out.finished = WIFEXITED(status) && WEXITSTATUS(status) == 0;
      break;
    }
    got.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  if (!out.finished) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return out;
  }
  const size_t nl = got.find('\n');
  if (nl == std::string::npos) return out;
  std::sscanf(got.c_str(), "%lf %ld %lf", &out.seconds, &out.rss_growth_kb, &out.cpu_seconds);
  out.result = got.substr(nl + 1);
  return out;
}

/// The common assertions: finished, said `want`, within `seconds` of CPU time (an
/// optimised-build bound, see time_limit) and kMaxRssGrowthKb.
void expect_bounded(const Outcome& o, const std::string& want, double seconds, long max_rss_kb = kMaxRssGrowthKb) {
  ASSERT_TRUE(o.finished) << "the case crashed or did not finish";
  EXPECT_EQ(o.result, want);
  EXPECT_LT(o.cpu_seconds, time_limit(seconds)) << o.result;
  EXPECT_LT(o.rss_growth_kb, max_rss_kb) << o.result;
  std::printf("    [%s] %.3f s (%.3f s CPU), +%ld MiB peak RSS\n", o.result.c_str(), o.seconds, o.cpu_seconds,
              o.rss_growth_kb / 1024);
}

std::string load(const Bytes& bin, const Limits& limits = {}) { return describe(Module::load(bin, limits)); }

/// Loads, instantiates (no imports) and invokes the export `name`.
std::string run(const Bytes& bin, std::string_view name, std::vector<Value> args = {}, const Limits& limits = {}) {
  auto m = Module::load(bin, limits);
  if (!m) return "load " + describe(m.error());
  Store s(limits);
  auto inst = s.instantiate(m.value(), {});
  if (!inst) return "instantiate " + describe(inst.error());
  auto r = s.invoke((*inst)->find_export(name)->func, args);
  if (!r) return describe(r.error());
  std::string out = "ok";
  for (const Value& v : *r) out += " " + std::to_string(static_cast<int64_t>(static_cast<int32_t>(v.as_i32())));
  return out;
}

const Bytes kHeader{0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};

/// A module of the header and one raw section.
Bytes with_section(uint8_t id, const Bytes& contents) { return cat({kHeader, {id}, leb_u(contents.size()), contents}); }

/// (module (type (func)) (func (type 0) <locals> <body>)) with raw body bytes
/// (the final `end` included) and raw local declarations.
Bytes one_func(const Bytes& locals, const Bytes& body) {
  Bytes code = cat({locals, body});
  return cat({kHeader,
              {0x01, 0x04, 0x01, 0x60, 0x00, 0x00},  // type section: (func)
              {0x03, 0x02, 0x01, 0x00},              // function section: type 0
              {0x0A},
              leb_u(code.size() + 1 + leb_u(code.size()).size()),
              {0x01},
              leb_u(code.size()),
              code});
}

// ----------------------------------------------------------- nesting ----

// A million nested blocks: 3 MB of (block (block ...)) that V8 accepts (its
// body limit is 7.6 MB), so Warden does too: the decoder and the validator
// keep their stacks on the heap. A tightened Limits::max_nesting refuses it.
TEST(Hostile, MillionNestedBlocks) {
  constexpr size_t kDepth = 1'000'000;
  Bytes body;
  for (size_t i = 0; i < kDepth; ++i) body.insert(body.end(), {0x02, 0x40});  // block
  body.insert(body.end(), kDepth + 1, 0x0B);                                  // end ...
  const Bytes bin = one_func({0x00}, body);
  expect_bounded(run_bounded([&] { return load(bin); }), "ok", 2);
  Limits tight;
  tight.max_nesting = 10'000;
  expect_bounded(run_bounded([&] { return load(bin, tight); }), "exhausted: nesting too deep", 2);
  // The same in the text format: the parser keeps its frames on the heap;
  // tokens, frames and the tree cost ~40 bytes per byte of this 8 MB text.
  std::string wat = "(module (func";
  for (size_t i = 0; i < kDepth; ++i) wat += " (block";
  wat += std::string(kDepth, ')') + "))";
  expect_bounded(run_bounded([&] {
                   auto b = wat_to_wasm(wat);
                   if (!b) return describe(b.error());
                   return load(*b, tight);
                 }),
                 "exhausted: nesting too deep", 4, kMaxRssGrowthKb + 256 * 1024);
}

// What the web loads, Warden loads and runs: 100,000 nested blocks and
// 50,000 nested ifs (each taken), around a constant result.
TEST(Hostile, WebScaleNestingLoadsAndRuns) {
  wasm_builder::Module blocks;
  Bytes body;
  for (int i = 0; i < 100'000; ++i) body.insert(body.end(), {0x02, 0x40});  // block
  body.insert(body.end(), 100'000, 0x0B);
  body.insert(body.end(), {0x41, 0x05});  // i32.const 5
  blocks.export_func("f", blocks.func(blocks.type({}, {ValType::I32}), body));
  expect_bounded(run_bounded([&] { return run(blocks.build(), "f"); }), "ok 5", 2);

  wasm_builder::Module ifs;
  body.clear();
  for (int i = 0; i < 50'000; ++i) body.insert(body.end(), {0x20, 0x00, 0x04, 0x40});  // local.get 0 if
  body.insert(body.end(), 50'000, 0x0B);
  body.insert(body.end(), {0x41, 0x07});  // i32.const 7
  ifs.export_func("f", ifs.func(ifs.type({ValType::I32}, {ValType::I32}), body));
  expect_bounded(run_bounded([&] { return run(ifs.build(), "f", {Value::i32(1)}); }), "ok 7", 2);
}

// Printing nests too: every line is indented by its depth only up to a cap,
// or a million nested blocks would print a terabyte.
TEST(Hostile, MillionNestedBlocksPrint) {
  constexpr size_t kDepth = 1'000'000;
  Bytes body;
  for (size_t i = 0; i < kDepth; ++i) body.insert(body.end(), {0x02, 0x40});
  body.insert(body.end(), kDepth + 1, 0x0B);
  const Bytes bin = one_func({0x00}, body);
  expect_bounded(run_bounded([&] {
                   auto t = wasm_to_wat(bin);
                   if (!t) return describe(t.error());
                   return t->size() < (size_t{128} << 20) ? std::string("printed") : "huge";
                 }),
                 "printed", 4, kMaxRssGrowthKb + 128 * 1024);
}

// ------------------------------------------------------------ locals ----

// (local i32 x 4294967295): five bytes that would be 32 GiB of zeroed
// locals. Over 2^32 in total is malformed (spec 5.5.13); anything over
// limits.max_locals is Warden's limit.
TEST(Hostile, FourBillionLocals) {
  const Bytes huge{0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F};  // one decl: 2^32-1 x i32
  expect_bounded(run_bounded([&] { return load(one_func(huge, {0x0B})); }), "exhausted: too many locals", 1);
  const Bytes over{0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F, 0x01, 0x7E};  // + 1 x i64
  expect_bounded(run_bounded([&] { return load(one_func(over, {0x0B})); }), "malformed: too many locals", 1);
  // With the limit lifted, the validator's own bound (2^28) still holds.
  Limits lifted;
  lifted.max_locals = UINT32_MAX;
  expect_bounded(run_bounded([&] { return load(one_func(huge, {0x0B}), lifted); }), "exhausted: too many locals", 1);
}

// 200,000 functions of 50,000 locals each (the limit): 10^10 locals in 1.6 MB.
// Validation works on the declarations, not on one entry per local.
TEST(Hostile, ManyFunctionsWithMaxLocals) {
  wasm_builder::Module m;
  const uint32_t v = m.type({}, {});
  for (int i = 0; i < 200'000; ++i) m.func(v, {}, {{50'000, VT::I32}});
  // The last one also uses its last local: (local.set 49999 (i32.const 1)).
  m.export_func("f", m.func(v, cat({i32_const(1), {0x21}, leb_u(49'999)}), {{50'000, VT::I32}}));
  const Bytes bin = m.build();
  expect_bounded(run_bounded([&] { return run(bin, "f"); }), "ok", 2);
}

// --------------------------------------------------------- vector counts ----

// Counts that claim far more items than bytes remain are rejected before
// anything is allocated for them (spec 5.1.3, "length out of bounds").
TEST(Hostile, VectorCountPastTheEnd) {
  const Bytes count{0xFF, 0xFF, 0xFF, 0xFF, 0x0F};  // 2^32 - 1
  struct Case {
    const char* what;
    Bytes bin;
    const char* want;
  } cases[] = {
      {"types", with_section(1, count), "malformed: length out of bounds"},
      {"imports", with_section(2, count), "malformed: length out of bounds"},
      {"functions", with_section(3, count), "malformed: length out of bounds"},
      {"exports", with_section(7, count), "malformed: length out of bounds"},
      {"elements", with_section(9, cat({{0x01, 0x01, 0x00}, count})), "malformed: length out of bounds"},
      {"data bytes", with_section(11, cat({{0x01, 0x01}, count})), "malformed: length out of bounds"},
      {"func params", with_section(1, cat({{0x01, 0x60}, count})), "malformed: length out of bounds"},
      {"name", with_section(0, count), "malformed: length out of bounds"},
      {"br_table", one_func({0x00}, cat({{0x41, 0x00, 0x0E}, count, {0x00, 0x0B}})), "malformed: length out of bounds"},
      {"select types", one_func({0x00}, cat({{0x1C}, count, {0x7F, 0x0B}})), "malformed: length out of bounds"},
      {"locals", one_func(count, {0x0B}), "malformed: length out of bounds"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    expect_bounded(run_bounded([&] { return load(c.bin); }), c.want, 1);
  }
}

// A data segment that claims 4 GiB of bytes, a data count of 4 billion, and
// an active segment placed at the top of the address space.
TEST(Hostile, HugeDataSegmentClaims) {
  // (data (i32.const 0) <2^32-1 bytes>) with 3 bytes present.
  const Bytes claim = with_section(11, {0x01, 0x00, 0x41, 0x00, 0x0B, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 1, 2, 3});
  expect_bounded(run_bounded([&] { return load(claim); }), "malformed: length out of bounds", 1);
  // (datacount 4294967295) and no data section.
  const Bytes count = with_section(12, {0xFF, 0xFF, 0xFF, 0xFF, 0x0F});
  expect_bounded(run_bounded([&] { return load(count); }),
                 "malformed: data count and data section have inconsistent lengths", 1);
  // (memory 1) (data (i32.const -1) "x"): the offset is checked in 64 bits.
  wasm_builder::Module m;
  m.memory(1);
  m.data_active(i32_const(-1), {'x'});
  const Bytes top = m.build();
  expect_bounded(run_bounded([&] {
                   auto mod = Module::load(top);
                   Store s;
                   return describe(s.instantiate(mod.value(), {}));
                 }),
                 "uninstantiable: out of bounds memory access", 1);
}

// ---------------------------------------------------------- execution ----

// (func (export "spin") (loop br 0))
Bytes spin_module() {
  wasm_builder::Module m;
  m.export_func("spin", m.func(m.type({}, {}), {0x03, 0x40, 0x0C, 0x00, 0x0B}));
  return m.build();
}

TEST(Hostile, InfiniteLoopUnderFuel) {
  Limits l;
  l.fuel = 10'000'000;
  expect_bounded(run_bounded([&] { return run(spin_module(), "spin", {}, l); }), "exhausted: fuel exhausted", 2);
}

TEST(Hostile, InfiniteLoopUnderADeadline) {
  Limits l;
  l.timeout_ms = 100;
  const Outcome o = run_bounded([&] { return run(spin_module(), "spin", {}, l); });
  expect_bounded(o, "exhausted: deadline exceeded", 1);
  EXPECT_GE(o.seconds, 0.1);
}

// One fuel unit may be a pass through a huge loop body, or a memory.fill of
// 64 MiB: the deadline still holds to within a few milliseconds.
TEST(Hostile, DeadlineWithHeavyIterations) {
  Limits l;
  l.timeout_ms = 100;
  // (func (export "big") (loop (i32.const 0) drop ... x 200,000 (br 0)))
  wasm_builder::Module big;
  Bytes body{0x03, 0x40};
  for (int i = 0; i < 200'000; ++i) body.insert(body.end(), {0x41, 0x00, 0x1A});
  body.insert(body.end(), {0x0C, 0x00, 0x0B});
  big.export_func("big", big.func(big.type({}, {}), body));
  const Bytes big_bin = big.build();
  expect_bounded(run_bounded([&] { return run(big_bin, "big", {}, l); }), "exhausted: deadline exceeded", 0.5);
  // (memory 1024) (func (export "fill") (loop (memory.fill (i32.const 0) (i32.const 0)
  //   (i32.const 0x4000000)) (br 0)))
  wasm_builder::Module fill;
  fill.memory(1024);
  fill.export_func(
      "fill",
      fill.func(
          fill.type({}, {}),
          cat({{0x03, 0x40}, i32_const(0), i32_const(0), i32_const(0x4000000), {0xFC, 0x0B, 0x00, 0x0C, 0x00, 0x0B}})));
  const Bytes fill_bin = fill.build();
  expect_bounded(run_bounded([&] { return run(fill_bin, "fill", {}, l); }), "exhausted: deadline exceeded", 0.5);
}

TEST(Hostile, UnboundedRecursion) {
  // (func $f (export "rec") call $f)
  wasm_builder::Module m;
  m.export_func("rec", m.func(m.type({}, {}), wasm_builder::call(0)));
  const Bytes bin = m.build();
  expect_bounded(run_bounded([&] { return run(bin, "rec"); }), "exhausted: call stack exhausted", 1);
  // (func $g (export "rec") (local v128 x 4000) call $g): the slot stack
  // (limits.max_stack_slots) runs out before the call depth does.
  wasm_builder::Module w;
  w.export_func("rec", w.func(w.type({}, {}), wasm_builder::call(0), {{4000, VT::V128}}));
  const Bytes wide = w.build();
  expect_bounded(run_bounded([&] { return run(wide, "rec"); }), "exhausted: call stack exhausted", 1);
}

// A host function that calls back into the store, which calls it again:
// the depth of such nesting, and so the host stack it takes, is capped.
TEST(Hostile, HostReentry) {
  // (import "host" "f" (func $f)) (func (export "g") call $f)
  wasm_builder::Module b;
  const uint32_t v = b.type({}, {});
  const uint32_t f = b.import_func("host", "f", v);
  b.export_func("g", b.func(v, wasm_builder::call(f)));
  const Bytes bin = b.build();
  const Outcome o = run_bounded([&] {
    Store s;
    FuncInst* g = nullptr;
    std::vector<uintptr_t> at;  // a host-stack address per level
    FuncInst* host = s.create_host_func({}, [&](Caller&, std::span<const Value>, std::span<Value>) -> Result<void> {
      int here = 0;
      at.push_back(reinterpret_cast<uintptr_t>(&here));
      auto r = s.invoke(g, {});
      if (!r) return r.error();
      return {};
    });
    std::vector<Extern> imp{Extern::of(host)};
    auto inst = s.instantiate(Module::load(bin).value(), imp);
    g = (*inst)->find_export("g")->func;
    const std::string r = describe(s.invoke(g, {}));
    const uintptr_t span = at.front() > at.back() ? at.front() - at.back() : at.back() - at.front();
    return r + ", " + std::to_string(at.size()) + " levels" +
           (span < (size_t{2} << 20) ? ", under 2 MiB of stack" : ", " + std::to_string(span) + " bytes of stack");
  });
  expect_bounded(o, "exhausted: call stack exhausted, 32 levels, under 2 MiB of stack", 1);
}

// ------------------------------------------------------------- growth ----

// (memory 0) (func (export "bomb") (result i32)
//   (loop (br_if 0 (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
//   (i32.store (i32.const 0x3FFFFFFC) (i32.const 1))       ;; last word: fine
//   (memory.fill (i32.const 0) (i32.const 1) (i32.const 0x4000000))  ;; touch 64 MiB
//   (i32.store (i32.const 0x40000000) (i32.const 1))       ;; past 1 GiB: traps
//   memory.size)
TEST(Hostile, MemoryGrowthBomb) {
  wasm_builder::Module m;
  m.memory(0);
  const Bytes body = cat({{0x03, 0x40},
                          i32_const(1),
                          {0x40, 0x00},
                          i32_const(-1),
                          {0x47, 0x0D, 0x00, 0x0B},
                          i32_const(0x3FFFFFFC),
                          i32_const(1),
                          {0x36, 0x02, 0x00},
                          i32_const(0),
                          i32_const(1),
                          i32_const(0x4000000),
                          {0xFC, 0x0B, 0x00},
                          i32_const(0x40000000),
                          i32_const(1),
                          {0x36, 0x02, 0x00},
                          {0x3F, 0x00}});
  m.export_func("bomb", m.func(m.type({}, {VT::I32}), body));
  // (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  m.export_func("grow", m.func(m.type({VT::I32}, {VT::I32}), {0x20, 0x00, 0x40, 0x00}));
  const Bytes bin = m.build();
  Limits l;
  l.max_memory_bytes = uint64_t{1} << 30;
  expect_bounded(run_bounded([&] { return run(bin, "bomb", {}, l); }), "trap: out of bounds memory access", 2,
                 192 * 1024 + (kSanitized ? 128 * 1024 : 0));
  expect_bounded(run_bounded([&] { return run(bin, "grow", {Value::i32(16385)}, l); }), "ok -1", 1);
  expect_bounded(run_bounded([&] { return run(bin, "grow", {Value::i32(0xFFFFFFFF)}, l); }), "ok -1", 1);
  // A module that asks for more up front is refused before anything is mapped.
  wasm_builder::Module big;
  big.memory(16385);
  const Bytes big_bin = big.build();
  expect_bounded(run_bounded([&] {
                   Store s(l);
                   return describe(s.instantiate(Module::load(big_bin).value(), {}));
                 }),
                 "exhausted: memory size exceeds limits.max_memory_bytes", 1);
}

// Tables are allocated and zeroed when created or grown, so their limit is
// store-wide: many tables cannot each take limits.max_table_elements.
TEST(Hostile, TableGrowthBomb) {
  // (table 10000000 funcref) x 100: 71 bytes asking for 8 GB.
  wasm_builder::Module many;
  for (int i = 0; i < 100; ++i) many.table(VT::FuncRef, 10'000'000);
  const Bytes many_bin = many.build();
  expect_bounded(run_bounded([&] {
                   Store s;
                   return describe(s.instantiate(Module::load(many_bin).value(), {}));
                 }),
                 "exhausted: tables exceed limits.max_store_table_elements", 1);
  // (table $t0..$t49 0 funcref)
  // (func $f (export "bomb") (result i32) (local $grown i32)
  //   each table: (local.set $grown (i32.add (local.get $grown)
  //     (i32.ne (table.grow $ti (ref.func $f) (i32.const 10000000)) (i32.const -1))))
  //   (local.get $grown))
  // Only the first grow fits in the store's 10M elements.
  wasm_builder::Module g;
  constexpr uint32_t kTables = 50;
  for (uint32_t i = 0; i < kTables; ++i) g.table(VT::FuncRef, 0);
  Bytes body;
  for (uint32_t i = 0; i < kTables; ++i) {
    body = cat({body,
                {0x20, 0x00, 0xD2, 0x00},
                i32_const(10'000'000),
                {0xFC, 0x0F},
                leb_u(i),
                i32_const(-1),
                {0x47, 0x6A, 0x21, 0x00}});
  }
  body = cat({body, {0x20, 0x00}});
  g.export_func("bomb", g.func(g.type({}, {VT::I32}), body, {{1, VT::I32}}));
  g.elem_declare({0});
  const Bytes g_bin = g.build();
  expect_bounded(run_bounded([&] { return run(g_bin, "bomb"); }), "ok 1", 2, (kSanitized ? 640 : 256) * 1024);
  // Host-created tables count too.
  expect_bounded(run_bounded([&] {
                   Limits l;
                   l.max_store_table_elements = 100;
                   Store s(l);
                   auto a = s.create_table(VT::FuncRef, 60, {}, Value::null(VT::FuncRef));
                   if (!a) return describe(a.error());
                   return describe(s.create_table(VT::FuncRef, 41, {}, Value::null(VT::FuncRef)));
                 }),
                 "exhausted: tables exceed limits.max_store_table_elements", 1);
}

// ------------------------------------------------------- amplification ----

// A br_table of a million targets to a label carrying 1000 values: the
// validator checks each distinct label once, not once per target.
TEST(Hostile, GiantBrTable) {
  constexpr uint32_t kTargets = 1'000'000;
  constexpr uint32_t kArity = 1'000;
  // (type $t (func (result i32 x 1000)))
  // (func (export "f") (param i32) (result i32)       ;; a reachable br_table
  //   (block (type $t) (i32.const 7) x 1000 (local.get 0)
  //     (br_table 0 0 ... 0 (1,000,000 x) 0))
  //   (drop) x 999)
  // (func (block (type $t) (unreachable)               ;; on a polymorphic stack
  //   (br_table 0 0 ... 0 (1,000,000 x) 0)) (drop) x 1000)
  wasm_builder::Module m;
  const uint32_t t = m.type({}, std::vector<VT>(kArity, VT::I32));
  const uint32_t f = m.type({VT::I32}, {VT::I32});
  Bytes body = cat({{0x02}, leb_u(t)});
  for (uint32_t i = 0; i < kArity; ++i) body = cat({body, i32_const(7)});
  body = cat({body, {0x20, 0x00, 0x0E}, leb_u(kTargets)});
  body.insert(body.end(), kTargets + 1, 0x00);
  body.push_back(0x0B);
  body.insert(body.end(), kArity - 1, 0x1A);
  m.export_func("f", m.func(f, body));
  Bytes poly = cat({{0x02}, leb_u(t), {0x00, 0x0E}, leb_u(kTargets)});
  poly.insert(poly.end(), kTargets + 1, 0x00);
  poly.push_back(0x0B);
  poly.insert(poly.end(), kArity, 0x1A);
  m.func(m.type({}, {}), poly);
  const Bytes bin = m.build();
  expect_bounded(run_bounded([&] { return run(bin, "f", {Value::i32(123456)}); }), "ok 7", 2);
}

// Blocks check every param and result of their type (spec 3.3.8): a type
// with a million params entered a million times would be 10^12 checks, so
// function types are held to limits.max_params (the JS API's 1000).
TEST(Hostile, BlockTypeArity) {
  for (const char* which : {"params", "results"}) {
    SCOPED_TRACE(which);
    wasm_builder::Module m;
    std::vector<VT> many(1001, VT::I32);
    const bool params = which[0] == 'p';
    m.type(params ? many : std::vector<VT>{}, params ? std::vector<VT>{} : many);
    const Bytes bin = m.build();
    expect_bounded(run_bounded([&] { return load(bin); }),
                   params ? "exhausted: too many parameters" : "exhausted: too many results", 1);
  }
  // At the limit: (type $t (func (param i32 x 1000) (result i32 x 1000)))
  // (func unreachable (block (type $t)) x 20,000) -- 8 * 10^7 type checks.
  wasm_builder::Module m;
  std::vector<VT> ts(1000, VT::I32);
  const uint32_t t = m.type(ts, ts);
  const uint32_t v = m.type({}, {});
  Bytes body{0x00};
  for (int i = 0; i < 20'000; ++i) body.insert(body.end(), {0x02, static_cast<uint8_t>(t), 0x0B});
  body.insert(body.end(), 1000, 0x1A);
  m.func(v, body);
  const Bytes bin = m.build();
  expect_bounded(run_bounded([&] { return load(bin); }), "ok", 1);
}

// Element segments cost a whole expression per element in the syntax tree
// (about 100 bytes per one-byte function index), so all segments of a module
// together are held to limits.max_store_table_elements.
TEST(Hostile, ElementAmplification) {
  // (func) (elem declare func 0 x 600) (elem declare func 0 x 401)
  wasm_builder::Module m;
  m.func(m.type({}, {}), {});
  m.elem_declare(std::vector<uint32_t>(600, 0));
  m.elem_declare(std::vector<uint32_t>(401, 0));
  const Bytes bin = m.build();
  Limits l;
  l.max_store_table_elements = 1000;
  expect_bounded(run_bounded([&] { return load(bin, l); }), "exhausted: too many elements", 1);
  // A tree that did not come from the decoder is held to the same limit.
  expect_bounded(run_bounded([&] {
                   auto tree = text::parse_module("(func) (elem declare func 0 0 0) (elem declare func 0 0)");
                   if (!tree) return describe(tree.error());
                   Limits small;
                   small.max_store_table_elements = 4;
                   return describe(load_syntax(std::move(tree).value(), small));
                 }),
                 "exhausted: too many elements", 1);
  // At the default limit, 10 MB of function indices (the worst case) loads
  // in about a gigabyte; one more element is refused up front.
  // (elem declare func 0 x 10,000,001), written out directly: the builder
  // is slow at this size in unoptimised builds.
  const uint64_t n = Limits{}.max_store_table_elements + 1;
  Bytes elems = cat({{0x01, 0x03, 0x00}, leb_u(n)});
  elems.insert(elems.end(), n, 0x00);
  const Bytes big_bin = with_section(9, elems);
  expect_bounded(run_bounded([&] { return load(big_bin); }), "exhausted: too many elements", 1);
}

// Local declarations print one word per local: a few bytes could ask for
// gigabytes of text, so wasm_to_wat has a budget relative to its input.
TEST(Hostile, PrintingManyLocals) {
  wasm_builder::Module m;
  const uint32_t v = m.type({}, {});
  for (int i = 0; i < 1000; ++i) m.func(v, {}, {{50'000, VT::FuncRef}});
  const Bytes bin = m.build();  // ~8 KB; 400 MB of text
  expect_bounded(run_bounded([&] { return describe(wasm_to_wat(bin)); }), "exhausted: text too large", 1);
}

// define_instance of 200,000 exports, then resolving them all.
TEST(Hostile, LinkerManyExports) {
  wasm_builder::Module m;
  const uint32_t v = m.type({}, {});
  const uint32_t f = m.func(v, {});
  std::vector<std::string> names;
  for (int i = 0; i < 200'000; ++i) names.push_back("f" + std::to_string(i));
  for (const std::string& nm : names) m.export_func(nm, f);
  const Bytes bin = m.build();
  wasm_builder::Module user;
  const uint32_t uv = user.type({}, {});
  for (const std::string& nm : names) user.import_func("m", nm, uv);
  const Bytes user_bin = user.build();
  expect_bounded(run_bounded([&] {
                   Store s;
                   auto inst = s.instantiate(Module::load(bin).value(), {});
                   Linker linker;
                   linker.define_instance("m", *inst.value());
                   auto imports = linker.resolve(*Module::load(user_bin).value());
                   if (!imports) return describe(imports.error());
                   return describe(s.instantiate(Module::load(user_bin).value(), *imports));
                 }),
                 "ok", 3);
}

// load_syntax validates any syntax tree, not only the decoder's: an
// opcode outside the table is malformed, not an out-of-bounds table read.
TEST(Hostile, SyntaxTreeWithAnUnknownOpcode) {
  ast::Module m;
  m.types.push_back({});
  ast::Function f;
  ast::Instr bad;
  bad.op = static_cast<Op>(0xFFFF);
  ast::Instr end;
  end.op = Op::End;
  f.body = {bad, end};
  m.funcs.push_back(f);
  expect_bounded(run_bounded([&] { return describe(load_syntax(m)); }), "malformed: illegal opcode", 1);
}

// The default module-size limit, and what one module of that size costs.
TEST(Hostile, ModuleSizeLimit) {
  EXPECT_EQ(Limits{}.max_module_bytes, uint64_t{64} << 20);
  expect_bounded(run_bounded([&] {
                   Bytes big(Limits{}.max_module_bytes + 1, 0);
                   return load(big);
                 }),
                 "exhausted: module too large", 1);
}

}  // namespace
