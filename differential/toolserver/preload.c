/* A fork server for the peers' command-line tools (wasm-opt, wasm-validate),
 * loaded into the tool with LD_PRELOAD (docs/differential.md, "Throughput").
 *
 * Starting wasm-opt costs more than most of what it is asked to do: the
 * dynamic loader resolves libbinaryen.so's symbols and the kernel maps and
 * faults in the binary, 5 ms of CPU per process against 2-15 ms of work.
 * With this library preloaded and WARDEN_TOOL_SERVER=1 in its environment,
 * the tool loads once and then, instead of running its main(), serves
 * requests: for each, it forks, and the child runs the tool's own main()
 * with the request's arguments, its stdout and stderr going to the
 * request's files. The child is the same program, loaded the same way,
 * as an exec would give: only the loading is not repeated.
 *
 * Requests and replies are lines (fd 0 in, fd 1 out), fields separated by
 * a tab: "ping" -> "ready" (the client's check that the library is in
 * place), and
 *   TIMEOUT_MS  MEMORY_BYTES  MAX_OUTPUT  OUT_FILE  ERR_FILE  ARG1 ... ARGN
 *     -> "exit N" | "signal N" | "timeout" | "error WHAT"
 * The child gets /dev/null as stdin, an address-space cap (MEMORY_BYTES,
 * 0 = none), no core files, output files capped at MAX_OUTPUT bytes (a
 * write past it fails instead of filling the disk), and is killed at the
 * deadline. Arguments cannot hold a tab or a newline (the campaign's never
 * do; the client runs such a command the ordinary way).
 *
 * Without WARDEN_TOOL_SERVER=1 the library does nothing: the tool runs as
 * it always does. The variable, LD_PRELOAD and LD_BIND_NOW (which the
 * client sets, so that the loader resolves every symbol once, before the
 * first fork) are removed from the server's environment before the first
 * request, so the tool's children see the environment they would see
 * without the server. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef int (*main_fn)(int, char**, char**);
typedef int (*start_fn)(main_fn, int, char**, main_fn, void (*)(void), void (*)(void), void*);

extern char** environ;

static main_fn tool_main;
static char* tool_argv0;

enum { kMaxRequest = 1 << 16, kMaxArgs = 256 };

/* The whole request line into `buf` (without its newline); 0 at the end of
 * the input, -1 when a line is longer than the buffer. */
static int read_line(char* buf, size_t size, char* pending, size_t* have) {
  for (;;) {
    char* nl = memchr(pending, '\n', *have);
    if (nl) {
      size_t n = (size_t)(nl - pending);
      if (n >= size) return -1;
      memcpy(buf, pending, n);
      buf[n] = '\0';
      memmove(pending, nl + 1, *have - n - 1);
      *have -= n + 1;
      return 1;
    }
    if (*have >= kMaxRequest) return -1;
    ssize_t got = read(0, pending + *have, kMaxRequest - *have);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return 0;
    *have += (size_t)got;
  }
}

static void reply(const char* text) {
  size_t n = strlen(text), done = 0;
  while (done < n) {
    ssize_t w = write(1, text + done, n - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) _exit(0); /* the client is gone */
    done += (size_t)w;
  }
}

static int64_t now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* In the child: the request's limits and files, then the tool's main(). */
static void run_child(char** argv, int argc, uint64_t memory, uint64_t max_output, const char* out, const char* err,
                      const sigset_t* mask) {
  if (memory) {
    struct rlimit r = {memory, memory};
    setrlimit(RLIMIT_AS, &r);
  }
  struct rlimit core = {0, 0};
  setrlimit(RLIMIT_CORE, &core);
  if (max_output) {
    struct rlimit f = {max_output, max_output};
    setrlimit(RLIMIT_FSIZE, &f);
    signal(SIGXFSZ, SIG_IGN);
  }
  int in = open("/dev/null", O_RDONLY);
  int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in < 0 || o < 0 || e < 0) _exit(127);
  dup2(in, 0), dup2(o, 1), dup2(e, 2);
  close(in), close(o), close(e);
  signal(SIGCHLD, SIG_DFL);
  sigprocmask(SIG_SETMASK, mask, NULL);
  exit(tool_main(argc, argv, environ));
}

/* Waits for `pid` until `deadline_ms`; SIGCHLD is blocked, so it can be
 * waited for with sigtimedwait. Writes the reply. */
static void wait_child(pid_t pid, int64_t deadline_ms) {
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  int status = 0;
  for (;;) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) {
      reply("error waitpid\n");
      return;
    }
    int64_t left = deadline_ms - now_ms();
    if (left <= 0) {
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
      reply("timeout\n");
      return;
    }
    struct timespec t = {(time_t)(left / 1000), (long)(left % 1000) * 1000000L};
    sigtimedwait(&chld, NULL, &t);
  }
  char text[64];
  if (WIFSIGNALED(status))
    snprintf(text, sizeof text, "signal %d\n", WTERMSIG(status));
  else
    snprintf(text, sizeof text, "exit %d\n", WEXITSTATUS(status));
  reply(text);
}

static int serve(int argc, char** argv, char** envp) {
  (void)argc, (void)argv, (void)envp;
  unsetenv("WARDEN_TOOL_SERVER");
  unsetenv("LD_PRELOAD");
  unsetenv("LD_BIND_NOW"); /* the client sets it for the server's loading */
  sigset_t old, chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, &old);
  static char pending[kMaxRequest], line[kMaxRequest];
  size_t have = 0;
  for (;;) {
    int got = read_line(line, sizeof line, pending, &have);
    if (got == 0) _exit(0);
    if (got < 0) {
      reply("error request too long\n");
      _exit(1);
    }
    char* fields[kMaxArgs + 6];
    int n = 0;
    for (char *s = line, *tab;; s = tab + 1) {
      if (n == kMaxArgs + 5) break;
      fields[n++] = s;
      tab = strchr(s, '\t');
      if (!tab) break;
      *tab = '\0';
    }
    if (n < 5) {
      reply(n == 1 && strcmp(fields[0], "ping") == 0 ? "ready\n" : "error bad request\n");
      continue;
    }
    uint64_t timeout = strtoull(fields[0], NULL, 10), memory = strtoull(fields[1], NULL, 10);
    uint64_t max_output = strtoull(fields[2], NULL, 10);
    char* args[kMaxArgs + 2];
    int nargs = 0;
    args[nargs++] = tool_argv0;
    for (int i = 5; i < n; ++i) args[nargs++] = fields[i];
    args[nargs] = NULL;
    int64_t deadline = now_ms() + (int64_t)timeout;
    pid_t pid = fork();
    if (pid < 0) {
      char text[96];
      snprintf(text, sizeof text, "error fork: %s\n", strerror(errno));
      reply(text);
      continue;
    }
    if (pid == 0) run_child(args, nargs, memory, max_output, fields[3], fields[4], &old);
    wait_child(pid, deadline);
  }
}

/* The tool's start: with WARDEN_TOOL_SERVER=1, its main() is kept for the
 * children and the server runs in its place (after the same initialisation,
 * static constructors included). */
int __libc_start_main(main_fn main, int argc, char** argv, main_fn init, void (*fini)(void), void (*rtld_fini)(void),
                      void* stack_end) {
  start_fn real = (start_fn)dlsym(RTLD_NEXT, "__libc_start_main");
  const char* on = getenv("WARDEN_TOOL_SERVER");
  if (!real) abort();
  if (!on || strcmp(on, "1") != 0) return real(main, argc, argv, init, fini, rtld_fini, stack_end);
  tool_main = main;
  tool_argv0 = argv[0];
  return real(serve, argc, argv, init, fini, rtld_fini, stack_end);
}
