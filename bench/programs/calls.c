/* Direct calls: recursive fib and a chain of many small non-inlined calls. */
#include "bench.h"

NOINLINE static u32 fib(u32 n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

NOINLINE static u32 add3(u32 a, u32 b, u32 c) { return a + b * 3 + c; }
NOINLINE static u32 step(u32 x, u32 i) { return add3(x ^ i, i, x >> 3); }
NOINLINE static u64 wide(u64 a, u32 b) { return a * 31 + b; }

EXPORT(run) u32 run(u32 n) {
  u32 h = 2166136261u;
  u32 depth = 16 + n / 16000;
  h = mix(h, fib(depth > 32 ? 32 : depth));
  u32 x = 1;
  u64 w = 7;
  for (u32 i = 0; i < n * 64; ++i) {
    x = step(x, i);
    w = wide(w, x);
  }
  h = mix(h, x);
  return mix(h, (u32)w ^ (u32)(w >> 32));
}

BENCH_ENTRY(200000)
