// Measures the generator (a tool, not a test): how many generated modules
// validate (must be all), instantiate, how many calls return rather than
// trap, which rows of the opcode table were generated, and how often each
// edge-value class (generator/edge.hpp) was picked.
//
//   gen_stats [-n MODULES] [-s SEED] [-b BYTES] [--no-trap] [--canonical-nan]
//             [--mvp] [-v]
//
// Each module comes from BYTES pseudo-random bytes (xorshift from SEED).
// Results are printed as a small report; docs/fuzzing.md quotes it.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "generator.hpp"
#include "harness.hpp"
#include "warden/binary.hpp"

using namespace warden;

int main(int argc, char** argv) {
  uint32_t n = 10000, bytes_per_module = 4096;
  uint64_t seed = 1;
  bool verbose = false;
  gen::GenConfig cfg;
  gen::EdgeCounts edges;
  cfg.edge_counts = &edges;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-n" && i + 1 < argc)
      n = static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 0));
    else if (a == "-s" && i + 1 < argc)
      seed = std::strtoull(argv[++i], nullptr, 0);
    else if (a == "-b" && i + 1 < argc)
      bytes_per_module = static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 0));
    else if (a == "--no-trap")
      cfg.no_trap = true;
    else if (a == "--canonical-nan")
      cfg.canonical_nan = true;
    else if (a == "--mvp") {
      cfg.simd = cfg.reference_types = cfg.bulk_memory = cfg.multi_value = false;
      cfg.sign_ext = cfg.sat_conversions = false;
    } else if (a == "-v")
      verbose = true;
    else {
      std::fprintf(stderr, "usage: gen_stats [-n N] [-s SEED] [-b BYTES] [--no-trap] [--canonical-nan] [--mvp] [-v]\n");
      return 2;
    }
  }

  uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };

  std::vector<uint64_t> op_count(kOpCount, 0);
  uint64_t valid = 0, instantiated = 0, calls = 0, returned = 0, trapped = 0, exhausted = 0;
  uint64_t instrs = 0, funcs = 0, bytes_total = 0;
  fuzz::RunConfig run;
  run.rounds = 1;
  run.fuel_global_value = cfg.fuel;
  std::vector<uint8_t> input(bytes_per_module);
  for (uint32_t i = 0; i < n; ++i) {
    for (auto& b : input) b = static_cast<uint8_t>(next());
    ast::Module tree = gen::generate_ast(input, cfg);
    for (const ast::Function& f : tree.funcs) {
      ++funcs;
      instrs += f.body.size();
      for (const ast::Instr& in : f.body) ++op_count[static_cast<uint16_t>(in.op)];
    }
    // The tree is encoded as generated: generating it again would count
    // every pick twice.
    std::vector<uint8_t> bin = encode(tree);
    bytes_total += bin.size();
    Result<std::shared_ptr<const Module>> m = Module::load(bin);
    if (!m) {
      if (verbose) std::printf("module %u invalid: %s\n", i, fuzz::describe(m.error()).c_str());
      continue;
    }
    ++valid;
    fuzz::RunResult r = fuzz::run_module(*m, {}, run);
    if (!r.instantiated) {
      if (verbose) std::printf("module %u: %s\n", i, r.trace.c_str());
      continue;
    }
    ++instantiated;
    calls += r.calls.size();
    returned += r.returned;
    trapped += r.trapped;
    exhausted += r.exhausted;
  }

  auto pct = [](uint64_t a, uint64_t b) { return b ? 100.0 * static_cast<double>(a) / static_cast<double>(b) : 0.0; };
  std::printf("modules            %u (%u input bytes each, seed %llu%s%s)\n", n, bytes_per_module,
              static_cast<unsigned long long>(seed), cfg.no_trap ? ", no_trap" : "",
              cfg.canonical_nan ? ", canonical_nan" : "");
  std::printf("valid              %.2f %%\n", pct(valid, n));
  std::printf("instantiated       %.2f %%\n", pct(instantiated, n));
  std::printf("calls              %llu: returned %.2f %%, trapped %.2f %%, exhausted %.2f %%\n",
              static_cast<unsigned long long>(calls), pct(returned, calls), pct(trapped, calls), pct(exhausted, calls));
  std::printf("average            %.1f functions/module, %.1f instructions/function, %.0f bytes/module\n",
              static_cast<double>(funcs) / n, funcs ? static_cast<double>(instrs) / static_cast<double>(funcs) : 0.0,
              static_cast<double>(bytes_total) / n);
  uint32_t enabled = 0, seen = 0;
  std::string missing;
  for (uint16_t i = 0; i < kOpCount; ++i) {
    Op op = static_cast<Op>(i);
    if (!gen::op_enabled(cfg, op)) continue;
    // no_trap leaves these out on purpose (see GenConfig::no_trap).
    if (cfg.no_trap && (op == Op::CallIndirect || op == Op::ElemDrop || op == Op::DataDrop)) continue;
    ++enabled;
    if (op_count[i])
      ++seen;
    else
      missing += " " + std::string(name(op));
  }
  std::printf("opcode coverage    %u / %u enabled table rows%s%s\n", seen, enabled,
              missing.empty() ? "" : "; missing:", missing.c_str());
  for (bool operand : {false, true}) {
    uint64_t total = edges.total(operand);
    std::printf("%s %llu\n",
                operand ? "edge operands      memory/table/control operands chosen:"
                        : "edge constants     constants generated:",
                static_cast<unsigned long long>(total));
    for (uint32_t k = 0; k < gen::kEdgeCount; ++k) {
      const gen::EdgeInfo& e = gen::kEdgeInfo[k];
      if (e.operand != operand) continue;
      std::printf("  %-18s %9llu %6.2f %%  %s\n", e.name, static_cast<unsigned long long>(edges.n[k]),
                  pct(edges.n[k], total), e.description);
    }
  }
  return valid == n && seen == enabled ? 0 : 1;
}
