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

#include "warden/signature.hpp"

namespace {

void put_leb(std::vector<uint8_t>& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    out.push_back(static_cast<uint8_t>(b | (v ? 0x80 : 0)));
  } while (v);
}

// (module (memory 1) (data (i32.const 0) BYTES)) and custom sections of
// 1 MiB until `size` bytes.
std::vector<uint8_t> big_module(size_t size) {
  std::vector<uint8_t> m;
  m.reserve(size + 64);
  static constexpr uint8_t kHead[] = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01};
  m.insert(m.end(), std::begin(kHead), std::end(kHead));
  uint64_t x = 0x9E3779B97F4A7C15ull;
  auto fill = [&](size_t n) {
    for (size_t i = 0; i < n; ++i) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      m.push_back(static_cast<uint8_t>(x));
    }
  };
  while (m.size() + 60000 < size) {
    m.push_back(0);  // custom section "blob"
    put_leb(m, 5 + (1u << 20));
    m.push_back(4);
    for (char c : {'b', 'l', 'o', 'b'}) m.push_back(static_cast<uint8_t>(c));
    fill(1u << 20);
  }
  const size_t data = 60000;  // fits the one page
  std::vector<uint8_t> seg = {0x01, 0x00, 0x41, 0x00, 0x0B};
  put_leb(seg, data);
  m.push_back(0x0B);
  put_leb(m, seg.size() + data);
  m.insert(m.end(), seg.begin(), seg.end());
  fill(data);
  return m;
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
