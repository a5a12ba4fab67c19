// Child processes for the peer engines: run one to completion with a
// deadline and a memory cap, or keep one up and talk to it in lines.
//
// Only the children started here are ever signalled, by their pid (a
// LineProcess child leads a process group of its own, which is signalled
// with it).
#pragma once
#include <sys/types.h>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace warden::diff {

struct ProcessResult {
  bool started = false;    ///< false: fork/exec failed (`out` says why)
  bool timed_out = false;  ///< killed at the deadline
  int exit_code = -1;      ///< when it exited normally
  int signal = 0;          ///< when a signal ended it (including our SIGKILL)
  std::string out, err;
  double seconds = 0;
};

/// Run `argv` (argv[0] is a path) with `input` on stdin. The child gets an
/// address-space cap of `memory_bytes` (0 = none) and is killed after
/// `timeout_ms`. Output beyond `max_output` bytes per stream is dropped.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input, uint32_t timeout_ms,
                          uint64_t memory_bytes, size_t max_output = 16u << 20);

/// A child's output in lines, without their '\n' (a last line without one
/// counts too).
std::vector<std::string> split_lines(const std::string& s);

/// Standard base64 (RFC 4648, padded): how module bytes cross to a child.
std::string base64(std::span<const uint8_t> b);
/// The bytes of standard base64 text (padding optional); nullopt when a
/// character is not of the alphabet.
std::optional<std::vector<uint8_t>> from_base64(std::string_view text);

/// A long-lived child spoken to in lines (the engine protocol's engines,
/// the node:wasi harness).
class LineProcess {
 public:
  LineProcess() = default;
  ~LineProcess();
  LineProcess(const LineProcess&) = delete;
  LineProcess& operator=(const LineProcess&) = delete;

  /// Starts the child; false (with `error()`) when it cannot be started.
  /// With a `cwd` the child starts there (it must exist). With
  /// `keep_stderr` its stderr is read while requests are exchanged and its
  /// last kStderrTail bytes kept (`stderr_tail()`); otherwise it goes to
  /// /dev/null.
  bool start(const std::vector<std::string>& argv, uint64_t memory_bytes, const std::string& cwd = "",
             bool keep_stderr = false);
  bool running() const { return pid_ > 0; }
  /// Whether the child is still there: false (and it is reaped) when it has
  /// exited since it started, as a spare started in advance may have.
  bool alive();
  /// Sends each request line and reads exactly one response line per
  /// request, writing and reading concurrently so that neither pipe fills.
  /// False on timeout (then the child is killed) or when the child dies;
  /// `replies` holds what arrived before that.
  bool exchange(const std::vector<std::string>& requests, std::vector<std::string>& replies, uint32_t timeout_ms);
  /// Kills the child and its process group (SIGKILL) and reaps it.
  void stop();
  const std::string& error() const { return error_; }
  /// The last bytes the child wrote on stderr (with keep_stderr), including
  /// what a child that died wrote before it went.
  const std::string& stderr_tail() const { return err_tail_; }
  static constexpr size_t kStderrTail = 4096;

 private:
  void read_stderr();
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1, err_ = -1;
  std::string buffer_;  // bytes read past the last complete line
  std::string error_, err_tail_;
};

/// A command-line tool kept loaded between runs: a fork server
/// (differential/toolserver/preload.c, LD_PRELOAD) that runs the tool's
/// main() in a fresh child per request, so a run costs a fork instead of an
/// exec and the dynamic loader's work. What a run gives is what
/// run_process gives for the same command (the child is the same program
/// with the same arguments, limits, deadline and empty stdin); it falls
/// back to run_process when the server does not start, when it fails
/// while a run is under way (that run is repeated the ordinary way), and
/// for arguments the server's line protocol cannot carry (a tab or a
/// newline).
class ToolServer {
 public:
  /// `tool`: the executable; `preload`: the server library ("": no
  /// server, every run is an exec); `dir`: where each run's output files
  /// go (must exist).
  ToolServer(std::string tool, std::string preload, std::string dir);
  ToolServer(const ToolServer&) = delete;
  ToolServer& operator=(const ToolServer&) = delete;

  /// `tool args...`, as run_process({tool, args...}, "", ...) would run it.
  ProcessResult run(const std::vector<std::string>& args, uint32_t timeout_ms, uint64_t memory_bytes,
                    size_t max_output = 16u << 20);
  /// Whether runs go through the server (false before the first run, and
  /// after the server could not be started).
  bool serving() const { return proc_.running(); }
  /// Runs that went through the server, and runs that were exec'd.
  uint64_t served() const { return served_; }
  uint64_t execed() const { return execed_; }

 private:
  bool start();
  ProcessResult exec(const std::vector<std::string>& args, uint32_t timeout_ms, uint64_t memory_bytes,
                     size_t max_output);
  std::string tool_, preload_, dir_;
  LineProcess proc_;
  bool broken_ = false;  // the server did not start: exec from now on
  uint64_t served_ = 0, execed_ = 0;
};

}  // namespace warden::diff
