/* Mandelbrot set, f64: iterations until escape for every point of a
 * size x size grid over [-2, 0.5] x [-1.25, 1.25], at most MAX_ITER each.
 *
 * Built twice (bench/programs.txt): mandelbrot.wasm is scalar MVP code;
 * mandelbrot_simd.wasm (-msimd128) runs two points at once in f64x2 lanes.
 * A lane's mask stays all ones until its first escape (f64x2 compare, and-ed
 * into the mask) and counts the iterations; the loop stops when no lane is
 * left (v128.any_true). An escaped lane's z keeps iterating (to infinity and
 * NaN: no trap, and its mask stays 0), so nothing is spent keeping it: the
 * count is all its z was for. Each lane does the scalar loop's operations in
 * the scalar loop's order, and IEEE arithmetic is exact per operation, so
 * both builds give the same checksum. */
#include "bench.h"
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#define MAX_ITER 256

static inline double coord(u32 i, u32 size, double lo, double span) { return lo + span * (double)i / (double)size; }

#ifndef __wasm_simd128__
static u32 row(u32 y, u32 size) {
  double ci = coord(y, size, -1.25, 2.5);
  u32 total = 0;
  for (u32 x = 0; x < size; ++x) {
    double cr = coord(x, size, -2.0, 2.5), zr = 0, zi = 0;
    u32 k = 0;
    while (k < MAX_ITER) {
      double zr2 = zr * zr, zi2 = zi * zi;
      if (zr2 + zi2 > 4.0) break;
      zi = 2.0 * zr * zi + ci;
      zr = zr2 - zi2 + cr;
      ++k;
    }
    total += k;
  }
  return total;
}
#else
static u32 row(u32 y, u32 size) {
  v128_t ci = wasm_f64x2_splat(coord(y, size, -1.25, 2.5));
  v128_t four = wasm_f64x2_splat(4.0);
  u32 total = 0;
  for (u32 x = 0; x < size; x += 2) {
    v128_t cr = wasm_f64x2_make(coord(x, size, -2.0, 2.5), coord(x + 1, size, -2.0, 2.5));
    v128_t zr = wasm_f64x2_splat(0), zi = wasm_f64x2_splat(0);
    v128_t count = wasm_i64x2_splat(0), live = wasm_i64x2_splat(-1);
    for (u32 k = 0; k < MAX_ITER; ++k) {
      v128_t zr2 = wasm_f64x2_mul(zr, zr), zi2 = wasm_f64x2_mul(zi, zi);
      live = wasm_v128_and(live, wasm_f64x2_le(wasm_f64x2_add(zr2, zi2), four));
      if (!wasm_v128_any_true(live)) break;
      count = wasm_i64x2_sub(count, live); /* live lanes are all ones: -1 */
      zi = wasm_f64x2_add(wasm_f64x2_mul(wasm_f64x2_add(zr, zr), zi), ci);
      zr = wasm_f64x2_add(wasm_f64x2_sub(zr2, zi2), cr);
    }
    total += (u32)wasm_i64x2_extract_lane(count, 0) + (u32)wasm_i64x2_extract_lane(count, 1);
  }
  return total;
}
#endif

/* The grid is n x n points, n rounded up to even (the SIMD build takes two
 * points at a time). */
EXPORT(run) u32 run(u32 n) {
  u32 size = (n + 1) & ~1u;
  u32 h = 2166136261u, total = 0;
  for (u32 y = 0; y < size; ++y) {
    u32 r = row(y, size);
    total += r;
    h = mix(h, r);
  }
  return mix(h, total);
}

BENCH_ENTRY(450)
