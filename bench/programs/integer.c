/* Integer arithmetic: a 32/64-bit hash-and-PRNG mixing loop (xorshift64*,
 * multiply-rotate, divisions by a varying odd divisor). */
#include "bench.h"

EXPORT(run) u32 run(u32 n) {
  u64 s = 0x9E3779B97F4A7C15ull;
  u32 h = 2166136261u, acc = 0;
  for (u32 i = 0; i < n; ++i) {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    u64 r = s * 0x2545F4914F6CDD1Dull;
    u32 lo = (u32)r, hi = (u32)(r >> 32);
    acc += rotl32(lo ^ i, hi & 31) * 0x85EBCA6Bu;
    acc ^= hi / ((i | 1) & 0xffff ? ((i | 1) & 0xffff) : 1);
    acc += (u32)((i64)(i32)lo % 1000003);
    h = (h ^ acc) * 16777619u;
  }
  return mix(h, acc);
}

BENCH_ENTRY(10000000)
