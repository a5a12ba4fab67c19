// One compiled module, many threads: each thread its own Store, instances
// and calls (warden.hpp: Module is immutable and shareable; a Store is one
// thread's). Run under the tsan preset for data races:
//   cmake --preset tsan && cmake --build --preset tsan --target threads_test
//   build/tsan/tests/threads_test
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "warden/text.hpp"
#include "warden/warden.hpp"

using namespace warden;

TEST(Threads, OneModuleManyStoresInParallel) {
  // fib(n) by recursion, a memory it writes, a global it counts calls in,
  // and a table for call_indirect: every kind of per-instance state.
  Result<std::vector<uint8_t>> wasm = wat_to_wasm(R"((module
    (type $t (func (param i32) (result i32)))
    (memory 1)
    (global $calls (mut i32) (i32.const 0))
    (table 1 funcref) (elem (i32.const 0) $fib)
    (func $fib (type $t)
      (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
      (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
        (then (local.get 0))
        (else (i32.add (call_indirect (type $t) (i32.sub (local.get 0) (i32.const 1)) (i32.const 0))
                       (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
    (func (export "run") (param i32) (result i32)
      (i32.store (i32.const 0) (call $fib (local.get 0)))
      (i32.add (i32.load (i32.const 0)) (i32.mul (global.get $calls) (i32.const 0)))))
  )");
  ASSERT_TRUE(wasm) << wasm.error().message;
  Result<std::shared_ptr<const Module>> module = Module::load(*wasm);
  ASSERT_TRUE(module) << module.error().message;

  constexpr int kThreads = 4, kRounds = 50;
  std::atomic<int> right{0}, wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        Limits limits;
        limits.fuel = 1'000'000;
        Store store(limits);
        Result<Instance*> inst = store.instantiate(*module, {});
        if (!inst) {
          ++wrong;
          continue;
        }
        const uint32_t n = static_cast<uint32_t>(10 + (t + round) % 8);
        Result<std::vector<Value>> r = store.invoke((*inst)->find_export("run")->func, std::vector{Value::i32(n)});
        uint32_t a = 0, b = 1;
        for (uint32_t i = 0; i < n; ++i) b = a + b, a = b - a;
        (r && r->size() == 1 && (*r)[0].lo == a ? right : wrong)++;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(right, kThreads * kRounds);
  EXPECT_EQ(wrong, 0);
}
