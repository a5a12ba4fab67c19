// Instantiation (spec 4.5.4): import matching (4.5.2), allocation (4.5.3),
// constant expressions, segment initialisation and the start function.
#include <algorithm>
#include <cstring>

#include "execute/interpreter.hpp"
#include "runtime/runtime.hpp"

namespace warden {
namespace {

Error unlinkable(std::string m) { return Error{ErrorKind::Unlinkable, std::move(m)}; }
Error exhausted(std::string m) { return Error{ErrorKind::Exhaustion, std::move(m)}; }
Error uninstantiable(std::string m) { return Error{ErrorKind::Uninstantiable, std::move(m)}; }

constexpr const char* kIncompatible = "incompatible import type";

/// Spec 4.5.2: limits {n1, m1} match {n2, m2} when n1 >= n2 and, if m2 is
/// given, m1 is given and m1 <= m2. The external's n1 is its current size.
bool limits_match(uint32_t size, std::optional<uint32_t> max, const ast::Bounds& want) {
  if (size < want.min) return false;
  if (!want.max) return true;
  return max && *max <= *want.max;
}

/// Checks one import against the external provided for it (spec 4.5.2).
bool import_matches(const Store::Impl& s, const ast::Module& m, const ast::Import& im, const Extern& e) {
  if (e.kind != im.kind) return false;
  switch (im.kind) {
    case ExternKind::Func:
      return e.func && im.func_type < m.types.size() && s.types[e.func->type_id] == m.types[im.func_type];
    case ExternKind::Table:
      return e.table && e.table->elem == im.table.elem && limits_match(e.table->size, e.table->max, im.table.limits);
    case ExternKind::Memory: return e.memory && limits_match(e.memory->pages, e.memory->max, im.memory.limits);
    case ExternKind::Global: return e.global && e.global->type == im.global.type && e.global->mut == im.global.mut;
  }
  return false;
}

/// Evaluates a constant expression (spec 3.3.10, 4.4.10) in the context of
/// a partly built instance: only globals already in `inst` are visible. The
/// validator has typed it; the checks here keep a lax caller memory-safe.
Result<Value> eval_const(const ast::Expr& e, const Instance::Impl& inst) {
  // Wasm 2.0 constant expressions are one instruction and `end` (the
  // validator rejects anything else); the stack is a guard for lax callers.
  Value stack[1];
  size_t n = 0;
  auto bad = [] { return Error{ErrorKind::Invalid, "constant expression required"}; };
  for (const ast::Instr& in : e) {
    if (in.op == Op::End) break;
    if (n == std::size(stack)) return bad();
    switch (in.op) {
      case Op::I32Const: stack[n++] = Value::i32(static_cast<uint32_t>(in.lo)); break;
      case Op::I64Const: stack[n++] = Value::i64(in.lo); break;
      case Op::F32Const: stack[n++] = Value::f32_bits(static_cast<uint32_t>(in.lo)); break;
      case Op::F64Const: stack[n++] = Value::f64_bits(in.lo); break;
      case Op::V128Const: stack[n++] = Value::v128(V128{in.lo, in.hi}); break;
      case Op::RefNull: stack[n++] = Value::null(static_cast<ValType>(in.a)); break;
      case Op::RefFunc:
        if (in.a >= inst.funcs.size()) return bad();
        stack[n++] = Value::funcref(inst.funcs[in.a]);
        break;
      case Op::GlobalGet: {
        if (in.a >= inst.globals.size()) return bad();
        const GlobalInst* g = inst.globals[in.a];
        stack[n++] = Value{g->type, g->lo, g->hi};
        break;
      }
      default: return bad();
    }
  }
  if (n != 1) return bad();
  return stack[0];
}

/// The i32 offset of an active segment.
Result<uint32_t> eval_offset(const ast::Expr& e, const Instance::Impl& inst) {
  Result<Value> v = eval_const(e, inst);
  if (!v) return v.error();
  return v->as_i32();
}

}  // namespace

Result<Instance*> Store::instantiate(std::shared_ptr<const Module> mod, std::span<const Extern> imports) {
  Impl& s = *impl_;
  const Module::Impl& mi = detail::Access::of(*mod);
  const ast::Module& m = mi.ast;

  // ---- 1. match imports (spec 4.5.4 steps 3-4); nothing is allocated yet
  if (imports.size() != m.imports.size()) return unlinkable("wrong number of imports");
  for (size_t i = 0; i < imports.size(); ++i)
    if (!import_matches(s, m, m.imports[i], imports[i])) return unlinkable(kIncompatible);
  uint64_t table_elements = s.table_elements;
  for (const ast::TableType& t : m.tables) {
    if (t.limits.min > s.limits.max_table_elements) return exhausted("table size exceeds limits.max_table_elements");
    table_elements += t.limits.min;
  }
  if (table_elements > s.limits.max_store_table_elements)
    return exhausted("tables exceed limits.max_store_table_elements");
  for (const ast::MemoryType& mt : m.memories)
    if (uint64_t{mt.limits.min} * kPageBytes > s.limits.max_memory_bytes)
      return exhausted("memory size exceeds limits.max_memory_bytes");

  // ---- 2. allocate (spec 4.5.3.1)
  auto owned = std::make_unique<Instance::Impl>();
  Instance::Impl& in = *owned;
  in.type_ids.reserve(m.types.size());
  for (const FuncType& t : m.types) in.type_ids.push_back(s.intern(t));
  for (const Extern& e : imports) {
    switch (e.kind) {
      case ExternKind::Func: in.funcs.push_back(e.func); break;
      case ExternKind::Table: in.tables.push_back(e.table); break;
      case ExternKind::Memory: in.memories.push_back(e.memory); break;
      case ExternKind::Global: in.globals.push_back(e.global); break;
    }
  }
  for (size_t i = 0; i < m.funcs.size(); ++i) {
    FuncInst& f = s.funcs.emplace_back();
    f.type_id = in.type_ids[m.funcs[i].type];
    f.instance = &in;
    f.code = &mi.code[i];
    f.entry = f.code->code.data();
    f.first_op = f.entry[1];  // code starts with Fuel and ends with Return: two words at least
    f.param_slots = mi.code[i].param_slots;
    f.local_slots = mi.code[i].local_slots;
    // Saturated: a frame that large fails the call's stack check anyway.
    f.frame_slots =
        static_cast<uint32_t>(std::min<uint64_t>(uint64_t{mi.code[i].local_slots} + mi.code[i].max_stack, UINT32_MAX));
    f.result_slots = mi.code[i].result_slots;
    s.max_pass_work = std::max(s.max_pass_work, pass_work(mi.code[i]));
    in.funcs.push_back(&f);
  }
  for (const ast::TableType& tt : m.tables) {
    TableInst& t = s.tables.emplace_back();
    t.elem = tt.elem;
    t.max = tt.limits.max;
    if (!s.grow_table(t, tt.limits.min, 0)) return exhausted("out of memory");
    in.tables.push_back(&t);
  }
  for (const ast::MemoryType& mt : m.memories) {
    MemoryInst& mem = s.memories.emplace_back();
    mem.max = mt.limits.max;
    if (!grow_memory(mem, mt.limits.min, s.limits.max_memory_bytes)) return exhausted("out of memory");
    in.memories.push_back(&mem);
  }
  in.memory0 = in.memories.empty() ? nullptr : in.memories[0];
  for (const ast::Global& g : m.globals) {
    Result<Value> v = eval_const(g.init, in);
    if (!v) return v.error();
    GlobalInst& gi = s.globals.emplace_back();
    gi.type = g.type.type;
    gi.mut = g.type.mut;
    gi.lo = v->type == ValType::I32 || v->type == ValType::F32 ? v->lo & 0xFFFF'FFFFu : v->lo;
    gi.hi = v->hi;
    in.globals.push_back(&gi);
  }
  in.elems.resize(m.elems.size());
  for (size_t i = 0; i < m.elems.size(); ++i) {
    in.elems[i].reserve(m.elems[i].init.size());
    for (const ast::Expr& e : m.elems[i].init) {
      Result<Value> v = eval_const(e, in);
      if (!v) return v.error();
      in.elems[i].push_back(v->lo);
    }
  }
  in.datas.reserve(m.datas.size());
  for (const ast::DataSegment& d : m.datas) in.datas.emplace_back(d.bytes);

  // The instance is in the store from here on: a trap below leaves it (and
  // whatever it wrote into imported tables and memories) in place, as the
  // spec's store does (linking.wast relies on it).
  auto instance = std::make_unique<Instance>(mod, std::move(owned));
  for (const ast::Export& x : m.exports) {
    Extern e;
    switch (x.kind) {
      case ExternKind::Func: e = Extern::of(in.funcs[x.index]); break;
      case ExternKind::Table: e = Extern::of(in.tables[x.index]); break;
      case ExternKind::Memory: e = Extern::of(in.memories[x.index]); break;
      case ExternKind::Global: e = Extern::of(in.globals[x.index]); break;
    }
    instance->exports_.emplace_back(x.name, e);
  }
  Instance* result = instance.get();
  s.instances.push_back(std::move(instance));

  // ---- 3. element segments (spec 4.5.4 step 13): table.init + elem.drop
  for (size_t i = 0; i < m.elems.size(); ++i) {
    const ast::ElemSegment& seg = m.elems[i];
    if (seg.mode == ast::SegmentMode::Passive) continue;
    if (seg.mode == ast::SegmentMode::Active) {
      Result<uint32_t> off = eval_offset(seg.offset, in);
      if (!off) return off.error();
      TableInst& t = *in.tables[seg.table];
      const std::vector<uint64_t>& refs = in.elems[i];
      if (uint64_t{*off} + refs.size() > t.size) return uninstantiable("out of bounds table access");
      std::copy(refs.begin(), refs.end(), t.elems.data() + *off);
    }
    std::vector<uint64_t>().swap(in.elems[i]);  // active and declarative: dropped
  }

  // ---- 4. data segments (step 14): memory.init + data.drop
  for (size_t i = 0; i < m.datas.size(); ++i) {
    const ast::DataSegment& seg = m.datas[i];
    if (seg.mode != ast::SegmentMode::Active) continue;
    Result<uint32_t> off = eval_offset(seg.offset, in);
    if (!off) return off.error();
    MemoryInst& mem = *in.memories[seg.memory];
    if (uint64_t{*off} + seg.bytes.size() > mem.size) return uninstantiable("out of bounds memory access");
    if (!seg.bytes.empty()) std::memcpy(mem.data + *off, seg.bytes.data(), seg.bytes.size());
    in.datas[i] = {};
  }

  // ---- 5. the start function (step 15)
  if (m.start) {
    const FuncInst* f = in.funcs[*m.start];
    const size_t base = s.stack_top;
    if (!s.reserve_stack(base + std::max(f->param_slots, f->result_slots))) return exhausted("call stack exhausted");
    Result<void> r = run(s, f, base);
    s.stack_top = base;
    if (!r) {
      if (r.error().kind == ErrorKind::Trap) return uninstantiable(r.error().message);
      return r.error();
    }
  }
  return result;
}

}  // namespace warden
