#include "process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

namespace warden::diff {
namespace {

using Clock = std::chrono::steady_clock;

int ms_left(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

// Everything the child needs is prepared before fork(): after it, in a
// process that may have threads, only async-signal-safe calls are allowed.
struct Argv {
  std::vector<std::string> strings;
  std::vector<char*> ptrs;
  explicit Argv(const std::vector<std::string>& a) : strings(a) {
    for (std::string& s : strings) ptrs.push_back(s.data());
    ptrs.push_back(nullptr);
  }
};

// Forks and execs; the child's stdin/stdout/stderr become the given fds
// (-1: /dev/null), in `cwd` when not null. Every pipe fd is created
// close-on-exec, so a child inherits only its own three. With `group` the
// child leads a process group of its own, so that stopping it also stops
// what it started (a shell command's own children).
pid_t spawn(const Argv& argv, int in, int out, int err, uint64_t memory_bytes, const char* cwd = nullptr,
            bool group = false) {
  // A child that exits early must not take the campaign down with SIGPIPE.
  static const bool sigpipe_ignored = (std::signal(SIGPIPE, SIG_IGN), true);
  (void)sigpipe_ignored;
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  pid_t pid = fork();
  if (pid != 0) {
    if (devnull >= 0) close(devnull);
    return pid;
  }
  // Child.
  if (group) setpgid(0, 0);
  if (memory_bytes) {
    struct rlimit r {
      memory_bytes, memory_bytes
    };
    setrlimit(RLIMIT_AS, &r);
  }
  struct rlimit core {
    0, 0
  };
  setrlimit(RLIMIT_CORE, &core);
  dup2(in >= 0 ? in : devnull, 0);
  dup2(out >= 0 ? out : devnull, 1);
  dup2(err >= 0 ? err : devnull, 2);
  if (cwd && chdir(cwd) != 0) _exit(127);
  execv(argv.ptrs[0], argv.ptrs.data());
  _exit(127);
}

bool make_pipe(int fds[2]) { return pipe2(fds, O_CLOEXEC) == 0; }

void reap(pid_t pid, ProcessResult& r) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input, uint32_t timeout_ms,
                          uint64_t memory_bytes, size_t max_output) {
  ProcessResult r;
  auto start = Clock::now();
  int pin[2], pout[2], perr[2];
  if (!make_pipe(pin)) return r;
  if (!make_pipe(pout)) {
    close(pin[0]), close(pin[1]);
    return r;
  }
  if (!make_pipe(perr)) {
    close(pin[0]), close(pin[1]), close(pout[0]), close(pout[1]);
    return r;
  }
  Argv a(argv);
  pid_t pid = spawn(a, pin[0], pout[1], perr[1], memory_bytes);
  close(pin[0]), close(pout[1]), close(perr[1]);
  if (pid < 0) {
    close(pin[1]), close(pout[0]), close(perr[0]);
    r.out = std::string("fork: ") + std::strerror(errno);
    return r;
  }
  r.started = true;
  int wfd = pin[1];
  if (input.empty()) {
    close(wfd);
    wfd = -1;
  } else {
    fcntl(wfd, F_SETFL, fcntl(wfd, F_GETFL) | O_NONBLOCK);
  }
  size_t written = 0;
  int rfd[2] = {pout[0], perr[0]};
  std::string* sinks[2] = {&r.out, &r.err};
  auto deadline = start + std::chrono::milliseconds(timeout_ms);
  char buf[65536];
  while (rfd[0] >= 0 || rfd[1] >= 0) {
    pollfd p[3];
    int n = 0, idx[3];
    for (int k = 0; k < 2; ++k)
      if (rfd[k] >= 0) p[n] = {rfd[k], POLLIN, 0}, idx[n++] = k;
    if (wfd >= 0) p[n] = {wfd, POLLOUT, 0}, idx[n++] = 2;
    int left = ms_left(deadline);
    if (left == 0) {
      r.timed_out = true;
      break;
    }
    int rc = poll(p, n, left);
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) continue;  // timeout is handled at the top of the loop
    for (int i = 0; i < n; ++i) {
      if (!p[i].revents) continue;
      int k = idx[i];
      if (k == 2) {
        ssize_t w = write(wfd, input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if (w < 0 && errno != EAGAIN && errno != EINTR) written = input.size();
        if (written >= input.size()) {
          close(wfd);
          wfd = -1;
        }
        continue;
      }
      ssize_t got = read(rfd[k], buf, sizeof buf);
      if (got > 0) {
        size_t room = max_output > sinks[k]->size() ? max_output - sinks[k]->size() : 0;
        sinks[k]->append(buf, std::min(room, static_cast<size_t>(got)));
      } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        close(rfd[k]);
        rfd[k] = -1;
      }
    }
  }
  if (r.timed_out) kill(pid, SIGKILL);
  for (int fd : {wfd, rfd[0], rfd[1]})
    if (fd >= 0) close(fd);
  reap(pid, r);
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return r;
}

LineProcess::~LineProcess() { stop(); }

bool LineProcess::start(const std::vector<std::string>& argv, uint64_t memory_bytes, const std::string& cwd,
                        bool keep_stderr) {
  stop();
  err_tail_.clear();
  int pin[2], pout[2], perr[2] = {-1, -1};
  if (!make_pipe(pin)) return error_ = "pipe failed", false;
  if (!make_pipe(pout)) {
    close(pin[0]), close(pin[1]);
    return error_ = "pipe failed", false;
  }
  if (keep_stderr && !make_pipe(perr)) {
    close(pin[0]), close(pin[1]), close(pout[0]), close(pout[1]);
    return error_ = "pipe failed", false;
  }
  Argv a(argv);
  pid_t pid = spawn(a, pin[0], pout[1], perr[1], memory_bytes, cwd.empty() ? nullptr : cwd.c_str(), true);
  // Also here: the group must exist before stop() may signal it.
  if (pid > 0) setpgid(pid, pid);
  close(pin[0]), close(pout[1]);
  if (perr[1] >= 0) close(perr[1]);
  if (pid < 0) {
    close(pin[1]), close(pout[0]);
    if (perr[0] >= 0) close(perr[0]);
    error_ = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  pid_ = pid;
  in_ = pin[1];
  out_ = pout[0];
  err_ = perr[0];
  fcntl(in_, F_SETFL, fcntl(in_, F_GETFL) | O_NONBLOCK);
  if (err_ >= 0) fcntl(err_, F_SETFL, fcntl(err_, F_GETFL) | O_NONBLOCK);
  buffer_.clear();
  return true;
}

void LineProcess::read_stderr() {
  char buf[4096];
  ssize_t got;
  while (err_ >= 0 && (got = read(err_, buf, sizeof buf)) != 0) {
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) close(err_), err_ = -1;
      return;
    }
    err_tail_.append(buf, static_cast<size_t>(got));
    if (err_tail_.size() > kStderrTail) err_tail_.erase(0, err_tail_.size() - kStderrTail);
  }
  if (err_ >= 0) close(err_), err_ = -1;  // end of file: the child closed it
}

bool LineProcess::alive() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return true;
  pid_ = -1;
  stop();
  return false;
}

void LineProcess::stop() {
  if (in_ >= 0) close(in_);
  if (out_ >= 0) close(out_);
  in_ = out_ = -1;
  if (pid_ > 0) {
    kill(-pid_, SIGKILL);  // the child's own process group (spawn)
    kill(pid_, SIGKILL);
    ProcessResult ignored;
    reap(pid_, ignored);
  }
  pid_ = -1;
  // What a killed or dead child left in the pipe is still its last words.
  read_stderr();
  if (err_ >= 0) close(err_);
  err_ = -1;
}

bool LineProcess::exchange(const std::vector<std::string>& requests, std::vector<std::string>& replies,
                           uint32_t timeout_ms) {
  replies.clear();
  if (pid_ <= 0) return error_ = "not running", false;
  std::string data;
  for (const std::string& r : requests) data += r + "\n";
  size_t written = 0;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  // A write that fails means the child's end of its input is closed: it
  // exited, or closed it and runs on. Which one shows on its output: an
  // exited child's reaches end of file at once, so that is waited for, a
  // second at most, and an exit is reported as one however the two raced.
  bool input_closed = false;
  char buf[65536];
  while (replies.size() < requests.size()) {
    // Complete lines already buffered.
    size_t nl;
    while (replies.size() < requests.size() && (nl = buffer_.find('\n')) != std::string::npos) {
      replies.push_back(buffer_.substr(0, nl));
      buffer_.erase(0, nl + 1);
    }
    if (replies.size() == requests.size()) break;
    pollfd p[3];
    int n = 0, at_in = -1, at_err = -1;
    p[n++] = {out_, POLLIN, 0};
    if (written < data.size()) at_in = n, p[n++] = {in_, POLLOUT, 0};
    if (err_ >= 0) at_err = n, p[n++] = {err_, POLLIN, 0};
    int left = ms_left(deadline);
    if (left == 0) {
      error_ = input_closed ? "harness closed its input" : "timed out";
      stop();
      return false;
    }
    int rc = poll(p, n, left);
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) continue;
    // A child that writes much on stderr must not block on a full pipe.
    if (at_err >= 0 && p[at_err].revents) read_stderr();
    if (at_in >= 0 && p[at_in].revents) {
      ssize_t w = write(in_, data.data() + written, data.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if (w < 0 && errno != EAGAIN && errno != EINTR) {
        input_closed = true;
        written = data.size();  // nothing more can be written
        deadline = std::min(deadline, Clock::now() + std::chrono::seconds(1));
      }
    }
    if (p[0].revents) {
      ssize_t got = read(out_, buf, sizeof buf);
      if (got > 0) {
        buffer_.append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        error_ = "harness exited";
        stop();
        return false;
      }
    }
  }
  return true;
}

ToolServer::ToolServer(std::string tool, std::string preload, std::string dir)
    : tool_(std::move(tool)), preload_(std::move(preload)), dir_(std::move(dir)) {}

// A tool server answers "ping" once loaded: wasm-opt takes 20 ms to load
// on an idle machine.
constexpr uint32_t kStartMs = 5000;

bool ToolServer::start() {
  // env(1) sets the variables for the tool alone; the server removes them
  // before it forks anything. LD_BIND_NOW: the loader resolves every
  // symbol once, in the server, instead of each child resolving the ones
  // it calls on first use.
  if (!proc_.start({"/usr/bin/env", "LD_BIND_NOW=1", "LD_PRELOAD=" + preload_, "WARDEN_TOOL_SERVER=1", tool_}, 0, "",
                   true))
    return false;
  std::vector<std::string> reply;
  // A tool that did not become a server (the library was not preloaded)
  // runs its own main() on an empty command line and exits: not "ready".
  if (proc_.exchange({"ping"}, reply, kStartMs) && reply.size() == 1 && reply[0] == "ready") return true;
  proc_.stop();
  return false;
}

ProcessResult ToolServer::exec(const std::vector<std::string>& args, uint32_t timeout_ms, uint64_t memory_bytes,
                               size_t max_output) {
  ++execed_;
  std::vector<std::string> argv{tool_};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, "", timeout_ms, memory_bytes, max_output);
}

ProcessResult ToolServer::run(const std::vector<std::string>& args, uint32_t timeout_ms, uint64_t memory_bytes,
                              size_t max_output) {
  bool fits = !preload_.empty() && !broken_ && dir_.find_first_of("\t\n") == std::string::npos;
  for (const std::string& a : args) fits = fits && a.find_first_of("\t\n") == std::string::npos;
  if (!fits) return exec(args, timeout_ms, memory_bytes, max_output);
  if (!proc_.running() && !start()) {
    broken_ = true;
    return exec(args, timeout_ms, memory_bytes, max_output);
  }
  ProcessResult r;
  auto t = Clock::now();
  // Named after the tool: servers of two tools may share a folder.
  std::string base = tool_.substr(tool_.rfind('/') + 1);
  std::string out = dir_ + "/" + base + ".out", err = dir_ + "/" + base + ".err";
  std::string request = std::to_string(timeout_ms) + "\t" + std::to_string(memory_bytes) + "\t" +
                        std::to_string(max_output) + "\t" + out + "\t" + err;
  for (const std::string& a : args) request += "\t" + a;
  std::vector<std::string> reply;
  // The server enforces the deadline; this one only catches a server that
  // stopped answering (then it is stopped, its process group with it).
  if (!proc_.exchange({request}, reply, timeout_ms + 2000) || reply.size() != 1 || reply[0].rfind("error", 0) == 0) {
    proc_.stop();
    return exec(args, timeout_ms, memory_bytes, max_output);
  }
  const std::string& how = reply[0];
  r.started = true;
  if (how == "timeout") {
    r.timed_out = true;
    r.signal = SIGKILL;  // what run_process reports for a run it killed
  } else if (how.rfind("signal ", 0) == 0) {
    r.signal = std::atoi(how.c_str() + 7);
  } else if (how.rfind("exit ", 0) == 0) {
    r.exit_code = std::atoi(how.c_str() + 5);
  } else {
    proc_.stop();
    return exec(args, timeout_ms, memory_bytes, max_output);
  }
  for (auto [path, sink] : {std::pair{&out, &r.out}, std::pair{&err, &r.err}}) {
    std::ifstream f(*path, std::ios::binary);
    sink->assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    if (sink->size() > max_output) sink->resize(max_output);
  }
  ++served_;
  r.seconds = std::chrono::duration<double>(Clock::now() - t).count();
  return r;
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t nl = s.find('\n', i);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(i, nl - i));
    i = nl + 1;
  }
  return out;
}

std::string base64(std::span<const uint8_t> b) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string o;
  o.reserve((b.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < b.size(); i += 3) {
    uint32_t v = uint32_t{b[i]} << 16 | uint32_t{b[i + 1]} << 8 | b[i + 2];
    o += k[v >> 18], o += k[(v >> 12) & 63], o += k[(v >> 6) & 63], o += k[v & 63];
  }
  if (i + 1 == b.size()) {
    uint32_t v = uint32_t{b[i]} << 16;
    o += k[v >> 18], o += k[(v >> 12) & 63], o += "==";
  } else if (i + 2 == b.size()) {
    uint32_t v = uint32_t{b[i]} << 16 | uint32_t{b[i + 1]} << 8;
    o += k[v >> 18], o += k[(v >> 12) & 63], o += k[(v >> 6) & 63], o += '=';
  }
  return o;
}

std::optional<std::vector<uint8_t>> from_base64(std::string_view text) {
  std::vector<uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  uint32_t bits = 0;
  int have = 0;
  for (char c : text) {
    if (c == '=') break;
    int v = c >= 'A' && c <= 'Z'   ? c - 'A'
            : c >= 'a' && c <= 'z' ? c - 'a' + 26
            : c >= '0' && c <= '9' ? c - '0' + 52
            : c == '+'             ? 62
            : c == '/'             ? 63
                                   : -1;
    if (v < 0) return std::nullopt;
    bits = (bits << 6 | static_cast<uint32_t>(v)) & 0xFFFFFF;
    have += 6;
    if (have >= 8) {
      have -= 8;
      out.push_back(static_cast<uint8_t>(bits >> have));
    }
  }
  return out;
}

}  // namespace warden::diff
