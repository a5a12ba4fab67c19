// envargs: prints argc, each argument, then the environment sorted by name
// (the order a host passes variables in is not part of the contract), then
// one lookup of a variable that is set and one that is not.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char** environ;

static int by_text(const void* a, const void* b) {
  return strcmp(*(char* const*)a, *(char* const*)b);
}

int main(int argc, char** argv) {
  printf("argc=%d\n", argc);
  for (int i = 0; i < argc; ++i) printf("argv[%d]=\"%s\"\n", i, argv[i]);
  size_t n = 0;
  while (environ && environ[n]) ++n;
  char** sorted = malloc((n + 1) * sizeof *sorted);
  if (!sorted) return 1;
  for (size_t i = 0; i < n; ++i) sorted[i] = environ[i];
  qsort(sorted, n, sizeof *sorted, by_text);
  printf("environ: %zu\n", n);
  for (size_t i = 0; i < n; ++i) printf("  %s\n", sorted[i]);
  free(sorted);
  const char* greeting = getenv("GREETING");
  printf("GREETING %s%s\n", greeting ? "= " : "unset", greeting ? greeting : "");
  printf("HOME %s\n", getenv("HOME") ? "set" : "unset");
  return 0;
}
