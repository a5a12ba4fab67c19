// Binaryen 108 through `wasm-opt --fuzz-exec-before`, one process per module
// (forked from a loaded wasm-opt by the tool server, process.hpp).
//
// --fuzz-exec-before instantiates the module (a start-function trap prints
// "[trap ...]" before any call), then calls every function export in export
// order with zero-valued arguments, printing
//   [fuzz-exec] calling NAME
//   [fuzz-exec] note result: NAME => VALUE      (i32/i64 signed decimal,
//                                                tuples as "(a, b)")
//   [trap MESSAGE]                              (instead of a result)
// So the calls a job asks for must be exactly the module's function exports,
// in order, without arguments: the probe modules are built that way. A call
// that does not line up is reported unsupported, never guessed.
//
// Binaryen 108 defaults to the MVP feature set: every run gets the 2.0
// flags (kBinaryenFeatures).
#include <unistd.h>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine.hpp"
#include "messages.hpp"
#include "process.hpp"

namespace warden::diff {
namespace {

namespace fs = std::filesystem;

// One value as --fuzz-exec prints it.
bool parse_value(const std::string& text, ValType t, Outcome& o) {
  const char* s = text.c_str();
  while (*s == ' ') ++s;
  switch (t) {
    case ValType::I32: o.values.push_back(static_cast<uint32_t>(std::strtoll(s, nullptr, 10))); return true;
    case ValType::I64:
      if (*s == '-')
        o.values.push_back(static_cast<uint64_t>(std::strtoll(s, nullptr, 10)));
      else
        o.values.push_back(std::strtoull(s, nullptr, 10));
      return true;
    case ValType::V128: {  // "i32x4 0x00000001 0x00000002 0x00000003 0x00000004"
      const char* p = std::strchr(s, ' ');
      if (!p) return false;
      uint64_t lane[4];
      for (uint64_t& l : lane) {
        char* next = nullptr;
        l = std::strtoull(p, &next, 16);
        p = next;
      }
      o.values.push_back(lane[0] | lane[1] << 32);
      o.values.push_back(lane[2] | lane[3] << 32);
      return true;
    }
    case ValType::FuncRef:
    case ValType::ExternRef: o.values.push_back(text.find("null") != std::string::npos ? 0 : 1); return true;
    case ValType::F32:
    case ValType::F64:
      o.status = Outcome::Status::Unsupported;
      o.message = "float results are compared as integer bits (probe modules)";
      return true;
  }
  return false;
}

bool parse_result(std::string text, const std::vector<ValType>& types, Outcome& o) {
  o.status = Outcome::Status::Ok;
  o.values.clear();
  if (types.size() > 1) {
    if (text.size() < 2 || text.front() != '(' || text.back() != ')') return false;
    text = text.substr(1, text.size() - 2);
  }
  size_t pos = 0;
  for (ValType t : types) {
    size_t end = types.size() > 1 ? text.find(", ", pos) : std::string::npos;
    std::string item = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? text.size() : end + 2;
    if (!parse_value(item, t, o)) return false;
    if (o.status == Outcome::Status::Unsupported) return true;
  }
  return true;
}

class BinaryenEngine final : public Engine {
 public:
  explicit BinaryenEngine(const EngineSetup& s)
      : limits_(s.limits),
        tool_((fs::path(s.tool_dir) / "wasm-opt").string()),
        dir_(fs::path(s.work_dir) / "binaryen"),
        server_(tool_, tool_server_library(s.tool_server), dir_.string()) {}

  std::string_view name() const override { return "binaryen"; }
  // The interpreter's depth check: 250 calls below the export's frame.
  uint32_t fixed_call_depth() const override { return 251; }
  std::string version() const override { return version_; }
  bool passes_arguments() const override { return false; }

  bool available(std::string& why) override {
    if (access(tool_.c_str(), X_OK) != 0) return why = tool_ + " not found", false;
    ProcessResult p = run_process({tool_, "--version"}, "", 5000, 0);
    if (!p.started || p.exit_code != 0) return why = tool_ + " --version failed", false;
    version_ = p.out.substr(0, p.out.find('\n'));  // "wasm-opt version 108"
    if (version_.rfind("wasm-opt ", 0) == 0) version_ = "binaryen " + version_.substr(9);
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) return why = "cannot create " + dir_.string(), false;
    return true;
  }

  std::vector<LoadResult> validate(std::span<const std::span<const uint8_t>> modules) override {
    std::vector<LoadResult> out;
    for (std::span<const uint8_t> bytes : modules) {
      std::string f = write(bytes);
      std::vector<std::string> args(kBinaryenFeatures.begin(), kBinaryenFeatures.end());
      args.insert(args.end(), {f, "-q", "-o", "/dev/null"});
      ProcessResult p = server_.run(args, limits_.timeout_ms, limits_.memory_bytes);
      out.push_back(verdict(p));
    }
    return out;
  }

  RunResult run_one(const RunJob& job) override {
    RunResult r;
    r.calls.resize(job.calls.size());
    for (const Call& c : job.calls) {
      if (!c.args.empty()) {
        r.load.verdict = Verdict::NotRun;
        r.load.message = "--fuzz-exec cannot pass arguments";
        return r;
      }
    }
    std::string f = write(job.bytes);
    std::vector<std::string> args(kBinaryenFeatures.begin(), kBinaryenFeatures.end());
    args.insert(args.end(), {f, "--fuzz-exec-before", "-q", "-o", "/dev/null"});
    ProcessResult p = server_.run(args, limits_.timeout_ms, limits_.memory_bytes);
    std::vector<std::string> lines = split_lines(p.out + p.err);
    bool called = false;
    for (const std::string& l : lines) called |= l.rfind("[fuzz-exec] calling ", 0) == 0;
    // A load failure prints no call and exits non-zero.
    if (!called && (p.exit_code != 0 || p.signal || p.timed_out)) {
      bool inst_trap = false;
      for (const std::string& l : lines) inst_trap |= l.rfind("[trap ", 0) == 0;
      if (!inst_trap || p.signal || p.timed_out) {
        r.load = verdict(p);
        return r;
      }
    }
    r.load.verdict = Verdict::Valid;
    r.instantiate.status = Outcome::Status::Ok;
    size_t li = 0;
    // Before the first call: a start-function or segment trap.
    for (; li < lines.size() && lines[li].rfind("[fuzz-exec] calling ", 0) != 0; ++li) {
      if (lines[li].rfind("[trap ", 0) == 0) {
        r.instantiate.status = Outcome::Status::Trap;
        r.instantiate.message = lines[li].substr(6, lines[li].size() - 7);
        r.instantiate.trap = trap_kinds("binaryen", r.instantiate.message);
        return r;
      }
    }
    size_t k = 0;
    while (li < lines.size() && k < job.calls.size()) {
      const std::string& l = lines[li++];
      if (l.rfind("[fuzz-exec] calling ", 0) != 0) continue;
      std::string name = l.substr(20);
      Outcome& o = r.calls[k];
      if (name != job.calls[k].name) {
        o.status = Outcome::Status::Unsupported;
        o.message = "--fuzz-exec called " + name + " here";
        ++k;
        continue;
      }
      o.status = job.calls[k].results.empty() ? Outcome::Status::Ok : Outcome::Status::NotRun;
      // Until the next call: a result, a trap, or (void) nothing.
      for (; li < lines.size() && lines[li].rfind("[fuzz-exec] calling ", 0) != 0; ++li) {
        const std::string& x = lines[li];
        std::string note = "[fuzz-exec] note result: " + name + " => ";
        if (x.rfind(note, 0) == 0) {
          if (!parse_result(x.substr(note.size()), job.calls[k].results, o)) {
            o.status = Outcome::Status::Crash;
            o.message = "unparsed: " + x;
          }
        } else if (x.rfind("[trap ", 0) == 0) {
          o.status = Outcome::Status::Trap;
          o.message = x.substr(6, x.size() - 7);
          o.trap = trap_kinds("binaryen", o.message);
          o.values.clear();
        } else if (x.rfind("[host limit", 0) == 0) {
          o.status = Outcome::Status::Exhausted;
          o.message = x;
        }
      }
      ++k;
    }
    if (p.timed_out || p.signal) {
      Outcome::Status s = p.timed_out ? Outcome::Status::Hang : Outcome::Status::Crash;
      std::string msg = p.timed_out ? "timed out" : "signal " + std::to_string(p.signal);
      // The call that was running when it stopped.
      size_t last = k ? k - 1 : 0;
      if (last < r.calls.size() &&
          (k == 0 || r.calls[last].status == Outcome::Status::NotRun || r.calls[last].status == Outcome::Status::Ok)) {
        if (k == 0)
          r.instantiate = {s, {}, 0, msg};
        else
          r.calls[last] = {s, {}, 0, msg};
      }
    }
    return r;
  }

 private:
  std::string write(std::span<const uint8_t> bytes) {
    fs::path f = dir_ / "m.wasm";
    std::ofstream o(f, std::ios::binary);
    o.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return f.string();
  }

  LoadResult verdict(const ProcessResult& p) {
    if (p.timed_out) return {Verdict::Hang, "timed out"};
    if (!p.started) return {Verdict::NotRun, "could not start " + tool_};
    if (p.signal) {
      // An abort names its failed assertion: the rules tell crashes apart by it.
      std::string msg = "signal " + std::to_string(p.signal);
      for (const std::string& l : split_lines(p.err))
        if (l.find("Assertion") != std::string::npos) msg += ": " + l;
      return {Verdict::Crash, msg};
    }
    if (p.exit_code == 0) return {Verdict::Valid, ""};
    std::string all = p.out + p.err;
    // The error, not a warning before it.
    std::string first;
    for (const std::string& l : split_lines(all)) {
      if (l.empty() || l.rfind("[fuzz-exec]", 0) == 0) continue;
      if (first.empty() || first.rfind("warning:", 0) == 0) first = l;
      if (l.rfind("[parse exception", 0) == 0 || l.rfind("[wasm-validator", 0) == 0) {
        first = l;
        break;
      }
    }
    return {load_verdict("binaryen", all), first};
  }

  EngineLimits limits_;
  std::string tool_, version_;
  fs::path dir_;
  ToolServer server_;  // wasm-opt, loaded once
};

}  // namespace

std::unique_ptr<Engine> make_binaryen_engine(const EngineSetup& setup) {
  return std::make_unique<BinaryenEngine>(setup);
}

}  // namespace warden::diff
