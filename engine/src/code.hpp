// The compiled code: the contract between the validator, which emits it while
// it checks a function body (spec 3.3), and the interpreter, which runs it.
//
// A function is a flat array of 64-bit words: an op word (an XOp number)
// followed by that op's immediates. Nothing is decoded at run time: LEB128s,
// block types, label depths and local indices are all resolved here.
//
// Frame layout, in 8-byte slots from the frame pointer fp:
//   fp[0 .. param_slots)            parameters (the caller's pushed arguments)
//   fp[param_slots .. local_slots)  declared locals, zeroed on entry
//   fp[local_slots .. )             the operand stack, at most max_stack slots
// i32 and f32 occupy a slot zero-extended; i64, f64 and references one slot
// (null = 0); v128 two slots, low half first (lower address). "height" below
// is a slot offset from fp, so it includes local_slots.
#pragma once
#include <cstdint>
#include <vector>

#include "warden/opcode.hpp"

namespace warden::code {

/// Compiled op numbers. Every table Op keeps its number (see the table for
/// which keep their original meaning); internal ops follow it.
enum class XOp : uint16_t {
  // Internal ops, numbered after the table.
  Jump = kOpCount,  // [target]                 pc = target
  JumpIfZero,       // [target]                 pop i32; if 0, pc = target   (if)
  BrMove,           // [target, height, keep]   move the top `keep` slots to
                    //                          fp+height, sp = fp+height+keep,
                    //                          pc = target                  (br)
  BrIfMove,         // [target, height, keep]   pop i32; if != 0, as BrMove  (br_if)
  BrTableMove,      // [n, (target, height, keep) * (n + 1)]
                    //                          pop i32 i; entry min(i, n)   (br_table)
  Select128,        // []                        select on v128 operands
  LocalGet128,      // [slot]
  LocalSet128,      // [slot]
  LocalTee128,      // [slot]
  GlobalGet128,     // [global index]
  GlobalSet128,     // [global index]
  Fuel,             // []   at function entry and every loop header: spend one
                    //      unit of fuel, check the deadline now and then
  Count_
};

inline constexpr uint16_t op_word(Op op) { return static_cast<uint16_t>(op); }
inline constexpr uint16_t op_word(XOp op) { return static_cast<uint16_t>(op); }

// Table ops as compiled, with their immediates:
//   Unreachable []         Nop, Block, Loop, Else, End: never emitted
//   If, Br, BrIf, BrTable: never emitted (JumpIfZero/Jump/Br*Move instead;
//                          a branch that needs no move may compile to Jump)
//   Return []              results are the top result_slots slots
//   Call [func index]      function index space of the module (imports first)
//   CallIndirect [type index, table index]
//   Drop []                drops one slot (v128: emitted twice)
//   Select, SelectT []     one-slot operands (v128: Select128)
//   LocalGet/Set/Tee [slot]        one-slot locals (v128: the *128 ops)
//   GlobalGet/Set [global index]   one-slot globals (v128: the *128 ops)
//   TableGet/Set/Size/Grow/Fill [table]; TableCopy [dst, src];
//   TableInit [elem, table]; ElemDrop [elem]
//   Load/Store ops [offset]; load/store lane ops [offset, lane]
//   MemorySize, MemoryGrow, MemoryCopy, MemoryFill []; MemoryInit [data];
//   DataDrop [data]
//   I32Const, I64Const, F32Const, F64Const [bits]; V128Const [lo, hi]
//   RefNull [] (pushes 0); RefIsNull []; RefFunc [func index]
//   Num/Trap class ops []; lane ops (extract/replace) [lane];
//   I8x16Shuffle [lo, hi] (the 16 lane bytes, little endian)
// A function's code always ends with Return.

struct CompiledFunc {
  std::vector<uint64_t> code;
  uint32_t type = 0;  // module type index
  uint32_t param_slots = 0;
  uint32_t local_slots = 0;  // params + declared locals
  uint32_t result_slots = 0;
  uint32_t max_stack = 0;  // operand-stack slots needed above local_slots
};

}  // namespace warden::code
