// printf: integer and floating-point formatting and parsing, computed inside
// the guest (so both engines must agree bit for bit on the arithmetic).
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  printf("[%d] [%i] [%+d] [% d] [%-6d] [%6d] [%06d]\n", 42, -42, 42, 42, 42, 42, -42);
  printf("[%u] [%x] [%X] [%#x] [%o] [%#o]\n", 3000000000u, 0xbeefu, 0xbeefu, 255u, 8u, 8u);
  printf("[%lld] [%lld] [%llu]\n", LLONG_MIN, LLONG_MAX, ULLONG_MAX);
  printf("[%" PRId64 "] [%" PRIx64 "] [%zu] [%c%c] [%5.2s] [%%]\n", -INT64_C(1099511627776),
         UINT64_C(0xfedcba9876543210), sizeof(long double), 'o', 'k', "wasm");

  const double d[] = {0.0, -0.0, 1.0, 0.1, 1.0 / 3.0, 2.5, -1e-300, 6.02214076e23,
                      DBL_MAX, DBL_MIN, DBL_TRUE_MIN, 123456789.125};
  for (size_t i = 0; i < sizeof d / sizeof d[0]; ++i) {
    printf("%.17g | %e | %.3f | %g | %a\n", d[i], d[i], d[i], d[i], d[i]);
  }
  const float f[] = {1.5f, 0.1f, 3.4028235e38f, 1e-45f};
  for (size_t i = 0; i < sizeof f / sizeof f[0]; ++i) printf("%.9g %a\n", f[i], (double)f[i]);
  printf("[%f] [%f] [%F] [%e] [%g]\n", INFINITY, -INFINITY, INFINITY, NAN, -NAN);
  printf("[%10.4f] [%-10.2e] [%+.0f] [%.0f] [%.0f] [%#.0f]\n", M_PI, M_E, 2.5, 3.5, -0.5, 1.0);

  // Arithmetic and libm computed in the guest.
  double sum = 0;
  for (int i = 1; i <= 1000; ++i) sum += 1.0 / ((double)i * i);
  printf("basel(1000) = %.17g\n", sum);
  printf("sqrt(2) = %.17g  exp(1) = %.17g  log(10) = %.17g\n", sqrt(2.0), exp(1.0), log(10.0));
  printf("sin(1) = %.17g  pow(2, 0.5) = %.17g  fmod(10, 3) = %g\n", sin(1.0), pow(2.0, 0.5),
         fmod(10.0, 3.0));
  printf("floor/ceil/trunc/round(-2.5) = %g %g %g %g  rint(2.5) = %g\n", floor(-2.5), ceil(-2.5),
         trunc(-2.5), round(-2.5), rint(2.5));

  // Parsing.
  const char* texts[] = {"0.1", "1e400", "-0x1.8p3", "nan", "  42abc", "4.9e-324"};
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; ++i) {
    char* end;
    double v = strtod(texts[i], &end);
    printf("strtod(\"%s\") = %a (rest \"%s\")\n", texts[i], v, end);
  }
  printf("strtol = %ld %ld %lu\n", strtol("-0777", NULL, 8), strtol("zz", NULL, 36),
         strtoul("ffffffff", NULL, 16));
  int a, b;
  char word[16];
  int n = sscanf("12 -34 hello", "%d %d %15s", &a, &b, word);
  printf("sscanf = %d: %d %d %s\n", n, a, b, word);
  return 0;
}
