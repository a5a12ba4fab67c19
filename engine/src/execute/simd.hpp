// SIMD operators (spec 4.3.5 and the vector instructions of 4.4.3), one
// function per opcodes.def row with prefix 0xFD and class Num, plus the lane
// and shuffle instructions. Same contract as numeric.hpp, which includes this
// file; do not include it directly.
//
// A V128 is 16 bytes, little endian (byte 0 is lo's lowest byte). Each
// operator splits its operands into lane arrays, runs a plain loop over the
// lanes and joins the result: portable, free of intrinsics, and simple enough
// for compilers to vectorise. Except the float + - * / and compares, written
// as 16-byte vector operations (simd::vec): inside execute() GCC left their
// loops scalar; and the lane accesses by index (lane_of, replace_lane),
// shifts within a half.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "execute/numeric.hpp"
#include "warden/warden.hpp"

// The float lane operators (two or four lanes, which stay in registers)
// and the lane helpers are inlined into the interpreter's handlers when
// optimising: GCC stops inlining into execute() once that function is
// large, and a v128 operator called out of line passes its operands and
// result through memory (mandelbrot_simd spent half its time in calls to
// F64x2Add/Mul/Sub once v128 operands fused). So are the bitwise ones and
// the integer add and sub, which are single vector operations too. Not the
// other 8- and 16-lane integer ones: forced into execute() everywhere,
// their lane arrays grew its stack frame by half (Hostile.HostReentry, 32
// nested levels, went from under 2 MiB of host stack to 3 MiB).
#if defined(__GNUC__) && defined(__OPTIMIZE__)
#define WARDEN_SIMD_OP inline __attribute__((always_inline))
#else
#define WARDEN_SIMD_OP inline
#endif

namespace warden::num {
namespace simd {

template <class T>
using Lanes = std::array<T, 16 / sizeof(T)>;

// A V128's lanes are its bytes in order, so on a little-endian host (the
// interpreter static_asserts one) a bit_cast is the whole conversion.
static_assert(std::endian::native == std::endian::little, "lanes are the V128's bytes in host order");

template <class T>
WARDEN_SIMD_OP Lanes<T> split(V128 v) noexcept {
  static_assert(sizeof(V128) == 16 && sizeof(Lanes<T>) == 16);
  return std::bit_cast<Lanes<T>>(v);
}

template <class T>
WARDEN_SIMD_OP V128 join(const Lanes<T>& in) noexcept {
  return std::bit_cast<V128>(in);
}

/// r[i] = f(a[i]); T in, R out (same lane count).
template <class T, class R = T, class F>
WARDEN_SIMD_OP V128 map(V128 a, F f) noexcept {
  static_assert(sizeof(T) == sizeof(R));
  Lanes<T> x = split<T>(a);
  Lanes<R> r;
  for (size_t i = 0; i < r.size(); ++i) r[i] = f(x[i]);
  return join<R>(r);
}

/// r[i] = f(a[i], b[i]).
template <class T, class R = T, class F>
WARDEN_SIMD_OP V128 zip(V128 a, V128 b, F f) noexcept {
  static_assert(sizeof(T) == sizeof(R));
  Lanes<T> x = split<T>(a), y = split<T>(b);
  Lanes<R> r;
  for (size_t i = 0; i < r.size(); ++i) r[i] = f(x[i], y[i]);
  return join<R>(r);
}

/// Lane-wise comparison: all ones where f holds. U is the unsigned lane type.
template <class T, class F>
WARDEN_SIMD_OP V128 compare(V128 a, V128 b, F f) noexcept {
  using U = detail::Bits<T>;
  return zip<T, U>(a, b, [f](T x, T y) { return f(x, y) ? static_cast<U>(~U{0}) : U{0}; });
}

/// f(a, b) on every float lane at once, as 16-byte vectors (GCC's and
/// Clang's vector extension): one SSE instruction (mulps, addpd, cmplepd).
/// The lane loops of zip() and compare() compute the same, but inside
/// execute() GCC left them loops of scalar operations whose results went
/// through the stack in 4-byte pieces, then were read back as 8-byte ones
/// that the store buffer cannot forward (docs/performance.md, "SIMD
/// codegen"). execute() needs GNU C already (labels as values).
template <class F>
struct VecOf;
template <>
struct VecOf<float> {
  using type = float __attribute__((vector_size(16)));
};
template <>
struct VecOf<double> {
  using type = double __attribute__((vector_size(16)));
};
// Unsigned lanes: GNU vector arithmetic on them wraps, as wasm's does.
template <>
struct VecOf<uint8_t> {
  using type = uint8_t __attribute__((vector_size(16)));
};
template <>
struct VecOf<uint16_t> {
  using type = uint16_t __attribute__((vector_size(16)));
};
template <>
struct VecOf<uint32_t> {
  using type = uint32_t __attribute__((vector_size(16)));
};
template <>
struct VecOf<uint64_t> {
  using type = uint64_t __attribute__((vector_size(16)));
};
template <class F, class Fn>
WARDEN_SIMD_OP V128 vec(V128 a, V128 b, Fn f) noexcept {
  using V = typename VecOf<F>::type;
  return std::bit_cast<V128>(f(std::bit_cast<V>(a), std::bit_cast<V>(b)));
}

/// Shift count modulo the lane width (spec 4.3.5 ishl etc.).
template <class T>
inline unsigned shift_count(uint32_t n) noexcept {
  return n & (sizeof(T) * 8 - 1);
}

template <class T>
inline T wrap_add(T a, T b) noexcept {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b)));
}
template <class T>
inline T wrap_sub(T a, T b) noexcept {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(static_cast<U>(a) - static_cast<U>(b)));
}
template <class T>
inline T wrap_mul(T a, T b) noexcept {
  using U = std::make_unsigned_t<T>;
  // Widen first: uint16_t * uint16_t would multiply as (signed) int.
  using W = std::conditional_t<(sizeof(U) < sizeof(unsigned)), unsigned, U>;
  return static_cast<T>(static_cast<U>(static_cast<W>(static_cast<U>(a)) * static_cast<W>(static_cast<U>(b))));
}

/// Clamp a wide value into T (spec sat_s / sat_u).
template <class T, class W>
inline T saturate(W v) noexcept {
  if (v < static_cast<W>(std::numeric_limits<T>::min())) return std::numeric_limits<T>::min();
  if (v > static_cast<W>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  return static_cast<T>(v);
}

template <class T>
inline T sat_add(T a, T b) noexcept {
  return saturate<T>(int32_t{a} + int32_t{b});
}
template <class T>
inline T sat_sub(T a, T b) noexcept {
  return saturate<T>(int32_t{a} - int32_t{b});
}

template <class T>
inline T iabs(T a) noexcept {  // abs(INT_MIN) == INT_MIN, via unsigned
  using U = std::make_unsigned_t<T>;
  return a < 0 ? static_cast<T>(static_cast<U>(U{0} - static_cast<U>(a))) : a;
}

template <class T>
inline V128 all_lanes(T x) noexcept {
  Lanes<T> r;
  r.fill(x);
  return join<T>(r);
}

template <class T>
inline uint32_t all_true(V128 a) noexcept {
  Lanes<T> x = split<T>(a);
  uint32_t r = 1;
  for (T v : x) r &= v != 0;
  return r;
}

template <class T>  // T signed
inline uint32_t bitmask(V128 a) noexcept {
  Lanes<T> x = split<T>(a);
  uint32_t r = 0;
  for (size_t i = 0; i < x.size(); ++i) r |= static_cast<uint32_t>(x[i] < 0) << i;
  return r;
}

/// Narrow a (low half) and b (high half) from signed W lanes to T, saturating.
template <class W, class T>
inline V128 narrow(V128 a, V128 b) noexcept {
  Lanes<W> x = split<W>(a), y = split<W>(b);
  Lanes<T> r;
  for (size_t i = 0; i < x.size(); ++i) {
    r[i] = saturate<T>(x[i]);
    r[x.size() + i] = saturate<T>(y[i]);
  }
  return join<T>(r);
}

/// Widen the low (high == false) or high half of T lanes to W.
template <class T, class W>
inline V128 extend(V128 a, bool high) noexcept {
  Lanes<T> x = split<T>(a);
  Lanes<W> r;
  size_t base = high ? r.size() : 0;
  for (size_t i = 0; i < r.size(); ++i) r[i] = static_cast<W>(x[base + i]);
  return join<W>(r);
}

/// Widening multiply of the low or high halves; W is wide enough to be exact.
template <class T, class W>
inline V128 extmul(V128 a, V128 b, bool high) noexcept {
  Lanes<T> x = split<T>(a), y = split<T>(b);
  Lanes<W> r;
  size_t base = high ? r.size() : 0;
  for (size_t i = 0; i < r.size(); ++i) {
    // int16*int16 and uint16*uint16 fit in int32/uint32; int32*int32 fits
    // int64. Multiplying in W avoids int promotion of unsigned narrow types.
    r[i] = static_cast<W>(static_cast<W>(x[base + i]) * static_cast<W>(y[base + i]));
  }
  return join<W>(r);
}

template <class T, class W>
inline V128 extadd_pairwise(V128 a) noexcept {
  Lanes<T> x = split<T>(a);
  Lanes<W> r;
  for (size_t i = 0; i < r.size(); ++i) r[i] = static_cast<W>(static_cast<W>(x[2 * i]) + static_cast<W>(x[2 * i + 1]));
  return join<W>(r);
}

/// pmin/pmax (spec 4.3.5): `<` on the raw operands, returning one of them
/// unchanged (NaNs included, never quieted).
template <class F>
inline F pmin(F a, F b) noexcept {
  return b < a ? b : a;
}
template <class F>
inline F pmax(F a, F b) noexcept {
  return a < b ? b : a;
}

// Lanes by index, as shifts within the V128's half that holds the lane
// (byte 0 is lo's lowest): no lane array. Indexing an array by a runtime
// lane made GCC spill the vector to the stack and read the lane back from
// there, a second store-to-load hop on the path of every extract_lane
// (docs/performance.md, "The v128 result's round trip"). `lane` is masked
// to the lane count, so a broken invariant still picks a lane of the
// vector: a half, and a shift below 64.
template <class T>
inline constexpr unsigned kLanesPerHalf = 8 / sizeof(T);

template <class T>
WARDEN_SIMD_OP unsigned lane_shift(uint32_t lane) noexcept {
  return (lane % kLanesPerHalf<T>)*8 * sizeof(T);  // < 64
}
template <class T>
WARDEN_SIMD_OP bool in_high_half(uint32_t lane) noexcept {
  return (lane & (2 * kLanesPerHalf<T> - 1)) >= kLanesPerHalf<T>;
}

template <class T>
WARDEN_SIMD_OP T lane_of(V128 a, uint32_t lane) noexcept {
  const uint64_t half = in_high_half<T>(lane) ? a.hi : a.lo;
  return std::bit_cast<T>(static_cast<detail::Bits<T>>(half >> lane_shift<T>(lane)));
}

template <class T>
WARDEN_SIMD_OP V128 replace_lane(V128 a, T v, uint32_t lane) noexcept {
  const unsigned shift = lane_shift<T>(lane);
  const uint64_t mask = (~uint64_t{0} >> (64 - 8 * sizeof(T))) << shift;
  const uint64_t bits = static_cast<uint64_t>(std::bit_cast<detail::Bits<T>>(v)) << shift;
  const bool high = in_high_half<T>(lane);  // two selects: a reference to either half put `a` on the stack
  return V128{high ? a.lo : (a.lo & ~mask) | bits, high ? (a.hi & ~mask) | bits : a.hi};
}

template <class T>  // T unsigned: (a + b + 1) / 2 without overflow
inline T avgr(T a, T b) noexcept {
  return static_cast<T>((uint32_t{a} + uint32_t{b} + 1) >> 1);
}

}  // namespace simd

/// Deterministic mode: canonicalise every NaN lane (see canon()).
inline V128 canon_f32x4(V128 a) noexcept {
  return simd::map<float>(a, [](float x) { return canon(x); });
}
inline V128 canon_f64x2(V128 a) noexcept {
  return simd::map<double>(a, [](double x) { return canon(x); });
}

// ------------------------------------------------ splat, lanes, shuffle ----

inline V128 I8x16Swizzle(V128 a, V128 s) noexcept {
  simd::Lanes<uint8_t> x = simd::split<uint8_t>(a), idx = simd::split<uint8_t>(s), r;
  for (size_t i = 0; i < 16; ++i) r[i] = idx[i] < 16 ? x[idx[i]] : 0;
  return simd::join<uint8_t>(r);
}
/// `lanes` holds the 16 immediate lane indices; each < 32 (validated).
inline V128 I8x16Shuffle(V128 a, V128 b, V128 lanes) noexcept {
  simd::Lanes<uint8_t> x = simd::split<uint8_t>(a), y = simd::split<uint8_t>(b), idx = simd::split<uint8_t>(lanes), r;
  for (size_t i = 0; i < 16; ++i) {
    unsigned l = idx[i] & 31u;  // masked so a broken invariant cannot read out of bounds
    r[i] = l < 16 ? x[l] : y[l - 16];
  }
  return simd::join<uint8_t>(r);
}

inline V128 I8x16Splat(uint32_t a) noexcept { return simd::all_lanes<uint8_t>(static_cast<uint8_t>(a)); }
inline V128 I16x8Splat(uint32_t a) noexcept { return simd::all_lanes<uint16_t>(static_cast<uint16_t>(a)); }
inline V128 I32x4Splat(uint32_t a) noexcept { return simd::all_lanes<uint32_t>(a); }
inline V128 I64x2Splat(uint64_t a) noexcept { return simd::all_lanes<uint64_t>(a); }
inline V128 F32x4Splat(float a) noexcept { return simd::all_lanes<float>(a); }
inline V128 F64x2Splat(double a) noexcept { return simd::all_lanes<double>(a); }

// Lane indices are validated; lane_of and replace_lane mask them as well.
inline uint32_t I8x16ExtractLaneS(V128 a, uint32_t lane) noexcept {
  return static_cast<uint32_t>(int32_t{simd::lane_of<int8_t>(a, lane)});
}
inline uint32_t I8x16ExtractLaneU(V128 a, uint32_t lane) noexcept { return simd::lane_of<uint8_t>(a, lane); }
inline uint32_t I16x8ExtractLaneS(V128 a, uint32_t lane) noexcept {
  return static_cast<uint32_t>(int32_t{simd::lane_of<int16_t>(a, lane)});
}
inline uint32_t I16x8ExtractLaneU(V128 a, uint32_t lane) noexcept { return simd::lane_of<uint16_t>(a, lane); }
inline uint32_t I32x4ExtractLane(V128 a, uint32_t lane) noexcept { return simd::lane_of<uint32_t>(a, lane); }
inline uint64_t I64x2ExtractLane(V128 a, uint32_t lane) noexcept { return simd::lane_of<uint64_t>(a, lane); }
inline float F32x4ExtractLane(V128 a, uint32_t lane) noexcept { return simd::lane_of<float>(a, lane); }
inline double F64x2ExtractLane(V128 a, uint32_t lane) noexcept { return simd::lane_of<double>(a, lane); }

inline V128 I8x16ReplaceLane(V128 a, uint32_t b, uint32_t lane) noexcept {
  return simd::replace_lane<uint8_t>(a, static_cast<uint8_t>(b), lane);
}
inline V128 I16x8ReplaceLane(V128 a, uint32_t b, uint32_t lane) noexcept {
  return simd::replace_lane<uint16_t>(a, static_cast<uint16_t>(b), lane);
}
inline V128 I32x4ReplaceLane(V128 a, uint32_t b, uint32_t lane) noexcept {
  return simd::replace_lane<uint32_t>(a, b, lane);
}
inline V128 I64x2ReplaceLane(V128 a, uint64_t b, uint32_t lane) noexcept {
  return simd::replace_lane<uint64_t>(a, b, lane);
}
inline V128 F32x4ReplaceLane(V128 a, float b, uint32_t lane) noexcept { return simd::replace_lane<float>(a, b, lane); }
inline V128 F64x2ReplaceLane(V128 a, double b, uint32_t lane) noexcept {
  return simd::replace_lane<double>(a, b, lane);
}

// ------------------------------------------------------------ compares ----

#define WARDEN_SIMD_CMP(Shape, Suffix, T, expr)                   \
  inline V128 Shape##Suffix(V128 a, V128 b) noexcept {            \
    return simd::compare<T>(a, b, [](T x, T y) { return expr; }); \
  }
// A float operator on every lane at once (simd::vec), inlined
// (WARDEN_SIMD_OP): the four arithmetic operators below and the compares.
#define WARDEN_SIMD_FVEC(Name, F, op)                                 \
  WARDEN_SIMD_OP V128 Name(V128 a, V128 b) noexcept {                 \
    return simd::vec<F>(a, b, [](auto x, auto y) { return x op y; }); \
  }
#define WARDEN_SIMD_ICMP(Shape, S, U)    \
  WARDEN_SIMD_CMP(Shape, Eq, U, x == y)  \
  WARDEN_SIMD_CMP(Shape, Ne, U, x != y)  \
  WARDEN_SIMD_CMP(Shape, LtS, S, x < y)  \
  WARDEN_SIMD_CMP(Shape, LtU, U, x < y)  \
  WARDEN_SIMD_CMP(Shape, GtS, S, x > y)  \
  WARDEN_SIMD_CMP(Shape, GtU, U, x > y)  \
  WARDEN_SIMD_CMP(Shape, LeS, S, x <= y) \
  WARDEN_SIMD_CMP(Shape, LeU, U, x <= y) \
  WARDEN_SIMD_CMP(Shape, GeS, S, x >= y) \
  WARDEN_SIMD_CMP(Shape, GeU, U, x >= y)
// Two or four lanes, like the float arithmetic: inlined (WARDEN_SIMD_OP).
// A vector comparison gives all ones where it holds, and an unordered pair
// (a NaN) compares as C++ says, so only `!=` holds for it, as in the spec.
#define WARDEN_SIMD_FCMP(Shape, F)   \
  WARDEN_SIMD_FVEC(Shape##Eq, F, ==) \
  WARDEN_SIMD_FVEC(Shape##Ne, F, !=) \
  WARDEN_SIMD_FVEC(Shape##Lt, F, <)  \
  WARDEN_SIMD_FVEC(Shape##Gt, F, >)  \
  WARDEN_SIMD_FVEC(Shape##Le, F, <=) \
  WARDEN_SIMD_FVEC(Shape##Ge, F, >=)

WARDEN_SIMD_ICMP(I8x16, int8_t, uint8_t)
WARDEN_SIMD_ICMP(I16x8, int16_t, uint16_t)
WARDEN_SIMD_ICMP(I32x4, int32_t, uint32_t)
// i64x2 has only the signed comparisons (spec 5.4.8).
WARDEN_SIMD_CMP(I64x2, Eq, uint64_t, x == y)
WARDEN_SIMD_CMP(I64x2, Ne, uint64_t, x != y)
WARDEN_SIMD_CMP(I64x2, LtS, int64_t, x < y)
WARDEN_SIMD_CMP(I64x2, GtS, int64_t, x > y)
WARDEN_SIMD_CMP(I64x2, LeS, int64_t, x <= y)
WARDEN_SIMD_CMP(I64x2, GeS, int64_t, x >= y)
WARDEN_SIMD_FCMP(F32x4, float)
WARDEN_SIMD_FCMP(F64x2, double)

#undef WARDEN_SIMD_FCMP
#undef WARDEN_SIMD_ICMP
#undef WARDEN_SIMD_CMP

// ------------------------------------------------------------- bitwise ----

// One vector operation each (simd::vec), inlined (WARDEN_SIMD_OP): as
// two 64-bit words the result left the operator in two general registers,
// and the 16-byte load of it by the next operator could not be forwarded
// from those two 8-byte stores (docs/performance.md, "SIMD kernels").
#define WARDEN_SIMD_IVEC(Name, T, op)                                 \
  WARDEN_SIMD_OP V128 Name(V128 a, V128 b) noexcept {                 \
    return simd::vec<T>(a, b, [](auto x, auto y) { return x op y; }); \
  }
WARDEN_SIMD_OP V128 V128Not(V128 a) noexcept {
  return simd::vec<uint64_t>(a, a, [](auto x, auto) { return ~x; });
}
WARDEN_SIMD_IVEC(V128And, uint64_t, &)
WARDEN_SIMD_IVEC(V128Andnot, uint64_t, &~)
WARDEN_SIMD_IVEC(V128Or, uint64_t, |)
WARDEN_SIMD_IVEC(V128Xor, uint64_t, ^)
/// Bits of a where c is 1, of b where c is 0.
WARDEN_SIMD_OP V128 V128Bitselect(V128 a, V128 b, V128 c) noexcept {
  using V = simd::VecOf<uint64_t>::type;
  const V m = std::bit_cast<V>(c);
  return std::bit_cast<V128>((std::bit_cast<V>(a) & m) | (std::bit_cast<V>(b) & ~m));
}
WARDEN_SIMD_OP uint32_t V128AnyTrue(V128 a) noexcept { return (a.lo | a.hi) != 0; }

// ------------------------------------------------- integer lane arithmetic ----

#define WARDEN_SIMD_IUNOP(Name, T, expr)                   \
  inline V128 Name(V128 a) noexcept {                      \
    return simd::map<T>(a, [](T x) -> T { return expr; }); \
  }
#define WARDEN_SIMD_IBINOP(Name, T, expr)                          \
  inline V128 Name(V128 a, V128 b) noexcept {                      \
    return simd::zip<T>(a, b, [](T x, T y) -> T { return expr; }); \
  }
/// Shifts take the count modulo the lane width (spec 4.3.2 ishl/ishr).
#define WARDEN_SIMD_SHIFT(Name, T, op)                                    \
  inline V128 Name(V128 a, uint32_t n) noexcept {                         \
    unsigned k = simd::shift_count<T>(n);                                 \
    return simd::map<T>(a, [k](T x) -> T { return static_cast<T>(op); }); \
  }

// Written out, one operator a line, so that every name of the table has a
// definition a reader can grep for.
// i8x16: abs, neg, add, sub and shifts exist for every integer shape.
WARDEN_SIMD_IUNOP(I8x16Abs, int8_t, simd::iabs(x))
WARDEN_SIMD_IUNOP(I8x16Neg, uint8_t, simd::wrap_sub<uint8_t>(0, x))
WARDEN_SIMD_IVEC(I8x16Add, uint8_t, +)
WARDEN_SIMD_IVEC(I8x16Sub, uint8_t, -)
WARDEN_SIMD_SHIFT(I8x16Shl, uint8_t, static_cast<uint64_t>(x) << k)
WARDEN_SIMD_SHIFT(I8x16ShrS, int8_t, x >> k)
WARDEN_SIMD_SHIFT(I8x16ShrU, uint8_t, x >> k)
// i16x8: abs, neg, add, sub and shifts exist for every integer shape.
WARDEN_SIMD_IUNOP(I16x8Abs, int16_t, simd::iabs(x))
WARDEN_SIMD_IUNOP(I16x8Neg, uint16_t, simd::wrap_sub<uint16_t>(0, x))
WARDEN_SIMD_IVEC(I16x8Add, uint16_t, +)
WARDEN_SIMD_IVEC(I16x8Sub, uint16_t, -)
WARDEN_SIMD_SHIFT(I16x8Shl, uint16_t, static_cast<uint64_t>(x) << k)
WARDEN_SIMD_SHIFT(I16x8ShrS, int16_t, x >> k)
WARDEN_SIMD_SHIFT(I16x8ShrU, uint16_t, x >> k)
// i32x4: abs, neg, add, sub and shifts exist for every integer shape.
WARDEN_SIMD_IUNOP(I32x4Abs, int32_t, simd::iabs(x))
WARDEN_SIMD_IUNOP(I32x4Neg, uint32_t, simd::wrap_sub<uint32_t>(0, x))
WARDEN_SIMD_IVEC(I32x4Add, uint32_t, +)
WARDEN_SIMD_IVEC(I32x4Sub, uint32_t, -)
WARDEN_SIMD_SHIFT(I32x4Shl, uint32_t, static_cast<uint64_t>(x) << k)
WARDEN_SIMD_SHIFT(I32x4ShrS, int32_t, x >> k)
WARDEN_SIMD_SHIFT(I32x4ShrU, uint32_t, x >> k)
// i64x2: abs, neg, add, sub and shifts exist for every integer shape.
WARDEN_SIMD_IUNOP(I64x2Abs, int64_t, simd::iabs(x))
WARDEN_SIMD_IUNOP(I64x2Neg, uint64_t, simd::wrap_sub<uint64_t>(0, x))
WARDEN_SIMD_IVEC(I64x2Add, uint64_t, +)
WARDEN_SIMD_IVEC(I64x2Sub, uint64_t, -)
WARDEN_SIMD_SHIFT(I64x2Shl, uint64_t, static_cast<uint64_t>(x) << k)
WARDEN_SIMD_SHIFT(I64x2ShrS, int64_t, x >> k)
WARDEN_SIMD_SHIFT(I64x2ShrU, uint64_t, x >> k)
// i8x16: saturating add/sub, avgr, min/max.
WARDEN_SIMD_IBINOP(I8x16AddSatS, int8_t, simd::sat_add(x, y))
WARDEN_SIMD_IBINOP(I8x16AddSatU, uint8_t, simd::sat_add(x, y))
WARDEN_SIMD_IBINOP(I8x16SubSatS, int8_t, simd::sat_sub(x, y))
WARDEN_SIMD_IBINOP(I8x16SubSatU, uint8_t, simd::sat_sub(x, y))
WARDEN_SIMD_IBINOP(I8x16AvgrU, uint8_t, simd::avgr(x, y))
// i16x8: saturating add/sub, avgr, min/max.
WARDEN_SIMD_IBINOP(I16x8AddSatS, int16_t, simd::sat_add(x, y))
WARDEN_SIMD_IBINOP(I16x8AddSatU, uint16_t, simd::sat_add(x, y))
WARDEN_SIMD_IBINOP(I16x8SubSatS, int16_t, simd::sat_sub(x, y))
WARDEN_SIMD_IBINOP(I16x8SubSatU, uint16_t, simd::sat_sub(x, y))
WARDEN_SIMD_IBINOP(I16x8AvgrU, uint16_t, simd::avgr(x, y))
WARDEN_SIMD_IBINOP(I8x16MinS, int8_t, x < y ? x : y)
WARDEN_SIMD_IBINOP(I8x16MinU, uint8_t, x < y ? x : y)
WARDEN_SIMD_IBINOP(I8x16MaxS, int8_t, x > y ? x : y)
WARDEN_SIMD_IBINOP(I8x16MaxU, uint8_t, x > y ? x : y)
WARDEN_SIMD_IBINOP(I16x8MinS, int16_t, x < y ? x : y)
WARDEN_SIMD_IBINOP(I16x8MinU, uint16_t, x < y ? x : y)
WARDEN_SIMD_IBINOP(I16x8MaxS, int16_t, x > y ? x : y)
WARDEN_SIMD_IBINOP(I16x8MaxU, uint16_t, x > y ? x : y)
// i32x4: min/max.
WARDEN_SIMD_IBINOP(I32x4MinS, int32_t, x < y ? x : y)
WARDEN_SIMD_IBINOP(I32x4MinU, uint32_t, x < y ? x : y)
WARDEN_SIMD_IBINOP(I32x4MaxS, int32_t, x > y ? x : y)
WARDEN_SIMD_IBINOP(I32x4MaxU, uint32_t, x > y ? x : y)
WARDEN_SIMD_IBINOP(I16x8Mul, uint16_t, simd::wrap_mul(x, y))
WARDEN_SIMD_IBINOP(I32x4Mul, uint32_t, simd::wrap_mul(x, y))
WARDEN_SIMD_IBINOP(I64x2Mul, uint64_t, simd::wrap_mul(x, y))
WARDEN_SIMD_IUNOP(I8x16Popcnt, uint8_t, static_cast<uint8_t>(std::popcount(x)))

/// (x * y + 2^14) >> 15, saturated: only -32768 * -32768 overflows.
WARDEN_SIMD_IBINOP(I16x8Q15mulrSatS, int16_t, simd::saturate<int16_t>((int32_t{x} * int32_t{y} + 0x4000) >> 15))

#undef WARDEN_SIMD_SHIFT

inline uint32_t I8x16AllTrue(V128 a) noexcept { return simd::all_true<uint8_t>(a); }
inline uint32_t I16x8AllTrue(V128 a) noexcept { return simd::all_true<uint16_t>(a); }
inline uint32_t I32x4AllTrue(V128 a) noexcept { return simd::all_true<uint32_t>(a); }
inline uint32_t I64x2AllTrue(V128 a) noexcept { return simd::all_true<uint64_t>(a); }
inline uint32_t I8x16Bitmask(V128 a) noexcept { return simd::bitmask<int8_t>(a); }
inline uint32_t I16x8Bitmask(V128 a) noexcept { return simd::bitmask<int16_t>(a); }
inline uint32_t I32x4Bitmask(V128 a) noexcept { return simd::bitmask<int32_t>(a); }
inline uint32_t I64x2Bitmask(V128 a) noexcept { return simd::bitmask<int64_t>(a); }

// Narrowing reads both inputs as signed (spec 4.3.5 narrow).
inline V128 I8x16NarrowI16x8S(V128 a, V128 b) noexcept { return simd::narrow<int16_t, int8_t>(a, b); }
inline V128 I8x16NarrowI16x8U(V128 a, V128 b) noexcept { return simd::narrow<int16_t, uint8_t>(a, b); }
inline V128 I16x8NarrowI32x4S(V128 a, V128 b) noexcept { return simd::narrow<int32_t, int16_t>(a, b); }
inline V128 I16x8NarrowI32x4U(V128 a, V128 b) noexcept { return simd::narrow<int32_t, uint16_t>(a, b); }

inline V128 I16x8ExtendLowI8x16S(V128 a) noexcept { return simd::extend<int8_t, int16_t>(a, false); }
inline V128 I16x8ExtendHighI8x16S(V128 a) noexcept { return simd::extend<int8_t, int16_t>(a, true); }
inline V128 I16x8ExtendLowI8x16U(V128 a) noexcept { return simd::extend<uint8_t, uint16_t>(a, false); }
inline V128 I16x8ExtendHighI8x16U(V128 a) noexcept { return simd::extend<uint8_t, uint16_t>(a, true); }
inline V128 I32x4ExtendLowI16x8S(V128 a) noexcept { return simd::extend<int16_t, int32_t>(a, false); }
inline V128 I32x4ExtendHighI16x8S(V128 a) noexcept { return simd::extend<int16_t, int32_t>(a, true); }
inline V128 I32x4ExtendLowI16x8U(V128 a) noexcept { return simd::extend<uint16_t, uint32_t>(a, false); }
inline V128 I32x4ExtendHighI16x8U(V128 a) noexcept { return simd::extend<uint16_t, uint32_t>(a, true); }
inline V128 I64x2ExtendLowI32x4S(V128 a) noexcept { return simd::extend<int32_t, int64_t>(a, false); }
inline V128 I64x2ExtendHighI32x4S(V128 a) noexcept { return simd::extend<int32_t, int64_t>(a, true); }
inline V128 I64x2ExtendLowI32x4U(V128 a) noexcept { return simd::extend<uint32_t, uint64_t>(a, false); }
inline V128 I64x2ExtendHighI32x4U(V128 a) noexcept { return simd::extend<uint32_t, uint64_t>(a, true); }

inline V128 I16x8ExtmulLowI8x16S(V128 a, V128 b) noexcept { return simd::extmul<int8_t, int16_t>(a, b, false); }
inline V128 I16x8ExtmulHighI8x16S(V128 a, V128 b) noexcept { return simd::extmul<int8_t, int16_t>(a, b, true); }
inline V128 I16x8ExtmulLowI8x16U(V128 a, V128 b) noexcept { return simd::extmul<uint8_t, uint16_t>(a, b, false); }
inline V128 I16x8ExtmulHighI8x16U(V128 a, V128 b) noexcept { return simd::extmul<uint8_t, uint16_t>(a, b, true); }
inline V128 I32x4ExtmulLowI16x8S(V128 a, V128 b) noexcept { return simd::extmul<int16_t, int32_t>(a, b, false); }
inline V128 I32x4ExtmulHighI16x8S(V128 a, V128 b) noexcept { return simd::extmul<int16_t, int32_t>(a, b, true); }
inline V128 I32x4ExtmulLowI16x8U(V128 a, V128 b) noexcept { return simd::extmul<uint16_t, uint32_t>(a, b, false); }
inline V128 I32x4ExtmulHighI16x8U(V128 a, V128 b) noexcept { return simd::extmul<uint16_t, uint32_t>(a, b, true); }
inline V128 I64x2ExtmulLowI32x4S(V128 a, V128 b) noexcept { return simd::extmul<int32_t, int64_t>(a, b, false); }
inline V128 I64x2ExtmulHighI32x4S(V128 a, V128 b) noexcept { return simd::extmul<int32_t, int64_t>(a, b, true); }
inline V128 I64x2ExtmulLowI32x4U(V128 a, V128 b) noexcept { return simd::extmul<uint32_t, uint64_t>(a, b, false); }
inline V128 I64x2ExtmulHighI32x4U(V128 a, V128 b) noexcept { return simd::extmul<uint32_t, uint64_t>(a, b, true); }

inline V128 I16x8ExtaddPairwiseI8x16S(V128 a) noexcept { return simd::extadd_pairwise<int8_t, int16_t>(a); }
inline V128 I16x8ExtaddPairwiseI8x16U(V128 a) noexcept { return simd::extadd_pairwise<uint8_t, uint16_t>(a); }
inline V128 I32x4ExtaddPairwiseI16x8S(V128 a) noexcept { return simd::extadd_pairwise<int16_t, int32_t>(a); }
inline V128 I32x4ExtaddPairwiseI16x8U(V128 a) noexcept { return simd::extadd_pairwise<uint16_t, uint32_t>(a); }

/// Sum of adjacent signed 16x16->32 products; wraps: 2 * (-32768)^2 = 2^31.
inline V128 I32x4DotI16x8S(V128 a, V128 b) noexcept {
  simd::Lanes<int16_t> x = simd::split<int16_t>(a), y = simd::split<int16_t>(b);
  simd::Lanes<uint32_t> r;
  for (size_t i = 0; i < r.size(); ++i) {
    uint32_t p0 = static_cast<uint32_t>(int32_t{x[2 * i]} * int32_t{y[2 * i]});
    uint32_t p1 = static_cast<uint32_t>(int32_t{x[2 * i + 1]} * int32_t{y[2 * i + 1]});
    r[i] = p0 + p1;
  }
  return simd::join<uint32_t>(r);
}

// --------------------------------------------------- float lane arithmetic ----

#define WARDEN_SIMD_FUNOP(Name, F, scalar)                 \
  WARDEN_SIMD_OP V128 Name(V128 a) noexcept {              \
    return simd::map<F>(a, [](F x) { return scalar(x); }); \
  }
#define WARDEN_SIMD_FBINOP(Name, F, scalar)                           \
  WARDEN_SIMD_OP V128 Name(V128 a, V128 b) noexcept {                 \
    return simd::zip<F>(a, b, [](F x, F y) { return scalar(x, y); }); \
  }
#define WARDEN_SIMD_FLOAT(Shape, Scalar, F)             \
  WARDEN_SIMD_FUNOP(Shape##Abs, F, Scalar##Abs)         \
  WARDEN_SIMD_FUNOP(Shape##Neg, F, Scalar##Neg)         \
  WARDEN_SIMD_FUNOP(Shape##Sqrt, F, Scalar##Sqrt)       \
  WARDEN_SIMD_FUNOP(Shape##Ceil, F, Scalar##Ceil)       \
  WARDEN_SIMD_FUNOP(Shape##Floor, F, Scalar##Floor)     \
  WARDEN_SIMD_FUNOP(Shape##Trunc, F, Scalar##Trunc)     \
  WARDEN_SIMD_FUNOP(Shape##Nearest, F, Scalar##Nearest) \
  WARDEN_SIMD_FVEC(Shape##Add, F, +)                    \
  WARDEN_SIMD_FVEC(Shape##Sub, F, -)                    \
  WARDEN_SIMD_FVEC(Shape##Mul, F, *)                    \
  WARDEN_SIMD_FVEC(Shape##Div, F, /)                    \
  WARDEN_SIMD_FBINOP(Shape##Min, F, Scalar##Min)        \
  WARDEN_SIMD_FBINOP(Shape##Max, F, Scalar##Max)        \
  WARDEN_SIMD_FBINOP(Shape##Pmin, F, simd::pmin)        \
  WARDEN_SIMD_FBINOP(Shape##Pmax, F, simd::pmax)

WARDEN_SIMD_FLOAT(F32x4, F32, float)
WARDEN_SIMD_FLOAT(F64x2, F64, double)

#undef WARDEN_SIMD_FLOAT
#undef WARDEN_SIMD_FBINOP
#undef WARDEN_SIMD_FVEC
#undef WARDEN_SIMD_FUNOP
#undef WARDEN_SIMD_IBINOP
#undef WARDEN_SIMD_IVEC
#undef WARDEN_SIMD_IUNOP

// -------------------------------------------------------- conversions ----

inline V128 I32x4TruncSatF32x4S(V128 a) noexcept { return simd::map<float, uint32_t>(a, I32TruncSatF32S); }
inline V128 I32x4TruncSatF32x4U(V128 a) noexcept { return simd::map<float, uint32_t>(a, I32TruncSatF32U); }
inline V128 F32x4ConvertI32x4S(V128 a) noexcept { return simd::map<uint32_t, float>(a, F32ConvertI32S); }
inline V128 F32x4ConvertI32x4U(V128 a) noexcept { return simd::map<uint32_t, float>(a, F32ConvertI32U); }

/// The two f64 lanes to i32 lanes 0 and 1; lanes 2 and 3 are zero.
inline V128 I32x4TruncSatF64x2SZero(V128 a) noexcept {
  simd::Lanes<double> x = simd::split<double>(a);
  return simd::join<uint32_t>({I32TruncSatF64S(x[0]), I32TruncSatF64S(x[1]), 0, 0});
}
inline V128 I32x4TruncSatF64x2UZero(V128 a) noexcept {
  simd::Lanes<double> x = simd::split<double>(a);
  return simd::join<uint32_t>({I32TruncSatF64U(x[0]), I32TruncSatF64U(x[1]), 0, 0});
}
inline V128 F64x2ConvertLowI32x4S(V128 a) noexcept {
  simd::Lanes<uint32_t> x = simd::split<uint32_t>(a);
  return simd::join<double>({F64ConvertI32S(x[0]), F64ConvertI32S(x[1])});
}
inline V128 F64x2ConvertLowI32x4U(V128 a) noexcept {
  simd::Lanes<uint32_t> x = simd::split<uint32_t>(a);
  return simd::join<double>({F64ConvertI32U(x[0]), F64ConvertI32U(x[1])});
}
inline V128 F32x4DemoteF64x2Zero(V128 a) noexcept {
  simd::Lanes<double> x = simd::split<double>(a);
  return simd::join<float>({F32DemoteF64(x[0]), F32DemoteF64(x[1]), 0.0f, 0.0f});
}
inline V128 F64x2PromoteLowF32x4(V128 a) noexcept {
  simd::Lanes<float> x = simd::split<float>(a);
  return simd::join<double>({F64PromoteF32(x[0]), F64PromoteF32(x[1])});
}

}  // namespace warden::num
