// cp SRC DST: copies one file with open/read/write (not stdio), creating or
// truncating DST. Exercises path_open with O_CREAT|O_TRUNC and fd_write.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: cp SRC DST\n");
    return 2;
  }
  int in = open(argv[1], O_RDONLY);
  if (in < 0) {
    fprintf(stderr, "cp: %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  int out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (out < 0) {
    fprintf(stderr, "cp: %s: %s\n", argv[2], strerror(errno));
    close(in);
    return 1;
  }
  char buf[1000];  // not a power of two: copies end mid-buffer
  ssize_t n;
  unsigned long long total = 0;
  while ((n = read(in, buf, sizeof buf)) > 0) {
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(out, buf + done, (size_t)(n - done));
      if (w < 0) {
        fprintf(stderr, "cp: %s: %s\n", argv[2], strerror(errno));
        return 1;
      }
      done += w;
    }
    total += (unsigned long long)n;
  }
  if (n < 0) {
    fprintf(stderr, "cp: %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  close(in);
  if (close(out) != 0) {
    fprintf(stderr, "cp: %s: %s\n", argv[2], strerror(errno));
    return 1;
  }
  printf("copied %llu bytes\n", total);
  return 0;
}
