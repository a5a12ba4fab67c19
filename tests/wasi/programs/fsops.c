// fsops DIR: changes a writable tree: creates a directory and files in it,
// appends, renames, removes a file and an empty directory, then reads the
// results back. The caller compares the resulting tree.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char* dir;

static const char* at(const char* name) {
  static char buf[4][512];
  static int next = 0;
  char* p = buf[next++ & 3];
  snprintf(p, sizeof buf[0], "%s/%s", dir, name);
  return p;
}

#define CHECK(what, call)                                                   \
  do {                                                                      \
    if ((call) != 0) {                                                      \
      printf("%s: failed: %s\n", what, strerror(errno));                    \
      return 1;                                                             \
    }                                                                       \
    printf("%s: ok\n", what);                                               \
  } while (0)

static int write_file(const char* path, const char* text, const char* mode) {
  FILE* f = fopen(path, mode);
  if (!f) return -1;
  fputs(text, f);
  return fclose(f);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: fsops DIR\n");
    return 2;
  }
  dir = argv[1];
  CHECK("mkdir out", mkdir(at("out"), 0755));
  CHECK("mkdir out/nested", mkdir(at("out/nested"), 0755));
  CHECK("write out/a.txt", write_file(at("out/a.txt"), "first line\n", "w"));
  CHECK("append out/a.txt", write_file(at("out/a.txt"), "second line\n", "a"));
  CHECK("write out/nested/b.txt", write_file(at("out/nested/b.txt"), "bee\n", "w"));
  CHECK("rename a.txt -> renamed.txt", rename(at("out/a.txt"), at("out/renamed.txt")));
  CHECK("mkdir out/empty", mkdir(at("out/empty"), 0755));
  CHECK("rmdir out/empty", rmdir(at("out/empty")));
  CHECK("write out/doomed", write_file(at("out/doomed"), "x", "w"));
  CHECK("unlink out/doomed", unlink(at("out/doomed")));

  // Errors every host reports the same way.
  errno = 0;
  printf("mkdir out again: %s\n", mkdir(at("out"), 0755) == 0 ? "ok" : strerror(errno));
  errno = 0;
  printf("open missing: %s\n", open(at("missing"), O_RDONLY) >= 0 ? "ok" : strerror(errno));
  errno = 0;
  printf("rmdir out (not empty): %s\n", rmdir(at("out")) == 0 ? "ok" : "failed");

  struct stat st;
  CHECK("stat out/renamed.txt", stat(at("out/renamed.txt"), &st));
  printf("size %lld, regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode) ? 1 : 0);
  FILE* f = fopen(at("out/renamed.txt"), "r");
  char line[64];
  while (f && fgets(line, sizeof line, f)) printf("> %s", line);
  if (f) fclose(f);

  // Seek and overwrite in place.
  int fd = open(at("out/nested/b.txt"), O_RDWR);
  if (fd < 0 || lseek(fd, 1, SEEK_SET) != 1 || write(fd, "EE", 2) != 2 || close(fd) != 0) {
    printf("overwrite: failed: %s\n", strerror(errno));
    return 1;
  }
  printf("overwrite: ok\n");
  return 0;
}
