// Warden, in process, through the public API only.
#include <cstdio>

#include "engine.hpp"
#include "messages.hpp"
#include "warden/spectest.hpp"

namespace warden::diff {
namespace {

Verdict verdict_of(const Error& e) {
  switch (e.kind) {
    case ErrorKind::Malformed: return Verdict::Malformed;
    case ErrorKind::Invalid: return Verdict::Invalid;
    case ErrorKind::Exhaustion: return Verdict::Limit;
    default: return Verdict::Crash;  // load never reports other kinds
  }
}

Outcome outcome_of(const Error& e) {
  Outcome o;
  o.message = e.message;
  switch (e.kind) {
    case ErrorKind::Trap:
    case ErrorKind::Uninstantiable:
      o.status = Outcome::Status::Trap;
      o.trap = trap_kinds("warden", e.message);
      break;
    case ErrorKind::Unlinkable: o.status = Outcome::Status::Unlinkable; break;
    case ErrorKind::Exhaustion:
      // The call-depth limit is the one exhaustion every peer has too, as a
      // trap ("call stack exhausted"); fuel and the deadline are Warden's own.
      if (e.message.find("call stack exhausted") != std::string::npos) {
        o.status = Outcome::Status::Trap;
        o.trap = kTrapStack;
      } else {
        o.status = Outcome::Status::Exhausted;
      }
      break;
    default: o.status = Outcome::Status::Crash; break;
  }
  return o;
}

class WardenEngine final : public Engine {
 public:
  explicit WardenEngine(const EngineSetup& s) {
    if (s.limits.call_depth) limits_.max_call_depth = s.limits.call_depth;
    // A hang is a finding, not a stuck campaign: the deadline makes it an
    // Exhausted outcome that the comparison reports as "hang".
    limits_.timeout_ms = s.limits.timeout_ms;
  }
  std::string_view name() const override { return "warden"; }
  std::string version() const override { return "warden (this tree)"; }
  bool available(std::string&) override { return true; }
  bool three_way() const override { return true; }

  std::vector<LoadResult> validate(std::span<const std::span<const uint8_t>> modules) override {
    std::vector<LoadResult> out;
    for (std::span<const uint8_t> bytes : modules) {
      auto m = Module::load(bytes, limits_);
      if (m)
        out.push_back({Verdict::Valid, ""});
      else
        out.push_back({verdict_of(m.error()), m.error().message, m.error().offset});
    }
    return out;
  }

  RunResult run_one(const RunJob& job) override {
    RunResult r;
    r.calls.resize(job.calls.size());
    auto m = Module::load(job.bytes, limits_);
    if (!m) {
      r.load = {verdict_of(m.error()), m.error().message, m.error().offset};
      return r;
    }
    r.load.verdict = Verdict::Valid;
    Store store(limits_);
    Linker linker;
    define_spectest(store, linker);
    auto imports = linker.resolve(**m);
    if (!imports) {
      r.instantiate = outcome_of(imports.error());
      return r;
    }
    auto inst = store.instantiate(*m, *imports);
    if (!inst) {
      r.instantiate = outcome_of(inst.error());
      return r;
    }
    r.instantiate.status = Outcome::Status::Ok;
    for (size_t i = 0; i < job.calls.size(); ++i) {
      const Call& c = job.calls[i];
      Outcome& o = r.calls[i];
      std::optional<Extern> e = (*inst)->find_export(c.name);
      if (!e || e->kind != ExternKind::Func) {
        o.status = Outcome::Status::Unsupported;
        o.message = "no function export " + c.name;
        continue;
      }
      auto res = store.invoke(e->func, c.args);
      if (!res) {
        o = outcome_of(res.error());
        continue;
      }
      o.status = Outcome::Status::Ok;
      for (const Value& v : *res) {
        if (v.type == ValType::V128) {
          o.values.push_back(v.lo);
          o.values.push_back(v.hi);
        } else if (is_ref(v.type)) {
          o.values.push_back(v.is_null() ? 0 : 1);
        } else {
          o.values.push_back(v.lo);
        }
      }
    }
    return r;
  }

 private:
  Limits limits_;
};

}  // namespace

std::unique_ptr<Engine> make_warden_engine(const EngineSetup& setup) { return std::make_unique<WardenEngine>(setup); }

}  // namespace warden::diff
