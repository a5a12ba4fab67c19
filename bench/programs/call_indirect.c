/* Indirect calls: dispatch through a table of function pointers whose index
 * comes from the data, so the compiler cannot devirtualise it. */
#include "bench.h"

typedef u32 (*op_fn)(u32 acc, u32 v);

NOINLINE static u32 op_add(u32 a, u32 v) { return a + v; }
NOINLINE static u32 op_sub(u32 a, u32 v) { return a - v * 3; }
NOINLINE static u32 op_xor(u32 a, u32 v) { return a ^ (v * 0x9E3779B1u); }
NOINLINE static u32 op_rot(u32 a, u32 v) { return rotl32(a, v) + 1; }
NOINLINE static u32 op_mul(u32 a, u32 v) { return a * (v | 1); }
NOINLINE static u32 op_shr(u32 a, u32 v) { return (a >> (v & 7)) ^ v; }
NOINLINE static u32 op_mix(u32 a, u32 v) { return mix(a, v); }
NOINLINE static u32 op_neg(u32 a, u32 v) { return ~a + v; }

static op_fn table[8] = {op_add, op_sub, op_xor, op_rot, op_mul, op_shr, op_mix, op_neg};

EXPORT(run) u32 run(u32 n) {
  u32 acc = 1, state = 12345;
  for (u32 i = 0; i < n; ++i) {
    state = state * 1103515245u + 12345u;
    acc = table[(state >> 16) & 7](acc, i);
  }
  return mix(2166136261u, acc);
}

BENCH_ENTRY(10000000)
