#include "campaign.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdarg>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "bundle.hpp"
#include "compare.hpp"
#include "cycle.hpp"
#include "inputs.hpp"
#include "peer_rules.hpp"
#include "process.hpp"
#include "reduce.hpp"
#include "scan.hpp"
#include "suspects.hpp"
#include "warden/binary.hpp"
#include "warden/text.hpp"
#include "wasi_diff.hpp"

#ifndef WARDEN_DIFF_HARNESS
#define WARDEN_DIFF_HARNESS "differential/v8_harness.js"
#endif
#ifndef WARDEN_DIFF_WASI_HARNESS
#define WARDEN_DIFF_WASI_HARNESS "differential/wasi_harness.js"
#endif
#ifndef WARDEN_DIFF_TESTSUITE
#define WARDEN_DIFF_TESTSUITE ""
#endif

namespace warden::diff {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// printf into a string, any length.
__attribute__((format(printf, 2, 3))) void appendf(std::string& s, const char* fmt, ...) {
  va_list ap, again;
  va_start(ap, fmt);
  va_copy(again, ap);
  int n = std::vsnprintf(nullptr, 0, fmt, ap);
  va_end(ap);
  if (n > 0) {
    std::string buf(static_cast<size_t>(n) + 1, '\0');
    std::vsnprintf(buf.data(), buf.size(), fmt, again);
    buf.resize(static_cast<size_t>(n));
    s += buf;
  }
  va_end(again);
}

// The syntax tree that rules and signatures read. Warden's implementation
// limits (which may be why it set the module aside) do not apply to that.
std::optional<ast::Module> structure_of(std::span<const uint8_t> bytes) {
  Limits limits;
  limits.max_locals = ~0u;
  limits.max_functions = ~0u;
  Result<ast::Module> d = decode(bytes, limits);
  if (!d) return std::nullopt;
  return std::move(*d);
}

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

uint64_t fnv(std::string_view s) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (char c : s) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001B3ull;
  return h;
}

struct Bucket {
  std::string id, signature, rule, generator, where;
  FindingKind kind = FindingKind::Result;
  std::vector<std::string> engines;
  uint64_t count = 0, index = 0;
  size_t original_size = 0, min_size = 0;
  std::vector<std::string> opcodes, suspects;
};

struct Health {
  uint64_t generated = 0, own = 0, ttf = 0, ttf_failed = 0, probe_failed = 0;
  uint64_t probes = 0, instantiated = 0, calls = 0, returned = 0, trapped = 0;
  uint64_t mutants = 0, mut_valid = 0, mut_malformed = 0, mut_invalid = 0, mut_other = 0;
  uint64_t wasi_programs = 0, wasi_calls = 0, wasi_agreed = 0, wasi_exits = 0;
  uint64_t findings = 0, explained = 0;
  std::map<std::string, double> seconds;    // per engine
  std::map<std::string, uint64_t> modules;  // per engine
  Ignored ignored;
  double reduce_seconds = 0;
  // Where a cycle's wall time goes (run_cycle_of): waiting for its inputs,
  // the engines at work, comparing and explaining (minimization included).
  double wait_seconds = 0, engine_seconds = 0, judge_seconds = 0;
};

// Where a finding came from, for rules, minimization and the bundle.
struct Source {
  std::string generator;
  uint64_t index = 0, seed = 0;
  const ast::Module* module = nullptr;  // run findings: before probing
  std::span<const uint8_t> bytes;       // what the engines saw
  std::span<const EngineLoad> loads;
  std::span<const EngineRun> runs;
};

class Campaign {
 public:
  Campaign(const CampaignOptions& o, std::FILE* out) : o_(o), out_(out) {}

  int run() {
    if (!setup()) return -1;
    start_ = Clock::now();
    if (!o_.wasi_replay.empty()) {
      if (!wasi_) {
        std::fprintf(out_, "warden diff: --wasi-replay needs the warden and v8 engines and node:wasi\n");
        return -1;
      }
      wasi_replay();
      elapsed_ = since(start_);
      return summary();
    }
    if (!o_.replay.empty()) {
      replay();
      elapsed_ = since(start_);
      return summary();
    }
    uint64_t cycle = 0;
    // Cycle k+1's inputs are made while cycle k runs; when the time is up
    // they are dropped unrun.
    std::future<CycleInput> next;
    while (true) {
      if (o_.max_cycles ? cycle >= o_.max_cycles : since(start_) >= o_.seconds) break;
      auto t = Clock::now();
      CycleInput in = next.valid() ? next.get() : prepare(cycle);
      health_.wait_seconds += since(t);
      if (!o_.max_cycles || cycle + 1 < o_.max_cycles)
        next = std::async(std::launch::async, [this, c = cycle + 1] { return prepare(c); });
      run_cycle_of(in);
      ++cycle;
      if (o_.verbose || cycle % 10 == 0) progress(cycle);
    }
    if (next.valid()) next.wait();
    cycles_ = cycle;
    elapsed_ = since(start_);
    return summary();
  }

 private:
  // ------------------------------------------------------------- setup --
  bool setup() {
    // Scratch files (hundreds a second) on tmpfs when there is one.
    std::string scratch = fs::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    work_ = o_.work_dir.empty() ? scratch + "/warden-diff-" + std::to_string(getpid()) : o_.work_dir;
    std::error_code ec;
    fs::create_directories(work_, ec);
    EngineSetup& setup = setup_;
    setup.limits = o_.limits;
    setup.tool_dir = o_.tool_dir;
    setup.work_dir = work_;
    setup.node = o_.node;
    setup.harness = o_.harness.empty() ? WARDEN_DIFF_HARNESS : o_.harness;
    setup.protocol = o_.protocol;
    setup.tool_server = o_.tool_server;
    setup.sanitized = o_.sanitized;
    for (const std::string& name : o_.engines) {
      std::unique_ptr<Engine> e = make_engine(name, setup);
      if (!e) {
        std::string known;
        for (std::string_view b : builtin_engines()) known += (known.empty() ? "" : ", ") + std::string(b);
        std::fprintf(out_, "warden diff: unknown engine '%s' (%s, or NAME=COMMAND with --engine)\n", name.c_str(),
                     known.c_str());
        return false;
      }
      std::string why;
      if (!e->available(why)) {
        // Reported and skipped, never faked.
        std::fprintf(out_, "engine %s: unavailable (%s), skipped\n", name.c_str(), why.c_str());
        missing_.push_back(name + " (" + why + ")");
        continue;
      }
      versions_[name] = e->version();
      std::fprintf(out_, "engine %s: %s\n", name.c_str(), e->version().c_str());
      engines_.push_back(std::move(e));
    }
    if (engines_.size() < 2) {
      std::fprintf(out_, "warden diff: fewer than two engines available; nothing to compare\n");
      return false;
    }
    // A second instance of the peers (with scratch files of their own):
    // each takes half of its engine's share of a cycle (cycle.hpp), so that
    // no peer is alone on the critical path.
    seconds_.resize(engines_.size());
    for (size_t e = 0; e < engines_.size(); ++e) {
      std::string name(engines_[e]->name());
      if (name != "binaryen" && name != "v8" && name != "wabt") continue;
      EngineSetup second = setup;
      second.work_dir = work_ + "/b1";
      seconds_[e] = make_engine(name, second);
      std::string why;
      if (!seconds_[e]->available(why)) seconds_[e].reset();
    }
    for (const std::string& g : o_.generators) {
      if (g == "ttf" && !ttf_server_) {
        // wasm-opt -ttf, kept loaded (its scratch files are ttf_module's).
        fs::create_directories(work_ + "/ttf", ec);
        ttf_server_ = std::make_unique<ToolServer>((fs::path(o_.tool_dir) / "wasm-opt").string(),
                                                   tool_server_library(o_.tool_server), work_ + "/ttf");
      }
      if (g == "own" || g == "ttf")
        exec_gens_.push_back(g);
      else if (g == "mutate")
        mutate_ = true;
      else if (g == "wasi")
        wasi_ = true;
      else {
        std::fprintf(out_, "warden diff: unknown generator '%s' (own, ttf, mutate, wasi)\n", g.c_str());
        return false;
      }
    }
    // The WASI differential needs Warden and node (the v8 engine's node).
    if (wasi_ && (!engine("warden") || !engine("v8"))) {
      missing_.push_back("wasi (needs the warden and v8 engines)");
      wasi_ = false;
    }
    if (wasi_) {
      wasi_runners_ = std::make_unique<WasiRunners>(
          work_ + "/wasi", o_.node, o_.wasi_harness.empty() ? WARDEN_DIFF_WASI_HARNESS : o_.wasi_harness,
          std::min<uint32_t>(o_.limits.timeout_ms, 2000), 0);  // V8 reserves guard regions far past any cap
      std::string why;
      if (!wasi_runners_->available(why)) {
        std::fprintf(out_, "wasi: unavailable (%s), skipped\n", why.c_str());
        missing_.push_back("wasi (" + why + ")");
        wasi_runners_.reset();
        wasi_ = false;
      } else {
        versions_["node:wasi"] = wasi_runners_->node_version();
        std::fprintf(out_, "wasi: %s\n", versions_["node:wasi"].c_str());
        // A second node:wasi (and tree) takes every other program of a cycle.
        wasi_runners2_ = std::make_unique<WasiRunners>(
            work_ + "/wasi2", o_.node, o_.wasi_harness.empty() ? WARDEN_DIFF_WASI_HARNESS : o_.wasi_harness,
            std::min<uint32_t>(o_.limits.timeout_ms, 2000), 0);
        if (!wasi_runners2_->available(why)) wasi_runners2_.reset();
      }
    }
    if (mutate_) {
      std::string dir = o_.testsuite.empty() ? WARDEN_DIFF_TESTSUITE : o_.testsuite;
      pool_ = testsuite_modules(dir);
      testsuite_count_ = pool_.size();
      std::fprintf(out_, "mutation seeds: %zu testsuite modules from %s\n", pool_.size(), dir.c_str());
      if (pool_.empty()) {  // still mutate generated modules
        for (uint64_t i = 0; i < 64; ++i) pool_.push_back(encode(own_module(mix_seed(o_.seed, 3, i))));
      }
    }
    fs::create_directories(o_.findings_dir, ec);
    char lim[256];
    std::snprintf(lim, sizeof lim,
                  R"({"call_depth":%u,"timeout_ms":%u,"peer_memory_bytes":%)" PRIu64
                  R"(,"probe_fuel":%u,"probe_rounds":%u,"nan_check":%s,"fold":%s,"hash_pages":%u})",
                  o_.limits.call_depth, o_.limits.timeout_ms, o_.limits.memory_bytes, o_.probe.fuel, o_.probe.rounds,
                  o_.probe.nan_check ? "true" : "false", o_.probe.fold ? "true" : "false", o_.probe.max_hash_pages);
    limits_json_ = lim;
    std::fprintf(out_, "seed %" PRIu64 ", limits %s\n", o_.seed, lim);
    return true;
  }

  Engine* engine(std::string_view name) {
    for (auto& e : engines_)
      if (e->name() == name) return e.get();
    return nullptr;
  }

  std::vector<LoadResult> validate_one(Engine& e, std::span<const uint8_t> bytes) {
    std::span<const uint8_t> one[] = {bytes};
    return e.validate(one);
  }

  // ------------------------------------------------- generated modules --
  struct Item {
    std::string gen;
    uint64_t index = 0, seed = 0;
    ast::Module module;
    Probe probe;
  };

  // A generated module Warden does not load (validation_of_raw), and a WASI
  // program of the cycle.
  struct Raw {
    Item item;
    std::vector<uint8_t> bytes;
  };
  struct WasiInput {
    uint64_t index = 0, seed = 0;
    std::vector<fuzz::WasiCall> calls;
  };
  // Everything a cycle feeds the engines, made from the seed alone
  // (prepare), with the counters of its making, merged when the cycle is
  // judged: a cycle prepared ahead and then not run (time is up) leaves no
  // trace.
  struct CycleInput {
    uint64_t cycle = 0;
    std::vector<Item> items;
    std::vector<Raw> raws;
    std::vector<WasiInput> wasi;
    std::vector<std::vector<uint8_t>> mutants;
    std::vector<uint64_t> mutant_seeds;
    std::vector<std::span<const uint8_t>> mutant_spans, sampled;
    std::vector<size_t> sampled_at;
    uint64_t own = 0, ttf = 0, ttf_failed = 0, generated = 0, probe_failed = 0;
    std::string ttf_error;  // the first failure's words
  };

  // The cycle's inputs: generated modules and their probes, WASI programs,
  // mutants. Runs on a thread of its own while the cycle before runs
  // (pipelining), so it touches no campaign state but the mutation pool,
  // which nothing else reads; the pool gets this cycle's modules before its
  // mutants are drawn, as when cycles ran one after another.
  CycleInput prepare(uint64_t cycle) {
    CycleInput in;
    in.cycle = cycle;
    for (uint32_t k = 0; k < o_.batch && !exec_gens_.empty(); ++k) {
      Item it;
      it.index = cycle * o_.batch + k;
      it.gen = exec_gens_[it.index % exec_gens_.size()];
      it.seed = mix_seed(o_.seed, 1, it.index);
      std::vector<uint8_t> raw;
      if (it.gen == "own") {
        it.module = own_module(it.seed);
        raw = encode(it.module);
        ++in.own;
      } else {
        std::string err;
        if (!ttf_module(o_.tool_dir, work_, it.seed, raw, err, ttf_server_.get())) {
          if (++in.ttf_failed == 1) in.ttf_error = err;
          continue;
        }
        ++in.ttf;
        Limits limits;
        Result<ast::Module> d = decode(raw, limits);
        Result<std::shared_ptr<const Module>> m = Module::load(raw, limits);
        if (!d || !m) {
          in.raws.push_back({std::move(it), std::move(raw)});
          continue;
        }
        it.module = std::move(*d);
      }
      ++in.generated;
      if (pool_.size() < testsuite_count_ + 4096)
        pool_.push_back(raw);
      else
        pool_[testsuite_count_ + it.index % 4096] = raw;
      std::string err;
      if (!make_probe(it.module, it.seed ^ 0x5EED, o_.probe, it.probe, err) || !Module::load(it.probe.bytes)) {
        // The probe transform's own failure: never a finding about an engine.
        ++in.probe_failed;
        continue;
      }
      in.items.push_back(std::move(it));
    }
    for (uint32_t k = 0; k < o_.wasi_batch && wasi_; ++k) {
      uint64_t index = cycle * o_.wasi_batch + k, seed = mix_seed(o_.seed, 4, index);
      // 8 to 263 bytes: programs of a few calls to kWasiMaxCalls.
      std::vector<uint8_t> input = seed_bytes(seed, 8 + (seed >> 56));
      std::vector<fuzz::WasiCall> calls = fuzz::wasi_calls(input);
      // Calls that take node down for seconds by a catalogued bug would end
      // half the programs: left out (wasi_diff.hpp, node_can_take).
      std::erase_if(calls, [](const fuzz::WasiCall& call) { return !node_can_take(call); });
      if (!calls.empty()) in.wasi.push_back({index, seed, std::move(calls)});
    }
    for (uint32_t k = 0; k < o_.mutate_batch && mutate_; ++k) {
      uint64_t index = cycle * o_.mutate_batch + k, s = mix_seed(o_.seed, 2, index);
      const std::vector<uint8_t>& base = pool_[s % pool_.size()];
      in.mutants.push_back(mutate(base, s >> 1));
      in.mutant_seeds.push_back(s);
    }
    in.mutant_spans.assign(in.mutants.begin(), in.mutants.end());
    uint64_t first = cycle * o_.mutate_batch;
    for (size_t k = 0; k < in.mutant_spans.size(); ++k) {
      if (o_.binaryen_validate_one_in && (first + k) % o_.binaryen_validate_one_in == 0) {
        in.sampled.push_back(in.mutant_spans[k]);
        in.sampled_at.push_back(k);
      }
    }
    return in;
  }

  // One cycle: every engine at once on its inputs (cycle.hpp), then the
  // comparisons in the order the cycle's parts had when they ran one after
  // another: generated modules, WASI programs, mutants.
  void run_cycle_of(CycleInput& in) {
    health_.own += in.own;
    health_.ttf += in.ttf;
    if (!health_.ttf_failed && in.ttf_failed) std::fprintf(out_, "ttf: %s\n", in.ttf_error.c_str());
    health_.ttf_failed += in.ttf_failed;
    health_.generated += in.generated;
    health_.probe_failed += in.probe_failed;
    if (in.probe_failed) health_.ignored["internal: probe not valid"] += in.probe_failed;
    std::vector<RunJob> jobs;
    for (const Item& it : in.items) jobs.push_back(RunJob{it.probe.bytes, it.probe.calls});
    std::vector<Engine*> engines, seconds;
    for (auto& e : engines_) engines.push_back(e.get());
    for (auto& e : seconds_) seconds.push_back(e.get());
    std::vector<WasiCompare> wasi(in.wasi.size());
    // Program k on the second runners when k is odd and there are two.
    auto wasi_work = [&] {
      WasiRunners* second = wasi_runners2_.get();
      auto odd = std::async(std::launch::async, [&] {
        for (size_t k = 1; second && k < in.wasi.size(); k += 2) wasi[k] = wasi_compare(in.wasi[k].calls, second);
      });
      for (size_t k = 0; k < in.wasi.size(); k += second ? 2 : 1) wasi[k] = wasi_compare(in.wasi[k].calls);
      odd.get();
    };
    auto t = Clock::now();
    CycleAnswers a = run_cycle(engines, seconds, {jobs, in.mutant_spans, in.sampled, true},
                               in.wasi.empty() ? std::function<void()>() : wasi_work);
    health_.engine_seconds += since(t);
    t = Clock::now();
    for (size_t e = 0; e < engines_.size(); ++e) {
      std::string n(engines_[e]->name());
      if (!a.runs[e].empty()) {
        health_.seconds[n] += a.run_seconds[e];
        health_.modules[n] += jobs.size();
      }
      if (!in.mutants.empty()) {
        health_.seconds[n + " (validate)"] += a.validate_seconds[e];
        health_.modules[n + " (validate)"] += a.loads[e].size();
      }
    }
    // A generated module Warden does not load: asked of everyone.
    for (const Raw& r : in.raws) validation_of_raw(r.item, r.bytes);
    judge_runs(in.items, a);
    for (size_t k = 0; k < in.wasi.size(); ++k) judge_wasi(in.wasi[k], wasi[k]);
    if (!in.mutants.empty()) judge_mutants(in, a);
    health_.judge_seconds += since(t);
  }

  void judge_runs(std::vector<Item>& items, const CycleAnswers& a) {
    for (size_t i = 0; i < items.size(); ++i) {
      std::vector<EngineRun> runs;
      for (size_t e = 0; e < engines_.size(); ++e)
        if (i < a.runs[e].size()) runs.push_back({std::string(engines_[e]->name()), a.runs[e][i]});
      account(runs);
      add_depth_matched(runs, items[i].probe);
      Source src{items[i].gen, items[i].index, items[i].seed, &items[i].module, items[i].probe.bytes, {}, runs};
      for (const Finding& f : compare_runs(runs, items[i].probe.targets, items[i].probe.state_labels, health_.ignored))
        handle(f, src, &items[i].probe);
      // Warden again: the same module must behave the same way twice.
      if (i < a.warden_again.size()) nondeterminism(runs, a.warden_again[i], src, items[i].probe);
    }
  }

  void account(const std::vector<EngineRun>& runs) {
    for (const EngineRun& r : runs) {
      if (r.engine != "warden") continue;
      ++health_.probes;
      if (r.run.instantiate.status != Outcome::Status::Ok) continue;
      ++health_.instantiated;
      for (const Outcome& o : r.run.calls) {
        ++health_.calls;
        health_.returned += o.status == Outcome::Status::Ok;
        health_.trapped += o.status == Outcome::Status::Trap;
      }
    }
  }

  void nondeterminism(const std::vector<EngineRun>& runs, const RunResult& again, const Source& src,
                      const Probe& probe) {
    for (const EngineRun& r : runs) {
      if (r.engine != "warden") continue;
      auto text = [](const RunResult& x) {
        std::string s = describe(x.instantiate);
        for (const Outcome& o : x.calls) s += "\n" + describe(o);
        return s;
      };
      std::string a = text(r.run), b = text(again);
      if (a == b) return;
      Finding f;
      f.kind = FindingKind::Nondeterminism;
      f.where = "second run";
      f.engines = {"warden"};
      f.outcomes["warden (first run)"] = a;
      f.outcomes["warden (second run)"] = b;
      f.signature = "nondeterminism|run|warden";
      handle(f, src, &probe);
    }
  }

  // A generated module Warden does not load: ask everyone.
  void validation_of_raw(const Item& it, const std::vector<uint8_t>& raw) {
    std::vector<EngineLoad> loads = load_one(raw, {});
    Source src{it.gen, it.index, it.seed, nullptr, raw, loads, {}};
    for (const Finding& f : compare_loads(loads, health_.ignored)) handle(f, src, nullptr);
  }

  // Given modules: the validation comparison, and for a module Warden
  // loads, the run comparison of its probe too.
  void replay() {
    for (size_t k = 0; k < o_.replay.size(); ++k) {
      std::ifstream f(o_.replay[k], std::ios::binary);
      std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
      if (!f && bytes.empty()) {
        std::fprintf(out_, "cannot read %s\n", o_.replay[k].c_str());
        continue;
      }
      ReplayRecord scratch_record;
      ReplayRecord& rec = o_.replay_records ? o_.replay_records->emplace_back() : scratch_record;
      record_ = &rec;
      rec.file = o_.replay[k];
      const Ignored ignored_before = health_.ignored;
      replay_one(k, bytes, rec);
      for (const auto& [rule, n] : health_.ignored) {
        auto before = ignored_before.find(rule);
        if (uint64_t d = n - (before == ignored_before.end() ? 0 : before->second)) rec.ignored[rule] = d;
      }
      record_ = nullptr;
    }
  }

  void replay_one(uint64_t k, const std::vector<uint8_t>& bytes, ReplayRecord& rec) {
    rec.loads = load_one(bytes, {});
    ++health_.mutants;
    Source src{"replay", k, o_.replay_seed, nullptr, bytes, rec.loads, {}};
    for (const Finding& f2 : compare_loads(rec.loads, health_.ignored)) handle(f2, src, nullptr);
    Limits limits;
    Result<ast::Module> d = decode(bytes, limits);
    if (!d || !Module::load(bytes)) return;
    Item it;
    it.gen = "replay";
    it.index = k;
    it.seed = o_.replay_seed;
    it.module = std::move(*d);
    std::string err;
    if (!make_probe(it.module, it.seed ^ 0x5EED, o_.probe, it.probe, err) || !Module::load(it.probe.bytes)) return;
    ++health_.generated;
    rec.runs = run_one(it.probe, {});
    for (size_t i = 0; i < it.probe.calls.size(); ++i)
      rec.calls.push_back(i < it.probe.targets.size() && !it.probe.targets[i].empty() ? it.probe.targets[i]
                                                                                      : it.probe.calls[i].name);
    account(rec.runs);
    Source rs{"replay", k, it.seed, &it.module, it.probe.bytes, {}, rec.runs};
    for (const Finding& f2 : compare_runs(rec.runs, it.probe.targets, it.probe.state_labels, health_.ignored))
      handle(f2, rs, &it.probe);
  }

  // ------------------------------------------------------ WASI programs --
  struct WasiCompare {
    std::vector<uint8_t> module;
    WasiRun warden, node;
    std::optional<std::pair<Finding, std::string>> finding;  // and its rule
    double warden_seconds = 0, node_seconds = 0;
  };
  // Touches no campaign state: it runs beside the engines (run_cycle_of);
  // account_wasi() adds its times.
  WasiCompare wasi_compare(std::span<const fuzz::WasiCall> calls, WasiRunners* runners = nullptr, int32_t hint = -1) {
    WasiRunners& r = runners ? *runners : *wasi_runners_;
    WasiCompare c;
    auto t = Clock::now();
    c.warden = r.run_warden(calls);
    c.module = c.warden.module;
    c.warden_seconds = since(t);
    t = Clock::now();
    c.node = r.run_node(calls, hint);
    c.node_seconds = since(t);
    c.finding = first_unexplained(calls, c.warden, c.node);
    return c;
  }
  void account_wasi(const WasiCompare& c) {
    health_.seconds["warden (wasi)"] += c.warden_seconds;
    health_.seconds["node (wasi)"] += c.node_seconds;
    health_.modules["warden (wasi)"] += 1;
    health_.modules["node (wasi)"] += 1;
  }

  void judge_wasi(const WasiInput& w, const WasiCompare& c) {
    account_wasi(c);
    ++health_.wasi_programs;
    health_.wasi_calls += w.calls.size();
    health_.wasi_exits += c.warden.end.rfind("exit", 0) == 0;
    for (size_t i = 0; i < w.calls.size() && i < c.warden.errnos.size(); ++i)
      health_.wasi_agreed += c.warden.errnos[i] >= 0 && c.warden.errnos[i] == c.node.errnos[i];
    if (c.finding) handle_wasi(c.finding->first, c.finding->second, w.calls, c, w.index, w.seed);
  }

  void handle_wasi(const Finding& f, const std::string& rule, const std::vector<fuzz::WasiCall>& calls,
                   const WasiCompare& c, uint64_t index, uint64_t seed) {
    ++health_.findings;
    if (!rule.empty()) ++health_.explained;
    std::string key = rule.empty() ? f.signature : "rule=" + rule + "|wasi";
    Bucket* bucket = open_bucket(key, f, rule, "wasi", index, "wasi");
    if (!bucket) return;
    Bucket& b = *bucket;
    // Minimize: drop calls, last first, while the same rule explains the
    // same signature. When node died in call k, the calls after it go
    // first, in one check, and every later check tells node's culprit
    // search where k has moved to (run_node's hint).
    auto t = Clock::now();
    auto deadline = t + std::chrono::duration<double>(o_.reduce_seconds);
    std::vector<fuzz::WasiCall> min = calls;
    WasiCompare last = c;
    uint32_t checks = 0;
    const uint32_t budget = check_budget(f.kind, rule);
    auto keeps = [&](std::vector<fuzz::WasiCall>& fewer, int32_t hint) {
      ++checks;
      WasiCompare r = wasi_compare(fewer, nullptr, hint);
      account_wasi(r);
      if (!r.finding || r.finding->first.signature != f.signature || r.finding->second != rule) return;
      min = std::move(fewer);
      last = std::move(r);
    };
    int32_t k = last.node.died_in;
    if (k >= 0 && static_cast<size_t>(k) + 1 < min.size() && checks < budget) {
      std::vector<fuzz::WasiCall> upto(min.begin(), min.begin() + k + 1);
      keeps(upto, k);
    }
    for (size_t i = min.size(); i-- > 0 && checks < budget && Clock::now() < deadline;) {
      if (min.size() == 1) break;
      std::vector<fuzz::WasiCall> fewer = min;
      fewer.erase(fewer.begin() + static_cast<long>(i));
      k = last.node.died_in;
      int32_t at = static_cast<int32_t>(i);
      keeps(fewer, k < 0 || at == k ? -1 : at < k ? k - 1 : k);
    }
    health_.reduce_seconds += since(t);
    b.original_size = encode(fuzz::wasi_module(calls, fuzz::WasiShape::Record)).size();
    b.min_size = last.module.size();
    write_wasi_bundle((fs::path(o_.findings_dir) / b.id).string(), last.finding ? last.finding->first : f, rule, min,
                      last, seed, index);
  }

  // findings/<bucket>/: program.wasm and .wat, repro.json (the calls, both
  // runs, versions, the rule) and regression.json, the program and what
  // Warden did with it: what a ctest replays from
  // corpora/regressions/wasi-diff/<rule>.json.
  void write_wasi_bundle(const std::string& dir, const Finding& f, const std::string& rule,
                         const std::vector<fuzz::WasiCall>& calls, const WasiCompare& c, uint64_t seed,
                         uint64_t index) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    std::ofstream(fs::path(dir) / "program.wasm", std::ios::binary)
        .write(reinterpret_cast<const char*>(c.module.data()), static_cast<std::streamsize>(c.module.size()));
    if (Result<ast::Module> d = decode(c.module, Limits{}))
      std::ofstream(fs::path(dir) / "program.wat") << text::print_module(*d);
    nlohmann::json j;
    j["signature"] = f.signature;
    j["where"] = f.where;
    j["rule"] = rule;
    j["generator"] = "wasi";
    j["campaign_seed"] = o_.seed;
    j["program_seed"] = seed;
    j["index"] = index;
    j["versions"] = versions_;
    nlohmann::json jc = nlohmann::json::array();
    for (const fuzz::WasiCall& call : calls) jc.push_back(fuzz::describe(call));
    j["calls"] = jc;
    for (const auto& [who, run] : {std::pair<const char*, const WasiRun*>{"warden", &c.warden}, {"node", &c.node}}) {
      nlohmann::json r;
      r["end"] = run->end;
      r["errnos"] = run->errnos;
      r["stdout"] = run->out;
      r["stderr"] = run->err;
      r["scratch"] = run->scratch;
      if (run->canary_changed) r["canary"] = run->canary;
      j[who] = r;
    }
    std::ofstream(fs::path(dir) / "repro.json")
        << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    // The regression: the program, and what Warden does with it.
    nlohmann::json reg;
    reg["rule"] = rule;
    reg["signature"] = f.signature;
    reg["program"] = nlohmann::json::parse(program_json(calls));
    reg["warden"] = wasi_expectation(c.warden);
    std::ofstream(fs::path(dir) / "regression.json")
        << reg.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }

  // Given WASI programs: each is run and compared once; what Warden did is
  // written as a regression, named by the rule that explains the
  // difference (or by the file's name when none does).
  void wasi_replay() {
    for (size_t k = 0; k < o_.wasi_replay.size(); ++k) {
      const std::string& path = o_.wasi_replay[k];
      std::ifstream in(path);
      nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
      std::vector<fuzz::WasiCall> calls;
      const nlohmann::json* program = j.is_object() && j.contains("program") ? &j["program"] : &j;
      if (!program_from_json(program->dump(), calls)) {
        std::fprintf(out_, "%s: not a WASI program\n", path.c_str());
        continue;
      }
      WasiCompare c = wasi_compare(calls);
      account_wasi(c);
      ++health_.wasi_programs;
      health_.wasi_calls += calls.size();
      std::string rule = c.finding ? c.finding->second : "";
      ReplayRecord scratch_record;
      ReplayRecord& rec = o_.replay_records ? o_.replay_records->emplace_back() : scratch_record;
      rec.file = path;
      for (const auto& [who, run] : {std::pair<const char*, const WasiRun*>{"warden", &c.warden}, {"node", &c.node}}) {
        std::string errnos;
        for (int32_t e : run->errnos) errnos += (errnos.empty() ? "" : ",") + std::to_string(e);
        rec.wasi.emplace_back(who, run->end + "; errnos " + errnos);
      }
      if (c.finding) rec.findings.push_back({c.finding->first, rule, ""});
      std::fprintf(out_, "%s: %s%s\n", path.c_str(), c.finding ? c.finding->first.signature.c_str() : "agree",
                   c.finding ? (" -> " + (rule.empty() ? std::string("UNEXPLAINED") : rule)).c_str() : "");
      if (c.finding) {
        for (const auto& [who, what] : c.finding->first.outcomes)
          std::fprintf(out_, "    %-10s %s\n", who.c_str(), what.substr(0, 160).c_str());
        handle_wasi(c.finding->first, rule, calls, c, k, 0);
        std::string key = rule.empty() ? c.finding->first.signature : "rule=" + rule + "|wasi";
        if (auto b = buckets_.find(key); b != buckets_.end())
          rec.findings.back().bundle = (fs::path(o_.findings_dir) / b->second.id).string();
      }
      nlohmann::json reg;
      reg["rule"] = rule;
      reg["signature"] = c.finding ? c.finding->first.signature : "";
      reg["program"] = nlohmann::json::parse(program_json(calls));
      reg["warden"] = wasi_expectation(c.warden);
      std::string name = !rule.empty() ? rule : fs::path(path).stem().string();
      std::ofstream(fs::path(o_.findings_dir) / (name + ".json"))
          << reg.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    }
  }

  // ---------------------------------------------------- mutated modules --
  void judge_mutants(const CycleInput& in, const CycleAnswers& a) {
    const std::vector<std::vector<LoadResult>>& res = a.loads;
    const std::vector<size_t>& sampled_at = in.sampled_at;
    const std::vector<std::vector<uint8_t>>& mutants = in.mutants;
    uint64_t first = in.cycle * o_.mutate_batch;
    for (size_t k = 0; k < mutants.size(); ++k) {
      std::vector<EngineLoad> loads;
      for (size_t e = 0; e < engines_.size(); ++e) {
        LoadResult l;
        if (engines_[e]->name() == "binaryen") {
          auto at = std::find(sampled_at.begin(), sampled_at.end(), k);
          if (at == sampled_at.end()) continue;
          l = res[e][static_cast<size_t>(at - sampled_at.begin())];
        } else if (k < res[e].size()) {
          l = res[e][k];
        }
        if (engines_[e]->name() == "warden") {
          ++health_.mutants;
          switch (l.verdict) {
            case Verdict::Valid: ++health_.mut_valid; break;
            case Verdict::Malformed: ++health_.mut_malformed; break;
            case Verdict::Invalid: ++health_.mut_invalid; break;
            default: ++health_.mut_other; break;
          }
        }
        loads.push_back({std::string(engines_[e]->name()), engines_[e]->three_way(), l});
      }
      Source src{"mutate", first + k, in.mutant_seeds[k], nullptr, mutants[k], loads, {}};
      for (const Finding& f : compare_loads(loads, health_.ignored)) handle(f, src, nullptr);
    }
  }

  // ------------------------------------------------------------ findings --
  // The catalogued peer bugs behind a finding, or "".
  // `m` is structure_of(bytes), or null when the bytes do not decode.
  std::string explanation(const Finding& f, std::span<const uint8_t> bytes, const ast::Module* m,
                          std::span<const EngineLoad> loads, std::span<const EngineRun> runs) {
    const bool wabt = std::find(f.engines.begin(), f.engines.end(), "wabt") != f.engines.end() || f.reference == "wabt";
    const LoadResult* w = nullptr;
    for (const EngineLoad& x : loads)
      if (x.engine == "warden") w = &x.load;
    std::vector<uint8_t> stripped;  // made when first asked for
    const std::string customs = "-without-customs", explained = "-explained";
    Confirmations confirmations([&](const std::string& name) -> std::optional<LoadResult> {
      if (name == "wabt") {
        Engine* e = engine("wabt");
        if (!e || !wabt || (f.kind != FindingKind::Validation && f.kind != FindingKind::Crash)) return {};
        return e->confirm(bytes);
      }
      // Whether custom sections are the cause: the same verdict question,
      // asked again without them, of an engine of the finding.
      size_t at = name.find(customs);
      if (f.kind != FindingKind::Validation || at == std::string::npos) return {};
      const std::string who = name.substr(0, at), rest = name.substr(at + customs.size());
      Engine* e = engine(who);
      if (!e || std::find(f.engines.begin(), f.engines.end(), who) == f.engines.end()) return {};
      if (stripped.empty()) stripped = without_custom_sections(bytes);
      if (stripped.empty()) return {};
      if (rest.empty()) {
        std::span<const uint8_t> one[] = {stripped};
        return e->validate(one).front();
      }
      if (rest != explained) return {};
      // Still at odds without them: then another catalogued bug must
      // account for what is left, asked of the stripped module with
      // Warden's own load of it (its error offset is one in those bytes).
      const LoadResult* l = confirmations.get(who + customs);
      if (!w || !l || verdicts_agree(l->verdict, w->verdict)) return {};
      LoadResult ws = *w;
      if (Engine* we = engine("warden")) {
        std::span<const uint8_t> one[] = {stripped};
        ws = we->validate(one).front();
      }
      std::vector<EngineLoad> left = {{"warden", true, ws}, {who, e->three_way(), *l}};
      for (const EngineLoad& x : loads)
        if (x.engine != "warden" && x.engine != who) left.push_back(x);
      Finding g = f;
      g.engines = {who};
      std::optional<ast::Module> sm = structure_of(stripped);
      RuleContext inner{g, stripped, sm ? &*sm : nullptr, left, {}, nullptr};
      if (explain(inner).empty()) return {};
      return *l;
    });
    RuleContext ctx{f, bytes, m, loads, runs, &confirmations};
    return explain(ctx);
  }

  // A validation signature gets the site of the error: the instruction (or
  // illegal opcode byte, or section) at Warden's error offset, else at
  // wabt's. Findings with the same message but different sites are
  // different buckets.
  Finding refined(const Finding& f, std::span<const uint8_t> bytes, const ast::Module* m,
                  std::span<const EngineLoad> loads) {
    if (f.kind != FindingKind::Validation || loads.empty()) return f;
    const LoadResult* at = nullptr;
    for (const char* engine : {"warden", "wabt"}) {
      for (const EngineLoad& l : loads)
        if (!at && l.engine == engine && l.load.verdict != Verdict::Valid && l.load.offset != kNoOffset) at = &l.load;
    }
    if (!at) return f;
    std::string site = error_site(bytes, m, at->offset, at->message);
    if (site.empty()) return f;
    Finding g = f;
    g.signature += "|" + site;
    g.where += " (" + site + ")";
    return g;
  }

  // The bucket for `key`: a new one (announced, returned for its bundle to
  // be written), or null when it exists (its count goes up).
  Bucket* open_bucket(const std::string& key, const Finding& f, const std::string& rule, const std::string& generator,
                      uint64_t index, const std::string& id_prefix) {
    if (auto it = buckets_.find(key); it != buckets_.end()) {
      ++it->second.count;
      return nullptr;
    }
    Bucket b;
    b.signature = f.signature;
    b.kind = f.kind;
    b.where = f.where;
    b.engines = f.engines;
    b.rule = rule;
    b.generator = generator;
    b.index = index;
    b.count = 1;
    char id[64];
    std::snprintf(id, sizeof id, "%s-%08" PRIx64, id_prefix.c_str(), fnv(key) & 0xFFFFFFFF);
    b.id = id;
    std::fprintf(out_, "new bucket %s: %s%s\n", b.id.c_str(), f.signature.c_str(),
                 !rule.empty() ? (" [rule " + rule + "]").c_str() : " [UNEXPLAINED]");
    for (const auto& [who, what] : f.outcomes)
      std::fprintf(out_, "    %-10s %s\n", who.c_str(), what.substr(0, 160).c_str());
    std::fflush(out_);
    return &buckets_.emplace(key, std::move(b)).first->second;
  }

  void handle(const Finding& found, const Source& src, const Probe* probe) {
    std::optional<ast::Module> tree = structure_of(src.bytes);
    const ast::Module* m = tree ? &*tree : nullptr;
    Finding f = refined(found, src.bytes, m, src.loads);
    ++health_.findings;
    std::string rule = explanation(f, src.bytes, m, src.loads, src.runs);
    if (rule.rfind("feature:", 0) == 0 && rule.find("+") == std::string::npos) {
      --health_.findings;  // a feature difference is an ignored run
      ++health_.ignored[rule];
      return;
    }

    if (!rule.empty()) ++health_.explained;
    // An unexplained run difference: ask the engines on the other side
    // again. An engine that answers differently the second time is
    // nondeterministic, which is the finding.
    if (rule.empty() && probe && (f.kind == FindingKind::Result || f.kind == FindingKind::Trap)) {
      std::vector<EngineRun> again = run_one(*probe, f.engines);
      for (const EngineRun& second : again) {
        for (const EngineRun& first : src.runs) {
          if (first.engine != second.engine || f.call == 0 || f.call > first.run.calls.size() ||
              f.call > second.run.calls.size())
            continue;
          const Outcome& a = first.run.calls[f.call - 1];
          const Outcome& b = second.run.calls[f.call - 1];
          if (describe(a) == describe(b)) continue;
          f.kind = FindingKind::Nondeterminism;
          f.engines = {second.engine};
          f.outcomes = {{second.engine + " (first run)", describe(a)}, {second.engine + " (second run)", describe(b)}};
          f.signature = "nondeterminism|" + f.where.substr(0, f.where.find(':')) + "|" + second.engine;
        }
      }
    }
    // A catalogued bug is one bucket, whatever the signature it shows
    // under; an unexplained finding is bucketed by its signature.
    ReplayFinding* recorded = record_ ? &record_->findings.emplace_back(ReplayFinding{f, rule, ""}) : nullptr;
    std::string key = rule.empty() ? f.signature : "rule=" + rule + "|" + std::string(to_string(f.kind));
    Bucket* bucket = open_bucket(key, f, rule, src.generator, src.index, std::string(to_string(f.kind)));
    if (!bucket) return;
    Bucket& b = *bucket;
    auto t = Clock::now();
    Bundle bundle = minimize(f, src, probe, rule);
    health_.reduce_seconds += since(t);
    bundle.dir = (fs::path(o_.findings_dir) / b.id).string();
    bundle.rule = b.rule;
    bundle.generator = src.generator;
    bundle.campaign_seed = o_.seed;
    bundle.module_seed = src.seed;
    bundle.index = src.index;
    bundle.versions = versions_;
    bundle.limits = limits_json_;
    b.original_size = bundle.original_size;
    b.min_size = bundle.module.size();
    b.opcodes = bundle.opcodes;
    b.suspects = bundle.suspects;
    std::string err;
    if (!write_bundle(bundle, err)) std::fprintf(out_, "    cannot write bundle: %s\n", err.c_str());
    if (recorded) recorded->bundle = bundle.dir;
  }

  std::vector<std::string> involved(const Finding& f) {
    std::vector<std::string> e = f.engines;
    if (!f.reference.empty()) e.push_back(f.reference);
    if (std::find(e.begin(), e.end(), "warden") == e.end() && engine("warden")) e.push_back("warden");
    return e;
  }

  // `ask` of every engine (of `only`, when given), the engines at once (a
  // minimization check waits for the slowest, not for all in turn); the
  // answers in the engines' order.
  template <class Answer, class Ask>
  std::vector<Answer> ask_each(const std::vector<std::string>& only, Ask ask) {
    std::vector<Engine*> chosen;
    for (auto& e : engines_)
      if (only.empty() || std::find(only.begin(), only.end(), std::string(e->name())) != only.end())
        chosen.push_back(e.get());
    std::vector<std::future<Answer>> others;
    for (size_t i = 1; i < chosen.size(); ++i)
      others.push_back(std::async(std::launch::async, [&ask, e = chosen[i]] { return ask(*e); }));
    std::vector<Answer> out;
    if (!chosen.empty()) out.push_back(ask(*chosen[0]));
    for (auto& f : others) out.push_back(f.get());
    return out;
  }

  std::vector<EngineRun> run_one(const Probe& p, const std::vector<std::string>& only) {
    RunJob job{p.bytes, p.calls};
    std::vector<EngineRun> runs = ask_each<EngineRun>(only, [&job](Engine& e) {
      return EngineRun{std::string(e.name()), e.run_one(job)};
    });
    add_depth_matched(runs, p);
    return runs;
  }

  // Depth-matched reruns (compare.hpp): Warden again, at the fixed call
  // depth of each peer whose call stack overflowed, or that crashed (a
  // crash at that depth is what peer rules ask about), or that ran
  // otherwise than Warden on a probe whose fuel (or the lack of one) lets
  // a recursion reach that depth (an overflow the peer did not report:
  // wabt 1.0.32 goes on after one and may trap elsewhere). Not when
  // --call-depth set the limit by hand.
  void add_depth_matched(std::vector<EngineRun>& runs, const Probe& p) {
    auto overflow = [](const Outcome& o) {
      return (o.status == Outcome::Status::Trap && o.trap == kTrapStack) || o.status == Outcome::Status::Crash;
    };
    auto overflowed = [&](const RunResult& r) {
      return overflow(r.instantiate) || std::any_of(r.calls.begin(), r.calls.end(), overflow);
    };
    auto warden = std::find_if(runs.begin(), runs.end(), [](const EngineRun& r) { return r.engine == "warden"; });
    if (o_.limits.call_depth || warden == runs.end() || warden->run.load.verdict != Verdict::Valid) return;
    // Returned or trapped otherwise than Warden at some step (not a
    // limit, a hang or a call the engine cannot make).
    auto differs = [&](const RunResult& r) {
      auto differ = [&](const Outcome& a, const Outcome& b) {
        return comparable(a) && comparable(b) && !outcomes_agree(a, b);
      };
      if (differ(r.instantiate, warden->run.instantiate)) return true;
      for (size_t k = 0; k < r.calls.size() && k < warden->run.calls.size(); ++k)
        if (differ(r.calls[k], warden->run.calls[k])) return true;
      return false;
    };
    std::vector<EngineRun> extra;
    for (const EngineRun& r : runs) {
      auto e = std::find_if(engines_.begin(), engines_.end(), [&](const auto& x) { return x->name() == r.engine; });
      uint32_t depth = e == engines_.end() ? 0 : (*e)->fixed_call_depth();
      if (!depth || r.run.load.verdict != Verdict::Valid) continue;
      if (!overflowed(r.run) && !((p.fuel == 0 || p.fuel >= depth) && differs(r.run))) continue;
      std::unique_ptr<Engine>& at = depth_wardens_[depth];
      if (!at) {
        EngineSetup s = setup_;
        s.limits.call_depth = depth;
        at = make_engine("warden", s);
      }
      extra.push_back({depth_matched_name(r.engine), at->run_one(RunJob{p.bytes, p.calls})});
    }
    for (EngineRun& r : extra) runs.push_back(std::move(r));
  }

  std::vector<EngineLoad> load_one(std::span<const uint8_t> bytes, const std::vector<std::string>& only) {
    return ask_each<EngineLoad>(only, [this, bytes](Engine& e) {
      return EngineLoad{std::string(e.name()), e.three_way(), validate_one(e, bytes).front()};
    });
  }

  // How many checks a bucket's minimization may make: a quarter for a
  // catalogued bug. Hangs cost a timeout per check: they get few checks, and
  // none when a catalogued bug explains them (its regression is minimized
  // already).
  uint32_t check_budget(FindingKind kind, const std::string& rule) const {
    uint32_t budget = !o_.minimize ? 0 : !rule.empty() ? o_.reduce_budget / 4 : o_.reduce_budget;
    return kind == FindingKind::Hang ? std::min<uint32_t>(budget, rule.empty() ? 8 : 0) : budget;
  }

  // Shrinks the finding's module while the signature holds, then records
  // what every engine does on the result.
  Bundle minimize(const Finding& f, const Source& src, const Probe* probe, const std::string& rule) {
    Bundle b;
    b.finding = f;
    const uint32_t budget = check_budget(f.kind, rule);
    // Every bucket also gets a wall-clock budget; past it, checks answer
    // "no" at once.
    auto deadline = Clock::now() + std::chrono::duration<double>(o_.reduce_seconds);
    auto in_time = [&] { return Clock::now() < deadline; };
    std::vector<std::string> who = involved(f);
    Ignored scratch;
    if (probe && src.module) {
      // V8 runs beside the engines involved, as it did when the finding
      // was made: rules may take its outcome as a witness (the wabt
      // overflow rule's masked form does), and without it a candidate
      // would be judged on less than the original was.
      if (engine("v8") && std::find(who.begin(), who.end(), "v8") == who.end()) who.push_back("v8");
      uint64_t pseed = src.seed ^ 0x5EED;
      bool probe_load = f.kind == FindingKind::Validation;
      auto interesting = [&](const ast::Module& c) {
        if (!in_time()) return false;
        Probe p;
        std::string err;
        if (!make_probe(c, pseed, o_.probe, p, err)) return false;
        if (!probe_load && !Module::load(p.bytes)) return false;
        std::vector<EngineRun> runs = run_one(p, who);
        std::optional<ast::Module> tree = structure_of(p.bytes);
        for (const Finding& g : compare_runs(runs, p.targets, p.state_labels, scratch))
          if (g.signature == f.signature && explanation(g, p.bytes, tree ? &*tree : nullptr, {}, runs) == rule)
            return true;
        return false;
      };
      ReduceStats stats;
      ast::Module min = budget ? reduce_module(*src.module, interesting, budget, true, &stats) : *src.module;
      b.reduce_checks = stats.checks;
      b.original_size = encode(*src.module).size();
      b.module = encode(min);
      b.opcodes = opcodes_of(min);
      Probe p;
      std::string err;
      make_probe(min, pseed, o_.probe, p, err);
      b.probe = p.bytes;
      for (const Call& c : p.calls) {
        b.call_names.push_back(c.name);
        b.call_results.push_back(c.results);
      }
      b.runs = run_one(p, {});
      for (const Finding& g : compare_runs(b.runs, p.targets, p.state_labels, scratch))
        if (g.signature == f.signature) b.finding = g;
      if (f.kind == FindingKind::Result || f.kind == FindingKind::Trap) b.suspects = suspects_in(min, pseed, f.engines);
      return b;
    }
    // Rules may take a witness from any engine; Binaryen only when it is
    // part of the finding (it is the slowest).
    std::vector<std::string> witnesses;
    for (auto& e : engines_)
      if (e->name() != "binaryen" || std::find(who.begin(), who.end(), "binaryen") != who.end())
        witnesses.push_back(std::string(e->name()));
    auto interesting = [&](std::span<const uint8_t> c) {
      if (!in_time()) return false;
      std::vector<EngineLoad> loads = load_one(c, witnesses);
      std::optional<ast::Module> tree = structure_of(c);
      const ast::Module* m = tree ? &*tree : nullptr;
      for (const Finding& g : compare_loads(loads, scratch)) {
        Finding r = refined(g, c, m, loads);
        if (r.signature == f.signature && explanation(r, c, m, loads, {}) == rule) return true;
      }
      return false;
    };
    ReduceStats stats;
    std::vector<uint8_t> bytes(src.bytes.begin(), src.bytes.end());
    b.original_size = bytes.size();
    // A module Warden decodes shrinks best as a tree (it need not stay
    // valid); the bytes reducer then takes what is left of the budget.
    Limits limits;
    if (Result<ast::Module> d = decode(bytes, limits); d && budget) {
      auto tree = [&](const ast::Module& c) {
        std::vector<uint8_t> enc = encode(c);
        return interesting(enc);
      };
      if (tree(*d)) bytes = encode(reduce_module(std::move(*d), tree, budget / 2, false, &stats));
    }
    uint32_t left = budget > stats.checks ? budget - stats.checks : 0;
    b.module = left ? reduce_bytes(bytes, interesting, left, &stats) : bytes;
    b.reduce_checks = stats.checks;
    b.loads = load_one(b.module, {});
    std::optional<ast::Module> min_tree = structure_of(b.module);
    for (const Finding& g : compare_loads(b.loads, scratch)) {
      Finding r = refined(g, b.module, min_tree ? &*min_tree : nullptr, b.loads);
      if (r.signature == f.signature) b.finding = r;
    }
    // wabt's verdict tool agrees? (spectest-interp gave the batch verdict.)
    if (Engine* w = engine("wabt")) {
      LoadResult c = w->confirm(b.module);
      b.finding.outcomes["wabt (wasm-validate)"] =
          std::string(to_string(c.verdict)) + (c.message.empty() ? "" : " (" + c.message + ")");
    }
    if (min_tree) b.opcodes = opcodes_of(*min_tree);
    return b;
  }

  // The operators the `odd` engines compute wrongly in `m` (suspects.hpp):
  // its traced copy's probe, run on them, with the same arguments.
  // A module with more operator sites than one trace holds is traced in
  // windows of kMaxTraceSites, until one names a suspect (at most 8: a
  // finding only the checksum shows can leave a large module behind).
  std::vector<std::string> suspects_in(const ast::Module& m, uint64_t pseed, const std::vector<std::string>& odd) {
    std::vector<std::string> out;
    for (size_t window = 0; window < 8 && out.empty(); ++window) {
      Trace trace = trace_module(m, window * kMaxTraceSites);
      Probe p;
      std::string err;
      if (trace.sites.empty() || !make_probe(trace.module, pseed, o_.probe, p, err) || !Module::load(p.bytes)) break;
      for (const EngineRun& r : run_one(p, odd)) {
        const Outcome* state = r.run.calls.empty() ? nullptr : &r.run.calls.back();
        if (!state || state->status != Outcome::Status::Ok || state->values.size() != p.state_labels.size()) continue;
        for (const std::string& s : suspects(trace, globals_of(p.state_labels, state->values)))
          if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
      }
    }
    return out;
  }

  // ------------------------------------------------------------- report --
  void progress(uint64_t cycle) {
    double t = since(start_);
    size_t unexplained = 0;
    for (const auto& [k, b] : buckets_) unexplained += b.rule.empty();
    std::fprintf(
        out_, "[%6.1fs] cycle %" PRIu64 ": %" PRIu64 " modules, %" PRIu64 " mutants, %zu buckets (%zu unexplained)\n",
        t, cycle, health_.generated, health_.mutants, buckets_.size(), unexplained);
    std::fflush(out_);
  }

  int summary() {
    auto pct = [](uint64_t a, uint64_t b) { return b ? 100.0 * static_cast<double>(a) / static_cast<double>(b) : 0.0; };
    std::string s;
    appendf(s, "== warden diff summary: seed %" PRIu64 ", %" PRIu64 " cycles, %.1f s\n", o_.seed, cycles_, elapsed_);
    for (const auto& [n, v] : versions_) appendf(s, "engine %-9s %s\n", n.c_str(), v.c_str());
    for (const std::string& m : missing_) appendf(s, "engine missing: %s\n", m.c_str());
    appendf(s,
            "generated modules: %" PRIu64 " (own %" PRIu64 ", ttf %" PRIu64 "; ttf failures %" PRIu64
            ", probe failures %" PRIu64 "): %.1f modules/s through all engines\n",
            health_.generated, health_.own, health_.ttf, health_.ttf_failed, health_.probe_failed,
            elapsed_ > 0 ? static_cast<double>(health_.generated) / elapsed_ : 0.0);
    appendf(s,
            "probes: %" PRIu64 ", %.1f%% valid, %.1f%% instantiated; %" PRIu64
            " calls: %.1f%% returned, %.1f%% trapped\n",
            health_.probes, pct(health_.probes, health_.generated), pct(health_.instantiated, health_.probes),
            health_.calls, pct(health_.returned, health_.calls), pct(health_.trapped, health_.calls));
    appendf(s,
            "validation differential: %" PRIu64
            " mutated modules (%.1f/s): %.1f%% valid, %.1f%% malformed, "
            "%.1f%% invalid, %.1f%% other (Warden's verdicts)\n",
            health_.mutants, elapsed_ > 0 ? static_cast<double>(health_.mutants) / elapsed_ : 0.0,
            pct(health_.mut_valid, health_.mutants), pct(health_.mut_malformed, health_.mutants),
            pct(health_.mut_invalid, health_.mutants), pct(health_.mut_other, health_.mutants));
    if (health_.wasi_programs)
      appendf(s,
              "wasi programs: %" PRIu64 " (%.1f/s), %" PRIu64 " calls, %.1f%% with the same errno under node; %" PRIu64
              " ended by proc_exit\n",
              health_.wasi_programs, elapsed_ > 0 ? static_cast<double>(health_.wasi_programs) / elapsed_ : 0.0,
              health_.wasi_calls, pct(health_.wasi_agreed, health_.wasi_calls), health_.wasi_exits);
    appendf(s, "oracle time (wall, per module):\n");
    for (const auto& [n, secs] : health_.seconds) {
      uint64_t m = health_.modules[n];
      appendf(s, "  %-22s %8.3f ms  (%" PRIu64 " modules, %.1f s)\n", n.c_str(),
              m ? 1000.0 * secs / static_cast<double>(m) : 0.0, m, secs);
    }
    // Per cycle, in ms: a wall-clock figure (DiffCampaign.SameSeedSameFindings
    // leaves lines with " ms " out of its comparison).
    if (cycles_) {
      double per = 1000.0 / static_cast<double>(cycles_);
      appendf(s,
              "cycle time (wall, per cycle): %.1f ms waiting for inputs, %.1f ms engines, %.1f ms comparing and "
              "explaining\n",
              health_.wait_seconds * per, health_.engine_seconds * per, health_.judge_seconds * per);
    }
    appendf(s, "minimization: %.1f s\n", health_.reduce_seconds);
    appendf(s, "ignored runs, by rule:\n");
    for (const auto& [rule, n] : health_.ignored) appendf(s, "  %8" PRIu64 "  %s\n", n, rule.c_str());
    appendf(s, "findings: %" PRIu64 " (%" PRIu64 " explained by peer rules), %zu buckets:\n", health_.findings,
            health_.explained, buckets_.size());
    std::vector<const Bucket*> sorted;
    for (const auto& [k, b] : buckets_) sorted.push_back(&b);
    std::sort(sorted.begin(), sorted.end(), [](const Bucket* a, const Bucket* b) { return a->id < b->id; });
    size_t unexplained = 0;
    for (const Bucket* b : sorted) {
      unexplained += b->rule.empty();
      std::string suspects;
      for (const std::string& op : b->suspects) suspects += (suspects.empty() ? " (suspect " : ", ") + op;
      appendf(s, "  %6" PRIu64 "  %-24s %s  -> %s%s\n", b->count, b->id.c_str(), b->signature.c_str(),
              b->rule.empty() ? "UNEXPLAINED" : b->rule.c_str(), suspects.empty() ? "" : (suspects + ")").c_str());
    }
    appendf(s, "unexplained: %zu\n", unexplained);
    std::fputs(s.c_str(), out_);
    std::ofstream(fs::path(o_.findings_dir) / "summary.txt") << s;
    std::error_code ec;
    if (o_.work_dir.empty()) fs::remove_all(work_, ec);
    return static_cast<int>(unexplained);
  }

 public:
  CampaignTotals totals() const {
    CampaignTotals t;
    t.seconds = elapsed_;
    t.cycles = cycles_;
    t.generated = health_.generated;
    t.mutants = health_.mutants;
    t.wasi_programs = health_.wasi_programs;
    t.wasi_calls = health_.wasi_calls;
    t.findings = health_.findings;
    t.explained = health_.explained;
    t.buckets = buckets_.size();
    for (const auto& [k, b] : buckets_) t.unexplained += b.rule.empty();
    t.engine_seconds = health_.seconds;
    t.engine_modules = health_.modules;
    t.ignored = health_.ignored;
    t.versions = versions_;
    t.missing = missing_;
    for (const auto& [k, b] : buckets_)
      t.bucket_list.push_back({b.id, b.signature, b.rule, std::string(to_string(b.kind)), b.engines, b.count,
                               (fs::path(o_.findings_dir) / b.id).string()});
    return t;
  }

 private:
  const CampaignOptions& o_;
  std::FILE* out_;
  std::string work_, limits_json_;
  std::vector<std::unique_ptr<Engine>> engines_;
  std::vector<std::unique_ptr<Engine>> seconds_;  // engines_[e]'s second instance, or null
  EngineSetup setup_;
  std::map<uint32_t, std::unique_ptr<Engine>> depth_wardens_;  // Warden at a peer's fixed call depth
  std::unique_ptr<ToolServer> ttf_server_;                     // used by prepare() alone
  std::map<std::string, std::string> versions_;
  std::vector<std::string> missing_;
  std::vector<std::string> exec_gens_;
  bool mutate_ = false;
  bool wasi_ = false;
  std::unique_ptr<WasiRunners> wasi_runners_, wasi_runners2_;  // the second: run_cycle_of's odd programs
  std::vector<std::vector<uint8_t>> pool_;
  size_t testsuite_count_ = 0;
  std::map<std::string, Bucket> buckets_;
  Health health_;
  ReplayRecord* record_ = nullptr;  // replay(): the file being replayed
  Clock::time_point start_;
  uint64_t cycles_ = 0;
  double elapsed_ = 0;
};

}  // namespace

int run_campaign(const CampaignOptions& options, std::FILE* out, CampaignTotals* totals) {
  Campaign c(options, out);
  int r = c.run();
  if (totals && r >= 0) *totals = c.totals();
  return r;
}

}  // namespace warden::diff
