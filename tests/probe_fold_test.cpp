// The probe's folding of lost values into the checksum (differential/
// probe_fold.hpp), the stack typing it rests on (differential/
// body_types.hpp) and the observability measure (differential/
// observability.hpp).
#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

#include "body_types.hpp"
#include "engine.hpp"
#include "harness.hpp"
#include "inputs.hpp"
#include "observability.hpp"
#include "probe.hpp"
#include "warden/binary.hpp"

using namespace warden;
using namespace warden::diff;

namespace {

ast::Module decoded(std::string_view text) {
  Result<ast::Module> m = decode(test_harness::wat_bytes(text), Limits{});
  EXPECT_TRUE(m.ok());
  return m.ok() ? *m : ast::Module{};
}

RunResult run_on_warden(const Probe& p) {
  std::unique_ptr<Engine> w = make_engine("warden", EngineSetup{});
  return w->run_one(RunJob{p.bytes, p.calls});
}

Probe probe_of(const ast::Module& m, ProbeConfig cfg) {
  Probe p;
  std::string err;
  EXPECT_TRUE(make_probe(m, 1, cfg, p, err)) << err;
  return p;
}

// The checksum after folding `values` in order, computed independently of
// the emitted code: c = (c xor v) * K.
uint64_t folded(std::initializer_list<uint64_t> values) {
  uint64_t c = 0;
  for (uint64_t v : values) c = (c ^ v) * 0x9E3779B97F4A7C15ull;
  return c;
}

uint64_t checksum_of(const RunResult& r, const Probe& p) {
  EXPECT_EQ(p.state_labels.back(), "checksum");
  EXPECT_EQ(r.calls.back().status, Outcome::Status::Ok) << r.calls.back().message;
  return r.calls.back().values.empty() ? 0 : r.calls.back().values.back();
}

// A probe whose instruction `from` an engine computes as `to`.
Probe broken(const Probe& p, Op from, Op to) {
  Result<ast::Module> m = decode(p.bytes, Limits{});
  EXPECT_TRUE(m.ok());
  for (ast::Function& f : m->funcs)
    for (ast::Instr& i : f.body)
      if (i.op == from) i.op = to;
  Probe q = p;
  q.bytes = encode(*m);
  return q;
}

}  // namespace

// The issue's example: a wrong i64.rotr whose result is dropped is seen by
// no call and no state without folding, and by the checksum with it.
TEST(DiffFold, ADroppedWrongValueChangesTheStateOnlyWithFolding) {
  ast::Module m = decoded(R"((module
    (func (export "f") (result i32) (drop (i64.rotr (i64.const 1) (i64.const 1))) (i32.const 7))))");
  for (bool fold : {false, true}) {
    ProbeConfig cfg;
    cfg.fold = fold;
    Probe p = probe_of(m, cfg);
    EXPECT_EQ(p.state_labels, fold ? (std::vector<std::string>{"nan-violation", "checksum"})
                                   : std::vector<std::string>{"nan-violation"});
    RunResult right = run_on_warden(p), wrong = run_on_warden(broken(p, Op::I64Rotr, Op::I64Rotl));
    ASSERT_EQ(right.calls.size(), 3u);
    ASSERT_EQ(wrong.calls.size(), 3u);
    EXPECT_EQ(right.calls[0].values, std::vector<uint64_t>{7});
    EXPECT_EQ(wrong.calls[0].values, std::vector<uint64_t>{7});
    if (!fold) {
      EXPECT_EQ(right.calls[2].values, wrong.calls[2].values);
      continue;
    }
    // Two rounds, each dropping rotr(1, 1) = 2^63 (rotl gives 2).
    EXPECT_EQ(checksum_of(right, p), folded({1ull << 63, 1ull << 63}));
    EXPECT_EQ(checksum_of(wrong, p), folded({2, 2}));
  }
}

TEST(DiffFold, ADroppedValueOfEachTypeFoldsAsItsBits) {
  ast::Module m = decoded(R"((module
    (func (export "f")
      (drop (i32.const -5)) (drop (i64.const -1)) (drop (f32.const 1.5)) (drop (f64.const -2))
      (drop (v128.const i64x2 3 4)) (drop (ref.null func)) (drop (ref.null extern)))))");
  ProbeConfig cfg;
  cfg.rounds = 1;
  Probe p = probe_of(m, cfg);
  RunResult r = run_on_warden(p);
  EXPECT_EQ(checksum_of(r, p), folded({0xFFFFFFFBull, ~0ull, 0x3FC00000, 0xC000000000000000ull, 3, 4, 1, 1}));
}

// Without the NaN check an engine may return any NaN payload: a scalar NaN
// folds as the canonical NaN, and v128 values (of unknown lane shape) do
// not fold.
TEST(DiffFold, WithoutTheNanCheckNansFoldAsOneValue) {
  ast::Module m = decoded(R"((module
    (func (export "f")
      (drop (f32.const nan:0x200000)) (drop (f64.const -nan:0x1)) (drop (f32.const 2))
      (drop (v128.const i64x2 3 4)))))");
  ProbeConfig cfg;
  cfg.rounds = 1;
  cfg.nan_check = false;
  Probe p = probe_of(m, cfg);
  RunResult r = run_on_warden(p);
  EXPECT_EQ(checksum_of(r, p), folded({0x7FC00000, 0x7FF8000000000000ull, 0x40000000}));
}

// local.set and local.tee fold the value they overwrite, global.set too, and
// the locals' final values fold when the function returns: at its end, at a
// branch to its label, at `return`.
TEST(DiffFold, OverwrittenAndFinalValuesFold) {
  ast::Module m = decoded(R"((module
    (global $g (mut i64) (i64.const 9))
    (func (export "a") (local i32)
      (local.set 0 (i32.const 5)) (drop (local.tee 0 (i32.const 6))) (global.set $g (i64.const 10)))
    (func (export "b") (result i32) (local i64)
      (local.set 0 (i64.const 3)) (br 0 (i32.const 1)) (drop (i64.const 99)))
    (func (export "c") (result i32) (local f32)
      (local.set 0 (f32.const 1)) (return (i32.const 2)) (drop (i64.const 99)))))");
  ProbeConfig cfg;
  cfg.rounds = 1;
  Probe p = probe_of(m, cfg);
  RunResult r = run_on_warden(p);
  ASSERT_EQ(r.calls.size(), 4u);
  EXPECT_EQ(r.calls[1].values, std::vector<uint64_t>{1});
  EXPECT_EQ(r.calls[2].values, std::vector<uint64_t>{2});
  // a: 0 (set), 5 (tee), 6 (dropped), 9 (global), 6 (final local);
  // b: 0 (set), 3 (final, by the branch); c: 0 (set), 1.0f (final, by return).
  EXPECT_EQ(r.calls[3].values, (std::vector<uint64_t>{0, 10, folded({0, 5, 6, 9, 6, 0, 3, 0, 0x3F800000})}));
  // The dead drops (after br, after return) are left as they are.
  Result<ast::Module> probe = decode(p.bytes, Limits{});
  ASSERT_TRUE(probe.ok());
  size_t drops = 0;
  for (const ast::Function& f : probe->funcs)
    for (const ast::Instr& i : f.body) drops += i.op == Op::Drop;
  EXPECT_EQ(drops, 2u);
}

// The typing the folding rests on: the type at each drop, across blocks,
// br_table, if/else with parameters, and none in dead code.
TEST(DiffFold, StackTypingFollowsBlocksAndStopsInDeadCode) {
  ast::Module m = decoded(R"((module
    (type $t (func (param i32) (result f64)))
    (func (param i32) (result f32)
      (block (result i64) (i64.const 1) (local.get 0) (br_table 0 0) (i32.const 9) (drop))
      (drop)
      (i32.const 1) (local.get 0)
      (if (type $t) (then (drop) (f64.const 1)) (else (drop) (f64.const 2)))
      (drop)
      (v128.const i64x2 0 0) (ref.null extern) (ref.null extern) (i32.const 0) (select (result externref))
      (drop) (drop)
      (unreachable)
      (block (result i32) (i32.const 0)) (drop)
      (f32.const 0))))");
  const ModuleTypes mt = module_types(m);
  const ast::Function& f = m.funcs[0];
  BodyTyper typer(mt, mt.types[f.type], {ValType::I32});
  std::vector<std::pair<bool, std::optional<ValType>>> at_drops;
  for (const ast::Instr& i : f.body) {
    if (i.op == Op::Drop) at_drops.push_back({typer.live(), typer.top()});
    typer.step(i);
  }
  EXPECT_TRUE(typer.ok());
  using V = std::optional<ValType>;
  std::vector<std::pair<bool, V>> want = {
      {false, V{}},                   // after br_table
      {true, V{ValType::I64}},        // the block's result
      {true, V{ValType::I32}},        // the if's parameter, in then
      {true, V{ValType::I32}},        // and in else
      {true, V{ValType::F64}},        // the if's result
      {true, V{ValType::ExternRef}},  // typed select
      {true, V{ValType::V128}},       //
      {false, V{}},                   // after unreachable, a nested block included
  };
  EXPECT_EQ(at_drops, want);
  // And the probe of it validates and runs.
  ast::Module exported = m;
  exported.exports.push_back({"f", ExternKind::Func, 0, 0});
  Probe p = probe_of(exported, ProbeConfig{});
  EXPECT_TRUE(Module::load(p.bytes).ok());
}

// Folding only adds observations: on the generator's modules every call and
// every other state value is what it is without folding (fuel, traps and
// results unchanged), and the folded probe runs the same twice (the
// determinism oracle).
TEST(DiffFold, GeneratedProbesBehaveAsWithoutFoldingAndDeterministically) {
  size_t nonzero = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    ast::Module m = own_module(mix_seed(99, 1, seed));
    ProbeConfig off;
    off.fold = false;
    Probe on_p = probe_of(m, ProbeConfig{}), off_p = probe_of(m, off);
    ASSERT_TRUE(Module::load(on_p.bytes).ok()) << "seed " << seed;
    RunResult a = run_on_warden(on_p), b = run_on_warden(on_p), c = run_on_warden(off_p);
    ASSERT_EQ(a.calls.size(), c.calls.size());
    EXPECT_EQ(a.instantiate.status, c.instantiate.status);
    for (size_t i = 0; i < a.calls.size(); ++i) {
      EXPECT_EQ(a.calls[i].status, b.calls[i].status);
      EXPECT_EQ(a.calls[i].values, b.calls[i].values);
      EXPECT_EQ(a.calls[i].status, c.calls[i].status) << "seed " << seed << " call " << i;
      std::vector<uint64_t> v = a.calls[i].values;
      if (i + 1 == a.calls.size() && !v.empty()) {
        nonzero += v.back() != 0;
        v.pop_back();  // the checksum
      }
      EXPECT_EQ(v, c.calls[i].values) << "seed " << seed << " call " << i;
    }
  }
  EXPECT_GE(nonzero, 30u);
}

// The measure on a module small enough to count by hand: f's 7 sites all
// run; the unused function's one site never does. Without folding only the
// returned constant is seen; with it, all but the `i32.const 1` whose flip
// `i32.and 2` masks.
TEST(DiffObservability, CountsExecutedSitesAndWhatReachesTheState) {
  ast::Module m = decoded(R"((module
    (func (export "f") (result i32)
      (drop (i32.add (i32.const 1) (i32.const 2)))
      (drop (i32.and (i32.const 2) (i32.const 1)))
      (i32.const 7))
    (func $unused (result i32) (i32.const 3))))");
  std::unique_ptr<Engine> w = make_engine("warden", EngineSetup{});
  Observability o = measure_module(m, 1, ProbeConfig{}, 16, *w);
  EXPECT_EQ(o.modules, 1u);
  EXPECT_EQ(o.sites, 8u);
  EXPECT_EQ(o.marked, 8u);
  EXPECT_EQ(o.executed, 7u);
  EXPECT_EQ(o.sampled, 7u);
  EXPECT_EQ(o.observed_off, 1u);
  EXPECT_EQ(o.observed_on, 6u);
  EXPECT_EQ(o.by_kind.at("constant"), (std::array<uint64_t, 3>{5, 1, 4}));
  EXPECT_EQ(o.by_kind.at("numeric"), (std::array<uint64_t, 3>{2, 0, 2}));
  EXPECT_EQ(o.unseen_before, (std::map<std::string, uint64_t>{{"i32.and", 1}}));
}
