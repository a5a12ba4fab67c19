// Unit tests for engine/src/execute/numeric.hpp and simd.hpp: the signature
// contract with the opcode table, then every operator family at its edges
// (spec 4.3). Float results are compared by bits wherever the sign of zero or
// a NaN payload matters.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "execute/numeric.hpp"
#include "warden/opcode.hpp"

namespace warden {
namespace {

// ------------------------------------------------- contract with the table ----
// Every Num/Trap row, every Lane row and i8x16.shuffle must have a function in
// warden::num with exactly the signature the interpreter will generate from
// the row. A missing or mistyped function fails to compile here.

template <Ty t>
struct CType;
template <>
struct CType<Ty::I32> {
  using T = uint32_t;
};
template <>
struct CType<Ty::I64> {
  using T = uint64_t;
};
template <>
struct CType<Ty::F32> {
  using T = float;
};
template <>
struct CType<Ty::F64> {
  using T = double;
};
template <>
struct CType<Ty::V128> {
  using T = V128;
};
template <Ty t>
using C = typename CType<t>::T;

template <Ty p1, Ty p2, Ty p3, Ty r>
struct NumSig {
  using T = C<r> (*)(C<p1>, C<p2>, C<p3>) noexcept;
};
template <Ty p1, Ty p2, Ty r>
struct NumSig<p1, p2, Ty::_, r> {
  using T = C<r> (*)(C<p1>, C<p2>) noexcept;
};
template <Ty p1, Ty r>
struct NumSig<p1, Ty::_, Ty::_, r> {
  using T = C<r> (*)(C<p1>) noexcept;
};

template <Ty p1, Ty p2, Ty r>
struct TrapSig {
  using T = const char* (*)(C<p1>, C<p2>, C<r>*) noexcept;
};
template <Ty p1, Ty r>
struct TrapSig<p1, Ty::_, r> {
  using T = const char* (*)(C<p1>, C<r>*) noexcept;
};

template <Ty p1, Ty p2, Ty r>
struct LaneSig {
  using T = C<r> (*)(C<p1>, C<p2>, uint32_t) noexcept;
};
template <Ty p1, Ty r>
struct LaneSig<p1, Ty::_, r> {
  using T = C<r> (*)(C<p1>, uint32_t) noexcept;
};

#define CHECK_ROW_Num(name, imm, p1, p2, p3, r) \
  static_assert(std::is_same_v<decltype(&num::name), NumSig<Ty::p1, Ty::p2, Ty::p3, Ty::r>::T>, #name);
#define CHECK_ROW_Trap(name, imm, p1, p2, p3, r) \
  static_assert(std::is_same_v<decltype(&num::name), TrapSig<Ty::p1, Ty::p2, Ty::r>::T>, #name);
#define CHECK_ROW_Other(name, imm, p1, p2, p3, r) CHECK_OTHER_##imm(name, p1, p2, r)
#define CHECK_OTHER_Lane(name, p1, p2, r) \
  static_assert(std::is_same_v<decltype(&num::name), LaneSig<Ty::p1, Ty::p2, Ty::r>::T>, #name);
#define CHECK_OTHER_Shuffle(name, p1, p2, r) \
  static_assert(std::is_same_v<decltype(&num::name), V128 (*)(V128, V128, V128) noexcept>, #name);
#define CHECK_ROW_Ctrl(...)
#define CHECK_ROW_Load(...)
#define CHECK_ROW_Store(...)
#define CHECK_OTHER_None(...)
#define CHECK_OTHER_HeapType(...)
#define CHECK_OTHER_Func(...)
#define CHECK_OTHER_SelectT(...)
#define CHECK_OTHER_Local(...)
#define CHECK_OTHER_Global(...)
#define CHECK_OTHER_Table(...)
#define CHECK_OTHER_ElemTable(...)
#define CHECK_OTHER_Elem(...)
#define CHECK_OTHER_TableTable(...)
#define CHECK_OTHER_Zero(...)
#define CHECK_OTHER_Zero2(...)
#define CHECK_OTHER_DataZero(...)
#define CHECK_OTHER_Data(...)
#define CHECK_OTHER_I32(...)
#define CHECK_OTHER_I64(...)
#define CHECK_OTHER_F32(...)
#define CHECK_OTHER_F64(...)
#define CHECK_OTHER_V128(...)
#define WARDEN_OP(name, prefix, code, text, imm, cls, p1, p2, p3, r, arg, nan, comm) \
  CHECK_ROW_##cls(name, imm, p1, p2, p3, r)
#include "warden/opcodes.def"
#undef WARDEN_OP

TEST(NumericContract, TableHasAllSimdRows) {
  int simd = 0;
  for (const OpInfo& o : kOpInfo) simd += o.prefix == 0xFD;
  EXPECT_EQ(simd, 236);
  EXPECT_EQ(kOpCount, 437);
}

// The Comm column (opcodes.def): the compiler lets a commutative operator
// take its operands in the other order (swap_fuse), so every such row must
// be a two-operand operator of one type whose function gives the same bits
// either way. With two NaN operands the spec lets either payload through
// (4.3.3), so only the pairs where at most one is a NaN are compared.
template <class T>
std::vector<T> swap_samples() {
  if constexpr (std::is_same_v<T, V128>) {  // NaN lanes in one sample only
    return {V128{0, 0}, V128{0x3F800000BF800000ull, 0x8000000000000000ull},
            V128{0x0123456789ABCDEFull, 0x0FEDCBA987654321ull}, V128{0x8000000080000000ull, 0x4000000000000000ull},
            V128{0x7FC000007F800000ull, 0x7FF8000000000001ull}};
  } else if constexpr (std::is_floating_point_v<T>) {
    using L = std::numeric_limits<T>;
    return {T(0), -T(0), T(1.5), T(-2.25), L::infinity(), -L::infinity(), L::denorm_min(), L::max(), L::quiet_NaN()};
  } else {
    const T top = static_cast<T>(~(~T(0) >> 1));
    return {T(0), T(1), T(2), static_cast<T>(~top), top, static_cast<T>(~T(0)), static_cast<T>(0x9E3779B97F4A7C15ull)};
  }
}
template <class T>
bool is_nan(T x) {
  if constexpr (std::is_floating_point_v<T>) return x != x;
  return false;
}
template <class T>
auto bits(T x) {
  if constexpr (std::is_same_v<T, float>)
    return std::bit_cast<uint32_t>(x);
  else if constexpr (std::is_same_v<T, double>)
    return std::bit_cast<uint64_t>(x);
  else
    return x;
}
template <class R, class A>
int check_swap(R (*f)(A, A) noexcept, const char* name) {
  for (A a : swap_samples<A>()) {
    for (A b : swap_samples<A>()) {
      if (is_nan(a) && is_nan(b)) continue;
      EXPECT_EQ(bits(f(a, b)), bits(f(b, a))) << name;
    }
  }
  return 1;
}

TEST(NumericContract, CommutativeRowsGiveTheSameResultEitherWay) {
  int rows = 0;
#define SWAP_0(name)
#define SWAP_1(name)                                                                 rows += check_swap(&num::name, #name);
#define WARDEN_OP(name, prefix, code, text, imm, cls, p1, p2, p3, r, arg, nan, comm) SWAP_##comm(name)
#include "warden/opcodes.def"
#undef WARDEN_OP
#undef SWAP_1
#undef SWAP_0
  EXPECT_EQ(rows, 48);
  for (const OpInfo& o : kOpInfo) {
    if (!o.commutative) continue;
    EXPECT_EQ(o.cls, OpClass::Num) << o.name;
    EXPECT_EQ(o.imm, Imm::None) << o.name;
    EXPECT_TRUE(o.p1 == o.p2 && o.p1 != Ty::_ && o.p3 == Ty::_) << o.name;
  }
  for (Op op : {Op::I32Sub, Op::I64ShrU, Op::I32LtS, Op::F64Div, Op::F32Min, Op::I8x16Sub, Op::V128Andnot}) {
    EXPECT_FALSE(info(op).commutative) << name(op);
  }
}

// ------------------------------------------------------------- helpers ----

uint32_t fb(float x) { return std::bit_cast<uint32_t>(x); }
uint64_t db(double x) { return std::bit_cast<uint64_t>(x); }
float f32(uint32_t b) { return std::bit_cast<float>(b); }
double f64(uint64_t b) { return std::bit_cast<double>(b); }
constexpr uint32_t kF32Canon = 0x7FC00000u;
constexpr uint64_t kF64Canon = 0x7FF8000000000000ull;
bool is_quiet_nan32(uint32_t b) { return (b & 0x7FC00000u) == 0x7FC00000u; }
bool is_quiet_nan64(uint64_t b) { return (b & 0x7FF8000000000000ull) == 0x7FF8000000000000ull; }

template <class T>
V128 vec(std::initializer_list<T> lanes) {
  num::simd::Lanes<T> a{};
  EXPECT_EQ(lanes.size(), a.size());
  size_t i = 0;
  for (T x : lanes) a[i++] = x;
  return num::simd::join<T>(a);
}
template <class T>
num::simd::Lanes<T> lanes(V128 v) {
  return num::simd::split<T>(v);
}
template <class T>
V128 splat(T x) {
  return num::simd::all_lanes<T>(x);
}

template <class T>
void expect_lanes(V128 v, std::type_identity_t<std::initializer_list<T>> want) {
  auto got = lanes<T>(v);
  ASSERT_EQ(want.size(), got.size());
  size_t i = 0;
  for (T w : want) {
    EXPECT_EQ(got[i], w) << "lane " << i;
    ++i;
  }
}

// Runs a trapping conversion: (message or "", value).
template <class R, class A>
std::pair<std::string, R> run(const char* (*f)(A, R*) noexcept, A a) {
  R out{};
  const char* m = f(a, &out);
  return {m ? m : "", out};
}

// --------------------------------------------------------------- integer ----

TEST(NumericInt, DivisionTraps) {
  uint32_t out = 7;
  EXPECT_STREQ(num::I32DivS(0x80000000u, 0xFFFFFFFFu, &out), "integer overflow");
  EXPECT_EQ(out, 7u);  // untouched on trap
  EXPECT_STREQ(num::I32DivS(1, 0, &out), "integer divide by zero");
  EXPECT_STREQ(num::I32DivS(0x80000000u, 0, &out), "integer divide by zero");
  EXPECT_STREQ(num::I32DivU(1, 0, &out), "integer divide by zero");
  EXPECT_STREQ(num::I32RemS(1, 0, &out), "integer divide by zero");
  EXPECT_STREQ(num::I32RemU(1, 0, &out), "integer divide by zero");
  uint64_t out64 = 0;
  EXPECT_STREQ(num::I64DivS(0x8000000000000000ull, ~0ull, &out64), "integer overflow");
  EXPECT_STREQ(num::I64DivS(5, 0, &out64), "integer divide by zero");
  EXPECT_STREQ(num::I64DivU(5, 0, &out64), "integer divide by zero");
  EXPECT_STREQ(num::I64RemS(5, 0, &out64), "integer divide by zero");
  EXPECT_STREQ(num::I64RemU(5, 0, &out64), "integer divide by zero");
}

TEST(NumericInt, DivisionValues) {
  uint32_t out = 0;
  ASSERT_EQ(num::I32RemS(0x80000000u, 0xFFFFFFFFu, &out), nullptr);
  EXPECT_EQ(out, 0u);
  ASSERT_EQ(num::I32DivS(static_cast<uint32_t>(-7), 2, &out), nullptr);
  EXPECT_EQ(out, static_cast<uint32_t>(-3));  // truncates toward zero
  ASSERT_EQ(num::I32RemS(static_cast<uint32_t>(-7), 2, &out), nullptr);
  EXPECT_EQ(out, static_cast<uint32_t>(-1));  // sign of the dividend
  ASSERT_EQ(num::I32DivU(0xFFFFFFFFu, 2, &out), nullptr);
  EXPECT_EQ(out, 0x7FFFFFFFu);
  ASSERT_EQ(num::I32RemU(0xFFFFFFFFu, 10, &out), nullptr);
  EXPECT_EQ(out, 5u);
  ASSERT_EQ(num::I32DivS(0x80000000u, 2, &out), nullptr);
  EXPECT_EQ(out, 0xC0000000u);
  uint64_t out64 = 0;
  ASSERT_EQ(num::I64RemS(0x8000000000000000ull, ~0ull, &out64), nullptr);
  EXPECT_EQ(out64, 0u);
  ASSERT_EQ(num::I64DivS(static_cast<uint64_t>(-7), 2, &out64), nullptr);
  EXPECT_EQ(out64, static_cast<uint64_t>(-3));
  ASSERT_EQ(num::I64DivU(~0ull, 2, &out64), nullptr);
  EXPECT_EQ(out64, 0x7FFFFFFFFFFFFFFFull);
}

TEST(NumericInt, WrappingArithmetic) {
  EXPECT_EQ(num::I32Add(0x7FFFFFFFu, 1), 0x80000000u);
  EXPECT_EQ(num::I32Sub(0, 1), 0xFFFFFFFFu);
  EXPECT_EQ(num::I32Mul(0x10000u, 0x10000u), 0u);
  EXPECT_EQ(num::I32Mul(0x80000000u, 0xFFFFFFFFu), 0x80000000u);
  EXPECT_EQ(num::I64Mul(0x100000000ull, 0x100000000ull), 0u);
  EXPECT_EQ(num::I64Add(~0ull, 2), 1u);
}

TEST(NumericInt, ShiftsAreMasked) {
  EXPECT_EQ(num::I32Shl(1, 32), 1u);
  EXPECT_EQ(num::I32Shl(1, 33), 2u);
  EXPECT_EQ(num::I32Shl(1, 0xFFFFFFFFu), 0x80000000u);
  EXPECT_EQ(num::I32ShrS(0x80000000u, 31), 0xFFFFFFFFu);
  EXPECT_EQ(num::I32ShrS(0x80000000u, 32), 0x80000000u);
  EXPECT_EQ(num::I32ShrU(0x80000000u, 63), 1u);
  EXPECT_EQ(num::I64Shl(1, 64), 1u);
  EXPECT_EQ(num::I64Shl(1, 127), 0x8000000000000000ull);
  EXPECT_EQ(num::I64ShrS(0x8000000000000000ull, 63), ~0ull);
  EXPECT_EQ(num::I64ShrU(0x8000000000000000ull, 0xFFFFFFFFFFFFFFFFull), 1u);
}

TEST(NumericInt, Rotates) {
  EXPECT_EQ(num::I32Rotl(0x80000001u, 1), 3u);
  EXPECT_EQ(num::I32Rotr(1, 1), 0x80000000u);
  EXPECT_EQ(num::I32Rotl(0x12345678u, 32), 0x12345678u);
  EXPECT_EQ(num::I32Rotl(0x12345678u, 36), 0x23456781u);
  EXPECT_EQ(num::I32Rotr(0x12345678u, 0xFFFFFFFCu), 0x23456781u);  // 28 right = 4 left
  EXPECT_EQ(num::I64Rotl(0x8000000000000001ull, 65), 3u);
  EXPECT_EQ(num::I64Rotr(1, 1), 0x8000000000000000ull);
}

TEST(NumericInt, BitCounts) {
  EXPECT_EQ(num::I32Clz(0), 32u);
  EXPECT_EQ(num::I32Ctz(0), 32u);
  EXPECT_EQ(num::I64Clz(0), 64u);
  EXPECT_EQ(num::I64Ctz(0), 64u);
  EXPECT_EQ(num::I32Clz(1), 31u);
  EXPECT_EQ(num::I32Ctz(0x80000000u), 31u);
  EXPECT_EQ(num::I32Popcnt(0xFFFFFFFFu), 32u);
  EXPECT_EQ(num::I64Popcnt(0x8000000000000001ull), 2u);
}

TEST(NumericInt, ComparisonsAndExtension) {
  EXPECT_EQ(num::I32LtS(0x80000000u, 1), 1u);
  EXPECT_EQ(num::I32LtU(0x80000000u, 1), 0u);
  EXPECT_EQ(num::I64GeS(~0ull, 0), 0u);
  EXPECT_EQ(num::I64GeU(~0ull, 0), 1u);
  EXPECT_EQ(num::I32Eqz(0), 1u);
  EXPECT_EQ(num::I64Eqz(1), 0u);
  EXPECT_EQ(num::I32Extend8S(0x80), 0xFFFFFF80u);
  EXPECT_EQ(num::I32Extend8S(0x1237F), 0x7Fu);
  EXPECT_EQ(num::I32Extend16S(0x8000), 0xFFFF8000u);
  EXPECT_EQ(num::I64Extend8S(0xFF), ~0ull);
  EXPECT_EQ(num::I64Extend32S(0x80000000ull), 0xFFFFFFFF80000000ull);
  EXPECT_EQ(num::I64ExtendI32S(0x80000000u), 0xFFFFFFFF80000000ull);
  EXPECT_EQ(num::I64ExtendI32U(0x80000000u), 0x80000000ull);
  EXPECT_EQ(num::I32WrapI64(0x123456789ull), 0x23456789u);
}

// ----------------------------------------------------------------- float ----

TEST(NumericFloat, NearestRoundsHalfToEven) {
  EXPECT_EQ(fb(num::F32Nearest(0.5f)), fb(0.0f));
  EXPECT_EQ(fb(num::F32Nearest(-0.5f)), fb(-0.0f));
  EXPECT_EQ(num::F32Nearest(1.5f), 2.0f);
  EXPECT_EQ(num::F32Nearest(2.5f), 2.0f);
  EXPECT_EQ(num::F32Nearest(-2.5f), -2.0f);
  EXPECT_EQ(num::F32Nearest(3.5f), 4.0f);
  EXPECT_EQ(num::F32Nearest(2.5000002f), 3.0f);
  EXPECT_EQ(fb(num::F32Nearest(0.49999997f)), fb(0.0f));
  EXPECT_EQ(fb(num::F32Nearest(-0.4f)), fb(-0.0f));
  EXPECT_EQ(num::F32Nearest(8388609.0f), 8388609.0f);  // 2^23 + 1: already integral
  EXPECT_EQ(num::F32Nearest(8388607.5f), 8388608.0f);
  EXPECT_EQ(num::F32Nearest(std::numeric_limits<float>::infinity()), std::numeric_limits<float>::infinity());
  EXPECT_EQ(num::F64Nearest(0.5), 0.0);
  EXPECT_EQ(db(num::F64Nearest(-0.5)), db(-0.0));
  EXPECT_EQ(num::F64Nearest(2.5), 2.0);
  EXPECT_EQ(num::F64Nearest(-1.5), -2.0);
  EXPECT_EQ(num::F64Nearest(4503599627370497.0), 4503599627370497.0);  // 2^52 + 1
  EXPECT_EQ(num::F64Nearest(4503599627370495.5), 4503599627370496.0);
}

TEST(NumericFloat, RoundingKeepsSignAndQuietsNaN) {
  EXPECT_EQ(fb(num::F32Ceil(-0.5f)), fb(-0.0f));
  EXPECT_EQ(fb(num::F32Floor(0.5f)), fb(0.0f));
  EXPECT_EQ(num::F32Floor(-0.5f), -1.0f);
  EXPECT_EQ(fb(num::F32Trunc(-0.9f)), fb(-0.0f));
  EXPECT_EQ(db(num::F64Ceil(-0.5)), db(-0.0));
  // A signalling NaN comes back quiet (an arithmetic NaN, spec 4.3.3).
  for (auto f : {num::F32Ceil, num::F32Floor, num::F32Trunc, num::F32Nearest, num::F32Sqrt}) {
    EXPECT_TRUE(is_quiet_nan32(fb(f(f32(0x7FA00000u)))));
    EXPECT_EQ(fb(f(f32(kF32Canon))), kF32Canon);
  }
  for (auto f : {num::F64Ceil, num::F64Floor, num::F64Trunc, num::F64Nearest, num::F64Sqrt}) {
    EXPECT_TRUE(is_quiet_nan64(db(f(f64(0x7FF4000000000000ull)))));
  }
  EXPECT_TRUE(std::isnan(num::F32Sqrt(-1.0f)));
  EXPECT_EQ(fb(num::F32Sqrt(-0.0f)), fb(-0.0f));
}

TEST(NumericFloat, MinMax) {
  float nan = f32(kF32Canon);
  EXPECT_EQ(fb(num::F32Min(nan, 1.0f)), kF32Canon);
  EXPECT_EQ(fb(num::F32Min(1.0f, nan)), kF32Canon);
  EXPECT_EQ(fb(num::F32Max(nan, 1.0f)), kF32Canon);
  EXPECT_TRUE(is_quiet_nan32(fb(num::F32Max(1.0f, f32(0x7F800001u)))));
  EXPECT_EQ(fb(num::F32Min(0.0f, -0.0f)), fb(-0.0f));
  EXPECT_EQ(fb(num::F32Min(-0.0f, 0.0f)), fb(-0.0f));
  EXPECT_EQ(fb(num::F32Max(0.0f, -0.0f)), fb(0.0f));
  EXPECT_EQ(fb(num::F32Max(-0.0f, 0.0f)), fb(0.0f));
  EXPECT_EQ(num::F32Min(-1.0f, 2.0f), -1.0f);
  EXPECT_EQ(num::F32Max(-1.0f, 2.0f), 2.0f);
  EXPECT_EQ(db(num::F64Min(0.0, -0.0)), db(-0.0));
  EXPECT_EQ(db(num::F64Max(-0.0, 0.0)), db(0.0));
  EXPECT_EQ(db(num::F64Max(f64(kF64Canon), -std::numeric_limits<double>::infinity())), kF64Canon);
  EXPECT_EQ(num::F64Min(-std::numeric_limits<double>::infinity(), 5.0), -std::numeric_limits<double>::infinity());
}

TEST(NumericFloat, SignOperationsKeepNaNPayload) {
  EXPECT_EQ(fb(num::F32Neg(f32(0x7FA00001u))), 0xFFA00001u);  // signalling stays signalling
  EXPECT_EQ(fb(num::F32Abs(f32(0xFFA00001u))), 0x7FA00001u);
  EXPECT_EQ(fb(num::F32Copysign(f32(0x7FA00001u), -1.0f)), 0xFFA00001u);
  EXPECT_EQ(fb(num::F32Neg(0.0f)), fb(-0.0f));
  EXPECT_EQ(fb(num::F32Copysign(1.0f, -0.0f)), fb(-1.0f));
  EXPECT_EQ(db(num::F64Neg(f64(0x7FF0000000000001ull))), 0xFFF0000000000001ull);
  EXPECT_EQ(db(num::F64Abs(f64(0xFFF0000000000001ull))), 0x7FF0000000000001ull);
  EXPECT_EQ(db(num::F64Copysign(2.0, f64(0xFFF8000000000000ull))), db(-2.0));
}

TEST(NumericFloat, ArithmeticAndComparisons) {
  EXPECT_EQ(num::F32Add(0.1f, 0.2f), 0.1f + 0.2f);
  EXPECT_EQ(num::F32Div(1.0f, 0.0f), std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(num::F32Div(0.0f, 0.0f)));
  EXPECT_TRUE(is_quiet_nan32(fb(num::F32Add(f32(0x7FA00000u), 1.0f))));
  EXPECT_EQ(num::F64Mul(1e308, 10.0), std::numeric_limits<double>::infinity());
  float nan = f32(kF32Canon);
  EXPECT_EQ(num::F32Eq(nan, nan), 0u);
  EXPECT_EQ(num::F32Ne(nan, nan), 1u);
  EXPECT_EQ(num::F32Lt(nan, 1.0f), 0u);
  EXPECT_EQ(num::F32Ge(nan, 1.0f), 0u);
  EXPECT_EQ(num::F32Eq(0.0f, -0.0f), 1u);
  EXPECT_EQ(num::F64Le(-0.0, 0.0), 1u);
  EXPECT_EQ(num::F64Gt(1.0, f64(kF64Canon)), 0u);
}

TEST(NumericConvert, TruncTrapsAtExactBoundaries) {
  auto i32s_f32 = [](float x) { return run<uint32_t, float>(num::I32TruncF32S, x); };
  auto i32u_f32 = [](float x) { return run<uint32_t, float>(num::I32TruncF32U, x); };
  auto i32s_f64 = [](double x) { return run<uint32_t, double>(num::I32TruncF64S, x); };
  auto i32u_f64 = [](double x) { return run<uint32_t, double>(num::I32TruncF64U, x); };
  auto i64s_f32 = [](float x) { return run<uint64_t, float>(num::I64TruncF32S, x); };
  auto i64u_f32 = [](float x) { return run<uint64_t, float>(num::I64TruncF32U, x); };
  auto i64s_f64 = [](double x) { return run<uint64_t, double>(num::I64TruncF64S, x); };
  auto i64u_f64 = [](double x) { return run<uint64_t, double>(num::I64TruncF64U, x); };
  using P32 = std::pair<std::string, uint32_t>;
  using P64 = std::pair<std::string, uint64_t>;
  const std::string ovf = "integer overflow", inv = "invalid conversion to integer";

  EXPECT_EQ(i32s_f32(-2147483648.0f), P32("", 0x80000000u));
  EXPECT_EQ(i32s_f32(2147483648.0f).first, ovf);
  EXPECT_EQ(i32s_f32(2147483520.0f), P32("", 2147483520u));  // largest f32 below 2^31
  EXPECT_EQ(i32s_f32(-2147483904.0f).first, ovf);            // next f32 below -2^31
  EXPECT_EQ(i32s_f32(-1.9f), P32("", static_cast<uint32_t>(-1)));
  EXPECT_EQ(i32s_f32(f32(kF32Canon)).first, inv);
  EXPECT_EQ(i32s_f32(std::numeric_limits<float>::infinity()).first, ovf);
  EXPECT_EQ(i32u_f32(-0.9f), P32("", 0u));
  EXPECT_EQ(i32u_f32(-0.0f), P32("", 0u));
  EXPECT_EQ(i32u_f32(-1.0f).first, ovf);
  EXPECT_EQ(i32u_f32(4294967040.0f), P32("", 4294967040u));
  EXPECT_EQ(i32u_f32(4294967296.0f).first, ovf);
  EXPECT_EQ(i32u_f32(f32(0xFFC00000u)).first, inv);

  EXPECT_EQ(i32s_f64(-2147483648.9), P32("", 0x80000000u));
  EXPECT_EQ(i32s_f64(-2147483649.0).first, ovf);
  EXPECT_EQ(i32s_f64(2147483647.9), P32("", 0x7FFFFFFFu));
  EXPECT_EQ(i32s_f64(2147483648.0).first, ovf);
  EXPECT_EQ(i32u_f64(4294967295.9), P32("", 0xFFFFFFFFu));
  EXPECT_EQ(i32u_f64(4294967296.0).first, ovf);
  EXPECT_EQ(i32u_f64(-0.999999), P32("", 0u));
  EXPECT_EQ(i32u_f64(f64(kF64Canon)).first, inv);

  EXPECT_EQ(i64s_f32(-9223372036854775808.0f), P64("", 0x8000000000000000ull));
  EXPECT_EQ(i64s_f32(9223372036854775808.0f).first, ovf);
  EXPECT_EQ(i64u_f32(18446742974197923840.0f), P64("", 18446742974197923840ull));
  EXPECT_EQ(i64u_f32(18446744073709551616.0f).first, ovf);
  EXPECT_EQ(i64s_f64(-9223372036854775808.0), P64("", 0x8000000000000000ull));
  EXPECT_EQ(i64s_f64(9223372036854774784.0), P64("", 9223372036854774784ull));
  EXPECT_EQ(i64s_f64(9223372036854775808.0).first, ovf);
  EXPECT_EQ(i64u_f64(18446744073709549568.0), P64("", 18446744073709549568ull));
  EXPECT_EQ(i64u_f64(18446744073709551616.0).first, ovf);
  EXPECT_EQ(i64u_f64(-0.5), P64("", 0u));
  EXPECT_EQ(i64u_f64(-std::numeric_limits<double>::infinity()).first, ovf);
  EXPECT_EQ(i64s_f64(f64(0x7FF0000000000001ull)).first, inv);
}

TEST(NumericConvert, TruncSatSaturates) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(num::I32TruncSatF32S(f32(kF32Canon)), 0u);
  EXPECT_EQ(num::I32TruncSatF32S(inf), 0x7FFFFFFFu);
  EXPECT_EQ(num::I32TruncSatF32S(-inf), 0x80000000u);
  EXPECT_EQ(num::I32TruncSatF32S(2147483648.0f), 0x7FFFFFFFu);
  EXPECT_EQ(num::I32TruncSatF32S(-2147483648.0f), 0x80000000u);
  EXPECT_EQ(num::I32TruncSatF32S(-1.5f), static_cast<uint32_t>(-1));
  EXPECT_EQ(num::I32TruncSatF32U(-1.5f), 0u);
  EXPECT_EQ(num::I32TruncSatF32U(1e10f), 0xFFFFFFFFu);
  EXPECT_EQ(num::I32TruncSatF64S(-1e300), 0x80000000u);
  EXPECT_EQ(num::I32TruncSatF64U(4294967295.5), 0xFFFFFFFFu);
  EXPECT_EQ(num::I64TruncSatF32S(f32(0xFFC00000u)), 0u);
  EXPECT_EQ(num::I64TruncSatF32S(9223372036854775808.0f), 0x7FFFFFFFFFFFFFFFull);
  EXPECT_EQ(num::I64TruncSatF32U(-inf), 0u);
  EXPECT_EQ(num::I64TruncSatF64S(-9223372036854777856.0), 0x8000000000000000ull);
  EXPECT_EQ(num::I64TruncSatF64U(1e20), ~0ull);
  EXPECT_EQ(num::I64TruncSatF64U(f64(kF64Canon)), 0u);
}

TEST(NumericConvert, IntToFloatRoundsOnce) {
  // 2^63 + 2^39 + 1: just above the halfway point between two f32 values.
  // Rounding through double first would land on the tie and round down.
  EXPECT_EQ(fb(num::F32ConvertI64U(0x8000008000000001ull)), 0x5F000001u);
  EXPECT_EQ(fb(num::F32ConvertI64U(0x8000008000000000ull)), 0x5F000000u);  // exact tie: even
  EXPECT_EQ(fb(num::F32ConvertI64S(0x0020000020000001ull)), 0x5A000001u);
  EXPECT_EQ(num::F32ConvertI64U(~0ull), 18446744073709551616.0f);
  EXPECT_EQ(num::F32ConvertI64S(0x8000000000000000ull), -9223372036854775808.0f);
  EXPECT_EQ(num::F32ConvertI32S(0x80000000u), -2147483648.0f);
  EXPECT_EQ(num::F32ConvertI32U(0xFFFFFFFFu), 4294967296.0f);
  EXPECT_EQ(num::F32ConvertI32S(16777217), 16777216.0f);  // tie to even
  EXPECT_EQ(num::F32ConvertI32S(16777219), 16777220.0f);
  EXPECT_EQ(num::F64ConvertI64U(~0ull), 18446744073709551616.0);
  EXPECT_EQ(num::F64ConvertI64S(0x8000000000000000ull), -9223372036854775808.0);
  EXPECT_EQ(num::F64ConvertI64U(0x0020000000000001ull), 9007199254740992.0);
  EXPECT_EQ(num::F64ConvertI64U(0x0020000000000003ull), 9007199254740996.0);
  EXPECT_EQ(num::F64ConvertI32U(0xFFFFFFFFu), 4294967295.0);
  EXPECT_EQ(num::F64ConvertI32S(0xFFFFFFFFu), -1.0);
}

TEST(NumericConvert, DemotePromote) {
  EXPECT_EQ(fb(num::F32DemoteF64(f64(kF64Canon))), kF32Canon);
  EXPECT_EQ(fb(num::F32DemoteF64(f64(0xFFF8000000000000ull))), 0xFFC00000u);
  EXPECT_TRUE(is_quiet_nan32(fb(num::F32DemoteF64(f64(0x7FF0000000000001ull)))));
  EXPECT_EQ(num::F32DemoteF64(1e300), std::numeric_limits<float>::infinity());
  EXPECT_EQ(num::F32DemoteF64(-1e300), -std::numeric_limits<float>::infinity());
  EXPECT_EQ(fb(num::F32DemoteF64(-1e-300)), fb(-0.0f));
  EXPECT_EQ(num::F32DemoteF64(0.1), 0.1f);
  EXPECT_EQ(db(num::F64PromoteF32(f32(kF32Canon))), kF64Canon);
  EXPECT_EQ(db(num::F64PromoteF32(f32(0xFFC00000u))), 0xFFF8000000000000ull);
  EXPECT_TRUE(is_quiet_nan64(db(num::F64PromoteF32(f32(0x7F800001u)))));
  EXPECT_EQ(num::F64PromoteF32(0.1f), static_cast<double>(0.1f));
}

TEST(NumericConvert, ReinterpretIsBitExact) {
  EXPECT_EQ(num::I32ReinterpretF32(num::F32ReinterpretI32(0x7FA00001u)), 0x7FA00001u);
  EXPECT_EQ(num::I64ReinterpretF64(num::F64ReinterpretI64(0xFFF0000000000001ull)), 0xFFF0000000000001ull);
  EXPECT_EQ(num::I32ReinterpretF32(-0.0f), 0x80000000u);
}

TEST(NumericCanon, CanonicalNaN) {
  EXPECT_EQ(fb(num::canon(f32(0xFFA00001u))), kF32Canon);
  EXPECT_EQ(fb(num::canon(f32(0x7F800001u))), kF32Canon);
  EXPECT_EQ(fb(num::canon(-0.0f)), fb(-0.0f));
  EXPECT_EQ(fb(num::canon(std::numeric_limits<float>::infinity())), 0x7F800000u);
  EXPECT_EQ(db(num::canon(f64(0xFFF0000000000001ull))), kF64Canon);
  EXPECT_EQ(num::canon(1.5), 1.5);
  V128 v = num::canon_f32x4(vec<uint32_t>({0xFFC00000u, 0x3F800000u, 0x7F800001u, 0x80000000u}));
  expect_lanes<uint32_t>(v, {kF32Canon, 0x3F800000u, kF32Canon, 0x80000000u});
  V128 w = num::canon_f64x2(vec<uint64_t>({0xFFF8000000000001ull, 0x3FF0000000000000ull}));
  expect_lanes<uint64_t>(w, {kF64Canon, 0x3FF0000000000000ull});
}

// ------------------------------------------------------------------ SIMD ----

TEST(NumericSimd, LaneOrderIsLittleEndian) {
  V128 v{0x0706050403020100ull, 0x0F0E0D0C0B0A0908ull};
  for (uint32_t i = 0; i < 16; ++i) EXPECT_EQ(num::I8x16ExtractLaneU(v, i), i);
  EXPECT_EQ(num::I16x8ExtractLaneU(v, 0), 0x0100u);
  EXPECT_EQ(num::I32x4ExtractLane(v, 3), 0x0F0E0D0Cu);
  EXPECT_EQ(num::I64x2ExtractLane(v, 1), 0x0F0E0D0C0B0A0908ull);
  EXPECT_EQ(vec<uint8_t>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}), v);
}

TEST(NumericSimd, SplatExtractReplace) {
  EXPECT_EQ(num::I8x16Splat(0x1FF), splat<uint8_t>(0xFF));
  EXPECT_EQ(num::I16x8Splat(0x12345678u), splat<uint16_t>(0x5678));
  EXPECT_EQ(num::I64x2Splat(0x0102030405060708ull), (V128{0x0102030405060708ull, 0x0102030405060708ull}));
  EXPECT_EQ(num::F32x4Splat(f32(0x7FA00001u)), splat<uint32_t>(0x7FA00001u));  // bits kept
  V128 v = num::I8x16Splat(0x80);
  EXPECT_EQ(num::I8x16ExtractLaneS(v, 5), 0xFFFFFF80u);
  EXPECT_EQ(num::I8x16ExtractLaneU(v, 5), 0x80u);
  V128 h = num::I16x8Splat(0x8001);
  EXPECT_EQ(num::I16x8ExtractLaneS(h, 7), 0xFFFF8001u);
  EXPECT_EQ(num::I16x8ExtractLaneU(h, 7), 0x8001u);
  V128 r = num::I8x16ReplaceLane(V128{}, 0x1AB, 15);
  EXPECT_EQ(r, (V128{0, 0xAB00000000000000ull}));
  EXPECT_EQ(num::I64x2ReplaceLane(V128{}, 7, 1), (V128{0, 7}));
  V128 f = num::F32x4ReplaceLane(V128{}, -0.0f, 2);
  EXPECT_EQ(fb(num::F32x4ExtractLane(f, 2)), 0x80000000u);
  EXPECT_EQ(num::F64x2ExtractLane(num::F64x2ReplaceLane(V128{}, 2.5, 0), 0), 2.5);
  EXPECT_EQ(num::I32x4ExtractLane(num::I32x4ReplaceLane(V128{}, 9, 3), 3), 9u);
  EXPECT_EQ(num::I16x8ExtractLaneU(num::I16x8ReplaceLane(V128{}, 0x12345, 1), 1), 0x2345u);
}

// Lanes are shifts within a half (simd::lane_of, replace_lane): each lane of
// each shape against the V128's bytes, from a vector whose bytes all differ
// (a splat cannot tell lanes apart) and whose high lanes have the sign bit
// set. An extract's whole result is compared with the lane widened to it
// (static_cast<W>: sign-extended from a signed T, zero-extended from an
// unsigned one), so _s must sign-extend and _u must not.
template <class T, class W, class R>
void check_every_lane(W (*extract)(V128, uint32_t), R replace) {
  constexpr uint32_t n = 16 / sizeof(T);
  uint8_t bytes[16];
  for (int i = 0; i < 16; ++i) bytes[i] = static_cast<uint8_t>(0x11 * i);  // 0x00, 0x11, ... 0xFF
  V128 v;
  std::memcpy(&v, bytes, 16);
  for (uint32_t lane = 0; lane < n; ++lane) {
    T want;
    std::memcpy(&want, bytes + lane * sizeof(T), sizeof(T));
    EXPECT_EQ(extract(v, lane), static_cast<W>(want)) << "lane " << lane;
    uint8_t out[16];
    std::memcpy(out, bytes, 16);
    const T x = static_cast<T>(~want);
    std::memcpy(out + lane * sizeof(T), &x, sizeof(T));
    V128 expect;
    std::memcpy(&expect, out, 16);
    EXPECT_EQ(replace(v, x, lane), expect) << "lane " << lane;
  }
}

uint32_t f32x4_extract_bits(V128 v, uint32_t l) { return fb(num::F32x4ExtractLane(v, l)); }
uint64_t f64x2_extract_bits(V128 v, uint32_t l) { return std::bit_cast<uint64_t>(num::F64x2ExtractLane(v, l)); }

TEST(NumericSimd, EveryLaneExtractsAndReplacesItsOwnBytes) {
  auto i8 = [](V128 v, uint8_t x, uint32_t l) { return num::I8x16ReplaceLane(v, x, l); };
  auto i16 = [](V128 v, uint16_t x, uint32_t l) { return num::I16x8ReplaceLane(v, x, l); };
  check_every_lane<int8_t>(num::I8x16ExtractLaneS, i8);
  check_every_lane<uint8_t>(num::I8x16ExtractLaneU, i8);
  check_every_lane<int16_t>(num::I16x8ExtractLaneS, i16);
  check_every_lane<uint16_t>(num::I16x8ExtractLaneU, i16);
  check_every_lane<uint32_t>(num::I32x4ExtractLane, num::I32x4ReplaceLane);
  check_every_lane<uint64_t>(num::I64x2ExtractLane, num::I64x2ReplaceLane);
  check_every_lane<uint32_t>(f32x4_extract_bits, [](V128 v, uint32_t x, uint32_t l) {
    return num::F32x4ReplaceLane(v, std::bit_cast<float>(x), l);
  });
  check_every_lane<uint64_t>(f64x2_extract_bits, [](V128 v, uint64_t x, uint32_t l) {
    return num::F64x2ReplaceLane(v, std::bit_cast<double>(x), l);
  });
}

TEST(NumericSimd, ShuffleAndSwizzle) {
  V128 a = vec<uint8_t>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
  V128 b = vec<uint8_t>({16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31});
  V128 idx = vec<uint8_t>({31, 0, 16, 15, 1, 17, 30, 14, 2, 2, 2, 2, 20, 21, 22, 23});
  expect_lanes<uint8_t>(num::I8x16Shuffle(a, b, idx), {31, 0, 16, 15, 1, 17, 30, 14, 2, 2, 2, 2, 20, 21, 22, 23});
  V128 s = vec<uint8_t>({15, 16, 0, 255, 0x80, 1, 17, 14, 2, 3, 100, 4, 5, 6, 7, 0x10});
  expect_lanes<uint8_t>(num::I8x16Swizzle(b, s), {31, 0, 16, 0, 0, 17, 0, 30, 18, 19, 0, 20, 21, 22, 23, 0});
}

TEST(NumericSimd, SaturatingArithmetic) {
  V128 x = vec<int8_t>({127, -128, 100, -100, 0, 1, -1, 50, 127, -128, 100, -100, 0, 1, -1, 50});
  V128 y = vec<int8_t>({1, -1, 100, -100, 0, 127, -128, -50, 127, 127, -100, 100, -128, -1, 1, 50});
  expect_lanes<int8_t>(num::I8x16AddSatS(x, y),
                       {127, -128, 127, -128, 0, 127, -128, 0, 127, -1, 0, 0, -128, 0, 0, 100});
  expect_lanes<int8_t>(num::I8x16SubSatS(x, y),
                       {126, -127, 0, 0, 0, -126, 127, 100, 0, -128, 127, -128, 127, 2, -2, 0});
  expect_lanes<int8_t>(num::I8x16Add(x, y), {-128, 127, -56, 56, 0, -128, 127, 0, -2, -1, 0, 0, -128, 0, 0, 100});
  V128 u = splat<uint8_t>(250);
  expect_lanes<uint8_t>(num::I8x16AddSatU(u, splat<uint8_t>(10)),
                        {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255});
  EXPECT_EQ(num::I8x16SubSatU(splat<uint8_t>(5), splat<uint8_t>(10)), V128{});
  EXPECT_EQ(num::I16x8AddSatS(splat<int16_t>(32000), splat<int16_t>(1000)), splat<int16_t>(32767));
  EXPECT_EQ(num::I16x8SubSatS(splat<int16_t>(-32000), splat<int16_t>(1000)), splat<int16_t>(-32768));
  EXPECT_EQ(num::I16x8AddSatU(splat<uint16_t>(65000), splat<uint16_t>(1000)), splat<uint16_t>(65535));
  EXPECT_EQ(num::I16x8SubSatU(splat<uint16_t>(1), splat<uint16_t>(2)), splat<uint16_t>(0));
  EXPECT_EQ(num::I16x8Sub(splat<uint16_t>(1), splat<uint16_t>(2)), splat<uint16_t>(0xFFFF));
}

TEST(NumericSimd, AbsNegPopcntMinMaxAvgr) {
  expect_lanes<int8_t>(num::I8x16Abs(vec<int8_t>({-128, -127, -1, 0, 1, 127, -5, 5, -128, -127, -1, 0, 1, 127, -5, 5})),
                       {-128, 127, 1, 0, 1, 127, 5, 5, -128, 127, 1, 0, 1, 127, 5, 5});
  EXPECT_EQ(num::I8x16Neg(splat<int8_t>(-128)), splat<int8_t>(-128));
  EXPECT_EQ(num::I16x8Abs(splat<int16_t>(-32768)), splat<int16_t>(-32768));
  EXPECT_EQ(num::I32x4Abs(splat<int32_t>(-5)), splat<int32_t>(5));
  EXPECT_EQ(num::I64x2Abs(splat<uint64_t>(0x8000000000000000ull)), splat<uint64_t>(0x8000000000000000ull));
  EXPECT_EQ(num::I64x2Neg(splat<int64_t>(1)), splat<int64_t>(-1));
  EXPECT_EQ(num::I32x4Neg(splat<int32_t>(std::numeric_limits<int32_t>::min())),
            splat<int32_t>(std::numeric_limits<int32_t>::min()));
  expect_lanes<uint8_t>(
      num::I8x16Popcnt(vec<uint8_t>({0, 1, 3, 7, 15, 31, 63, 127, 255, 0x80, 0x55, 0xAA, 2, 4, 6, 9})),
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 1, 4, 4, 1, 1, 2, 2});
  V128 a = splat<uint8_t>(0x80), b = splat<uint8_t>(0x01);
  EXPECT_EQ(num::I8x16MinS(a, b), a);
  EXPECT_EQ(num::I8x16MinU(a, b), b);
  EXPECT_EQ(num::I8x16MaxS(a, b), b);
  EXPECT_EQ(num::I8x16MaxU(a, b), a);
  EXPECT_EQ(num::I16x8MinS(splat<uint16_t>(0x8000), splat<uint16_t>(1)), splat<uint16_t>(0x8000));
  EXPECT_EQ(num::I16x8MaxU(splat<uint16_t>(0x8000), splat<uint16_t>(1)), splat<uint16_t>(0x8000));
  EXPECT_EQ(num::I32x4MinU(splat<uint32_t>(0x80000000u), splat<uint32_t>(1)), splat<uint32_t>(1));
  EXPECT_EQ(num::I32x4MaxS(splat<uint32_t>(0x80000000u), splat<uint32_t>(1)), splat<uint32_t>(1));
  EXPECT_EQ(num::I8x16AvgrU(splat<uint8_t>(255), splat<uint8_t>(255)), splat<uint8_t>(255));
  EXPECT_EQ(num::I8x16AvgrU(splat<uint8_t>(0), splat<uint8_t>(1)), splat<uint8_t>(1));
  EXPECT_EQ(num::I16x8AvgrU(splat<uint16_t>(65535), splat<uint16_t>(0)), splat<uint16_t>(32768));
}

TEST(NumericSimd, Multiplication) {
  EXPECT_EQ(num::I16x8Mul(splat<uint16_t>(0x8000), splat<uint16_t>(2)), V128{});
  EXPECT_EQ(num::I16x8Mul(splat<uint16_t>(0xFFFF), splat<uint16_t>(0xFFFF)), splat<uint16_t>(1));
  EXPECT_EQ(num::I32x4Mul(splat<uint32_t>(0x10000), splat<uint32_t>(0x10001)), splat<uint32_t>(0x10000));
  EXPECT_EQ(num::I64x2Mul(splat<uint64_t>(~0ull), splat<uint64_t>(~0ull)), splat<uint64_t>(1));
}

TEST(NumericSimd, Q15mulrSaturates) {
  V128 a = vec<int16_t>({-32768, 0x4000, -1, 1, 32767, -32768, 16384, -16384});
  V128 b = vec<int16_t>({-32768, 0x4000, 1, 1, 32767, 32767, -1, -1});
  expect_lanes<int16_t>(num::I16x8Q15mulrSatS(a, b), {32767, 0x2000, 0, 0, 32766, -32767, 0, 1});
}

TEST(NumericSimd, Dot) {
  EXPECT_EQ(num::I32x4DotI16x8S(splat<int16_t>(-32768), splat<int16_t>(-32768)), splat<uint32_t>(0x80000000u));
  V128 a = vec<int16_t>({1, 2, 3, 4, -5, 6, 7, 8});
  V128 b = vec<int16_t>({9, 10, 11, 12, 13, 14, -15, 16});
  expect_lanes<int32_t>(num::I32x4DotI16x8S(a, b), {29, 81, 19, 23});
}

TEST(NumericSimd, Extmul) {
  V128 a = vec<int8_t>({-128, 2, 3, 4, 5, 6, 7, 8, -1, -2, -3, -4, 127, 127, 1, 0});
  V128 b = vec<int8_t>({-128, -2, 3, 4, 5, 6, 7, 8, -1, 2, 3, 4, 127, -128, 1, 0});
  expect_lanes<int16_t>(num::I16x8ExtmulLowI8x16S(a, b), {16384, -4, 9, 16, 25, 36, 49, 64});
  expect_lanes<int16_t>(num::I16x8ExtmulHighI8x16S(a, b), {1, -4, -9, -16, 16129, -16256, 1, 0});
  expect_lanes<uint16_t>(num::I16x8ExtmulLowI8x16U(a, b), {16384, 254 * 2, 9, 16, 25, 36, 49, 64});
  expect_lanes<uint16_t>(num::I16x8ExtmulHighI8x16U(splat<uint8_t>(255), splat<uint8_t>(255)),
                         {65025, 65025, 65025, 65025, 65025, 65025, 65025, 65025});
  EXPECT_EQ(num::I32x4ExtmulLowI16x8S(splat<int16_t>(-32768), splat<int16_t>(-32768)), splat<uint32_t>(0x40000000u));
  EXPECT_EQ(num::I32x4ExtmulHighI16x8U(splat<uint16_t>(0xFFFF), splat<uint16_t>(0xFFFF)), splat<uint32_t>(0xFFFE0001u));
  EXPECT_EQ(num::I64x2ExtmulHighI32x4U(splat<uint32_t>(0xFFFFFFFFu), splat<uint32_t>(0xFFFFFFFFu)),
            splat<uint64_t>(0xFFFFFFFE00000001ull));
  V128 c = vec<int32_t>({-2, 3, std::numeric_limits<int32_t>::min(), 5});
  expect_lanes<int64_t>(num::I64x2ExtmulLowI32x4S(c, c), {4, 9});
  expect_lanes<int64_t>(num::I64x2ExtmulHighI32x4S(c, c), {0x4000000000000000ll, 25});
  expect_lanes<uint64_t>(num::I64x2ExtmulLowI32x4U(c, splat<uint32_t>(2)), {0x1FFFFFFFCull, 6});
  expect_lanes<int32_t>(num::I32x4ExtmulHighI16x8S(vec<int16_t>({0, 0, 0, 0, 1, -2, 3, -4}), splat<int16_t>(-3)),
                        {-3, 6, -9, 12});
  expect_lanes<uint32_t>(num::I32x4ExtmulLowI16x8U(vec<uint16_t>({1, 2, 3, 0xFFFF, 0, 0, 0, 0}), splat<uint16_t>(2)),
                         {2, 4, 6, 0x1FFFE});
}

TEST(NumericSimd, ExtendAndExtaddPairwise) {
  V128 a = vec<int8_t>({-1, 2, -3, 4, -5, 6, -7, 8, -128, 127, 0, 1, 2, 3, 4, 5});
  expect_lanes<int16_t>(num::I16x8ExtendLowI8x16S(a), {-1, 2, -3, 4, -5, 6, -7, 8});
  expect_lanes<int16_t>(num::I16x8ExtendHighI8x16S(a), {-128, 127, 0, 1, 2, 3, 4, 5});
  expect_lanes<uint16_t>(num::I16x8ExtendLowI8x16U(a), {255, 2, 253, 4, 251, 6, 249, 8});
  expect_lanes<uint16_t>(num::I16x8ExtendHighI8x16U(a), {128, 127, 0, 1, 2, 3, 4, 5});
  V128 h = vec<int16_t>({-1, 1, -32768, 32767, 5, 6, 7, -8});
  expect_lanes<int32_t>(num::I32x4ExtendLowI16x8S(h), {-1, 1, -32768, 32767});
  expect_lanes<int32_t>(num::I32x4ExtendHighI16x8S(h), {5, 6, 7, -8});
  expect_lanes<uint32_t>(num::I32x4ExtendLowI16x8U(h), {65535, 1, 32768, 32767});
  expect_lanes<uint32_t>(num::I32x4ExtendHighI16x8U(h), {5, 6, 7, 65528});
  V128 w = vec<int32_t>({-1, 2, std::numeric_limits<int32_t>::min(), 4});
  expect_lanes<int64_t>(num::I64x2ExtendLowI32x4S(w), {-1, 2});
  expect_lanes<int64_t>(num::I64x2ExtendHighI32x4S(w), {std::numeric_limits<int32_t>::min(), 4});
  expect_lanes<uint64_t>(num::I64x2ExtendLowI32x4U(w), {0xFFFFFFFFull, 2});
  expect_lanes<uint64_t>(num::I64x2ExtendHighI32x4U(w), {0x80000000ull, 4});

  expect_lanes<int16_t>(num::I16x8ExtaddPairwiseI8x16S(a), {1, 1, 1, 1, -1, 1, 5, 9});
  expect_lanes<uint16_t>(num::I16x8ExtaddPairwiseI8x16U(splat<uint8_t>(255)), {510, 510, 510, 510, 510, 510, 510, 510});
  expect_lanes<int32_t>(num::I32x4ExtaddPairwiseI16x8S(splat<int16_t>(-32768)), {-65536, -65536, -65536, -65536});
  expect_lanes<uint32_t>(num::I32x4ExtaddPairwiseI16x8U(splat<uint16_t>(65535)), {131070, 131070, 131070, 131070});
}

TEST(NumericSimd, Narrow) {
  V128 a = vec<int16_t>({300, -300, 127, -128, 128, -129, 0, 255});
  V128 b = vec<int16_t>({1, 2, 3, 4, -1, 256, 32767, -32768});
  expect_lanes<int8_t>(num::I8x16NarrowI16x8S(a, b),
                       {127, -128, 127, -128, 127, -128, 0, 127, 1, 2, 3, 4, -1, 127, 127, -128});
  expect_lanes<uint8_t>(num::I8x16NarrowI16x8U(a, b), {255, 0, 127, 0, 128, 0, 0, 255, 1, 2, 3, 4, 0, 255, 255, 0});
  V128 c = vec<int32_t>({70000, -70000, 32767, -32768});
  V128 d = vec<int32_t>({65535, 65536, -1, 40000});
  expect_lanes<int16_t>(num::I16x8NarrowI32x4S(c, d), {32767, -32768, 32767, -32768, 32767, 32767, -1, 32767});
  expect_lanes<uint16_t>(num::I16x8NarrowI32x4U(c, d), {65535, 0, 32767, 0, 65535, 65535, 0, 40000});
}

TEST(NumericSimd, ShiftsModLaneWidth) {
  EXPECT_EQ(num::I8x16Shl(splat<uint8_t>(1), 9), splat<uint8_t>(2));
  EXPECT_EQ(num::I8x16Shl(splat<uint8_t>(0xFF), 7), splat<uint8_t>(0x80));
  EXPECT_EQ(num::I8x16ShrS(splat<int8_t>(-128), 7), splat<int8_t>(-1));
  EXPECT_EQ(num::I8x16ShrS(splat<int8_t>(-128), 8), splat<int8_t>(-128));
  EXPECT_EQ(num::I8x16ShrU(splat<uint8_t>(0x80), 15), splat<uint8_t>(1));
  EXPECT_EQ(num::I16x8ShrS(splat<int16_t>(-32768), 17), splat<int16_t>(-16384));
  EXPECT_EQ(num::I16x8ShrU(splat<uint16_t>(0x8000), 0xFFFFFFFFu), splat<uint16_t>(1));
  EXPECT_EQ(num::I16x8Shl(splat<uint16_t>(3), 16), splat<uint16_t>(3));
  EXPECT_EQ(num::I32x4Shl(splat<uint32_t>(0x12345678u), 32), splat<uint32_t>(0x12345678u));
  EXPECT_EQ(num::I32x4ShrS(splat<uint32_t>(0x80000000u), 63), splat<uint32_t>(0xFFFFFFFFu));
  EXPECT_EQ(num::I32x4ShrU(splat<uint32_t>(0x80000000u), 31), splat<uint32_t>(1));
  EXPECT_EQ(num::I64x2ShrU(splat<uint64_t>(0x8000000000000000ull), 64), splat<uint64_t>(0x8000000000000000ull));
  EXPECT_EQ(num::I64x2ShrS(splat<uint64_t>(0x8000000000000000ull), 127), splat<uint64_t>(~0ull));
  EXPECT_EQ(num::I64x2Shl(splat<uint64_t>(1), 65), splat<uint64_t>(2));
}

TEST(NumericSimd, BitmaskAllTrueAnyTrue) {
  V128 a = vec<int8_t>({-1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -128});
  EXPECT_EQ(num::I8x16Bitmask(a), 0x8001u);
  EXPECT_EQ(num::I16x8Bitmask(vec<int16_t>({0, -1, 0, 0, 0, 0, 0, -32768})), 0x82u);
  EXPECT_EQ(num::I32x4Bitmask(vec<int32_t>({-1, 1, -1, 1})), 0x5u);
  EXPECT_EQ(num::I64x2Bitmask(vec<int64_t>({1, -1})), 0x2u);
  EXPECT_EQ(num::V128AnyTrue(V128{}), 0u);
  EXPECT_EQ(num::V128AnyTrue(V128{0, 1}), 1u);
  EXPECT_EQ(num::I8x16AllTrue(splat<uint8_t>(1)), 1u);
  EXPECT_EQ(num::I8x16AllTrue(num::I8x16ReplaceLane(splat<uint8_t>(1), 0, 9)), 0u);
  EXPECT_EQ(num::I16x8AllTrue(splat<uint8_t>(1)), 1u);
  EXPECT_EQ(num::I16x8AllTrue(vec<uint8_t>({1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0})), 0u);
  EXPECT_EQ(num::I32x4AllTrue(vec<uint32_t>({1, 0x100, 0x10000, 0x1000000})), 1u);
  EXPECT_EQ(num::I64x2AllTrue(V128{1, 0}), 0u);
  EXPECT_EQ(num::I64x2AllTrue(V128{1, 0x8000000000000000ull}), 1u);
}

TEST(NumericSimd, Bitwise) {
  V128 a{0xFF00FF00FF00FF00ull, 0x0123456789ABCDEFull}, b{0x0F0F0F0F0F0F0F0Full, 0xFFFFFFFF00000000ull};
  EXPECT_EQ(num::V128Not(a), (V128{0x00FF00FF00FF00FFull, 0xFEDCBA9876543210ull}));
  EXPECT_EQ(num::V128And(a, b), (V128{0x0F000F000F000F00ull, 0x0123456700000000ull}));
  EXPECT_EQ(num::V128Andnot(a, b), (V128{0xF000F000F000F000ull, 0x0000000089ABCDEFull}));
  EXPECT_EQ(num::V128Or(a, b), (V128{0xFF0FFF0FFF0FFF0Full, 0xFFFFFFFF89ABCDEFull}));
  EXPECT_EQ(num::V128Xor(a, b), (V128{0xF00FF00FF00FF00Full, 0xFEDCBA9889ABCDEFull}));
  V128 mask{0xFFFFFFFF00000000ull, 0x00000000FFFFFFFFull};
  EXPECT_EQ(num::V128Bitselect(a, b, mask), (V128{0xFF00FF000F0F0F0Full, 0xFFFFFFFF89ABCDEFull}));
}

TEST(NumericSimd, Comparisons) {
  V128 a = splat<uint8_t>(0x80), b = splat<uint8_t>(0x01);
  EXPECT_EQ(num::I8x16LtS(a, b), splat<uint8_t>(0xFF));
  EXPECT_EQ(num::I8x16LtU(a, b), V128{});
  EXPECT_EQ(num::I8x16GeU(a, b), splat<uint8_t>(0xFF));
  EXPECT_EQ(num::I8x16Eq(a, a), splat<uint8_t>(0xFF));
  EXPECT_EQ(num::I8x16Ne(a, a), V128{});
  EXPECT_EQ(num::I16x8GtS(splat<uint16_t>(0x8000), splat<uint16_t>(0)), V128{});
  EXPECT_EQ(num::I16x8GtU(splat<uint16_t>(0x8000), splat<uint16_t>(0)), splat<uint16_t>(0xFFFF));
  EXPECT_EQ(num::I32x4LeS(splat<uint32_t>(0xFFFFFFFFu), splat<uint32_t>(0)), splat<uint32_t>(0xFFFFFFFFu));
  EXPECT_EQ(num::I32x4LeU(splat<uint32_t>(0xFFFFFFFFu), splat<uint32_t>(0)), V128{});
  expect_lanes<uint64_t>(num::I64x2LtS(vec<int64_t>({-1, 5}), vec<int64_t>({0, 5})), {~0ull, 0});
  expect_lanes<uint64_t>(num::I64x2GeS(vec<int64_t>({-1, 5}), vec<int64_t>({0, 5})), {0, ~0ull});
  expect_lanes<uint64_t>(num::I64x2Ne(vec<int64_t>({-1, 5}), vec<int64_t>({0, 5})), {~0ull, 0});
  float nan = f32(kF32Canon);
  V128 f = vec<float>({nan, 0.0f, 1.0f, -1.0f}), g = vec<float>({nan, -0.0f, 2.0f, -2.0f});
  expect_lanes<uint32_t>(num::F32x4Eq(f, g), {0u, ~0u, 0u, 0u});
  expect_lanes<uint32_t>(num::F32x4Ne(f, g), {~0u, 0u, ~0u, ~0u});
  expect_lanes<uint32_t>(num::F32x4Lt(f, g), {0u, 0u, ~0u, 0u});
  expect_lanes<uint32_t>(num::F32x4Ge(f, g), {0u, ~0u, 0u, ~0u});
  expect_lanes<uint64_t>(num::F64x2Gt(vec<double>({1.0, f64(kF64Canon)}), vec<double>({0.0, 0.0})), {~0ull, 0ull});
  expect_lanes<uint64_t>(num::F64x2Le(vec<double>({1.0, -0.0}), vec<double>({0.0, 0.0})), {0ull, ~0ull});
}

TEST(NumericSimd, FloatLanes) {
  expect_lanes<float>(num::F32x4Nearest(vec<float>({0.5f, 1.5f, -2.5f, 2.5f})), {0.0f, 2.0f, -2.0f, 2.0f});
  expect_lanes<double>(num::F64x2Nearest(vec<double>({-0.5, 3.5})), {-0.0, 4.0});
  EXPECT_EQ(lanes<uint64_t>(num::F64x2Nearest(vec<double>({-0.5, 3.5})))[0], db(-0.0));
  expect_lanes<float>(num::F32x4Ceil(vec<float>({0.1f, -0.1f, 1.0f, -1.5f})), {1.0f, -0.0f, 1.0f, -1.0f});
  expect_lanes<float>(num::F32x4Floor(vec<float>({0.1f, -0.1f, 1.0f, -1.5f})), {0.0f, -1.0f, 1.0f, -2.0f});
  expect_lanes<double>(num::F64x2Trunc(vec<double>({-1.9, 1.9})), {-1.0, 1.0});
  expect_lanes<double>(num::F64x2Sqrt(vec<double>({4.0, 2.25})), {2.0, 1.5});
  expect_lanes<float>(num::F32x4Add(splat<float>(1.5f), splat<float>(2.0f)), {3.5f, 3.5f, 3.5f, 3.5f});
  expect_lanes<float>(num::F32x4Div(splat<float>(1.0f), vec<float>({2.0f, 4.0f, -8.0f, 0.5f})),
                      {0.5f, 0.25f, -0.125f, 2.0f});
  expect_lanes<double>(num::F64x2Mul(vec<double>({3.0, -0.5}), splat<double>(2.0)), {6.0, -1.0});
  expect_lanes<double>(num::F64x2Sub(vec<double>({3.0, -0.5}), splat<double>(2.0)), {1.0, -2.5});
  // neg/abs flip or clear the sign bit of every lane, NaN payloads kept.
  expect_lanes<uint32_t>(num::F32x4Neg(vec<uint32_t>({0x7FA00001u, 0, 0x80000000u, 0x3F800000u})),
                         {0xFFA00001u, 0x80000000u, 0u, 0xBF800000u});
  expect_lanes<uint64_t>(num::F64x2Abs(vec<uint64_t>({0xFFF0000000000001ull, 0x8000000000000000ull})),
                         {0x7FF0000000000001ull, 0u});
  // min/max: -0 < +0, NaN propagates.
  float nan = f32(kF32Canon);
  expect_lanes<uint32_t>(num::F32x4Min(vec<float>({0.0f, -0.0f, nan, 1.0f}), vec<float>({-0.0f, 0.0f, 1.0f, nan})),
                         {0x80000000u, 0x80000000u, kF32Canon, kF32Canon});
  expect_lanes<uint64_t>(num::F64x2Max(vec<double>({0.0, -0.0}), vec<double>({-0.0, 0.0})), {0u, 0u});
}

TEST(NumericSimd, PminPmaxReturnAnOperand) {
  float nan = f32(0x7FA00001u);  // signalling: must come back unchanged
  V128 a = vec<float>({nan, 1.0f, -0.0f, 0.0f});
  V128 b = vec<float>({1.0f, nan, 0.0f, -0.0f});
  // pmin = b < a ? b : a; pmax = a < b ? b : a (comparisons with NaN are false).
  expect_lanes<uint32_t>(num::F32x4Pmin(a, b), {0x7FA00001u, fb(1.0f), 0x80000000u, 0u});
  expect_lanes<uint32_t>(num::F32x4Pmax(a, b), {0x7FA00001u, fb(1.0f), 0x80000000u, 0u});
  expect_lanes<float>(num::F32x4Pmin(vec<float>({1.0f, 2.0f, 3.0f, 4.0f}), vec<float>({4.0f, 3.0f, 2.0f, 1.0f})),
                      {1.0f, 2.0f, 2.0f, 1.0f});
  expect_lanes<float>(num::F32x4Pmax(vec<float>({1.0f, 2.0f, 3.0f, 4.0f}), vec<float>({4.0f, 3.0f, 2.0f, 1.0f})),
                      {4.0f, 3.0f, 3.0f, 4.0f});
  expect_lanes<uint64_t>(num::F64x2Pmin(vec<double>({f64(kF64Canon), 1.0}), vec<double>({1.0, -1.0})),
                         {kF64Canon, db(-1.0)});
  expect_lanes<uint64_t>(num::F64x2Pmax(vec<double>({-0.0, 1.0}), vec<double>({0.0, 2.0})), {db(-0.0), db(2.0)});
}

TEST(NumericSimd, Conversions) {
  float nan = f32(kF32Canon);
  expect_lanes<uint32_t>(num::I32x4TruncSatF32x4S(vec<float>({nan, 3e9f, -3e9f, -1.9f})),
                         {0u, 0x7FFFFFFFu, 0x80000000u, static_cast<uint32_t>(-1)});
  expect_lanes<uint32_t>(num::I32x4TruncSatF32x4U(vec<float>({nan, 5e9f, -3e9f, 4294967040.0f})),
                         {0u, 0xFFFFFFFFu, 0u, 4294967040u});
  expect_lanes<uint32_t>(num::I32x4TruncSatF64x2SZero(vec<double>({1e10, -1e10})), {0x7FFFFFFFu, 0x80000000u, 0u, 0u});
  expect_lanes<uint32_t>(num::I32x4TruncSatF64x2SZero(vec<double>({f64(kF64Canon), -2.5})),
                         {0u, static_cast<uint32_t>(-2), 0u, 0u});
  expect_lanes<uint32_t>(num::I32x4TruncSatF64x2UZero(vec<double>({-1.0, 4294967295.9})), {0u, 0xFFFFFFFFu, 0u, 0u});
  expect_lanes<float>(num::F32x4ConvertI32x4S(vec<uint32_t>({0x80000000u, 1, 0xFFFFFFFFu, 16777217})),
                      {-2147483648.0f, 1.0f, -1.0f, 16777216.0f});
  expect_lanes<float>(num::F32x4ConvertI32x4U(vec<uint32_t>({0xFFFFFFFFu, 1, 0x80000000u, 16777219})),
                      {4294967296.0f, 1.0f, 2147483648.0f, 16777220.0f});
  expect_lanes<double>(num::F64x2ConvertLowI32x4S(vec<uint32_t>({0xFFFFFFFFu, 0x80000000u, 7, 7})),
                       {-1.0, -2147483648.0});
  expect_lanes<double>(num::F64x2ConvertLowI32x4U(vec<uint32_t>({0xFFFFFFFFu, 0x80000000u, 7, 7})),
                       {4294967295.0, 2147483648.0});
  expect_lanes<uint32_t>(num::F32x4DemoteF64x2Zero(vec<double>({f64(kF64Canon), 1e300})),
                         {kF32Canon, 0x7F800000u, 0u, 0u});
  expect_lanes<float>(num::F32x4DemoteF64x2Zero(vec<double>({0.5, -0.25})), {0.5f, -0.25f, 0.0f, 0.0f});
  expect_lanes<uint64_t>(num::F64x2PromoteLowF32x4(vec<float>({nan, -1.5f, 9.0f, 9.0f})), {kF64Canon, db(-1.5)});
}

}  // namespace
}  // namespace warden
