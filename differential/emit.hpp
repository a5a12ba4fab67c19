// A little instruction builder for the passes that write code into
// syntax trees (probe.cpp, probe_fold.cpp, observability.cpp).
#pragma once
#include <cstdint>

#include "warden/syntax.hpp"

namespace warden::diff {

struct Emit {
  ast::Expr& e;
  void op(Op o, uint32_t a = 0, uint32_t b = 0) {
    ast::Instr i;
    i.op = o;
    i.a = a;
    i.b = b;
    e.push_back(i);
  }
  void raw(Op o, uint64_t lo, uint64_t hi = 0) {
    ast::Instr i;
    i.op = o;
    i.lo = lo;
    i.hi = hi;
    e.push_back(i);
  }
  void i32(uint32_t v) { raw(Op::I32Const, v); }
  void i64(uint64_t v) { raw(Op::I64Const, v); }
  void v128(uint64_t lo, uint64_t hi) { raw(Op::V128Const, lo, hi); }
  void lget(uint32_t l) { op(Op::LocalGet, l); }
  void lset(uint32_t l) { op(Op::LocalSet, l); }
  void block(Op o, int64_t bt = ast::kBlockEmpty) { raw(o, static_cast<uint64_t>(bt)); }
  void end() { op(Op::End); }
  void lane(Op o, uint8_t l) {
    ast::Instr i;
    i.op = o;
    i.lane = l;
    e.push_back(i);
  }
};

/// A mutable i32 or i64 global starting at 0.
inline ast::Global zero_global(ValType t) {
  ast::Global g;
  g.type = {t, true};
  Emit b{g.init};
  t == ValType::I64 ? b.i64(0) : b.i32(0);
  b.end();
  return g;
}

}  // namespace warden::diff
