// The fuzzing generator (fuzzers/generator): every module it makes is valid,
// nearly all instantiate against the spectest host, generation is a pure
// function of its input, feature switches are honoured, and over many
// modules every enabled row of the opcode table appears. Also the fuzz
// harness's memory hash (fuzzers/common/memory_hash.hpp).
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xxhash.h>

#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "generator.hpp"
#include "memory_hash.hpp"
#include "warden/binary.hpp"
#include "warden/spectest.hpp"
#include "warden/warden.hpp"

using namespace warden;

namespace {

// xorshift64: the tests' pseudo-random input bytes.
std::vector<uint8_t> random_bytes(uint64_t seed, size_t n) {
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  std::vector<uint8_t> out(n);
  for (auto& b : out) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    b = static_cast<uint8_t>(s);
  }
  return out;
}

struct Outcome {
  bool valid = false;
  bool instantiated = false;
  std::string error;
};

Outcome load_and_instantiate(const std::vector<uint8_t>& bin) {
  Outcome o;
  Result<std::shared_ptr<const Module>> m = Module::load(bin);
  if (!m) {
    o.error = m.error().message;
    return o;
  }
  o.valid = true;
  Store store;
  Linker linker;
  EXPECT_TRUE(define_spectest(store, linker));
  Result<std::vector<Extern>> ext = linker.resolve(**m);
  if (!ext) {
    o.error = ext.error().message;
    return o;
  }
  Result<Instance*> inst = store.instantiate(*m, *ext);
  o.instantiated = inst.ok();
  if (!inst) o.error = inst.error().message;
  return o;
}

std::set<Op> ops_of(const ast::Module& m) {
  std::set<Op> ops;
  for (const ast::Function& f : m.funcs)
    for (const ast::Instr& i : f.body) ops.insert(i.op);
  return ops;
}

}  // namespace

TEST(Generator, ThousandModulesAllValid) {
  int valid = 0, instantiated = 0;
  for (uint64_t seed = 0; seed < 1000; ++seed) {
    gen::GenConfig cfg;
    cfg.no_trap = seed % 4 == 1;
    cfg.canonical_nan = seed % 3 == 2;
    std::vector<uint8_t> bin = gen::generate_module(random_bytes(seed, 1 + seed * 7 % 6000), cfg);
    Outcome o = load_and_instantiate(bin);
    EXPECT_TRUE(o.valid) << "seed " << seed << ": " << o.error;
    valid += o.valid;
    instantiated += o.instantiated;
  }
  EXPECT_EQ(valid, 1000);
  // Only a start function that traps prevents instantiation.
  EXPECT_GE(instantiated, 950);
}

TEST(Generator, NoTrapModulesAlwaysInstantiate) {
  // In no_trap mode the only trap is fuel exhaustion, and the start
  // function runs with a full fuel global, so nothing can stop it short of
  // running out; with the default fuel it does not.
  int instantiated = 0;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    gen::GenConfig cfg;
    cfg.no_trap = true;
    Outcome o = load_and_instantiate(gen::generate_module(random_bytes(seed + 5000, 3000), cfg));
    ASSERT_TRUE(o.valid) << o.error;
    instantiated += o.instantiated;
    if (!o.instantiated) {
      EXPECT_EQ(o.error, "unreachable") << "seed " << seed;
    }
  }
  EXPECT_GE(instantiated, 290);
}

TEST(Generator, PureFunctionOfInput) {
  for (uint64_t seed = 0; seed < 50; ++seed) {
    std::vector<uint8_t> in = random_bytes(seed, 2000);
    EXPECT_EQ(gen::generate_module(in), gen::generate_module(in));
  }
}

TEST(Generator, EmptyAndTinyInputsGiveValidModules) {
  for (size_t n = 0; n < 64; ++n) {
    std::vector<uint8_t> in(n, static_cast<uint8_t>(n * 37));
    Outcome o = load_and_instantiate(gen::generate_module(in));
    EXPECT_TRUE(o.valid) << n << ": " << o.error;
  }
}

TEST(Generator, CanonicalNanOnlyAddsCode) {
  // The canonicalised module is the plain one with extra instructions:
  // same functions, same export list, bodies at least as long.
  for (uint64_t seed = 0; seed < 100; ++seed) {
    std::vector<uint8_t> in = random_bytes(seed + 77, 3000);
    gen::GenConfig plain, canon;
    canon.canonical_nan = true;
    ast::Module a = gen::generate_ast(in, plain), b = gen::generate_ast(in, canon);
    ASSERT_EQ(a.funcs.size(), b.funcs.size());
    ASSERT_EQ(a.exports.size(), b.exports.size());
    for (size_t i = 0; i < a.funcs.size(); ++i) EXPECT_LE(a.funcs[i].body.size(), b.funcs[i].body.size());
  }
}

TEST(Generator, FeatureSwitchesAreHonoured) {
  gen::GenConfig mvp;
  mvp.simd = mvp.reference_types = mvp.bulk_memory = mvp.multi_value = false;
  mvp.sign_ext = mvp.sat_conversions = false;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    ast::Module m = gen::generate_ast(random_bytes(seed + 900, 3000), mvp);
    for (Op op : ops_of(m)) EXPECT_TRUE(gen::op_enabled(mvp, op)) << name(op);
    for (const FuncType& t : m.types) {
      EXPECT_LE(t.results.size(), 1u);
      for (ValType v : t.params) EXPECT_TRUE(v != ValType::V128 && !is_ref(v));
      for (ValType v : t.results) EXPECT_TRUE(v != ValType::V128 && !is_ref(v));
    }
    EXPECT_LE(m.tables.size() + m.imported(ExternKind::Table), 1u);
    for (const ast::DataSegment& d : m.datas) EXPECT_EQ(d.mode, ast::SegmentMode::Active);
    Outcome o = load_and_instantiate(gen::generate_module(random_bytes(seed + 900, 3000), mvp));
    EXPECT_TRUE(o.valid) << o.error;
  }
}

TEST(Generator, NoTrapModeEmitsNoTrapSources) {
  gen::GenConfig cfg;
  cfg.no_trap = true;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    ast::Module m = gen::generate_ast(random_bytes(seed + 1234, 3000), cfg);
    for (const ast::Function& f : m.funcs) {
      for (size_t i = 0; i < f.body.size(); ++i) {
        Op op = f.body[i].op;
        EXPECT_NE(op, Op::CallIndirect);
        EXPECT_NE(op, Op::DataDrop);
        EXPECT_NE(op, Op::ElemDrop);
        // The only unreachable is the fuel check's: global.get; i32.eqz; if; unreachable.
        if (op == Op::Unreachable) {
          ASSERT_GE(i, 3u);
          EXPECT_EQ(f.body[i - 1].op, Op::If);
          EXPECT_EQ(f.body[i - 2].op, Op::I32Eqz);
          EXPECT_EQ(f.body[i - 3].op, Op::GlobalGet);
        }
      }
    }
  }
}

TEST(Generator, EveryEnabledOpcodeAppears) {
  std::vector<bool> seen(kOpCount, false);
  gen::GenConfig cfg;
  for (uint64_t seed = 0; seed < 2000; ++seed)
    for (Op op : ops_of(gen::generate_ast(random_bytes(seed + 42, 4096), cfg))) seen[static_cast<uint16_t>(op)] = true;
  std::string missing;
  for (uint16_t i = 0; i < kOpCount; ++i)
    if (gen::op_enabled(cfg, static_cast<Op>(i)) && !seen[i]) missing += " " + std::string(name(static_cast<Op>(i)));
  EXPECT_EQ(missing, "");
}

TEST(Generator, FuelGlobalBoundsEveryCall) {
  // With the fuel global at 3, a call runs at most 3 function entries and
  // loop iterations before `unreachable`; the engine's own fuel counts the
  // same points, so no call can spend more than a few units.
  for (uint64_t seed = 0; seed < 100; ++seed) {
    gen::GenConfig cfg;
    cfg.fuel = 3;
    cfg.allow_start = false;
    Result<std::shared_ptr<const Module>> m = Module::load(gen::generate_module(random_bytes(seed + 7, 3000), cfg));
    ASSERT_TRUE(m.ok()) << m.error().message;
    Store store;
    Linker linker;
    ASSERT_TRUE(define_spectest(store, linker));
    Result<std::vector<Extern>> ext = linker.resolve(**m);
    ASSERT_TRUE(ext.ok());
    Result<Instance*> inst = store.instantiate(*m, *ext);
    if (!inst) continue;
    std::optional<Extern> fuel = (*inst)->find_export(gen::kFuelExport);
    ASSERT_TRUE(fuel.has_value());
    for (const auto& [name, e] : (*inst)->exports()) {
      if (e.kind != ExternKind::Func || !store.func_type(e.func).params.empty()) continue;
      ASSERT_TRUE(store.global_set(fuel->global, Value::i32(3)).ok());
      store.set_fuel(0);
      Result<std::vector<Value>> r = store.invoke(e.func, {});
      // Wrapper plus at most 4 fuel points before the check fires
      // (entry/loop points run the check first, then decrement).
      EXPECT_LE(store.fuel_consumed(), 5u) << name;
      if (!r) {
        EXPECT_TRUE(r.error().kind == ErrorKind::Trap) << r.error().message;
      }
    }
  }
}

TEST(Generator, NoTrapCallsTrapOnlyWhenFuelRunsOut) {
  gen::GenConfig cfg;
  cfg.no_trap = true;
  int calls = 0, returned = 0;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    Result<std::shared_ptr<const Module>> m = Module::load(gen::generate_module(random_bytes(seed + 31, 4000), cfg));
    ASSERT_TRUE(m.ok()) << m.error().message;
    Store store;
    Linker linker;
    ASSERT_TRUE(define_spectest(store, linker));
    Result<std::vector<Extern>> ext = linker.resolve(**m);
    ASSERT_TRUE(ext.ok());
    Result<Instance*> inst = store.instantiate(*m, *ext);
    if (!inst) continue;
    std::optional<Extern> fuel = (*inst)->find_export(gen::kFuelExport);
    ASSERT_TRUE(fuel.has_value());
    for (const auto& [name, e] : (*inst)->exports()) {
      if (e.kind != ExternKind::Func) continue;
      std::vector<Value> args;
      for (ValType t : store.func_type(e.func).params) args.push_back(Value::null(t));  // all-zero bits
      ASSERT_TRUE(store.global_set(fuel->global, Value::i32(cfg.fuel)).ok());
      Result<std::vector<Value>> r = store.invoke(e.func, args);
      ++calls;
      returned += r.ok();
      if (!r) {
        EXPECT_EQ(r.error().message, "unreachable") << "seed " << seed << " " << name;
      }
    }
  }
  EXPECT_GE(returned * 10, calls * 8) << returned << " of " << calls;
}

// ---- edge values (fuzzers/generator/edge.hpp)

namespace {

gen::EdgeCounts count_edges(uint64_t first_seed, uint64_t n, gen::GenConfig cfg) {
  gen::EdgeCounts counts;
  cfg.edge_counts = &counts;
  for (uint64_t seed = first_seed; seed < first_seed + n; ++seed) gen::generate_ast(random_bytes(seed, 4096), cfg);
  return counts;
}

bool traps_by_design(gen::Edge e) {
  return e == gen::Edge::PastEnd || e == gen::Edge::AddrHuge || e == gen::Edge::BulkZeroPastEnd ||
         e == gen::Edge::BulkPastEnd;
}

}  // namespace

TEST(GeneratorEdges, EveryClassIsGenerated) {
  gen::EdgeCounts c = count_edges(4242, 400, {});
  std::string missing;
  for (uint32_t k = 0; k < gen::kEdgeCount; ++k)
    if (c.n[k] == 0) missing += std::string(" ") + gen::kEdgeInfo[k].name;
  EXPECT_EQ(missing, "");
  // By construction 10 of 16 constant picks are edges, and about a fifth of
  // the operand sites (one in edge_operand_one_in = 4; segment offsets one
  // in 8).
  uint64_t constants = c.total(false), operands = c.total(true);
  uint64_t plain_constants = c[gen::Edge::IntSmall] + c[gen::Edge::IntRandom] + c[gen::Edge::FloatSmall] +
                             c[gen::Edge::FloatRandom] + c[gen::Edge::LaneRandom];
  ASSERT_GT(constants, 10000u);
  ASSERT_GT(operands, 1000u);
  double edge_constants = 1.0 - static_cast<double>(plain_constants) / static_cast<double>(constants);
  double edge_operands = 1.0 - static_cast<double>(c[gen::Edge::OperandPlain]) / static_cast<double>(operands);
  EXPECT_GT(edge_constants, 0.55);
  EXPECT_LT(edge_constants, 0.70);
  EXPECT_GT(edge_operands, 0.12);
  EXPECT_LT(edge_operands, 0.35);
}

TEST(GeneratorEdges, NoTrapModeGetsOnlyInBoundsEdges) {
  gen::GenConfig cfg;
  cfg.no_trap = true;
  gen::EdgeCounts c = count_edges(777, 300, cfg);
  for (uint32_t k = 0; k < gen::kEdgeCount; ++k) {
    auto e = static_cast<gen::Edge>(k);
    if (traps_by_design(e)) {
      EXPECT_EQ(c.n[k], 0u) << gen::kEdgeInfo[k].name;
    } else if (gen::kEdgeInfo[k].operand && e != gen::Edge::SegmentAtEnd) {
      EXPECT_GT(c.n[k], 0u) << gen::kEdgeInfo[k].name;
    }
  }
}

TEST(GeneratorEdges, CountingIsDeterministicAndChangesNothing) {
  gen::GenConfig counted;
  gen::EdgeCounts c;
  counted.edge_counts = &c;
  for (uint64_t seed = 0; seed < 30; ++seed) {
    std::vector<uint8_t> in = random_bytes(seed + 99, 3000);
    EXPECT_EQ(gen::generate_module(in), gen::generate_module(in, counted));
  }
  EXPECT_EQ(count_edges(5, 60, {}).n, count_edges(5, 60, {}).n);
}

TEST(GeneratorEdges, EdgeValuesReachTheCode) {
  // Values the classes promise, found as constants in generated bodies, and
  // the end-of-memory address computed from memory.size.
  std::set<std::pair<Op, uint64_t>> want = {
      {Op::I32Const, 0x80000000u},
      {Op::I32Const, 0x7FFFFFFFu},
      {Op::I64Const, 0xFFFFFFFFull},
      {Op::I64Const, 0x8000000000000000ull},
      {Op::I32Const, 32},
      {Op::I32Const, 0x10000},
      {Op::F32Const, 0x4F000000u},
      {Op::F32Const, 0x4EFFFFFFu},
      {Op::F32Const, 0x7FA00001u},
      {Op::F32Const, 0x3F000000u},
      {Op::F64Const, 0x43E0000000000000ull},
      {Op::F64Const, 0xC1E0000000200000ull},
      {Op::F64Const, 0x000FFFFFFFFFFFFFull},
      {Op::V128Const, 0x8000800080008000ull},
  };
  bool memory_end = false;
  for (uint64_t seed = 0; seed < 300 && (!want.empty() || !memory_end); ++seed) {
    ast::Module m = gen::generate_ast(random_bytes(seed + 31337, 4096));
    for (const ast::Function& f : m.funcs)
      for (size_t i = 0; i < f.body.size(); ++i) {
        const ast::Instr& in = f.body[i];
        want.erase({in.op, in.lo});
        if (in.op == Op::MemorySize && i + 2 < f.body.size() && f.body[i + 1].op == Op::I32Const &&
            f.body[i + 1].lo == 16 && f.body[i + 2].op == Op::I32Shl)
          memory_end = true;
      }
  }
  EXPECT_TRUE(want.empty()) << want.size() << " values never generated";
  EXPECT_TRUE(memory_end);
}

// The hash is XXH3 of the bytes whichever way it reads them, and it leaves
// the pages nobody touched unmapped.
TEST(FuzzHarness, MemoryHashIsXxh3AndFaultsNothingIn) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t pages = 16, bytes = pages * page;
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  auto* mem = static_cast<uint8_t*>(p);
  mem[3 * page + 17] = 0x5a;  // two pages touched, the rest never
  mem[10 * page - 1] = 0xa5;
  const std::span<const uint8_t> all(mem, bytes);
  const uint64_t h = fuzz::hash_memory(all);

  std::vector<unsigned char> resident(pages);
  ASSERT_EQ(mincore(p, bytes, resident.data()), 0);
  size_t mapped = 0;
  for (unsigned char r : resident) mapped += r & 1;

  EXPECT_EQ(h, XXH3_64bits(mem, bytes));                                          // reads (and maps) every page
  EXPECT_EQ(fuzz::hash_memory(all.subspan(1)), XXH3_64bits(mem + 1, bytes - 1));  // not on a page: read whole
  EXPECT_EQ(fuzz::hash_memory(all.first(5 * page + 3)), XXH3_64bits(mem, 5 * page + 3));
  EXPECT_EQ(fuzz::hash_memory(all), h);  // every page resident now
  munmap(p, bytes);

  if (fuzz::swap_active()) GTEST_SKIP() << "swap is active: the hash reads every page";
  EXPECT_EQ(mapped, 2u);
}
