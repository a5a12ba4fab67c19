/* Dense matrix multiply, f32: C = A x B for N x N matrices in i-k-j order
 * (the inner loop walks a row of B and a row of C), repeated with A
 * perturbed between rounds so no round repeats another.
 *
 * Built twice (bench/programs.txt): matmul.wasm is scalar MVP code;
 * matmul_simd.wasm (-msimd128) does the inner loop four columns at a time
 * in f32x4 lanes. Every C element is the same chain of multiplies and adds
 * in the same order in both builds (no reduction is reassociated), so both
 * give the same checksum. */
#include "bench.h"
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#define N 64 /* a multiple of 4 */
static float a[N * N], b[N * N], c[N * N];

static void init(void) {
  u32 s = 0x6A09E667u;
  for (u32 i = 0; i < N * N; ++i) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    a[i] = (float)(i32)(s >> 8) * (1.0f / 8388608.0f) - 0.5f; /* [-0.5, 1.5) */
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    b[i] = (float)(i32)(s >> 8) * (1.0f / 8388608.0f) - 1.0f; /* [-1, 1) */
  }
}

NOINLINE static void multiply(void) {
  for (u32 i = 0; i < N * N; ++i) c[i] = 0;
  for (u32 i = 0; i < N; ++i) {
    float* ci = &c[i * N];
    for (u32 k = 0; k < N; ++k) {
      const float* bk = &b[k * N];
#ifdef __wasm_simd128__
      v128_t aik = wasm_f32x4_splat(a[i * N + k]);
      for (u32 j = 0; j < N; j += 4) {
        v128_t prod = wasm_f32x4_mul(aik, wasm_v128_load(&bk[j]));
        wasm_v128_store(&ci[j], wasm_f32x4_add(wasm_v128_load(&ci[j]), prod));
      }
#else
      float aik = a[i * N + k];
      for (u32 j = 0; j < N; ++j) ci[j] += aik * bk[j];
#endif
    }
  }
}

/* n rounds of C = A x B. */
EXPORT(run) u32 run(u32 n) {
  init();
  u32 h = 2166136261u;
  float trace = 0;
  for (u32 r = 0; r < n; ++r) {
    multiply();
    for (u32 i = 0; i < N; ++i) trace += c[i * N + i];
    u32 at = (r * 2654435761u) % (N * N);
    a[at] = c[at] / (1.0f + __builtin_fabsf(c[at])); /* keeps |a| < 1.5: no overflow, no NaN */
    h = mix_f32(h, trace);
  }
  for (u32 i = 0; i < N * N; i += 7) h = mix_f32(h, c[i]);
  return h;
}

BENCH_ENTRY(120)
