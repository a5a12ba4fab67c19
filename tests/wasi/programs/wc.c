// wc [FILE...]: lines, words and bytes of each FILE (or stdin), then a total
// line when there is more than one, in coreutils' layout.
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

struct counts {
  unsigned long long lines, words, bytes;
};

static void count(FILE* in, struct counts* c) {
  int ch, in_word = 0;
  while ((ch = getc(in)) != EOF) {
    c->bytes++;
    if (ch == '\n') c->lines++;
    if (isspace(ch)) {
      in_word = 0;
    } else if (!in_word) {
      in_word = 1;
      c->words++;
    }
  }
}

static void print(const struct counts* c, const char* name) {
  printf("%7llu %7llu %7llu%s%s\n", c->lines, c->words, c->bytes, name ? " " : "", name ? name : "");
}

int main(int argc, char** argv) {
  if (argc < 2) {
    struct counts c = {0, 0, 0};
    count(stdin, &c);
    print(&c, NULL);
    return 0;
  }
  struct counts total = {0, 0, 0};
  int status = 0;
  for (int i = 1; i < argc; ++i) {
    FILE* f = fopen(argv[i], "rb");
    if (!f) {
      fprintf(stderr, "wc: %s: %s\n", argv[i], strerror(errno));
      status = 1;
      continue;
    }
    struct counts c = {0, 0, 0};
    count(f, &c);
    fclose(f);
    print(&c, argv[i]);
    total.lines += c.lines;
    total.words += c.words;
    total.bytes += c.bytes;
  }
  if (argc > 2) print(&total, "total");
  return status;
}
