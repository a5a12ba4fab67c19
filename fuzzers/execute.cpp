// Fuzz target "execute": bytes -> generated module -> run every export.
//
// Input layout: [2 config bytes][plan length][plan bytes][generator bytes].
// Oracles:
//  1. the generated module loads (valid by construction) and its encoding
//     decodes back to the same tree;
//  2. determinism: two fresh stores produce the same trace (results' bits,
//     trap messages, memory hash, globals, tables), also under limits tight
//     enough that calls end in exhaustion;
//  3. deterministic mode: the module run with StoreOptions::deterministic
//     behaves exactly like the same module generated with explicit NaN
//     canonicalisation (GenConfig::canonical_nan) run without it;
//  4. fuel exactness: rerunning a call with exactly the fuel it consumed
//     gives the same outcome (checked by the second run of 2, which gives
//     one call exactly its fuel: the whole trace must still be the same),
//     and with one unit less "fuel exhausted".
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "generator.hpp"
#include "harness.hpp"
#include "warden/binary.hpp"
#include "warden/syntax.hpp"

using namespace warden;

namespace {

// The round trip: the generator's tree, encoded and decoded, is the same
// tree. (syntax_of() cannot stand in for the decode: a loaded module keeps
// no function bodies, docs/design.md "Loading: from bytes to code".)
std::shared_ptr<const Module> load_generated(const ast::Module& tree, const Limits& limits) {
  std::vector<uint8_t> bytes = encode(tree);
  Result<ast::Module> decoded = decode(bytes, limits);
  if (!decoded) fuzz::fail("generated module does not decode: " + fuzz::describe(decoded.error()));
  if (std::string d = ast_diff(tree, *decoded); !d.empty())
    fuzz::fail("generated module changes through encode/decode: " + d);
  Result<std::shared_ptr<const Module>> m = Module::load(bytes, limits);
  if (!m) fuzz::fail("generated module does not load: " + fuzz::describe(m.error()));
  return *m;
}

void compare(const fuzz::RunResult& a, const fuzz::RunResult& b, const std::string& what) {
  if (a.trace != b.trace) fuzz::fail(what + ":\n--- first\n" + a.trace + "\n--- second\n" + b.trace);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  size_t used = 0;
  gen::GenConfig cfg = gen::config_from_bytes(input, &used);
  cfg.canonical_nan = false;
  input = input.subspan(used);
  size_t plan_len = input.empty() ? 0 : std::min<size_t>(input[0], input.size() - 1);
  std::span<const uint8_t> plan = input.empty() ? input : input.subspan(1, plan_len);
  std::span<const uint8_t> gen_bytes = input.empty() ? input : input.subspan(1 + plan_len);

  fuzz::RunConfig run;
  run.limits.max_call_depth = 2000;
  run.limits.max_memory_bytes = 16u << 20;
  run.limits.max_table_elements = 100'000;
  run.fuel_global_value = cfg.fuel;

  ast::Module plain = gen::generate_ast(gen_bytes, cfg);
  std::shared_ptr<const Module> m = load_generated(plain, run.limits);

  // 2. determinism across stores, and 4a. fuel exactness: the second
  // store gives one call (chosen by the input) exactly the fuel it took in
  // the first, so its trace matches the first one's, final state included,
  // only if the engine is deterministic and that call behaves the same on
  // exactly its fuel. (One run checks both: a separate exact-fuel run
  // replayed the same calls up to that one.)
  fuzz::RunResult first = fuzz::run_module(m, plan, run);
  std::optional<fuzz::RunConfig::Cut> cut;
  if (!first.fuel.empty()) {
    size_t index = (size + plan_len) % first.fuel.size();
    if (first.fuel[index] >= 2) cut = fuzz::RunConfig::Cut{index, first.fuel[index], false};  // 0: unlimited
  }
  fuzz::RunConfig exact = run;
  exact.cut = cut;
  compare(first, fuzz::run_module(m, plan, exact),
          cut ? "two fresh stores disagree (the second giving call " + std::to_string(cut->index) +
                    " exactly the fuel it took, " + std::to_string(cut->fuel) + ")"
              : std::string("two fresh stores disagree"));

  // 2b. determinism when resource limits bite: tiny call depth, stack and
  // fuel make Exhaustion the common outcome (one input in four).
  if (size % 4 == 0) {
    fuzz::RunConfig tight = run;
    tight.limits.max_call_depth = 8;
    tight.limits.max_stack_slots = 256;
    tight.call_fuel = 50;
    compare(fuzz::run_module(m, plan, tight), fuzz::run_module(m, plan, tight),
            "two fresh stores disagree under tight limits");
  }

  // 3. deterministic mode == explicit canonicalisation
  gen::GenConfig canon_cfg = cfg;
  canon_cfg.canonical_nan = true;
  std::shared_ptr<const Module> canon = load_generated(gen::generate_ast(gen_bytes, canon_cfg), run.limits);
  fuzz::RunConfig det = run;
  det.options.deterministic = true;
  compare(fuzz::run_module(m, plan, det), fuzz::run_module(canon, plan, run),
          "deterministic mode differs from explicitly canonicalised code");

  // 4b. fuel exactness: with one unit less that call ends in exhaustion.
  if (cut) {
    size_t index = cut->index;
    exact.cut = fuzz::RunConfig::Cut{index, cut->fuel - 1, true};
    fuzz::RunResult less = fuzz::run_module(m, plan, exact);
    if (less.calls.size() != index + 1 || less.calls[index] != "exhausted: fuel exhausted")
      fuzz::fail("call " + std::to_string(index) + " with one unit less than its fuel (" + std::to_string(cut->fuel) +
                 ") gave " + (less.calls.empty() ? "-" : less.calls.back()));
  }
  return 0;
}
