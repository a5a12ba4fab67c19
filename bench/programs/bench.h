/* Shared by the benchmark programs: freestanding wasm32, no libc.
 * Each program exports run(n) -> 32-bit checksum, and bench() = run(BENCH_N)
 * so engines that cannot pass arguments (wabt's wasm-interp) time the same
 * work. */
#ifndef WARDEN_BENCH_H
#define WARDEN_BENCH_H

typedef unsigned char u8;
typedef unsigned int u32;
typedef int i32;
typedef unsigned long long u64;
typedef long long i64;

#define EXPORT(name) __attribute__((export_name(#name)))
#define NOINLINE     __attribute__((noinline))

static inline u32 rotl32(u32 x, u32 r) { return (x << (r & 31)) | (x >> ((32 - r) & 31)); }

/* FNV-1a over a word, the checksum every program folds its results into. */
static inline u32 mix(u32 h, u32 v) {
  for (int i = 0; i < 4; ++i) {
    h ^= (v >> (8 * i)) & 0xff;
    h *= 16777619u;
  }
  return h;
}

/* Folds the raw bits of a float into the checksum: engines must agree bit for
 * bit, so results are compared exactly, never within a tolerance. */
static inline u32 mix_f64(u32 h, double d) {
  u64 b;
  __builtin_memcpy(&b, &d, sizeof b);
  return mix(mix(h, (u32)b), (u32)(b >> 32));
}
static inline u32 mix_f32(u32 h, float f) {
  u32 b;
  __builtin_memcpy(&b, &f, sizeof b);
  return mix(h, b);
}

/* The compiler lowers struct copies and zeroing loops to calls to these.
 * no_builtin keeps it from turning their own loops back into such calls. */
__attribute__((no_builtin("memcpy"))) void* memcpy(void* dst, const void* src, unsigned long n) {
  u8* d = (u8*)dst;
  const u8* s = (const u8*)src;
  for (unsigned long i = 0; i < n; ++i) d[i] = s[i];
  return dst;
}
__attribute__((no_builtin("memset"))) void* memset(void* dst, int c, unsigned long n) {
  u8* d = (u8*)dst;
  for (unsigned long i = 0; i < n; ++i) d[i] = (u8)c;
  return dst;
}

#define BENCH_ENTRY(N) \
  EXPORT(bench) u32 bench(void) { return run(N); }

#endif
