// Instantiation (engine/src/instantiate/): linking, import matching, segment
// initialisation, start functions, host functions and cross-instance calls.
// Modules are built by wasm_builder.hpp; each body is raw bytes with its WAT.
#include <gtest/gtest.h>

#include <cstring>

#include "warden/host.hpp"
#include "warden/warden.hpp"
#include "wasm_builder.hpp"

namespace {

using namespace warden;
using wasm_builder::Bytes;
using wasm_builder::cat;
using wasm_builder::i32_const;
using wasm_builder::local_get;
using wasm_builder::mem_op;
using VT = ValType;

std::shared_ptr<const Module> load(const Bytes& b) {
  auto m = Module::load(b);
  if (!m) {
    ADD_FAILURE() << "load: " << m.error().message;
    return nullptr;
  }
  return m.value();
}

template <class T>
void expect_error(const Result<T>& r, ErrorKind kind, std::string_view message) {
  ASSERT_FALSE(r.ok()) << "expected " << to_string(kind) << ": " << message;
  EXPECT_EQ(r.error().kind, kind) << r.error().message;
  EXPECT_EQ(r.error().message, message);
}

Value i32v(int32_t v) { return Value::i32(static_cast<uint32_t>(v)); }

/// Calls export `name` of `inst`, expecting one result.
Value call1(Store& s, Instance* inst, std::string_view name, std::vector<Value> args = {}) {
  auto e = inst->find_export(name);
  if (!e) {
    ADD_FAILURE() << "no export " << name;
    return {};
  }
  auto r = s.invoke(e->func, args);
  if (!r) {
    ADD_FAILURE() << name << ": " << r.error().message;
    return {};
  }
  if (r->size() != 1) {
    ADD_FAILURE() << name << ": " << r->size() << " results";
    return {};
  }
  return (*r)[0];
}

// -------------------------------------------------------------- linking ----

// (module (import "env" "f" (func)))
Bytes imports_func() {
  wasm_builder::Module m;
  m.import_func("env", "f", m.type({}, {}));
  return m.build();
}

TEST(Instantiate, UnknownImport) {
  auto m = load(imports_func());
  Linker linker;
  expect_error(linker.resolve(*m), ErrorKind::Unlinkable, "unknown import env.f");
  Store s;
  linker.define("env", "g", Extern::of(s.create_host_func({}, [](Caller&, auto, auto) { return Result<void>{}; })));
  expect_error(linker.resolve(*m), ErrorKind::Unlinkable, "unknown import env.f");
  linker.define("env", "f", Extern::of(s.create_host_func({}, [](Caller&, auto, auto) { return Result<void>{}; })));
  auto ext = linker.resolve(*m);
  ASSERT_TRUE(ext.ok());
  EXPECT_TRUE(s.instantiate(m, ext.value()).ok());
}

TEST(Instantiate, WrongNumberOfImports) {
  Store s;
  expect_error(s.instantiate(load(imports_func()), {}), ErrorKind::Unlinkable, "wrong number of imports");
}

TEST(Instantiate, IncompatibleFunctionImport) {
  Store s;
  auto m = load(imports_func());
  FuncInst* takes_i32 = s.create_host_func({{VT::I32}, {}}, [](Caller&, auto, auto) { return Result<void>{}; });
  FuncInst* returns_i32 = s.create_host_func({{}, {VT::I32}}, [](Caller&, auto, auto r) {
    r[0] = Value::i32(1);
    return Result<void>{};
  });
  FuncInst* exact = s.create_host_func({}, [](Caller&, auto, auto) { return Result<void>{}; });
  std::vector<Extern> imp{Extern::of(takes_i32)};
  expect_error(s.instantiate(m, imp), ErrorKind::Unlinkable, "incompatible import type");
  imp = {Extern::of(returns_i32)};
  expect_error(s.instantiate(m, imp), ErrorKind::Unlinkable, "incompatible import type");
  imp = {Extern::of(s.create_global(Value::i32(0), false))};  // wrong kind
  expect_error(s.instantiate(m, imp), ErrorKind::Unlinkable, "incompatible import type");
  imp = {Extern::of(exact)};
  EXPECT_TRUE(s.instantiate(m, imp).ok());
}

TEST(Instantiate, IncompatibleGlobalImport) {
  // (module (import "env" "g" (global (mut i32))))
  wasm_builder::Module b;
  b.import_global("env", "g", VT::I32, true);
  auto m = load(b.build());
  Store s;
  std::vector<Extern> imp{Extern::of(s.create_global(Value::i32(1), false))};
  expect_error(s.instantiate(m, imp), ErrorKind::Unlinkable, "incompatible import type");
  imp = {Extern::of(s.create_global(Value::i64(1), true))};
  expect_error(s.instantiate(m, imp), ErrorKind::Unlinkable, "incompatible import type");
  imp = {Extern::of(s.create_global(Value::i32(1), true))};
  EXPECT_TRUE(s.instantiate(m, imp).ok());
}

TEST(Instantiate, IncompatibleTableImport) {
  // (module (import "env" "t" (table 2 5 funcref)))
  wasm_builder::Module b;
  b.import_table("env", "t", VT::FuncRef, 2, 5);
  auto m = load(b.build());
  Store s;
  auto table = [&](VT elem, uint32_t min, std::optional<uint32_t> max) {
    return std::vector<Extern>{Extern::of(s.create_table(elem, min, max, Value::null(elem)).value())};
  };
  const char* kMsg = "incompatible import type";
  expect_error(s.instantiate(m, table(VT::FuncRef, 1, 5)), ErrorKind::Unlinkable, kMsg);   // too small
  expect_error(s.instantiate(m, table(VT::FuncRef, 2, {})), ErrorKind::Unlinkable, kMsg);  // no max
  expect_error(s.instantiate(m, table(VT::FuncRef, 2, 6)), ErrorKind::Unlinkable, kMsg);   // max too big
  expect_error(s.instantiate(m, table(VT::ExternRef, 2, 5)), ErrorKind::Unlinkable, kMsg);
  EXPECT_TRUE(s.instantiate(m, table(VT::FuncRef, 3, 4)).ok());
  EXPECT_TRUE(s.instantiate(m, table(VT::FuncRef, 5, 5)).ok());
}

TEST(Instantiate, IncompatibleMemoryImport) {
  // (module (import "env" "m" (memory 1 2)))
  wasm_builder::Module b;
  b.import_memory("env", "m", 1, 2);
  auto m = load(b.build());
  Store s;
  auto memory = [&](uint32_t min, std::optional<uint32_t> max) {
    return std::vector<Extern>{Extern::of(s.create_memory(min, max).value())};
  };
  const char* kMsg = "incompatible import type";
  expect_error(s.instantiate(m, memory(0, 2)), ErrorKind::Unlinkable, kMsg);
  expect_error(s.instantiate(m, memory(1, {})), ErrorKind::Unlinkable, kMsg);
  expect_error(s.instantiate(m, memory(1, 3)), ErrorKind::Unlinkable, kMsg);
  EXPECT_TRUE(s.instantiate(m, memory(2, 2)).ok());
  // The current size counts, not the size at creation.
  MemoryInst* grown = s.create_memory(0, 2).value();
  std::vector<Extern> imp{Extern::of(grown)};
  expect_error(s.instantiate(m, imp), ErrorKind::Unlinkable, kMsg);
}

// ------------------------------------------------------------ segments ----

// (module
//   (import "env" "mem" (memory 1))
//   (import "env" "tab" (table 2 funcref))
//   (func $f (result i32) i32.const 77)
//   (elem (i32.const <elem_at>) $f)
//   (data (i32.const 0) "abc")
//   (data (i32.const <data_at>) "xyz"))
Bytes segments_module(int32_t elem_at, int32_t data_at) {
  wasm_builder::Module b;
  uint32_t t = b.type({}, {VT::I32});
  b.import_memory("env", "mem", 1);
  b.import_table("env", "tab", VT::FuncRef, 2);
  uint32_t f = b.func(t, i32_const(77));
  b.elem_active(i32_const(elem_at), {f});
  b.data_active(i32_const(0), {'a', 'b', 'c'});
  b.data_active(i32_const(data_at), {'x', 'y', 'z'});
  return b.build();
}

TEST(Instantiate, DataSegmentTrapKeepsEarlierWrites) {
  Store s;
  MemoryInst* mem = s.create_memory(1, {}).value();
  TableInst* tab = s.create_table(VT::FuncRef, 2, {}, Value::null(VT::FuncRef)).value();
  std::vector<Extern> imp{Extern::of(mem), Extern::of(tab)};
  expect_error(s.instantiate(load(segments_module(1, 65534)), imp), ErrorKind::Uninstantiable,
               "out of bounds memory access");
  EXPECT_EQ(std::memcmp(s.memory_data(mem).data(), "abc", 3), 0);
  EXPECT_EQ(s.memory_data(mem)[65534], 0);  // the failing segment wrote nothing
  // The element segment ran before the data segments; its function lives on.
  std::optional<Value> f = s.table_get(tab, 1);
  ASSERT_TRUE(f && !f->is_null());
  auto r = s.invoke(const_cast<FuncInst*>(f->as_func()), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0], Value::i32(77));
  // Exactly at the end is fine.
  EXPECT_TRUE(s.instantiate(load(segments_module(1, 65533)), imp).ok());
  EXPECT_EQ(s.memory_data(mem)[65535], 'z');
}

TEST(Instantiate, ElementSegmentTrap) {
  Store s;
  MemoryInst* mem = s.create_memory(1, {}).value();
  TableInst* tab = s.create_table(VT::FuncRef, 2, {}, Value::null(VT::FuncRef)).value();
  std::vector<Extern> imp{Extern::of(mem), Extern::of(tab)};
  expect_error(s.instantiate(load(segments_module(2, 0)), imp), ErrorKind::Uninstantiable,
               "out of bounds table access");
  EXPECT_EQ(s.memory_data(mem)[0], 0);  // data segments never ran
  expect_error(s.instantiate(load(segments_module(-1, 0)), imp), ErrorKind::Uninstantiable,
               "out of bounds table access");
}

// (module
//   (import "env" "mem" (memory 1))
//   (global $g (export "g") (mut i32) (i32.const 0))
//   (func $start
//     i32.const 8 i32.const 0x2a i32.store8
//     i32.const 5 global.set $g
//     <if trap: unreachable>)
//   (start $start))
Bytes start_module(bool trap) {
  wasm_builder::Module b;
  uint32_t v = b.type({}, {});
  b.import_memory("env", "mem", 1);
  uint32_t g = b.global(VT::I32, true, i32_const(0));
  b.export_("g", ExternKind::Global, g);
  Bytes body = cat({i32_const(8), i32_const(0x2A), mem_op({0x3A}, 0, 0), i32_const(5), {0x24, 0x00}});
  if (trap) body.push_back(0x00);
  b.start(b.func(v, body));
  return b.build();
}

TEST(Instantiate, StartFunction) {
  Store s;
  MemoryInst* mem = s.create_memory(1, {}).value();
  std::vector<Extern> imp{Extern::of(mem)};
  auto inst = s.instantiate(load(start_module(false)), imp);
  ASSERT_TRUE(inst.ok());
  EXPECT_EQ(s.global_get((*inst)->find_export("g")->global), Value::i32(5));
  EXPECT_EQ(s.memory_data(mem)[8], 0x2A);
}

TEST(Instantiate, StartFunctionTrapIsUninstantiable) {
  Store s;
  MemoryInst* mem = s.create_memory(1, {}).value();
  std::vector<Extern> imp{Extern::of(mem)};
  expect_error(s.instantiate(load(start_module(true)), imp), ErrorKind::Uninstantiable, "unreachable");
  EXPECT_EQ(s.memory_data(mem)[8], 0x2A);                           // the write before the trap stays
  EXPECT_TRUE(s.instantiate(load(start_module(false)), imp).ok());  // store still usable
}

// ------------------------------------------------------ host functions ----

TEST(Instantiate, HostFunctionsSeeAndReturnValues) {
  // (module
  //   (import "host" "mix" (func $mix (param i32 i64 f32 f64 v128 externref) (result i64 f64)))
  //   (func (export "run") (param externref) (result f64) (local f64)
  //     i32.const -1 i64.const 2 f32.const 1.5 f64.const 2.5 v128.const i64x2 3 4 local.get 0
  //     call $mix                       ;; [i64 f64]
  //     local.set 1 f64.convert_i64_s local.get 1 f64.add))
  wasm_builder::Module b;
  uint32_t mix_t = b.type({VT::I32, VT::I64, VT::F32, VT::F64, VT::V128, VT::ExternRef}, {VT::I64, VT::F64});
  uint32_t run_t = b.type({VT::ExternRef}, {VT::F64});
  uint32_t mix = b.import_func("host", "mix", mix_t);
  Bytes v128c{0xFD, 0x0C, 3, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0};
  b.export_func("run", b.func(run_t,
                              cat({i32_const(-1),
                                   wasm_builder::i64_const(2),
                                   wasm_builder::f32_const_bits(0x3FC00000),
                                   wasm_builder::f64_const_bits(0x4004000000000000ull),
                                   v128c,
                                   local_get(0),
                                   wasm_builder::call(mix),
                                   {0x21, 0x01, 0xB9, 0x20, 0x01, 0xA0}}),
                              {{1, VT::F64}}));
  auto m = load(b.build());
  Store s;
  std::vector<Value> seen;
  FuncInst* host =
      s.create_host_func(FuncType{{VT::I32, VT::I64, VT::F32, VT::F64, VT::V128, VT::ExternRef}, {VT::I64, VT::F64}},
                         [&](Caller&, std::span<const Value> args, std::span<Value> results) {
                           seen.assign(args.begin(), args.end());
                           EXPECT_EQ(results.size(), 2u);
                           EXPECT_EQ(results[0].type, VT::I64);
                           EXPECT_EQ(results[1].type, VT::F64);
                           results[0] = Value::i64(40);
                           results[1] = Value::f64(0.5);
                           return Result<void>{};
                         });
  std::vector<Extern> imp{Extern::of(host)};
  auto inst = s.instantiate(m, imp);
  ASSERT_TRUE(inst.ok());
  EXPECT_EQ(call1(s, *inst, "run", {Value::externref(99)}), Value::f64(40.5));
  ASSERT_EQ(seen.size(), 6u);
  EXPECT_EQ(seen[0], Value::i32(0xFFFFFFFF));
  EXPECT_EQ(seen[1], Value::i64(2));
  EXPECT_EQ(seen[2], Value::f32(1.5f));
  EXPECT_EQ(seen[3], Value::f64(2.5));
  EXPECT_EQ(seen[4], Value::v128(V128{3, 4}));
  EXPECT_EQ(seen[5], Value::externref(99));
  // Invoked directly, too.
  auto direct = s.invoke(host, seen);
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ((*direct)[0], Value::i64(40));
}

// (module
//   (import "host" "f" (func $f (param i32) (result i32)))
//   (func (export "twice") (param i32) (result i32) local.get 0 call $f call $f))
Bytes calls_host_module() {
  wasm_builder::Module b;
  uint32_t t = b.type({VT::I32}, {VT::I32});
  uint32_t f = b.import_func("host", "f", t);
  b.export_func("twice", b.func(t, cat({local_get(0), wasm_builder::call(f), wasm_builder::call(f)})));
  return b.build();
}

TEST(Instantiate, HostErrorTrapsThroughWasm) {
  Store s;
  FuncInst* host =
      s.create_host_func({{VT::I32}, {VT::I32}}, [](Caller&, std::span<const Value> a, std::span<Value> r) {
        if (a[0].as_i32() > 10) return Result<void>(Error{ErrorKind::Trap, "host says no"});
        r[0] = Value::i32(a[0].as_i32() * 3);
        return Result<void>{};
      });
  std::vector<Extern> imp{Extern::of(host)};
  auto inst = s.instantiate(load(calls_host_module()), imp);
  ASSERT_TRUE(inst.ok());
  EXPECT_EQ(call1(s, *inst, "twice", {i32v(1)}), Value::i32(9));
  auto r = s.invoke((*inst)->find_export("twice")->func, std::vector<Value>{i32v(5)});  // 15 > 10
  expect_error(r, ErrorKind::Trap, "host says no");
  EXPECT_EQ(call1(s, *inst, "twice", {i32v(2)}), Value::i32(18));
}

TEST(Instantiate, HostFunctionReentersTheStore) {
  // (module
  //   (import "host" "f" (func $f (param i32) (result i32)))
  //   (func (export "plus1") (param i32) (result i32) local.get 0 call $f i32.const 1 i32.add))
  wasm_builder::Module b;
  uint32_t t = b.type({VT::I32}, {VT::I32});
  uint32_t fi = b.import_func("host", "f", t);
  b.export_func("plus1", b.func(t, cat({local_get(0), wasm_builder::call(fi), i32_const(1), {0x6A}})));
  Store s;
  Instance* self = nullptr;
  int calls = 0;
  // f(x) = x == 0 ? 100 : 2 * plus1(x - 1), re-entering wasm from the host.
  FuncInst* host =
      s.create_host_func({{VT::I32}, {VT::I32}}, [&](Caller&, std::span<const Value> a, std::span<Value> r) {
        ++calls;
        uint32_t x = a[0].as_i32();
        if (x == 0) {
          r[0] = Value::i32(100);
          return Result<void>{};
        }
        std::vector<Value> args{Value::i32(x - 1)};
        auto inner = s.invoke(self->find_export("plus1")->func, args);
        if (!inner) return Result<void>(inner.error());
        r[0] = Value::i32(2 * (*inner)[0].as_i32());
        return Result<void>{};
      });
  std::vector<Extern> imp{Extern::of(host)};
  auto inst = s.instantiate(load(b.build()), imp);
  ASSERT_TRUE(inst.ok());
  self = *inst;
  // plus1(0) = 101, plus1(1) = 203, plus1(2) = 407, plus1(3) = 815
  EXPECT_EQ(call1(s, self, "plus1", {i32v(3)}), Value::i32(815));
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(call1(s, self, "plus1", {i32v(0)}), Value::i32(101));
}

// ------------------------------------------------------ cross-instance ----

// Module A:
// (module
//   (type $i (func (result i32)))
//   (memory (export "mem") 1)
//   (table (export "tab") 2 funcref)
//   (func $get (export "get") (type $i) i32.const 0 i32.load8_u)
//   (func (export "call_slot1") (type $i) i32.const 1 call_indirect (type $i))
//   (elem (i32.const 0) $get)
//   (data (i32.const 0) "A"))
Bytes module_a() {
  wasm_builder::Module b;
  uint32_t t = b.type({}, {VT::I32});
  b.memory(1);
  b.export_("mem", ExternKind::Memory, 0);
  b.table(VT::FuncRef, 2);
  b.export_("tab", ExternKind::Table, 0);
  uint32_t get = b.func(t, cat({i32_const(0), mem_op({0x2D}, 0, 0)}));
  b.export_func("get", get);
  b.export_func("call_slot1", b.func(t, cat({i32_const(1), {0x11, static_cast<uint8_t>(t), 0x00}})));
  b.elem_active(i32_const(0), {get});
  b.data_active(i32_const(0), {'A'});
  return b.build();
}

// Module B:
// (module
//   (type $i (func (result i32)))
//   (import "a" "get" (func $a_get (type $i)))
//   (import "a" "tab" (table 2 funcref))
//   (memory 1)
//   (func $own (type $i) i32.const 0 i32.load8_u)
//   (func (export "mixed") (type $i)          ;; 'A' * 256 + 'B': A's memory, then B's
//     call $a_get i32.const 256 i32.mul call $own i32.add)
//   (func (export "indirect") (type $i) i32.const 0 call_indirect (type $i) call $own i32.add)
//   (elem (i32.const 1) $own)                  ;; B's function into A's table
//   (data (i32.const 0) "B"))
Bytes module_b() {
  wasm_builder::Module b;
  uint32_t t = b.type({}, {VT::I32});
  uint32_t a_get = b.import_func("a", "get", t);
  b.import_table("a", "tab", VT::FuncRef, 2);
  b.memory(1);
  uint32_t own = b.func(t, cat({i32_const(0), mem_op({0x2D}, 0, 0)}));
  b.export_func("mixed",
                b.func(t, cat({wasm_builder::call(a_get), i32_const(256), {0x6C}, wasm_builder::call(own), {0x6A}})));
  b.export_func("indirect",
                b.func(t, cat({i32_const(0), {0x11, static_cast<uint8_t>(t), 0x00}, wasm_builder::call(own), {0x6A}})));
  b.elem_active(i32_const(1), {own});
  b.data_active(i32_const(0), {'B'});
  return b.build();
}

TEST(Instantiate, CrossInstanceCallsSwitchContext) {
  Store s;
  Linker linker;
  auto a = s.instantiate(load(module_a()), {});
  ASSERT_TRUE(a.ok());
  linker.define_instance("a", **a);
  auto mb = load(module_b());
  auto imports = linker.resolve(*mb);
  ASSERT_TRUE(imports.ok());
  auto b = s.instantiate(mb, imports.value());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(call1(s, *b, "mixed"), Value::i32('A' * 256 + 'B'));
  EXPECT_EQ(call1(s, *b, "indirect"), Value::i32('A' + 'B'));
  // A calls B's function through its own table: it runs with B's memory.
  EXPECT_EQ(call1(s, *a, "call_slot1"), Value::i32('B'));
  EXPECT_EQ(call1(s, *a, "get"), Value::i32('A'));
}

TEST(Instantiate, ModuleAndInstanceIntrospection) {
  auto m = load(module_b());
  std::vector<ImportInfo> imports = m->imports();
  ASSERT_EQ(imports.size(), 2u);
  EXPECT_EQ(imports[0].module, "a");
  EXPECT_EQ(imports[0].name, "get");
  EXPECT_EQ(imports[0].kind, ExternKind::Func);
  EXPECT_EQ(imports[1].kind, ExternKind::Table);
  std::vector<ExportInfo> exports = m->exports();
  ASSERT_EQ(exports.size(), 2u);
  EXPECT_EQ(exports[0].name, "mixed");
  EXPECT_EQ(exports[0].index, 2u);
  EXPECT_EQ(m->func_type(0), (FuncType{{}, {VT::I32}}));

  Store s;
  auto a = s.instantiate(load(module_a()), {});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)->exports().size(), 4u);
  EXPECT_FALSE((*a)->find_export("nope").has_value());
  EXPECT_EQ((*a)->find_export("tab")->kind, ExternKind::Table);
  EXPECT_EQ(s.func_type((*a)->find_export("get")->func), (FuncType{{}, {VT::I32}}));
}

TEST(Instantiate, GlobalInitialisersSeeImportsAndFunctions) {
  // (module
  //   (import "env" "base" (global i32))
  //   (global (export "copy") i32 (global.get 0))
  //   (global (export "fn") funcref (ref.func $f))
  //   (func $f (result i32) global.get 0))
  wasm_builder::Module b;
  uint32_t t = b.type({}, {VT::I32});
  b.import_global("env", "base", VT::I32, false);
  b.export_("copy", ExternKind::Global, b.global(VT::I32, false, {0x23, 0x00}));
  b.export_("fn", ExternKind::Global, b.global(VT::FuncRef, false, {0xD2, 0x00}));
  b.func(t, {0x23, 0x00});
  Store s;
  std::vector<Extern> imp{Extern::of(s.create_global(Value::i32(1234), false))};
  auto inst = s.instantiate(load(b.build()), imp);
  ASSERT_TRUE(inst.ok());
  EXPECT_EQ(s.global_get((*inst)->find_export("copy")->global), Value::i32(1234));
  Value fn = s.global_get((*inst)->find_export("fn")->global);
  ASSERT_FALSE(fn.is_null());
  auto r = s.invoke(fn.as_func(), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0], Value::i32(1234));
}

TEST(Instantiate, HostObjectLimitsAndErrors) {
  Limits l;
  l.max_memory_bytes = 2 * 65536;
  l.max_table_elements = 100;
  Store s(l);
  expect_error(s.create_memory(3, {}), ErrorKind::Exhaustion, "memory size exceeds limits.max_memory_bytes");
  expect_error(s.create_table(VT::FuncRef, 101, {}, Value::null(VT::FuncRef)), ErrorKind::Exhaustion,
               "table size exceeds limits.max_table_elements");
  expect_error(s.create_memory(2, 1), ErrorKind::Invalid, "size minimum must not be greater than maximum");
  expect_error(s.create_table(VT::FuncRef, 1, {}, Value::null(VT::ExternRef)), ErrorKind::Invalid, "type mismatch");
  EXPECT_TRUE(s.create_memory(2, {}).ok());
  GlobalInst* g = s.create_global(Value::i32(1), false);
  expect_error(s.global_set(g, Value::i32(2)), ErrorKind::Invalid, "global is immutable");
}

// Spec 3.2.4: a memory of 65536 pages (4 GiB) is valid, one more is not;
// the size check comes before the store's limit (an invalid size is
// invalid whatever the limit).
TEST(Instantiate, HostMemoryOfExactly65536Pages) {
  Store s;
  Result<MemoryInst*> bounded = s.create_memory(0, 65536);
  ASSERT_TRUE(bounded.ok()) << bounded.error().message;
  EXPECT_EQ(s.memory_max(*bounded), std::optional<uint32_t>(65536));
  Result<MemoryInst*> full = s.create_memory(65536, {});
  ASSERT_TRUE(full.ok()) << full.error().message;
  EXPECT_EQ(s.memory_pages(*full), 65536u);
  const std::string_view too_big = "memory size must be at most 65536 pages (4GiB)";
  expect_error(s.create_memory(0, 65537), ErrorKind::Invalid, too_big);
  expect_error(s.create_memory(65537, {}), ErrorKind::Invalid, too_big);
  Limits small;
  small.max_memory_bytes = 65536;
  Store t(small);
  expect_error(t.create_memory(65537, {}), ErrorKind::Invalid, too_big);
  expect_error(t.create_memory(65536, {}), ErrorKind::Exhaustion, "memory size exceeds limits.max_memory_bytes");
}

}  // namespace
