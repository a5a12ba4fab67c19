/* Floating point: the n-body simulation (five bodies, doubles, sqrt) plus a
 * mandelbrot row. Only basic IEEE operations, so every engine must agree
 * bit for bit; the checksum folds the raw bits of the results. */
#include "bench.h"

#define PI 3.141592653589793
#define SOLAR_MASS (4 * PI * PI)
#define DAYS_PER_YEAR 365.24
#define NBODIES 5

struct body { double x, y, z, vx, vy, vz, mass; };

static struct body bodies[NBODIES];

static void init(void) {
  static const struct body start[NBODIES] = {
      {0, 0, 0, 0, 0, 0, SOLAR_MASS},
      {4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
       1.66007664274403694e-03 * DAYS_PER_YEAR, 7.69901118419740425e-03 * DAYS_PER_YEAR,
       -6.90460016972063023e-05 * DAYS_PER_YEAR, 9.54791938424326609e-04 * SOLAR_MASS},
      {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
       -2.76742510726862411e-03 * DAYS_PER_YEAR, 4.99852801234917238e-03 * DAYS_PER_YEAR,
       2.30417297573763929e-05 * DAYS_PER_YEAR, 2.85885980666130812e-04 * SOLAR_MASS},
      {1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
       2.96460137564761618e-03 * DAYS_PER_YEAR, 2.37847173959480950e-03 * DAYS_PER_YEAR,
       -2.96589568540237556e-05 * DAYS_PER_YEAR, 4.36624404335156298e-05 * SOLAR_MASS},
      {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
       2.68067772490389322e-03 * DAYS_PER_YEAR, 1.62824170038242295e-03 * DAYS_PER_YEAR,
       -9.51592254519715870e-05 * DAYS_PER_YEAR, 5.15138902046611451e-05 * SOLAR_MASS},
  };
  double px = 0, py = 0, pz = 0;
  for (int i = 0; i < NBODIES; ++i) {
    bodies[i] = start[i];
    px += start[i].vx * start[i].mass;
    py += start[i].vy * start[i].mass;
    pz += start[i].vz * start[i].mass;
  }
  bodies[0].vx = -px / SOLAR_MASS;
  bodies[0].vy = -py / SOLAR_MASS;
  bodies[0].vz = -pz / SOLAR_MASS;
}

static void advance(double dt) {
  for (int i = 0; i < NBODIES; ++i) {
    struct body* a = &bodies[i];
    for (int j = i + 1; j < NBODIES; ++j) {
      struct body* b = &bodies[j];
      double dx = a->x - b->x, dy = a->y - b->y, dz = a->z - b->z;
      double d2 = dx * dx + dy * dy + dz * dz;
      double mag = dt / (d2 * __builtin_sqrt(d2));
      a->vx -= dx * b->mass * mag;
      a->vy -= dy * b->mass * mag;
      a->vz -= dz * b->mass * mag;
      b->vx += dx * a->mass * mag;
      b->vy += dy * a->mass * mag;
      b->vz += dz * a->mass * mag;
    }
  }
  for (int i = 0; i < NBODIES; ++i) {
    bodies[i].x += dt * bodies[i].vx;
    bodies[i].y += dt * bodies[i].vy;
    bodies[i].z += dt * bodies[i].vz;
  }
}

static double energy(void) {
  double e = 0;
  for (int i = 0; i < NBODIES; ++i) {
    struct body* a = &bodies[i];
    e += 0.5 * a->mass * (a->vx * a->vx + a->vy * a->vy + a->vz * a->vz);
    for (int j = i + 1; j < NBODIES; ++j) {
      struct body* b = &bodies[j];
      double dx = a->x - b->x, dy = a->y - b->y, dz = a->z - b->z;
      e -= a->mass * b->mass / __builtin_sqrt(dx * dx + dy * dy + dz * dz);
    }
  }
  return e;
}

/* Iterations until escape, summed over one row of the mandelbrot set. */
static u32 mandel_row(u32 y, u32 size) {
  u32 total = 0;
  double ci = 2.0 * y / size - 1.0;
  for (u32 x = 0; x < size; ++x) {
    double cr = 2.0 * x / size - 1.5, zr = 0, zi = 0;
    u32 k = 0;
    while (k < 50 && zr * zr + zi * zi <= 4.0) {
      double t = zr * zr - zi * zi + cr;
      zi = 2.0 * zr * zi + ci;
      zr = t;
      ++k;
    }
    total += k;
  }
  return total;
}

EXPORT(run) u32 run(u32 n) {
  init();
  u32 h = 2166136261u;
  h = mix_f64(h, energy());
  for (u32 i = 0; i < n; ++i) advance(0.01);
  h = mix_f64(h, energy());
  for (int i = 0; i < NBODIES; ++i) h = mix_f64(h, bodies[i].x + bodies[i].vz);
  u32 size = 16 + n / 4096;
  if (size > 512) size = 512;
  for (u32 y = 0; y < size; ++y) h = mix(h, mandel_row(y, size));
  return h;
}

BENCH_ENTRY(500000)
