// Load throughput and memory: times Module::load (decode, validate,
// compile) of one binary module, in this process, and reports MB/s per run
// (by wall-clock and by the process's CPU time), their median, the heap the
// loaded Module keeps, how much the resident memory grew in the first load
// (which counts the code chunks the engine maps itself, outside the heap),
// and the process's peak RSS (docs/design.md, "Loading: from bytes to
// code").
//
//   build/release/bench/load/load_bench FILE.wasm [RUNS [THREADS]]
//
// RUNS defaults to 5, THREADS (Limits::load_threads) to 1. With more than
// one thread, wall-clock MB/s is the rate a caller sees, and CPU time (all
// threads') what the load cost. MB is 10^6 bytes. The file is read before
// the first run, so the peak RSS includes the module's bytes (as any
// embedder holding them would). Then the same runs of Module::validate
// (decode and validate, no compiling) give the rate a load would have if
// compiling cost nothing. A measurement, never a test: it fails only when
// the module does not load or validate.
#include <malloc.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "warden/warden.hpp"

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// CPU time of this process (all its threads, so a load on several counts
// each one's): on a machine shared with other builds, wall time also counts
// the time the scheduler gave to others.
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// malloc's small and large (mapped) blocks.
size_t heap_in_use() {
  const struct mallinfo2 i = mallinfo2();
  return i.uordblks + i.hblkhd;
}

// Resident bytes of the process now (/proc/self/statm), 0 if unreadable:
// counts what the engine maps itself (large code chunks) as well.
size_t resident_bytes() {
  std::ifstream f("/proc/self/statm");
  size_t pages = 0, resident = 0;
  if (!(f >> pages >> resident)) return 0;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

// The module did not load or validate: its error, kind first; exit status 1.
int refused(const char* file, const char* what, const warden::Error& e) {
  std::fprintf(stderr, "load_bench: %s: %s: %s: %s at %llu\n", file, what,
               std::string(warden::to_string(e.kind)).c_str(), e.message.c_str(),
               static_cast<unsigned long long>(e.offset));
  return 1;
}

long peak_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;  // KiB on Linux
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) {
    std::fprintf(stderr, "usage: load_bench FILE.wasm [RUNS [THREADS]]\n");
    return 64;
  }
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 1;
  if (runs < 1 || runs > 1000 || threads < 1 || threads > static_cast<int>(warden::Limits::kMaxLoadThreads)) {
    std::fprintf(stderr, "load_bench: RUNS must be 1..1000, THREADS 1..%u\n", warden::Limits::kMaxLoadThreads);
    return 64;
  }
  warden::Limits limits;
  limits.load_threads = static_cast<uint32_t>(threads);
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "load_bench: cannot read %s\n", argv[1]);
    return 64;
  }
  // Read at its size, as `warden run` does: a vector grown by doubling would
  // leave the peak RSS half a module higher than the bytes need.
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  std::vector<uint8_t> bytes(size > 0 ? static_cast<size_t>(size) : 0);
  in.seekg(0);
  if (size <= 0 || !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()))) {
    std::fprintf(stderr, "load_bench: cannot read %s (a regular file is needed)\n", argv[1]);
    return 64;
  }
  const double mb = static_cast<double>(bytes.size()) / 1e6;
  const long rss_before = peak_rss_kib();

  std::vector<double> rates, cpu_rates;
  size_t kept = 0, grew = 0;
  for (int i = 0; i < runs; ++i) {
    const size_t heap0 = heap_in_use(), resident0 = resident_bytes();
    const double c0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    auto m = warden::Module::load(bytes, limits);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double c = cpu_seconds() - c0;
    if (!m) {
      return refused(argv[1], "load", m.error());
    }
    kept = heap_in_use() - heap0;
    if (i == 0) grew = resident_bytes() - resident0;
    rates.push_back(mb / s);
    cpu_rates.push_back(mb / c);
    std::printf("run %d: %.3f s, %.1f MB/s (CPU time %.3f s, %.1f MB/s)\n", i + 1, s, mb / s, c, mb / c);
  }
  const long rss = peak_rss_kib();
  std::printf("module: %zu bytes, %d load thread%s\n", bytes.size(), threads, threads == 1 ? "" : "s");
  std::printf("median: %.1f MB/s wall, %.1f MB/s CPU time (%d runs)\n", median(rates), median(cpu_rates), runs);
  std::printf(
      "kept by the loaded Module: %.1f MiB of heap (%.2f bytes per module byte); resident memory grew by %.1f "
      "MiB in the first load\n",
      kept / 1048576.0, static_cast<double>(kept) / static_cast<double>(bytes.size()), grew / 1048576.0);
  std::printf("peak RSS: %.1f MiB (%.2f x the module; %.1f MiB before the first load)\n", rss / 1024.0,
              rss * 1024.0 / static_cast<double>(bytes.size()), rss_before / 1024.0);

  // The same bytes through Module::validate, after the loads (so the peak
  // above is theirs): decode and validate without compiling, what a load
  // would cost if compiling were free.
  std::vector<double> validate_rates, validate_cpu_rates;
  for (int i = 0; i < runs; ++i) {
    const double c0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    if (warden::Result<void> r = warden::Module::validate(bytes, limits); !r)
      return refused(argv[1], "validate", r.error());
    validate_rates.push_back(mb / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    validate_cpu_rates.push_back(mb / (cpu_seconds() - c0));
  }
  std::printf("validate only (Module::validate, no compiling): median %.1f MB/s wall, %.1f MB/s CPU time (%d runs)\n",
              median(validate_rates), median(validate_cpu_rates), runs);
  return 0;
}
