// Instruction decoding (spec 5.4). Immediates are read according to the
// opcode table's Imm column; there is no second list of opcodes here.
#include "decode/expr.hpp"

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

void read_expr(Reader& r, ast::Expr& out, std::vector<uint32_t>& br_targets, bool has_data_count) {
  InstrReader in(r, has_data_count);
  read_expr(in, out, br_targets);
}

void read_expr(InstrReader& in, ast::Expr& out, std::vector<uint32_t>& br_targets) {
  in.reset();
  ast::Instr instr;
  while (in.next(instr)) {
    if (instr.op == Op::BrTable) {
      instr.a = static_cast<uint32_t>(br_targets.size());
      br_targets.insert(br_targets.end(), in.targets().begin(), in.targets().end());
    }
    out.push_back(instr);
  }
}

}  // namespace warden::decode_detail
