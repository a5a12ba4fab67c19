// Loads on several threads under ThreadSanitizer (ctest load_threads_tsan):
// the three layers a load runs (core, decode, validate) are compiled again
// with -fsanitize=thread for this program alone (tests/CMakeLists.txt), so
// any data race between the threads of validate/deferred.cpp, or between
// them and the thread that started them, fails the run.
//
//   load_threads_tsan MODULE.wasm
//
// MODULE is loaded on 1, 2, 3 and 4 threads (Limits::load_threads), then 40
// copies of it, each with a few bytes of its bodies changed, on 1 and on 4.
// Each load's outcome (the error's kind, message and offset, or the
// compiled words of every function) must be the same on any number of
// threads. Prints "N passed, N failed"; exit status 1 on any failure (a race
// makes ThreadSanitizer exit 66 first).
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "validate/validator.hpp"
#include "warden/binary.hpp"

namespace {

using namespace warden;

// The outcome as a string: what must not depend on the thread count.
std::string outcome(const std::vector<uint8_t>& bytes, uint32_t threads) {
  Limits limits;
  limits.load_threads = threads;
  Result<Loaded> r = load_binary(bytes, limits);
  if (!r) {
    return std::string(to_string(r.error().kind)) + ": " + r.error().message + " @" + std::to_string(r.error().offset);
  }
  uint64_t h = 1469598103934665603u;  // FNV-1a over every function's words and shape
  auto mix = [&h](uint64_t w) { h = (h ^ w) * 1099511628211u; };
  for (const code::CompiledFunc& f : r->code.funcs) {
    mix(f.code.size());
    for (uint64_t w : f.code) mix(w);
    for (uint64_t v : {f.type, f.param_slots, f.local_slots, f.result_slots, f.max_stack}) mix(v);
  }
  return "ok: " + std::to_string(r->code.funcs.size()) + " functions, code hash " + std::to_string(h);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: load_threads_tsan MODULE.wasm\n");
    return 64;
  }
  std::ifstream in(argv[1], std::ios::binary);
  const std::vector<uint8_t> module((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The bodies, from the first code entry to the last one's start: where
  // the mutants' bytes change.
  Result<ast::Module> tree = decode(module, Limits{});
  if (!tree || tree->funcs.size() < 2) {
    std::fprintf(stderr, "load_threads_tsan: %s: not a module with two functions or more\n", argv[1]);
    return 64;
  }
  const size_t code_begin = tree->funcs.front().pos, code_end = tree->funcs.back().pos;
  int passed = 0, failed = 0;
  auto check = [&](const std::vector<uint8_t>& bytes, uint32_t threads, const std::string& want,
                   const std::string& what) {
    const std::string got = outcome(bytes, threads);
    if (got == want) {
      ++passed;
    } else {
      ++failed;
      std::printf("FAILED %s on %u threads: %s, one thread: %s\n", what.c_str(), threads, got.c_str(), want.c_str());
    }
  };
  const std::string whole = outcome(module, 1);
  if (!whole.starts_with("ok")) {
    std::fprintf(stderr, "load_threads_tsan: %s does not load: %s\n", argv[1], whole.c_str());
    return 64;
  }
  for (uint32_t t = 2; t <= 4; ++t) check(module, t, whole, "the module");
  // Mutants: 1 to 4 bytes of the bodies replaced, from a fixed
  // xorshift stream, so every run checks the same inputs.
  uint64_t x = 0x9E3779B97F4A7C15u;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (int m = 0; m < 40; ++m) {
    std::vector<uint8_t> b = module;
    for (uint64_t k = 0, n = 1 + next() % 4; k < n; ++k) {
      b[code_begin + next() % (code_end - code_begin)] = static_cast<uint8_t>(next());
    }
    check(b, 4, outcome(b, 1), "mutant " + std::to_string(m));
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
