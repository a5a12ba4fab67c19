// A bounds-checked byte reader for the binary format (spec 5.1, 5.2): bytes,
// LEB128 integers and names, with a latched first error.
//
// Reads are bounded by the end of the whole module, not by the end of the
// enclosing section or function: like the spec's reference decoder, a section
// that overruns its declared size is reported by the size check that follows
// it ("section size mismatch"), or by whatever the overrun bytes decode to.
// Every read past the end of the module fails with "unexpected end of section
// or function" and returns zero; after the first failure every read fails, so
// callers check ok() at loop heads rather than after each read.
//
// Inline, so each object file that includes this holds its own copy and the
// linker keeps one: the fuzz build compiles every layer that includes it or
// expr.hpp with the same coverage flags (fuzzers/CMakeLists.txt).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>

#include "warden/warden.hpp"

namespace warden::decode_detail {

// The cursor is a pointer pair and the latched error sits behind a pointer,
// so the checks made on every read (bounds, "no error yet") are pointer
// comparisons. Besides being the cheapest form, that keeps them out of
// libFuzzer's comparison tracing (-fsanitize-coverage=trace-cmp traces
// integer comparisons only): they compare positions and a flag, never the
// input's bytes, and were a sixth of the decode_validate fuzzer's time
// (docs/fuzzing.md, "Throughput"). Comparisons of the bytes read stay
// integer comparisons and stay traced.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> bytes) : begin_(bytes.data()), cur_(begin_), end_(begin_ + bytes.size()) {}
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  bool ok() const { return error_ == nullptr; }
  /// The first error; only after !ok().
  const Error& error() const { return *error_; }
  size_t pos() const { return static_cast<size_t>(cur_ - begin_); }
  size_t size() const { return static_cast<size_t>(end_ - begin_); }
  size_t remaining() const { return static_cast<size_t>(end_ - cur_); }
  bool at_end() const { return cur_ == end_; }
  const uint8_t* data() const { return begin_; }

  /// Latch a Malformed error at `offset` (the first one wins).
  void fail(std::string msg, size_t offset) { fail_kind(ErrorKind::Malformed, std::move(msg), offset); }
  void fail_kind(ErrorKind kind, std::string msg, size_t offset) {
    if (error_) return;
    error_ = std::make_unique<Error>(Error{kind, std::move(msg), offset});
    cur_ = end_;  // stop every later read
  }

  /// The next byte without consuming it; -1 at the end or after an error.
  int peek() const { return cur_ < end_ ? *cur_ : -1; }

  // After an error cur_ == end_ (fail_kind moves it there and nothing moves
  // it back), so the end check alone also stops reads after one.
  [[gnu::always_inline]] uint8_t u8() { return cur_ < end_ ? *cur_++ : past_end(); }
  [[gnu::noinline]] uint8_t past_end() {
    fail("unexpected end of section or function", size());
    return 0;
  }

  /// `n` raw bytes; nullptr (and an error) if fewer remain.
  const uint8_t* bytes(uint64_t n) {
    if (n > remaining()) {
      fail("unexpected end of section or function", size());
      return nullptr;
    }
    if (!ok()) return nullptr;  // n == 0 after an error
    const uint8_t* p = cur_;
    cur_ += static_cast<size_t>(n);
    return p;
  }

  /// Little-endian fixed-width value of `n` <= 8 bytes (f32/f64 bits).
  uint64_t fixed(unsigned n) {
    const uint8_t* p = bytes(n);
    uint64_t v = 0;
    if (p)
      for (unsigned i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
    return v;
  }

  /// Unsigned LEB128 of at most `bits` bits (spec 5.2.2). The unused bits of
  /// the last permitted byte must be zero ("integer too large"); a longer
  /// encoding is "integer representation too long".
  [[gnu::always_inline]] uint64_t uleb(int bits) {
    // One byte (most indices and counts) fits any width of 7 bits or more.
    // After an error cur_ == end_, so this never reads on.
    if (bits >= 7 && cur_ < end_ && *cur_ < 0x80) return *cur_++;
    return uleb_long(bits);
  }

  /// Signed LEB128 of at most `bits` bits: the unused bits of the last
  /// permitted byte must all equal the sign bit.
  [[gnu::always_inline]] int64_t sleb(int bits) {
    if (bits >= 7 && cur_ < end_ && *cur_ < 0x80) {  // one byte: bit 6 is the sign
      const int64_t b = *cur_++;
      return b < 0x40 ? b : b - 0x80;
    }
    return sleb_long(bits);
  }

  [[gnu::always_inline]] uint32_t u32() { return static_cast<uint32_t>(uleb(32)); }

  // The general cases of uleb and sleb, out of line: the one-byte fast
  // paths above are what the decoder's loops inline (always: with ASan's
  // instrumentation clang otherwise calls uleb, 3 % of decode_validate).
  [[gnu::noinline]] uint64_t uleb_long(int bits) {
    uint64_t result = 0;
    for (int shift = 0, n = bits;; shift += 7, n -= 7) {
      if (n <= 0) {
        fail("integer representation too long", pos());
        return 0;
      }
      size_t at = pos();
      uint8_t b = u8();
      if (!ok()) return 0;
      if (n < 7 && (b & 0x7F) >= (1u << n)) {
        fail("integer too large", at);
        return 0;
      }
      result |= uint64_t{b & 0x7Fu} << shift;
      if (!(b & 0x80)) return result;
    }
  }

  [[gnu::noinline]] int64_t sleb_long(int bits) {
    uint64_t result = 0;
    for (int shift = 0, n = bits;; shift += 7, n -= 7) {
      if (n <= 0) {
        fail("integer representation too long", pos());
        return 0;
      }
      size_t at = pos();
      uint8_t b = u8();
      if (!ok()) return 0;
      if (n < 7) {
        uint8_t mask = static_cast<uint8_t>((0xFFu << (n - 1)) & 0x7Fu);
        if ((b & mask) != 0 && (b & mask) != mask) {
          fail("integer too large", at);
          return 0;
        }
      }
      result |= uint64_t{b & 0x7Fu} << shift;
      if (!(b & 0x80)) {
        if ((b & 0x40) && shift + 7 < 64) result |= ~uint64_t{0} << (shift + 7);
        return static_cast<int64_t>(result);  // two's complement, C++20
      }
    }
  }

  /// A length or vector count (spec 5.1.3): a u32 that cannot exceed the
  /// bytes left, counted from the start of the length itself, so that no
  /// count can claim more items than bytes exist.
  uint32_t len() {
    size_t at = pos();
    uint32_t n = u32();  // 0 after an error
    if (n > size() - at) {
      fail("length out of bounds", at);
      return 0;
    }
    return n;
  }

  /// A name (spec 5.2.4): len bytes of valid UTF-8.
  std::string name() {
    uint32_t n = len();
    size_t at = pos();
    const uint8_t* p = bytes(n);
    if (!p) return {};
    if (!valid_utf8(p, n)) {
      fail("malformed UTF-8 encoding", at);
      return {};
    }
    return std::string(reinterpret_cast<const char*>(p), n);
  }

  /// Unicode scalar values in the shortest UTF-8 form (no overlong forms, no
  /// surrogates, nothing past U+10FFFF, no truncated sequences).
  static bool valid_utf8(const uint8_t* p, size_t n) {
    // Leading ASCII eight bytes at a time: names are mostly ASCII, and this
    // is one test per word instead of one per byte.
    size_t i = 0;
    for (uint64_t word; n - i >= 8; i += 8) {
      std::memcpy(&word, p + i, 8);
      if (word & 0x8080808080808080u) break;
    }
    while (i < n) {
      uint8_t b = p[i];
      if (b < 0x80) {
        ++i;
        continue;
      }
      size_t extra;
      uint8_t lo = 0x80, hi = 0xBF;  // range of the second byte
      if (b >= 0xC2 && b <= 0xDF) {
        extra = 1;
      } else if (b >= 0xE0 && b <= 0xEF) {
        extra = 2;
        if (b == 0xE0)
          lo = 0xA0;  // overlong
        else if (b == 0xED)
          hi = 0x9F;  // surrogates
      } else if (b >= 0xF0 && b <= 0xF4) {
        extra = 3;
        if (b == 0xF0)
          lo = 0x90;  // overlong
        else if (b == 0xF4)
          hi = 0x8F;  // > U+10FFFF
      } else {
        return false;
      }
      if (n - i <= extra) return false;
      if (p[i + 1] < lo || p[i + 1] > hi) return false;
      for (size_t k = 2; k <= extra; ++k)
        if ((p[i + k] & 0xC0) != 0x80) return false;
      i += extra + 1;
    }
    return true;
  }

  void seek(size_t pos) {
    if (ok()) cur_ = begin_ + pos;
  }
  /// Forget the latched error and read on from `pos` (at most size()):
  /// one reader, and the InstrReader bound to it, for body after body.
  void restart(size_t pos) {
    error_.reset();
    cur_ = begin_ + pos;
  }

 private:
  const uint8_t* begin_;
  const uint8_t* cur_;
  const uint8_t* end_;
  std::unique_ptr<Error> error_;  // the latched error; null while none
};

}  // namespace warden::decode_detail
