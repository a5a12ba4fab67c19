/* 64-bit hashing over a memory buffer: FNV-1a 64 one byte at a time, then a
 * word-at-a-time xorshift-multiply hash over 64-bit loads. Each pass feeds
 * its result back into the buffer, so no pass can be hoisted or skipped. */
#include "bench.h"

#define BYTES (1u << 16)
static u64 words[BYTES / 8];

static inline u64 rotl64(u64 x, u32 r) { return (x << (r & 63)) | (x >> ((64 - r) & 63)); }

NOINLINE static u64 fnv1a64(const u8* p, u32 len, u64 h) {
  for (u32 i = 0; i < len; ++i) {
    h ^= p[i];
    h *= 0x100000001B3ull;
  }
  return h;
}

NOINLINE static u64 mix64(const u64* w, u32 count, u64 h) {
  for (u32 i = 0; i < count; ++i) {
    u64 k = w[i] * 0x87C37B91114253D5ull;
    k = rotl64(k, 31) * 0x4CF5AD432745937Full;
    h ^= k;
    h = rotl64(h, 27) * 5 + 0x52DCE729;
  }
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  return h;
}

/* Hashes n bytes in all (rounded down to whole passes over the buffer). */
EXPORT(run) u32 run(u32 n) {
  u64 s = 0x243F6A8885A308D3ull;
  for (u32 i = 0; i < BYTES / 8; ++i) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    words[i] = s;
  }
  u32 passes = n / BYTES;
  if (passes == 0) passes = 1;
  u64 h = 0xCBF29CE484222325ull;
  for (u32 p = 0; p < passes; ++p) {
    h = fnv1a64((const u8*)words, BYTES, h);
    h = mix64(words, BYTES / 8, h);
    words[(u32)h % (BYTES / 8)] ^= h;
  }
  return mix(mix(2166136261u, (u32)h), (u32)(h >> 32));
}

BENCH_ENTRY(32000000)
