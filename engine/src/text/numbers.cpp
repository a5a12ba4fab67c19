// Literal conversions (spec 6.3.1 integers, 6.3.2 floating point).
//
// Floats: glibc's strtof/strtod are correctly rounded (round to nearest,
// ties to even) for decimal and hexadecimal input of any length, so a
// literal is converted by one call on a copy without '_' separators. f32
// literals go through strtof directly, never through double, which would
// round twice. The C locale is used explicitly so a host program's
// setlocale cannot change the decimal point.
#include <cerrno>
#include <clocale>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#if defined(__GLIBC__)
#include <locale.h>
#endif

#include "lexer.hpp"

namespace warden::text {
namespace {

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Magnitude of `num` or `0x hexnum` (separators allowed); false on
// overflow past 64 bits or a malformed digit.
bool magnitude(std::string_view s, uint64_t& out) {
  unsigned base = 10;
  if (s.size() > 2 && s[0] == '0' && s[1] == 'x') {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c == '_') continue;
    int d = digit_value(c);
    if (d < 0 || static_cast<unsigned>(d) >= base) return false;
    if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / base) return false;
    v = v * base + static_cast<uint64_t>(d);
  }
  out = v;
  return true;
}

std::string without_separators(std::string_view s) {
  std::string r;
  r.reserve(s.size());
  for (char c : s)
    if (c != '_') r += c;
  return r;
}

#if defined(__GLIBC__)
locale_t c_locale() {
  static locale_t loc = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(nullptr));
  return loc;
}
float parse_float(const char* s) { return strtof_l(s, nullptr, c_locale()); }
double parse_double(const char* s) { return strtod_l(s, nullptr, c_locale()); }
#else
float parse_float(const char* s) { return std::strtof(s, nullptr); }
double parse_double(const char* s) { return std::strtod(s, nullptr); }
#endif

// Shared shape of f32 and f64 (spec 6.3.2): inf, nan, nan:0x payload, or a
// finite literal handed to `convert`.
template <class Bits, class Convert>
bool float_value(std::string_view s, unsigned mant_bits, Bits exp_mask, Convert convert, Bits& out) {
  if (s.empty()) return false;
  const bool neg = s[0] == '-';
  std::string_view mag = (s[0] == '-' || s[0] == '+') ? s.substr(1) : s;
  const Bits sign = neg ? static_cast<Bits>(Bits{1} << (sizeof(Bits) * 8 - 1)) : Bits{0};
  if (mag == "inf") {
    out = sign | exp_mask;
    return true;
  }
  if (mag == "nan") {
    out = sign | exp_mask | static_cast<Bits>(Bits{1} << (mant_bits - 1));
    return true;
  }
  if (mag.substr(0, 4) == "nan:") {
    uint64_t payload = 0;
    if (!magnitude(mag.substr(4), payload)) return false;
    if (payload == 0 || payload >= (uint64_t{1} << mant_bits)) return false;
    out = sign | exp_mask | static_cast<Bits>(payload);
    return true;
  }
  if (mag.empty() || !((mag[0] >= '0' && mag[0] <= '9'))) return false;
  std::string clean = without_separators(s);
  return convert(clean.c_str(), out);
}

}  // namespace

bool nat64_value(std::string_view s, uint64_t& out) { return magnitude(s, out); }

bool nat32_value(std::string_view s, uint32_t& out) {
  uint64_t v = 0;
  if (!magnitude(s, v) || v > UINT32_MAX) return false;
  out = static_cast<uint32_t>(v);
  return true;
}

bool int_value(std::string_view s, unsigned bits, uint64_t& out) {
  if (s.empty()) return false;
  bool neg = s[0] == '-';
  if (s[0] == '-' || s[0] == '+') s.remove_prefix(1);
  uint64_t mag = 0;
  if (!magnitude(s, mag)) return false;
  const uint64_t mask = bits == 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1;
  if (neg) {
    if (mag > (uint64_t{1} << (bits - 1))) return false;
    out = (~mag + 1) & mask;  // two's complement in unsigned arithmetic
  } else {
    if (mag > mask) return false;
    out = mag;
  }
  return true;
}

bool f32_value(std::string_view s, uint32_t& out) {
  return float_value<uint32_t>(
      s, 23, 0x7F800000u,
      [](const char* c, uint32_t& bits) {
        float f = parse_float(c);
        if (std::isinf(f)) return false;  // rounded past max
        std::memcpy(&bits, &f, sizeof bits);
        return true;
      },
      out);
}

bool f64_value(std::string_view s, uint64_t& out) {
  return float_value<uint64_t>(
      s, 52, 0x7FF0000000000000ull,
      [](const char* c, uint64_t& bits) {
        double d = parse_double(c);
        if (std::isinf(d)) return false;
        std::memcpy(&bits, &d, sizeof bits);
        return true;
      },
      out);
}

}  // namespace warden::text
