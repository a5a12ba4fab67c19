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
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "warden/warden.hpp"

namespace warden::decode_detail {

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> bytes) : data_(bytes.data()), size_(bytes.size()) {}

  bool ok() const { return !failed_; }
  const Error& error() const { return error_; }
  size_t pos() const { return pos_; }
  size_t size() const { return size_; }
  size_t remaining() const { return size_ - pos_; }
  bool at_end() const { return pos_ == size_; }
  const uint8_t* data() const { return data_; }

  /// Latch a Malformed error at `offset` (the first one wins).
  void fail(std::string msg, size_t offset) { fail_kind(ErrorKind::Malformed, std::move(msg), offset); }
  void fail_kind(ErrorKind kind, std::string msg, size_t offset) {
    if (failed_) return;
    failed_ = true;
    error_ = Error{kind, std::move(msg), offset};
    pos_ = size_;  // stop every later read
  }

  /// The next byte without consuming it; -1 at the end or after an error.
  int peek() const { return failed_ || pos_ >= size_ ? -1 : data_[pos_]; }

  uint8_t u8() {
    if (failed_) return 0;
    if (pos_ >= size_) {
      fail("unexpected end of section or function", size_);
      return 0;
    }
    return data_[pos_++];
  }

  /// `n` raw bytes; nullptr (and an error) if fewer remain.
  const uint8_t* bytes(uint64_t n) {
    if (failed_) return nullptr;
    if (n > remaining()) {
      fail("unexpected end of section or function", size_);
      return nullptr;
    }
    const uint8_t* p = data_ + pos_;
    pos_ += static_cast<size_t>(n);
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
  uint64_t uleb(int bits) {
    // One byte (most indices and counts) fits any width of 7 bits or more.
    // After an error pos_ == size_, so this never reads on.
    if (bits >= 7 && pos_ < size_ && data_[pos_] < 0x80) return data_[pos_++];
    return uleb_long(bits);
  }

  /// Signed LEB128 of at most `bits` bits: the unused bits of the last
  /// permitted byte must all equal the sign bit.
  int64_t sleb(int bits) {
    if (bits >= 7 && pos_ < size_ && data_[pos_] < 0x80) {  // one byte: bit 6 is the sign
      const int64_t b = data_[pos_++];
      return b < 0x40 ? b : b - 0x80;
    }
    return sleb_long(bits);
  }

  uint32_t u32() { return static_cast<uint32_t>(uleb(32)); }

  // The general cases of uleb and sleb, out of line: the one-byte fast
  // paths above are what the decoder's loops inline.
  [[gnu::noinline]] uint64_t uleb_long(int bits) {
    uint64_t result = 0;
    for (int shift = 0, n = bits;; shift += 7, n -= 7) {
      if (n <= 0) {
        fail("integer representation too long", pos_);
        return 0;
      }
      size_t at = pos_;
      uint8_t b = u8();
      if (failed_) return 0;
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
        fail("integer representation too long", pos_);
        return 0;
      }
      size_t at = pos_;
      uint8_t b = u8();
      if (failed_) return 0;
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
    size_t at = pos_;
    uint32_t n = u32();
    if (failed_) return 0;
    if (n > size_ - at) {
      fail("length out of bounds", at);
      return 0;
    }
    return n;
  }

  /// A name (spec 5.2.4): len bytes of valid UTF-8.
  std::string name() {
    uint32_t n = len();
    size_t at = pos_;
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
    size_t i = 0;
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
    if (!failed_) pos_ = pos;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  bool failed_ = false;
  Error error_;
};

}  // namespace warden::decode_detail
