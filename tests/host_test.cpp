// The host API (warden/host.hpp): a host function sees its caller's memory
// only through GuestMemory's checked accesses, host modules link only what
// was granted, and link errors name the import.
#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

#include "warden/host.hpp"
#include "warden/text.hpp"
#include "warden/warden.hpp"

namespace {

using namespace warden;
using VT = ValType;

std::shared_ptr<const Module> load_wat(std::string_view wat) {
  Result<std::vector<uint8_t>> bytes = wat_to_wasm(wat);
  EXPECT_TRUE(bytes.ok()) << bytes.error().message;
  if (!bytes) return nullptr;
  Result<std::shared_ptr<const Module>> m = Module::load(*bytes);
  EXPECT_TRUE(m.ok()) << m.error().message;
  return m ? *m : nullptr;
}

void expect_error(const Error& e, ErrorKind kind, std::string_view message) {
  EXPECT_EQ(e.kind, kind) << e.message;
  EXPECT_EQ(e.message, message);
}

Result<std::vector<Value>> call(Store& s, Instance* inst, std::string_view name, std::vector<Value> args) {
  return s.invoke(inst->find_export(name)->func, args);
}

/// The guest calls env.sum(ptr, len): the host adds the bytes it is given.
constexpr std::string_view kSumModule = R"((module
  (import "env" "sum" (func $sum (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\01\02\03\04")
  (func (export "sum") (param i32 i32) (result i32) local.get 0 local.get 1 call $sum)
  (func (export "grow_then_sum") (param i32 i32) (result i32)
    i32.const 1 memory.grow drop local.get 0 local.get 1 call $sum))
)";

HostFunc summer() {
  return [](Caller& c, std::span<const Value> a, std::span<Value> r) -> Result<void> {
    std::optional<std::span<uint8_t>> b = c.memory().bytes(a[0].as_i32(), a[1].as_i32());
    if (!b) return Error{ErrorKind::Trap, "sum: buffer outside guest memory"};
    uint32_t n = 0;
    for (uint8_t x : *b) n += x;
    r[0] = Value::i32(n);
    return {};
  };
}

TEST(Host, CallerSeesItsMemoryThroughCheckedAccesses) {
  Store s;
  Linker l;
  l.define("env", "sum", Extern::of(s.create_host_func({{VT::I32, VT::I32}, {VT::I32}}, summer())));
  auto m = load_wat(kSumModule);
  auto inst = s.instantiate(m, *l.resolve(*m));
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  EXPECT_EQ((*call(s, *inst, "sum", {Value::i32(0), Value::i32(4)}))[0], Value::i32(10));
  EXPECT_EQ((*call(s, *inst, "sum", {Value::i32(65532), Value::i32(4)}))[0], Value::i32(0));
  // One byte past the end, and a length whose sum with ptr wraps 32 bits.
  expect_error(call(s, *inst, "sum", {Value::i32(65533), Value::i32(4)}).error(), ErrorKind::Trap,
               "sum: buffer outside guest memory");
  expect_error(call(s, *inst, "sum", {Value::i32(8), Value::i32(0xFFFFFFFC)}).error(), ErrorKind::Trap,
               "sum: buffer outside guest memory");
  // After memory.grow the same call reaches the new page: sizes are re-read.
  EXPECT_EQ((*call(s, *inst, "grow_then_sum", {Value::i32(65533), Value::i32(4)}))[0], Value::i32(0));
}

TEST(Host, GuestMemoryBoundsAreOverflowSafe) {
  Store s;
  MemoryInst* mem = *s.create_memory(1, std::nullopt);
  GuestMemory g(mem);
  EXPECT_EQ(g.size(), 65536u);
  EXPECT_TRUE(g.in_bounds(65536, 0));
  EXPECT_TRUE(g.in_bounds(0, 65536));
  EXPECT_FALSE(g.in_bounds(65537, 0));
  EXPECT_FALSE(g.in_bounds(1, 65536));
  EXPECT_FALSE(g.in_bounds(std::numeric_limits<uint64_t>::max(), 2));
  EXPECT_FALSE(g.in_bounds(2, std::numeric_limits<uint64_t>::max()));
  EXPECT_TRUE(g.store<uint32_t>(65532, 0xA1B2C3D4u));
  EXPECT_EQ(s.memory_data(mem)[65532], 0xD4);  // little endian, as WASI lays out
  EXPECT_EQ(g.load<uint32_t>(65532), 0xA1B2C3D4u);
  EXPECT_FALSE(g.store<uint32_t>(65533, 1));
  EXPECT_EQ(s.memory_data(mem)[65533], 0xC3);  // a refused write writes nothing
  EXPECT_EQ(g.load<uint64_t>(65530), std::nullopt);
  GuestMemory none;
  EXPECT_FALSE(none.present());
  EXPECT_FALSE(none.in_bounds(0, 1));
  EXPECT_TRUE(none.in_bounds(0, 0));
}

TEST(Host, InvokedByTheEmbedderThereIsNoCallerMemory) {
  Store s;
  bool saw = true;
  FuncInst* f = s.create_host_func({}, [&](Caller& c, auto, auto) {
    saw = c.memory().present();
    return Result<void>{};
  });
  ASSERT_TRUE(s.invoke(f, {}).ok());
  EXPECT_FALSE(saw);
}

TEST(Host, ExceptionsFromAHostFunctionBecomeTraps) {
  Store s;
  FuncInst* f =
      s.create_host_func({}, [](Caller&, auto, auto) -> Result<void> { throw std::runtime_error("embedder bug"); });
  auto r = s.invoke(f, {});
  ASSERT_FALSE(r.ok());
  expect_error(r.error(), ErrorKind::Trap, "host function threw an exception");
}

HostModule clock_module() {
  HostModule h{"env", {}};
  h.funcs.push_back({"sum", {{VT::I32, VT::I32}, {VT::I32}}, Capability::None, summer()});
  h.funcs.push_back({"now", {{}, {VT::I64}}, Capability::Clock, [](Caller&, auto, std::span<Value> r) {
                       r[0] = Value::i64(42);
                       return Result<void>{};
                     }});
  return h;
}

TEST(Host, HostModulesLinkOnlyWhatWasGranted) {
  auto m = load_wat(R"((module (import "env" "now" (func (result i64)))
                              (import "env" "sum" (func (param i32 i32) (result i32)))
                              (func (export "now") (result i64) call 0)))");
  Store s;
  Linker denied;
  denied.define_host(s, clock_module(), Grants{});
  expect_error(denied.resolve(*m).error(), ErrorKind::Unlinkable, "env.now needs capability clock (not granted)");

  Linker granted;
  granted.define_host(s, clock_module(), Grants{}.grant(Capability::Clock));
  auto imports = granted.resolve(*m);
  ASSERT_TRUE(imports.ok()) << imports.error().message;
  auto inst = s.instantiate(m, *imports);
  ASSERT_TRUE(inst.ok());
  EXPECT_EQ((*call(s, *inst, "now", {}))[0], Value::i64(42));

  auto other = load_wat(R"((module (import "env" "later" (func))))");
  expect_error(granted.resolve(*other).error(), ErrorKind::Unlinkable, "unknown import env.later");
}

TEST(Host, CapabilityNames) {
  for (uint8_t i = 0; i < static_cast<uint8_t>(Capability::Count_); ++i) {
    auto c = static_cast<Capability>(i);
    EXPECT_EQ(capability_named(to_string(c)), c);
  }
  EXPECT_EQ(capability_named("network"), std::nullopt);
  EXPECT_TRUE(Grants{}.has(Capability::None));
  EXPECT_FALSE(Grants{}.has(Capability::Fs));
  EXPECT_TRUE(Grants::all().has(Capability::Fs));
}

}  // namespace
