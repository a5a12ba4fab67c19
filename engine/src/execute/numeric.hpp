// Scalar numeric operators (spec 4.3.2-4.3.4), one function per opcodes.def
// row of class Num or Trap, named after the row. SIMD operators are in
// simd.hpp, included at the end.
//
// Contract with the interpreter, which generates its handlers from the table:
//   types    I32 -> uint32_t, I64 -> uint64_t, F32 -> float, F64 -> double,
//            V128 -> warden::V128
//   Num      `R Name(P1 a[, P2 b[, P3 c]]) noexcept`
//   Trap     `const char* Name(P1 a[, P2 b], R* out) noexcept`: nullptr on
//            success, otherwise the spec trap message and *out is untouched
//   Lane     `R Name(P1 a[, P2 b], uint32_t lane) noexcept`, lane already
//            validated below the row's lane count
//   Shuffle  `V128 I8x16Shuffle(V128 a, V128 b, V128 lanes) noexcept`
//
// Every function is total: no input causes undefined behaviour (shift counts
// are masked, signed overflow goes through unsigned arithmetic, float->int
// conversions are range-checked before the cast). Float results that may be
// NaN follow spec 4.3.3: a NaN result is always quiet ("arithmetic"); which
// arithmetic NaN is not fixed, so deterministic mode passes the results of
// rows whose Nan column is set through canon() below.
#pragma once

#include <bit>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "warden/warden.hpp"

namespace warden::num {

// ------------------------------------------------------------ helpers ----
namespace detail {

inline uint32_t bits(float x) noexcept { return std::bit_cast<uint32_t>(x); }
inline uint64_t bits(double x) noexcept { return std::bit_cast<uint64_t>(x); }

/// The unsigned integer type of T's size (1, 2, 4 or 8 bytes): a float's
/// bits, or a SIMD lane's.
template <class T>
using Bits = std::conditional_t<
    sizeof(T) == 1, uint8_t,
    std::conditional_t<sizeof(T) == 2, uint16_t, std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>>;

// A float's sign, quiet and exponent bits; constrained to float types, as
// Bits<> also serves integer lanes and every float helper below uses these.
template <std::floating_point F>
inline constexpr Bits<F> kSignBit = Bits<F>{1} << (sizeof(F) * 8 - 1);
// The quiet bit is the most significant fraction bit (IEEE 754-2019 6.2.1).
template <std::floating_point F>
inline constexpr Bits<F> kQuietBit = Bits<F>{1} << (std::numeric_limits<F>::digits - 2);
template <std::floating_point F>
inline constexpr Bits<F> kExpMask = (~Bits<F>{0} >> 1) & ~((Bits<F>{1} << (std::numeric_limits<F>::digits - 1)) - 1);

/// Decided on the bits so that no compiler flag can fold it away.
template <class F>
inline bool is_nan(F x) noexcept {
  Bits<F> b = std::bit_cast<Bits<F>>(x) & ~kSignBit<F>;
  return b > kExpMask<F>;
}

/// The same NaN with its quiet bit set (an arithmetic NaN, spec 4.3.3).
template <class F>
inline F quiet(F x) noexcept {
  return std::bit_cast<F>(std::bit_cast<Bits<F>>(x) | kQuietBit<F>);
}

template <class F>
inline constexpr F pow2(int n) noexcept {
  F r = 1;
  for (int i = 0; i < n; ++i) r *= 2;
  return r;
}

/// Round to nearest, ties to even, computed without the FPU rounding mode.
/// Non-NaN only. Values of magnitude >= 2^(digits-1) are already integers.
template <class F>
inline F nearest(F x) noexcept {
  constexpr F kIntegral = pow2<F>(std::numeric_limits<F>::digits - 1);
  if (!(std::fabs(x) < kIntegral)) return x;  // integers, infinities
  F t = std::trunc(x);                        // exact
  F frac = x - t;                             // exact: both share the exponent range of x
  F away = std::copysign(F(1), x);
  if (std::fabs(frac) > F(0.5)) {
    t += away;
  } else if (std::fabs(frac) == F(0.5)) {
    // |t| < 2^(digits-1), so fmod by 2 is exact.
    if (std::fmod(t, F(2)) != 0) t += away;
  }
  return std::copysign(t, x);  // -0.4 -> -0, -0.5 -> -0
}

template <class F, class G>
inline F float_unop(F x, G g) noexcept {
  if (is_nan(x)) return quiet(x);
  return g(x);
}

/// fmin/fmax (spec 4.3.3): NaN if either is NaN; -0 below +0.
template <class F>
inline F fmin(F a, F b) noexcept {
  if (is_nan(a)) return quiet(a);
  if (is_nan(b)) return quiet(b);
  if (a == b) return std::bit_cast<F>(std::bit_cast<Bits<F>>(a) | std::bit_cast<Bits<F>>(b));
  return a < b ? a : b;
}
template <class F>
inline F fmax(F a, F b) noexcept {
  if (is_nan(a)) return quiet(a);
  if (is_nan(b)) return quiet(b);
  if (a == b) return std::bit_cast<F>(std::bit_cast<Bits<F>>(a) & std::bit_cast<Bits<F>>(b));
  return a < b ? b : a;
}

template <class F>
inline F fabs(F a) noexcept {
  return std::bit_cast<F>(std::bit_cast<Bits<F>>(a) & ~kSignBit<F>);
}
template <class F>
inline F fneg(F a) noexcept {
  return std::bit_cast<F>(std::bit_cast<Bits<F>>(a) ^ kSignBit<F>);
}
template <class F>
inline F fcopysign(F a, F b) noexcept {
  return std::bit_cast<F>((std::bit_cast<Bits<F>>(a) & ~kSignBit<F>) | (std::bit_cast<Bits<F>>(b) & kSignBit<F>));
}

inline constexpr const char* kDivByZero = "integer divide by zero";
inline constexpr const char* kOverflow = "integer overflow";
inline constexpr const char* kInvalidConversion = "invalid conversion to integer";

/// Whether trunc(x) fits in I. The bounds -2^(N-1), 2^(N-1) and 2^N are
/// powers of two, exact in every float type, and trunc is exact, so the test
/// is exact at the boundaries (spec 4.3.2 trunc_u / trunc_s).
template <class I, class F>
inline bool trunc_fits(F t) noexcept {
  constexpr int n = std::numeric_limits<I>::digits;  // 31/63 signed, 32/64 unsigned
  if constexpr (std::is_signed_v<I>) {
    return t >= -pow2<F>(n) && t < pow2<F>(n);
  } else {
    return t >= F(0) && t < pow2<F>(n);  // -0.9 truncates to -0: fits, gives 0
  }
}

/// Trapping float->int truncation. U is the unsigned result type.
template <class I, class U, class F>
inline const char* trunc_trap(F x, U* out) noexcept {
  if (is_nan(x)) return kInvalidConversion;
  F t = std::trunc(x);
  if (!trunc_fits<I>(t)) return kOverflow;
  *out = static_cast<U>(static_cast<I>(t));
  return nullptr;
}

/// Saturating truncation (spec 4.3.2 trunc_sat): NaN -> 0, clamp to range.
template <class I, class U, class F>
inline U trunc_sat(F x) noexcept {
  if (is_nan(x)) return 0;
  F t = std::trunc(x);
  if (trunc_fits<I>(t)) return static_cast<U>(static_cast<I>(t));
  return static_cast<U>(t < F(0) ? std::numeric_limits<I>::min() : std::numeric_limits<I>::max());
}

/// f32.demote_f64 / f64.promote_f32 on a NaN (spec 4.3.4): keep the sign and
/// the high payload bits, set the quiet bit. This is what x86 and Arm do, and
/// it maps a canonical NaN to a canonical NaN as the spec requires.
inline float demote_nan(double x) noexcept {
  uint64_t b = bits(x);
  uint32_t sign = static_cast<uint32_t>(b >> 63) << 31;
  uint32_t payload = static_cast<uint32_t>((b >> 29) & 0x007FFFFFu);
  return std::bit_cast<float>(sign | 0x7F800000u | 0x00400000u | payload);
}
inline double promote_nan(float x) noexcept {
  uint32_t b = bits(x);
  uint64_t sign = static_cast<uint64_t>(b >> 31) << 63;
  uint64_t payload = static_cast<uint64_t>(b & 0x007FFFFFu) << 29;
  return std::bit_cast<double>(sign | 0x7FF0000000000000ull | 0x0008000000000000ull | payload);
}

}  // namespace detail

// ------------------------------------------------- deterministic mode ----

/// Any NaN becomes the positive canonical NaN (spec 4.3.3); other values pass.
inline float canon(float x) noexcept { return detail::is_nan(x) ? std::bit_cast<float>(0x7FC00000u) : x; }
inline double canon(double x) noexcept { return detail::is_nan(x) ? std::bit_cast<double>(0x7FF8000000000000ull) : x; }

// ------------------------------------------------------ i32 (spec 4.3.2) ----

inline uint32_t I32Eqz(uint32_t a) noexcept { return a == 0; }
inline uint32_t I32Eq(uint32_t a, uint32_t b) noexcept { return a == b; }
inline uint32_t I32Ne(uint32_t a, uint32_t b) noexcept { return a != b; }
inline uint32_t I32LtS(uint32_t a, uint32_t b) noexcept { return static_cast<int32_t>(a) < static_cast<int32_t>(b); }
inline uint32_t I32LtU(uint32_t a, uint32_t b) noexcept { return a < b; }
inline uint32_t I32GtS(uint32_t a, uint32_t b) noexcept { return static_cast<int32_t>(a) > static_cast<int32_t>(b); }
inline uint32_t I32GtU(uint32_t a, uint32_t b) noexcept { return a > b; }
inline uint32_t I32LeS(uint32_t a, uint32_t b) noexcept { return static_cast<int32_t>(a) <= static_cast<int32_t>(b); }
inline uint32_t I32LeU(uint32_t a, uint32_t b) noexcept { return a <= b; }
inline uint32_t I32GeS(uint32_t a, uint32_t b) noexcept { return static_cast<int32_t>(a) >= static_cast<int32_t>(b); }
inline uint32_t I32GeU(uint32_t a, uint32_t b) noexcept { return a >= b; }

inline uint32_t I32Clz(uint32_t a) noexcept { return static_cast<uint32_t>(std::countl_zero(a)); }
inline uint32_t I32Ctz(uint32_t a) noexcept { return static_cast<uint32_t>(std::countr_zero(a)); }
inline uint32_t I32Popcnt(uint32_t a) noexcept { return static_cast<uint32_t>(std::popcount(a)); }
inline uint32_t I32Add(uint32_t a, uint32_t b) noexcept { return a + b; }
inline uint32_t I32Sub(uint32_t a, uint32_t b) noexcept { return a - b; }
// uint32_t * uint32_t would promote to (signed) int where int is wider.
inline uint32_t I32Mul(uint32_t a, uint32_t b) noexcept { return static_cast<uint32_t>(uint64_t{a} * b); }

inline const char* I32DivS(uint32_t a, uint32_t b, uint32_t* out) noexcept {
  if (b == 0) return detail::kDivByZero;
  if (a == 0x80000000u && b == 0xFFFFFFFFu) return detail::kOverflow;
  *out = static_cast<uint32_t>(static_cast<int32_t>(a) / static_cast<int32_t>(b));
  return nullptr;
}
inline const char* I32DivU(uint32_t a, uint32_t b, uint32_t* out) noexcept {
  if (b == 0) return detail::kDivByZero;
  *out = a / b;
  return nullptr;
}
inline const char* I32RemS(uint32_t a, uint32_t b, uint32_t* out) noexcept {
  if (b == 0) return detail::kDivByZero;
  // INT_MIN % -1 is 0 in wasm but undefined in C++.
  *out = b == 0xFFFFFFFFu ? 0 : static_cast<uint32_t>(static_cast<int32_t>(a) % static_cast<int32_t>(b));
  return nullptr;
}
inline const char* I32RemU(uint32_t a, uint32_t b, uint32_t* out) noexcept {
  if (b == 0) return detail::kDivByZero;
  *out = a % b;
  return nullptr;
}

inline uint32_t I32And(uint32_t a, uint32_t b) noexcept { return a & b; }
inline uint32_t I32Or(uint32_t a, uint32_t b) noexcept { return a | b; }
inline uint32_t I32Xor(uint32_t a, uint32_t b) noexcept { return a ^ b; }
inline uint32_t I32Shl(uint32_t a, uint32_t b) noexcept { return a << (b & 31); }
inline uint32_t I32ShrS(uint32_t a, uint32_t b) noexcept {
  return static_cast<uint32_t>(static_cast<int32_t>(a) >> (b & 31));  // arithmetic since C++20
}
inline uint32_t I32ShrU(uint32_t a, uint32_t b) noexcept { return a >> (b & 31); }
inline uint32_t I32Rotl(uint32_t a, uint32_t b) noexcept { return std::rotl(a, static_cast<int>(b & 31)); }
inline uint32_t I32Rotr(uint32_t a, uint32_t b) noexcept { return std::rotr(a, static_cast<int>(b & 31)); }

// ------------------------------------------------------ i64 (spec 4.3.2) ----

inline uint32_t I64Eqz(uint64_t a) noexcept { return a == 0; }
inline uint32_t I64Eq(uint64_t a, uint64_t b) noexcept { return a == b; }
inline uint32_t I64Ne(uint64_t a, uint64_t b) noexcept { return a != b; }
inline uint32_t I64LtS(uint64_t a, uint64_t b) noexcept { return static_cast<int64_t>(a) < static_cast<int64_t>(b); }
inline uint32_t I64LtU(uint64_t a, uint64_t b) noexcept { return a < b; }
inline uint32_t I64GtS(uint64_t a, uint64_t b) noexcept { return static_cast<int64_t>(a) > static_cast<int64_t>(b); }
inline uint32_t I64GtU(uint64_t a, uint64_t b) noexcept { return a > b; }
inline uint32_t I64LeS(uint64_t a, uint64_t b) noexcept { return static_cast<int64_t>(a) <= static_cast<int64_t>(b); }
inline uint32_t I64LeU(uint64_t a, uint64_t b) noexcept { return a <= b; }
inline uint32_t I64GeS(uint64_t a, uint64_t b) noexcept { return static_cast<int64_t>(a) >= static_cast<int64_t>(b); }
inline uint32_t I64GeU(uint64_t a, uint64_t b) noexcept { return a >= b; }

inline uint64_t I64Clz(uint64_t a) noexcept { return static_cast<uint64_t>(std::countl_zero(a)); }
inline uint64_t I64Ctz(uint64_t a) noexcept { return static_cast<uint64_t>(std::countr_zero(a)); }
inline uint64_t I64Popcnt(uint64_t a) noexcept { return static_cast<uint64_t>(std::popcount(a)); }
inline uint64_t I64Add(uint64_t a, uint64_t b) noexcept { return a + b; }
inline uint64_t I64Sub(uint64_t a, uint64_t b) noexcept { return a - b; }
inline uint64_t I64Mul(uint64_t a, uint64_t b) noexcept { return a * b; }

inline const char* I64DivS(uint64_t a, uint64_t b, uint64_t* out) noexcept {
  if (b == 0) return detail::kDivByZero;
  if (a == 0x8000000000000000ull && b == ~uint64_t{0}) return detail::kOverflow;
  *out = static_cast<uint64_t>(static_cast<int64_t>(a) / static_cast<int64_t>(b));
  return nullptr;
}
inline const char* I64DivU(uint64_t a, uint64_t b, uint64_t* out) noexcept {
  if (b == 0) return detail::kDivByZero;
  *out = a / b;
  return nullptr;
}
inline const char* I64RemS(uint64_t a, uint64_t b, uint64_t* out) noexcept {
  if (b == 0) return detail::kDivByZero;
  *out = b == ~uint64_t{0} ? 0 : static_cast<uint64_t>(static_cast<int64_t>(a) % static_cast<int64_t>(b));
  return nullptr;
}
inline const char* I64RemU(uint64_t a, uint64_t b, uint64_t* out) noexcept {
  if (b == 0) return detail::kDivByZero;
  *out = a % b;
  return nullptr;
}

inline uint64_t I64And(uint64_t a, uint64_t b) noexcept { return a & b; }
inline uint64_t I64Or(uint64_t a, uint64_t b) noexcept { return a | b; }
inline uint64_t I64Xor(uint64_t a, uint64_t b) noexcept { return a ^ b; }
inline uint64_t I64Shl(uint64_t a, uint64_t b) noexcept { return a << (b & 63); }
inline uint64_t I64ShrS(uint64_t a, uint64_t b) noexcept {
  return static_cast<uint64_t>(static_cast<int64_t>(a) >> (b & 63));
}
inline uint64_t I64ShrU(uint64_t a, uint64_t b) noexcept { return a >> (b & 63); }
inline uint64_t I64Rotl(uint64_t a, uint64_t b) noexcept { return std::rotl(a, static_cast<int>(b & 63)); }
inline uint64_t I64Rotr(uint64_t a, uint64_t b) noexcept { return std::rotr(a, static_cast<int>(b & 63)); }

// ------------------------------------------------ f32/f64 (spec 4.3.3) ----
// Comparisons are IEEE: false with a NaN operand, except ne.

inline uint32_t F32Eq(float a, float b) noexcept { return a == b; }
inline uint32_t F32Ne(float a, float b) noexcept { return a != b; }
inline uint32_t F32Lt(float a, float b) noexcept { return a < b; }
inline uint32_t F32Gt(float a, float b) noexcept { return a > b; }
inline uint32_t F32Le(float a, float b) noexcept { return a <= b; }
inline uint32_t F32Ge(float a, float b) noexcept { return a >= b; }
inline uint32_t F64Eq(double a, double b) noexcept { return a == b; }
inline uint32_t F64Ne(double a, double b) noexcept { return a != b; }
inline uint32_t F64Lt(double a, double b) noexcept { return a < b; }
inline uint32_t F64Gt(double a, double b) noexcept { return a > b; }
inline uint32_t F64Le(double a, double b) noexcept { return a <= b; }
inline uint32_t F64Ge(double a, double b) noexcept { return a >= b; }

// abs, neg and copysign touch the sign bit only: a NaN keeps its payload.
inline float F32Abs(float a) noexcept { return detail::fabs(a); }
inline float F32Neg(float a) noexcept { return detail::fneg(a); }
inline float F32Copysign(float a, float b) noexcept { return detail::fcopysign(a, b); }
inline double F64Abs(double a) noexcept { return detail::fabs(a); }
inline double F64Neg(double a) noexcept { return detail::fneg(a); }
inline double F64Copysign(double a, double b) noexcept { return detail::fcopysign(a, b); }

// Rounding: NaN inputs are quieted explicitly because libm need not do it.
inline float F32Ceil(float a) noexcept {
  return detail::float_unop(a, [](float x) { return std::ceil(x); });
}
inline float F32Floor(float a) noexcept {
  return detail::float_unop(a, [](float x) { return std::floor(x); });
}
inline float F32Trunc(float a) noexcept {
  return detail::float_unop(a, [](float x) { return std::trunc(x); });
}
inline float F32Nearest(float a) noexcept {
  return detail::float_unop(a, [](float x) { return detail::nearest(x); });
}
inline float F32Sqrt(float a) noexcept {
  return detail::float_unop(a, [](float x) { return std::sqrt(x); });
}
inline double F64Ceil(double a) noexcept {
  return detail::float_unop(a, [](double x) { return std::ceil(x); });
}
inline double F64Floor(double a) noexcept {
  return detail::float_unop(a, [](double x) { return std::floor(x); });
}
inline double F64Trunc(double a) noexcept {
  return detail::float_unop(a, [](double x) { return std::trunc(x); });
}
inline double F64Nearest(double a) noexcept {
  return detail::float_unop(a, [](double x) { return detail::nearest(x); });
}
inline double F64Sqrt(double a) noexcept {
  return detail::float_unop(a, [](double x) { return std::sqrt(x); });
}

// IEEE arithmetic in the default rounding mode; NaN results are quiet.
inline float F32Add(float a, float b) noexcept { return a + b; }
inline float F32Sub(float a, float b) noexcept { return a - b; }
inline float F32Mul(float a, float b) noexcept { return a * b; }
inline float F32Div(float a, float b) noexcept { return a / b; }
inline float F32Min(float a, float b) noexcept { return detail::fmin(a, b); }
inline float F32Max(float a, float b) noexcept { return detail::fmax(a, b); }
inline double F64Add(double a, double b) noexcept { return a + b; }
inline double F64Sub(double a, double b) noexcept { return a - b; }
inline double F64Mul(double a, double b) noexcept { return a * b; }
inline double F64Div(double a, double b) noexcept { return a / b; }
inline double F64Min(double a, double b) noexcept { return detail::fmin(a, b); }
inline double F64Max(double a, double b) noexcept { return detail::fmax(a, b); }

// ------------------------------------------------ conversions (4.3.4) ----

inline uint32_t I32WrapI64(uint64_t a) noexcept { return static_cast<uint32_t>(a); }
inline uint64_t I64ExtendI32S(uint32_t a) noexcept {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(a)));
}
inline uint64_t I64ExtendI32U(uint32_t a) noexcept { return a; }

inline const char* I32TruncF32S(float a, uint32_t* out) noexcept { return detail::trunc_trap<int32_t>(a, out); }
inline const char* I32TruncF32U(float a, uint32_t* out) noexcept { return detail::trunc_trap<uint32_t>(a, out); }
inline const char* I32TruncF64S(double a, uint32_t* out) noexcept { return detail::trunc_trap<int32_t>(a, out); }
inline const char* I32TruncF64U(double a, uint32_t* out) noexcept { return detail::trunc_trap<uint32_t>(a, out); }
inline const char* I64TruncF32S(float a, uint64_t* out) noexcept { return detail::trunc_trap<int64_t>(a, out); }
inline const char* I64TruncF32U(float a, uint64_t* out) noexcept { return detail::trunc_trap<uint64_t>(a, out); }
inline const char* I64TruncF64S(double a, uint64_t* out) noexcept { return detail::trunc_trap<int64_t>(a, out); }
inline const char* I64TruncF64U(double a, uint64_t* out) noexcept { return detail::trunc_trap<uint64_t>(a, out); }

inline uint32_t I32TruncSatF32S(float a) noexcept { return detail::trunc_sat<int32_t, uint32_t>(a); }
inline uint32_t I32TruncSatF32U(float a) noexcept { return detail::trunc_sat<uint32_t, uint32_t>(a); }
inline uint32_t I32TruncSatF64S(double a) noexcept { return detail::trunc_sat<int32_t, uint32_t>(a); }
inline uint32_t I32TruncSatF64U(double a) noexcept { return detail::trunc_sat<uint32_t, uint32_t>(a); }
inline uint64_t I64TruncSatF32S(float a) noexcept { return detail::trunc_sat<int64_t, uint64_t>(a); }
inline uint64_t I64TruncSatF32U(float a) noexcept { return detail::trunc_sat<uint64_t, uint64_t>(a); }
inline uint64_t I64TruncSatF64S(double a) noexcept { return detail::trunc_sat<int64_t, uint64_t>(a); }
inline uint64_t I64TruncSatF64U(double a) noexcept { return detail::trunc_sat<uint64_t, uint64_t>(a); }

// Integer->float conversions round to nearest-even in one step (a detour
// through double would round twice: 0x8000008000000001 -> f32 shows it).
inline float F32ConvertI32S(uint32_t a) noexcept { return static_cast<float>(static_cast<int32_t>(a)); }
inline float F32ConvertI32U(uint32_t a) noexcept { return static_cast<float>(a); }
inline float F32ConvertI64S(uint64_t a) noexcept { return static_cast<float>(static_cast<int64_t>(a)); }
inline float F32ConvertI64U(uint64_t a) noexcept { return static_cast<float>(a); }
inline double F64ConvertI32S(uint32_t a) noexcept { return static_cast<double>(static_cast<int32_t>(a)); }
inline double F64ConvertI32U(uint32_t a) noexcept { return static_cast<double>(a); }
inline double F64ConvertI64S(uint64_t a) noexcept { return static_cast<double>(static_cast<int64_t>(a)); }
inline double F64ConvertI64U(uint64_t a) noexcept { return static_cast<double>(a); }

inline float F32DemoteF64(double a) noexcept {
  if (detail::is_nan(a)) return detail::demote_nan(a);
  return static_cast<float>(a);  // IEEE: out-of-range rounds to +-inf
}
inline double F64PromoteF32(float a) noexcept {
  if (detail::is_nan(a)) return detail::promote_nan(a);
  return static_cast<double>(a);
}

inline uint32_t I32ReinterpretF32(float a) noexcept { return std::bit_cast<uint32_t>(a); }
inline uint64_t I64ReinterpretF64(double a) noexcept { return std::bit_cast<uint64_t>(a); }
inline float F32ReinterpretI32(uint32_t a) noexcept { return std::bit_cast<float>(a); }
inline double F64ReinterpretI64(uint64_t a) noexcept { return std::bit_cast<double>(a); }

// Sign extension (integer -> narrower signed is modular since C++20).
inline uint32_t I32Extend8S(uint32_t a) noexcept {
  return static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(a)));
}
inline uint32_t I32Extend16S(uint32_t a) noexcept {
  return static_cast<uint32_t>(static_cast<int32_t>(static_cast<int16_t>(a)));
}
inline uint64_t I64Extend8S(uint64_t a) noexcept {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(a)));
}
inline uint64_t I64Extend16S(uint64_t a) noexcept {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(a)));
}
inline uint64_t I64Extend32S(uint64_t a) noexcept {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(a)));
}

}  // namespace warden::num

#include "execute/simd.hpp"
