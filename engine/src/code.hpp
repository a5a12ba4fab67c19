// The compiled code: the contract between the validator, which emits it while
// it checks a function body (spec 3.3), and the interpreter, which runs it.
//
// A function is a flat array of 64-bit words: an op word followed by that
// op's immediates. Nothing is decoded at run time: LEB128s, block types,
// label depths and local indices are all resolved here.
//
// An op word is the op's number (an Op or XOp value, or a fused_word()),
// mapped through the table the compiler is given (Context::op_words): the
// interpreter's table holds the address of each number's handler, so that
// running code jumps to the word itself (direct threading) instead of
// looking its number up. Without a table the words are the numbers: the
// tests spell compiled code that way, and the interpreter never runs it.
//
// A branch target word ([target] below) holds the distance in words from
// itself to the target, as a two's-complement number (a loop's is
// negative): the interpreter jumps with pc = &word + word and keeps no
// pointer to the function's first word.
//
// Frame layout, in 8-byte slots from the frame pointer fp:
//   fp[0 .. param_slots)            parameters (the caller's pushed arguments)
//   fp[param_slots .. local_slots)  declared locals, zeroed on entry
//   fp[local_slots .. )             the operand stack, at most max_stack slots
// i32 and f32 occupy a slot zero-extended; i64, f64 and references one slot
// (null = 0); v128 two slots, low half first (lower address). "height" below
// is a slot offset from fp, so it includes local_slots.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
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
  JumpIfNonZero,    // [target]  pop i32; if != 0, pc = target (a br_if that
                    //           moves nothing)
  LocalGet2,        // [x, y]    push local x, then local y: two adjacent
                    //           local.gets that no fusion took (a call's
                    //           arguments, often)
  Count_
};

inline constexpr uint16_t op_word(Op op) { return static_cast<uint16_t>(op); }
inline constexpr uint16_t op_word(XOp op) { return static_cast<uint16_t>(op); }

// ---- Fused ops (operand fusion, docs/design.md "Fused operands").
//
// The compiler folds the local.get and const instructions that feed an
// operator into the operator itself, and the local.set, local.tee or br_if
// that takes its result, so that `local.get 1; i32.const 1; i32.add;
// local.set 1` is one dispatch. A fused op word is
// kFuseBase + kForms * row + form, form = kSrcs * mode + src:
//
//   src: where the operands come from (binary operator: first, second; a
//   store: address, value; a unary operator or a load: its operand)
//     kStackLocal  first on the stack, second a local  [y]
//     kStackConst  first on the stack, second a const  [c]
//     kLocals      every operand a local               [x] or [x, y]
//     kLocalConst  first a local, second a const       [x, c]
//   (a v128 constant c is two words, lo then hi, as v128.const's)
//     kStack       every operand on the stack          []
//   mode: where the result goes
//     kPush        pushed (kStack + kPush is the plain op: never fused)
//     kSet, kTee   written to local [d] (kTee pushes it too)
//     kBrNZ, kBrZ  an i32 result that decides a branch to [target]: taken
//                  if it is non-zero (br_if), or zero (if)
//
// Immediates: the operand words, then a load's or store's offset, then
// the result word. Locals are slot offsets from fp, as for local.get;
// constants are the const instruction's word. Which rows take which forms
// is fusable() below, which the compiler and the interpreter both ask: a
// form the compiler can emit always has a handler, and no other form is
// ever emitted.
//
// The build can turn fusion off (WARDEN_FUSION=0, CMake's WARDEN_FUSION):
// fusable() is then false for every form, so the compiler emits none and
// the interpreter has no fused handlers.
#ifndef WARDEN_FUSION
#define WARDEN_FUSION 1
#endif
inline constexpr bool kFusion = WARDEN_FUSION != 0;
inline constexpr uint16_t kFuseBase = static_cast<uint16_t>(XOp::Count_);
inline constexpr int kStackLocal = 0, kStackConst = 1, kLocals = 2, kLocalConst = 3, kStack = 4, kSrcs = 5;
inline constexpr int kPush = 0, kSet = 1, kTee = 2, kBrNZ = 3, kBrZ = 4, kModes = 5;
inline constexpr int kForms = kSrcs * kModes;
/// How many op numbers there are: the size of an op-word table.
inline constexpr size_t kWordCount = kFuseBase + (kFusion ? size_t{kForms} * kOpCount : 0);

constexpr int form(int src, int mode) { return kSrcs * mode + src; }
constexpr int src_of(int form) { return form % kSrcs; }
constexpr int mode_of(int form) { return form / kSrcs; }

constexpr bool scalar(Ty t) { return t == Ty::I32 || t == Ty::I64 || t == Ty::F32 || t == Ty::F64; }
// v128.load and v128.store: a v128 accessed whole (natural alignment 2^4),
// not the widening, splatting, zero-filling or lane accesses.
constexpr bool whole_v128(Ty t, uint8_t align_log2) { return t == Ty::V128 && align_log2 == 4; }

/// Whether `form` of `op` exists. Scalar Num/Trap rows: binary ones take
/// every source, unary ones kLocals and kStack; every mode, the branches
/// only for an i32 result. Num rows with a v128 operand or result and no
/// immediate (f64x2.mul, i8x16.shl, v128.any_true; not the lane ops): the
/// same. Scalar loads and v128.load: kLocals and kStack, pushed, set or
/// teed. Scalar stores: the four sources with a local or a constant, kPush
/// (they have no result); v128.store only those with a local. Never kStack
/// + kPush: that is the plain op.
constexpr bool fusable(Op op, int form) {
  if (!kFusion) return false;
  const OpInfo& o = info(op);
  const int src = src_of(form), mode = mode_of(form);
  if (src == kStack && mode == kPush) return false;
  const bool branch = mode == kBrNZ || mode == kBrZ;
  auto value = [](Ty t) { return scalar(t) || t == Ty::V128; };
  const bool wide = o.p1 == Ty::V128 || o.p2 == Ty::V128 || o.result == Ty::V128;
  switch (o.cls) {
    case OpClass::Num:
    case OpClass::Trap:
      if (o.p3 != Ty::_ || (branch && o.result != Ty::I32)) return false;
      if (wide && (o.cls != OpClass::Num || o.imm != Imm::None)) return false;
      if (!value(o.p1) || !value(o.result)) return false;
      if (o.p2 == Ty::_) return src == kLocals || src == kStack;
      return value(o.p2);
    case OpClass::Load:
      return o.imm == Imm::Mem && (scalar(o.result) || whole_v128(o.result, o.arg)) &&
             (src == kLocals || src == kStack) && !branch;
    case OpClass::Store:
      if (o.imm != Imm::Mem || src == kStack || mode != kPush) return false;
      if (whole_v128(o.p2, o.arg)) return src == kStackLocal || src == kLocals;  // no v128 constant operand
      return scalar(o.p2);
    default: return false;
  }
}

constexpr uint16_t fused_word(Op op, int form) {
  return static_cast<uint16_t>(kFuseBase + kForms * static_cast<uint16_t>(op) + form);
}

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
//   Fused ops: see fused_word() below.
// A function's code always ends with Return.

struct CompiledFunc {
  std::span<const uint64_t> code;  // in its CompiledCode's chunks
  uint32_t type = 0;               // module type index
  uint32_t param_slots = 0;
  uint32_t local_slots = 0;  // params + declared locals
  uint32_t result_slots = 0;
  uint32_t max_stack = 0;  // operand-stack slots needed above local_slots
};

/// A module's compiled functions, in function order, and the words their
/// code lives in. The words are copied in, one function after another, to
/// chunks that never move, so every CompiledFunc::code stays valid as long
/// as this does, moves included. One allocation per chunk, not per
/// function (docs/design.md, "Loading: from bytes to code").
///
/// Chunks start at kFirstChunk words and double up to kMaxChunk, each new
/// one at least four times the function that did not fit in the last (so
/// large functions make chunks grow sooner). A function longer than a
/// quarter of kMaxChunk gets a chunk of its own size; a shorter one that
/// does not fit starts the next chunk, leaving behind less than a quarter
/// of that chunk. seal() trims the open chunk to what
/// it holds, so a module keeps at most a third more words than its code.
///
/// Chunks of kMaxChunk words (2 MiB) are mapped on their own, 2 MiB
/// aligned, and the kernel is asked to back them with transparent huge
/// pages (madvise MADV_HUGEPAGE): a large module's code is then faulted in
/// 2 MiB at a time instead of 4 KiB, which was a third of the time of a
/// first load of a 10 MB module. A small module never gets such a chunk.
// Under AddressSanitizer each function's code is followed by a poisoned
// guard word, so that a read past a function's last word is reported, as it
// was when every function had an allocation of its own.
#if defined(__SANITIZE_ADDRESS__)
#define WARDEN_CODE_GUARDS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WARDEN_CODE_GUARDS 1
#endif
#endif
#ifndef WARDEN_CODE_GUARDS
#define WARDEN_CODE_GUARDS 0
#endif

class CompiledCode {
 public:
  /// Words after each function's code that no code may read (see above).
  static constexpr size_t kGuardWords = WARDEN_CODE_GUARDS ? 1 : 0;
  static constexpr size_t kFirstChunk = 128, kMaxChunk = size_t{1} << 18;
  /// A function whose code and guard take more words than this gets a
  /// chunk of its own (see above).
  static constexpr size_t kOwnChunkPast = kMaxChunk / 4;

  std::vector<CompiledFunc> funcs;

  const CompiledFunc& operator[](size_t i) const { return funcs[i]; }
  size_t size() const { return funcs.size(); }
  /// Copies `words` in; the span returned stays valid while this does.
  std::span<const uint64_t> add(std::span<const uint64_t> words);
  /// Trims the open chunk to the words it holds (at the end of a load).
  void seal();
  /// Takes over the chunks of `other`, which is sealed, and with them the
  /// words its functions' code spans point to (funcs are not moved: they
  /// are the caller's to place).
  void absorb(CompiledCode&& other);
  /// Words allocated, and words holding code (and guards).
  size_t allocated() const { return allocated_; }
  size_t used() const { return used_; }
  /// Chunks mapped apart (for huge pages).
  size_t mapped_chunks() const;

 private:
  // Frees a chunk: delete[] if `mapped` is 0, else munmap of that many bytes.
  struct Free {
    size_t mapped = 0;
    void operator()(uint64_t* p) const;
  };
  using Chunk = std::unique_ptr<uint64_t[], Free>;
  static Chunk make_chunk(size_t words);

  std::vector<Chunk> chunks_;
  size_t open_ = 0;  // chunks_[open_ - 1] is the chunk `free_` is in (0: none)
  uint64_t* free_ = nullptr;
  size_t left_ = 0;  // words free at free_
  size_t next_ = kFirstChunk;
  size_t allocated_ = 0, used_ = 0;
};

}  // namespace warden::code
