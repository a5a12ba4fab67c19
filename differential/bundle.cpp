#include "bundle.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "warden/spectest.hpp"
#include "warden/text.hpp"

namespace warden::diff {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string wast_bytes(const std::vector<uint8_t>& b) {
  static const char* hex = "0123456789abcdef";
  std::string s = "\"";
  for (size_t i = 0; i < b.size(); ++i) {
    if (i && i % 32 == 0) s += "\"\n    \"";
    s += '\\';
    s += hex[b[i] >> 4];
    s += hex[b[i] & 15];
  }
  return s + "\"";
}

std::string module_form(const std::vector<uint8_t>& b) { return "(module binary\n    " + wast_bytes(b) + ")"; }

// A module the script should find valid. A script can only say so by
// instantiating it, so the command is the one instantiating it in Warden
// gives: a plain module, assert_unlinkable (an import the spectest host
// lacks: still proof the module validated), or assert_trap (a start
// function or segment trapped).
std::string valid_module_form(const std::vector<uint8_t>& bytes) {
  Result<std::shared_ptr<const Module>> m = Module::load(bytes);
  if (!m) return module_form(bytes) + "\n";
  Store store;
  Linker linker;
  define_spectest(store, linker);
  Result<std::vector<Extern>> imports = linker.resolve(**m);
  if (!imports)
    return "(assert_unlinkable\n  " + module_form(bytes) + "\n  " + wat_string(imports.error().message) + ")\n";
  Result<Instance*> inst = store.instantiate(*m, *imports);
  if (inst) return module_form(bytes) + "\n";
  const char* head = inst.error().kind == ErrorKind::Unlinkable ? "assert_unlinkable" : "assert_trap";
  return std::string("(") + head + "\n  " + module_form(bytes) + "\n  " + wat_string(inst.error().message) + ")\n";
}

// The spec testsuite's wording for a trap kind (spec 4.4 via the reference
// interpreter), the lowest kind in the set.
std::string trap_text(uint32_t kinds) {
  static const std::pair<uint32_t, const char*> texts[] = {
      {kTrapUnreachable, "unreachable"},
      {kTrapDivZero, "integer divide by zero"},
      {kTrapIntOverflow, "integer overflow"},
      {kTrapConversion, "invalid conversion to integer"},
      {kTrapMemory, "out of bounds memory access"},
      {kTrapTable, "out of bounds table access"},
      {kTrapUndefinedElement, "undefined element"},
      {kTrapUninitialized, "uninitialized element"},
      {kTrapIndirectType, "indirect call type mismatch"},
      {kTrapStack, "call stack exhausted"},
  };
  for (const auto& [bit, text] : texts)
    if (kinds & bit) return text;
  return "trap";
}

// The outcome most engines share; a tie goes to the group without Warden
// (the peers outvote the engine under test only when they agree). Warden
// rerun at a peer's depth does not vote: the script runs at Warden's own.
const Outcome* majority(const std::vector<EngineRun>& runs, size_t step, uint32_t* kinds) {
  std::vector<std::vector<size_t>> groups;
  auto at = [&](size_t r) -> const Outcome& {
    return step == 0 ? runs[r].run.instantiate : runs[r].run.calls[step - 1];
  };
  for (size_t r = 0; r < runs.size(); ++r) {
    if (runs[r].run.load.verdict != Verdict::Valid || !depth_matched_peer(runs[r].engine).empty()) continue;
    if (step > runs[r].run.calls.size()) continue;
    Outcome::Status s = at(r).status;
    if (s == Outcome::Status::Unsupported || s == Outcome::Status::NotRun || s == Outcome::Status::Exhausted) continue;
    bool placed = false;
    for (auto& g : groups) {
      if (outcomes_agree(at(g[0]), at(r))) {
        g.push_back(r);
        placed = true;
        break;
      }
    }
    if (!placed) groups.push_back({r});
  }
  const std::vector<size_t>* best = nullptr;
  auto has_warden = [&](const std::vector<size_t>& g) {
    for (size_t r : g)
      if (runs[r].engine == "warden") return true;
    return false;
  };
  for (const auto& g : groups) {
    if (!best || g.size() > best->size() || (g.size() == best->size() && has_warden(*best) && !has_warden(g)))
      best = &g;
  }
  if (!best) return nullptr;
  uint32_t k = ~0u;
  for (size_t r : *best) k &= at(r).trap;
  if (kinds) *kinds = k;
  return &at((*best)[0]);
}

std::string value_text(ValType t, uint64_t v) {
  if (t == ValType::I32) return "(i32.const " + std::to_string(static_cast<int32_t>(static_cast<uint32_t>(v))) + ")";
  return "(i64.const " + std::to_string(static_cast<int64_t>(v)) + ")";
}

}  // namespace

std::string regression_wast(const Bundle& b) {
  std::string s = ";; warden diff regression: " + b.finding.signature + "\n";
  if (!b.rule.empty()) s += ";; explained by peer rule " + b.rule + " (Warden behaves as below)\n";
  if (b.probe.empty() && !b.loads.empty()) {
    const EngineLoad* warden = nullptr;
    for (const EngineLoad& l : b.loads)
      if (l.engine == "warden") warden = &l;
    Verdict expect = Verdict::Rejected;
    std::string msg;
    if (!b.rule.empty() && warden) {
      // A catalogued peer bug: the spec's answer is Warden's.
      expect = warden->load.verdict;
      msg = warden->load.message;
    } else {
      // Otherwise most engines' answer, made three-way by the engines that
      // separate malformed from invalid; a tie goes to the peers.
      size_t valid = 0, rejected = 0, malformed = 0, invalid = 0;
      for (const EngineLoad& l : b.loads) {
        if (l.load.verdict == Verdict::Valid)
          ++valid;
        else if (verdicts_agree(l.load.verdict, Verdict::Rejected))
          ++rejected;
        if (l.engine == "warden") continue;
        malformed += l.load.verdict == Verdict::Malformed;
        invalid += l.load.verdict == Verdict::Invalid;
      }
      bool warden_valid = warden && warden->load.verdict == Verdict::Valid;
      if (valid > rejected || (valid == rejected && !warden_valid))
        expect = Verdict::Valid;
      else
        expect = malformed >= invalid && malformed ? Verdict::Malformed
                 : invalid                         ? Verdict::Invalid
                 : warden                          ? warden->load.verdict
                                                   : Verdict::Invalid;
      for (const EngineLoad& l : b.loads)
        if (l.load.verdict == expect && (msg.empty() || l.engine == "warden")) msg = l.load.message;
    }
    if (expect == Verdict::Valid) return s + valid_module_form(b.module);
    if (expect != Verdict::Malformed && expect != Verdict::Invalid)
      return s + ";; no script form for the verdict " + std::string(to_string(expect)) + "\n";
    std::string head = expect == Verdict::Malformed ? "assert_malformed" : "assert_invalid";
    return s + "(" + head + "\n  " + module_form(b.module) + "\n  " + wat_string(msg) + ")\n";
  }
  if (b.runs.empty()) return s + module_form(b.probe) + "\n";
  // A catalogued peer bug: the spec's answer is Warden's, as for loads
  // (most engines may share the peer's limit: V8 and Binaryen overflowing
  // where Warden's recursion ends in its fuel check). Otherwise most
  // engines' answer.
  const EngineRun* warden = nullptr;
  for (const EngineRun& r : b.runs)
    if (r.engine == "warden" && r.run.load.verdict == Verdict::Valid) warden = &r;
  auto expected = [&](size_t step, uint32_t* kinds) -> const Outcome* {
    if (b.rule.empty() || !warden) return majority(b.runs, step, kinds);
    if (step > warden->run.calls.size()) return nullptr;
    const Outcome& o = step == 0 ? warden->run.instantiate : warden->run.calls[step - 1];
    if (o.status != Outcome::Status::Ok && o.status != Outcome::Status::Trap) return nullptr;
    *kinds = o.trap;
    return &o;
  };
  uint32_t kinds = 0;
  const Outcome* inst = expected(0, &kinds);
  if (inst && inst->status == Outcome::Status::Trap) {
    return s + "(assert_trap\n  " + module_form(b.probe) + "\n  \"" + trap_text(kinds) + "\")\n";
  }
  s += module_form(b.probe) + "\n";
  size_t last = std::min(b.finding.call, b.call_names.size());
  for (size_t step = 1; step <= last; ++step) {
    const Outcome* o = expected(step, &kinds);
    if (!o) continue;
    const std::string& name = b.call_names[step - 1];
    const std::vector<ValType>& types = b.call_results[step - 1];
    if (o->status == Outcome::Status::Ok && o->values.size() == types.size()) {
      s += "(assert_return (invoke \"" + name + "\")";
      for (size_t i = 0; i < types.size(); ++i) s += " " + value_text(types[i], o->values[i]);
      s += ")\n";
    } else if (o->status == Outcome::Status::Trap && kinds == kTrapStack) {
      s += "(assert_exhaustion (invoke \"" + name + "\") \"call stack exhausted\")\n";
    } else if (o->status == Outcome::Status::Trap) {
      s += "(assert_trap (invoke \"" + name + "\") \"" + trap_text(kinds) + "\")\n";
    }
  }
  return s;
}

bool write_bundle(const Bundle& b, std::string& error) {
  std::error_code ec;
  fs::create_directories(b.dir, ec);
  if (ec) return error = "cannot create " + b.dir + ": " + ec.message(), false;
  auto write = [&](const char* name, const std::string& data) {
    std::ofstream f(fs::path(b.dir) / name, std::ios::binary);
    f << data;
    return static_cast<bool>(f);
  };
  auto bytes = [](const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); };
  auto wat = [](const std::vector<uint8_t>& v) {
    Result<std::string> t = wasm_to_wat(v);
    return t ? *t : ";; not printable as text: " + t.error().message + "\n";
  };
  bool ok = write("min.wasm", bytes(b.module)) && write("min.wat", wat(b.module));
  if (!b.probe.empty()) ok = ok && write("probe.wasm", bytes(b.probe)) && write("probe.wat", wat(b.probe));
  ok = ok && write("regression.wast", regression_wast(b));

  json r;
  r["signature"] = b.finding.signature;
  r["kind"] = std::string(to_string(b.finding.kind));
  r["where"] = b.finding.where;
  r["engines"] = b.finding.engines;
  r["reference"] = b.finding.reference;
  r["explained_by"] = b.rule.empty() ? json(nullptr) : json(b.rule);
  r["generator"] = b.generator;
  r["campaign_seed"] = b.campaign_seed;
  r["module_index"] = b.index;
  r["module_seed"] = b.module_seed;
  r["versions"] = b.versions;
  r["limits"] = json::parse(b.limits, nullptr, false);
  r["opcodes"] = b.opcodes;
  r["suspects"] = b.suspects;
  r["original_bytes"] = b.original_size;
  r["minimized_bytes"] = b.module.size();
  r["reduce_checks"] = b.reduce_checks;
  json per = json::object();
  for (const auto& [engine, what] : b.finding.outcomes) per[engine] = what;
  r["outcomes"] = per;
  if (!b.runs.empty()) {
    json calls = json::object();
    for (const EngineRun& er : b.runs) {
      json e = json::array();
      e.push_back("load " + std::string(to_string(er.run.load.verdict)) +
                  (er.run.load.message.empty() ? "" : " (" + er.run.load.message + ")"));
      e.push_back("instantiate " + describe(er.run.instantiate));
      for (size_t i = 0; i < er.run.calls.size(); ++i)
        e.push_back((i < b.call_names.size() ? b.call_names[i] : "?") + " " + describe(er.run.calls[i]));
      calls[er.engine] = e;
    }
    r["runs"] = calls;
  }
  if (!b.loads.empty()) {
    json loads = json::object();
    for (const EngineLoad& l : b.loads)
      loads[l.engine] =
          std::string(to_string(l.load.verdict)) + (l.load.message.empty() ? "" : " (" + l.load.message + ")");
    r["loads"] = loads;
  }
  ok = ok && write("repro.json", r.dump(2) + "\n");
  if (!ok) error = "cannot write into " + b.dir;
  return ok;
}

}  // namespace warden::diff
