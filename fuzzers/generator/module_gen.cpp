// Module structure (spec 2.5): types, imports, functions, tables, memory,
// globals, segments, start and exports, all consistent with each other so
// that the module validates and, with the spectest-like host, instantiates.
#include <algorithm>
#include <string>

#include "context.hpp"

namespace warden::gen {
namespace {

using ast::Instr;

ast::Expr const_expr(Instr i) {
  Instr end;
  end.op = Op::End;
  return {i, end};
}

uint32_t type_index(ast::Module& m, const FuncType& ft) {
  for (uint32_t i = 0; i < m.types.size(); ++i)
    if (m.types[i] == ft) return i;
  m.types.push_back(ft);
  return static_cast<uint32_t>(m.types.size() - 1);
}

ValType pick(Input& in, const std::vector<ValType>& from) { return from[in.below(static_cast<uint32_t>(from.size()))]; }

// The spectest host's functions (engine/src/host/spectest.hpp).
struct HostFunc {
  const char* name;
  std::vector<ValType> params;
};
const std::vector<HostFunc>& spectest_funcs() {
  static const std::vector<HostFunc> f = {
      {"print", {}},
      {"print_i32", {ValType::I32}},
      {"print_i64", {ValType::I64}},
      {"print_f32", {ValType::F32}},
      {"print_f64", {ValType::F64}},
      {"print_i32_f32", {ValType::I32, ValType::F32}},
      {"print_f64_f64", {ValType::F64, ValType::F64}},
  };
  return f;
}

class ModuleGen {
 public:
  ModuleGen(const GenConfig& cfg, Input& in, ast::Module& m) : cfg_(cfg), in_(in), m_(m), ctx_(cfg, m) {}
  void run();

 private:
  void gen_types();
  void gen_imports();
  void gen_tables_and_memory();
  void gen_globals();
  void gen_elems();
  void gen_datas();
  void gen_exports_and_wrappers();
  ast::Expr init_expr(ValType t);

  const GenConfig& cfg_;
  Input& in_;
  ast::Module& m_;
  ModuleCtx ctx_;
};

void ModuleGen::gen_types() {
  uint32_t n = in_.range(1, std::max<uint32_t>(cfg_.max_types, 1));
  type_index(m_, FuncType{});  // [] -> []: start function, wrappers
  uint32_t max_results = cfg_.multi_value ? cfg_.max_results : std::min<uint32_t>(cfg_.max_results, 1);
  for (uint32_t i = 0; i < n; ++i) {
    FuncType ft;
    uint32_t np = in_.below(cfg_.max_params + 1), nr = in_.below(max_results + 1);
    for (uint32_t k = 0; k < np; ++k) ft.params.push_back(pick(in_, ctx_.value_types));
    for (uint32_t k = 0; k < nr; ++k) ft.results.push_back(pick(in_, ctx_.value_types));
    type_index(m_, ft);
  }
}

void ModuleGen::gen_imports() {
  if (!cfg_.spectest_imports) return;
  for (const HostFunc& h : spectest_funcs()) {
    if (!in_.chance(1, 4)) continue;
    ast::Import im;
    im.module = "spectest";
    im.name = h.name;
    im.kind = ExternKind::Func;
    im.func_type = type_index(m_, FuncType{h.params, {}});
    m_.imports.push_back(im);
  }
  static const std::pair<const char*, ValType> globals[] = {{"global_i32", ValType::I32},
                                                            {"global_i64", ValType::I64},
                                                            {"global_f32", ValType::F32},
                                                            {"global_f64", ValType::F64}};
  for (auto& [name, t] : globals) {
    if (!in_.chance(1, 4)) continue;
    ast::Import im;
    im.module = "spectest";
    im.name = name;
    im.kind = ExternKind::Global;
    im.global = ast::GlobalType{t, false};
    m_.imports.push_back(im);
  }
  if (in_.chance(1, 4)) {
    ast::Import im;
    im.module = "spectest";
    im.name = "table";
    im.kind = ExternKind::Table;
    im.table = ast::TableType{ValType::FuncRef, {10, 20}};
    m_.imports.push_back(im);
  }
  if (in_.chance(1, 4)) {
    ast::Import im;
    im.module = "spectest";
    im.name = "memory";
    im.kind = ExternKind::Memory;
    im.memory = ast::MemoryType{{1, 2}};
    m_.imports.push_back(im);
  }
}

void ModuleGen::gen_tables_and_memory() {
  for (const ast::Import& im : m_.imports) {
    if (im.kind == ExternKind::Table) ctx_.tables.push_back(im.table);
    if (im.kind == ExternKind::Memory) {
      ctx_.has_memory = true;
      ctx_.memory_min_pages = im.memory.limits.min;
      ctx_.memory_max_pages = im.memory.limits.max.value_or(65536);
    }
  }
  // Without reference types a module has at most one table (spec 1.0).
  uint32_t max_defined = cfg_.reference_types ? cfg_.max_tables : (ctx_.tables.empty() ? 1 : 0);
  uint32_t n = in_.below(max_defined + 1);
  for (uint32_t i = 0; i < n; ++i) {
    ast::TableType t;
    t.elem = cfg_.reference_types && in_.chance(1, 3) ? ValType::ExternRef : ValType::FuncRef;
    uint32_t cap = std::max<uint32_t>(cfg_.max_table_size, 1);
    t.limits.min = in_.range(cfg_.no_trap ? 1 : 0, std::min<uint32_t>(cap, 16));
    uint32_t shape = in_.below(8);
    if (shape < 5)
      t.limits.max = in_.range(t.limits.min, cap);
    else if (shape < 7 || !cfg_.reference_types)
      t.limits.max = cap;
    // else no maximum: its growth deltas are all chosen by the body
    // generator (grow_delta), never taken from the stack, since engines
    // refuse growth past their own limits at different sizes.
    m_.tables.push_back(t);
    ctx_.tables.push_back(t);
  }
  if (!ctx_.has_memory && (cfg_.no_trap || in_.chance(7, 8))) {
    ast::MemoryType mt;
    uint32_t cap = std::max<uint32_t>(cfg_.max_memory_pages, 1);
    mt.limits.min = in_.chance(1, 16) && !cfg_.no_trap ? 0 : in_.range(1, std::min<uint32_t>(cap, 2));
    mt.limits.max = in_.range(mt.limits.min, cap);
    m_.memories.push_back(mt);
    ctx_.has_memory = true;
    ctx_.memory_min_pages = mt.limits.min;
    ctx_.memory_max_pages = *mt.limits.max;
  }
}

// A constant expression of type t (spec 3.3.10): a constant, ref.null,
// ref.func, or global.get of an imported immutable global.
ast::Expr ModuleGen::init_expr(ValType t) {
  if (in_.chance(1, 4)) {
    for (uint32_t g = 0; g < ctx_.globals.size(); ++g) {
      if (!ctx_.global_imported[g] || ctx_.globals[g].type != t || ctx_.globals[g].mut) continue;
      Instr i;
      i.op = Op::GlobalGet;
      i.a = g;
      return const_expr(i);
    }
  }
  if (t == ValType::FuncRef && ctx_.callable_funcs && in_.chance(1, 2)) {
    Instr i;
    i.op = Op::RefFunc;
    i.a = in_.below(ctx_.callable_funcs);
    return const_expr(i);
  }
  return const_expr(const_instr(in_, t, ctx_));
}

void ModuleGen::gen_globals() {
  for (const ast::Import& im : m_.imports) {
    if (im.kind != ExternKind::Global) continue;
    ctx_.globals.push_back(im.global);
    ctx_.global_imported.push_back(true);
  }
  // The fuel counter comes first among the defined globals.
  ast::Global fuel;
  fuel.type = ast::GlobalType{ValType::I32, true};
  Instr c;
  c.op = Op::I32Const;
  c.lo = cfg_.fuel;
  fuel.init = const_expr(c);
  ctx_.fuel_global = static_cast<uint32_t>(ctx_.globals.size());
  m_.globals.push_back(fuel);
  ctx_.globals.push_back(fuel.type);
  ctx_.global_imported.push_back(false);

  uint32_t n = in_.below(cfg_.max_globals + 1);
  for (uint32_t i = 0; i < n; ++i) {
    ast::Global g;
    g.type = ast::GlobalType{pick(in_, ctx_.value_types), in_.chance(1, 2)};
    g.init = init_expr(g.type.type);
    m_.globals.push_back(g);
    ctx_.globals.push_back(g.type);
    ctx_.global_imported.push_back(false);
  }
}

void ModuleGen::gen_elems() {
  uint32_t n = in_.below(cfg_.max_elems + 1);
  for (uint32_t i = 0; i < n; ++i) {
    ast::ElemSegment s;
    bool modern = cfg_.reference_types || cfg_.bulk_memory;
    uint32_t mode = modern ? in_.below(3) : 0;
    s.mode = mode == 0   ? ast::SegmentMode::Active
             : mode == 1 ? ast::SegmentMode::Passive
                         : ast::SegmentMode::Declarative;
    s.type = cfg_.reference_types && in_.chance(1, 4) ? ValType::ExternRef : ValType::FuncRef;
    if (s.mode == ast::SegmentMode::Active) {
      std::vector<uint32_t> fits;
      for (uint32_t t = 0; t < ctx_.tables.size(); ++t)
        if (ctx_.tables[t].elem == s.type && (cfg_.reference_types || t == 0)) fits.push_back(t);
      if (fits.empty()) continue;
      s.table = fits[in_.below(static_cast<uint32_t>(fits.size()))];
    }
    if (s.type == ValType::FuncRef && ctx_.callable_funcs == 0 && !cfg_.reference_types) continue;
    uint32_t len = in_.below(9);
    if (s.mode == ast::SegmentMode::Active) {
      // In bounds, so instantiation succeeds (spec 4.5.4 step 13).
      uint32_t min = ctx_.tables[s.table].limits.min;
      len = std::min(len, min);
      Instr off;
      off.op = Op::I32Const;
      bool at_end = in_.chance(1, 8);
      off.lo = at_end ? min - len : in_.below(min - len + 1);
      count_edge(ctx_, at_end ? Edge::SegmentAtEnd : Edge::OperandPlain);
      s.offset = const_expr(off);
    }
    for (uint32_t k = 0; k < len; ++k) {
      Instr e;
      if (s.type == ValType::FuncRef && ctx_.callable_funcs && (!cfg_.reference_types || in_.chance(3, 4))) {
        e.op = Op::RefFunc;
        e.a = in_.below(ctx_.callable_funcs);
      } else {
        e.op = Op::RefNull;
        e.a = static_cast<uint8_t>(s.type);
      }
      s.init.push_back(const_expr(e));
    }
    m_.elems.push_back(std::move(s));
    ctx_.elems.push_back(SegInfo{m_.elems.back().mode, m_.elems.back().type, len});
  }
  // ref.func needs its function declared outside function bodies (spec
  // 3.4.10, C.refs): one declarative segment names them all.
  if (cfg_.reference_types && ctx_.callable_funcs) {
    ast::ElemSegment s;
    s.mode = ast::SegmentMode::Declarative;
    for (uint32_t f = 0; f < ctx_.callable_funcs; ++f) {
      Instr e;
      e.op = Op::RefFunc;
      e.a = f;
      s.init.push_back(const_expr(e));
    }
    m_.elems.push_back(std::move(s));
    ctx_.elems.push_back(SegInfo{ast::SegmentMode::Declarative, ValType::FuncRef, ctx_.callable_funcs});
  }
}

void ModuleGen::gen_datas() {
  if (!ctx_.has_memory) return;
  uint32_t n = in_.below(cfg_.max_datas + 1);
  uint64_t mem_bytes = uint64_t{ctx_.memory_min_pages} * 65536;
  for (uint32_t i = 0; i < n; ++i) {
    ast::DataSegment d;
    d.mode = cfg_.bulk_memory && in_.chance(1, 2) ? ast::SegmentMode::Passive : ast::SegmentMode::Active;
    uint32_t len = in_.below(33);
    for (uint32_t k = 0; k < len; ++k) d.bytes.push_back(in_.byte());
    if (d.mode == ast::SegmentMode::Active) {
      if (len > mem_bytes) continue;
      uint64_t room = mem_bytes - len;
      Instr off;
      off.op = Op::I32Const;
      // Mostly near the start, where guarded accesses land; now and then
      // ending exactly at the end of the memory.
      uint32_t where = in_.below(8);
      if (where == 0)
        off.lo = std::min<uint64_t>(room, 0xFFFFFFFF);
      else if (where < 6)
        off.lo = in_.below(static_cast<uint32_t>(std::min<uint64_t>(room, 0x7FFF) + 1));
      else
        off.lo = in_.below(static_cast<uint32_t>(std::min<uint64_t>(room, 0xFFFFFFFF)) + 1);
      count_edge(ctx_, where == 0 ? Edge::SegmentAtEnd : Edge::OperandPlain);
      d.offset = const_expr(off);
    }
    ctx_.datas.push_back(SegInfo{d.mode, ValType::FuncRef, len});
    m_.datas.push_back(std::move(d));
  }
  if (cfg_.bulk_memory) m_.data_count = static_cast<uint32_t>(m_.datas.size());
}

void ModuleGen::gen_exports_and_wrappers() {
  uint32_t nfuncs = ctx_.callable_funcs;
  for (uint32_t f = 0; f < nfuncs; ++f)
    m_.exports.push_back(ast::Export{"f" + std::to_string(f), ExternKind::Func, f, 0});
  if (cfg_.export_wrappers) {
    for (uint32_t f = 0; f < nfuncs; ++f) {
      const FuncType ft = m_.types[ctx_.func_types[f]];
      if (ft.params.empty()) continue;
      ast::Function w;
      w.type = type_index(m_, FuncType{{}, ft.results});
      for (ValType p : ft.params) w.body.push_back(const_instr(in_, p, ctx_));
      Instr call;
      call.op = Op::Call;
      call.a = f;
      w.body.push_back(call);
      Instr end;
      end.op = Op::End;
      w.body.push_back(end);
      uint32_t index = static_cast<uint32_t>(ctx_.func_types.size());
      ctx_.func_types.push_back(w.type);
      m_.funcs.push_back(std::move(w));
      m_.exports.push_back(ast::Export{"w" + std::to_string(f), ExternKind::Func, index, 0});
    }
  }
  m_.exports.push_back(ast::Export{kFuelExport, ExternKind::Global, ctx_.fuel_global, 0});
  for (uint32_t g = 0; g < ctx_.globals.size(); ++g)
    if (g != ctx_.fuel_global) m_.exports.push_back(ast::Export{"g" + std::to_string(g), ExternKind::Global, g, 0});
  for (uint32_t t = 0; t < ctx_.tables.size(); ++t)
    m_.exports.push_back(ast::Export{"t" + std::to_string(t), ExternKind::Table, t, 0});
  if (ctx_.has_memory) m_.exports.push_back(ast::Export{"mem", ExternKind::Memory, 0, 0});
}

void ModuleGen::run() {
  ctx_.value_types = {ValType::I32, ValType::I64, ValType::F32, ValType::F64};
  if (cfg_.simd) ctx_.value_types.push_back(ValType::V128);
  if (cfg_.reference_types) {
    ctx_.value_types.push_back(ValType::FuncRef);
    ctx_.value_types.push_back(ValType::ExternRef);
  }
  gen_types();
  gen_imports();
  for (const ast::Import& im : m_.imports)
    if (im.kind == ExternKind::Func) ctx_.func_types.push_back(im.func_type);
  uint32_t ntypes = static_cast<uint32_t>(m_.types.size());
  uint32_t nfuncs = in_.range(1, std::max<uint32_t>(cfg_.max_funcs, 1));
  for (uint32_t i = 0; i < nfuncs; ++i) {
    ast::Function f;
    f.type = in_.below(ntypes);
    ctx_.func_types.push_back(f.type);
    m_.funcs.push_back(std::move(f));
  }
  ctx_.callable_funcs = static_cast<uint32_t>(ctx_.func_types.size());
  gen_tables_and_memory();
  build_rows(ctx_);
  gen_globals();
  gen_elems();
  gen_datas();

  uint32_t imported = m_.imported(ExternKind::Func);
  for (uint32_t i = 0; i < nfuncs; ++i) generate_body(ctx_, in_, imported + i, m_.funcs[i]);

  if (cfg_.allow_start && in_.chance(1, 4)) {
    std::vector<uint32_t> nullary;
    for (uint32_t f = 0; f < ctx_.callable_funcs; ++f)
      if (m_.types[ctx_.func_types[f]] == FuncType{}) nullary.push_back(f);
    if (!nullary.empty()) m_.start = nullary[in_.below(static_cast<uint32_t>(nullary.size()))];
  }
  gen_exports_and_wrappers();
}

}  // namespace

bool op_enabled(const GenConfig& cfg, Op op) {
  const OpInfo& o = info(op);
  if (o.prefix == 0xFD) return cfg.simd;
  if (op >= Op::I32Extend8S && op <= Op::I64Extend32S) return cfg.sign_ext;
  if (o.prefix == 0xFC && o.code <= 7) return cfg.sat_conversions;
  switch (op) {
    case Op::MemoryInit:
    case Op::DataDrop:
    case Op::MemoryCopy:
    case Op::MemoryFill:
    case Op::TableInit:
    case Op::ElemDrop:
    case Op::TableCopy: return cfg.bulk_memory;
    case Op::RefNull:
    case Op::RefIsNull:
    case Op::RefFunc:
    case Op::SelectT:
    case Op::TableGet:
    case Op::TableSet:
    case Op::TableGrow:
    case Op::TableSize:
    case Op::TableFill: return cfg.reference_types;
    default: return true;
  }
}

namespace {

// The rows depend only on these switches (op_enabled) and on the memory:
// the table of every combination is built once, not per module (building
// it was a tenth of a small module's generation).
constexpr uint32_t kRowKeys = 1u << 6;

uint32_t row_key(const GenConfig& c, bool has_memory) {
  return uint32_t{c.simd} | uint32_t{c.sign_ext} << 1 | uint32_t{c.sat_conversions} << 2 |
         uint32_t{c.bulk_memory} << 3 | uint32_t{c.reference_types} << 4 | uint32_t{has_memory} << 5;
}

OpRows rows_for(uint32_t key) {
  GenConfig c;
  c.simd = key & 1;
  c.sign_ext = key & 2;
  c.sat_conversions = key & 4;
  c.bulk_memory = key & 8;
  c.reference_types = key & 16;
  const bool has_memory = key & 32;
  OpRows rows;
  for (uint16_t i = 0; i < kOpCount; ++i) {
    Op op = static_cast<Op>(i);
    const OpInfo& o = kOpInfo[i];
    bool generic = o.cls == OpClass::Num || o.cls == OpClass::Trap || o.cls == OpClass::Load ||
                   o.cls == OpClass::Store ||
                   (o.cls == OpClass::Other && (o.imm == Imm::Lane || o.imm == Imm::Shuffle));
    if (!generic || !op_enabled(c, op)) continue;
    if ((o.cls == OpClass::Load || o.cls == OpClass::Store) && !has_memory) continue;
    rows.all.push_back(op);
    rows.by_first[slot_of(val_of(o.p1))].push_back(op);
  }
  return rows;
}

}  // namespace

void build_rows(ModuleCtx& ctx) {
  static const std::vector<OpRows> table = [] {
    std::vector<OpRows> t;
    t.reserve(kRowKeys);
    for (uint32_t key = 0; key < kRowKeys; ++key) t.push_back(rows_for(key));
    return t;
  }();
  ctx.rows = &table[row_key(ctx.cfg, ctx.has_memory)];
}

ast::Module generate_ast(std::span<const uint8_t> fuzz_bytes, const GenConfig& cfg) {
  ast::Module m;
  Input in(fuzz_bytes);
  ModuleGen(cfg, in, m).run();
  return m;
}

GenConfig config_from_bytes(std::span<const uint8_t> fuzz_bytes, size_t* used) {
  Input in(fuzz_bytes);
  GenConfig c;
  uint8_t f = in.byte();
  c.simd = !(f & 1);
  c.reference_types = !(f & 2);
  c.bulk_memory = !(f & 4);
  c.multi_value = !(f & 8);
  c.no_trap = f & 16;
  c.canonical_nan = f & 32;
  c.spectest_imports = !(f & 64);
  c.allow_start = !(f & 128);
  uint8_t s = in.byte();
  c.max_funcs = 1 + (s & 7);
  c.max_instrs = 16 + static_cast<uint32_t>(s >> 3) * 16;
  if (used) *used = in.consumed();
  return c;
}

}  // namespace warden::gen
