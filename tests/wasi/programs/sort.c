// sort [-r] [FILE]: the lines of FILE (or stdin) in bytewise order (-r:
// reversed). A last line without a newline gets one, as coreutils does.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reverse = 0;

static int compare(const void* a, const void* b) {
  int c = strcmp(*(char* const*)a, *(char* const*)b);
  return reverse ? -c : c;
}

int main(int argc, char** argv) {
  int i = 1;
  if (i < argc && strcmp(argv[i], "-r") == 0) {
    reverse = 1;
    ++i;
  }
  FILE* in = stdin;
  if (i < argc) {
    in = fopen(argv[i], "r");
    if (!in) {
      fprintf(stderr, "sort: %s: %s\n", argv[i], strerror(errno));
      return 2;
    }
  }
  char** lines = NULL;
  size_t count = 0, cap = 0;
  char* line = NULL;
  size_t line_cap = 0;
  ssize_t n;
  while ((n = getline(&line, &line_cap, in)) >= 0) {
    if (n > 0 && line[n - 1] == '\n') line[n - 1] = '\0';
    if (count == cap) {
      cap = cap ? cap * 2 : 64;
      lines = realloc(lines, cap * sizeof *lines);
      if (!lines) return 2;
    }
    lines[count++] = strdup(line);
  }
  free(line);
  qsort(lines, count, sizeof *lines, compare);
  for (size_t k = 0; k < count; ++k) {
    puts(lines[k]);
    free(lines[k]);
  }
  free(lines);
  return 0;
}
