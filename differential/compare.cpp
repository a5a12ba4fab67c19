#include "compare.hpp"

#include <algorithm>
#include <cstdio>

#include "probe.hpp"
#include "sanitizer.hpp"

namespace warden::diff {

std::string_view to_string(FindingKind k) {
  switch (k) {
    case FindingKind::Validation: return "validation";
    case FindingKind::Result: return "result";
    case FindingKind::Trap: return "trap";
    case FindingKind::Crash: return "crash";
    case FindingKind::Hang: return "hang";
    case FindingKind::Nondeterminism: return "nondeterminism";
    case FindingKind::Sanitizer: return "sanitizer";
  }
  return "?";
}

std::string message_key(const std::string& message) {
  std::string k;
  bool digit = false;
  for (char c : message) {
    if (c >= '0' && c <= '9') {
      if (!digit) k += 'N';
      digit = true;
      continue;
    }
    digit = false;
    if (c == '\n') break;
    k += c;
    if (k.size() >= 48) break;
  }
  return k;
}

bool verdicts_agree(Verdict a, Verdict b) {
  if (a == b) return true;
  auto rejected = [](Verdict v) { return v == Verdict::Malformed || v == Verdict::Invalid || v == Verdict::Rejected; };
  return (a == Verdict::Rejected && rejected(b)) || (b == Verdict::Rejected && rejected(a));
}

bool outcomes_agree(const Outcome& a, const Outcome& b) {
  if (a.status != b.status) return false;
  if (a.status == Outcome::Status::Ok) return a.values == b.values;
  if (a.status == Outcome::Status::Trap) return (a.trap & b.trap) != 0;
  return true;
}

namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

Finding single(FindingKind kind, const std::string& engine, const std::string& where, const std::string& what) {
  Finding f;
  f.kind = kind;
  f.where = where;
  f.engines = {engine};
  f.outcomes[engine] = what;
  f.signature = std::string(to_string(kind)) + "|" + message_key(where) + "|" + engine;
  return f;
}

std::string load_text(const LoadResult& l) {
  std::string s(to_string(l.verdict));
  if (!l.message.empty()) s += " (" + l.message + ")";
  if (l.offset != kNoOffset) {
    char buf[32];
    std::snprintf(buf, sizeof buf, " @0x%llx", static_cast<unsigned long long>(l.offset));
    s += buf;
  }
  return s;
}

// Warden refused by one of its own implementation limits a module that V8,
// the web's reference, loads: a finding, for a module that loads on the web
// must load here (README). Which limit is the bucket.
Finding warden_limit(const EngineLoad& warden, std::span<const EngineLoad> loads) {
  Finding f;
  f.kind = FindingKind::Validation;
  f.reference = "v8";
  f.engines = {warden.engine};
  f.where = "warden limit rejects a module V8 accepts: " + message_key(warden.load.message);
  for (const EngineLoad& l : loads)
    if (l.load.verdict != Verdict::NotRun) f.outcomes[l.engine] = load_text(l.load);
  f.signature = "validation|v8=valid,warden=limit|" + f.where;
  return f;
}

// A twin's difference from Warden at `where`: a Sanitizer finding when the
// twin's message is a sanitizer report, else `kind` keyed by `key`.
Finding twin_finding(FindingKind kind, const std::string& twin, const std::string& where, const std::string& key,
                     const std::string& warden_did, const std::string& twin_did, const std::string& twin_message) {
  std::string report = sanitizer_key(twin_message);
  Finding f = single(report.empty() ? kind : FindingKind::Sanitizer, twin, where, twin_did);
  f.reference = "warden";
  f.outcomes["warden"] = warden_did;
  f.signature =
      report.empty() ? std::string(to_string(kind)) + "|twin " + key + "|" + twin : "sanitizer|" + report + "|" + twin;
  return f;
}

bool deadline(const Outcome& o) {
  return o.status == Outcome::Status::Hang ||
         (o.status == Outcome::Status::Exhausted && o.message.find("deadline") != std::string::npos);
}

// Depth-matched reruns (compare.hpp), each against its peer alone, every
// step, the overflow included.
void compare_depth_matched(std::span<const EngineRun> runs, const std::vector<std::string>& targets, Ignored& ignored,
                           std::vector<Finding>& out) {
  for (const EngineRun& d : runs) {
    std::string_view peer = depth_matched_peer(d.engine);
    if (peer.empty() || d.run.load.verdict != Verdict::Valid) continue;
    const EngineRun* p = nullptr;
    for (const EngineRun& r : runs)
      if (r.engine == peer && r.run.load.verdict == Verdict::Valid) p = &r;
    if (!p) continue;
    size_t ncalls = std::min(d.run.calls.size(), p->run.calls.size());
    for (size_t step = 0; step <= ncalls; ++step) {
      const Outcome& a = step == 0 ? d.run.instantiate : d.run.calls[step - 1];
      const Outcome& b = step == 0 ? p->run.instantiate : p->run.calls[step - 1];
      if (!comparable(a) || !comparable(b)) {
        ++ignored["depth-matched: " + std::string(peer) + " or Warden at its depth ended otherwise"];
        break;
      }
      if (outcomes_agree(a, b)) continue;
      std::string key = step == 0 ? "instantiate" : step == ncalls ? "state" : "call";
      bool ok = a.status == Outcome::Status::Ok && b.status == Outcome::Status::Ok;
      Finding f = single(ok ? FindingKind::Result : FindingKind::Trap, std::string(peer),
                         (step == 0                ? std::string("instantiate")
                          : step <= targets.size() ? targets[step - 1]
                                                   : key) +
                             " (Warden rerun at " + std::string(peer) + "'s call depth)",
                         describe(b));
      f.reference = d.engine;
      f.call = step;
      f.outcomes[d.engine] = describe(a);
      f.signature = std::string(to_string(f.kind)) + "|depth-matched " + key + "|" + std::string(peer);
      out.push_back(std::move(f));
      break;
    }
  }
}

}  // namespace

bool is_twin(std::string_view engine) { return engine == kSanitizedEngine; }

bool comparable(const Outcome& o) { return o.status == Outcome::Status::Ok || o.status == Outcome::Status::Trap; }

std::string depth_matched_name(std::string_view peer) { return "warden@" + std::string(peer); }

std::string_view depth_matched_peer(std::string_view engine) {
  return engine.starts_with("warden@") ? engine.substr(7) : std::string_view();
}

std::vector<Finding> compare_loads(std::span<const EngineLoad> loads, Ignored& ignored) {
  std::vector<Finding> out;
  std::vector<const EngineLoad*> active;
  bool v8_loads = false;
  const EngineLoad* warden = nullptr;
  for (const EngineLoad& l : loads) {
    v8_loads |= l.engine == "v8" && l.load.verdict == Verdict::Valid;
    if (l.engine == "warden" && l.load.verdict != Verdict::NotRun) warden = &l;
  }
  for (const EngineLoad& l : loads) {
    if (!is_twin(l.engine) || !warden || l.load.verdict == Verdict::NotRun) continue;
    const LoadResult &a = warden->load, &b = l.load;
    if (b.verdict == Verdict::Hang) {
      ++ignored["twin: " + l.engine + " reached a deadline"];
    } else if (a.verdict != b.verdict || a.message != b.message || a.offset != b.offset) {
      FindingKind kind = b.verdict == Verdict::Crash ? FindingKind::Crash : FindingKind::Validation;
      std::string key = "load " + std::string(to_string(b.verdict)) + " " + message_key(b.message);
      out.push_back(twin_finding(kind, l.engine, "load", key, load_text(a), load_text(b), b.message));
    }
  }
  for (const EngineLoad& l : loads) {
    if (is_twin(l.engine)) continue;
    switch (l.load.verdict) {
      case Verdict::NotRun: break;
      case Verdict::Unsupported: ++ignored["feature: " + l.engine + " lacks " + message_key(l.load.message)]; break;
      case Verdict::Limit:
        // A peer's limit (or Warden's, where V8 does not load the module
        // either) leaves that engine out of the comparison.
        if (l.engine == "warden" && v8_loads)
          out.push_back(warden_limit(l, loads));
        else
          ++ignored["limit: " + l.engine + " implementation limit"];
        break;
      case Verdict::Crash: {
        // A crash that names its failed assertion is bucketed by it.
        Finding f = single(FindingKind::Crash, l.engine, "load", load_text(l.load));
        if (l.load.message.find(": ") != std::string::npos) f.signature += "|" + message_key(l.load.message);
        out.push_back(std::move(f));
        break;
      }
      case Verdict::Hang: out.push_back(single(FindingKind::Hang, l.engine, "load", load_text(l.load))); break;
      default: active.push_back(&l);
    }
  }
  if (active.size() < 2) return out;
  const EngineLoad* ref = active.front();
  for (const EngineLoad* l : active)
    if (l->engine == "warden") ref = l;
  std::vector<const EngineLoad*> odd;
  for (const EngineLoad* l : active)
    if (!verdicts_agree(ref->load.verdict, l->load.verdict)) odd.push_back(l);
  if (odd.empty()) return out;
  Finding f;
  f.kind = FindingKind::Validation;
  f.reference = ref->engine;
  // The rule at stake: the reference's error if it rejected, else the first
  // objection of an engine that did.
  std::string key = ref->load.verdict != Verdict::Valid ? ref->load.message : odd.front()->load.message;
  f.where = message_key(key);
  std::string shape = ref->engine + "=" + std::string(to_string(ref->load.verdict));
  for (const EngineLoad* l : odd) {
    f.engines.push_back(l->engine);
    shape += "," + l->engine + "=" + std::string(to_string(l->load.verdict));
  }
  for (const EngineLoad* l : active) f.outcomes[l->engine] = load_text(l->load);
  f.signature = "validation|" + shape + "|" + f.where;
  out.push_back(std::move(f));
  return out;
}

std::vector<Finding> compare_runs(std::span<const EngineRun> runs, const std::vector<std::string>& targets,
                                  const std::vector<std::string>& state_labels, Ignored& ignored) {
  std::vector<Finding> out;
  std::vector<const EngineRun*> active;
  // Loading: a probe is valid by construction (Warden checked it).
  std::vector<EngineLoad> loads;
  for (const EngineRun& r : runs) loads.push_back({r.engine, false, r.run.load});
  for (Finding& f : compare_loads(loads, ignored)) {
    f.where = "probe: " + f.where;
    f.signature.insert(f.signature.find('|') + 1, "probe|");
    out.push_back(std::move(f));
  }
  const EngineRun* warden = nullptr;
  for (const EngineRun& r : runs)
    if (r.engine == "warden" && r.run.load.verdict == Verdict::Valid) warden = &r;
  for (const EngineRun& r : runs)
    if (r.run.load.verdict == Verdict::Valid && !is_twin(r.engine) && depth_matched_peer(r.engine).empty())
      active.push_back(&r);
  compare_depth_matched(runs, targets, ignored, out);

  size_t ncalls = runs.empty() ? 0 : runs.front().run.calls.size();
  // Twins: step by step against Warden, exactly, up to the first
  // difference.
  for (const EngineRun& t : runs) {
    if (!is_twin(t.engine) || !warden || t.run.load.verdict != Verdict::Valid) continue;
    for (size_t step = 0; step <= ncalls && step <= t.run.calls.size() && step <= warden->run.calls.size(); ++step) {
      const Outcome& a = step == 0 ? warden->run.instantiate : warden->run.calls[step - 1];
      const Outcome& b = step == 0 ? t.run.instantiate : t.run.calls[step - 1];
      if (deadline(a) || deadline(b)) {
        ++ignored["twin: " + t.engine + " reached a deadline"];
        break;
      }
      std::string da = describe(a), db = describe(b);
      if (da == db) continue;
      // A protocol engine that dies mid-run reports it at instantiation:
      // which call it was is unknown from outside.
      bool died = b.status == Outcome::Status::Crash && step == 0;
      std::string where = died ? "run" : step == 0 ? "instantiate" : step == ncalls ? "state" : "call";
      FindingKind kind = b.status == Outcome::Status::Crash                                   ? FindingKind::Crash
                         : a.status == Outcome::Status::Ok && b.status == Outcome::Status::Ok ? FindingKind::Result
                                                                                              : FindingKind::Trap;
      Finding f = twin_finding(kind, t.engine, where, where, da, db, b.message);
      f.call = step;
      out.push_back(std::move(f));
      break;
    }
  }
  // Step 0 is instantiation, step k+1 is call k.
  for (size_t step = 0; step <= ncalls && active.size() >= 2; ++step) {
    auto outcome = [&](const EngineRun* r) -> const Outcome& {
      return step == 0 ? r->run.instantiate : r->run.calls[step - 1];
    };
    std::string where = step == 0 ? "instantiate" : targets.size() >= step ? targets[step - 1] : "call";
    std::vector<const EngineRun*> next, hung;
    for (const EngineRun* r : active) {
      const Outcome& o = outcome(r);
      bool deadline = o.status == Outcome::Status::Exhausted && o.message.find("deadline") != std::string::npos;
      if (o.status == Outcome::Status::Hang || deadline) {
        hung.push_back(r);
        continue;
      }
      switch (o.status) {
        case Outcome::Status::Unsupported:
          ++ignored["call: " + r->engine + " cannot make it (" + message_key(o.message) + ")"];
          break;
        case Outcome::Status::Exhausted: ++ignored["exhaustion: " + r->engine + " " + message_key(o.message)]; break;
        case Outcome::Status::NotRun: break;
        case Outcome::Status::Crash: {
          Finding f = single(FindingKind::Crash, r->engine, step == 0 ? "instantiate" : "call", describe(o));
          f.call = step;
          out.push_back(std::move(f));
          break;
        }
        default: next.push_back(r);
      }
    }
    if (!hung.empty()) {
      if (next.empty()) {
        ++ignored["hang: every engine"];
        return out;
      }
      for (const EngineRun* r : hung) {
        Finding f = single(FindingKind::Hang, r->engine, "call", describe(outcome(r)));
        f.call = step;
        out.push_back(std::move(f));
      }
    }
    active = next;
    if (active.size() < 2) break;
    // Call depth: the engines' limits differ (Binaryen 251 frames, wabt
    // 1638, V8 about 5k-21k by frame size, Warden Limits::max_call_depth,
    // 20000 by default), so a stack overflow leaves a different state behind
    // in each. A peer that overflowed where Warden did not leaves the
    // comparison (its own is the depth-matched rerun's, above); the others
    // go on. Warden overflowing where a peer did not is compared, as a
    // finding. When all overflowed, what follows is not comparable.
    {
      size_t overflowed = 0;
      bool warden_overflowed = false;
      auto overflow = [&](const EngineRun* r) {
        const Outcome& o = outcome(r);
        return o.status == Outcome::Status::Trap && o.trap == kTrapStack;
      };
      for (const EngineRun* r : active) {
        if (!overflow(r)) continue;
        ++overflowed;
        warden_overflowed |= r->engine == "warden";
      }
      if (overflowed && !warden_overflowed && overflowed < active.size()) {
        for (const EngineRun* r : active)
          if (overflow(r)) ++ignored["exhaustion: " + r->engine + "'s call depth limit reached first (it leaves)"];
        std::erase_if(active, overflow);
        if (active.size() < 2) return out;
      } else if (overflowed && !(warden_overflowed && overflowed < active.size())) {
        bool agree = true;
        for (const EngineRun* r : active) agree &= outcomes_agree(outcome(active.front()), outcome(r));
        ++ignored[agree ? "exhaustion: state after a call stack overflow (depth limits differ)"
                        : "exhaustion: a peer's call depth limit reached first"];
        return out;
      }
    }
    const EngineRun* ref = active.front();
    for (const EngineRun* r : active)
      if (r->engine == "warden") ref = r;
    std::vector<const EngineRun*> odd;
    for (const EngineRun* r : active)
      if (!outcomes_agree(outcome(ref), outcome(r))) odd.push_back(r);
    if (odd.empty()) continue;
    Finding f;
    f.reference = ref->engine;
    f.call = step;
    const Outcome& ro = outcome(ref);
    bool all_ok = ro.status == Outcome::Status::Ok;
    for (const EngineRun* r : odd) all_ok &= outcome(r).status == Outcome::Status::Ok;
    f.kind = all_ok ? FindingKind::Result : FindingKind::Trap;
    std::string key = step == 0 ? "instantiate" : "call";
    if (all_ok && step == ncalls && step > 0) {
      // The state call: name the first value that differs.
      const Outcome& oo = outcome(odd.front());
      size_t i = 0;
      while (i < ro.values.size() && i < oo.values.size() && ro.values[i] == oo.values[i]) ++i;
      std::string label = i < state_labels.size() ? state_labels[i] : "value " + std::to_string(i);
      if (label == "nan-violation") {
        std::string ops;
        for (const EngineRun* r : active) {
          const Outcome& x = outcome(r);
          if (!x.values.empty() && x.values[0]) ops += (ops.empty() ? "" : ",") + nan_violation_op(x.values[0]);
        }
        key = "nan " + ops;
      } else {
        key = "state: " + label.substr(0, label.find(' ')) + (label.find("hash") != std::string::npos ? " hash" : "");
      }
      where = "state: " + label;
    }
    std::string shape;
    if (!all_ok) {
      shape = ref->engine + "=" + std::string(to_string(ro.status)) +
              (ro.status == Outcome::Status::Trap ? ":" + trap_names(ro.trap) : "");
      for (const EngineRun* r : odd) {
        const Outcome& o = outcome(r);
        shape += "," + r->engine + "=" + std::string(to_string(o.status)) +
                 (o.status == Outcome::Status::Trap ? ":" + trap_names(o.trap) : "");
      }
    }
    f.where = where;
    for (const EngineRun* r : odd) f.engines.push_back(r->engine);
    for (const EngineRun* r : active) f.outcomes[r->engine] = describe(outcome(r));
    f.signature =
        std::string(to_string(f.kind)) + "|" + key + "|" + join(f.engines) + (shape.empty() ? "" : "|" + shape);
    out.push_back(std::move(f));
    return out;  // the first difference; what follows may only be its echo
  }
  return out;
}

}  // namespace warden::diff
