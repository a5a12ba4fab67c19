// Value comparison (spec interpreter README, "Scripts": result patterns) and
// script-syntax formatting of values and patterns for reports.
#include <bit>
#include <cinttypes>
#include <cstdio>

#include "runner.hpp"

namespace warden::spec {

using text::Expected;

namespace {

constexpr uint32_t kF32Sign = 0x80000000u, kF32CanonNan = 0x7fc00000u;
constexpr uint64_t kF64Sign = 0x8000000000000000ull, kF64CanonNan = 0x7ff8000000000000ull;

/// Lane `i` of a v128 as `bits`-wide unsigned integer (bits = 8..64).
uint64_t lane(const Value& v, unsigned bits, unsigned i) {
  unsigned bit = bits * i;
  uint64_t word = bit < 64 ? v.lo : v.hi;
  uint64_t x = word >> (bit % 64);
  return bits == 64 ? x : x & ((uint64_t{1} << bits) - 1);
}

// spec 4.3.3: a canonical NaN has only the top payload bit set; an arithmetic
// NaN has it set and any other payload. Either sign.
bool is_canon_nan(ValType t, uint64_t bits) {
  if (t == ValType::F32) return (bits & ~uint64_t{kF32Sign}) == kF32CanonNan;
  return (bits & ~kF64Sign) == kF64CanonNan;
}
bool is_arith_nan(ValType t, uint64_t bits) {
  if (t == ValType::F32) return (bits & kF32CanonNan) == kF32CanonNan;
  return (bits & kF64CanonNan) == kF64CanonNan;
}

std::string format_f32(uint32_t bits) {
  const char* sign = (bits & kF32Sign) ? "-" : "";
  uint32_t mag = bits & ~kF32Sign;
  char buf[64];
  if (mag == 0x7f800000u) {
    std::snprintf(buf, sizeof buf, "%sinf", sign);
  } else if (mag > 0x7f800000u) {
    std::snprintf(buf, sizeof buf, "%snan:0x%" PRIx32, sign, mag & 0x7fffffu);
  } else {
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(std::bit_cast<float>(bits)));
  }
  return buf;
}

std::string format_f64(uint64_t bits) {
  const char* sign = (bits & kF64Sign) ? "-" : "";
  uint64_t mag = bits & ~kF64Sign;
  char buf[64];
  if (mag == 0x7ff0000000000000ull) {
    std::snprintf(buf, sizeof buf, "%sinf", sign);
  } else if (mag > 0x7ff0000000000000ull) {
    std::snprintf(buf, sizeof buf, "%snan:0x%" PRIx64, sign, static_cast<uint64_t>(mag & 0xfffffffffffffull));
  } else {
    std::snprintf(buf, sizeof buf, "%.17g", std::bit_cast<double>(bits));
  }
  return buf;
}

/// One lane or scalar pattern without the (t.const ...) wrapper.
std::string format_pattern_body(const Expected& e) {
  switch (e.kind) {
    case Expected::Kind::CanonNan: return "nan:canonical";
    case Expected::Kind::ArithNan: return "nan:arithmetic";
    default: break;
  }
  if (e.value.type == ValType::F32) return format_f32(e.value.as_i32());
  if (e.value.type == ValType::F64) return format_f64(e.value.as_i64());
  return format_value(e.value);
}

std::string format_pattern(const Expected& e) {
  switch (e.kind) {
    case Expected::Kind::Exact: return format_value(e.value);
    case Expected::Kind::CanonNan:
    case Expected::Kind::ArithNan:
      return "(" + std::string(to_string(e.value.type)) + ".const " + format_pattern_body(e) + ")";
    case Expected::Kind::AnyRef: return e.value.type == ValType::FuncRef ? "(ref.func)" : "(ref.extern)";
    case Expected::Kind::Lanes: {
      std::string s = e.shape == ValType::F64 ? "(v128.const f64x2" : "(v128.const f32x4";
      for (const Expected& l : e.lanes) s += " " + format_pattern_body(l);
      return s + ")";
    }
  }
  return "?";
}

}  // namespace

std::string format_value(const Value& v, ValType lane_shape) {
  char buf[96];
  switch (v.type) {
    case ValType::I32:
      std::snprintf(buf, sizeof buf, "(i32.const %" PRId32 ")", static_cast<int32_t>(v.as_i32()));
      return buf;
    case ValType::I64:
      std::snprintf(buf, sizeof buf, "(i64.const %" PRId64 ")", static_cast<int64_t>(v.as_i64()));
      return buf;
    case ValType::F32: return "(f32.const " + format_f32(v.as_i32()) + ")";
    case ValType::F64: return "(f64.const " + format_f64(v.as_i64()) + ")";
    case ValType::V128: {
      std::string s;
      if (lane_shape == ValType::F32) {
        s = "(v128.const f32x4";
        for (unsigned i = 0; i < 4; ++i) s += " " + format_f32(static_cast<uint32_t>(lane(v, 32, i)));
      } else if (lane_shape == ValType::F64) {
        s = "(v128.const f64x2";
        for (unsigned i = 0; i < 2; ++i) s += " " + format_f64(lane(v, 64, i));
      } else {
        s = "(v128.const i32x4";
        for (unsigned i = 0; i < 4; ++i) {
          std::snprintf(buf, sizeof buf, " 0x%08" PRIx32, static_cast<uint32_t>(lane(v, 32, i)));
          s += buf;
        }
      }
      return s + ")";
    }
    case ValType::FuncRef: return v.is_null() ? "(ref.null func)" : "(ref.func)";
    case ValType::ExternRef:
      if (v.is_null()) return "(ref.null extern)";
      // The script parser maps `ref.extern N` to host word N + 1.
      std::snprintf(buf, sizeof buf, "(ref.extern %" PRIu64 ")", v.lo - 1);
      return buf;
  }
  return "?";
}

std::string format_values(const std::vector<Value>& vs, ValType lane_shape) {
  if (vs.empty()) return "()";
  std::string s;
  for (const Value& v : vs) {
    if (!s.empty()) s += ' ';
    s += format_value(v, lane_shape);
  }
  return s;
}

std::string format_expected(const std::vector<Expected>& es) {
  if (es.empty()) return "()";
  std::string s;
  for (const Expected& e : es) {
    if (!s.empty()) s += ' ';
    s += format_pattern(e);
  }
  return s;
}

bool matches(const Expected& e, const Value& actual_value) {
  // i32 and f32 are the low 32 bits of `lo` (warden.hpp); compare only those.
  Value actual = actual_value;
  if (actual.type == ValType::I32 || actual.type == ValType::F32) actual.lo &= 0xffffffffu;
  switch (e.kind) {
    case Expected::Kind::Exact:
      if (actual.type != e.value.type) return false;
      if (is_ref(actual.type)) {
        // Only the null-ness and, for externref, the host word are observable.
        if (e.value.is_null() || actual.is_null()) return e.value.is_null() == actual.is_null();
        return actual.type == ValType::FuncRef || actual.lo == e.value.lo;
      }
      return actual.lo == e.value.lo && actual.hi == e.value.hi;
    case Expected::Kind::CanonNan:
      return actual.type == e.value.type && actual.hi == 0 &&
             (actual.type == ValType::F32 || actual.type == ValType::F64) && is_canon_nan(actual.type, actual.lo);
    case Expected::Kind::ArithNan:
      return actual.type == e.value.type && actual.hi == 0 &&
             (actual.type == ValType::F32 || actual.type == ValType::F64) && is_arith_nan(actual.type, actual.lo);
    case Expected::Kind::AnyRef: return actual.type == e.value.type && !actual.is_null();
    case Expected::Kind::Lanes: {
      if (actual.type != ValType::V128 || e.lanes.empty() || 128 % e.lanes.size() != 0) return false;
      unsigned bits = static_cast<unsigned>(128 / e.lanes.size());
      if (bits < 8 || bits > 64) return false;
      for (unsigned i = 0; i < e.lanes.size(); ++i) {
        const Expected& l = e.lanes[i];
        uint64_t got = lane(actual, bits, i);
        ValType t = bits == 32 ? ValType::F32 : ValType::F64;
        switch (l.kind) {
          case Expected::Kind::CanonNan:
            if (bits < 32 || !is_canon_nan(t, got)) return false;
            break;
          case Expected::Kind::ArithNan:
            if (bits < 32 || !is_arith_nan(t, got)) return false;
            break;
          default:
            if (got != lane(Value::v128({l.value.lo, l.value.hi}), bits, 0)) return false;
            break;
        }
      }
      return true;
    }
  }
  return false;
}

}  // namespace warden::spec
