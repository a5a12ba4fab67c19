#include "wasi_diff.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "warden/binary.hpp"
#include "warden/wasi.hpp"

namespace warden::diff {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// The guest's argv and environment; differential/wasi_harness.js gives node
// the same.
const std::vector<std::string> kArgs = {"wasi-diff", "--flag", std::string(100, 'x')};
const std::vector<std::pair<std::string, std::string>> kEnv = {{"HOME", "/sandbox"}, {"EMPTY", ""}};

// A stream's file: its first 64 KiB, and its size when it is larger (a
// guest may seek its stdout near 2^63 and write there).
std::string read_stream(const std::string& path) {
  std::error_code ec;
  uintmax_t size = fs::file_size(path, ec);
  if (ec) return "";
  std::ifstream f(path, std::ios::binary);
  std::string s(static_cast<size_t>(std::min<uintmax_t>(size, 64 * 1024)), '\0');
  f.read(s.data(), static_cast<std::streamsize>(s.size()));
  if (size > s.size()) s += "... (" + std::to_string(size) + " bytes)";
  return s;
}

std::string errno_text(int32_t e) {
  if (e < 0) return "unreached";
  std::string_view n = wasi::errno_name(static_cast<uint32_t>(e));
  return n.empty() ? std::to_string(e) : std::string(n);
}

// Bytes on one line: printable ASCII as is, the rest as \xNN.
std::string escaped(const std::string& b) {
  std::string s;
  for (unsigned char ch : b) {
    if (ch >= 0x20 && ch < 0x7F && ch != '\\') {
      s += static_cast<char>(ch);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", ch);
      s += buf;
    }
  }
  return s;
}

}  // namespace

WasiRunners::WasiRunners(std::string work_dir, std::string node, std::string harness, uint32_t timeout_ms,
                         uint64_t memory_bytes)
    : work_(std::move(work_dir)),
      node_(std::move(node)),
      harness_(std::move(harness)),
      timeout_ms_(timeout_ms),
      memory_bytes_(memory_bytes) {
  for (const char* who : {"warden", "node"}) {
    std::error_code ec;
    fs::remove_all(fs::path(work_) / who, ec);
    fs::create_directories(fs::path(work_) / who, ec);
    fuzz::make_wasi_tree((fs::path(work_) / who).string(), false);
    fs::create_directories(fs::path(work_) / who / "cwd", ec);
  }
  canary_before_ = fuzz::tree_snapshot((fs::path(work_) / "warden" / "canary").string());
}

WasiRunners::~WasiRunners() {
  for (LineProcess& p : procs_) p.stop();
  std::error_code ec;
  for (const char* who : {"warden", "node"}) fs::remove_all(fs::path(work_) / who, ec);
}

bool WasiRunners::available(std::string& why) {
  if (access(node_.c_str(), X_OK) != 0) return why = node_ + " not found", false;
  if (access(harness_.c_str(), R_OK) != 0) return why = harness_ + " not found", false;
  LineProcess& proc = procs_[live_];
  if (!proc.start({node_, "--no-warnings", harness_}, memory_bytes_))
    return why = "cannot start node: " + proc.error(), false;
  std::vector<std::string> replies;
  if (!proc.exchange({R"({"op":"version"})"}, replies, 20000)) return why = "wasi harness: " + proc.error(), false;
  json j = json::parse(replies[0], nullptr, false);
  node_version_ = j.is_object() ? j.value("version", "node (unknown)") : "node (unknown)";
  procs_[1 - live_].start({node_, "--no-warnings", harness_}, memory_bytes_);  // the spare
  return true;
}

// Collects the state afterwards and makes the tree ready for the next run.
WasiRun WasiRunners::finish(const std::string& root, WasiRun r) {
  r.out = read_stream(root + "/out");
  r.err = read_stream(root + "/err");
  r.scratch = fuzz::tree_snapshot(root + "/scratch");
  for (size_t at = r.scratch.find(root); at != std::string::npos; at = r.scratch.find(root, at))
    r.scratch.replace(at, root.size(), "$ROOT");
  // Anything beside the preopen, the canary and the streams, or in node's
  // working directory, was written outside the sandbox.
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root, ec)) {
    const std::string n = e.path().filename().string();
    if (n == "scratch" || n == "canary" || n == "ro" || n == "out" || n == "err") continue;
    if (n != "cwd") {
      r.outside += n + "\n";
      continue;
    }
    for (const auto& c : fs::directory_iterator(e.path(), ec))
      r.outside += "cwd/" + c.path().filename().string() + "\n";
  }
  if (!r.outside.empty()) {
    for (const auto& e : fs::directory_iterator(root, ec)) {
      const std::string n = e.path().filename().string();
      if (n != "scratch" && n != "canary" && n != "ro" && n != "out" && n != "err") fs::remove_all(e.path(), ec);
    }
  }
  std::string canary = fuzz::tree_snapshot(root + "/canary");
  if (canary != canary_before_) {
    r.canary_changed = true;
    r.canary = canary;
    // rebuilt for the next run
    fs::remove_all(root, ec);
    fs::create_directories(root, ec);
    fuzz::make_wasi_tree(root, false);
  }
  fuzz::reset_wasi_scratch(root, false);
  fs::create_directories(root + "/cwd", ec);
  return r;
}

WasiRun WasiRunners::run_warden(std::span<const fuzz::WasiCall> program) {
  const std::string root = (fs::path(work_) / "warden").string();
  const size_t calls = program.size();
  WasiRun r;
  r.module = encode(fuzz::wasi_module(program, fuzz::WasiShape::Record));
  const std::vector<uint8_t>& module = r.module;
  r.errnos.assign(calls, -1);
  int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int out = open((root + "/out").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err = open((root + "/err").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  {
    wasi::Config cfg;
    cfg.args = kArgs;
    cfg.env = kEnv;
    cfg.dirs = {{root + "/scratch", "/sandbox", true}};
    cfg.stdin_granted = cfg.stdout_granted = cfg.stderr_granted = true;
    cfg.stdin_fd = in;
    cfg.stdout_fd = out;
    cfg.stderr_fd = err;
    cfg.grants = Grants::all();
    cfg.deterministic = true;
    cfg.seed = 1;
    Result<std::unique_ptr<wasi::Context>> ctx = wasi::Context::create(cfg);
    Result<std::shared_ptr<const Module>> m = Module::load(module);
    if (!ctx || !m) {
      r.end = "harness: " + (!ctx ? ctx.error().message : m.error().message);
    } else {
      Limits limits;
      limits.fuel = 1'000'000;
      Store store(limits);
      Linker linker;
      (*ctx)->link(store, linker);
      Result<std::vector<Extern>> imports = linker.resolve(**m);
      Result<Instance*> inst = imports ? store.instantiate(*m, *imports) : Result<Instance*>(imports.error());
      if (!inst) {
        r.end = "harness: " + inst.error().message;
      } else {
        Result<std::vector<Value>> res = store.invoke((*inst)->find_export("_start")->func, {});
        if (res)
          r.end = "returned";
        else if (wasi::is_exit(res.error()) && (*ctx)->exit_code())
          r.end = "exit " + std::to_string(*(*ctx)->exit_code());
        else
          r.end = "trap: " + res.error().message;
        for (size_t i = 0; i < calls; ++i)
          if (std::optional<Extern> g = (*inst)->find_export("errno" + std::to_string(i)))
            r.errnos[i] = static_cast<int32_t>(store.global_get(g->global).lo);
      }
    }
  }
  for (int fd : {in, out, err})
    if (fd >= 0) close(fd);
  return finish(root, std::move(r));
}

WasiRun WasiRunners::run_node(std::span<const fuzz::WasiCall> program, int32_t hint) {
  WasiRun r = node_once(program);
  if (r.end != "hang" && r.end.rfind("crash", 0) != 0) return r;
  // The shortest prefix that still dies: its last call is the culprit.
  // Prefix lo survives (`before` holds its errnos), prefix hi dies.
  size_t lo = 0, hi = program.size();
  std::vector<int32_t> before;
  auto try_prefix = [&](size_t n) {
    WasiRun p = node_once(program.first(n));
    if (p.end == r.end || (p.end.rfind("crash", 0) == 0 && r.end.rfind("crash", 0) == 0)) {
      hi = n;
    } else {
      lo = n;
      before = std::move(p.errnos);
    }
  };
  if (hint > 0 && static_cast<size_t>(hint) < hi) try_prefix(static_cast<size_t>(hint));
  if (hint >= 0 && lo == static_cast<size_t>(hint) && lo + 1 < hi) try_prefix(lo + 1);
  while (hi - lo > 1) try_prefix(lo + (hi - lo) / 2);
  for (size_t i = 0; i < lo && i < before.size(); ++i) r.errnos[i] = before[i];
  r.died_in = static_cast<int32_t>(hi - 1);
  return r;
}

LineProcess& WasiRunners::node_process() {
  LineProcess& live = procs_[live_];
  if (live.running()) return live;
  LineProcess& spare = procs_[1 - live_];
  if (!spare.alive()) spare.start({node_, "--no-warnings", harness_}, memory_bytes_);
  live_ = 1 - live_;
  live.start({node_, "--no-warnings", harness_}, memory_bytes_);  // the next spare, starting now
  return spare;
}

WasiRun WasiRunners::node_once(std::span<const fuzz::WasiCall> program) {
  const std::string root = (fs::path(work_) / "node").string();
  const size_t calls = program.size();
  WasiRun r;
  r.module = encode(fuzz::wasi_module(program, fuzz::WasiShape::Record));
  r.errnos.assign(calls, -1);
  json req;
  req["op"] = "run";
  req["wasm"] = base64(r.module);
  req["dir"] = root + "/scratch";
  req["out"] = root + "/out";
  req["cwd"] = root + "/cwd";
  req["err"] = root + "/err";
  req["calls"] = calls;
  std::vector<std::string> rep;
  LineProcess& proc = node_process();
  if (!proc.running()) {
    r.end = "harness: cannot start node: " + proc.error();
  } else if (!proc.exchange({req.dump()}, rep, timeout_ms_)) {
    r.end = proc.error() == "timed out" ? "hang" : "crash: " + proc.error();
    proc.stop();
  } else {
    json j = json::parse(rep[0], nullptr, false);
    std::string s = j.is_object() ? j.value("s", "") : "";
    if (s == "ok")
      r.end = "returned";
    else if (s == "exit")
      r.end = "exit " + std::to_string(j.value("code", int64_t{0}));
    else if (s == "trap")
      r.end = "trap: " + j.value("msg", "");
    else
      r.end = "harness: " + (j.is_object() ? j.value("msg", "") : rep[0].substr(0, 200));
    if (j.is_object() && j.contains("errnos") && j["errnos"].is_array())
      for (size_t i = 0; i < calls && i < j["errnos"].size(); ++i) r.errnos[i] = j["errnos"][i].get<int32_t>();
  }
  return finish(root, std::move(r));
}

std::string wasi_expectation(const WasiRun& r) {
  std::string s = "end: " + r.end + "\nerrnos:";
  for (int32_t e : r.errnos) s += " " + errno_text(e);
  s += "\nstdout: " + escaped(r.out) + "\nstderr: " + escaped(r.err) + "\nscratch:\n" + r.scratch;
  if (r.canary_changed) s += "canary changed:\n" + r.canary;
  return s;
}

std::vector<Finding> compare_wasi(std::span<const fuzz::WasiCall> calls, const WasiRun& w, const WasiRun& n) {
  std::vector<Finding> found;
  auto add = [&](FindingKind kind, std::string who, std::string where, std::string key, std::string a, std::string b,
                 size_t call = 0) {
    Finding f;
    f.kind = kind;
    f.engines = {who};
    f.reference = who == "warden" ? "node" : "warden";
    f.where = std::move(where);
    f.call = call;
    f.signature = std::string(to_string(kind)) + "|wasi:" + key + "|" + who;
    f.outcomes = {{"warden", std::move(a)}, {"node", std::move(b)}};
    found.push_back(std::move(f));
  };
  // A sandbox escape first: it matters more than anything else either did.
  if (!w.outside.empty() || !n.outside.empty()) {
    std::string who = !w.outside.empty() ? "warden" : "node";
    add(FindingKind::Result, who, "written outside the sandbox", "outside", w.outside.empty() ? "nothing" : w.outside,
        n.outside.empty() ? "nothing" : n.outside);
    return found;
  }
  if (w.canary_changed || n.canary_changed) {
    std::string who = w.canary_changed ? "warden" : "node";
    add(FindingKind::Result, who, "canary changed", "canary", w.canary_changed ? w.canary : "unchanged",
        n.canary_changed ? n.canary : "unchanged");
    return found;
  }
  for (size_t i = 0; i < calls.size() && i < w.errnos.size() && i < n.errnos.size(); ++i) {
    if (w.errnos[i] == n.errnos[i]) continue;
    std::string fn = fuzz::wasi_call_name(calls[i]);
    std::string what = "call " + std::to_string(i) + ": " + fuzz::describe(calls[i]);
    // A runtime that died (node) or trapped (either) in this call ends it.
    for (const auto& [who, run, other] : {std::tuple{"node", &n, &w}, std::tuple{"warden", &w, &n}}) {
      if (run->errnos[i] >= 0 || run->end.rfind("exit", 0) == 0) continue;
      bool died = run->died_in == static_cast<int32_t>(i);
      FindingKind kind = run->end == "hang" ? FindingKind::Hang : died ? FindingKind::Crash : FindingKind::Trap;
      std::string mine = run->end + " (" + what + ")", theirs = errno_text(other->errnos[i]) + " (" + what + ")";
      add(kind, who, what, fn, who == std::string("node") ? theirs : mine, who == std::string("node") ? mine : theirs,
          i + 1);
      return found;
    }
    add(FindingKind::Result, "node", what, fn + ":" + errno_text(w.errnos[i]) + "/" + errno_text(n.errnos[i]),
        errno_text(w.errnos[i]) + " (" + what + ")", errno_text(n.errnos[i]) + " (" + what + ")", i + 1);
  }
  auto kind_of_end = [](const std::string& e) { return e.substr(0, e.find(':')); };
  if (w.end != n.end)
    add(FindingKind::Result, "node", "end of run", "end:" + kind_of_end(w.end) + "/" + kind_of_end(n.end), w.end,
        n.end);
  if (w.out != n.out) add(FindingKind::Result, "node", "stdout", "stdout", w.out.substr(0, 400), n.out.substr(0, 400));
  if (w.err != n.err) add(FindingKind::Result, "node", "stderr", "stderr", w.err.substr(0, 400), n.err.substr(0, 400));
  if (w.scratch != n.scratch) {
    // The first line that differs names the entry.
    std::vector<std::string> a = split_lines(w.scratch), b = split_lines(n.scratch);
    size_t k = 0;
    while (k < a.size() && k < b.size() && a[k] == b[k]) ++k;
    std::string la = k < a.size() ? a[k] : "(none)", lb = k < b.size() ? b[k] : "(none)";
    std::string entry = (k < a.size() ? la : lb).substr(0, (k < a.size() ? la : lb).find(' '));
    add(FindingKind::Result, "node", "scratch tree: " + entry, "tree", la, lb);
  }
  return found;
}

std::optional<std::pair<Finding, std::string>> first_unexplained(std::span<const fuzz::WasiCall> calls,
                                                                 const WasiRun& w, const WasiRun& n) {
  // Every difference explained: the program stands for the gravest one (a
  // crash, hang or escape), else the first.
  std::optional<std::pair<Finding, std::string>> first;
  auto grave = [](const Finding& f) {
    return f.kind == FindingKind::Crash || f.kind == FindingKind::Hang || f.where == "canary changed" ||
           f.where == "written outside the sandbox";
  };
  for (const Finding& f : compare_wasi(calls, w, n)) {
    std::string rule = explain_wasi({f, calls, w, n});
    if (!first || (grave(f) && !grave(first->first))) first = {f, rule};
    if (rule.empty()) return std::pair{f, rule};
    // Past an explained call only while both refused it: a refused call
    // changes nothing, so what follows is still comparable.
    size_t i = f.call;
    if (i == 0 || f.kind != FindingKind::Result || w.errnos[i - 1] == 0 || n.errnos[i - 1] == 0) break;
  }
  return first;
}

std::string program_json(std::span<const fuzz::WasiCall> calls) {
  json a = json::array();
  for (const fuzz::WasiCall& c : calls)
    a.push_back({{"fn", fuzz::wasi_call_name(c)}, {"args", c.args}, {"paths", c.path_args}});
  return a.dump();
}

bool program_from_json(const std::string& text, std::vector<fuzz::WasiCall>& calls) {
  json a = json::parse(text, nullptr, false);
  if (!a.is_array()) return false;
  std::vector<std::string_view> names = wasi::function_names();
  calls.clear();
  for (const json& j : a) {
    if (!j.is_object() || !j.contains("fn") || !j["fn"].is_string() || !j.contains("args") || !j["args"].is_array())
      return false;
    auto it = std::find(names.begin(), names.end(), j["fn"].get<std::string>());
    if (it == names.end()) return false;
    fuzz::WasiCall c;
    c.fn = static_cast<uint32_t>(it - names.begin());
    for (const json& v : j["args"]) {
      if (!v.is_number_unsigned()) return false;
      c.args.push_back(v.get<uint64_t>());
    }
    c.path_args = j.value("paths", 0u);
    calls.push_back(std::move(c));
  }
  return true;
}

std::string explain_wasi(const WasiCase& c) {
  for (const WasiRule& r : wasi_rules())
    if (r.match(c)) return std::string(r.name);
  return "";
}

}  // namespace warden::diff
