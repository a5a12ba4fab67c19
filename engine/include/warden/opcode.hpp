// The opcode enumeration and per-opcode facts, all derived from opcodes.def.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace warden {

/// Every WebAssembly 2.0 instruction, in table order.
enum class Op : uint16_t {
#define WARDEN_OP(name, ...) name,
#include "warden/opcodes.def"
#undef WARDEN_OP
};

/// Number of rows in the table.
inline constexpr uint16_t kOpCount = 0
#define WARDEN_OP(...) +1
#include "warden/opcodes.def"
#undef WARDEN_OP
    ;

/// Immediate kinds (spec 5.4). How each is stored in an Instr: see ast.hpp.
enum class Imm : uint8_t {
  None,
  Block,       // blocktype
  Label,       // labelidx
  BrTable,     // vec(labelidx) labelidx
  Func,        // funcidx
  CallInd,     // typeidx tableidx
  Local,       // localidx
  Global,      // globalidx
  Table,       // tableidx
  Elem,        // elemidx
  Data,        // dataidx
  Mem,         // memarg
  MemLane,     // memarg laneidx
  Zero,        // one 0x00 byte (memory index in 2.0)
  Zero2,       // two 0x00 bytes (memory.copy)
  DataZero,    // dataidx 0x00 (memory.init)
  TableTable,  // tableidx tableidx (table.copy: destination, source)
  ElemTable,   // elemidx tableidx (table.init)
  I32,         // i32 (signed LEB)
  I64,         // i64 (signed LEB)
  F32,         // 4 raw bytes
  F64,         // 8 raw bytes
  V128,        // 16 raw bytes
  Lane,        // laneidx byte
  Shuffle,     // 16 laneidx bytes
  HeapType,    // reftype byte
  SelectT,     // vec(valtype)
};

enum class OpClass : uint8_t { Ctrl, Num, Trap, Load, Store, Other };

/// Operand/result types as the table spells them; `_` is "none".
enum class Ty : uint8_t { _, I32, I64, F32, F64, V128 };

/// Which results deterministic mode canonicalises (spec 4.3.3 NaN rules).
enum class NanCanon : uint8_t { _, S, D, S4, D2 };

struct OpInfo {
  uint8_t prefix;  // 0, 0xFC or 0xFD
  uint32_t code;   // byte or sub-opcode
  std::string_view name;
  Imm imm;
  OpClass cls;
  Ty p1, p2, p3, result;
  uint8_t arg;  // natural alignment log2 (memory) or lane count (lanes)
  NanCanon nan;
  bool commutative;  // the operands can trade places (opcodes.def, Comm)
};

inline constexpr OpInfo kOpInfo[] = {
#define WARDEN_OP(name, prefix, code, text, imm, cls, p1, p2, p3, r, arg, nan, comm) \
  {prefix, code, text, Imm::imm, OpClass::cls, Ty::p1, Ty::p2, Ty::p3, Ty::r, arg, NanCanon::nan, comm != 0},
#include "warden/opcodes.def"
#undef WARDEN_OP
};

inline constexpr const OpInfo& info(Op op) { return kOpInfo[static_cast<uint16_t>(op)]; }
inline constexpr std::string_view name(Op op) { return info(op).name; }

/// Decoder lookup: the opcode for (prefix, code), or nullopt if the byte
/// sequence names no instruction ("illegal opcode"). Prefix 0 = single byte.
std::optional<Op> lookup_opcode(uint8_t prefix, uint32_t code);

/// Text-parser lookup by instruction name (e.g. "i32.add"). `select` maps to
/// Op::Select; the parser switches to SelectT when a result type follows.
std::optional<Op> lookup_opcode(std::string_view text);

}  // namespace warden
