#include "probe_fold.hpp"

#include <algorithm>

#include "emit.hpp"

namespace warden::diff {
namespace {

// An odd multiplier (2^64 / golden ratio): multiplying by it is a bijection
// of the i64s, and it spreads low bits upwards.
constexpr uint64_t kMix = 0x9E3779B97F4A7C15ull;

struct Folder {
  Emit b;
  const FoldConfig& cfg;
  uint32_t scratch;  // first of three scratch locals: v128, f32, f64
  bool used_scratch = false;

  // checksum = (checksum xor v) * kMix, v the i64 on top of the stack.
  void mix() {
    b.op(Op::GlobalGet, cfg.checksum);
    b.op(Op::I64Xor);
    b.i64(kMix);
    b.op(Op::I64Mul);
    b.op(Op::GlobalSet, cfg.checksum);
  }

  // Whether folding `t` reads the value more than once.
  bool reads_twice(ValType t) const {
    return t == ValType::V128 || (!cfg.exact_floats && (t == ValType::F32 || t == ValType::F64));
  }
  bool skipped(ValType t) const { return t == ValType::V128 && !cfg.exact_floats; }

  // Folds a value of type `t` that each call of `get` pushes (a `get` that
  // emits nothing folds the value already on the stack, once).
  template <class Get>
  void fold(ValType t, Get get) {
    switch (t) {
      case ValType::I32:
        get();
        b.op(Op::I64ExtendI32U);
        break;
      case ValType::I64: get(); break;
      case ValType::F32:
      case ValType::F64: {
        bool f64 = t == ValType::F64;
        get();
        b.op(f64 ? Op::I64ReinterpretF64 : Op::I32ReinterpretF32);
        if (!cfg.exact_floats) {  // a NaN as the canonical NaN's bits
          f64 ? b.i64(0x7FF8000000000000ull) : b.i32(0x7FC00000);
          get();
          get();
          b.op(f64 ? Op::F64Eq : Op::F32Eq);
          b.op(Op::Select);
        }
        if (!f64) b.op(Op::I64ExtendI32U);
        break;
      }
      case ValType::V128:
        if (skipped(t)) return;
        get();
        b.lane(Op::I64x2ExtractLane, 0);
        mix();
        get();
        b.lane(Op::I64x2ExtractLane, 1);
        break;
      case ValType::FuncRef:
      case ValType::ExternRef:
        get();
        b.op(Op::RefIsNull);
        b.op(Op::I64ExtendI32U);
        break;
    }
    mix();
  }

  void fold_local(uint32_t x, ValType t) {
    fold(t, [&] { b.lget(x); });
  }

  // The value on top of the stack, consumed.
  void fold_top(ValType t) {
    if (skipped(t)) {
      b.op(Op::Drop);
      return;
    }
    if (!reads_twice(t)) {
      fold(t, [] {});
      return;
    }
    used_scratch = true;
    uint32_t s = scratch + (t == ValType::V128 ? 0 : t == ValType::F32 ? 1 : 2);
    b.lset(s);
    fold_local(s, t);
  }

  void fold_locals(const std::vector<ValType>& locals) {
    size_t n = std::min<size_t>(locals.size(), cfg.max_exit_locals);
    for (uint32_t x = 0; x < n; ++x) fold_local(x, locals[x]);
  }
};

}  // namespace

bool fold_lost_values(ast::Module& m, const ModuleTypes& mt, uint32_t index, const FoldConfig& cfg) {
  ast::Function& f = m.funcs[index];
  if (f.type >= m.types.size() || f.body.empty() || f.body.back().op != Op::End) return false;
  const FuncType ft = m.types[f.type];
  std::vector<ValType> locals = ft.params;
  for (const ast::LocalDecl& d : f.locals) locals.insert(locals.end(), d.count, d.type);
  BodyTyper typer(mt, ft, locals);

  ast::Expr out;
  out.reserve(f.body.size() * 3 + locals.size() * 6);
  Folder fo{Emit{out}, cfg, static_cast<uint32_t>(locals.size())};
  // The body runs in a block of the function's results, so every branch to
  // the function's label (now the block's) reaches the folding of the
  // locals after it.
  int64_t bt = ast::kBlockEmpty;
  bool new_type = false;
  if (ft.results.size() == 1) {
    bt = ast::block_of(ft.results[0]);
  } else if (ft.results.size() > 1) {
    auto it = std::find(m.types.begin(), m.types.end(), FuncType{{}, ft.results});
    new_type = it == m.types.end();
    bt = it - m.types.begin();
  }
  fo.b.block(Op::Block, bt);
  for (const ast::Instr& in : f.body) {
    if (typer.live()) {
      switch (in.op) {
        case Op::Drop:
          if (std::optional<ValType> t = typer.top()) {
            fo.fold_top(*t);
            typer.step(in);
            continue;
          }
          break;
        case Op::LocalSet:
        case Op::LocalTee:
          if (in.a < locals.size()) fo.fold_local(in.a, locals[in.a]);
          break;
        case Op::GlobalSet:
          if (in.a < mt.globals.size()) fo.fold(mt.globals[in.a], [&] { fo.b.op(Op::GlobalGet, in.a); });
          break;
        case Op::Return: fo.fold_locals(locals); break;
        default: break;
      }
    }
    typer.step(in);
    out.push_back(in);
  }
  if (!typer.ok()) return false;
  fo.fold_locals(locals);
  fo.b.end();
  if (fo.used_scratch) {
    f.locals.push_back({1, ValType::V128});
    f.locals.push_back({1, ValType::F32});
    f.locals.push_back({1, ValType::F64});
  }
  if (new_type) m.types.push_back(FuncType{{}, ft.results});
  f.body = std::move(out);
  return true;
}

}  // namespace warden::diff
