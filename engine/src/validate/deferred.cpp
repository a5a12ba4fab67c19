// Deferred bodies on several threads (deferred.hpp).
//
// The bodies are cut into runs of consecutive ones, and the runs dealt to
// N workers by their bytes (deal_runs). The deal depends on the module and
// N only: the same workers, runs and merge whatever the machine, so the
// tests and the fuzzers exercise the merge across workers on small modules
// too.
// A worker runs on a thread of its own only where its share of the bytes
// pays for starting one; the calling thread runs worker 0 and those
// without one. Each worker has its own reader, compiler and code chunks,
// and nothing it writes is read by another until the threads are joined.
// Then the lowest-indexed error of each kind wins, and the workers' chunks
// and functions are put together in function order.
#include "validate/deferred.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <limits>
#include <thread>
#include <utility>
#include <vector>

#include "decode/decoder.hpp"

namespace warden::valid {
namespace {

// Bytes of bodies per thread started: starting one costs about as much as
// validating a few KiB, so below this a worker's runs go to the calling
// thread.
constexpr uint64_t kBytesPerThread = uint64_t{256} << 10;
constexpr size_t kNone = std::numeric_limits<size_t>::max();

// Lowers `a` to `v` if `v` is lower.
void lower(std::atomic<size_t>& a, size_t v) {
  size_t cur = a.load(std::memory_order_relaxed);
  while (v < cur && !a.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {}
}

struct Shared {
  std::span<const uint8_t> bytes;
  bool has_data_count;
  std::span<const DeferredBody> bodies;
  const Context* c;
  const Limits& limits;
  bool emit;
  // Set here, not by the caller's braces, so an aggregate initialisation
  // cannot reset them.
  std::vector<size_t> runs = {};                  // run k is bodies [runs[k], runs[k + 1])
  std::vector<std::vector<uint32_t>> dealt = {};  // each worker's runs, in ascending order
  // The lowest body known to be malformed (nothing after it matters) and
  // to be invalid (after it, only malformed bytes matter). Hints only: each
  // thread's own record below is what the result is built from.
  std::atomic<size_t> first_malformed{kNone}, first_invalid{kNone};
};

struct Worker {
  code::CompiledCode code;
  std::vector<std::pair<uint32_t, uint32_t>> placed;  // function index, index in code.funcs
  size_t malformed_at = kNone, invalid_at = kNone;    // body slots
  std::optional<Error> malformed, invalid;
  std::exception_ptr thrown;  // an allocation that failed, say

  // Runs the runs dealt to worker w. An exception stops every worker, and
  // is rethrown on the calling thread once all are joined.
  void run(Shared& s, size_t w) noexcept {
    try {
      run_unguarded(s, s.dealt[w]);
    } catch (...) {
      thrown = std::current_exception();
      s.first_malformed.store(0, std::memory_order_relaxed);
    }
  }

  void run_unguarded(Shared& s, std::span<const uint32_t> runs) {
    decode_detail::Reader r(s.bytes);
    decode_detail::InstrReader in(r, s.has_data_count);
    std::optional<FunctionCompiler> compiler;
    if (s.c) compiler.emplace(*s.c, s.limits, code, s.emit);
    for (const uint32_t k : runs) {
      for (size_t slot = s.runs[k]; slot < s.runs[k + 1]; ++slot) {
        // A worker's runs go up (deal_runs), so every later slot is past it too.
        if (slot > s.first_malformed.load(std::memory_order_relaxed)) return;
        const DeferredBody& b = s.bodies[slot];
        r.restart(b.at);
        in.reset();
        std::optional<Result<code::CompiledFunc>> compiled;
        if (compiler && slot < s.first_invalid.load(std::memory_order_relaxed)) {
          compiled = compiler->compile(s.c->m->funcs[b.index], in);
        }
        decode_detail::finish_entry(in, r, b.start, b.size);
        if (!r.ok()) {  // this worker's first, as it stops here
          malformed_at = slot;
          malformed = r.error();
          lower(s.first_malformed, slot);
          return;  // every body after this one is later still
        }
        if (!compiled) continue;
        if (!*compiled) {
          if (slot < invalid_at) {
            invalid_at = slot;
            invalid = compiled->error();
          }
          lower(s.first_invalid, slot);
        } else if (s.emit) {
          placed.emplace_back(b.index, static_cast<uint32_t>(code.funcs.size()));
          code.funcs.push_back(compiled->value());
        }
      }
    }
  }
};

}  // namespace

std::vector<std::vector<uint32_t>> deal_runs(std::span<const uint64_t> run_bytes, size_t workers) {
  std::vector<uint32_t> order(run_bytes.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = static_cast<uint32_t>(k);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return run_bytes[a] > run_bytes[b]; });
  std::vector<std::vector<uint32_t>> dealt(std::max<size_t>(workers, 1));
  std::vector<uint64_t> load(dealt.size(), 0);
  for (const uint32_t k : order) {
    const size_t w = static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    load[w] += run_bytes[k];
    dealt[w].push_back(k);
  }
  for (std::vector<uint32_t>& d : dealt) std::sort(d.begin(), d.end());
  return dealt;
}

DeferredResult run_deferred(std::span<const uint8_t> bytes, bool has_data_count, std::span<const DeferredBody> bodies,
                            const Context* c, const Limits& limits, bool emit, uint32_t threads) {
  Shared s{bytes, has_data_count, bodies, c, limits, emit && c != nullptr};
  // Runs of about an eighth of a worker's share of the bytes: enough of
  // them to even out bodies of uneven cost between the workers.
  const size_t wanted = std::clamp<uint32_t>(threads, 1, Limits::kMaxLoadThreads);
  uint64_t total = 0;
  for (const DeferredBody& b : bodies) total += b.size;
  const uint64_t per_run = std::max<uint64_t>(total / (wanted * 8), 1);
  s.runs.push_back(0);
  std::vector<uint64_t> run_bytes;
  uint64_t in_run = 0;
  for (size_t i = 0; i < bodies.size(); ++i) {
    in_run += bodies[i].size;
    if (in_run >= per_run || i + 1 == bodies.size()) {
      s.runs.push_back(i + 1);
      run_bytes.push_back(in_run);
      in_run = 0;
    }
  }
  const size_t n = std::max<size_t>(std::min(wanted, s.runs.size() - 1), 1);
  s.dealt = deal_runs(run_bytes, n);

  std::vector<Worker> workers(n);
  {
    const size_t to_start = static_cast<size_t>(std::min<uint64_t>(n - 1, total / kBytesPerThread));
    std::vector<std::jthread> started;  // joined as this scope ends, however it ends
    started.reserve(to_start);
    for (size_t t = 1; t <= to_start; ++t) {
      try {
        started.emplace_back([&s, &w = workers[t], t] { w.run(s, t); });
      } catch (...) {
        break;  // the calling thread takes this worker and the rest
      }
    }
    for (size_t t = 0; t < n; ++t) {
      if (t == 0 || t > started.size()) workers[t].run(s, t);
    }
  }
  for (const Worker& w : workers) {
    if (w.thrown) std::rethrow_exception(w.thrown);
  }

  DeferredResult out;
  size_t malformed_at = kNone, invalid_at = kNone;
  for (Worker& w : workers) {
    if (w.malformed_at < malformed_at) {
      malformed_at = w.malformed_at;
      out.malformed = std::move(w.malformed);
    }
    if (w.invalid_at < invalid_at) {
      invalid_at = w.invalid_at;
      out.invalid = std::move(w.invalid);
    }
  }
  if (out.malformed || out.invalid || !s.emit) return out;
  out.code.funcs.resize(bodies.size());
  for (Worker& w : workers) {
    w.code.seal();  // may move a chunk, and with it the spans in w.code.funcs
    for (auto [index, k] : w.placed) out.code.funcs[index] = w.code.funcs[k];
    out.code.absorb(std::move(w.code));
  }
  return out;
}

}  // namespace warden::valid
