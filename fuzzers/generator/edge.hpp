// Edge values: the classes of operands where engines break (issue 13, item
// 3). Constants (i32/i64/f32/f64/v128) come from value classes; memory
// addresses, bulk-operation ranges, grow deltas, select conditions and
// br_table indices from operand classes. Each class has one name, and a
// generator run can count how often each was picked (GenConfig::edge_counts;
// `gen_stats` prints the counts).
#pragma once
#include <array>
#include <cstdint>

namespace warden::gen {

// X(name, group, plain, description). Group C: a constant's value; group O:
// an operand the body generator chose for a memory, table or control
// instruction. Plain classes are the non-edge rest of each group, so that
// the shares of a group add up to 100 %.
#define WARDEN_GEN_EDGES(X)                                                                  \
  X(IntZero, C, false, "int 0")                                                              \
  X(IntOne, C, false, "int 1")                                                               \
  X(IntMinusOne, C, false, "int -1")                                                         \
  X(IntSignedMin, C, false, "int INT_MIN (2^31 / 2^63) and +1")                              \
  X(IntSignedMax, C, false, "int INT_MAX and -1")                                            \
  X(Int2p31, C, false, "int 2^31 neighbours (i64: 2^31, 2^31-1, sign-extended)")             \
  X(IntU32Max, C, false, "int 2^32-1, 2^32 and neighbours")                                  \
  X(IntPow2, C, false, "int 2^k - 1, 2^k, 2^k + 1")                                          \
  X(IntShift, C, false, "int shift counts 31/32/33/63/64/65")                                \
  X(IntMemBytes, C, false, "int memory size in bytes -1/0/+1")                               \
  X(IntPage, C, false, "int page boundaries 65536*k -1/0/+1, page counts")                   \
  X(IntTableSize, C, false, "int table size -1/0/+1")                                        \
  X(IntSmall, C, true, "int small (-63..63)")                                                \
  X(IntRandom, C, true, "int random bits")                                                   \
  X(FloatZero, C, false, "float +0 / -0")                                                    \
  X(FloatInf, C, false, "float +inf / -inf")                                                 \
  X(FloatNanCanonical, C, false, "float canonical NaN (both signs)")                         \
  X(FloatNanPayload, C, false, "float quiet NaN with a payload")                             \
  X(FloatNanSignalling, C, false, "float signalling NaN")                                    \
  X(FloatSubnormal, C, false, "float subnormal min/max, min normal")                         \
  X(FloatTrunc, C, false, "float +-2^31, 2^32, +-2^63, 2^64, -1 and the floats either side") \
  X(FloatHalf, C, false, "float 0.5, -0.5, 1.5, 2.5, -2.5, 2^23/2^52 - 0.5 (nearest)")       \
  X(FloatMaxFinite, C, false, "float +-max finite")                                          \
  X(FloatSmall, C, true, "float small quarter (-250..250)")                                  \
  X(FloatRandom, C, true, "float random bits")                                               \
  X(LaneMinMax, C, false, "v128 every lane min or max of its width")                         \
  X(LaneBytes, C, false, "v128 bytes 0x80 / 0x7f / 0xff / 0x00")                             \
  X(LaneQ15, C, false, "v128 i16 lanes 0x8000 / 0x7fff (q15mulr)")                           \
  X(LaneMixed, C, false, "v128 mixed edge lanes (i32 / i64 / f32 / f64)")                    \
  X(LaneRandom, C, true, "v128 splat of a scalar pick or random bits")                       \
  X(AtEnd, O, false, "address / index at the end: access ends at memory or table size")      \
  X(PastEnd, O, false, "address / index one past the end")                                   \
  X(AddrHuge, O, false, "address / index 2^31, 2^32-1, 2^32-1-offset")                       \
  X(BulkZeroAtEnd, O, false, "bulk: length 0 at the end (of memory, table or segment)")      \
  X(BulkZeroPastEnd, O, false, "bulk: length 0 one past the end")                            \
  X(BulkPastEnd, O, false, "bulk: range ending one past the end")                            \
  X(BulkOverlap, O, false, "bulk: overlapping copy (destination above or below source)")     \
  X(BulkFullRange, O, false, "bulk: the full range (0, size)")                               \
  X(SegmentAtEnd, O, false, "active segment ending exactly at the memory / table end")       \
  X(GrowZero, O, false, "grow by 0")                                                         \
  X(GrowToMax, O, false, "grow exactly to the declared maximum")                             \
  X(GrowPastMax, O, false, "grow to the maximum + 1")                                        \
  X(GrowHuge, O, false, "grow by 2^31, 2^32-1 or 65536")                                     \
  X(SelectCond, O, false, "select condition 0, 1, 2, 0x100, 2^31, 2^32-1")                   \
  X(BrTableLast, O, false, "br_table index of the last label")                               \
  X(BrTablePast, O, false, "br_table index one past the labels (default)")                   \
  X(BrTableHuge, O, false, "br_table index 2^31 or 2^32-1")                                  \
  X(OperandPlain, O, true, "operand as generated (masked or from the stack)")

enum class Edge : uint8_t {
#define WARDEN_GEN_EDGE_ENUM(n, g, p, d) n,
  WARDEN_GEN_EDGES(WARDEN_GEN_EDGE_ENUM)
#undef WARDEN_GEN_EDGE_ENUM
};

inline constexpr uint32_t kEdgeCount = 0
#define WARDEN_GEN_EDGE_COUNT(n, g, p, d) +1
    WARDEN_GEN_EDGES(WARDEN_GEN_EDGE_COUNT)
#undef WARDEN_GEN_EDGE_COUNT
    ;

struct EdgeInfo {
  const char* name;         ///< the enumerator's name
  bool operand;             ///< group O (else a constant's value, group C)
  bool plain;               ///< the non-edge rest of its group
  const char* description;  ///< what gen_stats prints
};

inline constexpr EdgeInfo kEdgeInfo[kEdgeCount] = {
#define WARDEN_GEN_EDGE_INFO(n, g, p, d) {#n, #g[0] == 'O', p, d},
    WARDEN_GEN_EDGES(WARDEN_GEN_EDGE_INFO)
#undef WARDEN_GEN_EDGE_INFO
};

inline const EdgeInfo& edge_info(Edge e) { return kEdgeInfo[static_cast<uint8_t>(e)]; }

/// How often each class was picked, summed over every module generated
/// while GenConfig::edge_counts pointed here. Counting consumes no input.
struct EdgeCounts {
  std::array<uint64_t, kEdgeCount> n{};
  void add(Edge e) { ++n[static_cast<uint8_t>(e)]; }
  uint64_t operator[](Edge e) const { return n[static_cast<uint8_t>(e)]; }
  /// Sum over one group (operands or constants).
  uint64_t total(bool operand) const {
    uint64_t s = 0;
    for (uint32_t i = 0; i < kEdgeCount; ++i)
      if (kEdgeInfo[i].operand == operand) s += n[i];
    return s;
  }
};

}  // namespace warden::gen
