// Running one .wast file, in this process or in a child process that reports
// its outcomes over a pipe (one JSON object per line) so a crash or a hang in
// the engine is contained to that file.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "runner.hpp"

namespace warden::spec {

using json = nlohmann::json;

void FileReport::add(const Outcome& o) {
  switch (o.status) {
    case Outcome::Status::Passed:
      ++passed;
      if (o.message_mismatch) {
        ++message_mismatches;
        mismatches.push_back(o);
      }
      break;
    case Outcome::Status::Failed:
      ++failed;
      failures.push_back(o);
      break;
    case Outcome::Status::Skipped: ++skipped; break;
  }
}

namespace {

std::string base_name(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool read_text(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return !in.bad();
}

FileReport unreadable(const std::string& path) {
  FileReport r;
  r.name = base_name(path);
  r.path = path;
  r.fatal = std::string("cannot read: ") + std::strerror(errno);
  Outcome o;
  o.status = Outcome::Status::Failed;
  o.command = "script";
  o.expected = "a readable file";
  o.actual = r.fatal;
  r.add(o);
  return r;
}

std::string dump(const json& j) {
  // Export names and messages may hold invalid UTF-8 (utf8-*.wast).
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json to_json(const Outcome& o) {
  return json{
      {"st", static_cast<int>(o.status)}, {"l", o.line},       {"c", o.command}, {"e", o.expected}, {"a", o.actual},
      {"m", o.message_mismatch},          {"r", o.skip_reason}};
}

Outcome from_json(const json& j) {
  Outcome o;
  int st = j.value("st", 1);
  o.status = st == 0 ? Outcome::Status::Passed : st == 2 ? Outcome::Status::Skipped : Outcome::Status::Failed;
  o.line = j.value("l", 0u);
  o.command = j.value("c", std::string());
  o.expected = j.value("e", std::string());
  o.actual = j.value("a", std::string());
  o.message_mismatch = j.value("m", false);
  o.skip_reason = j.value("r", std::string());
  return o;
}

void write_all(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // the parent is gone; nothing useful left to do
    }
    done += static_cast<size_t>(n);
  }
}

[[noreturn]] void child_main(int fd, const std::string& source, const RunnerOptions& options) {
  // Protocol, one record per line: "s LINE COMMAND" (starting), "p LINE
  // COMMAND" (passed cleanly: the common case, kept cheap), "o JSON" (any
  // other outcome), "done".
  run_source(
      source, options,
      [fd](const Outcome& o) {
        if (o.status == Outcome::Status::Passed && !o.message_mismatch) {
          write_all(fd, "p " + std::to_string(o.line) + " " + o.command + "\n");
        } else {
          write_all(fd, "o " + dump(to_json(o)) + "\n");
        }
      },
      [fd](uint32_t line, std::string_view command) {
        write_all(fd, "s " + std::to_string(line) + " " + std::string(command) + "\n");
      });
  write_all(fd, "done\n");
  std::fflush(nullptr);
  ::_exit(0);
}

}  // namespace

FileReport run_file(const std::string& path, const RunnerOptions& options) {
  std::string source;
  if (!read_text(path, source)) return unreadable(path);
  FileReport r;
  r.name = base_name(path);
  r.path = path;
  run_source(source, options, [&r](const Outcome& o) { r.add(o); });
  return r;
}

FileReport run_file_isolated(const std::string& path, const RunnerOptions& options, unsigned timeout_seconds) {
  std::string source;
  if (!read_text(path, source)) return unreadable(path);
  FileReport r;
  r.name = base_name(path);
  r.path = path;

  int fds[2];
  if (::pipe(fds) != 0) {
    r.fatal = std::string("pipe: ") + std::strerror(errno) + "; ran in process";
    run_source(source, options, [&r](const Outcome& o) { r.add(o); });
    return r;
  }
  std::fflush(nullptr);  // a child must not re-emit our buffered output
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    r.fatal = std::string("fork: ") + std::strerror(errno) + "; ran in process";
    run_source(source, options, [&r](const Outcome& o) { r.add(o); });
    return r;
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_main(fds[1], source, options);
  }
  ::close(fds[1]);

  using Clock = std::chrono::steady_clock;
  auto deadline = Clock::now() + std::chrono::seconds(timeout_seconds);
  std::string buffer;
  bool done = false, timed_out = false;
  uint32_t running_line = 0;
  std::string running_command;
  // "LINE COMMAND" of an "s" or "p" record.
  auto line_and_command = [](std::string_view rest, uint32_t& line, std::string& command) {
    line = 0;
    size_t i = 0;
    for (; i < rest.size() && rest[i] >= '0' && rest[i] <= '9' && line < 100'000'000; ++i) {
      line = line * 10 + static_cast<uint32_t>(rest[i] - '0');
    }
    command = std::string(rest.substr(std::min(rest.size(), i + 1)));
  };
  auto take_line = [&](std::string_view line) {
    if (line == "done") {
      done = true;
    } else if (line.starts_with("s ")) {
      line_and_command(line.substr(2), running_line, running_command);
    } else if (line.starts_with("p ")) {
      Outcome o;
      line_and_command(line.substr(2), o.line, o.command);
      r.add(o);
      running_command.clear();
    } else if (line.starts_with("o ")) {
      json j = json::parse(line.substr(2), nullptr, false);
      if (j.is_discarded() || !j.is_object()) return;
      r.add(from_json(j));
      running_command.clear();
    }
  };
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (timeout_seconds > 0 && left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int wait_ms = timeout_seconds > 0 ? static_cast<int>(std::min<int64_t>(left.count(), 1000)) : 1000;
    int ready = ::poll(&p, 1, wait_ms);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    char chunk[1 << 14];
    ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child exited or died
    buffer.append(chunk, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = buffer.find('\n', start)) != std::string::npos; start = nl + 1) {
      take_line(std::string_view(buffer).substr(start, nl - start));
    }
    buffer.erase(0, start);
  }
  ::close(fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}

  if (!done) {
    if (timed_out) {
      r.fatal = "timed out after " + std::to_string(timeout_seconds) + " s";
    } else if (WIFSIGNALED(status)) {
      r.fatal =
          std::string("crashed: signal ") + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
    } else {
      r.fatal = "runner exited early with status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    Outcome o;
    o.status = Outcome::Status::Failed;
    o.line = running_line;
    o.command = running_command.empty() ? "script" : running_command;
    o.expected = "to complete";
    o.actual = r.fatal + (running_command.empty() ? "" : " while running this command") +
               "; the file's later commands were not run";
    r.add(o);
  }
  return r;
}

}  // namespace warden::spec
