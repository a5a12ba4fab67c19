// Decoding of types and instruction sequences (spec 5.3, 5.4), shared by
// function bodies and constant expressions.
//
// InstrReader decodes one instruction at a time, so that a consumer (the
// validator's compiler, in Module::load) can take each as it is decoded
// and nothing proportional to a body's instruction count is held; read_expr
// collects them into a tree for decode(). Both are the same code: there is
// one decoder of instructions. The reader is inline because it sits in the
// validator's innermost loop (docs/design.md, "Loading: from bytes to code").
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "decode/reader.hpp"
#include "warden/opcode.hpp"
#include "warden/syntax.hpp"

namespace warden::decode_detail {

/// A value type (spec 5.3.4). Types are single bytes; a set continuation
/// bit is "integer representation too long" (the reference reads them as
/// 7-bit LEBs), any other unknown byte "malformed value type".
ValType read_value_type(Reader& r);

/// A reference type (spec 5.3.3): funcref or externref, else "malformed
/// reference type".
ValType read_ref_type(Reader& r);

/// Block types (spec 5.4.1) as ast::Instr stores them. Out of line: rarer
/// than the instructions around them.
int64_t read_block_type(Reader& r);

/// What an encoding decodes to: the opcode table's row (opcodes.def), its
/// immediates, and what it does to the nesting of blocks.
struct OpcodeEntry {
  enum Nest : uint8_t { kFlat, kOpen, kOpenIf, kElse, kEnd };
  int16_t op = -1;  // an Op, or -1: no instruction has this encoding
  Imm imm = Imm::None;
  Nest nest = kFlat;
};

/// kOpInfo indexed by encoding, built at compile time (so no second list).
struct OpcodeIndex {
  std::array<OpcodeEntry, 256> single;
  std::array<OpcodeEntry, 32> fc;
  std::array<OpcodeEntry, 256> fd;
};
inline constexpr OpcodeIndex kOpcodeIndex = [] {
  OpcodeIndex t{};
  // Every entry explicitly "no instruction" first. Without this, GCC 12 at
  // -O2 emits the constant with fc[18..31] as op 0 (`unreachable`), so the
  // unassigned encodings 0xFC 18-31 decoded as `unreachable`; the constant
  // evaluation itself is right (a static_assert sees -1 there), only the
  // emitted data is wrong, so no compile-time check can catch it: the
  // regression script corpora/regressions/differential/
  // warden-fc-unassigned-opcodes.wast does, at run time. Clang 14 is right.
  t.single.fill(OpcodeEntry{});
  t.fc.fill(OpcodeEntry{});
  t.fd.fill(OpcodeEntry{});
  for (uint16_t i = 0; i < kOpCount; ++i) {
    const OpInfo& o = kOpInfo[i];
    OpcodeEntry e{static_cast<int16_t>(i), o.imm, OpcodeEntry::kFlat};
    switch (static_cast<Op>(i)) {
      case Op::Block:
      case Op::Loop: e.nest = OpcodeEntry::kOpen; break;
      case Op::If: e.nest = OpcodeEntry::kOpenIf; break;
      case Op::Else: e.nest = OpcodeEntry::kElse; break;
      case Op::End: e.nest = OpcodeEntry::kEnd; break;
      default: break;
    }
    // An encoding past an array's end fails to compile (out of bounds in a
    // constant expression), so the sizes cannot silently fall behind.
    if (o.prefix == 0)
      t.single[o.code] = e;
    else if (o.prefix == 0xFC)
      t.fc[o.code] = e;
    else
      t.fd[o.code] = e;
  }
  return t;
}();

/// Reads the instructions of one expression (spec 5.4.9) from `r`, one per
/// next(), up to and including the `end` that closes the outermost level.
/// Block nesting is tracked with an explicit stack, never by recursion.
/// memory.init and data.drop need the data count section (spec 5.5.15):
/// `has_data_count` says whether there is one. Errors are latched in `r`.
class InstrReader {
 public:
  InstrReader(Reader& r, bool has_data_count) : r_(r), has_data_count_(has_data_count) {}

  /// Start a new expression (the nesting stack is kept for its capacity).
  void reset() {
    open_.clear();
    done_ = false;
  }

  /// The final `end` has been read.
  bool done() const { return done_; }
  /// No malformed byte so far (the Reader's latched error).
  bool ok() const { return r_.ok(); }

  /// The next instruction into `in` (every field set: ast::Instr's layout),
  /// or false at an error (latched in the Reader) or after the final end.
  /// br_table's labels, the default last, are targets(): in.a = 0 and
  /// in.b = their number, valid until the next call.
  bool next(ast::Instr& in) {
    if (done_ || !r_.ok()) return false;
    // The common case, decoded in registers: a one-byte opcode with no
    // immediates, with one or two LEBs of at most 4 bytes (local.get 3,
    // i32.const 65280, call 1000, i32.load offset=8, call_indirect 2 0),
    // with a float's 4 or 8 bytes, or `block`/`loop` with no type. At most
    // 4 bytes, a LEB can be neither too long nor too large for 32 bits;
    // anything else is decoded from its opcode on by next_general, with
    // every check, so the two paths cannot disagree.
    const size_t at = r_.pos();
    if (r_.size() - at >= 9) {  // the opcode and two 4-byte LEBs
      const uint8_t* const p = r_.data() + at;
      const OpcodeEntry& e = kOpcodeIndex.single[p[0]];
      ast::Instr out{};
      uint32_t v = 0;
      size_t len = 0, n = 0;
      switch (e.imm) {
        case Imm::None: len = 1; break;
        case Imm::Label:
        case Imm::Func:
        case Imm::Local:
        case Imm::Global:
        case Imm::Table:
          n = leb4(p + 1, v);
          out.a = v;
          len = n ? 1 + n : 0;
          break;
        case Imm::I32:
          n = leb4(p + 1, v);
          out.lo = static_cast<uint32_t>(sign_extend(v, n));
          len = n ? 1 + n : 0;
          break;
        case Imm::I64:
          n = leb4(p + 1, v);
          out.lo = static_cast<uint64_t>(int64_t{sign_extend(v, n)});
          len = n ? 1 + n : 0;
          break;
        case Imm::F32:
          out.lo = le_bytes(p + 1, 4);
          len = 5;
          break;
        case Imm::F64:
          out.lo = le_bytes(p + 1, 8);
          len = 9;
          break;
        case Imm::Mem:
        case Imm::CallInd:
          if ((n = leb4(p + 1, v))) {
            out.a = v;
            const size_t n2 = leb4(p + 1 + n, v);
            out.b = v;
            len = n2 ? 1 + n + n2 : 0;
          }
          break;
        case Imm::Block:
          out.lo = static_cast<uint64_t>(ast::kBlockEmpty);
          len = p[1] == 0x40 ? 2 : 0;
          break;
        default: break;
      }
      if (len != 0 && e.op >= 0) {
        out.op = static_cast<Op>(e.op);
        out.pos = static_cast<uint32_t>(at);
        r_.seek(at + len);
        in = out;
        return e.nest == OpcodeEntry::kFlat || nest(e.nest, at);
      }
    }
    return next_general(in);
  }

  std::span<const uint32_t> targets() const { return targets_; }

 private:
  // Control-stack entries: what may legally follow inside this level.
  enum : uint8_t { kBlock = 0, kIf = 1, kElse = 2 };

  // A LEB128 of at most 4 bytes at p: its 28 bits in v and its length, or
  // 0 if it runs on (the general path reads it then).
  static size_t leb4(const uint8_t* p, uint32_t& v) {
    uint32_t r = 0;
    for (size_t i = 0; i < 4; ++i) {
      r |= uint32_t{p[i] & 0x7Fu} << (7 * i);
      if (p[i] < 0x80) {
        v = r;
        return i + 1;
      }
    }
    return 0;
  }

  // n <= 8 bytes at p, little-endian (as Reader::fixed).
  static uint64_t le_bytes(const uint8_t* p, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
    return v;
  }

  // v, a signed LEB of n bytes (1 to 4), sign-extended from its bit 7n-1.
  static int32_t sign_extend(uint32_t v, size_t n) {
    const unsigned unused = 32 - 7 * static_cast<unsigned>(n);
    if (n == 0) return 0;
    return static_cast<int32_t>(v << unused) >> unused;  // two's complement, C++20
  }

  // next() for any instruction, through the Reader's checked reads.
  [[gnu::noinline]] bool next_general(ast::Instr& in) {
    const size_t at = r_.pos();
    const uint8_t byte = r_.u8();
    if (!r_.ok()) return false;
    const OpcodeEntry* e = &kOpcodeIndex.single[byte];
    if (byte == 0xFC || byte == 0xFD) {
      const uint32_t sub = r_.u32();  // sub-opcodes are u32 LEBs (spec 5.4.6)
      if (!r_.ok()) return false;
      static constexpr OpcodeEntry kNone{};
      if (byte == 0xFC)
        e = sub < kOpcodeIndex.fc.size() ? &kOpcodeIndex.fc[sub] : &kNone;
      else
        e = sub < kOpcodeIndex.fd.size() ? &kOpcodeIndex.fd[sub] : &kNone;
    }
    if (e->op < 0) {
      r_.fail("illegal opcode", at);
      return false;
    }
    in = ast::Instr{};
    in.op = static_cast<Op>(e->op);
    in.pos = static_cast<uint32_t>(at);
    immediates(in, e->imm);
    if (!r_.ok()) return false;
    return e->nest == OpcodeEntry::kFlat || nest(e->nest, at);
  }

  bool nest(OpcodeEntry::Nest n, size_t at) {
    switch (n) {
      case OpcodeEntry::kFlat: break;
      case OpcodeEntry::kOpen: open_.push_back(kBlock); break;
      case OpcodeEntry::kOpenIf: open_.push_back(kIf); break;
      case OpcodeEntry::kElse:
        // Only directly inside an `if`, once; anywhere else the reference
        // decoder expects the `end` of the enclosing level.
        if (open_.empty() || open_.back() != kIf) {
          r_.fail("END opcode expected", at);
          return false;
        }
        open_.back() = kElse;
        break;
      case OpcodeEntry::kEnd:
        if (open_.empty())
          done_ = true;
        else
          open_.pop_back();
        break;
    }
    return true;
  }

  // The immediates of `in.op`, by the table's Imm column.
  void immediates(ast::Instr& in, Imm imm) {
    switch (imm) {
      case Imm::None: break;
      case Imm::Label:
      case Imm::Func:
      case Imm::Local:
      case Imm::Global:
      case Imm::Table:
      case Imm::Elem: in.a = r_.u32(); break;
      case Imm::Mem:
        in.a = r_.u32();
        in.b = r_.u32();
        break;
      case Imm::I32: in.lo = static_cast<uint32_t>(static_cast<int32_t>(r_.sleb(32))); break;
      case Imm::I64: in.lo = static_cast<uint64_t>(r_.sleb(64)); break;
      case Imm::Block: in.lo = static_cast<uint64_t>(read_block_type(r_)); break;
      case Imm::Data:
        in.a = r_.u32();
        data_count_needed(in);
        break;
      case Imm::BrTable: {
        const uint32_t n = r_.len();  // at most the bytes left: no claim unbacked
        // Sized once and filled in place: br_table lists thousands long
        // are common in fuzzed input, and element-wise growth showed up.
        targets_.resize(size_t{n} + 1);
        for (uint32_t i = 0; i <= n && r_.ok(); ++i) targets_[i] = r_.u32();  // the default label last
        in.b = n + 1;
        break;
      }
      case Imm::CallInd:
      case Imm::TableTable:
      case Imm::ElemTable:
        in.a = r_.u32();
        in.b = r_.u32();
        break;
      case Imm::MemLane:
        in.a = r_.u32();
        in.b = r_.u32();
        in.lane = r_.u8();
        break;
      case Imm::Zero: zero(); break;
      case Imm::Zero2:
        zero();
        zero();
        break;
      case Imm::DataZero:
        in.a = r_.u32();
        zero();
        data_count_needed(in);
        break;
      case Imm::F32: in.lo = r_.fixed(4); break;
      case Imm::F64: in.lo = r_.fixed(8); break;
      case Imm::V128:
      case Imm::Shuffle:
        in.lo = r_.fixed(8);
        in.hi = r_.fixed(8);
        break;
      case Imm::Lane: in.lane = r_.u8(); break;
      case Imm::HeapType: in.a = static_cast<uint8_t>(read_ref_type(r_)); break;
      case Imm::SelectT: {
        const uint32_t n = r_.len();
        in.b = n;
        for (uint32_t i = 0; i < n && r_.ok(); ++i) {
          const ValType t = read_value_type(r_);
          if (i == 0) in.a = static_cast<uint8_t>(t);
        }
        break;
      }
    }
  }

  // After the immediates of memory.init and data.drop (the Data and
  // DataZero rows).
  void data_count_needed(const ast::Instr& in) {
    if (r_.ok() && !has_data_count_ && (in.op == Op::MemoryInit || in.op == Op::DataDrop))
      r_.fail("data count section required", in.pos);
  }

  void zero() {
    const size_t at = r_.pos();
    const uint8_t b = r_.u8();
    if (r_.ok() && b != 0) r_.fail("zero byte expected", at);
  }

  Reader& r_;
  bool has_data_count_;
  bool done_ = false;
  std::vector<uint8_t> open_;  // one entry per enclosing block, loop or if
  std::vector<uint32_t> targets_;
};

/// Instructions up to and including the `end` that closes the outermost
/// level, appended to `out`; br_table label lists are appended to
/// `br_targets` as syntax.hpp describes. Errors are latched in `r`.
void read_expr(Reader& r, ast::Expr& out, std::vector<uint32_t>& br_targets, bool has_data_count);
/// The same through a reader of the caller's, reset first: the bodies of a
/// code section share one, and with it the capacity of its block stack.
void read_expr(InstrReader& in, ast::Expr& out, std::vector<uint32_t>& br_targets);

}  // namespace warden::decode_detail
