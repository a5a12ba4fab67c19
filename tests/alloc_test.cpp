// Nothing on the execution path throws (docs/design.md, "Errors"): with the
// N-th heap allocation of an invocation made to fail, for every N, the call
// either succeeds with the right values or fails with Exhaustion "out of
// memory". No std::bad_alloc reaches the embedder, nothing aborts.
//
// Its own executable, because it replaces the global operator new.
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>

#include "warden/host.hpp"
#include "warden/text.hpp"
#include "warden/warden.hpp"

// Our operator new is malloc and our operator delete is free, which match;
// GCC 12, seeing both inlined into one caller, warns about the new/free pair.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace {
// Allocations left before one fails; negative: never fail.
long g_countdown = -1;
bool g_failed = false;
std::size_t g_largest = 0;  // the largest allocation since it was last zeroed
std::size_t g_total = 0;    // bytes allocated since it was last zeroed (by any thread)

void* allocate(std::size_t n) {
  g_largest = n > g_largest ? n : g_largest;
  __atomic_fetch_add(&g_total, n, __ATOMIC_RELAXED);
  if (g_countdown >= 0 && g_countdown-- == 0) {
    g_failed = true;
    return nullptr;
  }
  return std::malloc(n ? n : 1);
}
}  // namespace

void* operator new(std::size_t n) {
  if (void* p = allocate(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return allocate(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return allocate(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace {

using namespace warden;
using VT = ValType;

// (module
//   (import "env" "twice" (func $twice (param i32) (result i32)))
//   (table 8 funcref)
//   (memory 1)
//   (func $f (export "f") (param i32) (result i32)      ;; twice(x) + 1
//     local.get 0 call $twice i32.const 1 i32.add)
//   (func (export "deep") (param i32) (result i32)       ;; x nested calls of f
//     (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
//       (else (call $f (call 2 (i32.sub (local.get 0) (i32.const 1)))))))
//   (func (export "uninit") (call_indirect (i32.const 5)))
//   (func (export "oob") (result i32) (i32.load (i32.const 65536))))
constexpr std::string_view kModule = R"((module
  (import "env" "twice" (func $twice (param i32) (result i32)))
  (table 8 funcref)
  (memory 1)
  (func $f (export "f") (param i32) (result i32) local.get 0 call $twice i32.const 1 i32.add)
  (func (export "deep") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
      (else (call $f (call 2 (i32.sub (local.get 0) (i32.const 1)))))))
  (func (export "uninit") (call_indirect (i32.const 5)))
  (func (export "oob") (result i32) (i32.load (i32.const 65536))))
)";

struct Outcome {
  bool ok = false;
  Error error{};
  std::vector<Value> values{};
};
Outcome returns(Value v) { return Outcome{true, Error{ErrorKind::Trap, ""}, {v}}; }
Outcome traps(const char* message) { return Outcome{false, Error{ErrorKind::Trap, message}, {}}; }

class FailingAllocator : public ::testing::Test {
 protected:
  void SetUp() override {
    auto bytes = wat_to_wasm(kModule);
    ASSERT_TRUE(bytes.ok()) << bytes.error().message;
    auto m = Module::load(*bytes);
    ASSERT_TRUE(m.ok()) << m.error().message;
    Linker l;
    l.define("env", "twice",
             Extern::of(store_.create_host_func({{VT::I32}, {VT::I32}},
                                                [](Caller&, std::span<const Value> a, std::span<Value> r) {
                                                  r[0] = Value::i32(2 * a[0].as_i32());
                                                  return Result<void>{};
                                                })));
    auto inst = store_.instantiate(*m, *l.resolve(**m));
    ASSERT_TRUE(inst.ok());
    inst_ = *inst;
  }

  /// Invokes `name` with the `k`-th allocation failing (k < 0: none).
  /// Copies the outcome out with the allocator disarmed.
  Outcome call(const char* name, std::vector<Value> args, long k) {
    const FuncInst* f = inst_->find_export(name)->func;
    g_failed = false;
    g_countdown = k;
    Result<std::vector<Value>> r = store_.invoke(f, args);
    g_countdown = -1;
    Outcome o;
    o.ok = r.ok();
    if (r)
      o.values = *r;
    else
      o.error = r.error();
    return o;
  }

  /// Sweeps k = 0, 1, ... until a run no longer reaches its k-th
  /// allocation; every run must match `expect` or be "out of memory".
  void sweep(const char* name, std::vector<Value> args, const Outcome& expect) {
    for (long k = 0; k < 10'000; ++k) {
      Outcome o = call(name, args, k);
      if (!g_failed) {
        // Reached the end without hitting the failure: the real result.
        EXPECT_EQ(o.ok, expect.ok) << name << " k=" << k << ": " << o.error.message;
        EXPECT_EQ(o.error.message, expect.error.message) << name;
        EXPECT_EQ(o.values, expect.values) << name;
        return;
      }
      if (o.ok) {
        EXPECT_EQ(o.values, expect.values) << name << " k=" << k;
      } else if (o.error.message != expect.error.message) {
        EXPECT_EQ(o.error.kind, ErrorKind::Exhaustion) << name << " k=" << k << ": " << o.error.message;
        EXPECT_EQ(o.error.message, "out of memory") << name << " k=" << k;
      }
      // The store stays usable after every failed allocation.
      Outcome again = call(name, args, -1);
      EXPECT_EQ(again.values, expect.values) << name << " after k=" << k;
    }
    ADD_FAILURE() << name << ": more than 10000 allocations";
  }

  Store store_;
  Instance* inst_ = nullptr;
};

TEST_F(FailingAllocator, HostCallsAndResults) {
  sweep("f", {Value::i32(20)}, returns(Value::i32(41)));
  sweep("deep", {Value::i32(10)}, returns(Value::i32(1023)));  // 2^10 - 1
}

TEST_F(FailingAllocator, TrapMessages) {
  sweep("uninit", {}, traps("uninitialized element 5"));
  sweep("oob", {}, traps("out of bounds memory access"));
}

TEST_F(FailingAllocator, AnAllocationReallyFails) {
  // The sweep is only a test if allocations happen on these paths at all.
  Outcome o = call("oob", {}, 0);
  EXPECT_TRUE(g_failed);
  EXPECT_EQ(o.error.kind, ErrorKind::Exhaustion);
  EXPECT_EQ(o.error.message, "out of memory");
}

}  // namespace

// A section's count is a claim until its items are read: the decoder
// reserves room for no more items than the bytes left could hold (each
// takes a few bytes at least), so a count as large as the bytes left, over
// bytes that fail at the first item (0xFF: a LEB128 too long, or no type),
// costs no more than Limits' ~40 bytes of tree per input byte.
TEST(LoadAllocations, ACountIsNoClaimOnMemoryPastItsBytes) {
  constexpr uint32_t kClaimed = 10'000;     // LEB128 90 4E; the section holds 2 + 10,000 bytes
  for (uint8_t id : {1, 2, 6, 7, 9, 11}) {  // types, imports, globals, exports, elements, data
    std::vector<uint8_t> b = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, id, 0x92, 0x4E, 0x90, 0x4E};
    b.resize(b.size() + kClaimed, 0xFF);
    g_largest = 0;
    auto m = Module::load(b);
    ASSERT_FALSE(m.ok()) << "section " << int{id};
    EXPECT_EQ(m.error().kind, ErrorKind::Malformed) << "section " << int{id} << ": " << m.error().message;
    EXPECT_LE(g_largest, 40 * b.size()) << "section " << int{id} << ": " << m.error().message;
  }
}

// On several threads the decoder skips each body's instructions after its
// locals (docs/design.md, "Loading on several threads"). When the locals
// run past the entry, going back to the entry's end would read the same
// bytes again as the next entries, each keeping up to 127 locals for 2
// bytes: here every entry is [size 1][127 declarations], the pairs
// (1 x i32) being the next entries' bytes. The decoder stops at the first,
// as the one-thread load does.
TEST(LoadAllocations, LocalsPastTheirEntryStopTheDecoderOnThreads) {
  constexpr uint32_t kFuncs = 20'000;  // LEB128 A0 9C 01
  std::vector<uint8_t> b = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00,
                            0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00,  // type 0: [] -> []
                            0x03, 0xA3, 0x9C, 0x01, 0xA0, 0x9C, 0x01};
  b.resize(b.size() + kFuncs, 0x00);                                             // every function of type 0
  const std::vector<uint8_t> code = {0x0A, 0xA3, 0xB8, 0x02, 0xA0, 0x9C, 0x01};  // 3 + 2 x 20,000 bytes
  b.insert(b.end(), code.begin(), code.end());
  for (uint32_t i = 0; i < kFuncs; ++i) b.insert(b.end(), {0x01, 0x7F});
  std::size_t total[2] = {};
  std::string outcome[2];
  for (uint32_t threads : {1u, 2u}) {
    Limits limits;
    limits.load_threads = threads;
    g_total = 0;
    auto m = Module::load(b, limits);
    total[threads - 1] = g_total;
    ASSERT_FALSE(m.ok());
    outcome[threads - 1] =
        std::string(to_string(m.error().kind)) + ": " + m.error().message + " @" + std::to_string(m.error().offset);
  }
  EXPECT_EQ(outcome[1], outcome[0]);
  EXPECT_EQ(outcome[0].rfind("malformed: ", 0), 0u) << outcome[0];
  EXPECT_LE(total[1], 2 * total[0] + (64u << 10)) << "1 thread: " << total[0] << " bytes, 2: " << total[1];
}
