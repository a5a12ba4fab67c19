// exit7: writes to both streams, then ends with exit status 7 (proc_exit).
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  printf("about to exit with 7\n");
  fprintf(stderr, "exit7: leaving\n");
  exit(7);
}
