// Typed value literals: parsing and printing (literal.hpp).
#include "literal.hpp"

#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace warden::cli {
namespace {

std::string without_underscores(std::string_view s, bool& ok) {
  // The text format (spec 6.3.1) allows `_` only between two digits.
  std::string out;
  ok = true;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_') {
      if (i == 0 || i + 1 == s.size() || !std::isxdigit(static_cast<unsigned char>(s[i - 1])) ||
          !std::isxdigit(static_cast<unsigned char>(s[i + 1]))) {
        ok = false;
        return {};
      }
      continue;
    }
    out.push_back(s[i]);
  }
  return out;
}

/// An integer of `bits` (8..64) bits, as two's complement in the low bits.
bool parse_int(std::string_view text, unsigned bits, uint64_t& out, std::string& error) {
  bool ok;
  std::string s = without_underscores(text, ok);
  if (!ok) {
    error = "misplaced '_' in integer '" + std::string(text) + "'";
    return false;
  }
  bool negative = false;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  int base = 10;
  if (s.size() - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
    base = 16;
    i += 2;
  }
  uint64_t magnitude = 0;
  const char* first = s.data() + i;
  const char* last = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(first, last, magnitude, base);
  if (first == last || ptr != last || ec == std::errc::invalid_argument) {
    error = "not an integer: '" + std::string(text) + "'";
    return false;
  }
  uint64_t umax = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  uint64_t nmax = uint64_t{1} << (bits - 1);  // magnitude of the most negative
  if (ec == std::errc::result_out_of_range || magnitude > (negative ? nmax : umax)) {
    error = "integer out of range for i" + std::to_string(bits) + ": '" + std::string(text) + "'";
    return false;
  }
  out = (negative ? uint64_t{0} - magnitude : magnitude) & umax;
  return true;
}

template <class F>
struct FloatBits;
template <>
struct FloatBits<float> {
  using U = uint32_t;
  static constexpr unsigned kMantissa = 23;
};
template <>
struct FloatBits<double> {
  using U = uint64_t;
  static constexpr unsigned kMantissa = 52;
};

template <class F>
typename FloatBits<F>::U to_bits(F f) {
  typename FloatBits<F>::U u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

template <class F>
F from_bits(typename FloatBits<F>::U u) {
  F f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

/// A float literal (spec 6.3.2 forms), as its bit pattern.
template <class F>
bool parse_float(std::string_view text, typename FloatBits<F>::U& out, std::string& error) {
  using U = typename FloatBits<F>::U;
  constexpr unsigned kMant = FloatBits<F>::kMantissa;
  constexpr unsigned kBits = sizeof(U) * 8;
  const U sign_bit = U{1} << (kBits - 1);
  const U exp_mask = ((U{1} << (kBits - 1 - kMant)) - 1) << kMant;
  const U mant_mask = (U{1} << kMant) - 1;
  const char* tname = kBits == 32 ? "f32" : "f64";

  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  U sign = negative ? sign_bit : 0;
  if (s == "inf") {
    out = sign | exp_mask;
    return true;
  }
  if (s == "nan") {
    out = sign | exp_mask | (U{1} << (kMant - 1));  // canonical NaN
    return true;
  }
  if (s.substr(0, 4) == "nan:") {
    uint64_t payload;
    std::string_view p = s.substr(4);
    if (p.size() < 3 || p[0] != '0' || (p[1] != 'x' && p[1] != 'X') || !parse_int(p, 64, payload, error)) {
      error = "bad NaN payload in '" + std::string(text) + "' (expected nan:0xHEX)";
      return false;
    }
    if (payload == 0 || payload > mant_mask) {
      error = std::string("NaN payload out of range for ") + tname + ": '" + std::string(text) + "'";
      return false;
    }
    out = sign | exp_mask | static_cast<U>(payload);
    return true;
  }
  bool ok;
  std::string digits = without_underscores(s, ok);
  // strtof/strtod would also skip spaces and accept "infinity" or "nan(...)";
  // only let numbers through. (No setlocale call anywhere: '.' is the point.)
  bool shape_ok = ok && !digits.empty() && (std::isdigit(static_cast<unsigned char>(digits[0])) || digits[0] == '.');
  for (char c : digits) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) && !std::strchr(".xXpP+-", c)) shape_ok = false;
  }
  if (!shape_ok) {
    error = std::string("not an ") + tname + " literal: '" + std::string(text) + "'";
    return false;
  }
  char* end = nullptr;
  errno = 0;
  F value;
  if constexpr (kBits == 32) {
    value = std::strtof(digits.c_str(), &end);
  } else {
    value = std::strtod(digits.c_str(), &end);
  }
  if (end != digits.c_str() + digits.size()) {
    error = std::string("not an ") + tname + " literal: '" + std::string(text) + "'";
    return false;
  }
  if (std::isinf(value)) {  // ERANGE on underflow is fine: it rounds to 0 or a subnormal
    error = std::string("constant out of range for ") + tname + ": '" + std::string(text) + "'";
    return false;
  }
  out = sign | to_bits(value);
  return true;
}

struct Shape {
  const char* name;
  unsigned lanes;
  unsigned lane_bits;
  bool is_float;
};
constexpr std::array<Shape, 6> kShapes{{
    {"i8x16", 16, 8, false},
    {"i16x8", 8, 16, false},
    {"i32x4", 4, 32, false},
    {"i64x2", 2, 64, false},
    {"f32x4", 4, 32, true},
    {"f64x2", 2, 64, true},
}};

bool parse_v128(std::string_view text, V128& out, std::string& error) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    error = "v128 literal needs a shape: v128:i32x4:1,2,3,4";
    return false;
  }
  std::string_view shape_name = text.substr(0, colon);
  const Shape* shape = nullptr;
  for (const Shape& s : kShapes) {
    if (shape_name == s.name) shape = &s;
  }
  if (!shape) {
    error =
        "unknown v128 shape '" + std::string(shape_name) + "' (expected i8x16, i16x8, i32x4, i64x2, f32x4 or f64x2)";
    return false;
  }
  std::string_view rest = text.substr(colon + 1);
  std::array<uint8_t, 16> bytes{};
  unsigned lane = 0;
  for (;;) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    if (lane == shape->lanes) {
      error = std::string("too many lanes for ") + shape->name;
      return false;
    }
    uint64_t bits = 0;
    if (shape->is_float) {
      if (shape->lane_bits == 32) {
        uint32_t b;
        if (!parse_float<float>(item, b, error)) return false;
        bits = b;
      } else if (!parse_float<double>(item, bits, error)) {
        return false;
      }
    } else if (!parse_int(item, shape->lane_bits, bits, error)) {
      return false;
    }
    unsigned lane_bytes = shape->lane_bits / 8;
    for (unsigned b = 0; b < lane_bytes; ++b) {
      bytes[lane * lane_bytes + b] = static_cast<uint8_t>(bits >> (8 * b));
    }
    ++lane;
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  if (lane != shape->lanes) {
    error = std::string(shape->name) + " needs " + std::to_string(shape->lanes) + " lanes, got " + std::to_string(lane);
    return false;
  }
  out = {};
  for (unsigned b = 0; b < 8; ++b) {
    out.lo |= uint64_t{bytes[b]} << (8 * b);
    out.hi |= uint64_t{bytes[8 + b]} << (8 * b);
  }
  return true;
}

template <class F>
std::string float_text(typename FloatBits<F>::U bits) {
  using U = typename FloatBits<F>::U;
  constexpr unsigned kMant = FloatBits<F>::kMantissa;
  constexpr unsigned kBits = sizeof(U) * 8;
  const U sign_bit = U{1} << (kBits - 1);
  const U mant_mask = (U{1} << kMant) - 1;
  F f = from_bits<F>(bits);
  std::string sign = (bits & sign_bit) ? "-" : "";
  if (std::isnan(f)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "nan:0x%" PRIx64, static_cast<uint64_t>(bits & mant_mask));
    return sign + buf;
  }
  if (std::isinf(f)) return sign + "inf";
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, f);  // shortest round trip
  (void)ec;
  return std::string(buf, ptr);
}

}  // namespace

std::optional<Value> parse_literal(std::string_view text, std::string& error) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    error = "literal '" + std::string(text) + "' needs a type, e.g. i32:5 or f64:1.5";
    return std::nullopt;
  }
  std::string_view type = text.substr(0, colon);
  std::string_view body = text.substr(colon + 1);
  if (type == "i32") {
    uint64_t v;
    if (!parse_int(body, 32, v, error)) return std::nullopt;
    return Value::i32(static_cast<uint32_t>(v));
  }
  if (type == "i64") {
    uint64_t v;
    if (!parse_int(body, 64, v, error)) return std::nullopt;
    return Value::i64(v);
  }
  if (type == "f32") {
    uint32_t b;
    if (!parse_float<float>(body, b, error)) return std::nullopt;
    return Value::f32_bits(b);
  }
  if (type == "f64") {
    uint64_t b;
    if (!parse_float<double>(body, b, error)) return std::nullopt;
    return Value::f64_bits(b);
  }
  if (type == "v128") {
    V128 v;
    if (!parse_v128(body, v, error)) return std::nullopt;
    return Value::v128(v);
  }
  if (type == "funcref") {
    if (body == "null") return Value::null(ValType::FuncRef);
    error = "a funcref argument can only be funcref:null";
    return std::nullopt;
  }
  if (type == "externref") {
    if (body == "null") return Value::null(ValType::ExternRef);
    uint64_t n;
    if (body.empty() || body[0] == '-' || body[0] == '+' || !parse_int(body, 64, n, error) || n == ~uint64_t{0}) {
      error = "externref:N needs N from 0 to 2^64-2, or null: '" + std::string(text) + "'";
      return std::nullopt;
    }
    return Value::externref(n + 1);
  }
  error = "unknown value type '" + std::string(type) + "' (expected i32, i64, f32, f64, v128, funcref or externref)";
  return std::nullopt;
}

std::string format_value(const Value& v) {
  char buf[80];
  switch (v.type) {
    case ValType::I32: return "i32:" + std::to_string(static_cast<int32_t>(v.as_i32()));
    case ValType::I64: return "i64:" + std::to_string(static_cast<int64_t>(v.as_i64()));
    case ValType::F32:
      std::snprintf(buf, sizeof buf, " (0x%08" PRIx32 ")", v.as_i32());
      return "f32:" + float_text<float>(v.as_i32()) + buf;
    case ValType::F64:
      std::snprintf(buf, sizeof buf, " (0x%016" PRIx64 ")", v.as_i64());
      return "f64:" + float_text<double>(v.as_i64()) + buf;
    case ValType::V128: {
      std::string s = "v128:i32x4:";
      uint32_t lanes[4] = {static_cast<uint32_t>(v.lo), static_cast<uint32_t>(v.lo >> 32), static_cast<uint32_t>(v.hi),
                           static_cast<uint32_t>(v.hi >> 32)};
      for (int i = 0; i < 4; ++i) {
        if (i) s += ',';
        s += std::to_string(static_cast<int32_t>(lanes[i]));
      }
      std::snprintf(buf, sizeof buf, " (0x%016" PRIx64 "%016" PRIx64 ")", v.hi, v.lo);
      return s + buf;
    }
    case ValType::FuncRef: return v.is_null() ? "funcref:null" : "funcref:nonnull";
    case ValType::ExternRef: return v.is_null() ? "externref:null" : "externref:" + std::to_string(v.lo - 1);
  }
  return "?";
}

}  // namespace warden::cli
