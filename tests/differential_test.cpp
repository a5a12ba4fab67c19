// The differential tester (differential/): the message tables, the
// comparison rules, the probe transform and its NaN check, the reducer, the
// peer-bug rules, campaign reproducibility, and the replay of every
// regression module the campaigns produced (corpora/regressions/differential).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <tuple>

#include <nlohmann/json.hpp>

#include "bundle.hpp"
#include "campaign.hpp"
#include "compare.hpp"
#include "engine.hpp"
#include "inputs.hpp"
#include "messages.hpp"
#include "peer_rules.hpp"
#include "probe.hpp"
#include "reduce.hpp"
#include "runner.hpp"
#include "scan.hpp"
#include "suspects.hpp"
#include "warden/binary.hpp"
#include "warden/text.hpp"
#include "warden/wasi.hpp"
#include "wasi_diff.hpp"
#include "wasi_program.hpp"
#include "wasm_builder.hpp"

namespace fs = std::filesystem;
using namespace warden;
using namespace warden::diff;

namespace {

std::vector<uint8_t> wat(const std::string& text) {
  Result<std::vector<uint8_t>> b = wat_to_wasm(text);
  EXPECT_TRUE(b.ok()) << (b.ok() ? "" : b.error().message);
  return b.ok() ? *b : std::vector<uint8_t>{};
}

ast::Module decoded(const std::vector<uint8_t>& bytes) {
  Result<ast::Module> m = decode(bytes, Limits{});
  EXPECT_TRUE(m.ok());
  return m.ok() ? *m : ast::Module{};
}

// Runs a probe on Warden; returns the outcomes of every call.
RunResult run_on_warden(const Probe& p) {
  std::unique_ptr<Engine> w = make_engine("warden", EngineSetup{});
  return w->run_one(RunJob{p.bytes, p.calls});
}

Outcome ok(std::vector<uint64_t> v) { return {Outcome::Status::Ok, std::move(v), 0, ""}; }
Outcome trap(uint32_t kinds, std::string msg = "") { return {Outcome::Status::Trap, {}, kinds, std::move(msg)}; }

// Warden's verdict on `bytes` as a campaign records it.
LoadResult warden_load(const std::vector<uint8_t>& bytes) {
  Result<std::shared_ptr<const Module>> w = Module::load(bytes);
  if (w.ok()) return {Verdict::Valid, "", kNoOffset};
  return {w.error().kind == ErrorKind::Malformed ? Verdict::Malformed : Verdict::Invalid, w.error().message,
          w.error().offset};
}

RunResult run_with(Outcome inst, std::vector<Outcome> calls) {
  RunResult r;
  r.load.verdict = Verdict::Valid;
  r.instantiate = std::move(inst);
  r.calls = std::move(calls);
  return r;
}

}  // namespace

// ------------------------------------------------------------ tables ----

TEST(DiffMessages, TrapKindsPerEngine) {
  EXPECT_EQ(trap_kinds("warden", "integer divide by zero"), kTrapDivZero);
  EXPECT_EQ(trap_kinds("wabt", "undefined table index"), kTrapUndefinedElement);
  EXPECT_EQ(trap_kinds("wabt", "out of bounds memory access: access at 70000+4 >= max value 65536"), kTrapMemory);
  EXPECT_EQ(trap_kinds("binaryen", "i32.div_s by 0"), kTrapDivZero);
  EXPECT_EQ(trap_kinds("binaryen", "i32.div_s overflow"), kTrapIntOverflow);
  EXPECT_EQ(trap_kinds("binaryen", "i64.truncSFloat overflow"), kTrapIntOverflow);
  EXPECT_EQ(trap_kinds("binaryen", "highest > memory: 65535 > 65532"), kTrapMemory);
  EXPECT_EQ(trap_kinds("binaryen", "stack limit"), kTrapStack);
  // A message the table does not know never agrees with anything.
  EXPECT_EQ(trap_kinds("wabt", "something new"), kTrapUnknown);
  EXPECT_EQ(trap_names(kTrapUninitialized | kTrapIndirectType), "uninitialized|indirect-type");
  // V8 names its kinds itself, in v8_harness.js (ProtocolV8.HarnessReadsV8sWords).
  EXPECT_EQ(trap_kinds("v8", "RuntimeError: divide by zero"), kTrapUnknown);
}

TEST(DiffMessages, LoadVerdicts) {
  EXPECT_EQ(load_verdict("wabt", "unable to read u32 leb128: section size"), Verdict::Malformed);
  EXPECT_EQ(load_verdict("wabt", "type mismatch in i32.add, expected [i32, i32] but got [i64]"), Verdict::Invalid);
  EXPECT_EQ(load_verdict("wabt", "expected ref.null or ref.func in passive element segment"), Verdict::Rejected);
  EXPECT_EQ(load_verdict("binaryen", "[parse exception: invalid code after misc prefix: 17 (at 0:50)]"),
            Verdict::Unsupported);
  EXPECT_EQ(load_verdict("binaryen", "[parse exception: invalid code after misc prefix: 170 (at 0:50)]"),
            Verdict::Rejected);
  // V8's limits: v8_harness.js says "limit" itself (ProtocolV8.HarnessReadsV8sWords).
}

// -------------------------------------------------------- comparison ----

TEST(DiffCompare, VerdictsAndOutcomes) {
  EXPECT_TRUE(verdicts_agree(Verdict::Rejected, Verdict::Malformed));
  EXPECT_TRUE(verdicts_agree(Verdict::Invalid, Verdict::Rejected));
  EXPECT_FALSE(verdicts_agree(Verdict::Malformed, Verdict::Invalid));
  EXPECT_FALSE(verdicts_agree(Verdict::Valid, Verdict::Rejected));
  EXPECT_TRUE(outcomes_agree(trap(kTrapUninitialized), trap(kTrapUninitialized | kTrapIndirectType)));
  EXPECT_FALSE(outcomes_agree(trap(kTrapMemory), trap(kTrapTable | kTrapUndefinedElement)));
  EXPECT_FALSE(outcomes_agree(ok({1}), ok({2})));
  EXPECT_FALSE(outcomes_agree(ok({}), trap(kTrapUnreachable)));
}

TEST(DiffCompare, ThreeWayValidation) {
  std::vector<EngineLoad> loads = {
      {"warden", true, {Verdict::Malformed, "unexpected end of section or function", 0x20}},
      {"wabt", true, {Verdict::Invalid, "type mismatch at end of block, expected [] but got [i32]", 0x20}},
      {"v8", false, {Verdict::Rejected, "CompileError: ...", kNoOffset}},
      {"binaryen", false, {Verdict::Unsupported, "[parse exception: invalid code after misc prefix: 12 (", 0}},
  };
  Ignored ignored;
  std::vector<Finding> f = compare_loads(loads, ignored);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, FindingKind::Validation);
  EXPECT_EQ(f[0].engines, std::vector<std::string>{"wabt"});
  EXPECT_EQ(f[0].signature, "validation|warden=malformed,wabt=invalid|unexpected end of section or function");
  ASSERT_EQ(ignored.size(), 1u);
  EXPECT_EQ(ignored.begin()->first, "feature: binaryen lacks [parse exception: invalid code after misc prefix");
}

// wabt 1.0.32 accepts data segment kinds 3..7; the kind is a u32 LEB128,
// so the rule must read 5 written as 05 and as 85 00 (--seed 21 found the
// second, which a one-byte reading missed), and nothing above 7.
TEST(DiffRules, WabtDataSegmentFlagsReadTheKindAsLeb128) {
  auto explained = [](std::vector<uint8_t> bytes) {
    std::vector<EngineLoad> loads = {
        {"warden", true, {Verdict::Malformed, "malformed data segment kind", 0xb}},
        {"wabt", true, {Verdict::Valid, "", kNoOffset}},
    };
    Ignored ignored;
    std::vector<Finding> f = compare_loads(loads, ignored);
    EXPECT_EQ(f.size(), 1u);
    if (f.empty()) return std::string("no finding");
    RuleContext ctx{f[0], bytes, nullptr, loads, {}, nullptr};
    return explain(ctx);
  };
  const std::vector<uint8_t> head = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x0b, 0x0a, 0x01};
  auto with_kind = [&](std::vector<uint8_t> kind) {
    std::vector<uint8_t> b = head;
    b.insert(b.end(), kind.begin(), kind.end());
    b.insert(b.end(), {0x06, 0xef, 0x98, 0x9a, 0xef, 0x92, 0xa9});
    return b;
  };
  EXPECT_EQ(explained(with_kind({0x05})), "wabt-1.0.32-data-segment-flags");
  EXPECT_EQ(explained(with_kind({0x85, 0x00})), "wabt-1.0.32-data-segment-flags");
  EXPECT_EQ(explained(with_kind({0x88, 0x00})), "");  // 8: not a reading of the flag bits
}

TEST(DiffCompare, WardenLimitOnAModuleV8LoadsIsAFinding) {
  std::vector<EngineLoad> loads = {
      {"warden", true, {Verdict::Limit, "nesting too deep", 0x2f}},
      {"wabt", true, {Verdict::Valid, "", kNoOffset}},
      {"v8", false, {Verdict::Valid, "", kNoOffset}},
  };
  Ignored ignored;
  std::vector<Finding> f = compare_loads(loads, ignored);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, FindingKind::Validation);
  EXPECT_EQ(f[0].engines, std::vector<std::string>{"warden"});
  EXPECT_EQ(f[0].reference, "v8");
  EXPECT_EQ(f[0].signature,
            "validation|v8=valid,warden=limit|warden limit rejects a module V8 accepts: nesting too deep");
  EXPECT_TRUE(ignored.empty());
  // No peer rule explains Warden's own limit: the bucket is unexplained.
  RuleContext ctx{f[0], {}, nullptr, loads, {}, nullptr};
  EXPECT_EQ(explain(ctx), "");

  // A peer's limit stays an ignored run, and so does Warden's where V8
  // does not load the module either.
  loads[2].load = {Verdict::Limit, "CompileError: WebAssembly.Module(): local count too large @+30", kNoOffset};
  ignored.clear();
  EXPECT_TRUE(compare_loads(loads, ignored).empty());
  EXPECT_EQ(ignored, (Ignored{{"limit: v8 implementation limit", 1}, {"limit: warden implementation limit", 1}}));
  loads[0].load = {Verdict::Valid, "", kNoOffset};
  ignored.clear();
  EXPECT_TRUE(compare_loads(loads, ignored).empty());
  EXPECT_EQ(ignored, (Ignored{{"limit: v8 implementation limit", 1}}));
  // Without V8 there is no web to compare with: ignored as before.
  loads = {{"warden", true, {Verdict::Limit, "too many locals", 0x14}},
           {"wabt", true, {Verdict::Valid, "", kNoOffset}}};
  ignored.clear();
  EXPECT_TRUE(compare_loads(loads, ignored).empty());
  EXPECT_EQ(ignored, (Ignored{{"limit: warden implementation limit", 1}}));
}

TEST(DiffCompare, RunsFirstDifferenceOnly) {
  std::vector<std::string> targets = {"f0", "f1", "(state)"};
  std::vector<std::string> labels = {"nan-violation", "memory.size", "memory hash"};
  std::vector<EngineRun> runs = {
      {"warden", run_with(ok({}), {ok({7}), trap(kTrapUninitialized, "uninitialized element 2"), ok({0, 1, 5})})},
      {"v8", run_with(ok({}), {ok({7}), trap(kTrapUninitialized | kTrapIndirectType), ok({0, 1, 5})})},
      {"wabt", run_with(ok({}), {ok({7}), ok({}), ok({0, 1, 6})})},
  };
  Ignored ignored;
  std::vector<Finding> f = compare_runs(runs, targets, labels, ignored);
  ASSERT_EQ(f.size(), 1u);  // the state difference after it is an echo
  EXPECT_EQ(f[0].kind, FindingKind::Trap);
  EXPECT_EQ(f[0].where, "f1");
  EXPECT_EQ(f[0].call, 2u);
  EXPECT_EQ(f[0].signature, "trap|call|wabt|warden=trap:uninitialized,wabt=ok");
}

TEST(DiffCompare, NanViolationNamesTheOpcode) {
  std::vector<std::string> targets = {"(state)"};
  std::vector<std::string> labels = {"nan-violation"};
  uint64_t code = static_cast<uint64_t>(Op::F32Add) + 1;
  std::vector<EngineRun> runs = {
      {"warden", run_with(ok({}), {ok({0})})},
      {"binaryen", run_with(ok({}), {ok({code})})},
  };
  Ignored ignored;
  std::vector<Finding> f = compare_runs(runs, targets, labels, ignored);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].signature, "result|nan f32.add|binaryen");
}

TEST(DiffCompare, UnsupportedCallsAreIgnoredNotCompared) {
  std::vector<std::string> targets = {"f0"};
  std::vector<EngineRun> runs = {
      {"warden", run_with(ok({}), {ok({1, 2})})},
      {"v8", run_with(ok({}), {{Outcome::Status::Unsupported, {}, 0, "v128 result cannot cross the JS boundary"}})},
  };
  Ignored ignored;
  EXPECT_TRUE(compare_runs(runs, targets, {}, ignored).empty());
  EXPECT_EQ(ignored.size(), 1u);
}

TEST(DiffCompare, CallDepthLimitsAreNotComparedAfterAnOverflow) {
  std::vector<std::string> targets = {"f", "g", "(state)"};
  // Binaryen overflows at 251 frames where the others go on: it leaves the
  // comparison (its state differs by the depth reached)...
  std::vector<EngineRun> runs = {
      {"warden", run_with(ok({}), {ok({}), ok({1000}), ok({0, 1000})})},
      {"binaryen", run_with(ok({}), {trap(kTrapStack), ok({249}), ok({0, 249})})},
  };
  Ignored ignored;
  EXPECT_TRUE(compare_runs(runs, targets, {}, ignored).empty());
  EXPECT_EQ(ignored.count("exhaustion: binaryen's call depth limit reached first (it leaves)"), 1u);
  // ... and the others are still compared after it.
  runs.push_back({"v8", run_with(ok({}), {ok({}), ok({1000}), ok({0, 999})})});
  std::vector<Finding> f = compare_runs(runs, targets, {}, ignored);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].engines, std::vector<std::string>{"v8"});
  EXPECT_EQ(f[0].call, 3u);
  runs.pop_back();
  // Warden overflowing alone is a finding.
  std::swap(runs[0].run.calls[0], runs[1].run.calls[0]);
  EXPECT_EQ(compare_runs(runs, targets, {}, ignored).size(), 1u);
  // All overflowing: what follows is not compared.
  runs[1].run.calls[0] = trap(kTrapStack);
  ignored.clear();
  EXPECT_TRUE(compare_runs(runs, targets, {}, ignored).empty());
  EXPECT_EQ(ignored.size(), 1u);
}

// A depth-matched rerun (Warden at a peer's fixed depth) is compared with
// that peer alone, every step, the overflow and the state after it too.
TEST(DiffCompare, DepthMatchedRerunComparesWhatFollowsAnOverflow) {
  std::vector<std::string> targets = {"f", "(state)"};
  std::vector<EngineRun> runs = {
      {"warden", run_with(ok({}), {trap(kTrapStack), ok({0, 20000})})},
      {"wabt", run_with(ok({}), {trap(kTrapStack), ok({0, 1637})})},
      {depth_matched_name("wabt"), run_with(ok({}), {trap(kTrapStack), ok({0, 1637})})},
  };
  EXPECT_EQ(depth_matched_peer(runs[2].engine), "wabt");
  EXPECT_EQ(depth_matched_peer("warden"), "");
  Ignored ignored;
  EXPECT_TRUE(compare_runs(runs, targets, {}, ignored).empty());
  // wabt ran on after the overflow: its state differs at the same depth.
  runs[1].run.calls[1] = ok({0, 1638});
  std::vector<Finding> f = compare_runs(runs, targets, {}, ignored);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].signature, "result|depth-matched state|wabt");
  EXPECT_EQ(f[0].reference, "warden@wabt");
  EXPECT_EQ(f[0].call, 2u);
  // Overflowing at another step than Warden at its depth is a finding too.
  // (Warden's own overflow where wabt did not is the second finding.)
  runs[1].run.calls[0] = ok({});
  f = compare_runs(runs, targets, {}, ignored);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].signature, "trap|depth-matched call|wabt");
  EXPECT_EQ(f[1].reference, "warden");
}

// ------------------------------------------------------------- probes ----

TEST(DiffProbe, GeneratedModulesProbeAndRunDeterministically) {
  for (uint64_t seed = 1; seed <= 25; ++seed) {
    ast::Module m = own_module(mix_seed(99, 1, seed));
    Probe p;
    std::string err;
    ASSERT_TRUE(make_probe(m, seed, ProbeConfig{}, p, err)) << err;
    Result<std::shared_ptr<const Module>> loaded = Module::load(p.bytes);
    ASSERT_TRUE(loaded.ok()) << "seed " << seed << ": " << loaded.error().message;
    EXPECT_TRUE((*loaded)->imports().empty());
    ASSERT_FALSE(p.calls.empty());
    EXPECT_EQ(p.calls.back().name, "state");
    for (const Call& c : p.calls) {
      EXPECT_TRUE(c.args.empty());
      for (ValType t : c.results) EXPECT_TRUE(t == ValType::I32 || t == ValType::I64);
    }
    RunResult a = run_on_warden(p), b = run_on_warden(p);
    ASSERT_EQ(a.calls.size(), p.calls.size());
    for (size_t i = 0; i < a.calls.size(); ++i) EXPECT_TRUE(outcomes_agree(a.calls[i], b.calls[i]));
    // Warden keeps the NaN rule.
    if (a.calls.back().status == Outcome::Status::Ok) {
      EXPECT_EQ(a.calls.back().values.at(0), 0u);
    }
  }
}

TEST(DiffProbe, ResultsCrossAsIntegerBits) {
  ast::Module m = decoded(wat(R"((module
    (func (export "f") (param f32 i64) (result f32 v128 externref)
      (f32.neg (local.get 0)) (v128.const i64x2 1 2) (ref.null extern))
    (global (export "g") (mut f64) (f64.const -0.5))))"));
  Probe p;
  std::string err;
  ASSERT_TRUE(make_probe(m, 1, ProbeConfig{}, p, err)) << err;
  ASSERT_EQ(p.calls.size(), 3u);  // c0, c0_1, state
  EXPECT_EQ(p.calls[0].name, "c0");
  EXPECT_EQ(p.calls[1].name, "c0_1");
  EXPECT_EQ(p.calls[0].results, (std::vector<ValType>{ValType::I32, ValType::I64, ValType::I64, ValType::I32}));
  RunResult r = run_on_warden(p);
  ASSERT_EQ(r.calls[0].status, Outcome::Status::Ok);
  EXPECT_EQ(r.calls[0].values[1], 1u);
  EXPECT_EQ(r.calls[0].values[2], 2u);
  EXPECT_EQ(r.calls[0].values[3], 1u);  // ref.is_null
  // state: nan-violation, then the global as bits.
  ASSERT_EQ(r.calls[2].status, Outcome::Status::Ok);
  // (The checksum, last, folds f's arguments: probe_fold_test.cpp.)
  ASSERT_EQ(r.calls[2].values.size(), 3u);
  EXPECT_EQ(r.calls[2].values[0], 0u);
  EXPECT_EQ(r.calls[2].values[1], 0xBFE0000000000000ull);
  EXPECT_EQ(p.state_labels, (std::vector<std::string>{"nan-violation", "global 0", "checksum"}));
}

TEST(DiffProbe, ImportsBecomeDefinitionsWithSpectestValues) {
  ast::Module m = decoded(wat(R"((module
    (import "spectest" "print_i32" (func $p (param i32)))
    (import "spectest" "global_i32" (global $g i32))
    (global $h i32 (global.get $g))
    (func (export "f") (result i32) (call $p (i32.const 1)) (i32.add (global.get $g) (global.get $h)))))"));
  Probe p;
  std::string err;
  ASSERT_TRUE(make_probe(m, 1, ProbeConfig{}, p, err)) << err;
  RunResult r = run_on_warden(p);
  ASSERT_EQ(r.calls[0].status, Outcome::Status::Ok);
  EXPECT_EQ(r.calls[0].values, std::vector<uint64_t>{1332});
}

TEST(DiffProbe, FuelIsResetBeforeEveryCallAndForStart) {
  ast::Module m = decoded(wat(R"((module
    (global $fuel (export "fuel") (mut i32) (i32.const 1000))
    (global $seen (mut i32) (i32.const 0))
    (func $s (global.set $seen (global.get $fuel)))
    (start $s)
    (func (export "f") (result i32)
      (global.set $fuel (i32.sub (global.get $fuel) (i32.const 1))) (global.get $fuel))))"));
  ProbeConfig cfg;
  cfg.fuel = 77;
  Probe p;
  std::string err;
  ASSERT_TRUE(make_probe(m, 1, cfg, p, err)) << err;
  EXPECT_EQ(p.fuel, 77u);  // what bounds the call depth (the depth-matched reruns)
  RunResult r = run_on_warden(p);
  EXPECT_EQ(r.calls[0].values, std::vector<uint64_t>{76});
  EXPECT_EQ(r.calls[1].values, std::vector<uint64_t>{76});
  // nan, fuel, seen at start, and the checksum: the start function's
  // global.set folds seen's 0, each call's the fuel it found (77).
  uint64_t checksum = 0;
  for (uint64_t v : {0, 77, 77}) checksum = (checksum ^ v) * 0x9E3779B97F4A7C15ull;
  EXPECT_EQ(r.calls[2].values, (std::vector<uint64_t>{0, 76, 77, checksum}));
  // Without the fuel global nothing bounds it: 0.
  Probe q;
  ASSERT_TRUE(make_probe(decoded(wat("(module (func (export \"f\")))")), 1, cfg, q, err)) << err;
  EXPECT_EQ(q.fuel, 0u);
}

// The NaN check itself: replace the checked instruction by one that returns
// a signalling NaN, as a broken engine would, and the state names it.
TEST(DiffProbe, NanCheckCatchesANonArithmeticNan) {
  ast::Module m = decoded(wat(R"((module
    (func (export "f") (result f32) (f32.add (f32.const nan:0x200000) (f32.const 1)))
    (func (export "g") (result v128)
      (f32x4.add (v128.const i32x4 0x7fa00000 0x7fa00000 0 0) (v128.const f32x4 1 1 1 1)))))"));
  Probe p;
  std::string err;
  ASSERT_TRUE(make_probe(m, 1, ProbeConfig{}, p, err)) << err;
  RunResult clean = run_on_warden(p);
  ASSERT_EQ(clean.calls.back().status, Outcome::Status::Ok);
  EXPECT_EQ(clean.calls.back().values[0], 0u);
  EXPECT_EQ(clean.calls[0].values, std::vector<uint64_t>{0x7FC00000});  // canonicalized after the check

  for (auto [from, to, name] :
       {std::tuple{Op::F32Add, Op::F32Copysign, "f32.add"}, std::tuple{Op::F32x4Add, Op::V128Or, "f32x4.add"}}) {
    ast::Module broken = decoded(p.bytes);
    for (ast::Function& f : broken.funcs)
      for (ast::Instr& i : f.body)
        if (i.op == from) i.op = to;
    Probe q = p;
    q.bytes = encode(broken);
    RunResult r = run_on_warden(q);
    ASSERT_EQ(r.calls.back().status, Outcome::Status::Ok);
    EXPECT_EQ(nan_violation_op(r.calls.back().values[0]), name);
  }
}

// f64x2 lanes are checked and canonicalized as f64, not as f32 pairs.
TEST(DiffProbe, NanCheckUsesTheLaneShape) {
  ast::Module m = decoded(wat(R"((module
    (func (export "f") (result v128)
      (f64x2.add (v128.const i64x2 0xffffffffffffffd8 1) (v128.const f64x2 235.5 235.5)))
    (func (export "g") (result v128)
      (f32x4.demote_f64x2_zero (v128.const i64x2 0xfff0000000000001 0x7ff8000000000000)))))"));
  Probe p;
  std::string err;
  ASSERT_TRUE(make_probe(m, 1, ProbeConfig{}, p, err)) << err;
  RunResult r = run_on_warden(p);
  ASSERT_EQ(r.calls[0].status, Outcome::Status::Ok);
  EXPECT_EQ(r.calls[0].values, (std::vector<uint64_t>{0x7FF8000000000000ull, 0x406D700000000000ull}));
  EXPECT_EQ(r.calls[1].values, (std::vector<uint64_t>{0x7FC000007FC00000ull, 0}));
  EXPECT_EQ(r.calls.back().values.at(0), 0u);
}

// ------------------------------------------------------------ reducer ----

// section_items, the reducer's view of a section it cannot decode: every
// item kind, tiling each vector section from its count to its end.
TEST(DiffScan, SectionItemsTileEachVectorSection) {
  using VT = ValType;
  wasm_builder::Module m;
  const uint32_t t0 = m.type({VT::I32}, {VT::I32});
  m.type({}, {});
  m.import_func("m", "f", t0);
  m.import_table("m", "t", VT::FuncRef, 1, 5);
  m.import_memory("m", "mem", 1);
  m.import_global("m", "g", VT::I64, false);
  const uint32_t f = m.func(t0, {0x20, 0x00});
  m.func(t0, {0x41, 0x07}, {{2, VT::I64}});
  m.table(VT::ExternRef, 2);
  m.global(VT::I32, true, {0x41, 0x80, 0x01});
  m.global(VT::F64, false, wasm_builder::f64_const_bits(0x3FF8000000000000));  // 1.5
  m.export_func("f", f);
  m.export_("t", ExternKind::Table, 0);
  m.elem_active({0x41, 0x00}, {f, f});
  m.elem_active_table(0, {0x41, 0x01}, {f});
  m.elem_passive({f});
  m.elem_declare({f, f, f});
  m.data_active({0x41, 0x00}, {1, 2, 3});
  m.data_passive({});
  // Segments with expressions (elem flags 5 and 6) and data with a memory
  // index (flags 2), which the builder does not write.
  const std::vector<uint8_t> raw =
      wasm_builder::cat({{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00},
                         {0x09, 0x14, 0x02, 0x05, 0x70, 0x02, 0xD2, 0x00, 0x0B, 0xD0, 0x70,
                          0x0B, 0x06, 0x00, 0x41, 0x00, 0x0B, 0x70, 0x01, 0xD2, 0x00, 0x0B},
                         {0x0B, 0x08, 0x01, 0x02, 0x00, 0x41, 0x00, 0x0B, 0x01, 0xAA}});
  const std::map<uint8_t, size_t> want = {{1, 2}, {2, 4}, {3, 2},  {4, 1},  {6, 2},
                                          {7, 2}, {9, 4}, {10, 2}, {11, 2}, {12, 0}};
  const std::vector<uint8_t> built = m.build();
  ASSERT_EQ(warden_load(built).verdict, Verdict::Valid);
  for (const std::vector<uint8_t>* b : {&built, &raw}) {
    for (const Section& sec : sections_of(*b)) {
      size_t first = 0;
      const std::vector<std::pair<size_t, size_t>> items = section_items(*b, sec, &first);
      const size_t expected = b == &raw ? (sec.id == 9 ? 2 : 1) : want.at(sec.id);
      ASSERT_EQ(items.size(), expected) << "section " << int{sec.id};
      if (items.empty()) continue;  // the data count
      size_t at = first;
      for (const auto& [from, to] : items) {
        EXPECT_EQ(from, at) << "section " << int{sec.id};
        EXPECT_LT(from, to);
        at = to;
      }
      EXPECT_EQ(at, sec.offset + sec.size) << "section " << int{sec.id};
    }
  }
  // A section that stops parsing gives the items before: the third of
  // three exports cut short.
  std::vector<uint8_t> cut =
      wasm_builder::cat({{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00},
                         {0x07, 0x0B, 0x03, 0x01, 0x61, 0x00, 0x00, 0x01, 0x62, 0x00, 0x01, 0x01, 0x63}});
  EXPECT_EQ(section_items(cut, sections_of(cut).at(0)).size(), 2u);
  // Not vectors: custom, start, data count.
  const std::vector<uint8_t> other = wasm_builder::cat({{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00},
                                                        {0x00, 0x02, 0x01, 0x78},
                                                        {0x08, 0x01, 0x00},
                                                        {0x0C, 0x01, 0x00}});
  for (const Section& sec : sections_of(other)) EXPECT_TRUE(section_items(other, sec).empty()) << int{sec.id};
}

// A LEB128 whose last byte lies past its section's end is unreadable there.
// The scanners read it on into the next section's bytes, the check
// "n <= end - p" then wrapped (p was already past end), and they read past
// the module (ASan: heap-buffer-overflow). Two inputs, both replayed by
// fuzz_binary_mutate from corpora/regressions/binary_mutate/, which runs
// the scanners on every input:
//  - scan-body-size-past-section.wasm (written by hand, 15 bytes): a code
//    entry's size, 80 then the data section's id 0B, read as 1408; the
//    body walk went past the module;
//  - scan-custom-name-past-section.wasm (found by fuzz_binary_mutate with
//    the old scanners, in under a thousand runs): an empty custom section
//    whose name length was read from the next section's id and size;
//    custom_name copied past the module.
std::vector<uint8_t> scan_regression(const std::string& name) {
  std::ifstream f(fs::path(WARDEN_SOURCE_DIR) / "corpora" / "regressions" / "binary_mutate" / name, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

TEST(DiffScan, ALeb128RunningPastItsSectionIsNotRead) {
  const std::vector<uint8_t> b = scan_regression("scan-body-size-past-section.wasm");
  ASSERT_EQ(b.size(), 15u);
  const std::vector<Section> secs = sections_of(b);
  ASSERT_EQ(secs.size(), 2u);
  ASSERT_EQ(secs[0].id, 10);
  const size_t end = secs[0].offset + secs[0].size;
  size_t p = secs[0].offset + 1;  // the entry's size: 80, the section's last byte
  uint64_t v = 0;
  EXPECT_FALSE(read_u32(b, p, v, end));
  p = secs[0].offset + 1;
  EXPECT_TRUE(read_u32(b, p, v));  // unbounded, it reads on into the next section
  EXPECT_EQ(v, 0x0Bu << 7);
  for (BodyShape shape : {BodyShape::Balanced, BodyShape::MissingEnd, BodyShape::CodeAfterEnd, BodyShape::Unknown})
    EXPECT_FALSE(some_body(b, shape)) << static_cast<int>(shape);
  EXPECT_FALSE(some_instr(b, [](Op, size_t) { return true; }));
  EXPECT_TRUE(section_items(b, secs[0]).empty());
  // A body's end past the module is refused, not walked.
  EXPECT_EQ(body_shape(b, secs[0].offset, b.size() + 1), BodyShape::Unknown);
  p = secs[0].offset;
  EXPECT_FALSE(skip_expr(b, p, b.size() + 1));

  const std::vector<uint8_t> c = scan_regression("scan-custom-name-past-section.wasm");
  ASSERT_EQ(c.size(), 131u);
  const std::vector<Section> cs = sections_of(c);
  ASSERT_EQ(cs.size(), 7u);
  EXPECT_EQ(cs[5].id, 0);
  EXPECT_EQ(custom_name(c, cs[5]), "");  // its name is empty: 00
  ASSERT_EQ(cs[6].id, 0);
  ASSERT_EQ(cs[6].size, 0u);  // no byte for the name's length
  EXPECT_EQ(custom_name(c, cs[6]), "");
}

// without_custom_sections keeps every other section's header as it was. It
// found a header by walking back from the content over bytes with the
// LEB128 continuation bit, which an id of 0x80 or more has too: the walk
// went on into the section before and the copy began inside it.
TEST(DiffScan, WithoutCustomSectionsKeepsEachOtherSectionWhole) {
  const std::vector<uint8_t> b = wasm_builder::cat({{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00},
                                                    {0x01, 0x04, 0x01, 0x60, 0x00, 0x00},  // type
                                                    {0x00, 0x03, 0x01, 0x61, 0x80},        // custom "a"
                                                    {0x85, 0x02, 0x07, 0x80},              // unknown id 0x85
                                                    {0x00, 0x01, 0x00},                    // custom ""
                                                    {0x03, 0x82, 0x00, 0x01, 0x00}});      // func, size padded
  const std::vector<uint8_t> want = wasm_builder::cat({{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00},
                                                       {0x01, 0x04, 0x01, 0x60, 0x00, 0x00},
                                                       {0x85, 0x02, 0x07, 0x80},
                                                       {0x03, 0x82, 0x00, 0x01, 0x00}});
  EXPECT_EQ(without_custom_sections(b), want);
  // Nothing to strip, or sections that do not parse to the end: empty.
  EXPECT_TRUE(without_custom_sections(want).empty());
  EXPECT_TRUE(without_custom_sections(std::span<const uint8_t>(b).first(b.size() - 1)).empty());
}

TEST(DiffReduce, ModuleShrinksWhileThePredicateHolds) {
  ast::Module m = decoded(wat(R"((module
    (func $a (result i32) (i32.add (i32.const 1) (i32.const 2)))
    (func $b (result i32) (call $a))
    (func $c (drop (i32.const 5)) (nop) (nop))
    (global (mut i32) (i32.const 3))
    (export "keep" (func $c)) (export "x" (func $b))))"));
  auto interesting = [](const ast::Module& c) {
    for (const ast::Export& e : c.exports)
      if (e.name == "keep") return true;
    return false;
  };
  ReduceStats stats;
  ast::Module min = reduce_module(m, interesting, 500, true, &stats);
  ASSERT_EQ(min.exports.size(), 1u);
  EXPECT_EQ(min.exports[0].name, "keep");
  EXPECT_EQ(min.funcs.size(), 1u);
  EXPECT_TRUE(min.globals.empty());
  EXPECT_LE(min.funcs[0].body.size(), 2u);
  EXPECT_TRUE(load_syntax(min).ok());
  EXPECT_GT(stats.accepted, 0u);
}

TEST(DiffReduce, BytesShrinkToTheInterestingOnes) {
  std::vector<uint8_t> b = {1, 2, 3, 0x42, 5, 6, 7, 8, 9, 0x43, 11};
  auto interesting = [](std::span<const uint8_t> c) {
    return std::find(c.begin(), c.end(), 0x42) != c.end() && std::find(c.begin(), c.end(), 0x43) != c.end();
  };
  EXPECT_EQ(reduce_bytes(b, interesting, 1000), (std::vector<uint8_t>{0x42, 0x43}));
}

// A module Warden cannot decode (an illegal opcode in function 1 of 3, a
// custom section after the code): random cuts break its sizes, so the
// bytes reducer first drops whole sections and gives the other functions
// `unreachable` bodies, sizes rewritten (campaign seed 20261207's finding
// kept all its 1,520 bytes before).
TEST(DiffReduce, UndecodableModulesLoseSectionsBodiesAndBytesInsideABody) {
  wasm_builder::Module m;
  const uint32_t t = m.type({}, {ValType::I32});
  m.func(t, {0x41, 0x01, 0x41, 0x02, 0x6A});  // i32.const 1 i32.const 2 i32.add
  m.func(t, {0x41, 0x05, 0x1A, 0xFE, 0x20});  // i32.const 5 drop, the illegal 0xFE
  m.func(t, {0x41, 0x07, 0x45});              // i32.const 7 i32.eqz
  const std::vector<uint8_t> b = wasm_builder::cat({m.build(), {0x00, 0x03, 0x01, 0x78, 0x00}});  // custom "x"
  ASSERT_EQ(warden_load(b).message, "illegal opcode");
  const BytesPredicate interesting = [](std::span<const uint8_t> c) {
    const LoadResult l = warden_load(std::vector<uint8_t>(c.begin(), c.end()));
    return l.verdict == Verdict::Malformed && l.message == "illegal opcode" && byte_at(c, l.offset) == 0xFE;
  };
  ReduceStats stats;
  const std::vector<uint8_t> min = reduce_bytes(b, interesting, 1000, &stats);
  EXPECT_TRUE(interesting(min));
  // The custom and type sections went whole (Warden stops at the opcode
  // before a missing type could matter: a peer in the predicate would have
  // kept it), the first and last bodies became `unreachable`, then went
  // with their functions (the function section's items take the code
  // entries of the same functions: 01 00 and 01 03 00 FE ... left), the
  // cuts inside the second body took `i32.const 5 drop` and the byte after
  // the 0xFE but not its locals count (00) or its final `end`, with the
  // entry's size (03) and the code section's rewritten each time; then the
  // plain chunk deletions took that `end`, which nothing reads past the
  // 0xFE.
  EXPECT_EQ(min, (std::vector<uint8_t>{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0A,
                                       0x05, 0x01, 0x03, 0x00, 0xFE}));
  EXPECT_EQ(stats.checks, 59u);
}

TEST(DiffReduce, UndecodableModulesLoseItemsOfASection) {
  wasm_builder::Module m;
  const uint32_t t = m.type({}, {});
  m.import_func("m", "a", t);
  m.import_func("m", "b", t);
  m.import_func("m", "c", t);
  m.import_global("m", "g", static_cast<ValType>(0x00), false);  // no value type
  m.import_func("m", "d", t);
  m.export_func("a", 0);
  const std::vector<uint8_t> b = m.build();
  const LoadResult w = warden_load(b);
  ASSERT_EQ(w.verdict, Verdict::Malformed);
  const std::string message = w.message;
  const BytesPredicate interesting = [&](std::span<const uint8_t> c) {
    const LoadResult l = warden_load(std::vector<uint8_t>(c.begin(), c.end()));
    return l.verdict == Verdict::Malformed && l.message == message && byte_at(c, l.offset) == 0x00;
  };
  ReduceStats stats;
  const std::vector<uint8_t> min = reduce_bytes(b, interesting, 1000, &stats);
  EXPECT_TRUE(interesting(min));
  // The type and export sections went whole, then the four function
  // imports as runs of items, the count rewritten (01) and the section's
  // size (08): the global import alone was left. Then the plain chunk
  // deletions took its mutability byte, which Warden never reaches.
  EXPECT_EQ(min, (std::vector<uint8_t>{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x02, 0x08, 0x01, 0x01, 0x6D,
                                       0x01, 0x67, 0x03, 0x00}))
      << message;
  EXPECT_EQ(stats.checks, 59u);
}

// Data segments go with the data count: a peer that checks the two agree
// (as Binaryen does) keeps accepting each candidate.
TEST(DiffReduce, DataSegmentsTakeTheDataCountWithThem) {
  wasm_builder::Module m;
  m.memory(1);
  for (uint8_t k = 0; k < 3; ++k) m.data_passive({k, k});
  const std::vector<uint8_t> b = wasm_builder::cat({m.build(), {0x0D, 0x00}});  // no section 13
  ASSERT_EQ(warden_load(b).message, "malformed section id");
  const auto count_of = [](std::span<const uint8_t> c, uint8_t id) -> std::optional<uint64_t> {
    for (const Section& s : sections_of(c)) {
      size_t p = s.offset;
      uint64_t n = 0;
      if (s.id == id && read_u32(c, p, n)) return n;
    }
    return std::nullopt;
  };
  const BytesPredicate interesting = [&](std::span<const uint8_t> c) {
    const std::optional<uint64_t> datas = count_of(c, 11), declared = count_of(c, 12);
    return warden_load(std::vector<uint8_t>(c.begin(), c.end())).message == "malformed section id" && datas &&
           declared && *datas == *declared;
  };
  ReduceStats stats;
  const std::vector<uint8_t> min = reduce_bytes(b, interesting, 1000, &stats);
  // The memory went whole; every segment went, the data count with them
  // (0C 01 00, 0B 01 00); the plain chunks took the size byte of the bad
  // section, which Warden never reads.
  EXPECT_EQ(min, (std::vector<uint8_t>{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x0C, 0x01, 0x00, 0x0B, 0x01,
                                       0x00, 0x0D}));
}

// --------------------------------------------------------- peer rules ----

TEST(DiffSuspects, AnOperatorIsJudgedOnItsOwnOperands) {
  ast::Module m = decoded(wat(R"((module
    (func (export "f") (param i32) (result i32) local.get 0 i32.const 1 i32.rotl i32.const 3 i32.add)
    (func (export "g") (param f32) (result f32) local.get 0 local.get 0 f32.add)))"));
  Trace t = trace_module(m);
  ASSERT_EQ(t.sites.size(), 3u);
  EXPECT_EQ(t.sites[0].op, Op::I32Rotl);
  // The traced module runs as the original does, and Warden is no suspect.
  Probe p;
  std::string err;
  ASSERT_TRUE(make_probe(t.module, 5, ProbeConfig{}, p, err)) << err;
  RunResult r = run_on_warden(p);
  ASSERT_EQ(r.calls.back().status, Outcome::Status::Ok);
  std::map<uint32_t, std::vector<uint64_t>> g = globals_of(p.state_labels, r.calls.back().values);
  EXPECT_EQ(g.at(t.sites[0].first_global), std::vector<uint64_t>{2});  // two rounds: two executions
  EXPECT_TRUE(suspects(t, g).empty());
  // An engine whose rotl gave 0x80000000 for (1, 1): the add after it is
  // right for what it was given, so only the rotl is suspected.
  uint32_t rotl = t.sites[0].first_global, add = t.sites[1].first_global, fadd = t.sites[2].first_global;
  std::map<uint32_t, std::vector<uint64_t>> wrong = {
      {rotl, {1}},
      {rotl + 1, {1}},
      {rotl + 2, {1}},
      {rotl + 3, {0x80000000}},
      {rotl + 4, {1}},
      {rotl + 5, {1}},
      {rotl + 6, {0x80000000}},
      {add, {1}},
      {add + 1, {0x80000000}},
      {add + 2, {3}},
      {add + 3, {0x80000003}},
      {add + 4, {0x80000000}},
      {add + 5, {3}},
      {add + 6, {0x80000003}},
      // A NaN of another payload where the spec allows any NaN is no fault.
      {fadd, {1}},
      {fadd + 1, {0x7FC00000}},
      {fadd + 2, {0x7FC00000}},
      {fadd + 3, {0xFFC00001}},
      {fadd + 4, {0x7FC00000}},
      {fadd + 5, {0x7FC00000}},
      {fadd + 6, {0x7FC00000}}};
  EXPECT_EQ(suspects(t, wrong), std::vector<std::string>{"i32.rotl"});
  wrong[rotl + 3] = wrong[rotl + 6] = {2};
  wrong[add + 1] = wrong[add + 4] = {2};
  wrong[add + 3] = wrong[add + 6] = {5};
  EXPECT_TRUE(suspects(t, wrong).empty());
  wrong[fadd + 6] = {0x3F800000};  // 1.0 for NaN + NaN
  EXPECT_EQ(suspects(t, wrong), std::vector<std::string>{"f32.add"});
}

TEST(DiffPeerRules, ExplainOnlyWhatTheRuleDescribes) {
  std::vector<uint8_t> bytes = {0, 'a', 's', 'm', 1, 0, 0, 0};
  Finding f;
  f.kind = FindingKind::Validation;
  f.engines = {"binaryen"};
  std::vector<EngineLoad> loads = {{"warden", true, {Verdict::Malformed, "malformed UTF-8 encoding", 0x11}},
                                   {"binaryen", false, {Verdict::Valid, "", kNoOffset}}};
  EXPECT_EQ(explain(RuleContext{f, bytes, nullptr, loads, {}, nullptr}), "binaryen-108-no-utf8-validation");
  loads[0].load.message = "unexpected end";
  EXPECT_EQ(explain(RuleContext{f, bytes, nullptr, loads, {}, nullptr}), "");
  // Every engine on the other side needs its own explanation.
  loads[0].load.message = "malformed UTF-8 encoding";
  f.engines = {"binaryen", "wabt"};
  loads.push_back({"wabt", true, {Verdict::Valid, "", kNoOffset}});
  EXPECT_EQ(explain(RuleContext{f, bytes, nullptr, loads, {}, nullptr}), "");
}

// Node 20's V8 has the threads proposal's atomic instructions (campaign
// seed 20261207: a mutant with i32.atomic.rmw8.add_u, which V8 alone
// accepted): a feature, ignored, and only where Warden's illegal opcode is
// the 0xFE prefix.
TEST(DiffPeerRules, V8AtomicsAreAFeature) {
  // (memory 1) (func i32.const 0 i32.const 1 i32.atomic.rmw8.add_u drop)
  wasm_builder::Module m;
  m.memory(1);
  m.func(m.type({}, {}), {0x41, 0x00, 0x41, 0x01, 0xFE, 0x20, 0x00, 0x00, 0x1A});
  std::vector<uint8_t> bytes = m.build();
  const size_t prefix = static_cast<size_t>(std::find(bytes.begin(), bytes.end(), 0xFE) - bytes.begin());
  auto explained = [](const std::vector<uint8_t>& b) {
    Finding f;
    f.kind = FindingKind::Validation;
    f.engines = {"v8"};
    std::vector<EngineLoad> loads = {{"warden", true, warden_load(b)}, {"v8", false, {Verdict::Valid, "", kNoOffset}}};
    return explain(RuleContext{f, b, nullptr, loads, {}, nullptr});
  };
  const LoadResult w = warden_load(bytes);
  ASSERT_EQ(w.verdict, Verdict::Malformed);
  ASSERT_EQ(w.message, "illegal opcode");
  ASSERT_EQ(w.offset, prefix);
  EXPECT_EQ(explained(bytes), "feature:v8-threads-atomics");
  bytes[prefix] = 0xFF;  // no proposal's prefix: unexplained
  ASSERT_EQ(warden_load(bytes).message, "illegal opcode");
  EXPECT_EQ(explained(bytes), "");
}

// Campaign seed 20261208: a block that a br_table leaves only by labels
// outside it never falls through, to Binaryen 108 and 132 alike, and what
// follows it goes unchecked (108) or takes the stack beneath it unchecked
// (132). A br_table with the block among its labels falls through.
TEST(DiffPeerRules, ABrTableOutOfABlockMakesWhatFollowsDeadToBinaryen) {
  auto explained = [](const std::vector<uint8_t>& bytes, const std::string& peer) {
    Finding f;
    f.kind = FindingKind::Validation;
    f.engines = {peer};
    std::vector<EngineLoad> loads = {{"warden", true, warden_load(bytes)},
                                     {peer, false, {Verdict::Valid, "", kNoOffset}}};
    Result<ast::Module> m = decode(bytes, Limits{});
    return explain(RuleContext{f, bytes, m.ok() ? &*m : nullptr, loads, {}, nullptr});
  };
  // Each checked with wasm-opt 108 and 132: valid to both; valid to 108
  // only; rejected by both (and the fourth, below, too).
  const std::vector<uint8_t> beneath = wat("(module (func (block i32.const 0 br_table 1 1) i64.eqz drop))");
  const std::vector<uint8_t> concrete =
      wat("(module (func (block i32.const 0 br_table 1 1) f32.const 0 i64.eqz drop))");
  const std::vector<uint8_t> to_block = wat("(module (func (block i32.const 0 br_table 0 1) i64.eqz drop))");
  // The block as the default label only (the last of the label list).
  const std::vector<uint8_t> by_default = wat("(module (func (block i32.const 0 br_table 1 0) i64.eqz drop))");
  for (const auto* m : {&beneath, &concrete, &to_block, &by_default})
    ASSERT_EQ(warden_load(*m).message, "type mismatch");
  EXPECT_EQ(explained(by_default, "binaryen"), "");
  EXPECT_EQ(explained(by_default, "binaryen-npm"), "");
  EXPECT_EQ(explained(beneath, "binaryen"), "binaryen-108-skips-validation-after-branch");
  EXPECT_EQ(explained(beneath, "binaryen-npm"), "binaryen-108-skips-validation-after-branch");
  EXPECT_EQ(explained(concrete, "binaryen"), "binaryen-108-skips-validation-after-branch");
  EXPECT_EQ(explained(concrete, "binaryen-npm"), "");
  EXPECT_EQ(explained(to_block, "binaryen"), "");
  EXPECT_EQ(explained(to_block, "binaryen-npm"), "");
}

// Campaign seed 20261215: Binaryen 108 reads nothing after an
// unconditional branch in its block, so a branch there targets nothing and
// the block never falls through; what follows is dead to it. Each module
// checked with wasm-opt 108: valid (explained) or rejected (must stay
// unexplained).
TEST(DiffPeerRules, ABranchInCodeBinaryen108SkipsTargetsNothing) {
  auto explained = [](const std::vector<uint8_t>& bytes) {
    Finding f;
    f.kind = FindingKind::Validation;
    f.engines = {"binaryen"};
    std::vector<EngineLoad> loads = {{"warden", true, warden_load(bytes)},
                                     {"binaryen", false, {Verdict::Valid, "", kNoOffset}}};
    Result<ast::Module> m = decode(bytes, Limits{});
    return explain(RuleContext{f, bytes, m.ok() ? &*m : nullptr, loads, {}, nullptr});
  };
  const std::string rule = "binaryen-108-skips-validation-after-branch";
  const std::string after = " f32.const 0 i32x4.trunc_sat_f32x4_s drop";
  // Valid to Binaryen 108: the br_if (or br) after `unreachable` is not read.
  const std::vector<uint8_t> dead_br_if = wat("(module (func (block unreachable i32.const 0 br_if 0)" + after + "))");
  const std::vector<uint8_t> in_loop =
      wat("(module (func (result i32) (block (result i32) (loop (block unreachable i32.const 0 br_if 0))" + after +
          " i32.const 0)))");
  const std::vector<uint8_t> outer = wat("(module (func (block (block unreachable br 1))" + after + "))");
  const std::vector<uint8_t> then_arm =
      wat("(module (func (block (if (i32.const 1) (then unreachable br 1) (else unreachable)))" + after + "))");
  // Rejected by Binaryen 108: the branch is read (before `unreachable`, or
  // in the other arm of an if), so the block falls through.
  const std::vector<uint8_t> live_br_if =
      wat("(module (func (result i32) (block (result i32) (loop (block i32.const 0 br_if 0 unreachable))" + after +
          " i32.const 0)))");
  const std::vector<uint8_t> else_arm =
      wat("(module (func (block (if (i32.const 1) (then unreachable) (else br 1)))" + after + "))");
  // Rejected by Binaryen 108 as well: a construct with results keeps its
  // declared type, whatever its body ends in.
  const std::vector<uint8_t> with_result = wat("(module (func (block (result i32) unreachable) drop" + after + "))");
  const std::vector<uint8_t> loop_result = wat("(module (func (loop (result i32) unreachable) drop" + after + "))");
  const std::vector<uint8_t> if_result =
      wat("(module (func (if (result i32) (i32.const 1) (then unreachable) (else unreachable)) drop" + after + "))");
  const std::vector<uint8_t> result_dead_br_if =
      wat("(module (func (block (result i32) unreachable i32.const 1 i32.const 0 br_if 0) drop" + after + "))");
  const std::vector<uint8_t> nested_result =
      wat("(module (func (block (block (result i32) unreachable i32.const 1 i32.const 0 br_if 0) drop)" + after + "))");
  for (const auto* m : {&dead_br_if, &in_loop, &outer, &then_arm, &live_br_if, &else_arm, &with_result, &loop_result,
                        &if_result, &result_dead_br_if, &nested_result})
    ASSERT_EQ(warden_load(*m).message, "type mismatch");
  EXPECT_EQ(explained(dead_br_if), rule);
  EXPECT_EQ(explained(in_loop), rule);
  EXPECT_EQ(explained(outer), rule);
  EXPECT_EQ(explained(then_arm), rule);
  EXPECT_EQ(explained(live_br_if), "");
  EXPECT_EQ(explained(else_arm), "");
  for (const auto* m : {&with_result, &loop_result, &if_result, &result_dead_br_if, &nested_result})
    EXPECT_EQ(explained(*m), "");
}

// Campaign seed 20261208: Binaryen 108 lets table.set store a funcref into
// an externref table, and nothing else of the kind.
TEST(DiffPeerRules, BinaryenTableSetOfAFuncrefIntoAnExternrefTable) {
  // `witness` (V8 or wabt) rejected the module with `message`.
  auto explained = [](const std::vector<uint8_t>& bytes, const std::string& witness, const std::string& message) {
    Finding f;
    f.kind = FindingKind::Validation;
    f.engines = {"binaryen"};
    std::vector<EngineLoad> loads = {{"warden", true, warden_load(bytes)},
                                     {"binaryen", false, {Verdict::Valid, "", kNoOffset}},
                                     {witness, false, {Verdict::Invalid, message, kNoOffset}}};
    Result<ast::Module> m = decode(bytes, Limits{});
    return explain(RuleContext{f, bytes, m.ok() ? &*m : nullptr, loads, {}, nullptr});
  };
  const std::string rule = "binaryen-108-table-set-funcref-into-externref";
  // V8's and wabt's words on each, as node 20 and wabt 1.0.32 give them.
  const std::vector<uint8_t> into_extern =
      wat("(module (table 1 funcref) (table 1 externref) (func (table.set 1 (i32.const 0) (ref.null func))))");
  const std::vector<uint8_t> into_func =
      wat("(module (table 1 externref) (table 1 funcref) (func (table.set 1 (i32.const 0) (ref.null extern))))");
  for (const auto* m : {&into_extern, &into_func}) ASSERT_EQ(warden_load(*m).message, "type mismatch");
  EXPECT_EQ(explained(into_extern, "v8",
                      "Compiling function #0 failed: table.set[1] expected type externref, found ref.null of type "
                      "funcref @+40"),
            rule);
  EXPECT_EQ(
      explained(into_extern, "wabt", "type mismatch in table.set, expected [i32, externref] but got [i32, funcref]"),
      rule);
  // The other direction: rejected by Binaryen 108 too.
  EXPECT_EQ(explained(into_func, "v8",
                      "Compiling function #0 failed: table.set[1] expected type funcref, found ref.null of type "
                      "externref @+40"),
            "");
  // The message alone is not enough: table 1 of this module is a funcref
  // table.
  EXPECT_EQ(explained(into_func, "v8",
                      "Compiling function #0 failed: table.set[1] expected type externref, found ref.null of type "
                      "funcref @+40"),
            "");
  // An externref table, but the witness blames the index: not this bug.
  EXPECT_EQ(explained(into_extern, "v8",
                      "Compiling function #0 failed: table.set[0] expected type i32, found ref.null of type "
                      "funcref @+38"),
            "");
}

// Seed 20261211: an element item that does not end inside the element
// section. Warden, as the reference interpreter, reads on into the code
// section and fails there; wabt 1.0.32 accepts the module; V8 names the
// item's opcode.
TEST(DiffPeerRules, WabtElemItemRunningPastItsSection) {
  // A passive segment of one item, `v128.load8x8_s` (fd 01) whose memarg
  // is the code section's bytes.
  const std::vector<uint8_t> bytes = wasm_builder::cat({{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00},
                                                        {0x01, 0x04, 0x01, 0x60, 0x00, 0x00},
                                                        {0x03, 0x02, 0x01, 0x00},
                                                        {0x09, 0x06, 0x01, 0x05, 0x70, 0x01, 0xFD, 0x01},
                                                        {0x0A, 0x04, 0x01, 0x02, 0x00, 0x0B}});
  const LoadResult w = warden_load(bytes);
  ASSERT_EQ(w.verdict, Verdict::Malformed);
  ASSERT_GE(w.offset, 28u);  // in the code section's content (28-31); the element section's is 20-25
  auto explained = [&](const std::vector<uint8_t>& module, const LoadResult& warden, const std::string& v8) {
    Finding f;
    f.kind = FindingKind::Validation;
    f.engines = {"wabt"};
    std::vector<EngineLoad> loads = {{"warden", true, warden},
                                     {"wabt", false, {Verdict::Valid, "", kNoOffset}},
                                     {"v8", false, {Verdict::Invalid, v8, kNoOffset}}};
    return explain(RuleContext{f, module, nullptr, loads, {}, nullptr});
  };
  const std::string v8 =
      "CompileError: WebAssembly.Module(): opcode v128.load8x8_s is not allowed in constant expressions";
  EXPECT_EQ(explained(bytes, w, v8 + " @+24"), "wabt-1.0.32-elem-expr-error-ignored");  // the fd
  EXPECT_EQ(explained(bytes, w, v8 + " @+31"), "");  // V8's complaint is not in the element section
  EXPECT_EQ(explained(bytes, w, v8), "");            // nor anywhere it says
  EXPECT_EQ(explained(bytes, w, "CompileError: WebAssembly.Module(): invalid opcode @+24"), "");
  // An item that ends inside its section (`i32.add end`, invalid, not
  // malformed) and a malformed error of Warden's in the code section after
  // it: nothing ran past the section, so that error is not this bug's.
  std::vector<uint8_t> ended = bytes;
  ended[24] = 0x6A;  // in place of fd 01
  ended[25] = 0x0B;
  ASSERT_EQ(warden_load(ended).message, "constant expression required");
  const LoadResult odd{Verdict::Malformed, "illegal opcode", 30};  // as a decoder bug might say
  EXPECT_EQ(explained(ended, odd,
                      "CompileError: WebAssembly.Module(): opcode i32.add is not allowed in constant expressions @+24"),
            "");
}

TEST(DiffPeerRules, WabtBodyWithoutFinalEnd) {
  // type [] -> [f64]; body: block (result f64) nop unreachable end -- the
  // function's own end is missing, the last byte is still 0x0B.
  std::vector<uint8_t> bytes = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05,
                                0x01, 0x60, 0x00, 0x01, 0x7c, 0x03, 0x02, 0x01, 0x00, 0x0a,
                                0x08, 0x01, 0x06, 0x00, 0x02, 0x7c, 0x01, 0x00, 0x0b};
  Result<std::shared_ptr<const Module>> w = Module::load(bytes);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().kind, ErrorKind::Malformed);
  Finding f;
  f.kind = FindingKind::Validation;
  f.engines = {"wabt"};
  std::vector<EngineLoad> loads = {{"warden", true, {Verdict::Malformed, w.error().message, w.error().offset}},
                                   {"wabt", true, {Verdict::Valid, "", kNoOffset}}};
  EXPECT_EQ(explain(RuleContext{f, bytes, nullptr, loads, {}, nullptr}), "wabt-1.0.32-body-without-final-end");
  bytes.back() = 0x0b;
  bytes.insert(bytes.end() - 1, 0x0b);  // now balanced, one byte longer
  bytes[20] = 0x09, bytes[22] = 0x07;
  EXPECT_EQ(explain(RuleContext{f, bytes, nullptr, loads, {}, nullptr}), "");
}

// The body scanner finds typed selects by walking instructions, not by
// looking for a 0x1C byte: the same byte as an immediate does not count.
TEST(DiffPeerRules, TypedSelectRulesWalkTheBody) {
  // func: i32.const 0 (x3); select (result <byte>...); drop
  auto module = [](std::vector<uint8_t> select_vec) {
    std::vector<uint8_t> body = {0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0x1c};
    body.insert(body.end(), select_vec.begin(), select_vec.end());
    body.insert(body.end(), {0x1a, 0x0b});
    std::vector<uint8_t> m = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04,
                              0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0a};
    m.push_back(static_cast<uint8_t>(body.size() + 2));
    m.push_back(1);
    m.push_back(static_cast<uint8_t>(body.size()));
    m.insert(m.end(), body.begin(), body.end());
    return m;
  };
  auto load = [](const std::vector<uint8_t>& bytes) {
    LoadResult l = warden_load(bytes);
    EXPECT_NE(l.verdict, Verdict::Valid);
    return l;
  };
  Finding f;
  f.kind = FindingKind::Validation;
  f.engines = {"wabt"};
  std::vector<uint8_t> empty = module({0x00});
  std::vector<EngineLoad> loads = {{"warden", true, load(empty)}, {"wabt", true, {Verdict::Valid, "", kNoOffset}}};
  EXPECT_EQ(loads[0].load.message, "invalid result arity");
  EXPECT_EQ(explain(RuleContext{f, empty, nullptr, loads, {}, nullptr}), "wabt-1.0.32-select-arity-unchecked");
  // i32.const 28 (0x1C as an immediate) and an untyped select: no typed select.
  std::vector<uint8_t> imm = empty;
  imm[24] = 0x1c, imm[29] = 0x1b, imm[30] = 0x01;  // ...; select; nop; drop
  EXPECT_EQ(explain(RuleContext{f, imm, nullptr, loads, {}, nullptr}), "");

  f.kind = FindingKind::Crash;
  f.engines = {"binaryen"};
  std::vector<uint8_t> index = module({0x01, 0x00});  // select (result <type index 0>)
  loads = {{"warden", true, load(index)},
           {"binaryen",
            false,
            {Verdict::Crash,
             "signal 6: wasm-opt: ./src/wasm-type.h:491: void wasm::Tuple::validate(): Assertion "
             "`type.isSingle()' failed.",
             kNoOffset}}};
  EXPECT_EQ(loads[0].load.message, "malformed value type");
  EXPECT_EQ(explain(RuleContext{f, index, nullptr, loads, {}, nullptr}), "binaryen-108-select-type-vector-abort");
  std::vector<uint8_t> good = module({0x01, 0x7f});  // a valid typed select: the crash is something else
  EXPECT_EQ(explain(RuleContext{f, good, nullptr, loads, {}, nullptr}), "");
  loads[1].load.message = "signal 6";  // no assertion named: not this bug
  EXPECT_EQ(explain(RuleContext{f, index, nullptr, loads, {}, nullptr}), "");
}

// binaryen-108-exception-target-abort (campaign seed 9151): Binaryen 108
// aborts on a rethrow, or a try's delegate, whose label is a block's.
TEST(DiffPeerRules, BinaryenExceptionTargetAbort) {
  auto module = [](std::vector<uint8_t> body) {
    std::vector<uint8_t> m = {0x00, 0x61,
                              0x73, 0x6d,
                              0x01, 0x00,
                              0x00, 0x00,
                              0x01, 0x04,
                              0x01, 0x60,
                              0x00, 0x00,
                              0x03, 0x02,
                              0x01, 0x00,
                              0x0a, static_cast<uint8_t>(body.size() + 3),
                              0x01, static_cast<uint8_t>(body.size() + 1),
                              0x00};
    for (uint8_t b : body) m.push_back(b);
    return m;
  };
  const LoadResult abort{Verdict::Crash,
                         "signal 6: wasm-opt: ./src/wasm/wasm-binary.cpp:2333: void "
                         "wasm::WasmBinaryBuilder::readFunctions(): Assertion `exceptionTargetNames.empty()' failed.",
                         kNoOffset};
  Finding f;
  f.kind = FindingKind::Crash;
  f.engines = {"binaryen"};
  auto explained = [&](const std::vector<uint8_t>& bytes, const LoadResult& theirs) {
    std::vector<EngineLoad> loads = {{"warden", true, warden_load(bytes)}, {"binaryen", false, theirs}};
    return explain(RuleContext{f, bytes, nullptr, loads, {}, nullptr});
  };
  std::vector<uint8_t> rethrow = module({0x02, 0x40, 0x09, 0x00, 0x0b, 0x0b});               // block rethrow 0 end
  std::vector<uint8_t> delegate = module({0x02, 0x40, 0x06, 0x40, 0x18, 0x00, 0x0b, 0x0b});  // block try delegate 0
  ASSERT_EQ(warden_load(rethrow).message, "illegal opcode");
  ASSERT_EQ(warden_load(delegate).message, "illegal opcode");
  EXPECT_EQ(explained(rethrow, abort), "binaryen-108-exception-target-abort");
  EXPECT_EQ(explained(delegate, abort), "binaryen-108-exception-target-abort");
  // Another illegal opcode (0x12, return_call): the abort is something else.
  EXPECT_EQ(explained(module({0x02, 0x40, 0x12, 0x00, 0x0b, 0x0b}), abort), "");
  // An abort that names no assertion, or another one: not this bug.
  EXPECT_EQ(explained(rethrow, LoadResult{Verdict::Crash, "signal 6", kNoOffset}), "");
  EXPECT_EQ(explained(rethrow, LoadResult{Verdict::Crash, "signal 6: Assertion `type.isSingle()' failed.", kNoOffset}),
            "");
}

// A bug the conformance run found (differential/peer-bugs.md, "Binaryen 108:
// found by the conformance run") that a campaign can meet too: Binaryen
// accepts `ref.func` of an undeclared function.
TEST(DiffPeerRules, BinaryenUndeclaredFunctionReference) {
  std::vector<uint8_t> bytes = wat("(module (func $f (drop (ref.func $f))))");
  LoadResult w = warden_load(bytes);
  ASSERT_EQ(w.message, "undeclared function reference");
  Finding f;
  f.kind = FindingKind::Validation;
  f.engines = {"binaryen"};
  std::vector<EngineLoad> loads = {{"warden", true, w}, {"binaryen", false, {Verdict::Valid, "", kNoOffset}}};
  Result<ast::Module> m = decode(bytes, Limits{});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(explain(RuleContext{f, bytes, &*m, loads, {}, nullptr}), "binaryen-108-undeclared-function-reference");
  // Binaryen refusing it too: no finding of this bug.
  loads[1].load = {Verdict::Rejected, "rejected", kNoOffset};
  EXPECT_EQ(explain(RuleContext{f, bytes, &*m, loads, {}, nullptr}), "");
  // The function is declared (by an export, a global, an element segment):
  // Warden saying "undeclared" would be Warden's bug, and stays unexplained.
  loads[1].load = {Verdict::Valid, "", kNoOffset};
  for (const char* declared : {"(module (func $f (export \"f\") (drop (ref.func $f))))",
                               "(module (global funcref (ref.func $f)) (func $f (drop (ref.func $f))))",
                               "(module (elem declare func $f) (func $f (drop (ref.func $f))))"}) {
    std::vector<uint8_t> d = wat(declared);
    Result<ast::Module> dm = decode(d, Limits{});
    ASSERT_TRUE(dm.ok());
    EXPECT_EQ(explain(RuleContext{f, d, &*dm, loads, {}, nullptr}), "") << declared;
  }
}

// The npm engines (Binaryen 132, wabt 1.0.39) are asked the rules of the
// catalogued bugs they still have, narrowed where the newest version has
// fewer of them, and the rules of their own new bugs; never the rules of
// bugs they no longer have (peer-bugs.md, the Newest lines).
TEST(DiffPeerRules, NpmEnginesGetTheRulesOfTheBugsTheyStillHave) {
  // A validation finding: `peer` says `theirs`, Warden what it says.
  auto explained = [](const std::vector<uint8_t>& bytes, const std::string& peer, LoadResult theirs) {
    Finding f;
    f.kind = FindingKind::Validation;
    f.engines = {peer};
    std::vector<EngineLoad> loads = {{"warden", true, warden_load(bytes)}, {peer, false, theirs}};
    Result<ast::Module> m = decode(bytes, Limits{});
    return explain(RuleContext{f, bytes, m.ok() ? &*m : nullptr, loads, {}, nullptr});
  };
  const LoadResult valid{Verdict::Valid, "", kNoOffset};

  // Declarative segments are dropped unread by both (campaign seed 9101):
  // `(elem declare func 7)` with no functions.
  std::vector<uint8_t> declared = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
                                   0x09, 0x05, 0x01, 0x03, 0x00, 0x01, 0x07};
  ASSERT_EQ(warden_load(declared).message, "unknown function 7");
  EXPECT_EQ(explained(declared, "binaryen", valid), "binaryen-108-declarative-segment-indices-unchecked");
  EXPECT_EQ(explained(declared, "binaryen-npm", valid), "binaryen-108-declarative-segment-indices-unchecked");
  // The same index in an active segment of a table: not this bug.
  std::vector<uint8_t> active = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x04, 0x04, 0x01, 0x70,
                                 0x00, 0x01, 0x09, 0x07, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x07};
  ASSERT_EQ(warden_load(active).message, "unknown function 7");
  EXPECT_EQ(explained(active, "binaryen", valid), "");

  // Fixed in 132 (rejected "invalid UTF-8 string"): asked of binaryen only.
  std::vector<uint8_t> utf8 = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x01, 0x90};
  ASSERT_EQ(warden_load(utf8).message, "malformed UTF-8 encoding");
  EXPECT_EQ(explained(utf8, "binaryen", valid), "binaryen-108-no-utf8-validation");
  EXPECT_EQ(explained(utf8, "binaryen-npm", valid), "");

  // Dead code: 132 misses only errors at values taken from the polymorphic
  // stack (or computed from such values); 108 misses all of them.
  std::vector<uint8_t> derived = wat("(module (func (result i64) unreachable f64.div i64.lt_u))");
  std::vector<uint8_t> left_over =
      wat("(module (func (param i32) (result i32) local.get 0 return i32.add i32.const 1))");
  std::vector<uint8_t> concrete = wat("(module (func (result i32) unreachable i32.const 0 f32.neg))");
  // A block that never falls through is "unreachable" to Binaryen too, and
  // the values before it are dropped.
  std::vector<uint8_t> after_block = wat("(module (func (param i64) (result i32) block unreachable end i64.ctz))");
  std::vector<uint8_t> before_block =
      wat("(module (func (result i32) (block i32.const 3 (block i32.const 0 return))))");
  // br_table's labels of different arity, its value from the polymorphic stack.
  std::vector<uint8_t> arities =
      wat("(module (func (block (result f64) unreachable i32.const 1 br_table 0 1 1) drop))");
  for (const auto* m : {&derived, &left_over, &concrete, &after_block, &before_block, &arities}) {
    ASSERT_EQ(warden_load(*m).message, "type mismatch");
    EXPECT_EQ(explained(*m, "binaryen", valid), "binaryen-108-skips-validation-after-branch");
  }
  EXPECT_EQ(explained(derived, "binaryen-npm", valid), "binaryen-108-skips-validation-after-branch");
  EXPECT_EQ(explained(left_over, "binaryen-npm", valid), "binaryen-108-skips-validation-after-branch");
  EXPECT_EQ(explained(after_block, "binaryen-npm", valid), "binaryen-108-skips-validation-after-branch");
  EXPECT_EQ(explained(before_block, "binaryen-npm", valid), "binaryen-108-skips-validation-after-branch");
  EXPECT_EQ(explained(arities, "binaryen-npm", valid), "binaryen-108-skips-validation-after-branch");
  EXPECT_EQ(explained(concrete, "binaryen-npm", valid), "");  // 132 rejects it
  // And the other way: 132 keeps the values from before a branch for the
  // code after it, and rejects this valid function.
  std::vector<uint8_t> kept =
      wat("(module (func i64.const 7 i32.const 1 return (if (result i32) (then i32.const 2 br 0) (else i32.const 3))"
          "  drop i64.clz drop))");
  const LoadResult unary{Verdict::Rejected,
                         "[wasm-validator error in function 0] i32 != i64: i64 unary value type must be correct, on ",
                         kNoOffset};
  EXPECT_EQ(explained(kept, "binaryen-npm", unary), "binaryen-132-dead-code-keeps-values-before-branch");
  EXPECT_EQ(explained(kept, "binaryen", unary), "");  // 108 accepts it
  std::vector<uint8_t> live = wat("(module (func i64.const 7 i64.clz drop))");
  EXPECT_EQ(explained(live, "binaryen-npm", unary), "");  // no dead code there: another bug

  // Over-long LEB128s: 132 accepts them only in one-byte fields (value
  // types, limits flags), where Warden's error is at the field's second byte.
  std::vector<uint8_t> i64 = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x06, 0x0f, 0x01, 0x7e, 0x00,
                              0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02, 0x0b};
  EXPECT_EQ(explained(i64, "binaryen", valid), "binaryen-108-lax-leb128");
  EXPECT_EQ(explained(i64, "binaryen-npm", valid), "");
  // (func (local <ff ff ff 7f>)): a local's type, over-long; and the
  // function's type index as 6 bytes (a u32), where 132 says "LEB overflow".
  const std::vector<uint8_t> types = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00,
                                      0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00};
  std::vector<uint8_t> local = types, index = types;
  local.insert(local.end(), {0x03, 0x02, 0x01, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x01, 0x01, 0xff, 0xff, 0xff, 0x7f, 0x0b});
  index.insert(index.end(), {0x03, 0x07, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b});
  for (const auto& [m, npm] : {std::pair{&local, "binaryen-108-lax-leb128"}, std::pair{&index, ""}}) {
    ASSERT_EQ(warden_load(*m).message, "integer representation too long");
    EXPECT_EQ(explained(*m, "binaryen", valid), "binaryen-108-lax-leb128");
    EXPECT_EQ(explained(*m, "binaryen-npm", valid), npm);
  }

  // One-byte fields 132 reads as LEB128s: mutability 80 00 (2 it refuses),
  // and limits flags with bits it ignores (0x40), as 108 does.
  const std::vector<uint8_t> globals = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x06, 0x07, 0x01, 0x7f};
  std::vector<uint8_t> mut_leb = globals, mut_two = globals;
  mut_leb.insert(mut_leb.end(), {0x80, 0x00, 0x41, 0x00, 0x0b});
  mut_two.insert(mut_two.end(), {0x02, 0x41, 0x00, 0x0b, 0x0b});
  ASSERT_EQ(warden_load(mut_leb).message, "malformed mutability");
  ASSERT_EQ(warden_load(mut_two).message, "malformed mutability");
  EXPECT_EQ(explained(mut_leb, "binaryen-npm", valid), "binaryen-108-accepts-bad-mutability");
  EXPECT_EQ(explained(mut_two, "binaryen-npm", valid), "");
  EXPECT_EQ(explained(mut_two, "binaryen", valid), "binaryen-108-accepts-bad-mutability");
  std::vector<uint8_t> flag = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01, 0x40, 0x01};
  ASSERT_EQ(warden_load(flag).message, "integer too large");
  EXPECT_EQ(explained(flag, "binaryen-npm", valid), "binaryen-132-flag-bits-unchecked");
  EXPECT_EQ(explained(flag, "binaryen", valid), "binaryen-132-flag-bits-unchecked");
  // Element segment flags 0x43, read as 3 (declarative, an element kind).
  std::vector<uint8_t> elem = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x09, 0x04, 0x01, 0x43, 0x00, 0x00};
  ASSERT_EQ(warden_load(elem).message, "malformed elements segment kind");
  EXPECT_EQ(explained(elem, "binaryen-npm", valid), "binaryen-132-flag-bits-unchecked");
  flag[11] = 0x81, flag.push_back(0x00);  // the flag 1 as a two-byte LEB128: the LEB128 reading
  EXPECT_EQ(explained(flag, "binaryen-npm", valid), "binaryen-108-lax-leb128");

  // 132 reads the reference types of later proposals (0x6E, anyref), and no
  // longer any byte (0x00).
  std::vector<uint8_t> anyref = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
                                 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x6e};
  ASSERT_EQ(warden_load(anyref).message, "malformed value type");
  EXPECT_EQ(explained(anyref, "binaryen-npm", valid), "binaryen-108-accepts-bad-value-types");
  anyref.back() = 0x00;
  EXPECT_EQ(explained(anyref, "binaryen-npm", valid), "");
  EXPECT_EQ(explained(anyref, "binaryen", valid), "binaryen-108-accepts-bad-value-types");

  // wabt 1.0.39 still accepts data segment kinds 3-7 (the library too).
  std::vector<uint8_t> kind5 = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x0b, 0x0a,
                                0x01, 0x05, 0x06, 0xef, 0x98, 0x9a, 0xef, 0x92, 0xa9};
  ASSERT_EQ(warden_load(kind5).message, "malformed data segment kind");
  EXPECT_EQ(explained(kind5, "wabt-npm", valid), "wabt-1.0.32-data-segment-flags");
  // Fixed in 1.0.39 ("Data section missing but DataCount non-zero"), and
  // Binaryen 132's own bug: a data count of 3 and no data section.
  std::vector<uint8_t> count = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x0c, 0x01, 0x03};
  ASSERT_EQ(warden_load(count).message, "data count and data section have inconsistent lengths");
  EXPECT_EQ(explained(count, "wabt", valid), "wabt-1.0.32-datacount-without-data-section");
  EXPECT_EQ(explained(count, "wabt-npm", valid), "");
  std::vector<uint8_t> sentinel = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
                                   0x0c, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f};
  EXPECT_EQ(explained(sentinel, "wabt-npm", valid), "wabt-1.0.32-datacount-without-data-section");  // 2^32 - 1
  EXPECT_EQ(explained(count, "binaryen-npm", valid), "binaryen-132-datacount-without-data-section");
  EXPECT_EQ(explained(count, "binaryen", valid), "");  // 108 rejects it

  // 132 makes that many segments: a hang, when the count is more than the
  // module's bytes could hold.
  Finding hang;
  hang.kind = FindingKind::Hang;
  hang.engines = {"binaryen-npm"};
  std::vector<EngineLoad> hung = {{"binaryen-npm", false, {Verdict::Hang, "timed out", kNoOffset}}};
  std::vector<uint8_t> huge = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
                               0x0c, 0x05, 0xca, 0xa4, 0xdf, 0xfa, 0x0f};
  EXPECT_EQ(explain(RuleContext{hang, huge, nullptr, hung, {}, nullptr}), "binaryen-132-datacount-allocation");
  EXPECT_EQ(explain(RuleContext{hang, count, nullptr, hung, {}, nullptr}), "");  // 3 segments take no time
  huge.insert(huge.end(), {0x0b, 0x03, 0x01, 0x01, 0x00});                       // a data section does not help
  EXPECT_EQ(explain(RuleContext{hang, huge, nullptr, hung, {}, nullptr}), "binaryen-132-datacount-allocation");

  // 2^30 + 2^30 locals in one body: 132 dies of std::length_error.
  Finding crash;
  crash.kind = FindingKind::Crash;
  crash.engines = {"binaryen-npm"};
  const std::string abort =
      "harness exited; stderr: binaryen-npm: wasm-opt crashed while loading: uncaught C++ exception St12length_error";
  std::vector<EngineLoad> crashed = {{"binaryen-npm", false, {Verdict::Crash, abort, kNoOffset}}};
  std::vector<uint8_t> locals = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
                                 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x10, 0x01, 0x0e, 0x02, 0x80,
                                 0x80, 0x80, 0x80, 0x04, 0x7f, 0x80, 0x80, 0x80, 0x80, 0x04, 0x7e, 0x0b};
  EXPECT_EQ(explain(RuleContext{crash, locals, nullptr, crashed, {}, nullptr}), "binaryen-132-local-count-abort");
  locals[27] = 0x01, locals[33] = 0x00;  // 2^28 + 0: fewer than a vector holds
  EXPECT_EQ(explain(RuleContext{crash, locals, nullptr, crashed, {}, nullptr}), "");

  // 108 on the same kind of body: a hang (seed 7102's module: four counts
  // of about 2^30, the second an over-long LEB128).
  hang.engines = {"binaryen"};
  std::vector<EngineLoad> hung108 = {{"binaryen", false, {Verdict::Hang, "timed out", kNoOffset}}};
  std::vector<uint8_t> seed7102 = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60, 0x02, 0x7f,
                                   0x7f, 0x00, 0x03, 0x82, 0x80, 0x80, 0x00, 0x01, 0x00, 0x0a, 0x1c, 0x01, 0x1a, 0x04,
                                   0x80, 0x80, 0x80, 0x80, 0x04, 0x7f, 0x80, 0xe5, 0x80, 0x80, 0x80, 0x04, 0x7e, 0x80,
                                   0x80, 0x80, 0x80, 0x04, 0x7d, 0x80, 0x80, 0x80, 0x80, 0x04, 0x7c, 0x0b};
  EXPECT_EQ(explain(RuleContext{hang, seed7102, nullptr, hung108, {}, nullptr}), "binaryen-108-local-count-allocation");
  // 2^28 locals take 108 past the deadline too (seed 12080401 hung on just
  // over 2^27); 2^21 take it no time.
  EXPECT_EQ(explain(RuleContext{hang, locals, nullptr, hung108, {}, nullptr}), "binaryen-108-local-count-allocation");
  locals[26] = 0x81, locals[27] = 0x00;  // 80 80 80 81 00: 2^21
  EXPECT_EQ(explain(RuleContext{hang, locals, nullptr, hung108, {}, nullptr}), "");

  // An import section after the function section, no code: an assertion.
  crashed[0].load.message =
      "harness exited; stderr: binaryen-npm: wasm-opt crashed while loading: RuntimeError: Aborted(Assertion failed: "
      "*currp, at: /home/runner/work/binaryen.js/binaryen.js/binaryen/src/wasm-traversal.h,297,pushTask). Build";
  std::vector<uint8_t> bodiless = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01,
                                   0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00};
  EXPECT_EQ(explain(RuleContext{crash, bodiless, nullptr, crashed, {}, nullptr}),
            "binaryen-132-import-after-functions-abort");
  bodiless.insert(bodiless.end(), {0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b});  // with the code section: not this crash
  EXPECT_EQ(explain(RuleContext{crash, bodiless, nullptr, crashed, {}, nullptr}), "");

  // 132 leaves the declarative segment out: segment 1 is 0 there.
  std::vector<uint8_t> shifted =
      wat("(module (table 1 funcref) (func $f) (elem declare func $f) (elem func $f)"
          "  (func i32.const 0 i32.const 0 i32.const 0 table.init 1))");
  const LoadResult no_segment{Verdict::Rejected, "[parse exception: invalid element segment index (at 0:53)]", 53};
  EXPECT_EQ(explained(shifted, "binaryen-npm", no_segment), "binaryen-132-declarative-segments-shift-indices");
  std::vector<uint8_t> passive =
      wat("(module (table 1 funcref) (func $f) (elem func $f) (elem func $f)"
          "  (func i32.const 0 i32.const 0 i32.const 0 table.init 1))");
  EXPECT_EQ(explained(passive, "binaryen-npm", no_segment), "");  // no declarative segment: another bug
}

// ------------------------------------------------------- wabt adapter ----

// Warden bug, found by `warden diff --time 150s --seed 9140` (bucket
// crash|call|wabt, "crash (unparsed: state() => i32:0, ..., i32:4294967218, )"):
// when spectest-interp aborted on one module of a batch, the answer of an
// earlier module that its stdout buffer had cut in the middle of a line was
// read as that module's answer, "unparsed", a crash. A cut line is no
// answer: the module runs again in a smaller batch. The outputs are
// corpora/regressions/differential/warden-wabt-answer-cut-by-abort.*.out; a
// stand-in spectest-interp prints them and aborts when given two modules,
// and answers in full when given one.
TEST(DiffWabt, AnAnswerCutByAnAbortIsRunAgain) {
  const fs::path dir = fs::temp_directory_path() / ("warden-wabt-cut-" + std::to_string(getpid()));
  const fs::path regressions = fs::path(WARDEN_SOURCE_DIR) / "corpora" / "regressions" / "differential";
  fs::create_directories(dir / "tools");
  {
    std::ofstream f(dir / "tools" / "spectest-interp");
    f << "#!/bin/sh\n"
         "if [ \"$1\" = --version ]; then echo 1.0.32; exit 0; fi\n"
         "kind=run; grep -q assert_invalid \"$1\" && kind=validate\n"
         "if [ \"$(grep -o '\"filename\"' \"$1\" | wc -l)\" -gt 1 ]; then\n"
         "  cat '"
      << regressions.string()
      << "/warden-wabt-answer-cut-by-abort.'$kind.out; kill -ABRT $$\n"
         "fi\n"
         "if [ $kind = run ]; then echo 'state() => i32:0, i32:16, i64:1, i64:2, i64:3, i32:4, i32:5'\n"
         "else printf 'x.wast:1: assert_invalid passed:\\n  v0.wasm:000000b: error: type mismatch in call\\n'; fi\n"
         "echo '1/1 tests passed.'\n";
  }
  fs::permissions(dir / "tools" / "spectest-interp", fs::perms::owner_all);
  EngineSetup setup;
  setup.tool_dir = (dir / "tools").string();
  setup.work_dir = dir.string();
  setup.tool_server = "none";
  std::unique_ptr<Engine> wabt = make_engine("wabt", setup);
  std::string why;
  ASSERT_TRUE(wabt && wabt->available(why)) << why;

  const std::vector<uint8_t> bytes = wat("(module)");
  using V = ValType;
  std::vector<RunJob> jobs = {{bytes, {Call{"c0", {}, {V::I32}}}},
                              {bytes, {Call{"state", {}, {V::I32, V::I32, V::I64, V::I64, V::I64, V::I32, V::I32}}}}};
  std::vector<RunResult> runs = wabt->run(jobs);
  ASSERT_EQ(runs.size(), 2u);
  ASSERT_EQ(runs[0].calls.size(), 1u);
  EXPECT_EQ(runs[0].calls[0].status, Outcome::Status::Ok);
  EXPECT_EQ(runs[0].calls[0].values, (std::vector<uint64_t>{7}));
  ASSERT_EQ(runs[1].calls.size(), 1u);
  EXPECT_EQ(runs[1].calls[0].status, Outcome::Status::Ok) << runs[1].calls[0].message;
  EXPECT_EQ(runs[1].calls[0].values, (std::vector<uint64_t>{0, 16, 1, 2, 3, 4, 5}));

  std::span<const uint8_t> mods[] = {bytes, bytes};
  std::vector<LoadResult> loads = wabt->validate(mods);
  ASSERT_EQ(loads.size(), 2u);
  EXPECT_EQ(loads[0].message, "type mismatch in i32.add, expected [i32, i32] but got [i32]");
  EXPECT_EQ(loads[0].offset, 0xau);
  EXPECT_EQ(loads[1].message, "type mismatch in call");
  EXPECT_EQ(loads[1].offset, 0xbu);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

// ------------------------------------------------------------ campaign ----

TEST(DiffCampaign, SameSeedSameFindings) {
  if (access("/usr/bin/spectest-interp", X_OK) != 0) GTEST_SKIP() << "wabt's spectest-interp is not installed";
  fs::path base = fs::temp_directory_path() / ("warden-diff-test-" + std::to_string(getpid()));
  std::string summaries[2];
  for (int i = 0; i < 2; ++i) {
    CampaignOptions o;
    o.max_cycles = 2;
    o.seed = 7;
    o.engines = {"warden", "wabt"};
    o.generators = {"own", "mutate"};
    o.batch = 6;
    o.mutate_batch = 64;
    o.reduce_budget = 20;
    o.findings_dir = (base / std::to_string(i)).string();
    std::FILE* sink = std::tmpfile();
    ASSERT_GE(run_campaign(o, sink), 0);
    std::fclose(sink);
    std::ifstream f(fs::path(o.findings_dir) / "summary.txt");
    std::string text{std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
    // Everything but the wall-clock figures.
    std::string kept;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      std::string line = text.substr(pos, nl - pos);
      bool timing = line.rfind("== ", 0) == 0 || line.rfind("minimization:", 0) == 0 ||
                    line.find("/s") != std::string::npos || line.find(" ms ") != std::string::npos;
      if (!timing) kept += line + "\n";
      pos = nl == std::string::npos ? text.size() : nl + 1;
    }
    summaries[i] = kept;
    EXPECT_NE(kept.find("unexplained: "), std::string::npos);
  }
  EXPECT_EQ(summaries[0], summaries[1]);
  std::error_code ec;
  fs::remove_all(base, ec);
}

// --------------------------------------------------------- regressions ----

// Every module a campaign minimized into corpora/regressions/differential,
// replayed through the spec runner: Warden must do what the script says
// (the behaviour most engines agreed on, or the spec's where a peer is the
// one that is wrong).
TEST(DiffRegressions, EveryScriptPasses) {
  fs::path dir = fs::path(WARDEN_SOURCE_DIR) / "corpora" / "regressions" / "differential";
  size_t files = 0;
  std::error_code ec;
  std::vector<fs::path> paths;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".wast") paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  if (paths.empty()) GTEST_SKIP() << "no differential regression scripts yet in " << dir;
  for (const fs::path& p : paths) {
    spec::FileReport r = spec::run_file(p.string(), spec::RunnerOptions{});
    ++files;
    EXPECT_TRUE(r.fatal.empty()) << p.filename() << ": " << r.fatal;
    EXPECT_GT(r.passed, 0u) << p.filename();
    EXPECT_EQ(r.failed, 0u) << p.filename();
    for (const spec::Outcome& o : r.failures)
      ADD_FAILURE() << p.filename() << ":" << o.line << ": " << o.command << ": expected " << o.expected << ", got "
                    << o.actual;
  }
  EXPECT_GT(files, 0u) << "no regression scripts in " << dir;
}

// ---- the WASI differential (differential/wasi_diff.hpp)

namespace {

fuzz::WasiCall wasi_call(std::string_view name, std::vector<uint64_t> args) {
  std::vector<std::string_view> names = wasi::function_names();
  fuzz::WasiCall c;
  c.fn = static_cast<uint32_t>(std::find(names.begin(), names.end(), name) - names.begin());
  c.args = std::move(args);
  return c;
}

// A run that returned with these errnos and an empty tree.
WasiRun wasi_run(std::vector<int32_t> errnos) {
  WasiRun r;
  r.end = "returned";
  r.errnos = std::move(errnos);
  return r;
}

}  // namespace

TEST(DiffWasi, ErrnoDifferencesAreFindingsNamedByFunctionAndErrnos) {
  std::vector<fuzz::WasiCall> calls = {wasi_call("fd_close", {9}), wasi_call("fd_renumber", {1, 2})};
  WasiRun w = wasi_run({8, 52}), n = wasi_run({8, 0});
  std::vector<Finding> f = compare_wasi(calls, w, n);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].signature, "result|wasi:fd_renumber:nosys/success|node");
  EXPECT_EQ(f[0].call, 2u);
  EXPECT_EQ(explain_wasi({f[0], calls, w, n}), "warden-wasi-enosys");
  // The same errnos: nothing to report.
  EXPECT_TRUE(compare_wasi(calls, w, w).empty());
}

TEST(DiffWasi, RulesExplainOnlyWhatTheyDescribe) {
  // EOVERFLOW from node is explained only when a range really is out of
  // bounds: clock_time_get's 8 bytes at 65532 are, at 65528 they are not.
  for (auto [ptr, rule] : {std::pair<uint64_t, std::string>{65532, "node-20-wasi-bounds-eoverflow"}, {65528, ""}}) {
    std::vector<fuzz::WasiCall> calls = {wasi_call("clock_time_get", {1, 0, ptr})};
    WasiRun w = wasi_run({21}), n = wasi_run({61});
    std::vector<Finding> f = compare_wasi(calls, w, n);
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(explain_wasi({f[0], calls, w, n}), rule) << "ptr " << ptr;
  }
  // A crash in fd_write is node's 32-bit count wrap only when the count
  // times 8 wraps to a range inside memory.
  for (auto [count, rule] :
       {std::pair<uint64_t, std::string>{0x20000001, "node-20-wasi-count-times-size-wraps"}, {0x1FFFFFFF, ""}}) {
    std::vector<fuzz::WasiCall> calls = {wasi_call("fd_write", {1, 16, count, 100})};
    WasiRun w = wasi_run({21}), n = wasi_run({-1});
    n.end = "crash: harness exited";
    n.died_in = 0;
    std::vector<Finding> f = compare_wasi(calls, w, n);
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].kind, FindingKind::Crash);
    EXPECT_EQ(explain_wasi({f[0], calls, w, n}), rule) << "count " << count;
  }
  // A function Warden implements is never excused as ENOSYS.
  std::vector<fuzz::WasiCall> calls = {wasi_call("fd_sync", {3})};
  WasiRun w = wasi_run({52}), n = wasi_run({0});
  EXPECT_EQ(explain_wasi({compare_wasi(calls, w, n)[0], calls, w, n}), "");
}

// Seed 20261213: "escape/etc/passwda/../../xd/../fd/../../flink_ou" (the
// program image's bytes 16-63) with creat: Warden stops at the missing
// "escape" (ENOENT); node drops the ".." pairs lexically and creates
// "flink_ou" in the preopen.
TEST(DiffWasi, DotDotOverAMissingDirectoryThatStaysInside) {
  const std::vector<fuzz::WasiCall> calls = {wasi_call("path_open", {3, 256, 16, 48, 9, 2064, 4, 5, 2048})};
  WasiRun w = wasi_run({44}), n = wasi_run({0});
  w.scratch = "d 755 dir\nd/f 644 file 7 nested\n\nf 644 file 13 scratch file\n";
  n.scratch = w.scratch;  // the trees are compared too: not here
  std::vector<Finding> f = compare_wasi(calls, w, n);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].signature, "result|wasi:path_open:noent/success|node");
  EXPECT_EQ(explain_wasi({f[0], calls, w, n}), "wasi-dotdot-lexical");
  // Every directory the ".."s take away there: Warden's ENOENT is then
  // not the walk stopping at a missing one.
  w.scratch += "escape 755 dir\nescape/etc 755 dir\nescape/etc/passwda 755 dir\nescape/xd 755 dir\nescape/fd 755 dir\n";
  EXPECT_EQ(explain_wasi({f[0], calls, w, n}), "");
}

TEST(DiffWasi, ComparisonGoesPastOnlyCallsBothRefused) {
  // Call 0 differs but both refused it: call 1's unexplained difference is
  // what the program stands for.
  std::vector<fuzz::WasiCall> calls = {wasi_call("fd_renumber", {9, 9}), wasi_call("fd_sync", {3})};
  WasiRun w = wasi_run({52, 8}), n = wasi_run({8, 0});
  auto f = first_unexplained(calls, w, n);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->first.signature, "result|wasi:fd_sync:badf/success|node");
  EXPECT_EQ(f->second, "");
  // Had node's fd_renumber succeeded, what follows could be its effect:
  // the program stands for the explained difference.
  n.errnos[0] = 0;
  f = first_unexplained(calls, w, n);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->second, "warden-wasi-enosys");
}

TEST(DiffWasi, ProgramsRoundTripThroughJson) {
  std::vector<fuzz::WasiCall> calls = fuzz::wasi_calls(seed_bytes(42, 200));
  ASSERT_FALSE(calls.empty());
  std::vector<fuzz::WasiCall> back;
  ASSERT_TRUE(program_from_json(program_json(calls), back));
  EXPECT_EQ(encode(fuzz::wasi_module(back, fuzz::WasiShape::Record)),
            encode(fuzz::wasi_module(calls, fuzz::WasiShape::Record)));
  EXPECT_FALSE(program_from_json(R"([{"fn":"fd_teleport","args":[]}])", back));
}

// run_node's culprit search answers the same whatever hint a minimizer
// gives it, right or wrong: node dies in call 3 (proc_raise(SIGKILL) kills
// node itself, node-20-wasi-proc-raise-signals-node), and the three calls
// before it keep the errnos of the prefix that survived.
TEST(DiffWasi, NodesCulpritIsTheSameWithAnyHint) {
  fs::path work = fs::temp_directory_path() / ("warden-wasi-hint-" + std::to_string(getpid()));
  WasiRunners runners(work.string(), "/usr/bin/node",
                      (fs::path(WARDEN_SOURCE_DIR) / "differential" / "wasi_harness.js").string(), 5000, 0);
  std::string why;
  if (!runners.available(why)) GTEST_SKIP() << "node: " << why;
  std::vector<fuzz::WasiCall> calls;
  ASSERT_TRUE(program_from_json(R"([{"fn":"fd_prestat_get","args":[1,4096],"paths":0},
                                    {"fn":"fd_prestat_get","args":[1,4096],"paths":0},
                                    {"fn":"fd_prestat_get","args":[1,4096],"paths":0},
                                    {"fn":"proc_raise","args":[9],"paths":0},
                                    {"fn":"fd_prestat_get","args":[1,4096],"paths":0}])",
                                calls));
  WasiRun plain = runners.run_node(calls);
  ASSERT_EQ(plain.end.rfind("crash", 0), 0u) << plain.end;
  EXPECT_EQ(plain.died_in, 3);
  const int32_t inval = plain.errnos[0];
  EXPECT_GT(inval, 0);
  EXPECT_EQ(plain.errnos, (std::vector<int32_t>{inval, inval, inval, -1, -1}));
  for (int32_t hint : {0, 1, 2, 3, 4, 9}) {
    WasiRun hinted = runners.run_node(calls, hint);
    EXPECT_EQ(hinted.died_in, 3) << "hint " << hint;
    EXPECT_EQ(hinted.errnos, plain.errnos) << "hint " << hint;
  }
}

// The calls the campaign keeps from node (node_can_take): each of them
// took node down for seconds in a catalogued way, as its regression pins.
TEST(DiffWasi, NodeIsSparedTheCallsThatStallIt) {
  fs::path dir = fs::path(WARDEN_SOURCE_DIR) / "corpora" / "regressions" / "wasi-diff";
  for (const char* rule :
       {"node-wasi-poll-oneoff-sleeps", "node-20-wasi-proc-raise-signals-node", "node-20-wasi-set-times-lock-leak"}) {
    std::ifstream f(dir / (std::string(rule) + ".json"));
    nlohmann::json reg = nlohmann::json::parse(f);
    std::vector<fuzz::WasiCall> calls;
    ASSERT_TRUE(program_from_json(reg["program"].dump(), calls)) << rule;
    EXPECT_FALSE(std::all_of(calls.begin(), calls.end(), node_can_take)) << rule;
  }
  // poll_oneoff without subscriptions, and an ordinary call: node takes them.
  std::vector<fuzz::WasiCall> calls;
  ASSERT_TRUE(program_from_json(R"([{"fn":"poll_oneoff","args":[2101,4096,0,8192],"paths":0},
                                    {"fn":"fd_sync","args":[3],"paths":0}])",
                                calls));
  EXPECT_TRUE(std::all_of(calls.begin(), calls.end(), node_can_take));
}

// corpora/regressions/wasi-diff/<rule>.json: Warden still does what was
// pinned, and where node is installed, node still differs in the way the
// rule describes (a fixed peer bug shows here). fixed-<what>.json: a bug of
// Warden's the differential found, fixed: Warden does what was pinned.
TEST(DiffWasi, RegressionsReplay) {
  fs::path dir = fs::path(WARDEN_SOURCE_DIR) / "corpora" / "regressions" / "wasi-diff";
  fs::path work = fs::temp_directory_path() / ("warden-wasi-regress-" + std::to_string(getpid()));
  WasiRunners runners(work.string(), "/usr/bin/node",
                      (fs::path(WARDEN_SOURCE_DIR) / "differential" / "wasi_harness.js").string(), 2000, 0);
  std::string why;
  const bool node = runners.available(why);
  size_t files = 0;
  std::vector<fs::path> paths;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".json") paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  for (const fs::path& p : paths) {
    std::ifstream in(p);
    nlohmann::json reg = nlohmann::json::parse(in, nullptr, false);
    ASSERT_TRUE(reg.is_object()) << p;
    std::vector<fuzz::WasiCall> calls;
    ASSERT_TRUE(program_from_json(reg["program"].dump(), calls)) << p;
    WasiRun w = runners.run_warden(calls);
    EXPECT_EQ(wasi_expectation(w), reg["warden"].get<std::string>()) << p.filename();
    // fixed-*.json: a bug of Warden's, fixed, with no rule. Warden's side
    // is the regression; node's answer is not asserted: it may come from
    // the host kernel (path_open with creat|directory is EINVAL from Linux
    // 6.4 on, and creates a file before 6.4).
    const bool fixed = p.stem().string().rfind("fixed-", 0) == 0;
    EXPECT_EQ(fixed, reg.value("rule", "").empty()) << p.filename();
    if (fixed) continue;
    ++files;
    if (!node) continue;
    WasiRun n = runners.run_node(calls);
    auto f = first_unexplained(calls, w, n);
    ASSERT_TRUE(f) << p.filename() << ": node now agrees with Warden";
    EXPECT_EQ(f->second, p.stem().string()) << p.filename() << ": " << f->first.signature;
  }
  // One regression per rule, named after it (and the fixed bugs of Warden's).
  std::vector<std::string> stems, names;
  for (const fs::path& p : paths)
    if (p.stem().string().rfind("fixed-", 0) != 0) stems.push_back(p.stem().string());
  for (const WasiRule& r : wasi_rules()) names.emplace_back(r.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(stems, names) << "regressions in " << dir;
  EXPECT_EQ(files, names.size());
  if (!node) GTEST_SKIP() << "node: " << why << " (Warden's side checked)";
}

// A run that loaded, instantiated and made `calls`.
RunResult ran(std::vector<Outcome> calls) {
  RunResult r;
  r.load = {Verdict::Valid, "", kNoOffset};
  r.instantiate.status = Outcome::Status::Ok;
  r.calls = std::move(calls);
  return r;
}

// A catalogued peer bug's script asserts Warden's outcome even where more
// engines share another (V8 and Binaryen overflowing at their own depths
// where Warden's recursion ends in its fuel check, seed 20261213); an
// unexplained finding's asserts the majority's.
TEST(DiffBundle, ACataloguedBugsScriptIsWardensOutcome) {
  Bundle b;
  b.probe = wat(R"((module (func (export "c0"))))");
  b.call_names = {"c0"};
  b.call_results = {{}};
  b.finding.call = 1;
  const Outcome fuel{Outcome::Status::Trap, {}, kTrapUnreachable, "unreachable"};
  const Outcome overflow{Outcome::Status::Trap, {}, kTrapStack, "call stack exhausted"};
  b.runs = {{"warden", ran({fuel})},
            {"wabt", ran({fuel})},
            {"v8", ran({overflow})},
            {"binaryen", ran({overflow})},
            {"x", ran({overflow})}};
  EXPECT_NE(regression_wast(b).find("(assert_exhaustion (invoke \"c0\")"), std::string::npos) << regression_wast(b);
  b.rule = "wabt-1.0.32-interp-call-indirect-overflow-continues";
  EXPECT_NE(regression_wast(b).find("(assert_trap (invoke \"c0\") \"unreachable\")"), std::string::npos)
      << regression_wast(b);
}

// wabt-1.0.32-interp-call-indirect-overflow-continues: at wabt's depth,
// both overflow in the same call and the state after it differs, in a
// module with a call_indirect.
TEST(DiffPeerRules, WabtCallIndirectOverflowContinues) {
  const char* indirect = R"((module (type $t (func)) (table 1 funcref) (elem (i32.const 0) $f)
    (global $h (mut i32) (i32.const 0))
    (func $f (type $t) (call_indirect (type $t) (i32.const 0)) (global.set $h (i32.add (global.get $h) (i32.const 1))))
    (func (export "c0") (call $f)) (func (export "state") (result i32) (global.get $h))))";
  const char* direct = R"((module (global $h (mut i32) (i32.const 0))
    (func $f (call $f) (global.set $h (i32.add (global.get $h) (i32.const 1))))
    (func (export "c0") (call $f)) (func (export "state") (result i32) (global.get $h))))";
  Finding f;
  f.kind = FindingKind::Result;
  f.engines = {"wabt"};
  f.reference = depth_matched_name("wabt");
  f.call = 2;
  Outcome overflow{Outcome::Status::Trap, {}, kTrapStack, "call stack exhausted"};
  std::vector<EngineRun> runs = {{"warden", ran({overflow, Outcome{Outcome::Status::Ok, {0}, 0, ""}})},
                                 {"wabt", ran({overflow, Outcome{Outcome::Status::Ok, {1636}, 0, ""}})},
                                 {f.reference, ran({overflow, Outcome{Outcome::Status::Ok, {0}, 0, ""}})}};
  std::vector<uint8_t> bytes = wat(indirect);
  ast::Module m = decoded(bytes);
  EXPECT_EQ(explain(RuleContext{f, bytes, &m, {}, runs, nullptr}),
            "wabt-1.0.32-interp-call-indirect-overflow-continues");
  // Without a call_indirect: something else.
  std::vector<uint8_t> dbytes = wat(direct);
  ast::Module d = decoded(dbytes);
  EXPECT_EQ(explain(RuleContext{f, dbytes, &d, {}, runs, nullptr}), "");
  // Warden at wabt's depth did not overflow where wabt did: something else.
  runs[2].run.calls[0] = Outcome{Outcome::Status::Ok, {}, 0, ""};
  EXPECT_EQ(explain(RuleContext{f, bytes, &m, {}, runs, nullptr}), "");
  runs[2].run.calls[0] = overflow;
  // The difference in the overflowing call itself: something else.
  f.call = 1;
  EXPECT_EQ(explain(RuleContext{f, bytes, &m, {}, runs, nullptr}), "");
  // Not a depth-matched finding: something else.
  f.call = 2;
  f.reference = "warden";
  EXPECT_EQ(explain(RuleContext{f, bytes, &m, {}, runs, nullptr}), "");
  // The abort form: the frames that go on pop results the call never
  // pushed, and spectest-interp dies of signal 6 in the call that Warden
  // at wabt's depth ends with "call stack exhausted".
  Finding crash;
  crash.kind = FindingKind::Crash;
  crash.engines = {"wabt"};
  crash.call = 1;
  runs[1].run.calls[0] = Outcome{Outcome::Status::Crash, {}, 0, "signal 6"};
  EXPECT_EQ(explain(RuleContext{crash, bytes, &m, {}, runs, nullptr}),
            "wabt-1.0.32-interp-call-indirect-overflow-continues");
  EXPECT_EQ(explain(RuleContext{crash, dbytes, &d, {}, runs, nullptr}), "");  // no call_indirect
  runs[2].run.calls[0] = Outcome{Outcome::Status::Ok, {}, 0, ""};
  EXPECT_EQ(explain(RuleContext{crash, bytes, &m, {}, runs, nullptr}), "");  // not at wabt's depth
  runs.pop_back();
  runs[1].run.calls[0] = Outcome{Outcome::Status::Crash, {}, 0, "signal 6"};
  EXPECT_EQ(explain(RuleContext{crash, bytes, &m, {}, runs, nullptr}), "");  // no rerun at wabt's depth
}

// The masked form (seed 20261209): the frames that went on after wabt's
// overflow reached a trap of their own first, which wabt reports instead;
// Warden's own run and V8 agree on something else.
TEST(DiffPeerRules, WabtCallIndirectOverflowMaskedByALaterTrap) {
  const char* indirect = R"((module (type $t (func)) (table 2 funcref) (elem (i32.const 0) $f)
    (func $f (type $t) (call_indirect (type $t) (i32.const 0)) (call_indirect (type $t) (i32.const 1)))
    (func (export "c0") (call $f)) (func (export "state") (result i32) (i32.const 0))))";
  const std::vector<uint8_t> bytes = wat(indirect);
  const Outcome overflow{Outcome::Status::Trap, {}, kTrapStack, "call stack exhausted"};
  const Outcome fuel{Outcome::Status::Trap, {}, kTrapUnreachable, "unreachable"};
  const Outcome empty_slot{Outcome::Status::Trap, {}, kTrapUninitialized, "uninitialized table element"};
  const Outcome zero{Outcome::Status::Ok, {0}, 0, ""};
  const Outcome left{Outcome::Status::Ok, {1363}, 0, ""};  // fuel left at wabt's depth
  const std::string rule = "wabt-1.0.32-interp-call-indirect-overflow-continues";
  // Warden, V8, wabt and Warden at wabt's depth, in that order.
  auto explained = [&](const Finding& f, std::vector<Outcome> wabt, std::optional<Outcome> v8_first = {},
                       const std::vector<uint8_t>* b = nullptr) {
    std::vector<EngineRun> runs = {{"warden", ran({fuel, zero})},
                                   {"v8", ran({v8_first.value_or(fuel), zero})},
                                   {"wabt", ran(std::move(wabt))},
                                   {depth_matched_name("wabt"), ran({overflow, zero})}};
    const std::vector<uint8_t>& module = b ? *b : bytes;
    const ast::Module tree = decoded(module);
    return explain(RuleContext{f, module, &tree, {}, runs, nullptr});
  };
  Finding call;
  call.kind = FindingKind::Trap;
  call.engines = {"wabt"};
  call.reference = "warden";
  call.call = 1;
  Finding rerun = call;  // the depth-matched rerun's own finding
  rerun.reference = depth_matched_name("wabt");
  Finding state = call;
  state.kind = FindingKind::Result;
  state.call = 2;

  // The empty slot in the call that overflowed.
  EXPECT_EQ(explained(call, {empty_slot, zero}), rule);
  EXPECT_EQ(explained(rerun, {empty_slot, zero}), rule);
  // The fuel check's trap, as Warden's and V8's: the difference shows in
  // the state, the fuel wabt had left.
  EXPECT_EQ(explained(state, {fuel, left}), rule);
  EXPECT_EQ(explained(rerun, {fuel, left}), rule);
  // Warden overflowing early at wabt's depth, wabt agreeing with Warden's
  // own run everywhere: Warden's bug, not this.
  EXPECT_EQ(explained(rerun, {fuel, zero}), "");
  // wabt returned where Warden at its depth overflowed, and Warden's own
  // run and V8 trapped: the frames went on to the end (as in a start
  // function, seed 20261211; instantiation itself is below).
  EXPECT_EQ(explained(rerun, {zero, zero}), rule);
  // V8 agrees with wabt, not with Warden: perhaps Warden's bug.
  EXPECT_EQ(explained(call, {empty_slot, zero}, empty_slot), "");
  // No call_indirect: something else.
  const std::vector<uint8_t> direct = wat(R"((module (func $f (call $f))
    (func (export "c0") (call $f)) (func (export "state") (result i32) (i32.const 0))))");
  EXPECT_EQ(explained(call, {empty_slot, zero}, {}, &direct), "");

  // At instantiation, a start function's recursion: wabt "ok", Warden and
  // V8 trap.
  Finding inst = call;
  inst.call = 0;
  std::vector<EngineRun> runs = {
      {"warden", ran({})}, {"v8", ran({})}, {"wabt", ran({})}, {depth_matched_name("wabt"), ran({})}};
  runs[0].run.instantiate = runs[1].run.instantiate = fuel;
  runs[3].run.instantiate = overflow;
  const ast::Module tree = decoded(bytes);
  EXPECT_EQ(explain(RuleContext{inst, bytes, &tree, {}, runs, nullptr}), rule);
  runs[1].run.instantiate = zero;  // V8 returned too: perhaps Warden's bug
  EXPECT_EQ(explain(RuleContext{inst, bytes, &tree, {}, runs, nullptr}), "");

  // wabt overflowed visibly first where Warden's own run did not (its
  // lower limit, no bug), and later Warden at wabt's depth overflowed where
  // wabt returned: perhaps Warden counting frames wrongly. wabt differs
  // from Warden's own run from the first overflow on, which is no
  // evidence.
  Finding later = rerun;
  later.call = 2;
  runs = {{"warden", ran({fuel, fuel, zero})},
          {"v8", ran({fuel, fuel, zero})},
          {"wabt", ran({overflow, zero, left})},
          {depth_matched_name("wabt"), ran({fuel, overflow, zero})}};
  EXPECT_EQ(explain(RuleContext{later, bytes, &tree, {}, runs, nullptr}), "");
  // Seed 20261213: V8 overflowed at its own depth, so its state differs
  // from Warden's in the fuel left; on the value wabt disputes (a global
  // its frames wrote after the overflow) V8 agrees with Warden.
  const Outcome w_state{Outcome::Status::Ok, {0, 0xb523530a}, 0, ""};
  runs = {{"warden", ran({fuel, w_state})},
          {"v8", ran({overflow, Outcome{Outcome::Status::Ok, {0x38a, 0xb523530a}, 0, ""}})},
          {"wabt", ran({fuel, Outcome{Outcome::Status::Ok, {0, 0x4f000000}, 0, ""}})},
          {depth_matched_name("wabt"), ran({overflow, Outcome{Outcome::Status::Ok, {0x553, 0xb523530a}, 0, ""}})}};
  EXPECT_EQ(explain(RuleContext{state, bytes, &tree, {}, runs, nullptr}), rule);
  // V8 with wabt on that value: perhaps Warden's bug.
  runs[1].run.calls[1].values[1] = 0x4f000000;
  EXPECT_EQ(explain(RuleContext{state, bytes, &tree, {}, runs, nullptr}), "");
  // A finding of Warden's own run is judged at its own step: V8 unable to
  // make that call leaves it unexplained, whatever a later step shows.
  Finding own = call;
  runs = {{"warden", ran({fuel, zero})},
          {"v8", ran({Outcome{Outcome::Status::Unsupported, {}, 0, "v128 result"}, zero})},
          {"wabt", ran({empty_slot, left})},
          {depth_matched_name("wabt"), ran({overflow, zero})}};
  EXPECT_EQ(explain(RuleContext{own, bytes, &tree, {}, runs, nullptr}), "");
}

// wabt-1.0.32-interp-table-grow-allocation: wabt alone aborts in a call, on
// a module where a table.grow names a table without a maximum.
TEST(DiffPeerRules, WabtTableGrowAbort) {
  const char* unbounded = R"((module (table $u 3 externref)
    (func (export "c0") (result i32)
      (table.grow $u (ref.null extern) (i32.sub (i32.const -1) (table.size $u))))))";
  const char* bounded = R"((module (table $u 3 10 externref)
    (func (export "c0") (result i32)
      (table.grow $u (ref.null extern) (i32.sub (i32.const -1) (table.size $u))))))";
  Finding f;
  f.kind = FindingKind::Crash;
  f.engines = {"wabt"};
  RunResult ok = ran({Outcome{Outcome::Status::Ok, {0xFFFFFFFFu}, 0, ""}});
  RunResult aborted = ok;
  aborted.calls = {Outcome{Outcome::Status::Crash, {}, 0, "signal 6"}};
  std::vector<EngineRun> runs = {{"warden", ok}, {"wabt", aborted}};
  std::vector<uint8_t> bytes = wat(unbounded);
  ast::Module m = decoded(bytes);
  EXPECT_EQ(explain(RuleContext{f, bytes, &m, {}, runs, nullptr}), "wabt-1.0.32-interp-table-grow-allocation");
  // A table with a maximum: the abort is something else.
  std::vector<uint8_t> with_max = wat(bounded);
  ast::Module b = decoded(with_max);
  EXPECT_EQ(explain(RuleContext{f, with_max, &b, {}, runs, nullptr}), "");
  // Growing by a few elements: the abort is something else.
  std::vector<uint8_t> few = wat(R"((module (table $u 3 externref)
    (func (export "c0") (result i32) (table.grow $u (ref.null extern) (i32.const 5)))))");
  ast::Module fm = decoded(few);
  EXPECT_EQ(explain(RuleContext{f, few, &fm, {}, runs, nullptr}), "");
  // Not an abort (a segmentation fault): something else.
  runs[1].run.calls[0].message = "signal 11";
  EXPECT_EQ(explain(RuleContext{f, bytes, &m, {}, runs, nullptr}), "");
}

// binaryen-108-interpreter-native-stack-overflow: Binaryen 108 alone dies of
// SIGSEGV on a module whose direct calls make a cycle.
TEST(DiffPeerRules, BinaryenNativeStackOverflow) {
  Finding f;
  f.kind = FindingKind::Crash;
  f.engines = {"binaryen"};
  RunResult ref = ran({Outcome{Outcome::Status::Trap, {}, kTrapUnreachable, "unreachable"}});
  RunResult theirs;
  theirs.load = {Verdict::Crash, "signal 11", kNoOffset};
  std::vector<EngineRun> runs = {{"warden", ref}, {"binaryen", theirs}};
  auto explained = [&](const char* text) {
    std::vector<uint8_t> bytes = wat(text);
    ast::Module m = decoded(bytes);
    return explain(RuleContext{f, bytes, &m, {}, runs, nullptr});
  };
  const char* cycle = R"((module (func $a (export "c0") (call $b)) (func $c) (func $b (call $c) (call $a))))";
  const char* chain = R"((module (func $a (export "c0") (call $b)) (func $c) (func $b (call $c) (call $c))))";
  EXPECT_EQ(explained(cycle), "binaryen-108-interpreter-native-stack-overflow");
  EXPECT_EQ(explained("(module (func $f (export \"c0\") (call $f)))"),
            "binaryen-108-interpreter-native-stack-overflow");
  EXPECT_EQ(explained(chain), "");  // no recursion: something else
  runs[1].run.load.message = "signal 6";
  EXPECT_EQ(explained(cycle), "");  // another signal: something else
}

// binaryen-108-declarative-ref-null, the run form (campaign seed 9101):
// when the bytes after a misread `ref.null` item parse, Binaryen 108 loses
// the segments that follow and runs without them.
TEST(DiffPeerRules, BinaryenDeclarativeRefNullLosesLaterSegments) {
  const char* lost = R"((module (type (func (result i32))) (table 4 funcref)
    (func $a (result i32) (i32.const 7)) (func $b (result i32) (i32.const 9))
    (func (export "c0") (result i32) (call_indirect (type 0) (i32.const 0)))
    (elem declare funcref (ref.null func) (ref.null func) (ref.func $b) (ref.func $b) (ref.func $a))
    (elem (table 0) (i32.const 0) funcref (ref.func $b) (ref.func $a) (ref.func $b) (ref.func $a))))";
  Finding f;
  f.kind = FindingKind::Trap;
  f.engines = {"binaryen"};
  RunResult ref = ran({Outcome{Outcome::Status::Ok, {9}, 0, ""}});
  RunResult theirs = ref;
  theirs.calls[0] = Outcome{Outcome::Status::Trap, {}, kTrapUninitialized, "uninitialized table element"};
  f.call = 1;
  std::vector<EngineRun> runs = {{"warden", ref}, {"binaryen", theirs}};
  std::vector<uint8_t> bytes = wat(lost);
  ast::Module m = decoded(bytes);
  EXPECT_EQ(explain(RuleContext{f, bytes, &m, {}, runs, nullptr}), "binaryen-108-declarative-ref-null");
  // Another trap: not a lost table entry.
  runs[1].run.calls[0] = Outcome{Outcome::Status::Trap, {}, kTrapDivZero, "integer divide by zero"};
  EXPECT_EQ(explain(RuleContext{f, bytes, &m, {}, runs, nullptr}), "");
  runs[1].run = theirs;
  // Only a declarative segment after it: losing that changes no run.
  m.elems[1].mode = ast::SegmentMode::Declarative;
  EXPECT_EQ(explain(RuleContext{f, bytes, &m, {}, runs, nullptr}), "");
  m.elems[1].mode = ast::SegmentMode::Active;
  // The declarative segment last: nothing after it to lose.
  std::swap(m.elems[0], m.elems[1]);
  EXPECT_EQ(explain(RuleContext{f, bytes, &m, {}, runs, nullptr}), "");
  // Only ref.func items: Binaryen reads those.
  std::swap(m.elems[0], m.elems[1]);
  m.elems[0].init.erase(m.elems[0].init.begin(), m.elems[0].init.begin() + 2);
  EXPECT_EQ(explain(RuleContext{f, bytes, &m, {}, runs, nullptr}), "");
}

// binaryen-108-lane-access-traps-before-vector-operand: Binaryen alone
// differs after a trap, on a module with a lane load or store.
TEST(DiffPeerRules, BinaryenLaneTrapFirst) {
  const char* lane = R"((module (memory 1 1) (global $g (mut i32) (i32.const 0))
    (func $vec (result v128) (global.set $g (i32.const 1)) (v128.const i64x2 0 0))
    (func (export "c0") (result i32) (i32x4.extract_lane 0 (v128.load8_lane 0 (i32.const 0x10000) (call $vec))))))";
  const char* plain = R"((module (memory 1 1) (global $g (mut i32) (i32.const 0))
    (func $vec (result v128) (global.set $g (i32.const 1)) (v128.const i64x2 0 0))
    (func (export "c0") (result i32) (v128.store (i32.const 0x10000) (call $vec)) (i32.const 0))))";
  Finding f;
  f.kind = FindingKind::Result;
  f.engines = {"binaryen"};
  f.call = 2;  // the state after the trapping call
  RunResult ref = ran({Outcome{Outcome::Status::Trap, {}, kTrapMemory, "out of bounds memory access"},
                       Outcome{Outcome::Status::Ok, {1}, 0, ""}});
  RunResult theirs = ref;
  theirs.calls[1].values = {0};
  std::vector<EngineRun> runs = {{"warden", ref}, {"binaryen", theirs}};
  std::vector<uint8_t> bytes = wat(lane);
  ast::Module m = decoded(bytes);
  EXPECT_EQ(explain(RuleContext{f, bytes, &m, {}, runs, nullptr}),
            "binaryen-108-lane-access-traps-before-vector-operand");
  // Not asked of Binaryen 132, which evaluates the vector first.
  f.engines = {"binaryen-npm"};
  runs[1].engine = "binaryen-npm";
  EXPECT_EQ(explain(RuleContext{f, bytes, &m, {}, runs, nullptr}), "");
  // No lane instruction: something else.
  f.engines = {"binaryen"};
  runs[1].engine = "binaryen";
  std::vector<uint8_t> other = wat(plain);
  ast::Module o = decoded(other);
  EXPECT_EQ(explain(RuleContext{f, other, &o, {}, runs, nullptr}), "");
  // No trap in Binaryen's run: something else.
  runs[1].run.calls[0] = Outcome{Outcome::Status::Ok, {0}, 0, ""};
  EXPECT_EQ(explain(RuleContext{f, bytes, &m, {}, runs, nullptr}), "");
  // The trap form: Binaryen out of bounds where Warden trapped in the vector
  // operand; not when Warden trapped out of bounds too.
  f.kind = FindingKind::Trap;
  f.call = 1;
  runs[0].run.calls[0] = Outcome{Outcome::Status::Trap, {}, kTrapUnreachable, "unreachable"};
  runs[1].run.calls[0] = Outcome{Outcome::Status::Trap, {}, kTrapMemory, "out of bounds memory access"};
  EXPECT_EQ(explain(RuleContext{f, bytes, &m, {}, runs, nullptr}),
            "binaryen-108-lane-access-traps-before-vector-operand");
  runs[0].run.calls[0] = runs[1].run.calls[0];
  EXPECT_EQ(explain(RuleContext{f, bytes, &m, {}, runs, nullptr}), "");
}
