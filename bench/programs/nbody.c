/* N-body, f64: eight bodies (a heavy one at the centre, seven on roughly
 * circular orbits, all placed by a fixed PRNG) under softened gravity,
 * integrated with a symplectic Euler step; the checksum folds the raw bits of
 * the energy before and after and of every final position. The softening
 * keeps every distance away from zero, so no step can overflow or make a NaN
 * (whose bits engines may pick differently).
 *
 * Built twice (bench/programs.txt): nbody.wasm is scalar MVP code;
 * nbody_simd.wasm (-msimd128) runs the same loops with (x, y) and (vx, vy)
 * in f64x2 lanes. Every value is the same sequence of IEEE operations in
 * both builds, so both give the same checksum. */
#include "bench.h"
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#define NB     8
#define EPS2   0.01
#define DT     0.001

/* x, y and vx, vy adjacent: the SIMD build loads each pair as one f64x2. */
struct body {
  double x, y, z, m;
  double vx, vy, vz, pad;
};
static struct body bodies[NB];

static double unit(u32* s) { /* [0, 1) from a xorshift32 */
  *s ^= *s << 13;
  *s ^= *s >> 17;
  *s ^= *s << 5;
  return (double)(*s >> 8) / 16777216.0;
}

static void init(void) {
  u32 s = 0x3C6EF372u;
  const double central = 1000.0;
  bodies[0] = (struct body){0, 0, 0, central, 0, 0, 0, 0};
  double px = 0, py = 0, pz = 0;
  for (u32 i = 1; i < NB; ++i) {
    double r = 1.0 + 0.7 * i;
    double ux = unit(&s) * 2 - 1, uy = unit(&s) * 2 - 1;
    double len = __builtin_sqrt(ux * ux + uy * uy) + 1e-3;
    double x = r * ux / len, y = r * uy / len, z = 0.05 * (unit(&s) - 0.5);
    double v = __builtin_sqrt(central / r);
    double m = 0.5 + 2.0 * unit(&s);
    bodies[i] = (struct body){x, y, z, m, -v * y / r, v * x / r, 0.01 * (unit(&s) - 0.5), 0};
    px += bodies[i].vx * m;
    py += bodies[i].vy * m;
    pz += bodies[i].vz * m;
  }
  bodies[0].vx = -px / central;
  bodies[0].vy = -py / central;
  bodies[0].vz = -pz / central;
}

static double energy(void) {
  double e = 0;
  for (u32 i = 0; i < NB; ++i) {
    const struct body* a = &bodies[i];
    e += 0.5 * a->m * (a->vx * a->vx + a->vy * a->vy + a->vz * a->vz);
    for (u32 j = i + 1; j < NB; ++j) {
      const struct body* b = &bodies[j];
      double dx = a->x - b->x, dy = a->y - b->y, dz = a->z - b->z;
      e -= a->m * b->m / __builtin_sqrt(dx * dx + dy * dy + dz * dz + EPS2);
    }
  }
  return e;
}

#ifndef __wasm_simd128__
NOINLINE static void advance(void) {
  for (u32 i = 0; i < NB; ++i) {
    struct body* a = &bodies[i];
    for (u32 j = i + 1; j < NB; ++j) {
      struct body* b = &bodies[j];
      double dx = a->x - b->x, dy = a->y - b->y, dz = a->z - b->z;
      double d2 = dx * dx + dy * dy + dz * dz + EPS2;
      double mag = DT / (d2 * __builtin_sqrt(d2));
      double ma = a->m * mag, mb = b->m * mag;
      a->vx -= dx * mb;
      a->vy -= dy * mb;
      a->vz -= dz * mb;
      b->vx += dx * ma;
      b->vy += dy * ma;
      b->vz += dz * ma;
    }
  }
  for (u32 i = 0; i < NB; ++i) {
    bodies[i].x += DT * bodies[i].vx;
    bodies[i].y += DT * bodies[i].vy;
    bodies[i].z += DT * bodies[i].vz;
  }
}
#else
NOINLINE static void advance(void) {
  /* The scalar build's loop and order, with (x, y) and (vx, vy) as f64x2:
   * one subtract for dx and dy, one multiply for their squares, one
   * multiply-and-add per velocity pair. a's velocity stays in locals for
   * its inner loop (only this i's pairs touch it there). */
  for (u32 i = 0; i < NB; ++i) {
    struct body* a = &bodies[i];
    const v128_t axy = wasm_v128_load(&a->x);
    const double az = a->z, am = a->m;
    v128_t avxy = wasm_v128_load(&a->vx);
    double avz = a->vz;
    for (u32 j = i + 1; j < NB; ++j) {
      struct body* b = &bodies[j];
      const v128_t dxy = wasm_f64x2_sub(axy, wasm_v128_load(&b->x));
      const double dz = az - b->z;
      const v128_t sq = wasm_f64x2_mul(dxy, dxy);
      double d2 = wasm_f64x2_extract_lane(sq, 0) + wasm_f64x2_extract_lane(sq, 1) + dz * dz + EPS2;
      double mag = DT / (d2 * __builtin_sqrt(d2));
      double ma = am * mag, mb = b->m * mag;
      avxy = wasm_f64x2_sub(avxy, wasm_f64x2_mul(dxy, wasm_f64x2_splat(mb)));
      avz -= dz * mb;
      wasm_v128_store(&b->vx, wasm_f64x2_add(wasm_v128_load(&b->vx), wasm_f64x2_mul(dxy, wasm_f64x2_splat(ma))));
      b->vz += dz * ma;
    }
    wasm_v128_store(&a->vx, avxy);
    a->vz = avz;
  }
  const v128_t dt = wasm_f64x2_splat(DT);
  for (u32 i = 0; i < NB; ++i) {
    struct body* a = &bodies[i];
    wasm_v128_store(&a->x, wasm_f64x2_add(wasm_v128_load(&a->x), wasm_f64x2_mul(dt, wasm_v128_load(&a->vx))));
    a->z += DT * a->vz;
  }
}
#endif

/* n steps of DT. */
EXPORT(run) u32 run(u32 n) {
  init();
  u32 h = mix_f64(2166136261u, energy());
  for (u32 i = 0; i < n; ++i) advance();
  h = mix_f64(h, energy());
  for (u32 i = 0; i < NB; ++i) h = mix_f64(mix_f64(mix_f64(h, bodies[i].x), bodies[i].y), bodies[i].z);
  return h;
}

BENCH_ENTRY(120000)
