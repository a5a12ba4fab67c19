// clockrand: uses the clocks and random_get but prints only what every
// correct host agrees on (time moves forward, the right number of bytes
// arrive), so its output can be compared across engines. With
// `verbose` as argument it also prints the raw values, which are
// reproducible only under `warden run --deterministic --seed N`.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  int verbose = argc > 1 && strcmp(argv[1], "verbose") == 0;
  struct timespec a, b, real, res;
  int ok = clock_gettime(CLOCK_MONOTONIC, &a) == 0;
  volatile uint32_t spin = 0;
  for (int i = 0; i < 100000; ++i) spin = spin + (uint32_t)i;
  ok = ok && clock_gettime(CLOCK_MONOTONIC, &b) == 0;
  int forward = b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec);
  printf("monotonic: %s\n", ok && forward ? "non-decreasing" : "WRONG");
  // Deterministic clocks start at 2000-01-01T00:00:00Z (946684800).
  ok = clock_gettime(CLOCK_REALTIME, &real) == 0;
  printf("realtime: %s\n", ok && real.tv_sec >= 946684800 ? "after 2000-01-01" : "WRONG");
  ok = clock_getres(CLOCK_MONOTONIC, &res) == 0;
  printf("resolution: %s\n",
         ok && (res.tv_sec > 0 || res.tv_nsec > 0) && res.tv_sec < 1 ? "positive, under 1 s" : "WRONG");

  unsigned char r1[32], r2[32];
  memset(r1, 0, sizeof r1);
  memset(r2, 0, sizeof r2);
  ok = getentropy(r1, sizeof r1) == 0 && getentropy(r2, sizeof r2) == 0;
  printf("random: %s\n", ok ? "2 x 32 bytes" : "WRONG");
  printf("random draws differ: %s\n", memcmp(r1, r2, sizeof r1) != 0 ? "yes" : "no");
  if (verbose) {
    printf("monotonic %lld.%09ld -> %lld.%09ld\n", (long long)a.tv_sec, a.tv_nsec,
           (long long)b.tv_sec, b.tv_nsec);
    printf("realtime %lld.%09ld\n", (long long)real.tv_sec, real.tv_nsec);
    printf("random ");
    for (size_t i = 0; i < sizeof r1; ++i) printf("%02x", r1[i]);
    printf("\n");
  }
  return 0;
}
