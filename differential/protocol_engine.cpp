// An engine behind the engine protocol, version 1 (docs/engine-protocol.md):
// one long-lived process started as `/bin/sh -c COMMAND`, one JSON object a
// line each way, module bytes in base64, values as raw bits in hex.
//
// What the process does not answer in time is a hang, what kills it a
// crash; either way it is restarted (and greeted again) for the next
// request. An {"error": ...} reply means the engine does not do that
// request: the module is "unsupported" there, never a crash.
#include "protocol_engine.hpp"

#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "messages.hpp"
#include "process.hpp"
#include "sanitizer.hpp"

#ifndef WARDEN_DIFF_SOURCE_DIR
#define WARDEN_DIFF_SOURCE_DIR ""
#endif

namespace warden::diff {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// Starting an engine (node takes ~50 ms, more on a busy machine) is not
// the module's time.
constexpr uint32_t kHelloTimeoutMs = 20000;
// An engine that enforces the deadline itself (limits.timeout_ms) gets to
// report it before it is killed.
constexpr uint32_t kReplyGraceMs = 500;
// A batch of validations: the deadline of one, plus this per module.
constexpr uint32_t kValidateMsPerModule = 5;

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool flag(const json& j, const char* key, bool otherwise) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() ? it->get<bool>() : otherwise;
}

std::string hex(uint64_t v, int width = 0) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%0*llx", width, static_cast<unsigned long long>(v));
  return buf;
}

// An "ok" outcome's values as the comparison holds them: i32/f32
// zero-extended, v128 as two values (low half first, as Warden gives
// them), a reference as 0 (null) or 1.
bool parse_values(const json& vals, const std::vector<ValType>& types, std::vector<uint64_t>& out, std::string& error) {
  if (!vals.is_array() || vals.size() != types.size())
    return error = "bad reply: " + std::to_string(vals.is_array() ? vals.size() : 0) + " values for " +
                   std::to_string(types.size()) + " results",
           false;
  for (size_t i = 0; i < types.size(); ++i) {
    ValType t = types[i];
    size_t digits = t == ValType::V128 ? 32 : t == ValType::I32 || t == ValType::F32 ? 8 : 16;
    uint64_t hi = 0, lo = 0;
    if (!vals[i].is_string() || !parse_hex(vals[i].get<std::string>(), digits, hi, lo))
      return error = "bad reply: value " + std::to_string(i) + " is not " + std::string(to_string(t)) + " bits", false;
    if (t == ValType::V128) {
      out.push_back(lo);
      out.push_back(hi);
    } else {
      out.push_back(is_ref(t) ? lo != 0 : lo);
    }
  }
  return true;
}

Outcome outcome_of(const json& j, const std::vector<ValType>& results) {
  Outcome o;
  if (!j.is_object()) return {Outcome::Status::Crash, {}, 0, "bad reply: an outcome is not an object"};
  std::string s = str(j, "s");
  o.message = str(j, "msg");
  if (s == "ok") {
    o.status = Outcome::Status::Ok;
    std::string error;
    if (!parse_values(j.value("vals", json::array()), results, o.values, error))
      return {Outcome::Status::Crash, {}, 0, error};
  } else if (s == "trap") {
    o.status = Outcome::Status::Trap;
    // The engine's own kinds; else its message read as the spec's wording.
    auto kinds = j.find("trap");
    o.trap = kinds != j.end() && kinds->is_string() ? trap_kinds_named(kinds->get<std::string>())
                                                    : trap_kinds("spec", o.message);
  } else if (s == "exhausted") {
    o.status = Outcome::Status::Exhausted;
  } else if (s == "unlinkable") {
    o.status = Outcome::Status::Unlinkable;
  } else if (s == "unsupported") {
    o.status = Outcome::Status::Unsupported;
  } else if (s == "notrun") {
    o.status = Outcome::Status::NotRun;
  } else {
    o.status = Outcome::Status::Crash;
    if (s != "crash") o.message = "bad reply: status '" + s + "'" + (o.message.empty() ? "" : ": " + o.message);
  }
  return o;
}

LoadResult load_of(const json& j) {
  if (!j.is_object()) return {Verdict::Crash, "bad reply: a verdict is not an object"};
  static const std::pair<std::string_view, Verdict> kVerdicts[] = {
      {"valid", Verdict::Valid},       {"malformed", Verdict::Malformed}, {"invalid", Verdict::Invalid},
      {"rejected", Verdict::Rejected}, {"limit", Verdict::Limit},         {"unsupported", Verdict::Unsupported},
  };
  std::string v = str(j, "v");
  LoadResult r{Verdict::Crash, str(j, "msg")};
  for (const auto& [word, verdict] : kVerdicts)
    if (v == word) r.verdict = verdict;
  if (r.verdict == Verdict::Valid) r.message.clear();
  if (r.verdict == Verdict::Crash && v != "crash")
    r.message = "bad reply: verdict '" + v + "'" + (r.message.empty() ? "" : ": " + r.message);
  auto off = j.find("offset");
  if (off != j.end() && off->is_number_unsigned()) r.offset = off->get<uint64_t>();
  return r;
}

// A reply line as an object, or null when it is not one.
std::optional<json> object_of(const std::string& line) {
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

std::string bad_reply(const std::string& line) { return "bad reply: " + line.substr(0, 200); }

// An {"error": ...} reply's words.
std::string error_text(const json& j) {
  std::string s = str(j, "error");
  return s.empty() ? j["error"].dump().substr(0, 200) : s.substr(0, 200);
}

class ProtocolEngine final : public Engine {
 public:
  explicit ProtocolEngine(ProtocolConfig c) : c_(std::move(c)) {}

  std::string_view name() const override { return c_.name; }
  std::string version() const override { return version_; }
  bool passes_arguments() const override { return arguments_; }
  bool three_way() const override { return three_way_; }

  bool available(std::string& why) override {
    for (const auto& [path, what] : c_.needs)
      if (access(path.c_str(), F_OK) != 0) return why = what, false;
    std::error_code ec;
    fs::create_directories(c_.cwd, ec);
    if (ec) return why = "cannot create " + c_.cwd + ": " + ec.message(), false;
    json hello;
    if (!restart(&hello)) return why = failure_, false;
    if (!hello.contains("protocol") || hello["protocol"] != kProtocolVersion)
      return why = "hello: answered " + hello.dump().substr(0, 200) + ", not protocol 1", false;
    std::string name = str(hello, "name");
    version_ = str(hello, "version");
    if (version_.empty()) version_ = name.empty() ? c_.name + " (no version given)" : name;
    three_way_ = flag(hello, "three_way", false);
    runs_ = flag(hello, "run", false);
    arguments_ = flag(hello, "arguments", false);
    return true;
  }

  std::vector<LoadResult> validate(std::span<const std::span<const uint8_t>> modules) override {
    std::vector<LoadResult> out(modules.size());
    std::vector<std::string> requests;
    for (std::span<const uint8_t> b : modules) requests.push_back(R"({"op":"validate","wasm":")" + base64(b) + "\"}");
    std::vector<std::string> replies;
    exchange(requests, replies,
             c_.limits.timeout_ms + kReplyGraceMs + static_cast<uint32_t>(modules.size()) * kValidateMsPerModule);
    for (size_t i = 0; i < replies.size() && i < modules.size(); ++i) out[i] = verdict_of(replies[i]);
    // A batch cut short: answer the rest one at a time, so the culprit is
    // the one module that crashes or hangs on its own.
    for (size_t i = replies.size(); i < modules.size(); ++i) {
      std::vector<std::string> one;
      if (!exchange({requests[i]}, one, c_.limits.timeout_ms + kReplyGraceMs)) {
        out[i] = {timed_out_ ? Verdict::Hang : Verdict::Crash, failure_};
        continue;
      }
      out[i] = verdict_of(one[0]);
    }
    return out;
  }

  RunResult run_one(const RunJob& job) override {
    RunResult r;
    r.calls.resize(job.calls.size());
    if (!runs_) {
      // A validator only: nothing here to compare.
      r.load = {Verdict::NotRun, c_.name + " does not run modules"};
      return r;
    }
    // An engine without arguments makes the calls up to the first that
    // takes some; that one is unsupported, the rest not run.
    size_t sent = job.calls.size();
    for (size_t i = 0; i < job.calls.size() && sent == job.calls.size(); ++i)
      if (!arguments_ && !job.calls[i].args.empty()) sent = i;
    json calls = json::array();
    for (size_t i = 0; i < sent; ++i) {
      const Call& c = job.calls[i];
      json args = json::array(), results = json::array();
      for (const Value& v : c.args) args.push_back(json::array({std::string(to_string(v.type)), value_hex(v)}));
      for (ValType t : c.results) results.push_back(std::string(to_string(t)));
      calls.push_back({{"name", c.name}, {"args", std::move(args)}, {"results", std::move(results)}});
    }
    json req = {{"op", "run"},
                {"wasm", base64(job.bytes)},
                {"limits",
                 {{"call_depth", c_.limits.call_depth},
                  {"timeout_ms", c_.limits.timeout_ms},
                  {"memory_bytes", c_.limits.memory_bytes}}},
                {"calls", std::move(calls)}};
    std::vector<std::string> rep;
    if (!exchange({req.dump()}, rep, c_.limits.timeout_ms + kReplyGraceMs)) {
      // Which call hung is unknown from outside; the comparison treats a
      // hang of the module as a whole.
      r.load.verdict = Verdict::Valid;
      r.instantiate = {timed_out_ ? Outcome::Status::Hang : Outcome::Status::Crash, {}, 0, failure_};
      return r;
    }
    std::optional<json> j = object_of(rep[0]);
    if (!j) {
      r.load = {Verdict::Crash, bad_reply(rep[0])};
      return r;
    }
    if (j->contains("error")) {
      r.load = {Verdict::Unsupported, c_.name + " does not run: " + error_text(*j)};
      return r;
    }
    r.load = two_way(load_of(j->value("load", json())));
    if (r.load.verdict != Verdict::Valid) return r;
    r.instantiate = outcome_of(j->value("inst", json()), {});
    const json cj = j->value("calls", json::array());
    for (size_t i = 0; i < sent && cj.is_array() && i < cj.size(); ++i)
      r.calls[i] = outcome_of(cj[i], job.calls[i].results);
    if (sent < job.calls.size() && r.instantiate.status == Outcome::Status::Ok)
      r.calls[sent] = {Outcome::Status::Unsupported, {}, 0, c_.name + " takes no arguments"};
    return r;
  }

  std::vector<RunResult> run(std::span<const RunJob> jobs) override {
    // A batch begins with a clean engine; what it answers does not matter.
    std::vector<std::string> ignored;
    if (runs_) exchange({R"({"op":"reset"})"}, ignored, c_.limits.timeout_ms + kReplyGraceMs);
    return Engine::run(jobs);
  }

 private:
  // Starts (again) and greets the engine; the hello reply goes to `hello`.
  bool restart(json* hello = nullptr) {
    if (!proc_.start({"/bin/sh", "-c", c_.command}, 0, c_.cwd, true)) {
      failure_ = "cannot start `" + c_.command + "`: " + proc_.error();
      return false;
    }
    std::vector<std::string> rep;
    std::string greeting = R"({"op":"hello","protocol":)" + std::to_string(kProtocolVersion) + "}";
    if (!proc_.exchange({greeting}, rep, kHelloTimeoutMs)) {
      failure_ = "`" + c_.command + "` did not answer hello: " + said(proc_.error());
      return false;
    }
    std::optional<json> j = object_of(rep[0]);
    if (!j) {
      failure_ = "hello: " + bad_reply(rep[0]);
      proc_.stop();
      return false;
    }
    if (hello) *hello = std::move(*j);
    return true;
  }

  bool exchange(const std::vector<std::string>& req, std::vector<std::string>& rep, uint32_t timeout) {
    timed_out_ = false;
    rep.clear();
    if (!proc_.running() && !restart()) return false;
    if (proc_.exchange(req, rep, timeout)) return true;
    timed_out_ = proc_.error() == "timed out";
    std::string failure = said(proc_.error());
    restart();  // for the next request; this one has failed
    failure_ = std::move(failure);
    return false;
  }

  // What went wrong, with the last line the engine wrote on stderr, or
  // the sanitizer report it left.
  std::string said(const std::string& what) const {
    if (!c_.sanitizer_log.empty()) {
      std::string report = take_sanitizer_logs(c_.sanitizer_log);
      std::string message = sanitizer_message(report, WARDEN_DIFF_SOURCE_DIR);
      if (!message.empty()) return message;
    }
    std::string tail = proc_.stderr_tail();
    while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.pop_back();
    size_t nl = tail.rfind('\n');
    if (nl != std::string::npos) tail.erase(0, nl + 1);
    if (tail.empty()) return what;
    return what + "; stderr: " + tail.substr(0, 200);
  }

  LoadResult verdict_of(const std::string& line) {
    std::optional<json> j = object_of(line);
    if (!j) return {Verdict::Crash, bad_reply(line)};
    if (j->contains("error")) return {Verdict::Unsupported, c_.name + " does not validate: " + error_text(*j)};
    return two_way(load_of(*j));
  }

  // An engine that does not tell malformed from invalid (hello's
  // "three_way": false) is held to "rejected", whichever it said.
  LoadResult two_way(LoadResult r) const {
    if (!three_way_ && (r.verdict == Verdict::Malformed || r.verdict == Verdict::Invalid))
      r.verdict = Verdict::Rejected;
    return r;
  }

  ProtocolConfig c_;
  LineProcess proc_;
  std::string version_, failure_;
  bool three_way_ = false, runs_ = false, arguments_ = false, timed_out_ = false;
};

}  // namespace

bool parse_hex(const std::string& s, size_t digits, uint64_t& hi, uint64_t& lo) {
  if (s.empty() || s.size() > digits) return false;
  hi = lo = 0;
  for (char c : s) {
    uint64_t d;
    if (c >= '0' && c <= '9')
      d = static_cast<uint64_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
      d = static_cast<uint64_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      d = static_cast<uint64_t>(c - 'A' + 10);
    else
      return false;
    hi = hi << 4 | lo >> 60;
    lo = lo << 4 | d;
  }
  return true;
}

std::string value_hex(const Value& v) {
  if (v.type == ValType::V128) return hex(v.hi, 16) + hex(v.lo, 16);
  if (is_ref(v.type)) return v.is_null() ? "0" : "1";
  return hex(v.lo);
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

ProtocolConfig node_harness_config(const EngineSetup& setup, std::string name, const std::string& harness) {
  ProtocolConfig c;
  c.command = "exec " + shell_quote(setup.node) + " " + shell_quote(harness);
  c.cwd = (fs::path(setup.work_dir) / name).string();
  c.limits = setup.limits;
  c.needs = {{setup.node, setup.node + " not found"}, {harness, harness + " not found"}};
  c.name = std::move(name);
  return c;
}

std::unique_ptr<Engine> make_protocol_engine(ProtocolConfig config) {
  return std::make_unique<ProtocolEngine>(std::move(config));
}

}  // namespace warden::diff
