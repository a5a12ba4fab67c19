/* Sieve of Eratosthenes over a byte array: one flag byte per number, a
 * clearing pass, a scan that reads every byte, and strided byte stores for
 * the multiples. Narrow loads and stores plus a tight loop: the work where an
 * interpreter's per-access bounds check and dispatch show most. */
#include "bench.h"

#define WINDOW (1u << 22) /* 4 MiB of flags, zero-initialised (.bss) */
static u8 composite[WINDOW];

/* Sieves [0, limit) and returns the number of primes below limit; *last gets
 * the largest of them. */
NOINLINE static u32 sieve(u32 limit, u32* last) {
  for (u32 i = 0; i < limit; ++i) composite[i] = 0;
  u32 count = 0;
  *last = 0;
  for (u32 i = 2; i < limit; ++i) {
    if (composite[i]) continue;
    ++count;
    *last = i;
    if ((u64)i * i >= limit) continue;
    for (u32 j = i * i; j < limit; j += i) composite[j] = 1;
  }
  return count;
}

/* Sieves n numbers in all, in windows of at most WINDOW whose sizes differ
 * from one round to the next so no round repeats another. */
EXPORT(run) u32 run(u32 n) {
  u32 h = 2166136261u;
  for (u32 round = 0; n > 0; ++round) {
    u32 limit = n < WINDOW ? n : WINDOW - round * 4099u % (WINDOW / 2);
    if (limit > n) limit = n;
    u32 last;
    h = mix(h, sieve(limit, &last));
    h = mix(h, last);
    n -= limit;
  }
  return h;
}

BENCH_ENTRY(12000000)
