#include "body_types.hpp"

namespace warden::diff {
namespace {

ValType val_of(Ty t) {
  constexpr ValType kOf[] = {ValType::I32, ValType::I32, ValType::I64, ValType::F32, ValType::F64, ValType::V128};
  return kOf[static_cast<uint8_t>(t)];
}

}  // namespace

ModuleTypes module_types(const ast::Module& m) {
  ModuleTypes mt;
  mt.types = m.types;
  for (const ast::Import& im : m.imports) {
    switch (im.kind) {
      case ExternKind::Func: mt.funcs.push_back(im.func_type); break;
      case ExternKind::Global: mt.globals.push_back(im.global.type); break;
      case ExternKind::Table: mt.tables.push_back(im.table.elem); break;
      case ExternKind::Memory: break;
    }
  }
  for (const ast::Function& f : m.funcs) mt.funcs.push_back(f.type);
  for (const ast::Global& g : m.globals) mt.globals.push_back(g.type.type);
  for (const ast::TableType& t : m.tables) mt.tables.push_back(t.elem);
  return mt;
}

FuncType block_type(const ModuleTypes& mt, int64_t bt) {
  if (bt == ast::kBlockEmpty) return {};
  if (bt < 0) return FuncType{{}, {ast::block_valtype(bt)}};
  if (static_cast<uint64_t>(bt) < mt.types.size()) return mt.types[static_cast<size_t>(bt)];
  return {};
}

BodyTyper::BodyTyper(const ModuleTypes& mt, const FuncType& ft, std::vector<ValType> locals)
    : mt_(mt), locals_(std::move(locals)) {
  frames_.push_back(Frame{Op::Block, 0, {}, ft.results});
}

std::optional<ValType> BodyTyper::top() const {
  if (!live() || stack_.size() <= frames_.back().height) return std::nullopt;
  return stack_.back();
}

void BodyTyper::pop(size_t n) {
  if (frames_.empty() || stack_.size() < frames_.back().height + n) {
    ok_ = false;
    return;
  }
  stack_.resize(stack_.size() - n);
}

uint32_t BodyTyper::step(const ast::Instr& in) {
  if (!ok_ || frames_.empty()) return 0;
  Frame& f = frames_.back();
  // Control structure is followed in dead code too, to find where it ends.
  switch (in.op) {
    case Op::Block:
    case Op::Loop:
    case Op::If: {
      FuncType bt = block_type(mt_, static_cast<int64_t>(in.lo));
      if (f.dead) {
        frames_.push_back(Frame{in.op, stack_.size(), {}, {}, true, true});
        return 0;
      }
      if (in.op == Op::If) pop(1);
      pop(bt.params.size());
      if (!ok_) return 0;
      frames_.push_back(Frame{in.op, stack_.size(), bt.params, bt.results});
      for (ValType t : bt.params) push(t);
      return 0;
    }
    case Op::Else:
      if (f.entered_dead) return 0;
      stack_.resize(f.height);
      for (ValType t : f.params) push(t);
      f.dead = false;
      return 0;
    case Op::End: {
      Frame done = std::move(f);
      frames_.pop_back();
      if (done.entered_dead) return 0;
      stack_.resize(done.height);
      for (ValType t : done.results) push(t);
      return static_cast<uint32_t>(done.results.size());
    }
    default: break;
  }
  if (f.dead) return 0;
  auto push_results = [&](const std::vector<ValType>& r) {
    for (ValType t : r) push(t);
    return static_cast<uint32_t>(r.size());
  };
  switch (in.op) {
    case Op::Unreachable:
    case Op::Br:
    case Op::Return: f.dead = true; return 0;
    case Op::BrTable:
      pop(1);
      f.dead = true;
      return 0;
    case Op::BrIf: pop(1); return 0;
    case Op::Nop: return 0;
    case Op::Call:
    case Op::CallIndirect: {
      uint32_t type = in.op == Op::Call ? (in.a < mt_.funcs.size() ? mt_.funcs[in.a] : UINT32_MAX) : in.a;
      if (type >= mt_.types.size()) return ok_ = false, 0;
      if (in.op == Op::CallIndirect) pop(1);
      const FuncType& ft = mt_.types[type];
      pop(ft.params.size());
      return ok_ ? push_results(ft.results) : 0;
    }
    case Op::RefNull: push(in.a == 0x70 ? ValType::FuncRef : ValType::ExternRef); return 1;
    case Op::RefFunc: push(ValType::FuncRef); return 1;
    case Op::RefIsNull:
      pop(1);
      push(ValType::I32);
      return 1;
    case Op::Drop: pop(1); return 0;
    case Op::Select: {
      pop(1);
      std::optional<ValType> t = top();
      pop(2);
      if (!ok_ || !t) return ok_ = false, 0;
      push(*t);
      return 1;
    }
    case Op::SelectT:
      pop(3);
      push(static_cast<ValType>(in.a));
      return 1;
    case Op::LocalGet:
    case Op::LocalTee:
      if (in.a >= locals_.size()) return ok_ = false, 0;
      if (in.op == Op::LocalTee) pop(1);
      push(locals_[in.a]);
      return 1;
    case Op::LocalSet:
    case Op::GlobalSet: pop(1); return 0;
    case Op::GlobalGet:
      if (in.a >= mt_.globals.size()) return ok_ = false, 0;
      push(mt_.globals[in.a]);
      return 1;
    case Op::TableGet:
      if (in.a >= mt_.tables.size()) return ok_ = false, 0;
      pop(1);
      push(mt_.tables[in.a]);
      return 1;
    case Op::TableSet: pop(2); return 0;
    case Op::TableGrow:
      pop(2);
      push(ValType::I32);
      return 1;
    case Op::TableFill: pop(3); return 0;
    default: break;
  }
  // Every other row's signature columns are exact (opcodes.def).
  const OpInfo& o = info(in.op);
  pop((o.p1 != Ty::_) + (o.p2 != Ty::_) + (o.p3 != Ty::_));
  if (o.result == Ty::_) return 0;
  push(val_of(o.result));
  return 1;
}

}  // namespace warden::diff
