// tree DIR...: lists every entry beneath each DIR, depth first, names sorted
// bytewise, so the output does not depend on the host's readdir order:
//   d DIR/sub
//   f DIR/sub/file 42
// Exercises fd_readdir (through opendir/readdir), path_filestat_get and
// path_open of directories.
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int by_name(const void* a, const void* b) {
  return strcmp(*(char* const*)a, *(char* const*)b);
}

static int list(const char* dir) {
  DIR* d = opendir(dir);
  if (!d) {
    fprintf(stderr, "tree: %s: %s\n", dir, strerror(errno));
    return 1;
  }
  char** names = NULL;
  size_t count = 0, cap = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    if (count == cap) {
      cap = cap ? cap * 2 : 16;
      names = realloc(names, cap * sizeof *names);
      if (!names) return 1;
    }
    names[count++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, count, sizeof *names, by_name);

  int status = 0;
  for (size_t i = 0; i < count; ++i) {
    size_t len = strlen(dir) + 1 + strlen(names[i]) + 1;
    char* path = malloc(len);
    snprintf(path, len, "%s/%s", dir, names[i]);
    struct stat st;
    if (lstat(path, &st) != 0) {
      fprintf(stderr, "tree: %s: %s\n", path, strerror(errno));
      status = 1;
    } else if (S_ISDIR(st.st_mode)) {
      printf("d %s\n", path);
      status |= list(path);
    } else if (S_ISREG(st.st_mode)) {
      printf("f %s %lld\n", path, (long long)st.st_size);
    } else {
      printf("? %s\n", path);
    }
    free(path);
    free(names[i]);
  }
  free(names);
  return status;
}

int main(int argc, char** argv) {
  int status = 0;
  for (int i = 1; i < argc; ++i) status |= list(argv[i]);
  return status;
}
