/* Integer quicksort: arrays of pseudo-random u32 sorted in place by an
 * iterative quicksort (median of three, Hoare partition, insertion sort below
 * 16 elements, the smaller side first so the explicit stack stays at most
 * log2(n) deep), then checked for order. Compares, swaps and branches that
 * the data decides. */
#include "bench.h"

#define MAX_LEN (1u << 18)
static u32 a[MAX_LEN];

static void insertion_sort(u32* v, u32 lo, u32 hi) { /* [lo, hi] inclusive */
  for (u32 i = lo + 1; i <= hi; ++i) {
    u32 x = v[i], j = i;
    while (j > lo && v[j - 1] > x) {
      v[j] = v[j - 1];
      --j;
    }
    v[j] = x;
  }
}

static inline void swap(u32* v, u32 i, u32 j) {
  u32 t = v[i];
  v[i] = v[j];
  v[j] = t;
}

NOINLINE static void quicksort(u32* v, u32 len) {
  if (len < 2) return;
  u32 stack_lo[32], stack_hi[32]; /* 32 levels: len < 2^32 halves at each */
  u32 top = 0, lo = 0, hi = len - 1;
  for (;;) {
    while (hi - lo >= 16) {
      u32 mid = lo + (hi - lo) / 2;
      if (v[mid] < v[lo]) swap(v, mid, lo);
      if (v[hi] < v[lo]) swap(v, hi, lo);
      if (v[hi] < v[mid]) swap(v, hi, mid);
      u32 pivot = v[mid], i = lo - 1, j = hi + 1;
      for (;;) {
        do ++i;
        while (v[i] < pivot);
        do --j;
        while (v[j] > pivot);
        if (i >= j) break;
        swap(v, i, j);
      }
      /* [lo, j] and [j + 1, hi]: keep the smaller, push the larger. */
      if (j - lo < hi - j) {
        stack_lo[top] = j + 1, stack_hi[top] = hi, ++top;
        hi = j;
      } else {
        stack_lo[top] = lo, stack_hi[top] = j, ++top;
        lo = j + 1;
      }
    }
    insertion_sort(v, lo, hi);
    if (top == 0) return;
    --top;
    lo = stack_lo[top], hi = stack_hi[top];
  }
}

/* Sorts n elements in all, in arrays of at most MAX_LEN; returns 0 if any
 * array comes out unsorted. */
EXPORT(run) u32 run(u32 n) {
  u32 s = 0xBB67AE85u, h = 2166136261u;
  for (u32 round = 0; n > 0; ++round) {
    u32 len = n < MAX_LEN ? n : MAX_LEN;
    for (u32 i = 0; i < len; ++i) {
      s ^= s << 13;
      s ^= s >> 17;
      s ^= s << 5;
      a[i] = round & 1 ? s % 1000 : s; /* odd rounds: many equal keys */
    }
    quicksort(a, len);
    for (u32 i = 1; i < len; ++i)
      if (a[i - 1] > a[i]) return 0;
    for (u32 i = 0; i < len; i += 61) h = mix(h, a[i]);
    n -= len;
  }
  return h;
}

BENCH_ENTRY(800000)
