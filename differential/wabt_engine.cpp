// wabt 1.0.32 through `spectest-interp` on generated JSON command files
// (the format wast2json writes). One process takes a whole batch:
//   validate: one assert_invalid command per module; the answer is
//             "expected module to be invalid" (valid) or "assert_invalid
//             passed:" followed by the reader's or validator's error;
//   run:      per module a `module` command, then one `action` per call;
//             each action prints "NAME(ARGS) => RESULTS" or "=> error: MSG".
// Integers print exactly (unsigned decimal) and v128 as four hex lanes;
// floats print lossily (%f), so float results are reported unsupported and
// the probes return floats as integer bits instead. `wasm-interp` is not
// used: it cannot pass arguments and exits 0 after a trap.
//
// A batch whose process crashes or times out is re-run one module per
// process, so a crash is pinned on the module that causes it.
#include <unistd.h>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "engine.hpp"
#include "messages.hpp"
#include "process.hpp"

namespace warden::diff {
namespace {

namespace fs = std::filesystem;

std::string json_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o;
}

std::string u64s(uint64_t v) { return std::to_string(v); }

std::string arg_json(const Value& v) {
  switch (v.type) {
    case ValType::I32: return R"({"type":"i32","value":")" + u64s(v.lo & 0xFFFFFFFFu) + "\"}";
    case ValType::I64: return R"({"type":"i64","value":")" + u64s(v.lo) + "\"}";
    case ValType::F32: return R"({"type":"f32","value":")" + u64s(v.lo & 0xFFFFFFFFu) + "\"}";
    case ValType::F64: return R"({"type":"f64","value":")" + u64s(v.lo) + "\"}";
    case ValType::V128:
      return R"({"type":"v128","lane_type":"i64","value":[")" + u64s(v.lo) + "\",\"" + u64s(v.hi) + "\"]}";
    case ValType::FuncRef: return R"({"type":"funcref","value":"null"})";
    case ValType::ExternRef:
      return v.is_null() ? R"({"type":"externref","value":"null"})"
                         : R"({"type":"externref","value":")" + u64s(v.lo - 1) + "\"}";
  }
  return "{}";
}

bool write_file(const fs::path& p, std::span<const uint8_t> bytes) {
  std::ofstream f(p, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(f);
}

/// "x.wast:12: ..." -> 12, else 0.
uint32_t line_of(const std::string& l) {
  if (l.rfind("x.wast:", 0) != 0) return 0;
  return static_cast<uint32_t>(std::strtoul(l.c_str() + 7, nullptr, 10));
}

/// "  v0.wasm:000001b: " or "  000000a: " -> the hex offset.
uint64_t error_offset(const std::string& prefix) {
  size_t end = prefix.rfind(':');
  if (end == std::string::npos) return kNoOffset;
  size_t start = prefix.rfind(':', end - 1);
  start = start == std::string::npos ? 0 : start + 1;
  while (start < end && prefix[start] == ' ') ++start;
  if (start == end) return kNoOffset;
  return std::strtoull(prefix.substr(start, end - start).c_str(), nullptr, 16);
}

bool finished(const ProcessResult& p) {
  return p.started && !p.timed_out && p.signal == 0 && p.out.find(" tests passed.") != std::string::npos;
}

// The output's lines, without the last one when the process did not finish
// and that line has no newline: a process that dies while its stdout buffer
// is written out leaves a line cut anywhere, which is no answer ("state()
// => i32:0, i32:16, i32:42" cut after "i32:4" is not an answer of 4).
std::vector<std::string> answered_lines(const ProcessResult& p) {
  std::vector<std::string> lines = split_lines(p.out);
  if (!finished(p) && !lines.empty() && p.out.back() != '\n') lines.pop_back();
  return lines;
}

// Parses "i32:42, v128 i32x4:0x00000001 0x00000002 0x00000003 0x00000004".
bool parse_values(const std::string& text, const std::vector<ValType>& types, Outcome& o) {
  o.values.clear();
  size_t pos = 0;
  for (size_t k = 0; k < types.size(); ++k) {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == ',')) ++pos;
    size_t end = text.find(", ", pos);
    std::string item = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? text.size() : end;
    size_t colon = item.find(':');
    if (colon == std::string::npos) return false;
    std::string v = item.substr(colon + 1);
    switch (types[k]) {
      case ValType::I32:
      case ValType::I64: o.values.push_back(std::strtoull(v.c_str(), nullptr, 10)); break;
      case ValType::F32:
      case ValType::F64:
        o.status = Outcome::Status::Unsupported;
        o.message = "spectest-interp prints floats lossily: " + item;
        return true;
      case ValType::V128: {
        uint64_t lane[4] = {0, 0, 0, 0};
        const char* p = v.c_str();
        for (int i = 0; i < 4; ++i) {
          char* next = nullptr;
          lane[i] = std::strtoull(p, &next, 16);
          p = next;
        }
        o.values.push_back(lane[0] | lane[1] << 32);
        o.values.push_back(lane[2] | lane[3] << 32);
        break;
      }
      case ValType::FuncRef:
      case ValType::ExternRef: o.values.push_back(v.find("null") != std::string::npos ? 0 : 1); break;
    }
  }
  o.status = Outcome::Status::Ok;
  return true;
}

class WabtEngine final : public Engine {
 public:
  explicit WabtEngine(const EngineSetup& s)
      : limits_(s.limits),
        tool_((fs::path(s.tool_dir) / "spectest-interp").string()),
        validate_tool_((fs::path(s.tool_dir) / "wasm-validate").string()),
        dir_(fs::path(s.work_dir) / "wabt"),
        server_(tool_, tool_server_library(s.tool_server), dir_.string()),
        confirm_server_(validate_tool_, tool_server_library(s.tool_server), dir_.string()) {}

  std::string_view name() const override { return "wabt"; }
  // Thread::Options: a call stack of 64 KiB of 40-byte frames.
  uint32_t fixed_call_depth() const override { return 1638; }
  std::string version() const override { return "wabt " + version_; }
  bool three_way() const override { return true; }

  bool available(std::string& why) override {
    if (access(tool_.c_str(), X_OK) != 0) return why = tool_ + " not found", false;
    ProcessResult p = run_process({tool_, "--version"}, "", 5000, 0);
    if (!p.started || p.exit_code != 0) return why = tool_ + " --version failed", false;
    version_ = p.out.substr(0, p.out.find('\n'));
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) return why = "cannot create " + dir_.string(), false;
    return true;
  }

  // A batch whose process crashes or hangs loses the answers still in its
  // stdout buffer: what it did answer is kept, the rest is split in halves
  // until the culprit runs alone (explicit stack; depth log2 of the batch).
  std::vector<LoadResult> validate(std::span<const std::span<const uint8_t>> modules) override {
    std::vector<LoadResult> out(modules.size());
    std::vector<std::vector<size_t>> stack(1);
    for (size_t i = 0; i < modules.size(); ++i) stack[0].push_back(i);
    while (!stack.empty()) {
      std::vector<size_t> todo = std::move(stack.back());
      stack.pop_back();
      if (todo.empty()) continue;
      bool ok = validate_batch(modules, todo, out);
      if (ok || todo.size() == 1) continue;
      std::vector<size_t> left;
      for (size_t i : todo)
        if (out[i].verdict == Verdict::NotRun) left.push_back(i);
      size_t half = left.size() / 2;
      stack.emplace_back(left.begin() + static_cast<std::ptrdiff_t>(half), left.end());
      stack.emplace_back(left.begin(), left.begin() + static_cast<std::ptrdiff_t>(half));
    }
    return out;
  }

  std::vector<RunResult> run(std::span<const RunJob> jobs) override {
    std::vector<RunResult> out(jobs.size());
    std::vector<bool> done(jobs.size(), false);
    std::vector<std::vector<size_t>> stack(1);
    for (size_t i = 0; i < jobs.size(); ++i) stack[0].push_back(i);
    while (!stack.empty()) {
      std::vector<size_t> todo = std::move(stack.back());
      stack.pop_back();
      if (todo.empty()) continue;
      bool ok = run_batch(jobs, todo, out, done, todo.size() == 1);
      if (ok || todo.size() == 1) continue;
      std::vector<size_t> left;
      for (size_t i : todo)
        if (!done[i]) left.push_back(i);
      size_t half = left.size() / 2;
      stack.emplace_back(left.begin() + static_cast<std::ptrdiff_t>(half), left.end());
      stack.emplace_back(left.begin(), left.begin() + static_cast<std::ptrdiff_t>(half));
    }
    return out;
  }

  // A job alone is a batch of one.
  RunResult run_one(const RunJob& job) override { return run(std::span<const RunJob>(&job, 1)).front(); }

  /// wasm-validate's verdict: the campaign confirms every wabt validation
  /// finding with the tool made for verdicts.
  LoadResult confirm(std::span<const uint8_t> bytes) override {
    fs::path f = dir_ / "confirm.wasm";
    write_file(f, bytes);
    ProcessResult p = confirm_server_.run({f.string()}, limits_.timeout_ms, limits_.memory_bytes);
    if (p.timed_out) return {Verdict::Hang, "timed out"};
    if (p.signal) return {Verdict::Crash, "signal " + std::to_string(p.signal)};
    if (p.exit_code == 0) return {Verdict::Valid, ""};
    std::string msg = p.err;
    uint64_t offset = kNoOffset;
    size_t e = msg.find("error: ");
    if (e != std::string::npos) {
      offset = error_offset(msg.substr(0, e));
      msg = msg.substr(e + 7);
    }
    msg = msg.substr(0, msg.find('\n'));
    return {load_verdict("wabt", msg), msg, offset};
  }

 private:
  // Returns whether the process finished normally.
  bool validate_batch(std::span<const std::span<const uint8_t>> modules, const std::vector<size_t>& todo,
                      std::vector<LoadResult>& out) {
    std::string json = R"({"source_filename":"x.wast","commands":[)";
    for (size_t k = 0; k < todo.size(); ++k) {
      std::string file = "v" + std::to_string(k) + ".wasm";
      write_file(dir_ / file, modules[todo[k]]);
      if (k) json += ",";
      json += R"({"type":"assert_invalid","line":)" + std::to_string(k + 1) + R"(,"filename":")" + file +
              R"(","text":"","module_type":"binary"})";
    }
    json += "]}";
    ProcessResult p = exec(json, todo.size());
    std::vector<std::string> lines = answered_lines(p);
    // In a batch that did not finish, the last module answered may have
    // lost the end of its answer (its error line): it runs again.
    size_t last = todo.size();
    for (size_t i = 0; i < lines.size(); ++i) {
      uint32_t line = line_of(lines[i]);
      if (line == 0 || line > todo.size()) continue;
      LoadResult& r = out[todo[line - 1]];
      last = line - 1;
      if (lines[i].find("expected module to be invalid") != std::string::npos) {
        r = {Verdict::Valid, ""};
      } else if (lines[i].find("assert_invalid passed") != std::string::npos) {
        std::string msg;
        uint64_t offset = kNoOffset;
        for (size_t j = i + 1; j < lines.size() && lines[j].rfind("  ", 0) == 0; ++j) {
          size_t e = lines[j].find("error: ");
          if (e != std::string::npos) {
            msg = lines[j].substr(e + 7);
            offset = error_offset(lines[j].substr(0, e));
            break;
          }
        }
        r = {load_verdict("wabt", msg), msg, offset};
      }
    }
    if (!finished(p) && todo.size() > 1 && last < todo.size()) out[todo[last]] = LoadResult{};
    if (!finished(p) && todo.size() == 1 && out[todo[0]].verdict == Verdict::NotRun) out[todo[0]] = failure(p);
    return finished(p);
  }

  // Returns whether the process finished normally; jobs answered in full
  // are marked done (all of them when `alone`).
  bool run_batch(std::span<const RunJob> jobs, const std::vector<size_t>& todo, std::vector<RunResult>& out,
                 std::vector<bool>& done, bool alone) {
    std::string json = R"({"source_filename":"x.wast","commands":[)";
    uint32_t line = 0;
    std::vector<uint32_t> module_line(todo.size());
    for (size_t k = 0; k < todo.size(); ++k) {
      const RunJob& job = jobs[todo[k]];
      std::string file = "r" + std::to_string(k) + ".wasm";
      write_file(dir_ / file, job.bytes);
      module_line[k] = ++line;
      // Named modules: an action on a module that failed to load or
      // instantiate answers "unknown invoke" instead of running the
      // previous module's export of the same name.
      std::string mname = "$m" + std::to_string(k);
      json += std::string(k ? "," : "") + R"({"type":"module","line":)" + std::to_string(line) + R"(,"name":")" +
              mname + R"(","filename":")" + file + "\"}";
      for (const Call& c : job.calls) {
        json += R"(,{"type":"action","line":)" + std::to_string(++line) + R"(,"action":{"type":"invoke","module":")" +
                mname + R"(","field":")" + json_escape(c.name) + R"(","args":[)";
        for (size_t a = 0; a < c.args.size(); ++a) json += (a ? "," : "") + arg_json(c.args[a]);
        json += R"(]},"expected":[]})";
      }
    }
    json += "]}";
    ProcessResult p = exec(json, line);
    bool complete = finished(p);
    std::vector<std::string> lines = answered_lines(p);
    size_t li = 0;
    for (size_t k = 0; k < todo.size(); ++k) {
      const RunJob& job = jobs[todo[k]];
      RunResult r;
      r.calls.resize(job.calls.size());
      std::string file = "r" + std::to_string(k) + ".wasm";
      bool parsed_all = parse_job(job, module_line[k], file, lines, li, p.err, r);
      if (!parsed_all && !complete) {
        if (!alone) return false;  // the caller splits what is left
        mark_failure(p, r);
      } else if (!parsed_all) {
        // The process finished but its output did not line up with the
        // commands: an adapter bug, reported rather than skipped.
        for (Outcome& o : r.calls)
          if (o.status == Outcome::Status::NotRun)
            o = {Outcome::Status::Crash, {}, 0, "unparsed spectest-interp output"};
      }
      out[todo[k]] = std::move(r);
      done[todo[k]] = true;
    }
    return complete;
  }

  // Reads the output for one module starting at lines[li]; returns false
  // when the output stops before every call has an answer.
  bool parse_job(const RunJob& job, uint32_t mline, const std::string& file, const std::vector<std::string>& lines,
                 size_t& li, const std::string& err, RunResult& r) {
    r.load.verdict = Verdict::Valid;
    r.instantiate.status = Outcome::Status::Ok;
    if (li < lines.size() && line_of(lines[li]) == mline) {
      const std::string& l = lines[li++];
      if (l.find("error reading module") != std::string::npos) {
        // The reader's message goes to stderr, prefixed with the file name.
        // (Some reader errors come without the prefix: then the first one.)
        std::string msg, unprefixed;
        for (const std::string& e : split_lines(err)) {
          size_t at = e.find("error: ");
          if (at == std::string::npos) continue;
          if (e.rfind(file + ":", 0) == 0) {
            msg = e.substr(at + 7);
            break;
          }
          if (unprefixed.empty()) unprefixed = e.substr(at + 7);
        }
        if (msg.empty()) msg = unprefixed;
        r.load = {load_verdict("wabt", msg), msg};
        r.instantiate.status = Outcome::Status::NotRun;
      } else if (l.find("error instantiating module") != std::string::npos) {
        size_t q = l.find('"');
        std::string msg = q == std::string::npos ? l : l.substr(q + 1, l.rfind('"') - q - 1);
        uint32_t kinds = trap_kinds("wabt", msg);
        r.instantiate.message = msg;
        if (kinds == kTrapUnknown) {
          r.instantiate.status = Outcome::Status::Unlinkable;
        } else {
          r.instantiate.status = Outcome::Status::Trap;
          r.instantiate.trap = kinds;
        }
      } else {
        r.instantiate = {Outcome::Status::Crash, {}, 0, l};
      }
    }
    bool loaded = r.load.verdict == Verdict::Valid && r.instantiate.status == Outcome::Status::Ok;
    for (size_t c = 0; c < job.calls.size(); ++c) {
      uint32_t aline = mline + 1 + static_cast<uint32_t>(c);
      Outcome& o = r.calls[c];
      if (li >= lines.size()) return !loaded;
      const std::string& l = lines[li];
      if (line_of(l) == aline) {  // "unknown invoke": the module is not there
        ++li;
        o.status = loaded ? Outcome::Status::Unsupported : Outcome::Status::NotRun;
        o.message = loaded ? l : "";
        continue;
      }
      if (!loaded) continue;
      // "NAME() => RESULTS", and "NAME() =>" (no space) for no results.
      size_t arrow = l.find(") =>");
      if (arrow == std::string::npos) return false;
      ++li;
      std::string rest = l.substr(arrow + 4);
      if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
      if (rest.rfind("error: ", 0) == 0) {
        o.status = Outcome::Status::Trap;
        o.message = rest.substr(7);
        o.trap = trap_kinds("wabt", o.message);
        if (li < lines.size() && line_of(lines[li]) == aline) ++li;  // "unexpected trap"
      } else if (!parse_values(rest, job.calls[c].results, o)) {
        o.status = Outcome::Status::Crash;
        o.message = "unparsed: " + l;
      }
    }
    return true;
  }

  void mark_failure(const ProcessResult& p, RunResult& r) {
    Outcome::Status s = p.timed_out ? Outcome::Status::Hang : Outcome::Status::Crash;
    std::string msg = p.timed_out ? "timed out" : "signal " + std::to_string(p.signal);
    if (r.load.verdict == Verdict::Valid && r.instantiate.status == Outcome::Status::Ok) {
      // The first call without an answer is the culprit.
      for (Outcome& o : r.calls) {
        if (o.status != Outcome::Status::NotRun) continue;
        o = {s, {}, 0, msg};
        return;
      }
    }
    r.instantiate = {s, {}, 0, msg};
  }

  LoadResult failure(const ProcessResult& p) {
    if (p.timed_out) return {Verdict::Hang, "timed out"};
    if (!p.started) return {Verdict::NotRun, "could not start " + tool_};
    return {Verdict::Crash, p.signal ? "signal " + std::to_string(p.signal)
                                     : "exit " + std::to_string(p.exit_code) + " without a summary"};
  }

  ProcessResult exec(const std::string& json, size_t commands) {
    fs::path jf = dir_ / "batch.json";
    std::ofstream(jf, std::ios::binary) << json;
    uint32_t timeout = limits_.timeout_ms + static_cast<uint32_t>(commands) * 20;
    ProcessResult p = server_.run({jf.string()}, timeout, limits_.memory_bytes);
    if (std::getenv("WARDEN_DIFF_DEBUG")) {
      static int n = 0;
      std::fprintf(stderr, "wabt batch %d: %zu commands, %.3f s, exit %d signal %d%s\n", n, commands, p.seconds,
                   p.exit_code, p.signal, p.timed_out ? " TIMEOUT" : "");
      fs::path keep = dir_ / ("debug-" + std::to_string(n++));
      std::error_code ec;
      fs::create_directories(keep, ec);
      fs::copy_file(jf, keep / "batch.json", fs::copy_options::overwrite_existing, ec);
      std::ofstream(keep / "stdout.txt") << p.out;
      std::ofstream(keep / "stderr.txt") << p.err;
    }
    return p;
  }

  EngineLimits limits_;
  std::string tool_, validate_tool_, version_;
  fs::path dir_;
  ToolServer server_;          // spectest-interp, loaded once
  ToolServer confirm_server_;  // wasm-validate, loaded once
};

}  // namespace

std::unique_ptr<Engine> make_wabt_engine(const EngineSetup& setup) { return std::make_unique<WabtEngine>(setup); }

}  // namespace warden::diff
