// Constants from edge classes (edge.hpp): the values at which integer
// arithmetic, shifts, float-to-int truncation, rounding, NaN propagation
// and SIMD lane saturation change behaviour, and the sizes of this module's
// memory and tables. Each pick names its class, so gen_stats can say how
// often each occurs.
#include <cstring>

#include "context.hpp"

namespace warden::gen {
namespace {

template <typename T, size_t N>
T one_of(Input& in, const T (&values)[N]) {
  return values[in.below(static_cast<uint32_t>(N))];
}

// ---- integers (i32 values are the low 32 bits)

struct IntPick {
  uint64_t value;
  Edge edge;
};

uint32_t table_size_pick(Input& in, const ModuleCtx& ctx) {
  if (ctx.tables.empty()) return 0;
  return ctx.tables[in.below(static_cast<uint32_t>(ctx.tables.size()))].limits.min;
}

IntPick pick_int(Input& in, bool wide, const ModuleCtx& ctx) {
  uint32_t k = in.below(16);
  if (k >= 10) {  // plain: 2/16 small, 4/16 random bits
    if (k < 12) return {static_cast<uint64_t>(static_cast<int64_t>(in.below(127)) - 63), Edge::IntSmall};
    return {in.u64(), Edge::IntRandom};
  }
  int64_t near = static_cast<int64_t>(in.below(3)) - 1;  // -1, 0, +1
  switch (in.below(12)) {
    case 0: return {0, Edge::IntZero};
    case 1: return {1, Edge::IntOne};
    case 2: return {~0ull, Edge::IntMinusOne};
    case 3: {
      uint64_t min = wide ? 0x8000000000000000ull : 0x80000000ull;
      return {min + (in.chance(1, 2) ? 1 : 0), Edge::IntSignedMin};
    }
    case 4: {
      uint64_t max = wide ? 0x7FFFFFFFFFFFFFFFull : 0x7FFFFFFFull;
      return {max - (in.chance(1, 2) ? 1 : 0), Edge::IntSignedMax};
    }
    case 5: {
      static const uint64_t narrow[] = {0x80000001ull, 0x7FFFFFFEull, 0x40000000ull, 0xC0000000ull};
      static const uint64_t wide64[] = {0x80000000ull, 0x7FFFFFFFull, 0x80000001ull, 0xFFFFFFFF80000000ull,
                                        0xFFFFFFFF7FFFFFFFull};
      return {wide ? one_of(in, wide64) : one_of(in, narrow), Edge::Int2p31};
    }
    case 6: {
      static const uint64_t narrow[] = {0xFFFFFFFFull, 0xFFFFFFFEull};
      static const uint64_t wide64[] = {0xFFFFFFFFull, 0x100000000ull, 0x100000001ull, 0xFFFFFFFEull,
                                        0xFFFFFFFF00000000ull};
      return {wide ? one_of(in, wide64) : one_of(in, narrow), Edge::IntU32Max};
    }
    case 7: {
      uint32_t bits = wide ? 64 : 32;
      return {(uint64_t{1} << in.below(bits)) + static_cast<uint64_t>(near), Edge::IntPow2};
    }
    case 8: {
      static const uint64_t counts[] = {31, 32, 33, 63, 64, 65, 15, 16, 7, 8};
      return {one_of(in, counts), Edge::IntShift};
    }
    case 9: {
      uint64_t bytes = uint64_t{ctx.has_memory ? ctx.memory_min_pages : 1} * 65536;
      return {bytes + static_cast<uint64_t>(near), Edge::IntMemBytes};
    }
    case 10: {
      uint32_t pages = in.below(ctx.has_memory ? ctx.memory_max_pages + 2 : 3);
      if (in.chance(1, 3)) return {uint64_t{pages} + static_cast<uint64_t>(near), Edge::IntPage};  // page counts
      return {uint64_t{pages} * 65536 + static_cast<uint64_t>(near), Edge::IntPage};
    }
    default: return {uint64_t{table_size_pick(in, ctx)} + static_cast<uint64_t>(near), Edge::IntTableSize};
  }
}

// ---- floats: one table per class, single and double precision side by side

struct FloatClass {
  Edge edge;
  const uint32_t* f32;
  uint32_t n32;
  const uint64_t* f64;
  uint32_t n64;
};

constexpr uint32_t kZero32[] = {0x00000000u, 0x80000000u};
constexpr uint64_t kZero64[] = {0, 0x8000000000000000ull};
constexpr uint32_t kInf32[] = {0x7F800000u, 0xFF800000u};
constexpr uint64_t kInf64[] = {0x7FF0000000000000ull, 0xFFF0000000000000ull};
constexpr uint32_t kCanon32[] = {0x7FC00000u, 0xFFC00000u};
constexpr uint64_t kCanon64[] = {0x7FF8000000000000ull, 0xFFF8000000000000ull};
constexpr uint32_t kPayload32[] = {0x7FC00001u, 0x7FFFFFFFu, 0xFFE00001u, 0x7FD55555u};
constexpr uint64_t kPayload64[] = {0x7FF8000000000001ull, 0x7FFFFFFFFFFFFFFFull, 0xFFFC000000000001ull,
                                   0x7FF8DEADBEEF0000ull};
constexpr uint32_t kSignal32[] = {0x7FA00001u, 0x7F800001u, 0xFF800001u, 0x7FBFFFFFu};
constexpr uint64_t kSignal64[] = {0x7FF4000000000001ull, 0x7FF0000000000001ull, 0xFFF0000000000001ull,
                                  0x7FF7FFFFFFFFFFFFull};
constexpr uint32_t kSub32[] = {0x00000001u, 0x007FFFFFu, 0x80000001u, 0x807FFFFFu, 0x00800000u};
constexpr uint64_t kSub64[] = {1, 0x000FFFFFFFFFFFFFull, 0x8000000000000001ull, 0x800FFFFFFFFFFFFFull,
                               0x0010000000000000ull};
// Truncation limits (spec 4.3.2 trunc): the first value out of range and
// the last one in range on each side, for every target width.
constexpr uint32_t kTrunc32[] = {0x4F000000u, 0x4EFFFFFFu, 0xCF000000u, 0xCF000001u, 0x4F800000u,
                                 0x4F7FFFFFu, 0xBF800000u, 0xBF7FFFFFu, 0x5F000000u, 0x5EFFFFFFu,
                                 0xDF000000u, 0xDF000001u, 0x5F800000u, 0x5F7FFFFFu};
constexpr uint64_t kTrunc64[] = {
    0x41E0000000000000ull, 0x41DFFFFFFFFFFFFFull, 0x41DFFFFFFFC00000ull, 0xC1E0000000000000ull,
    0xC1E0000000200000ull, 0xC1E00000001FFFFFull, 0x41F0000000000000ull, 0x41EFFFFFFFFFFFFFull,
    0xBFF0000000000000ull, 0xBFEFFFFFFFFFFFFFull, 0x43E0000000000000ull, 0x43DFFFFFFFFFFFFFull,
    0xC3E0000000000000ull, 0xC3E0000000000001ull, 0x43F0000000000000ull, 0x43EFFFFFFFFFFFFFull};
// Round-to-nearest ties (spec 4.3.3 fnearest): halves, and the last
// non-integers below 2^23 (f32) and 2^52 (f64).
constexpr uint32_t kHalf32[] = {0x3F000000u, 0xBF000000u, 0x3FC00000u, 0x40200000u,
                                0xC0200000u, 0x3EFFFFFFu, 0x4AFFFFFFu, 0x4B000001u};
constexpr uint64_t kHalf64[] = {0x3FE0000000000000ull, 0xBFE0000000000000ull, 0x3FF8000000000000ull,
                                0x4004000000000000ull, 0xC004000000000000ull, 0x3FDFFFFFFFFFFFFFull,
                                0x432FFFFFFFFFFFFFull, 0x4330000000000001ull};
constexpr uint32_t kMax32[] = {0x7F7FFFFFu, 0xFF7FFFFFu};
constexpr uint64_t kMax64[] = {0x7FEFFFFFFFFFFFFFull, 0xFFEFFFFFFFFFFFFFull};

#define WARDEN_FC(e, a, b) \
  { Edge::e, a, std::size(a), b, std::size(b) }
constexpr FloatClass kFloatClasses[] = {
    WARDEN_FC(FloatZero, kZero32, kZero64),
    WARDEN_FC(FloatInf, kInf32, kInf64),
    WARDEN_FC(FloatNanCanonical, kCanon32, kCanon64),
    WARDEN_FC(FloatNanPayload, kPayload32, kPayload64),
    WARDEN_FC(FloatNanSignalling, kSignal32, kSignal64),
    WARDEN_FC(FloatSubnormal, kSub32, kSub64),
    WARDEN_FC(FloatTrunc, kTrunc32, kTrunc64),
    WARDEN_FC(FloatHalf, kHalf32, kHalf64),
    WARDEN_FC(FloatMaxFinite, kMax32, kMax64),
};
#undef WARDEN_FC

struct FloatPick {
  uint64_t bits;
  Edge edge;
};

FloatPick pick_float(Input& in, bool wide) {
  uint32_t k = in.below(16);
  if (k >= 10) {  // plain: 2/16 small quarters, 4/16 random bits
    if (k < 12) {
      double d = static_cast<double>(static_cast<int32_t>(in.below(2001)) - 1000) / 4.0;
      if (wide) {
        uint64_t b;
        std::memcpy(&b, &d, 8);
        return {b, Edge::FloatSmall};
      }
      float f = static_cast<float>(d);
      uint32_t b;
      std::memcpy(&b, &f, 4);
      return {b, Edge::FloatSmall};
    }
    return {wide ? in.u64() : in.u32(), Edge::FloatRandom};
  }
  const FloatClass& c = kFloatClasses[in.below(static_cast<uint32_t>(std::size(kFloatClasses)))];
  return {wide ? c.f64[in.below(c.n64)] : c.f32[in.below(c.n32)], c.edge};
}

// ---- v128

// One lane of `bytes` width (1, 2, 4, 8) at its minimum or maximum, signed
// or unsigned: 0x80.., 0x7F.., 0xFF.., 0x00...
uint64_t lane_extreme(uint32_t bytes, uint32_t which) {
  uint64_t ones = bytes == 8 ? ~0ull : (uint64_t{1} << (8 * bytes)) - 1;
  uint64_t sign = uint64_t{1} << (8 * bytes - 1);
  switch (which & 3) {
    case 0: return sign;
    case 1: return sign - 1;
    case 2: return ones;
    default: return 0;
  }
}

// Fill 16 bytes lane by lane with lanes of `bytes` width from `lane`.
template <typename F>
void fill_lanes(uint64_t& lo, uint64_t& hi, uint32_t bytes, F lane) {
  lo = hi = 0;
  uint32_t per_word = 8 / bytes;
  uint64_t mask = bytes == 8 ? ~0ull : (uint64_t{1} << (8 * bytes)) - 1;
  for (uint32_t i = 0; i < 2 * per_word; ++i) {
    uint64_t& w = i < per_word ? lo : hi;
    w |= (lane(i) & mask) << (8 * bytes * (i % per_word));
  }
}

Edge pick_v128(Input& in, const ModuleCtx& ctx, uint64_t& lo, uint64_t& hi) {
  uint32_t k = in.below(16);
  if (k >= 10) {  // plain
    if (k < 13) {
      IntPick p = pick_int(in, true, ctx);
      lo = hi = p.value;
    } else {
      lo = in.u64();
      hi = in.u64();
    }
    return Edge::LaneRandom;
  }
  switch (in.below(4)) {
    case 0: {
      uint32_t bytes = 1u << in.below(4);
      uint32_t which = in.below(4);
      bool mixed = in.chance(1, 2);  // each lane its own extreme
      fill_lanes(lo, hi, bytes, [&](uint32_t) { return lane_extreme(bytes, mixed ? in.below(4) : which); });
      return Edge::LaneMinMax;
    }
    case 1: {
      static const uint64_t bytes[] = {0x80, 0x7F, 0xFF, 0x00, 0x01, 0xFE};
      bool splat = in.chance(1, 2);
      uint64_t b = one_of(in, bytes);
      fill_lanes(lo, hi, 1, [&](uint32_t) { return splat ? b : one_of(in, bytes); });
      return Edge::LaneBytes;
    }
    case 2: {
      static const uint64_t q15[] = {0x8000, 0x8000, 0x7FFF, 0x8001, 0xFFFF, 0x4000};
      fill_lanes(lo, hi, 2, [&](uint32_t) { return one_of(in, q15); });
      return Edge::LaneQ15;
    }
    default: {
      // Lanes of one width, each from the scalar classes of that width.
      uint32_t shape = in.below(4);
      uint32_t bytes = shape == 0 || shape == 2 ? 4 : 8;
      fill_lanes(lo, hi, bytes, [&](uint32_t) {
        if (shape < 2) return pick_int(in, bytes == 8, ctx).value;
        return pick_float(in, bytes == 8).bits;
      });
      return Edge::LaneMixed;
    }
  }
}

}  // namespace

ast::Instr const_instr(Input& in, ValType t, const ModuleCtx& ctx) {
  ast::Instr i;
  Edge e = Edge::IntRandom;
  switch (t) {
    case ValType::I32:
    case ValType::I64: {
      bool wide = t == ValType::I64;
      IntPick p = pick_int(in, wide, ctx);
      i.op = wide ? Op::I64Const : Op::I32Const;
      i.lo = wide ? p.value : static_cast<uint32_t>(p.value);
      e = p.edge;
      break;
    }
    case ValType::F32:
    case ValType::F64: {
      bool wide = t == ValType::F64;
      FloatPick p = pick_float(in, wide);
      i.op = wide ? Op::F64Const : Op::F32Const;
      i.lo = p.bits;
      e = p.edge;
      break;
    }
    case ValType::V128:
      i.op = Op::V128Const;
      e = pick_v128(in, ctx, i.lo, i.hi);
      break;
    case ValType::FuncRef:
    case ValType::ExternRef:
      i.op = Op::RefNull;
      i.a = static_cast<uint8_t>(t);
      return i;  // not a value class
  }
  count_edge(ctx, e);
  return i;
}

}  // namespace warden::gen
