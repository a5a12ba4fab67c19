#include "observability.hpp"

#include <unistd.h>
#include <algorithm>
#include <filesystem>
#include <numeric>

#include "body_types.hpp"
#include "emit.hpp"
#include "inputs.hpp"
#include "suspects.hpp"
#include "warden/binary.hpp"

namespace warden::diff {
namespace {

struct Site {
  uint32_t func;   // index into Module::funcs (defined functions)
  uint32_t instr;  // index into its body
  ValType type;
  Op op;
};

std::string kind_of(Op op) {
  switch (op) {
    case Op::I32Const:
    case Op::I64Const:
    case Op::F32Const:
    case Op::F64Const:
    case Op::V128Const: return "constant";
    case Op::LocalGet:
    case Op::LocalTee:
    case Op::GlobalGet: return "variable";
    case Op::Call:
    case Op::CallIndirect: return "call";
    default: break;
  }
  switch (info(op).cls) {
    case OpClass::Num:
    case OpClass::Trap: return "numeric";
    case OpClass::Load: return "load";
    default: return "other";
  }
}

std::vector<Site> sites_of(const ast::Module& m) {
  std::vector<Site> out;
  const ModuleTypes mt = module_types(m);
  for (uint32_t fi = 0; fi < m.funcs.size(); ++fi) {
    const ast::Function& f = m.funcs[fi];
    if (f.type >= m.types.size()) continue;
    std::vector<ValType> locals = m.types[f.type].params;
    for (const ast::LocalDecl& d : f.locals) locals.insert(locals.end(), d.count, d.type);
    BodyTyper typer(mt, m.types[f.type], std::move(locals));
    for (uint32_t i = 0; i < f.body.size(); ++i) {
      const ast::Instr& in = f.body[i];
      bool live = typer.live();
      uint32_t pushed = typer.step(in);
      if (!live || pushed == 0 || in.op == Op::End || in.op == Op::Else) continue;
      std::optional<ValType> t = typer.top();
      if (t && !is_ref(*t)) out.push_back({fi, i, *t, in.op});
    }
  }
  return out;
}

// `k` of the indices 0..n-1, in increasing order, chosen by `seed`.
std::vector<size_t> pick(size_t n, size_t k, uint64_t seed) {
  std::vector<size_t> all(n);
  std::iota(all.begin(), all.end(), size_t{0});
  k = std::min(k, n);
  for (size_t i = 0; i < k; ++i) std::swap(all[i], all[i + mix_seed(seed, 7, i) % (n - i)]);
  all.resize(k);
  std::sort(all.begin(), all.end());
  return all;
}

// `m` with `code(site)` inserted after each of `sites` (sorted by function,
// then instruction).
template <class Code>
ast::Module insert_after(const ast::Module& m, const std::vector<Site>& sites, Code code) {
  ast::Module out = m;
  size_t s = 0;
  for (uint32_t fi = 0; fi < m.funcs.size(); ++fi) {
    if (s == sites.size() || sites[s].func != fi) continue;
    ast::Expr body;
    Emit b{body};
    const ast::Expr& src = m.funcs[fi].body;
    for (uint32_t i = 0; i < src.size(); ++i) {
      body.push_back(src[i]);
      for (; s < sites.size() && sites[s].func == fi && sites[s].instr == i; ++s) code(b, sites[s]);
    }
    out.funcs[fi].body = std::move(body);
  }
  return out;
}

void perturb(Emit& b, ValType t) {
  switch (t) {
    case ValType::I32:
      b.i32(1);
      b.op(Op::I32Xor);
      break;
    case ValType::I64:
      b.i64(1);
      b.op(Op::I64Xor);
      break;
    case ValType::F32:
      b.op(Op::I32ReinterpretF32);
      b.i32(1);
      b.op(Op::I32Xor);
      b.op(Op::F32ReinterpretI32);
      break;
    case ValType::F64:
      b.op(Op::I64ReinterpretF64);
      b.i64(1);
      b.op(Op::I64Xor);
      b.op(Op::F64ReinterpretI64);
      break;
    case ValType::V128:
      b.v128(1, 0);
      b.op(Op::V128Xor);
      break;
    default: break;  // references are not sites
  }
}

bool same(const RunResult& a, const RunResult& b) {
  auto eq = [](const Outcome& x, const Outcome& y) {
    return x.status == y.status && x.values == y.values && x.trap == y.trap;
  };
  if (a.load.verdict != b.load.verdict || !eq(a.instantiate, b.instantiate) || a.calls.size() != b.calls.size())
    return false;
  for (size_t i = 0; i < a.calls.size(); ++i)
    if (!eq(a.calls[i], b.calls[i])) return false;
  return true;
}

std::optional<RunResult> run_probe(const ast::Module& m, uint64_t seed, const ProbeConfig& cfg, Engine& warden,
                                   Probe* keep = nullptr) {
  Probe p;
  std::string err;
  if (!make_probe(m, seed, cfg, p, err)) return std::nullopt;
  RunResult r = warden.run_one(RunJob{p.bytes, p.calls});
  if (r.load.verdict != Verdict::Valid) return std::nullopt;
  if (keep) *keep = std::move(p);
  return r;
}

}  // namespace

void Observability::add(const Observability& o) {
  modules += o.modules;
  skipped += o.skipped;
  sites += o.sites;
  marked += o.marked;
  executed += o.executed;
  sampled += o.sampled;
  observed_off += o.observed_off;
  observed_on += o.observed_on;
  for (const auto& [k, v] : o.by_kind)
    for (size_t i = 0; i < v.size(); ++i) by_kind[k][i] += v[i];
  for (const auto& [k, n] : o.unseen_before) unseen_before[k] += n;
}

Observability measure_module(const ast::Module& m, uint64_t seed, const ProbeConfig& cfg, uint32_t sample,
                             Engine& warden) {
  Observability obs;
  std::vector<Site> all = sites_of(m);
  obs.sites = all.size();
  std::vector<Site> marked;
  for (size_t i : pick(all.size(), kMaxMarkedSites, seed)) marked.push_back(all[i]);
  obs.marked = marked.size();

  // 1. Which marked sites run: a counter global each, after the site.
  const uint32_t first = m.imported(ExternKind::Global) + static_cast<uint32_t>(m.globals.size());
  std::map<std::pair<uint32_t, uint32_t>, uint32_t> counter;
  for (const Site& s : marked) counter[{s.func, s.instr}] = first + static_cast<uint32_t>(counter.size());
  ast::Module counted = insert_after(m, marked, [&](Emit& b, const Site& s) {
    uint32_t g = counter.at({s.func, s.instr});
    b.op(Op::GlobalGet, g);
    b.i32(1);
    b.op(Op::I32Add);
    b.op(Op::GlobalSet, g);
  });
  counted.globals.insert(counted.globals.end(), marked.size(), zero_global(ValType::I32));
  ProbeConfig off = cfg, on = cfg;
  off.fold = false;
  on.fold = true;
  Probe p;
  std::optional<RunResult> r = run_probe(counted, seed, off, warden, &p);
  if (!r || r->calls.empty() || r->calls.back().status != Outcome::Status::Ok) {
    ++obs.skipped;
    return obs;
  }
  std::map<uint32_t, std::vector<uint64_t>> globals = globals_of(p.state_labels, r->calls.back().values);
  std::vector<Site> executed;
  for (const Site& s : marked) {
    auto g = globals.find(counter.at({s.func, s.instr}));
    if (g != globals.end() && !g->second.empty() && g->second[0] != 0) executed.push_back(s);
  }
  obs.executed = executed.size();
  std::optional<RunResult> base_off = run_probe(m, seed, off, warden), base_on = run_probe(m, seed, on, warden);
  if (executed.empty() || !base_off || !base_on) {
    ++obs.skipped;
    return obs;
  }
  ++obs.modules;

  // 2, 3. One perturbed copy per sampled site, probed without and with folding.
  for (size_t i : pick(executed.size(), sample, seed ^ 0x0B5E)) {
    const Site& s = executed[i];
    ast::Module changed = insert_after(m, {s}, [](Emit& b, const Site& x) { perturb(b, x.type); });
    std::optional<RunResult> a = run_probe(changed, seed, off, warden), b = run_probe(changed, seed, on, warden);
    if (!a || !b) continue;
    bool seen_off = !same(*a, *base_off), seen_on = !same(*b, *base_on);
    ++obs.sampled;
    obs.observed_off += seen_off;
    obs.observed_on += seen_on;
    std::array<uint64_t, 3>& k = obs.by_kind[kind_of(s.op)];
    ++k[0];
    k[1] += seen_off;
    k[2] += seen_on;
    const ast::Expr& body = m.funcs[s.func].body;
    if (!seen_on && s.instr + 1 < body.size()) ++obs.unseen_before[std::string(name(body[s.instr + 1].op))];
  }
  return obs;
}

bool measure_observability(const ObservabilityOptions& o, Observability& total, FILE* out) {
  std::unique_ptr<Engine> warden = make_engine("warden", EngineSetup{});
  namespace fs = std::filesystem;
  std::string work = o.work_dir.empty() ? (fs::temp_directory_path() / ("warden-observe-" + std::to_string(getpid())))
                                        : fs::path(o.work_dir);
  uint64_t failed = 0;
  for (uint32_t i = 0; i < o.modules; ++i) {
    uint64_t seed = mix_seed(o.seed, 11, i);
    ast::Module m;
    if (o.generator == "ttf") {
      std::vector<uint8_t> bytes;
      std::string err;
      if (!ttf_module(o.tool_dir, work, seed, bytes, err)) {
        std::fprintf(out, "observability: %s\n", err.c_str());
        if (o.work_dir.empty()) fs::remove_all(work);
        return false;
      }
      Result<ast::Module> d = decode(bytes, Limits{});
      if (!d || !load_syntax(*d)) {
        ++failed;
        continue;
      }
      m = std::move(*d);
    } else if (o.generator == "own") {
      m = own_module(seed);
    } else {
      std::fprintf(out, "observability: unknown generator '%s' (own or ttf)\n", o.generator.c_str());
      return false;
    }
    total.add(measure_module(m, seed, o.probe, o.sample, *warden));
  }
  if (o.generator == "ttf" && o.work_dir.empty()) {
    std::error_code ec;
    fs::remove_all(work, ec);
  }
  total.skipped += failed;
  auto pct = [](uint64_t a, uint64_t b) { return b ? 100.0 * static_cast<double>(a) / static_cast<double>(b) : 0.0; };
  std::fprintf(out, "observability: %s modules, seed %llu, %u sites a module\n", o.generator.c_str(),
               static_cast<unsigned long long>(o.seed), o.sample);
  std::fprintf(out, "modules measured %llu, skipped %llu\n", static_cast<unsigned long long>(total.modules),
               static_cast<unsigned long long>(total.skipped));
  std::fprintf(out, "sites in live code %llu, marked %llu, executed %llu, perturbed %llu\n",
               static_cast<unsigned long long>(total.sites), static_cast<unsigned long long>(total.marked),
               static_cast<unsigned long long>(total.executed), static_cast<unsigned long long>(total.sampled));
  std::fprintf(out, "%-10s %8s %16s %16s\n", "kind", "sites", "folding off", "folding on");
  auto row = [&](const std::string& k, const std::array<uint64_t, 3>& v) {
    std::fprintf(out, "%-10s %8llu %8llu %6.1f%% %8llu %6.1f%%\n", k.c_str(), static_cast<unsigned long long>(v[0]),
                 static_cast<unsigned long long>(v[1]), pct(v[1], v[0]), static_cast<unsigned long long>(v[2]),
                 pct(v[2], v[0]));
  };
  for (const auto& [k, v] : total.by_kind) row(k, v);
  row("all", {total.sampled, total.observed_off, total.observed_on});
  std::vector<std::pair<uint64_t, std::string>> unseen;
  for (const auto& [k, n] : total.unseen_before) unseen.push_back({n, k});
  std::sort(unseen.rbegin(), unseen.rend());
  std::fprintf(out, "not observed with folding, by the next instruction:");
  for (size_t i = 0; i < unseen.size() && i < 12; ++i)
    std::fprintf(out, " %s %llu;", unseen[i].second.c_str(), static_cast<unsigned long long>(unseen[i].first));
  std::fprintf(out, "\n");
  return true;
}

}  // namespace warden::diff
