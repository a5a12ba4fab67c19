// Verifying a signed module against hashing it once (issue: verification
// reads the bytes once, so it should cost no more than about one SHA-256
// pass). Builds a module of about 10 MB (a data segment and custom
// sections), signs it, then times, interleaved, libsodium's SHA-256 of the
// whole file and warden::sig::verify; prints medians and their ratio.
//
//   build/release/bench/bench_verify [MEGABYTES] [ROUNDS]
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "warden/binary.hpp"
#include "warden/signature.hpp"
#include "warden/syntax.hpp"

namespace {

// (module (memory 1) (data (i32.const 0) BYTES)) and custom sections of
// 1 MiB after it, until `size` bytes, through the engine's encoder.
std::vector<uint8_t> big_module(size_t size) {
  uint64_t x = 0x9E3779B97F4A7C15ull;
  auto random_bytes = [&](size_t n) {
    std::vector<uint8_t> v(n);
    for (uint8_t& b : v) x ^= x << 13, x ^= x >> 7, x ^= x << 17, b = static_cast<uint8_t>(x);
    return v;
  };
  warden::ast::Module m;
  m.memories.push_back({{1, std::nullopt}});
  warden::ast::DataSegment d;
  d.offset.resize(2);
  d.offset[0].op = warden::Op::I32Const;
  d.offset[1].op = warden::Op::End;
  d.bytes = random_bytes(60000);  // fits the one page
  m.datas.push_back(std::move(d));
  for (size_t total = 60000; total < size; total += 1u << 20) m.customs.push_back({"blob", random_bytes(1u << 20), 11});
  return warden::encode(m);
}

double seconds_of(auto&& f) {
  auto t = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const size_t mb = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 10;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 9;
  if (sodium_init() < 0) return 1;
  std::vector<uint8_t> module = big_module(mb << 20);
  warden::sig::KeyPair key = warden::sig::generate_key();
  std::string error;
  std::optional<warden::sig::Signed> s = warden::sig::sign(module, key, {}, error);
  if (!s) {
    std::fprintf(stderr, "sign: %s\n", error.c_str());
    return 1;
  }
  const std::vector<uint8_t>& signed_module = s->module;
  warden::sig::PublicKey keys[] = {key.public_key};
  std::vector<double> hash_t, verify_t;
  unsigned char digest[crypto_hash_sha256_BYTES];
  for (int r = 0; r < rounds; ++r) {
    hash_t.push_back(seconds_of([&] { crypto_hash_sha256(digest, signed_module.data(), signed_module.size()); }));
    bool ok = false;
    verify_t.push_back(seconds_of([&] { ok = warden::sig::verify(signed_module, keys).ok; }));
    if (!ok) {
      std::fprintf(stderr, "verify failed\n");
      return 1;
    }
  }
  const double h = median(hash_t), v = median(verify_t);
  const double size_mb = static_cast<double>(signed_module.size()) / 1e6;
  std::printf("module: %.2f MB, %d rounds, medians\n", size_mb, rounds);
  std::printf("sha256 once (libsodium): %8.2f ms  %7.1f MB/s\n", h * 1e3, size_mb / h);
  std::printf("warden verify:           %8.2f ms  %7.1f MB/s\n", v * 1e3, size_mb / v);
  std::printf("ratio verify/sha256: %.3f\n", v / h);
  return 0;
}
