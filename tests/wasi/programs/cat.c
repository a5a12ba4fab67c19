// cat [FILE...]: copies each FILE (or stdin when there is none) to stdout.
// Exercises path_open, fd_read and fd_write through stdio's buffering.
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int copy(FILE* in, const char* name) {
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
    if (fwrite(buf, 1, n, stdout) != n) {
      fprintf(stderr, "cat: write error: %s\n", strerror(errno));
      return 1;
    }
  }
  if (ferror(in)) {
    fprintf(stderr, "cat: %s: read error\n", name);
    return 1;
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 2) return copy(stdin, "-");
  int status = 0;
  for (int i = 1; i < argc; ++i) {
    FILE* f = fopen(argv[i], "rb");
    if (!f) {
      fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
      status = 1;
      continue;
    }
    status |= copy(f, argv[i]);
    fclose(f);
  }
  return status;
}
