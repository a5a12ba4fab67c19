// Instruction decoding (spec 5.4). Immediates are read according to the
// opcode table's Imm column; there is no second list of opcodes here.
#include "decode/expr.hpp"

#include <optional>

namespace warden::decode_detail {
namespace {

// A type byte is a 7-bit signed LEB in the reference decoder, so a byte with
// its continuation bit set is an over-long encoding rather than an unknown
// type. Returns -1 after an error.
int type_byte(Reader& r) {
  uint8_t b = r.u8();
  if (!r.ok()) return -1;
  if (b & 0x80) {
    r.fail("integer representation too long", r.pos());
    return -1;
  }
  return b;
}

// Block types (spec 5.4.1): 0x40, a value type, or a non-negative s33 type
// index. A one-byte value in 0x40..0x7F is a value type; a negative index
// matches no production of the grammar.
int64_t read_block_type(Reader& r) {
  int b = r.peek();
  if (b == 0x40) {
    r.u8();
    return ast::kBlockEmpty;
  }
  if (b >= 0 && (b & 0xC0) == 0x40) return ast::block_of(read_value_type(r));
  size_t at = r.pos();
  int64_t v = r.sleb(33);
  if (r.ok() && v < 0) r.fail("malformed block type", at);
  return v;
}

void read_zero(Reader& r) {
  size_t at = r.pos();
  uint8_t b = r.u8();
  if (r.ok() && b != 0) r.fail("zero byte expected", at);
}

uint64_t read_le(const uint8_t* p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

// Control-stack entries: what may legally follow inside this level.
enum : uint8_t { kBlock = 0, kIf = 1, kElse = 2 };

}  // namespace

ValType read_value_type(Reader& r) {
  size_t at = r.pos();
  int b = type_byte(r);
  switch (b) {
    case 0x7F:
    case 0x7E:
    case 0x7D:
    case 0x7C:
    case 0x7B:
    case 0x70:
    case 0x6F: return static_cast<ValType>(b);
    case -1: return ValType::I32;
    default: r.fail("malformed value type", at); return ValType::I32;
  }
}

ValType read_ref_type(Reader& r) {
  size_t at = r.pos();
  int b = type_byte(r);
  if (b == 0x70 || b == 0x6F) return static_cast<ValType>(b);
  if (b >= 0) r.fail("malformed reference type", at);
  return ValType::FuncRef;
}

void read_expr(Reader& r, ast::Expr& out, std::vector<uint32_t>& br_targets, bool has_data_count) {
  std::vector<uint8_t> open;  // one entry per enclosing block, loop or if
  while (r.ok()) {
    size_t at = r.pos();
    uint8_t byte = r.u8();
    if (!r.ok()) return;
    std::optional<Op> op;
    if (byte == 0xFC || byte == 0xFD) {
      uint32_t sub = r.u32();  // sub-opcodes are u32 LEBs (spec 5.4.6)
      if (!r.ok()) return;
      op = lookup_opcode(byte, sub);
    } else {
      op = lookup_opcode(0, byte);
    }
    if (!op) {
      r.fail("illegal opcode", at);
      return;
    }
    ast::Instr in;
    in.op = *op;
    in.pos = static_cast<uint32_t>(at);
    switch (info(*op).imm) {
      case Imm::None: break;
      case Imm::Block: in.lo = static_cast<uint64_t>(read_block_type(r)); break;
      case Imm::Label:
      case Imm::Func:
      case Imm::Local:
      case Imm::Global:
      case Imm::Table:
      case Imm::Elem:
      case Imm::Data: in.a = r.u32(); break;
      case Imm::BrTable: {
        uint32_t n = r.len();
        in.a = static_cast<uint32_t>(br_targets.size());
        for (uint32_t i = 0; i < n && r.ok(); ++i) br_targets.push_back(r.u32());
        br_targets.push_back(r.u32());  // default label
        in.b = n + 1;
        break;
      }
      case Imm::CallInd:
      case Imm::TableTable:
      case Imm::ElemTable:
        in.a = r.u32();
        in.b = r.u32();
        break;
      case Imm::Mem:
        in.a = r.u32();
        in.b = r.u32();
        break;
      case Imm::MemLane:
        in.a = r.u32();
        in.b = r.u32();
        in.lane = r.u8();
        break;
      case Imm::Zero: read_zero(r); break;
      case Imm::Zero2:
        read_zero(r);
        read_zero(r);
        break;
      case Imm::DataZero:
        in.a = r.u32();
        read_zero(r);
        break;
      case Imm::I32: in.lo = static_cast<uint32_t>(static_cast<int32_t>(r.sleb(32))); break;
      case Imm::I64: in.lo = static_cast<uint64_t>(r.sleb(64)); break;
      case Imm::F32: in.lo = r.fixed(4); break;
      case Imm::F64: in.lo = r.fixed(8); break;
      case Imm::V128:
      case Imm::Shuffle:
        if (const uint8_t* p = r.bytes(16)) {
          in.lo = read_le(p, 8);
          in.hi = read_le(p + 8, 8);
        }
        break;
      case Imm::Lane: in.lane = r.u8(); break;
      case Imm::HeapType: in.a = static_cast<uint8_t>(read_ref_type(r)); break;
      case Imm::SelectT: {
        uint32_t n = r.len();
        in.b = n;
        for (uint32_t i = 0; i < n && r.ok(); ++i) {
          ValType t = read_value_type(r);
          if (i == 0) in.a = static_cast<uint8_t>(t);
        }
        break;
      }
    }
    if (!r.ok()) return;
    if ((*op == Op::MemoryInit || *op == Op::DataDrop) && !has_data_count) {
      r.fail("data count section required", at);
      return;
    }
    switch (*op) {
      case Op::Block:
      case Op::Loop: open.push_back(kBlock); break;
      case Op::If: open.push_back(kIf); break;
      case Op::Else:
        // Only directly inside an `if`, once; anywhere else the reference
        // decoder expects the `end` of the enclosing level.
        if (open.empty() || open.back() != kIf) {
          r.fail("END opcode expected", at);
          return;
        }
        open.back() = kElse;
        break;
      case Op::End:
        if (open.empty()) {
          out.push_back(in);
          return;
        }
        open.pop_back();
        break;
      default: break;
    }
    out.push_back(in);
  }
}

}  // namespace warden::decode_detail
