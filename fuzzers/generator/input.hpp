// A byte source for structured fuzzing: each decision consumes a few input
// bytes; once they run out every decision returns its first option (0), so
// the consumer always terminates, and short inputs give small outputs.
#pragma once
#include <cstdint>
#include <cstring>
#include <span>

namespace warden::gen {

class Input {
 public:
  explicit Input(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  /// True once every byte has been consumed.
  bool empty() const { return pos_ >= bytes_.size(); }
  size_t consumed() const { return pos_; }
  std::span<const uint8_t> rest() const { return bytes_.subspan(pos_ < bytes_.size() ? pos_ : bytes_.size()); }

  uint8_t byte() { return pos_ < bytes_.size() ? bytes_[pos_++] : 0; }

  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | byte();
    return v;
  }
  uint64_t u64() { return (uint64_t{u32()} << 32) | u32(); }

  /// Uniform-ish in [0, n); n == 0 gives 0.
  uint32_t below(uint32_t n) {
    if (n <= 1) return 0;
    if (n <= 256) return byte() % n;
    if (n <= 65536) return static_cast<uint32_t>((uint32_t{byte()} << 8 | byte()) % n);
    return u32() % n;
  }
  /// In [lo, hi] (inclusive); lo when hi < lo.
  uint32_t range(uint32_t lo, uint32_t hi) { return hi <= lo ? lo : lo + below(hi - lo + 1); }
  /// True with probability num/den (false once the input is exhausted).
  bool chance(uint32_t num, uint32_t den) {
    if (empty()) return false;
    return below(den) < num;
  }

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
};

}  // namespace warden::gen
