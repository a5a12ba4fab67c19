// V8 through one long-lived node process running v8_harness.js; modules go
// over a pipe as lines of JSON with base64 bytes (about 2.4 ms a module,
// against about 97 ms for a node process per module).
//
// A request that times out (a hang) or kills node (a crash) is answered as
// such, and the harness is restarted for the next one.
#include <unistd.h>
#include <nlohmann/json.hpp>

#include "engine.hpp"
#include "messages.hpp"
#include "process.hpp"

namespace warden::diff {
namespace {

using json = nlohmann::json;

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Outcome outcome_of(const json& j) {
  Outcome o;
  std::string s = str(j, "s");
  o.message = str(j, "msg");
  if (s == "ok") {
    o.status = Outcome::Status::Ok;
    auto vals = j.find("vals");
    if (vals != j.end() && vals->is_array())
      for (const json& v : *vals)
        if (v.is_string()) o.values.push_back(std::strtoull(v.get<std::string>().c_str(), nullptr, 16));
  } else if (s == "trap") {
    o.status = Outcome::Status::Trap;
    o.trap = trap_kinds("v8", o.message);
  } else if (s == "exhausted") {
    o.status = Outcome::Status::Exhausted;
  } else if (s == "unsupported") {
    o.status = Outcome::Status::Unsupported;
  } else if (s == "unlinkable") {
    o.status = Outcome::Status::Unlinkable;
  } else if (s == "notrun") {
    o.status = Outcome::Status::NotRun;
  } else {
    o.status = Outcome::Status::Crash;
  }
  return o;
}

LoadResult load_of(const json& j) {
  std::string v = str(j, "v"), msg = str(j, "msg");
  if (v == "valid") return {Verdict::Valid, ""};
  if (v == "rejected") {
    Verdict verdict = load_verdict("v8", msg);
    return {verdict, msg};
  }
  if (v == "limit") return {Verdict::Limit, msg};
  return {Verdict::Crash, msg};
}

class V8Engine final : public Engine {
 public:
  explicit V8Engine(const EngineSetup& s) : limits_(s.limits), node_(s.node), harness_(s.harness) {}

  std::string_view name() const override { return "v8"; }
  std::string version() const override { return version_; }

  bool available(std::string& why) override {
    if (access(node_.c_str(), X_OK) != 0) return why = node_ + " not found", false;
    if (access(harness_.c_str(), R_OK) != 0) return why = harness_ + " not found", false;
    if (!restart()) return why = "cannot start node: " + proc_.error(), false;
    std::vector<std::string> replies;
    if (!proc_.exchange({R"({"op":"version"})"}, replies, 20000)) return why = "node harness: " + proc_.error(), false;
    json j = json::parse(replies[0], nullptr, false);
    version_ = j.is_discarded() ? "node (unknown)" : str(j, "version");
    return true;
  }

  std::vector<LoadResult> validate(std::span<const std::span<const uint8_t>> modules) override {
    std::vector<LoadResult> out(modules.size());
    std::vector<std::string> requests;
    for (std::span<const uint8_t> b : modules) requests.push_back(R"({"op":"validate","wasm":")" + base64(b) + "\"}");
    std::vector<std::string> replies;
    exchange(requests, replies, limits_.timeout_ms + static_cast<uint32_t>(modules.size()) * 5);
    for (size_t i = 0; i < modules.size(); ++i) {
      if (i < replies.size()) {
        json j = json::parse(replies[i], nullptr, false);
        out[i] = j.is_discarded() ? LoadResult{Verdict::Crash, "bad reply"} : load_of(j);
      }
    }
    // A batch cut short: answer the rest one at a time, so the culprit is
    // the one module that crashes or hangs on its own.
    for (size_t i = replies.size(); i < modules.size(); ++i) {
      std::vector<std::string> one;
      if (!exchange({requests[i]}, one, limits_.timeout_ms)) {
        out[i] = {last_timed_out_ ? Verdict::Hang : Verdict::Crash, proc_.error()};
        continue;
      }
      json j = json::parse(one[0], nullptr, false);
      out[i] = j.is_discarded() ? LoadResult{Verdict::Crash, "bad reply"} : load_of(j);
    }
    return out;
  }

  RunResult run_one(const RunJob& job) override {
    RunResult r;
    r.calls.resize(job.calls.size());
    json req;
    req["op"] = "run";
    req["wasm"] = base64(job.bytes);
    json calls = json::array();
    for (const Call& c : job.calls) {
      json jc;
      jc["name"] = c.name;
      json args = json::array();
      for (const Value& v : c.args) {
        std::string t(to_string(v.type));
        args.push_back(json::array({t, v.type == ValType::V128 ? hex(v.hi) + hex(v.lo) : hex(v.lo)}));
      }
      jc["args"] = args;
      json results = json::array();
      for (ValType t : c.results) results.push_back(std::string(to_string(t)));
      jc["results"] = results;
      calls.push_back(jc);
    }
    req["calls"] = calls;
    std::vector<std::string> rep;
    if (!exchange({req.dump()}, rep, limits_.timeout_ms)) {
      // Which call hung is unknown from outside; the comparison treats a
      // hang of the module as a whole.
      Outcome::Status s = last_timed_out_ ? Outcome::Status::Hang : Outcome::Status::Crash;
      r.load.verdict = Verdict::Valid;
      r.instantiate = {s, {}, 0, proc_.error()};
      return r;
    }
    json j = json::parse(rep[0], nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      r.load = {Verdict::Crash, "bad reply: " + rep[0].substr(0, 200)};
      return r;
    }
    if (j.contains("error")) {
      r.load = {Verdict::Crash, "harness: " + str(j, "error")};
      return r;
    }
    r.load = load_of(j.value("load", json::object()));
    r.instantiate = outcome_of(j.value("inst", json::object()));
    auto cj = j.find("calls");
    if (cj != j.end() && cj->is_array())
      for (size_t i = 0; i < r.calls.size() && i < cj->size(); ++i) r.calls[i] = outcome_of((*cj)[i]);
    return r;
  }

 private:
  bool restart() {
    // The harness's own heap is small; the cap is for wasm memories.
    return proc_.start({node_, harness_}, 0);
  }

  bool exchange(const std::vector<std::string>& req, std::vector<std::string>& rep, uint32_t timeout) {
    last_timed_out_ = false;
    if (!proc_.running() && !restart()) return false;
    if (proc_.exchange(req, rep, timeout)) return true;
    last_timed_out_ = proc_.error() == "timed out";
    restart();
    return false;
  }

  EngineLimits limits_;
  std::string node_, harness_, version_;
  LineProcess proc_;
  bool last_timed_out_ = false;
};

}  // namespace

std::unique_ptr<Engine> make_v8_engine(const EngineSetup& setup) { return std::make_unique<V8Engine>(setup); }

}  // namespace warden::diff
