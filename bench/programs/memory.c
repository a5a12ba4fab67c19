/* Memory: fill a 4 MiB static buffer, heapsort a prefix of it, sieve primes
 * in a byte array, and copy blocks around with a hand-written memcpy. */
#include "bench.h"

#define WORDS (1u << 20)
static u32 buf[WORDS];
static u8 sieve[WORDS];

static void sift_down(u32* a, u32 start, u32 end) {
  u32 root = start;
  while (2 * root + 1 < end) {
    u32 child = 2 * root + 1;
    if (child + 1 < end && a[child] < a[child + 1]) ++child;
    if (a[root] >= a[child]) return;
    u32 t = a[root];
    a[root] = a[child];
    a[child] = t;
    root = child;
  }
}

static void heapsort(u32* a, u32 n) {
  for (u32 i = n / 2; i-- > 0;) sift_down(a, i, n);
  for (u32 end = n; end-- > 1;) {
    u32 t = a[0];
    a[0] = a[end];
    a[end] = t;
    sift_down(a, 0, end);
  }
}

/* Byte-wise on purpose: exercises narrow loads and stores. */
NOINLINE static void copy_bytes(u8* dst, const u8* src, u32 n) {
  for (u32 i = 0; i < n; ++i) dst[i] = src[i];
}

EXPORT(run) u32 run(u32 n) {
  if (n > WORDS) n = WORDS;
  u32 s = 2463534242u;
  for (u32 i = 0; i < n; ++i) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    buf[i] = s;
  }
  heapsort(buf, n);
  u32 h = 2166136261u;
  for (u32 i = 0; i < n; i += 97) h = mix(h, buf[i]);

  for (u32 i = 0; i < n; ++i) sieve[i] = 1;
  u32 primes = 0;
  for (u32 i = 2; i < n; ++i) {
    if (!sieve[i]) continue;
    ++primes;
    for (u32 j = i + i; j < n; j += i) sieve[j] = 0;
  }
  h = mix(h, primes);

  u32 half = n / 2 * 4;
  for (int round = 0; round < 4; ++round) {
    copy_bytes((u8*)buf + half, (const u8*)buf + round, half - 4);
    h = mix(h, buf[n / 2 + round] ^ buf[n - 2]);
  }
  return h;
}

BENCH_ENTRY(500000)
