// The interpreter (engine/src/execute/): traps with their exact messages,
// control flow, calls, memory, tables, globals, v128 and deterministic NaNs.
// Modules are built by wasm_builder.hpp; each body is raw bytes with its WAT.
#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <limits>

#include "harness.hpp"
#include "warden/warden.hpp"
#include "wasm_builder.hpp"

namespace {

using namespace warden;
using wasm_builder::Bytes;
using wasm_builder::cat;
using wasm_builder::i32_const;
using wasm_builder::i64_const;
using wasm_builder::local_get;
using wasm_builder::mem_op;
using VT = ValType;
using Results = Result<std::vector<Value>>;

/// A store with one instance of `bytes`, and shorthands for single results.
struct Harness : test_harness::Harness {
  using test_harness::Harness::Harness;

  /// The single result of a successful call.
  Value value(std::string_view name, std::vector<Value> args = {}) {
    Results r = call(name, std::move(args));
    if (!r) {
      ADD_FAILURE() << name << ": " << to_string(r.error().kind) << ": " << r.error().message;
      return {};
    }
    if (r->size() != 1) {
      ADD_FAILURE() << name << ": " << r->size() << " results";
      return {};
    }
    return (*r)[0];
  }
  uint32_t i32(std::string_view name, std::vector<Value> args = {}) { return value(name, std::move(args)).as_i32(); }

  std::span<uint8_t> memory() { return store.memory_data(inst->find_export("mem")->memory); }
};

void expect_error(const Results& r, ErrorKind kind, std::string_view message) {
  ASSERT_FALSE(r.ok()) << "expected " << to_string(kind) << ": " << message;
  EXPECT_EQ(r.error().kind, kind);
  EXPECT_EQ(r.error().message, message);
}
void expect_trap(const Results& r, std::string_view message) { expect_error(r, ErrorKind::Trap, message); }

Value i32v(int32_t v) { return Value::i32(static_cast<uint32_t>(v)); }

// ------------------------------------------------------------- traps ----

// (module
//   (func (export "unreachable") unreachable)
//   (func (export "div_s") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
//   (func (export "rem_s") (param i32 i32) (result i32) local.get 0 local.get 1 i32.rem_s)
//   (func (export "div_u64") (param i64 i64) (result i64) local.get 0 local.get 1 i64.div_u)
//   (func (export "trunc") (param f32) (result i32) local.get 0 i32.trunc_f32_s))
Bytes traps_module() {
  wasm_builder::Module m;
  uint32_t v = m.type({}, {});
  uint32_t ii_i = m.type({VT::I32, VT::I32}, {VT::I32});
  uint32_t ll_l = m.type({VT::I64, VT::I64}, {VT::I64});
  uint32_t f_i = m.type({VT::F32}, {VT::I32});
  m.export_func("unreachable", m.func(v, {0x00}));
  m.export_func("div_s", m.func(ii_i, {0x20, 0x00, 0x20, 0x01, 0x6D}));
  m.export_func("rem_s", m.func(ii_i, {0x20, 0x00, 0x20, 0x01, 0x6F}));
  m.export_func("div_u64", m.func(ll_l, {0x20, 0x00, 0x20, 0x01, 0x80}));
  m.export_func("trunc", m.func(f_i, {0x20, 0x00, 0xA8}));
  return m.build();
}

TEST(Execute, TrapMessages) {
  Harness h(traps_module());
  expect_trap(h.call("unreachable"), "unreachable");
  expect_trap(h.call("div_s", {i32v(1), i32v(0)}), "integer divide by zero");
  expect_trap(h.call("div_s", {i32v(INT32_MIN), i32v(-1)}), "integer overflow");
  expect_trap(h.call("rem_s", {i32v(1), i32v(0)}), "integer divide by zero");
  expect_trap(h.call("div_u64", {Value::i64(1), Value::i64(0)}), "integer divide by zero");
  expect_trap(h.call("trunc", {Value::f32(std::numeric_limits<float>::quiet_NaN())}), "invalid conversion to integer");
  expect_trap(h.call("trunc", {Value::f32(3e9f)}), "integer overflow");
  // No trap where the spec has none.
  EXPECT_EQ(h.i32("rem_s", {i32v(INT32_MIN), i32v(-1)}), 0u);
  EXPECT_EQ(h.i32("div_s", {i32v(-7), i32v(2)}), static_cast<uint32_t>(-3));
  EXPECT_EQ(h.i32("trunc", {Value::f32(-2.9f)}), static_cast<uint32_t>(-2));
}

TEST(Execute, StoreUsableAfterTrap) {
  Harness h(traps_module());
  for (int i = 0; i < 3; ++i) {
    expect_trap(h.call("div_s", {i32v(1), i32v(0)}), "integer divide by zero");
    EXPECT_EQ(h.i32("div_s", {i32v(42), i32v(2)}), 21u);
  }
}

TEST(Execute, InvokeChecksArguments) {
  Harness h(traps_module());
  expect_error(h.call("div_s", {i32v(1)}), ErrorKind::Invalid, "type mismatch");
  expect_error(h.call("div_s", {i32v(1), Value::i64(2)}), ErrorKind::Invalid, "type mismatch");
  expect_error(h.call("unreachable", {i32v(1)}), ErrorKind::Invalid, "type mismatch");
}

// (module
//   (type $i (func (result i32)))
//   (type $ii (func (param i32) (result i32)))
//   (table 3 funcref)
//   (func $a (type $i) i32.const 42)
//   (func $b (type $ii) local.get 0)
//   (func (export "call") (param i32) (result i32) local.get 0 call_indirect (type $i))
//   (elem (i32.const 0) $a $b))
TEST(Execute, CallIndirectTraps) {
  wasm_builder::Module m;
  uint32_t t_i = m.type({}, {VT::I32});
  uint32_t t_ii = m.type({VT::I32}, {VT::I32});
  m.table(VT::FuncRef, 3);
  uint32_t a = m.func(t_i, i32_const(42));
  uint32_t b = m.func(t_ii, local_get(0));
  m.export_func("call", m.func(t_ii, {0x20, 0x00, 0x11, static_cast<uint8_t>(t_i), 0x00}));
  m.elem_active(i32_const(0), {a, b});
  Harness h(m.build());
  EXPECT_EQ(h.i32("call", {i32v(0)}), 42u);
  expect_trap(h.call("call", {i32v(1)}), "indirect call type mismatch");
  expect_trap(h.call("call", {i32v(2)}), "uninitialized element 2");
  expect_trap(h.call("call", {i32v(3)}), "undefined element");
  expect_trap(h.call("call", {i32v(-1)}), "undefined element");
}

// ------------------------------------------------------ control flow ----

TEST(Execute, BranchesOutOfNestedBlocksWithValues) {
  wasm_builder::Module m;
  uint32_t i_i = m.type({VT::I32}, {VT::I32});
  uint32_t v_i = m.type({}, {VT::I32});
  // (func (export "nested") (param i32) (result i32)
  //   (block (result i32)
  //     (block (result i32)
  //       i32.const 10 local.get 0 br_if 1 drop i32.const 20)
  //     i32.const 1 i32.add))
  m.export_func("nested", m.func(i_i, cat({{0x02, 0x7F, 0x02, 0x7F},
                                           i32_const(10),
                                           {0x20, 0x00, 0x0D, 0x01, 0x1A},
                                           i32_const(20),
                                           {0x0B},
                                           i32_const(1),
                                           {0x6A, 0x0B}})));
  // (func (export "deep") (result i32)
  //   i32.const 100
  //   (block (result i32)
  //     i32.const 1 i32.const 2 i32.const 3       ;; left behind by the branch
  //     (block (result i32) i32.const 7 br 1)
  //     unreachable)
  //   i32.add)
  m.export_func("deep", m.func(v_i, cat({i32_const(100),
                                         {0x02, 0x7F},
                                         i32_const(1),
                                         i32_const(2),
                                         i32_const(3),
                                         {0x02, 0x7F},
                                         i32_const(7),
                                         {0x0C, 0x01, 0x0B, 0x00, 0x0B, 0x6A}})));
  Harness h(m.build());
  EXPECT_EQ(h.i32("nested", {i32v(1)}), 10u);
  EXPECT_EQ(h.i32("nested", {i32v(0)}), 21u);
  EXPECT_EQ(h.i32("deep"), 107u);
}

TEST(Execute, BrTable) {
  wasm_builder::Module m;
  uint32_t i_i = m.type({VT::I32}, {VT::I32});
  // (func (export "switch") (param i32) (result i32)
  //   (block (block (block local.get 0 br_table 0 1 2)
  //     i32.const 100 return)
  //   i32.const 101 return)
  //   i32.const 102)
  m.export_func("switch",
                m.func(i_i, cat({{0x02, 0x40, 0x02, 0x40, 0x02, 0x40, 0x20, 0x00, 0x0E, 0x02, 0x00, 0x01, 0x02, 0x0B},
                                 i32_const(100),
                                 {0x0F, 0x0B},
                                 i32_const(101),
                                 {0x0F, 0x0B},
                                 i32_const(102)})));
  // (func (export "switch_v") (param i32) (result i32)
  //   (block (result i32)
  //     (block (result i32)
  //       i32.const 1 i32.const 7 local.get 0 br_table 0 1)
  //     i32.const 10 i32.add))
  m.export_func("switch_v", m.func(i_i, cat({{0x02, 0x7F, 0x02, 0x7F},
                                             i32_const(1),
                                             i32_const(7),
                                             {0x20, 0x00, 0x0E, 0x01, 0x00, 0x01, 0x0B},
                                             i32_const(10),
                                             {0x6A, 0x0B}})));
  Harness h(m.build());
  EXPECT_EQ(h.i32("switch", {i32v(0)}), 100u);
  EXPECT_EQ(h.i32("switch", {i32v(1)}), 101u);
  EXPECT_EQ(h.i32("switch", {i32v(2)}), 102u);
  EXPECT_EQ(h.i32("switch", {i32v(3)}), 102u);
  EXPECT_EQ(h.i32("switch", {i32v(-1)}), 102u);
  EXPECT_EQ(h.i32("switch_v", {i32v(0)}), 17u);
  EXPECT_EQ(h.i32("switch_v", {i32v(1)}), 7u);
  EXPECT_EQ(h.i32("switch_v", {i32v(9)}), 7u);
}

TEST(Execute, MultiValueBlocksAndLoopParams) {
  wasm_builder::Module m;
  uint32_t ii_ii = m.type({VT::I32, VT::I32}, {VT::I32, VT::I32});
  uint32_t ii_i = m.type({VT::I32, VT::I32}, {VT::I32});
  uint32_t i_i = m.type({VT::I32}, {VT::I32});
  // (func (export "swap_sub") (param i32 i32) (result i32) (local i32 i32)
  //   local.get 0 local.get 1
  //   (block (type $ii_ii)          ;; (param i32 i32) (result i32 i32)
  //     local.set 2 local.set 3 local.get 2 local.get 3 br 0)
  //   i32.sub)
  m.export_func("swap_sub", m.func(ii_i,
                                   cat({{0x20, 0x00, 0x20, 0x01, 0x02, static_cast<uint8_t>(ii_ii), 0x21, 0x02, 0x21,
                                         0x03, 0x20, 0x02, 0x20, 0x03, 0x0C, 0x00, 0x0B, 0x6B}}),
                                   {{2, VT::I32}}));
  // (func (export "sum") (param $n i32) (result i32)
  //   i32.const 0
  //   (loop (type $i_i)             ;; (param i32) (result i32): the accumulator
  //     local.get 0 i32.add
  //     local.get 0 i32.const 1 i32.sub local.tee 0
  //     br_if 0))
  m.export_func("sum", m.func(i_i, cat({i32_const(0),
                                        {0x03, static_cast<uint8_t>(i_i), 0x20, 0x00, 0x6A, 0x20, 0x00},
                                        i32_const(1),
                                        {0x6B, 0x22, 0x00, 0x0D, 0x00, 0x0B}})));
  Harness h(m.build());
  EXPECT_EQ(h.i32("swap_sub", {i32v(10), i32v(3)}), static_cast<uint32_t>(-7));
  EXPECT_EQ(h.i32("sum", {i32v(4)}), 10u);
  EXPECT_EQ(h.i32("sum", {i32v(100)}), 5050u);
}

TEST(Execute, MultiValueFunctionResults) {
  wasm_builder::Module m;
  uint32_t ll_ll = m.type({VT::I64, VT::I64}, {VT::I64, VT::I64});
  // (func (export "swap") (param i64 i64) (result i64 i64) local.get 1 local.get 0)
  m.export_func("swap", m.func(ll_ll, {0x20, 0x01, 0x20, 0x00}));
  Harness h(m.build());
  Results r = h.call("swap", {Value::i64(1), Value::i64(2)});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0], Value::i64(2));
  EXPECT_EQ((*r)[1], Value::i64(1));
}

TEST(Execute, RecursiveFactorial) {
  wasm_builder::Module m;
  uint32_t l_l = m.type({VT::I64}, {VT::I64});
  // (func $fac (export "fac") (param i64) (result i64)
  //   local.get 0 i64.eqz
  //   (if (result i64) (then i64.const 1)
  //     (else local.get 0 local.get 0 i64.const 1 i64.sub call $fac i64.mul)))
  m.export_func("fac", m.func(l_l, cat({{0x20, 0x00, 0x50, 0x04, 0x7E},
                                        i64_const(1),
                                        {0x05, 0x20, 0x00, 0x20, 0x00},
                                        i64_const(1),
                                        {0x7D, 0x10, 0x00, 0x7E, 0x0B}})));
  Harness h(m.build());
  EXPECT_EQ(h.value("fac", {Value::i64(0)}), Value::i64(1));
  EXPECT_EQ(h.value("fac", {Value::i64(20)}), Value::i64(2432902008176640000ull));
}

// ------------------------------------------------------------ memory ----

// (module
//   (memory (export "mem") 1 3)
//   (func (export "load") (param i32) (result i32) local.get 0 i32.load)
//   (func (export "load_far") (param i32) (result i32) local.get 0 i32.load offset=0xffffffff)
//   (func (export "load8_s") (param i32) (result i32) local.get 0 i32.load8_s)
//   (func (export "load16_u") (param i32) (result i32) local.get 0 i32.load16_u)
//   (func (export "load32_s64") (param i32) (result i64) local.get 0 i64.load32_s)
//   (func (export "store") (param i32 i32) local.get 0 local.get 1 i32.store)
//   (func (export "store8") (param i32 i32) local.get 0 local.get 1 i32.store8 offset=1)
//   (func (export "size") (result i32) memory.size)
//   (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
//   (func (export "fill") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.fill)
//   (func (export "copy") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.copy)
//   (func (export "init") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.init 1)
//   (func (export "drop") data.drop 1)
//   (data (i32.const 0) "\01\02\03\84")
//   (data "hello"))
Bytes memory_module() {
  wasm_builder::Module m;
  uint32_t i_i = m.type({VT::I32}, {VT::I32});
  uint32_t i_l = m.type({VT::I32}, {VT::I64});
  uint32_t ii = m.type({VT::I32, VT::I32}, {});
  uint32_t v_i = m.type({}, {VT::I32});
  uint32_t iii = m.type({VT::I32, VT::I32, VT::I32}, {});
  uint32_t v = m.type({}, {});
  m.memory(1, 3);
  m.export_("mem", ExternKind::Memory, 0);
  const Bytes args3{0x20, 0x00, 0x20, 0x01, 0x20, 0x02};
  m.export_func("load", m.func(i_i, cat({local_get(0), mem_op({0x28}, 2, 0)})));
  m.export_func("load_far", m.func(i_i, cat({local_get(0), mem_op({0x28}, 2, 0xFFFFFFFF)})));
  m.export_func("load8_s", m.func(i_i, cat({local_get(0), mem_op({0x2C}, 0, 0)})));
  m.export_func("load16_u", m.func(i_i, cat({local_get(0), mem_op({0x2F}, 1, 0)})));
  m.export_func("load32_s64", m.func(i_l, cat({local_get(0), mem_op({0x34}, 2, 0)})));
  m.export_func("store", m.func(ii, cat({{0x20, 0x00, 0x20, 0x01}, mem_op({0x36}, 2, 0)})));
  m.export_func("store8", m.func(ii, cat({{0x20, 0x00, 0x20, 0x01}, mem_op({0x3A}, 0, 1)})));
  m.export_func("size", m.func(v_i, {0x3F, 0x00}));
  m.export_func("grow", m.func(i_i, {0x20, 0x00, 0x40, 0x00}));
  m.export_func("fill", m.func(iii, cat({args3, {0xFC, 0x0B, 0x00}})));
  m.export_func("copy", m.func(iii, cat({args3, {0xFC, 0x0A, 0x00, 0x00}})));
  m.export_func("init", m.func(iii, cat({args3, {0xFC, 0x08, 0x01, 0x00}})));
  m.export_func("drop", m.func(v, {0xFC, 0x09, 0x01}));
  m.data_active(i32_const(0), {0x01, 0x02, 0x03, 0x84});
  m.data_passive({'h', 'e', 'l', 'l', 'o'});
  return m.build();
}

TEST(Execute, LoadsAndStores) {
  Harness h(memory_module());
  EXPECT_EQ(h.i32("load", {i32v(0)}), 0x84030201u);
  EXPECT_EQ(h.i32("load8_s", {i32v(3)}), 0xFFFFFF84u);
  EXPECT_EQ(h.i32("load16_u", {i32v(2)}), 0x8403u);
  EXPECT_EQ(h.value("load32_s64", {i32v(0)}), Value::i64(0xFFFFFFFF84030201ull));
  // Unaligned.
  EXPECT_EQ(h.i32("load", {i32v(1)}), 0x00840302u);
  ASSERT_TRUE(h.call("store", {i32v(5), i32v(0x11223344)}).ok());
  EXPECT_EQ(h.memory()[5], 0x44);
  EXPECT_EQ(h.memory()[8], 0x11);
  ASSERT_TRUE(h.call("store8", {i32v(9), i32v(0x1FF)}).ok());  // offset=1
  EXPECT_EQ(h.memory()[10], 0xFF);
  EXPECT_EQ(h.memory()[11], 0x00);
}

TEST(Execute, MemoryBoundsAtTheExactEdge) {
  Harness h(memory_module());
  ASSERT_TRUE(h.call("store", {i32v(65532), i32v(7)}).ok());  // 65532 + 4 == size
  EXPECT_EQ(h.i32("load", {i32v(65532)}), 7u);
  expect_trap(h.call("load", {i32v(65533)}), "out of bounds memory access");
  expect_trap(h.call("store", {i32v(65533), i32v(1)}), "out of bounds memory access");
  expect_trap(h.call("load", {i32v(-1)}), "out of bounds memory access");
  expect_trap(h.call("store8", {i32v(65535), i32v(1)}), "out of bounds memory access");  // 65535+1+1
  // offset + address would wrap in 32 bits; in 64 it is simply out of bounds.
  expect_trap(h.call("load_far", {i32v(0)}), "out of bounds memory access");
  expect_trap(h.call("load_far", {i32v(1)}), "out of bounds memory access");
  expect_trap(h.call("load_far", {i32v(-1)}), "out of bounds memory access");
  // A failed store writes nothing.
  EXPECT_EQ(h.memory()[65535], 0);
}

TEST(Execute, MemoryGrow) {
  Harness h(memory_module());
  EXPECT_EQ(h.i32("size"), 1u);
  EXPECT_EQ(h.i32("grow", {i32v(1)}), 1u);
  EXPECT_EQ(h.i32("size"), 2u);
  EXPECT_EQ(h.i32("load", {i32v(65536)}), 0u);  // new pages are zero
  ASSERT_TRUE(h.call("store", {i32v(131068), i32v(9)}).ok());
  EXPECT_EQ(h.i32("grow", {i32v(2)}), 0xFFFFFFFFu);  // past max 3
  EXPECT_EQ(h.i32("grow", {i32v(-1)}), 0xFFFFFFFFu);
  EXPECT_EQ(h.i32("grow", {i32v(1)}), 2u);
  EXPECT_EQ(h.i32("grow", {i32v(0)}), 3u);
  EXPECT_EQ(h.i32("load", {i32v(131068)}), 9u);  // contents survive
  EXPECT_EQ(h.memory().size(), 3u * 65536);
  expect_trap(h.call("load", {i32v(3 * 65536 - 3)}), "out of bounds memory access");
}

TEST(Execute, BulkMemory) {
  Harness h(memory_module());
  ASSERT_TRUE(h.call("fill", {i32v(100), i32v(0xAB), i32v(4)}).ok());
  EXPECT_EQ(h.i32("load", {i32v(100)}), 0xABABABABu);
  EXPECT_EQ(h.memory()[104], 0);
  expect_trap(h.call("fill", {i32v(65535), i32v(1), i32v(2)}), "out of bounds memory access");
  EXPECT_EQ(h.memory()[65535], 0);                                    // bounds are checked before any write
  ASSERT_TRUE(h.call("fill", {i32v(65536), i32v(1), i32v(0)}).ok());  // empty, at the end
  expect_trap(h.call("fill", {i32v(65537), i32v(1), i32v(0)}), "out of bounds memory access");

  ASSERT_TRUE(h.call("copy", {i32v(200), i32v(0), i32v(4)}).ok());
  EXPECT_EQ(h.i32("load", {i32v(200)}), 0x84030201u);
  ASSERT_TRUE(h.call("copy", {i32v(201), i32v(200), i32v(4)}).ok());  // overlapping
  EXPECT_EQ(h.i32("load", {i32v(200)}), 0x03020101u);
  EXPECT_EQ(h.memory()[204], 0x84);
  expect_trap(h.call("copy", {i32v(65534), i32v(0), i32v(4)}), "out of bounds memory access");
  expect_trap(h.call("copy", {i32v(0), i32v(65534), i32v(4)}), "out of bounds memory access");
  ASSERT_TRUE(h.call("copy", {i32v(65536), i32v(65536), i32v(0)}).ok());

  ASSERT_TRUE(h.call("init", {i32v(300), i32v(0), i32v(5)}).ok());
  EXPECT_EQ(std::memcmp(h.memory().data() + 300, "hello", 5), 0);
  ASSERT_TRUE(h.call("init", {i32v(400), i32v(3), i32v(2)}).ok());
  EXPECT_EQ(std::memcmp(h.memory().data() + 400, "lo", 2), 0);
  expect_trap(h.call("init", {i32v(300), i32v(1), i32v(5)}), "out of bounds memory access");
  expect_trap(h.call("init", {i32v(65535), i32v(0), i32v(2)}), "out of bounds memory access");
  ASSERT_TRUE(h.call("init", {i32v(0), i32v(5), i32v(0)}).ok());
  expect_trap(h.call("init", {i32v(0), i32v(6), i32v(0)}), "out of bounds memory access");
  ASSERT_TRUE(h.call("drop").ok());
  ASSERT_TRUE(h.call("drop").ok());  // dropping twice is fine
  expect_trap(h.call("init", {i32v(0), i32v(0), i32v(1)}), "out of bounds memory access");
  ASSERT_TRUE(h.call("init", {i32v(0), i32v(0), i32v(0)}).ok());
}

// ------------------------------------------------------------ tables ----

// (module
//   (type $i (func (result i32)))
//   (table $t (export "t") 2 10 funcref)
//   (table $e 1 externref)
//   (func $f0 (type $i) i32.const 7)
//   (func (export "size") (result i32) table.size $t)
//   (func (export "grow") (param i32) (result i32) ref.null func local.get 0 table.grow $t)
//   (func (export "is_null") (param i32) (result i32) local.get 0 table.get $t ref.is_null)
//   (func (export "set") (param i32) local.get 0 ref.func $f0 table.set $t)
//   (func (export "fill") (param i32 i32) local.get 0 ref.func $f0 local.get 1 table.fill $t)
//   (func (export "copy") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 table.copy $t $t)
//   (func (export "init") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 table.init $t 0)
//   (func (export "drop") elem.drop 0)
//   (func (export "call") (param i32) (result i32) local.get 0 call_indirect $t (type $i))
//   (func (export "ext_set") (param externref) i32.const 0 local.get 0 table.set $e)
//   (func (export "ext_get") (result externref) i32.const 0 table.get $e)
//   (elem func $f0 $f0))
Bytes table_module() {
  wasm_builder::Module m;
  uint32_t t_i = m.type({}, {VT::I32});
  uint32_t i_i = m.type({VT::I32}, {VT::I32});
  uint32_t i = m.type({VT::I32}, {});
  uint32_t ii = m.type({VT::I32, VT::I32}, {});
  uint32_t iii = m.type({VT::I32, VT::I32, VT::I32}, {});
  uint32_t v = m.type({}, {});
  uint32_t x = m.type({VT::ExternRef}, {});
  uint32_t v_x = m.type({}, {VT::ExternRef});
  m.table(VT::FuncRef, 2, 10);
  m.table(VT::ExternRef, 1);
  m.export_("t", ExternKind::Table, 0);
  const Bytes args3{0x20, 0x00, 0x20, 0x01, 0x20, 0x02};
  uint32_t f0 = m.func(t_i, i32_const(7));
  m.export_func("size", m.func(t_i, {0xFC, 0x10, 0x00}));
  m.export_func("grow", m.func(i_i, {0xD0, 0x70, 0x20, 0x00, 0xFC, 0x0F, 0x00}));
  m.export_func("is_null", m.func(i_i, {0x20, 0x00, 0x25, 0x00, 0xD1}));
  m.export_func("set", m.func(i, {0x20, 0x00, 0xD2, static_cast<uint8_t>(f0), 0x26, 0x00}));
  m.export_func("fill", m.func(ii, {0x20, 0x00, 0xD2, static_cast<uint8_t>(f0), 0x20, 0x01, 0xFC, 0x11, 0x00}));
  m.export_func("copy", m.func(iii, cat({args3, {0xFC, 0x0E, 0x00, 0x00}})));
  m.export_func("init", m.func(iii, cat({args3, {0xFC, 0x0C, 0x00, 0x00}})));
  m.export_func("drop", m.func(v, {0xFC, 0x0D, 0x00}));
  m.export_func("call", m.func(i_i, {0x20, 0x00, 0x11, static_cast<uint8_t>(t_i), 0x00}));
  m.export_func("ext_set", m.func(x, cat({i32_const(0), {0x20, 0x00, 0x26, 0x01}})));
  m.export_func("ext_get", m.func(v_x, cat({i32_const(0), {0x25, 0x01}})));
  m.elem_passive({f0, f0});
  return m.build();
}

TEST(Execute, TableGetSetAndGrow) {
  Harness h(table_module());
  EXPECT_EQ(h.i32("size"), 2u);
  EXPECT_EQ(h.i32("is_null", {i32v(1)}), 1u);
  expect_trap(h.call("is_null", {i32v(2)}), "out of bounds table access");
  ASSERT_TRUE(h.call("set", {i32v(1)}).ok());
  EXPECT_EQ(h.i32("is_null", {i32v(1)}), 0u);
  EXPECT_EQ(h.i32("call", {i32v(1)}), 7u);
  expect_trap(h.call("call", {i32v(0)}), "uninitialized element 0");
  expect_trap(h.call("set", {i32v(2)}), "out of bounds table access");

  EXPECT_EQ(h.i32("grow", {i32v(3)}), 2u);
  EXPECT_EQ(h.i32("size"), 5u);
  EXPECT_EQ(h.i32("is_null", {i32v(4)}), 1u);
  EXPECT_EQ(h.i32("grow", {i32v(6)}), 0xFFFFFFFFu);  // 11 > max 10
  EXPECT_EQ(h.i32("grow", {i32v(5)}), 5u);
  EXPECT_EQ(h.i32("size"), 10u);
  EXPECT_EQ(h.i32("grow", {i32v(0)}), 10u);

  Extern t = *h.inst->find_export("t");
  EXPECT_EQ(h.store.table_size(t.table), 10u);
  EXPECT_EQ(h.store.table_max(t.table), std::optional<uint32_t>(10));
  EXPECT_TRUE(h.store.table_get(t.table, 0)->is_null());
  EXPECT_FALSE(h.store.table_get(t.table, 1)->is_null());
}

TEST(Execute, TableBulkOps) {
  Harness h(table_module());
  ASSERT_EQ(h.i32("grow", {i32v(8)}), 2u);
  ASSERT_TRUE(h.call("fill", {i32v(0), i32v(3)}).ok());
  EXPECT_EQ(h.i32("call", {i32v(2)}), 7u);
  EXPECT_EQ(h.i32("is_null", {i32v(3)}), 1u);
  expect_trap(h.call("fill", {i32v(9), i32v(2)}), "out of bounds table access");
  EXPECT_EQ(h.i32("is_null", {i32v(9)}), 1u);  // nothing written
  ASSERT_TRUE(h.call("fill", {i32v(10), i32v(0)}).ok());
  expect_trap(h.call("fill", {i32v(11), i32v(0)}), "out of bounds table access");

  ASSERT_TRUE(h.call("copy", {i32v(5), i32v(1), i32v(3)}).ok());  // 1,2 set; 3 null
  EXPECT_EQ(h.i32("call", {i32v(6)}), 7u);
  EXPECT_EQ(h.i32("is_null", {i32v(7)}), 1u);
  expect_trap(h.call("copy", {i32v(9), i32v(0), i32v(2)}), "out of bounds table access");
  expect_trap(h.call("copy", {i32v(0), i32v(9), i32v(2)}), "out of bounds table access");
  ASSERT_TRUE(h.call("copy", {i32v(10), i32v(10), i32v(0)}).ok());

  ASSERT_TRUE(h.call("init", {i32v(8), i32v(0), i32v(2)}).ok());
  EXPECT_EQ(h.i32("call", {i32v(9)}), 7u);
  expect_trap(h.call("init", {i32v(0), i32v(1), i32v(2)}), "out of bounds table access");
  expect_trap(h.call("init", {i32v(9), i32v(0), i32v(2)}), "out of bounds table access");
  ASSERT_TRUE(h.call("init", {i32v(10), i32v(2), i32v(0)}).ok());
  ASSERT_TRUE(h.call("drop").ok());
  expect_trap(h.call("init", {i32v(0), i32v(0), i32v(1)}), "out of bounds table access");
  ASSERT_TRUE(h.call("init", {i32v(0), i32v(0), i32v(0)}).ok());
}

TEST(Execute, ExternRefTable) {
  Harness h(table_module());
  EXPECT_TRUE(h.value("ext_get").is_null());
  EXPECT_EQ(h.value("ext_get").type, VT::ExternRef);
  ASSERT_TRUE(h.call("ext_set", {Value::externref(42)}).ok());
  EXPECT_EQ(h.value("ext_get"), Value::externref(42));
}

// ----------------------------------------------------- globals, v128 ----

TEST(Execute, Globals) {
  wasm_builder::Module m;
  uint32_t v_i = m.type({}, {VT::I32});
  uint32_t v_l = m.type({}, {VT::I64});
  // (global $g (export "g") (mut i32) (i32.const 5))
  // (global $h i64 (i64.const -1))
  // (func (export "inc") (result i32) global.get $g i32.const 1 i32.add global.set $g global.get $g)
  // (func (export "h") (result i64) global.get $h)
  uint32_t g = m.global(VT::I32, true, i32_const(5));
  uint32_t hg = m.global(VT::I64, false, i64_const(-1));
  m.export_("g", ExternKind::Global, g);
  m.export_func("inc", m.func(v_i, cat({{0x23, static_cast<uint8_t>(g)},
                                        i32_const(1),
                                        {0x6A, 0x24, static_cast<uint8_t>(g), 0x23, static_cast<uint8_t>(g)}})));
  m.export_func("h", m.func(v_l, {0x23, static_cast<uint8_t>(hg)}));
  Harness h(m.build());
  EXPECT_EQ(h.i32("inc"), 6u);
  EXPECT_EQ(h.i32("inc"), 7u);
  EXPECT_EQ(h.value("h"), Value::i64(~uint64_t{0}));
  GlobalInst* eg = h.inst->find_export("g")->global;
  EXPECT_EQ(h.store.global_get(eg), Value::i32(7));
  EXPECT_TRUE(h.store.global_mutable(eg));
  ASSERT_TRUE(h.store.global_set(eg, Value::i32(100)).ok());
  EXPECT_EQ(h.i32("inc"), 101u);
  Result<void> bad = h.store.global_set(eg, Value::i64(1));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "type mismatch");
}

TEST(Execute, V128LocalGlobalSelectRoundTrip) {
  wasm_builder::Module m;
  uint32_t t = m.type({VT::V128, VT::V128, VT::I32}, {VT::V128});
  uint32_t v_v = m.type({}, {VT::V128});
  // (global $v (mut v128) (v128.const i64x2 0 0))
  Bytes zero16(16, 0);
  uint32_t gv = m.global(VT::V128, true, cat({{0xFD, 0x0C}, zero16}));
  // (func (export "pick") (param v128 v128 i32) (result v128) (local v128 i64)
  //   local.get 0 local.tee 3 global.set $v      ;; through a v128 local and the global
  //   i64.const 9 local.set 4                     ;; the i64 local after the v128 one
  //   global.get $v local.get 1 local.get 2 select)
  m.export_func("pick", m.func(t,
                               cat({{0x20, 0x00, 0x22, 0x03, 0x24, static_cast<uint8_t>(gv)},
                                    i64_const(9),
                                    {0x21, 0x04, 0x23, static_cast<uint8_t>(gv), 0x20, 0x01, 0x20, 0x02, 0x1B}}),
                               {{1, VT::V128}, {1, VT::I64}}));
  // (func (export "pick_t") (param v128 v128 i32) (result v128)
  //   local.get 0 local.get 1 local.get 2 select (result v128))
  m.export_func("pick_t", m.func(t, {0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x1C, 0x01, 0x7B}));
  // (func (export "get") (result v128) global.get $v)
  m.export_func("get", m.func(v_v, {0x23, static_cast<uint8_t>(gv)}));
  Harness h(m.build());
  const V128 a{0x0123456789ABCDEFull, 0xFEDCBA9876543210ull}, b{1, 2};
  EXPECT_EQ(h.value("pick", {Value::v128(a), Value::v128(b), i32v(1)}), Value::v128(a));
  EXPECT_EQ(h.value("pick", {Value::v128(b), Value::v128(a), i32v(0)}), Value::v128(a));
  EXPECT_EQ(h.value("get"), Value::v128(b));
  EXPECT_EQ(h.value("pick_t", {Value::v128(a), Value::v128(b), i32v(0)}), Value::v128(b));
  EXPECT_EQ(h.value("pick_t", {Value::v128(a), Value::v128(b), i32v(7)}), Value::v128(a));
}

// v128.const as a fused operand (code.hpp): its two words read as one
// v128, beside a local (kLocalConst) or the stack (kStackConst), pushed or
// set, and a plain v128.const before a scalar constant operand.
TEST(Execute, V128ConstantOperands) {
  auto v128_const = [](uint64_t lo, uint64_t hi) {
    Bytes b{0xFD, 0x0C};
    for (uint64_t half : {lo, hi})
      for (int k = 0; k < 8; ++k) b.push_back(static_cast<uint8_t>(half >> (8 * k)));
    return b;
  };
  const uint64_t d1_5 = 0x3FF8000000000000, dm2 = 0xC000000000000000, d3 = 0x4008000000000000,
                 d0_5 = 0x3FE0000000000000, d2 = 0x4000000000000000, dm3 = 0xC008000000000000;
  wasm_builder::Module m;
  uint32_t v_v = m.type({VT::V128}, {VT::V128});
  uint32_t e_v = m.type({}, {VT::V128});
  // (func (export "le") (param v128) (result v128) (f64x2.le (local.get 0) (v128.const f64x2 1.5 -2)))
  m.export_func("le", m.func(v_v, cat({local_get(0), v128_const(d1_5, dm2), {0xFD, 0x4B}})));
  // (func (export "mul") (param v128) (result v128)
  //   (local.set 0 (f64x2.mul (f64x2.add (local.get 0) (local.get 0)) (v128.const f64x2 3 0.5)))
  //   (local.get 0))
  m.export_func("mul", m.func(v_v, cat({local_get(0),
                                        local_get(0),
                                        {0xFD, 0xF0, 0x01},
                                        v128_const(d3, d0_5),
                                        {0xFD, 0xF2, 0x01, 0x21, 0x00},
                                        local_get(0)})));
  // (func (export "shl") (result v128) (i16x8.shl (v128.const i64x2 0x8001 1) (i32.const 17)))
  m.export_func("shl", m.func(e_v, cat({v128_const(0x8001, 1), i32_const(17), {0xFD, 0x8B, 0x01}})));
  Harness h(m.build());
  EXPECT_EQ(h.value("le", {Value::v128(V128{d2, dm3})}), Value::v128(V128{0, ~uint64_t{0}}));
  EXPECT_EQ(h.value("le", {Value::v128(V128{d1_5, dm2})}), Value::v128(V128{~uint64_t{0}, ~uint64_t{0}}));
  // (1.5 + 1.5) * 3 = 9, (-2 + -2) * 0.5 = -2
  EXPECT_EQ(h.value("mul", {Value::v128(V128{d1_5, dm2})}), Value::v128(V128{0x4022000000000000, dm2}));
  // i16 lanes shifted by 17 mod 16 = 1: 0x8001 -> 0x0002, 1 -> 2
  EXPECT_EQ(h.value("shl"), Value::v128(V128{0x0002, 2}));
}

// A commutative operator whose first operand is a local read before the
// op that computes its second runs with its operands swapped (the
// compiler's swap_fuse); a non-commutative one keeps its order.
TEST(Execute, SwappedOperandsKeepTheirValues) {
  wasm_builder::Module m;
  uint32_t t = m.type({VT::I32, VT::I32, VT::I32}, {VT::I32});
  // (func (export "add") (param i32 i32 i32) (result i32) (i32.add (local.get 2) (i32.sub (local.get 0) (local.get 1))))
  m.export_func("add", m.func(t, cat({local_get(2), local_get(0), local_get(1), {0x6B, 0x6A}})));
  // (func (export "sub") (param i32 i32 i32) (result i32) (i32.sub (local.get 2) (i32.add (local.get 0) (local.get 1))))
  m.export_func("sub", m.func(t, cat({local_get(2), local_get(0), local_get(1), {0x6A, 0x6B}})));
  Harness h(m.build());
  EXPECT_EQ(h.i32("add", {i32v(10), i32v(3), i32v(100)}), 107u);
  EXPECT_EQ(h.i32("sub", {i32v(10), i32v(3), i32v(100)}), 87u);
}

TEST(Execute, PairedLocalGetsKeepTheirOrder) {
  wasm_builder::Module m;
  uint32_t t2 = m.type({VT::I32, VT::I32}, {VT::I32});
  // (func (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
  uint32_t sub = m.func(t2, cat({local_get(0), local_get(1), {0x6B}}));
  // (func (export "f") (param i32 i32) (result i32) (call $sub (local.get 1) (local.get 0)))
  m.export_func("f", m.func(t2, cat({local_get(1), local_get(0), {0x10, static_cast<uint8_t>(sub)}})));
  uint32_t t3 = m.type({VT::I32, VT::I32, VT::I32}, {VT::I32});
  // (func (export "g") (param i32 i32 i32) (result i32)
  //   (select (local.get 1) (local.get 0) (i32.and (i32.mul (local.get 2) (i32.const 7)) (i32.const 5))))
  m.export_func(
      "g",
      m.func(t3, cat({local_get(1), local_get(0), local_get(2), i32_const(7), {0x6C}, i32_const(5), {0x71, 0x1B}})));
  Harness h(m.build());
  EXPECT_EQ(h.i32("f", {i32v(10), i32v(3)}), uint32_t(3 - 10));
  EXPECT_EQ(h.i32("g", {i32v(10), i32v(3), i32v(1)}), 3u);  // (1 * 7) & 5 = 5: the first, local 1
  EXPECT_EQ(h.i32("g", {i32v(10), i32v(3), i32v(0)}), 10u);
}

TEST(Execute, V128MemoryOps) {
  wasm_builder::Module m;
  uint32_t i_v = m.type({VT::I32}, {VT::V128});
  uint32_t iv = m.type({VT::I32, VT::V128}, {});
  uint32_t iv_v = m.type({VT::I32, VT::V128}, {VT::V128});
  m.memory(1);
  m.export_("mem", ExternKind::Memory, 0);
  // (func (export "load") (param i32) (result v128) local.get 0 v128.load)
  m.export_func("load", m.func(i_v, cat({local_get(0), mem_op({0xFD, 0x00}, 4, 0)})));
  // (func (export "store") (param i32 v128) local.get 0 local.get 1 v128.store)
  m.export_func("store", m.func(iv, cat({local_get(0), local_get(1), mem_op({0xFD, 0x0B}, 4, 0)})));
  // (func (export "load8x8_s") (param i32) (result v128) local.get 0 v128.load8x8_s)
  m.export_func("load8x8_s", m.func(i_v, cat({local_get(0), mem_op({0xFD, 0x01}, 3, 0)})));
  // (func (export "load16_splat") (param i32) (result v128) local.get 0 v128.load16_splat)
  m.export_func("load16_splat", m.func(i_v, cat({local_get(0), mem_op({0xFD, 0x08}, 1, 0)})));
  // (func (export "load32_zero") (param i32) (result v128) local.get 0 v128.load32_zero)
  m.export_func("load32_zero", m.func(i_v, cat({local_get(0), mem_op({0xFD, 0x5C}, 2, 0)})));
  // (func (export "load16_lane") (param i32 v128) (result v128) local.get 0 local.get 1 v128.load16_lane 5)
  m.export_func("load16_lane", m.func(iv_v, cat({local_get(0), local_get(1), mem_op({0xFD, 0x55}, 1, 0), {5}})));
  // (func (export "store32_lane") (param i32 v128) local.get 0 local.get 1 v128.store32_lane 3)
  m.export_func("store32_lane", m.func(iv, cat({local_get(0), local_get(1), mem_op({0xFD, 0x5A}, 2, 0), {3}})));
  Harness h(m.build());
  const V128 a{0x8807060504030201ull, 0x100F0E0D0C0B0A09ull};
  ASSERT_TRUE(h.call("store", {i32v(65520), Value::v128(a)}).ok());  // ends at the edge
  EXPECT_EQ(h.memory()[65520], 0x01);
  EXPECT_EQ(h.memory()[65535], 0x10);
  EXPECT_EQ(h.value("load", {i32v(65520)}), Value::v128(a));
  expect_trap(h.call("load", {i32v(65521)}), "out of bounds memory access");
  expect_trap(h.call("store", {i32v(65521), Value::v128(a)}), "out of bounds memory access");
  // bytes 01 02 03 04 05 06 07 88 sign-extended to 8 x i16
  EXPECT_EQ(h.value("load8x8_s", {i32v(65520)}), Value::v128(V128{0x0004000300020001ull, 0xFF88000700060005ull}));
  expect_trap(h.call("load8x8_s", {i32v(65529)}), "out of bounds memory access");
  EXPECT_EQ(h.value("load16_splat", {i32v(65520)}), Value::v128(V128{0x0201020102010201ull, 0x0201020102010201ull}));
  EXPECT_EQ(h.value("load32_zero", {i32v(65532)}), Value::v128(V128{0x100F0E0Dull, 0}));
  EXPECT_EQ(h.value("load16_lane", {i32v(65520), Value::v128(V128{0, 0})}),
            Value::v128(V128{0, 0x0000000002010000ull}));
  expect_trap(h.call("load16_lane", {i32v(65535), Value::v128(a)}), "out of bounds memory access");
  ASSERT_TRUE(h.call("store32_lane", {i32v(0), Value::v128(a)}).ok());
  EXPECT_EQ(h.memory()[0], 0x0D);
  EXPECT_EQ(h.memory()[3], 0x10);
  expect_trap(h.call("store32_lane", {i32v(65533), Value::v128(a)}), "out of bounds memory access");
}

// ------------------------------------------------------ deterministic ----

Bytes nan_module() {
  wasm_builder::Module m;
  uint32_t ff_f = m.type({VT::F32, VT::F32}, {VT::F32});
  uint32_t dd_d = m.type({VT::F64, VT::F64}, {VT::F64});
  uint32_t vv_v = m.type({VT::V128, VT::V128}, {VT::V128});
  uint32_t f_f = m.type({VT::F32}, {VT::F32});
  // (func (export "f32.div") (param f32 f32) (result f32) local.get 0 local.get 1 f32.div)
  m.export_func("f32.div", m.func(ff_f, {0x20, 0x00, 0x20, 0x01, 0x95}));
  // (func (export "f64.add") (param f64 f64) (result f64) local.get 0 local.get 1 f64.add)
  m.export_func("f64.add", m.func(dd_d, {0x20, 0x00, 0x20, 0x01, 0xA0}));
  // (func (export "f32x4.add") (param v128 v128) (result v128) local.get 0 local.get 1 f32x4.add)
  m.export_func("f32x4.add", m.func(vv_v, {0x20, 0x00, 0x20, 0x01, 0xFD, 0xE4, 0x01}));
  // (func (export "f32.neg") (param f32) (result f32) local.get 0 f32.neg)
  m.export_func("f32.neg", m.func(f_f, {0x20, 0x00, 0x8C}));
  return m.build();
}

TEST(Execute, DeterministicNaNs) {
  Harness h(nan_module(), StoreOptions{.deterministic = true});
  const float zero = 0.0f;
  EXPECT_EQ(h.value("f32.div", {Value::f32(zero), Value::f32(zero)}), Value::f32_bits(0x7FC00000));
  EXPECT_EQ(h.value("f32.div", {Value::f32_bits(0xFFA00001), Value::f32(1.0f)}), Value::f32_bits(0x7FC00000));
  EXPECT_EQ(h.value("f64.add", {Value::f64_bits(0xFFF8000000000123ull), Value::f64(1.0)}),
            Value::f64_bits(0x7FF8000000000000ull));
  const uint64_t one = std::bit_cast<uint32_t>(1.0f), two = std::bit_cast<uint32_t>(2.0f),
                 three = std::bit_cast<uint32_t>(3.0f), four = std::bit_cast<uint32_t>(4.0f);
  const V128 lhs{uint64_t{0xFF800001} | (one << 32), two | (three << 32)};  // sNaN, 1, 2, 3
  const V128 ones{one | (one << 32), one | (one << 32)};
  EXPECT_EQ(h.value("f32x4.add", {Value::v128(lhs), Value::v128(ones)}),
            Value::v128(V128{0x7FC00000 | (two << 32), three | (four << 32)}));
  // Bitwise operators are exact, NaN or not.
  EXPECT_EQ(h.value("f32.neg", {Value::f32_bits(0x7FA00001)}), Value::f32_bits(0xFFA00001));
  EXPECT_EQ(h.value("f32.div", {Value::f32(1.0f), Value::f32(4.0f)}), Value::f32(0.25f));
}

// The v128 float rows canonicalise in place after the store (interpreter.cpp,
// canon_v128_at): the result must come out canonical from a plain op and
// from the fused forms that push, set and tee it (which forms the compiler
// picks is code::fusable's; these are the ones it takes today). Lane 0 is
// a NaN with a payload and its sign bit set, which an arithmetic NaN may
// keep; lane 1 a plain sum.
TEST(Execute, DeterministicV128NaNsWhereverTheResultGoes) {
  Harness h(test_harness::wat_bytes(R"((module
    (func (export "set") (param v128 v128) (result v128) (local v128)
      (local.set 2 (f64x2.add (local.get 0) (local.get 1))) (local.get 2))   ;; locals -> local
    (func (export "tee") (param v128 v128) (result v128) (local v128)
      ;; stack and local both canonical: their OR is
      (v128.or (local.tee 2 (f32x4.mul (local.get 0) (local.get 1))) (local.get 2)))
    (func (export "push") (param v128 v128) (result v128)                   ;; stack operands: the plain op
      (f64x2.sub (v128.not (v128.not (local.get 0))) (v128.not (v128.not (local.get 1)))))
    (func (export "fused") (param v128 v128) (result v128)                  ;; locals -> stack
      (f64x2.add (local.get 0) (local.get 1)))))"),
            StoreOptions{.deterministic = true});
  const V128 nan_d{0xFFF8000000000123ull, std::bit_cast<uint64_t>(1.0)};
  const V128 one_d{std::bit_cast<uint64_t>(1.0), std::bit_cast<uint64_t>(1.0)};
  EXPECT_EQ(h.value("set", {Value::v128(nan_d), Value::v128(one_d)}),
            Value::v128(V128{0x7FF8000000000000ull, std::bit_cast<uint64_t>(2.0)}));
  EXPECT_EQ(h.value("fused", {Value::v128(nan_d), Value::v128(one_d)}),
            Value::v128(V128{0x7FF8000000000000ull, std::bit_cast<uint64_t>(2.0)}));
  EXPECT_EQ(h.value("push", {Value::v128(nan_d), Value::v128(one_d)}),
            Value::v128(V128{0x7FF8000000000000ull, std::bit_cast<uint64_t>(0.0)}));
  const uint64_t one_s = std::bit_cast<uint32_t>(1.0f);
  const V128 nan_s{uint64_t{0xFFC00123} | (one_s << 32), one_s | (one_s << 32)};  // NaN, 1, 1, 1
  const V128 ones_s{one_s | (one_s << 32), one_s | (one_s << 32)};
  EXPECT_EQ(h.value("tee", {Value::v128(nan_s), Value::v128(ones_s)}),
            Value::v128(V128{uint64_t{0x7FC00000} | (one_s << 32), one_s | (one_s << 32)}));
}

// ------------------------------------------------------- fused operands ----
// The compiler folds local.get, const and local.set into the operator
// (code.hpp); each form must compute what the plain sequence does.

TEST(Execute, FusedFormsComputeWhatThePlainOpsDo) {
  Harness h(test_harness::wat_bytes(R"((module (memory (export "mem") 1)
    (func (export "forms") (param i32 i32) (result i32) (local i32)
      (local.set 2 (i32.sub (local.get 0) (i32.const 3)))  ;; local, const -> local
      (i32.shl (local.get 2) (local.get 1))                 ;; locals
      (i32.add (local.get 0))                               ;; stack, local
      (i32.xor (i32.const 0x100)))                          ;; stack, const
    (func (export "div") (param i32) (result i32) (i32.div_u (local.get 0) (i32.const 0)))
    (func (export "rem") (param i32 i32) (result i32) (local i32)
      (local.set 2 (i32.rem_s (local.get 0) (local.get 1))) (local.get 2))
    (func (export "memory") (param i32 i32) (result i64) (local i64)
      (i32.store16 offset=2 (local.get 0) (local.get 1))    ;; locals
      (i32.store8 (local.get 0) (i32.const 0xAB))           ;; local, const
      (local.set 2 (i64.load32_u (local.get 0)))            ;; address a local -> local
      (i64.add (local.get 2) (i64.load8_s (local.get 0))))
    (func (export "join") (param i32 i32) (result i32)
      ;; br_if carries 100 to the block's end, which lies between the two
      ;; local.gets of the add: they must not fuse across it.
      (block (result i32) (i32.const 100) (br_if 0 (local.get 1)) (drop) (local.get 0))
      (local.get 1) (i32.add))
    (func (export "count") (param i32) (result i32) (local i32)  ;; tee, then a fused br_if
      (loop (br_if 0 (i32.lt_u (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (local.get 0))))
      (local.get 1))
    (func (export "lt") (param f64 f64) (result i32)  ;; an if on a fused compare: NaN is false
      (if (result i32) (f64.lt (local.get 0) (local.get 1)) (then (i32.const 1)) (else (i32.const 0))))))"));
  // x = 10 - 3 = 7; 7 << 2 = 28; 28 + 10 = 38; 38 ^ 0x100 = 294
  EXPECT_EQ(h.i32("forms", {i32v(10), i32v(2)}), 294u);
  expect_trap(h.call("div", {i32v(7)}), "integer divide by zero");
  EXPECT_EQ(h.i32("rem", {i32v(-7), i32v(2)}), static_cast<uint32_t>(-1));
  expect_trap(h.call("rem", {i32v(1), i32v(0)}), "integer divide by zero");
  // Bytes at 8: AB, 00, 34, 12: u32 0x123400AB, plus the byte 0xAB as -85.
  EXPECT_EQ(h.value("memory", {i32v(8), i32v(0x1234)}), Value::i64(0x123400ABull - 85));
  expect_trap(h.call("memory", {i32v(65534), i32v(1)}), "out of bounds memory access");
  EXPECT_EQ(h.i32("join", {i32v(3), i32v(4)}), 104u);
  EXPECT_EQ(h.i32("join", {i32v(3), i32v(0)}), 3u);
  EXPECT_EQ(h.i32("count", {i32v(10)}), 10u);
  EXPECT_EQ(h.i32("count", {i32v(0)}), 1u);
  EXPECT_EQ(h.i32("lt", {Value::f64(1.0), Value::f64(2.0)}), 1u);
  EXPECT_EQ(h.i32("lt", {Value::f64(2.0), Value::f64(1.0)}), 0u);
  EXPECT_EQ(h.i32("lt", {Value::f64(std::numeric_limits<double>::quiet_NaN()), Value::f64(2.0)}), 0u);
}

// v128 operators fuse too (code::fusable): a v128 local is one immediate, a
// v128 on the stack two slots; a scalar under them must survive.
TEST(Execute, FusedV128FormsComputeWhatThePlainOpsDo) {
  Harness h(test_harness::wat_bytes(R"((module
    (func (export "forms") (param i32 i32) (result i32) (local v128 v128 v128)
      (local.set 2 (i32x4.splat (local.get 0)))           ;; scalar local -> v128 local
      (local.set 3 (i32x4.splat (local.get 1)))
      (local.set 4 (i32x4.add (local.get 2) (local.get 3)))  ;; locals -> local
      (i32.const 7)                                        ;; below the v128s
      (i32x4.mul (local.get 4) (local.get 3))              ;; locals
      (i32x4.sub (local.get 2))                            ;; stack, local
      (i32x4.shl (i32.const 1))                            ;; stack, scalar const
      (local.tee 4)                                        ;; ... teed
      (i32x4.extract_lane 1)
      (i32.add)
      (i32.add (i32x4.extract_lane 3 (local.get 4)))
      (i32.add (i32x4.extract_lane 0 (i8x16.shl (local.get 2) (local.get 1)))))  ;; v128 and i32 locals
    (func (export "any") (param i32) (result i32) (local v128)
      (local.set 1 (i32x4.replace_lane 2 (v128.const i64x2 0 0) (local.get 0)))
      (if (result i32) (v128.any_true (local.get 1)) (then (i32.const 1)) (else (i32.const 0))))
    (func (export "f64") (param f64) (result f64) (local v128)
      (local.set 1 (f64x2.mul (f64x2.splat (f64.const 1.5)) (f64x2.splat (local.get 0))))  ;; stack -> local
      (f64x2.extract_lane 1 (f64x2.add (local.get 1) (local.get 1))))))"));
  // a = 3, b = 5: (8 * 5 - 3) << 1 = 74 in every lane; 7 + 74 + 74; bytes 03 << 5 = 0x60.
  EXPECT_EQ(h.i32("forms", {i32v(3), i32v(5)}), 7u + 74u + 74u + 0x60u);
  EXPECT_EQ(h.i32("any", {i32v(0)}), 0u);
  EXPECT_EQ(h.i32("any", {i32v(0x100)}), 1u);
  EXPECT_EQ(h.value("f64", {Value::f64(2.0)}), Value::f64(6.0));
}

// v128.load and v128.store fused with their address and value locals
// (code::fusable) move the same 16 bytes as the plain ops, and trap at the
// same edge: the last byte of memory.
TEST(Execute, FusedV128LoadsAndStoresMoveTheBytes) {
  Harness h(test_harness::wat_bytes(R"((module (memory (export "mem") 1)
    (func (export "copy") (param i32 i32) (local v128)
      (local.set 2 (v128.load (local.get 0)))              ;; local address -> local
      (v128.store offset=1 (local.get 1) (local.get 2)))   ;; locals
    (func (export "tee") (param i32) (result i64) (local v128)
      (i64x2.extract_lane 1 (local.tee 1 (v128.load offset=8 (i32.add (local.get 0) (i32.const 0))))))
    (func (export "put") (param i32 i64) (local v128)
      (local.set 2 (i64x2.splat (local.get 1)))
      (v128.store (i32.add (local.get 0) (i32.const 0)) (local.get 2)))  ;; stack address, local value
    (func (export "get") (param i32) (result i64)
      (i64x2.extract_lane 0 (v128.load (local.get 0))))))"));
  ASSERT_TRUE(h.call("put", {i32v(100), Value::i64(0x0102030405060708ull)}).ok());
  EXPECT_EQ(h.value("get", {i32v(100)}), Value::i64(0x0102030405060708ull));
  EXPECT_EQ(h.value("tee", {i32v(92)}), Value::i64(0x0102030405060708ull));  // bytes 108..115
  ASSERT_TRUE(h.call("copy", {i32v(100), i32v(199)}).ok());                  // to 200..215
  EXPECT_EQ(h.value("get", {i32v(208)}), Value::i64(0x0102030405060708ull));
  EXPECT_EQ(h.memory()[216], 0);
  ASSERT_TRUE(h.call("put", {i32v(65520), Value::i64(7)}).ok());  // 65520 + 16 == size
  EXPECT_EQ(h.value("get", {i32v(65520)}), Value::i64(7));
  expect_trap(h.call("put", {i32v(65521), Value::i64(1)}), "out of bounds memory access");
  expect_trap(h.call("get", {i32v(65521)}), "out of bounds memory access");
  expect_trap(h.call("copy", {i32v(65521), i32v(0)}), "out of bounds memory access");
  expect_trap(h.call("copy", {i32v(0), i32v(65520)}), "out of bounds memory access");  // offset=1
  expect_trap(h.call("tee", {i32v(65513)}), "out of bounds memory access");
  EXPECT_EQ(h.value("tee", {i32v(65512)}), Value::i64(7));
}

TEST(Execute, NonDeterministicNaNsAreStillNaNs) {
  Harness h(nan_module());
  Value r = h.value("f32.div", {Value::f32(0.0f), Value::f32(0.0f)});
  EXPECT_EQ(r.as_i32() & 0x7FC00000u, 0x7FC00000u);  // an arithmetic NaN
}

}  // namespace
