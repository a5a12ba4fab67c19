// Every run-time limit (warden::Limits) ends a hostile run with Exhaustion
// and its message, promptly, and leaves the store usable. Fuel is exact.
// Modules are built by wasm_builder.hpp; each body is raw bytes with its WAT.
#include <gtest/gtest.h>

#include <chrono>

#include "harness.hpp"
#include "warden/host.hpp"
#include "warden/warden.hpp"
#include "wasm_builder.hpp"

namespace {

using namespace warden;
using wasm_builder::Bytes;
using wasm_builder::cat;
using wasm_builder::i32_const;
using wasm_builder::local_get;
using VT = ValType;
using Results = Result<std::vector<Value>>;
using Clock = std::chrono::steady_clock;

Value i32v(int32_t v) { return Value::i32(static_cast<uint32_t>(v)); }

void expect_exhausted(const Results& r, std::string_view message) {
  ASSERT_FALSE(r.ok()) << "expected exhaustion: " << message;
  EXPECT_EQ(r.error().kind, ErrorKind::Exhaustion) << r.error().message;
  EXPECT_EQ(r.error().message, message);
}

// (module
//   (memory 1)
//   (table 0 funcref)
//   (func (export "spin") (loop br 0))
//   (func (export "count") (param i32)                 ;; n loop iterations, n >= 1
//     (loop local.get 0 i32.const 1 i32.sub local.tee 0 br_if 0))
//   (func $rec (export "rec") call $rec)
//   (func $depth (export "depth") (param i32) (result i32)   ;; n + 1 frames
//     local.get 0 i32.eqz
//     (if (result i32) (then i32.const 0)
//       (else local.get 0 i32.const 1 i32.sub call $depth i32.const 1 i32.add)))
//   (func (export "grow_all") (result i32)              ;; memory.grow 1 until -1
//     (loop i32.const 1 memory.grow i32.const -1 i32.ne br_if 0)
//     memory.size)
//   (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
//   (func (export "table_grow_all") (result i32)
//     (loop ref.null func i32.const 7 table.grow 0 i32.const -1 i32.ne br_if 0)
//     table.size 0)
//   (func (export "many_locals") (local i64 x 2000)))
Bytes limits_module() {
  wasm_builder::Module m;
  uint32_t v = m.type({}, {});
  uint32_t i = m.type({VT::I32}, {});
  uint32_t i_i = m.type({VT::I32}, {VT::I32});
  uint32_t v_i = m.type({}, {VT::I32});
  m.memory(1);
  m.table(VT::FuncRef, 0);
  m.export_func("spin", m.func(v, {0x03, 0x40, 0x0C, 0x00, 0x0B}));
  m.export_func("count",
                m.func(i, cat({{0x03, 0x40, 0x20, 0x00}, i32_const(1), {0x6B, 0x22, 0x00, 0x0D, 0x00, 0x0B}})));
  uint32_t rec = 2;
  m.export_func("rec", m.func(v, wasm_builder::call(rec)));
  uint32_t depth = 3;
  m.export_func("depth", m.func(i_i, cat({{0x20, 0x00, 0x45, 0x04, 0x7F},
                                          i32_const(0),
                                          {0x05, 0x20, 0x00},
                                          i32_const(1),
                                          {0x6B},
                                          wasm_builder::call(depth),
                                          i32_const(1),
                                          {0x6A, 0x0B}})));
  m.export_func(
      "grow_all",
      m.func(v_i,
             cat({{0x03, 0x40}, i32_const(1), {0x40, 0x00}, i32_const(-1), {0x47, 0x0D, 0x00, 0x0B, 0x3F, 0x00}})));
  m.export_func("grow", m.func(i_i, {0x20, 0x00, 0x40, 0x00}));
  m.export_func("table_grow_all", m.func(v_i, cat({{0x03, 0x40, 0xD0, 0x70},
                                                   i32_const(7),
                                                   {0xFC, 0x0F, 0x00},
                                                   i32_const(-1),
                                                   {0x47, 0x0D, 0x00, 0x0B, 0xFC, 0x10, 0x00}})));
  m.export_func("many_locals", m.func(v, {}, {{2000, VT::I64}}));
  return m.build();
}

/// The limits module in a store with `limits`.
struct Harness : test_harness::Harness {
  explicit Harness(Limits limits = {}) : test_harness::Harness(limits_module(), {}, limits) {}
};

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// -------------------------------------------------------------- fuel ----

TEST(Limits, FuelStopsAnInfiniteLoop) {
  Limits l;
  l.fuel = 1000;
  Harness h(l);
  expect_exhausted(h.call("spin"), "fuel exhausted");
  EXPECT_EQ(h.store.fuel_consumed(), 1000u);
  // Out of fuel stays out of fuel, and spends nothing more.
  expect_exhausted(h.call("count", {i32v(1)}), "fuel exhausted");
  EXPECT_EQ(h.store.fuel_consumed(), 1000u);
  // Refuelled, the store works again.
  h.store.set_fuel(50);
  EXPECT_EQ(h.store.fuel_consumed(), 0u);
  ASSERT_TRUE(h.call("count", {i32v(10)}).ok());
  EXPECT_EQ(h.store.fuel_consumed(), 11u);
  expect_exhausted(h.call("spin"), "fuel exhausted");
  EXPECT_EQ(h.store.fuel_consumed(), 50u);
}

TEST(Limits, FuelIsExact) {
  Harness h;  // unlimited: still counted
  uint64_t before = h.store.fuel_consumed();
  ASSERT_TRUE(h.call("count", {i32v(1000)}).ok());
  EXPECT_EQ(h.store.fuel_consumed() - before, 1001u);  // entry + one per iteration
  before = h.store.fuel_consumed();
  ASSERT_TRUE(h.call("depth", {i32v(10)}).ok());
  EXPECT_EQ(h.store.fuel_consumed() - before, 11u);  // one per function entry

  // With exactly enough fuel the call succeeds; one unit less and it does not.
  for (uint64_t n : {1u, 2u, 4095u, 4096u, 5000u}) {
    h.store.set_fuel(n + 1);
    ASSERT_TRUE(h.call("count", {i32v(static_cast<int32_t>(n))}).ok()) << n;
    EXPECT_EQ(h.store.fuel_consumed(), n + 1);
    h.store.set_fuel(n);
    expect_exhausted(h.call("count", {i32v(static_cast<int32_t>(n))}), "fuel exhausted");
    EXPECT_EQ(h.store.fuel_consumed(), n);
  }
}

TEST(Limits, FuelIsExactUnderADeadline) {
  Limits l;
  l.timeout_ms = 60'000;  // chunks of 4096 units between clock reads
  Harness h(l);
  h.store.set_fuel(0);
  ASSERT_TRUE(h.call("count", {i32v(10'000)}).ok());
  EXPECT_EQ(h.store.fuel_consumed(), 10'001u);
  h.store.set_fuel(9'000);
  expect_exhausted(h.call("count", {i32v(10'000)}), "fuel exhausted");
  EXPECT_EQ(h.store.fuel_consumed(), 9'000u);
}

// ---------------------------------------------------------- deadline ----

TEST(Limits, DeadlineStopsAnInfiniteLoop) {
  Limits l;
  l.timeout_ms = 50;
  Harness h(l);
  for (int i = 0; i < 2; ++i) {  // each invoke gets its own deadline
    Clock::time_point start = Clock::now();
    expect_exhausted(h.call("spin"), "deadline exceeded");
    double took = seconds_since(start);
    EXPECT_GE(took, 0.045);
    EXPECT_LT(took, 5.0);
  }
  ASSERT_TRUE(h.call("count", {i32v(5)}).ok());
}

// ------------------------------------------------------- call stack ----

TEST(Limits, UnboundedRecursionIsExhaustion) {
  Harness h;  // default limits
  Clock::time_point start = Clock::now();
  expect_exhausted(h.call("rec"), "call stack exhausted");
  EXPECT_LT(seconds_since(start), 5.0);
  // Frames were unwound: a deep but legal call still works, twice.
  for (int i = 0; i < 2; ++i) {
    Results r = h.call("depth", {i32v(1000)});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ((*r)[0], i32v(1000));
  }
}

TEST(Limits, CallDepthIsExact) {
  Limits l;
  l.max_call_depth = 100;
  Harness h(l);
  ASSERT_TRUE(h.call("depth", {i32v(99)}).ok());  // 100 frames
  expect_exhausted(h.call("depth", {i32v(100)}), "call stack exhausted");
}

TEST(Limits, StackSlots) {
  Limits l;
  l.max_stack_slots = 1000;
  Harness h(l);
  expect_exhausted(h.call("many_locals"), "call stack exhausted");  // 2000 slots of locals
  expect_exhausted(h.call("depth", {i32v(1000)}), "call stack exhausted");
  ASSERT_TRUE(h.call("depth", {i32v(10)}).ok());
}

TEST(Limits, HostReentryIsBounded) {
  // (module
  //   (import "host" "f" (func $f))
  //   (func (export "g") call $f))        ;; the host calls g again, forever
  wasm_builder::Module b;
  uint32_t v = b.type({}, {});
  uint32_t f = b.import_func("host", "f", v);
  b.export_func("g", b.func(v, wasm_builder::call(f)));
  Store s;
  FuncInst* g = nullptr;
  FuncInst* host = s.create_host_func({}, [&](Caller&, std::span<const Value>, std::span<Value>) -> Result<void> {
    auto r = s.invoke(g, {});
    if (!r) return r.error();
    return {};
  });
  std::vector<Extern> imp{Extern::of(host)};
  auto inst = s.instantiate(Module::load(b.build()).value(), imp);
  ASSERT_TRUE(inst.ok());
  g = (*inst)->find_export("g")->func;
  expect_exhausted(s.invoke(g, {}), "call stack exhausted");
}

// ------------------------------------------------------------ memory ----

TEST(Limits, MemoryGrowBombStaysBounded) {
  Limits l;
  l.max_memory_bytes = 64 * 65536;  // 4 MiB
  Harness h(l);
  Results r = h.call("grow_all");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0], i32v(64));
  EXPECT_EQ(h.call("grow", {i32v(0)}).value()[0], i32v(64));
  EXPECT_EQ(h.call("grow", {i32v(1)}).value()[0], i32v(-1));
  EXPECT_EQ(h.call("grow", {i32v(-1)}).value()[0], i32v(-1));
}

TEST(Limits, MemoryGrowWithinTheDefaultLimit) {
  Harness h;
  EXPECT_EQ(h.call("grow", {i32v(65536)}).value()[0], i32v(-1));  // 65537 pages > 4 GiB
  EXPECT_EQ(h.call("grow", {i32v(1023)}).value()[0], i32v(1));    // to 64 MiB
  EXPECT_EQ(h.call("grow", {i32v(0)}).value()[0], i32v(1024));
}

// Spec 3.2.4, 4.5.3.8: 65536 pages (4 GiB) is the largest memory; the
// default limit allows exactly that. The pages are address space only.
TEST(Limits, MemoryGrowsToExactly65536Pages) {
  Harness h;
  EXPECT_EQ(h.call("grow", {i32v(65535)}).value()[0], i32v(1));
  EXPECT_EQ(h.call("grow", {i32v(0)}).value()[0], i32v(65536));
  EXPECT_EQ(h.call("grow", {i32v(1)}).value()[0], i32v(-1));
}

TEST(Limits, TableGrowBombStaysBounded) {
  Limits l;
  l.max_table_elements = 1000;
  Harness h(l);
  Results r = h.call("table_grow_all");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0], i32v(994));  // 142 grows of 7; a 143rd would pass 1000
}

TEST(Limits, InstantiationChecksLimits) {
  // (module (memory 5))
  wasm_builder::Module mb;
  mb.memory(5);
  Limits l;
  l.max_memory_bytes = 4 * 65536;
  l.max_table_elements = 10;
  Store s(l);
  auto r = s.instantiate(Module::load(mb.build()).value(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Exhaustion);
  EXPECT_EQ(r.error().message, "memory size exceeds limits.max_memory_bytes");
  // (module (table 11 funcref))
  wasm_builder::Module tb;
  tb.table(VT::FuncRef, 11);
  r = s.instantiate(Module::load(tb.build()).value(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Exhaustion);
  EXPECT_EQ(r.error().message, "table size exceeds limits.max_table_elements");
}

}  // namespace
