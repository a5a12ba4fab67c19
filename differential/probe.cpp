#include "probe.hpp"

#include <algorithm>
#include <bit>
#include <set>

#include "emit.hpp"
#include "probe_fold.hpp"
#include "warden/binary.hpp"

namespace warden::diff {
namespace {

using ast::Instr;

void zero_of(Emit& b, ValType t) {
  switch (t) {
    case ValType::I32: b.i32(0); break;
    case ValType::I64: b.i64(0); break;
    case ValType::F32: b.raw(Op::F32Const, 0); break;
    case ValType::F64: b.raw(Op::F64Const, 0); break;
    case ValType::V128: b.v128(0, 0); break;
    case ValType::FuncRef: b.op(Op::RefNull, 0x70); break;
    case ValType::ExternRef: b.op(Op::RefNull, 0x6F); break;
  }
}

uint32_t type_index(ast::Module& m, const FuncType& ft) {
  for (uint32_t i = 0; i < m.types.size(); ++i)
    if (m.types[i] == ft) return i;
  m.types.push_back(ft);
  return static_cast<uint32_t>(m.types.size() - 1);
}

// ---- arguments: special values first, random bits sometimes

struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint32_t below(uint32_t n) { return n ? static_cast<uint32_t>(next() % n) : 0; }
};

void arg_of(Emit& b, ValType t, Rng& r) {
  static const uint32_t i32s[] = {0, 1, 2, 7, 0xFFFFFFFF, 0x80000000, 0x7FFFFFFF, 0xFFFF, 0x10000, 8, 64};
  static const uint64_t i64s[] = {
      0, 1, 5, ~0ull, 0x8000000000000000ull, 0x7FFFFFFFFFFFFFFFull, 0xFFFFFFFFull, 0x100000000ull};
  static const uint32_t f32s[] = {0,          0x80000000, 0x3F800000, 0xBF800000, 0x7F800000,
                                  0xFF800000, 0x7FC00000, 0xFFC00000, 0x7FA00000, 0x7FC00001,
                                  0x00000001, 0x7F7FFFFF, 0x4F000000, 0xCF000000, 0x3F000000};
  static const uint64_t f64s[] = {0,
                                  0x8000000000000000ull,
                                  0x3FF0000000000000ull,
                                  0xBFF0000000000000ull,
                                  0x7FF0000000000000ull,
                                  0xFFF0000000000000ull,
                                  0x7FF8000000000000ull,
                                  0xFFF8000000000000ull,
                                  0x7FF4000000000000ull,
                                  0x7FF8000000000001ull,
                                  1,
                                  0x41E0000000000000ull,
                                  0xC3E0000000000000ull,
                                  0x3FE0000000000000ull};
  bool special = r.below(4) != 0;
  switch (t) {
    case ValType::I32: b.i32(special ? i32s[r.below(std::size(i32s))] : static_cast<uint32_t>(r.next())); break;
    case ValType::I64: b.i64(special ? i64s[r.below(std::size(i64s))] : r.next()); break;
    case ValType::F32:
      b.raw(Op::F32Const, special ? f32s[r.below(std::size(f32s))] : static_cast<uint32_t>(r.next()));
      break;
    case ValType::F64: b.raw(Op::F64Const, special ? f64s[r.below(std::size(f64s))] : r.next()); break;
    case ValType::V128: {
      if (special) {
        uint64_t lane =
            r.below(2) ? uint64_t{f32s[r.below(std::size(f32s))]} * 0x100000001ull : f64s[r.below(std::size(f64s))];
        b.v128(lane, r.below(2) ? lane : r.next());
      } else {
        b.v128(r.next(), r.next());
      }
      break;
    }
    case ValType::FuncRef: b.op(Op::RefNull, 0x70); break;
    case ValType::ExternRef: b.op(Op::RefNull, 0x6F); break;
  }
}

// Pushes the value on the stack as integer bits (see probe.hpp); `get`
// re-pushes the original value (needed twice for v128).
template <class Get>
void as_bits(Emit& b, ValType t, Get get, std::vector<ValType>& out) {
  get();
  switch (t) {
    case ValType::I32: out.push_back(ValType::I32); break;
    case ValType::I64: out.push_back(ValType::I64); break;
    case ValType::F32:
      b.op(Op::I32ReinterpretF32);
      out.push_back(ValType::I32);
      break;
    case ValType::F64:
      b.op(Op::I64ReinterpretF64);
      out.push_back(ValType::I64);
      break;
    case ValType::V128:
      b.lane(Op::I64x2ExtractLane, 0);
      get();
      b.lane(Op::I64x2ExtractLane, 1);
      out.push_back(ValType::I64);
      out.push_back(ValType::I64);
      break;
    case ValType::FuncRef:
    case ValType::ExternRef:
      b.op(Op::RefIsNull);
      out.push_back(ValType::I32);
      break;
  }
}

// ---- the NaN rule (spec 4.3.3), checked after each Nan-column instruction

struct Shape {  // a float shape, scalar or lanes
  bool f64;
  bool vec;
};

uint64_t splat(bool f64, uint64_t v) { return f64 ? v : v * 0x100000001ull; }
uint64_t abs_mask(bool f64) { return f64 ? 0x7FFFFFFFFFFFFFFFull : 0x7FFFFFFF; }
uint64_t canon(bool f64) { return f64 ? 0x7FF8000000000000ull : 0x7FC00000; }
uint64_t quiet(bool f64) { return f64 ? 0x0008000000000000ull : 0x00400000; }

struct Scratch {
  uint32_t f32 = 0, f64 = 0, v128 = 0, flag = 0;  // first index of each run
};

Shape ty_shape(Ty t) { return Shape{t == Ty::F64, t == Ty::V128}; }

// Pushes an i32 (scalar) or a v128 lane mask (vector): "x is a NaN that is
// not canonical".
void non_canonical(Emit& b, uint32_t x, Shape s) {
  if (!s.vec) {
    b.lget(x);
    b.lget(x);
    b.op(s.f64 ? Op::F64Ne : Op::F32Ne);
    b.lget(x);
    b.op(s.f64 ? Op::I64ReinterpretF64 : Op::I32ReinterpretF32);
    if (s.f64)
      b.i64(abs_mask(true)), b.op(Op::I64And), b.i64(canon(true)), b.op(Op::I64Ne);
    else
      b.i32(0x7FFFFFFF), b.op(Op::I32And), b.i32(0x7FC00000), b.op(Op::I32Ne);
    b.op(Op::I32And);
    return;
  }
  b.lget(x);
  b.lget(x);
  b.op(s.f64 ? Op::F64x2Ne : Op::F32x4Ne);
  b.lget(x);
  b.v128(splat(s.f64, abs_mask(s.f64)), splat(s.f64, abs_mask(s.f64)));
  b.op(Op::V128And);
  b.v128(splat(s.f64, canon(s.f64)), splat(s.f64, canon(s.f64)));
  b.op(s.f64 ? Op::I64x2Eq : Op::I32x4Eq);
  b.op(Op::V128Not);
  b.op(Op::V128And);
}

void record_violation(Emit& b, uint32_t nan_global, Op op) {
  b.op(Op::GlobalGet, nan_global);
  b.op(Op::I32Eqz);
  b.block(Op::If);
  b.i32(static_cast<uint32_t>(op) + 1);
  b.op(Op::GlobalSet, nan_global);
  b.end();
}

void checked(Emit& b, const Instr& in, const Scratch& sc, uint32_t nan_global) {
  const OpInfo& o = info(in.op);
  Ty ops[2] = {o.p1, o.p2};
  int n = o.p2 == Ty::_ ? 1 : 2;
  Shape rs = ty_shape(o.result);
  if (rs.vec) rs.f64 = o.nan == NanCanon::D2;  // the lanes, not the v128 type, say f32 or f64
  auto local_for = [&](Ty t, int k) { return t == Ty::F32 ? sc.f32 + k : t == Ty::F64 ? sc.f64 + k : sc.v128 + k; };
  for (int k = n - 1; k >= 0; --k) b.lset(local_for(ops[k], k));
  for (int k = 0; k < n; ++k) b.lget(local_for(ops[k], k));
  b.e.push_back(in);
  uint32_t r = local_for(o.result, 2);
  b.lset(r);
  if (!rs.vec) {
    for (int k = 0; k < n; ++k) {
      non_canonical(b, local_for(ops[k], k), ty_shape(ops[k]));
      if (k) b.op(Op::I32Or);
    }
    b.lset(sc.flag);
    b.lget(r);
    b.lget(r);
    b.op(rs.f64 ? Op::F64Ne : Op::F32Ne);
    b.block(Op::If);
    b.lget(sc.flag);
    b.block(Op::If, ast::block_of(ValType::I32));
    b.lget(r);
    if (rs.f64) {
      b.op(Op::I64ReinterpretF64), b.i64(quiet(true)), b.op(Op::I64And), b.i64(0), b.op(Op::I64Ne);
    } else {
      b.op(Op::I32ReinterpretF32), b.i32(0x00400000), b.op(Op::I32And), b.i32(0), b.op(Op::I32Ne);
    }
    b.op(Op::Else);
    b.lget(r);
    if (rs.f64) {
      b.op(Op::I64ReinterpretF64), b.i64(abs_mask(true)), b.op(Op::I64And), b.i64(canon(true)), b.op(Op::I64Eq);
    } else {
      b.op(Op::I32ReinterpretF32), b.i32(0x7FFFFFFF), b.op(Op::I32And), b.i32(0x7FC00000), b.op(Op::I32Eq);
    }
    b.end();
    b.op(Op::I32Eqz);
    b.block(Op::If);
    record_violation(b, nan_global, in.op);
    b.end();
    b.raw(rs.f64 ? Op::F64Const : Op::F32Const, canon(rs.f64));
    b.lset(r);
    b.end();
    b.lget(r);
    return;
  }
  // Lanes. The input shape differs from the result's for promote/demote;
  // then lanes do not line up and any non-canonical input NaN lets every
  // result lane be arithmetic.
  Shape in_shape = rs;
  if (in.op == Op::F32x4DemoteF64x2Zero) in_shape.f64 = true;
  if (in.op == Op::F64x2PromoteLowF32x4) in_shape.f64 = false;
  const uint32_t m = sc.v128 + 3, nc = sc.v128 + 4;
  for (int k = 0; k < n; ++k) {
    non_canonical(b, local_for(ops[k], k), in_shape);
    if (k) b.op(Op::V128Or);
  }
  if (in_shape.f64 != rs.f64) {
    b.op(Op::V128AnyTrue);
    b.lset(sc.flag);
    b.i32(0);
    b.lget(sc.flag);
    b.op(Op::I32Sub);
    b.op(Op::I32x4Splat);
  }
  b.lset(nc);
  b.lget(r);
  b.lget(r);
  b.op(rs.f64 ? Op::F64x2Ne : Op::F32x4Ne);
  b.lset(m);
  uint64_t q = splat(rs.f64, quiet(rs.f64)), a = splat(rs.f64, abs_mask(rs.f64)), c = splat(rs.f64, canon(rs.f64));
  b.lget(r);  // arithmetic: the quiet bit is set
  b.v128(q, q);
  b.op(Op::V128And);
  b.v128(0, 0);
  b.op(rs.f64 ? Op::I64x2Ne : Op::I32x4Ne);
  b.lget(r);  // canonical
  b.v128(a, a);
  b.op(Op::V128And);
  b.v128(c, c);
  b.op(rs.f64 ? Op::I64x2Eq : Op::I32x4Eq);
  b.lget(nc);
  b.op(Op::V128Bitselect);  // allowed: arithmetic where an input was non-canonical
  b.op(Op::V128Not);
  b.lget(m);
  b.op(Op::V128And);
  b.op(Op::V128AnyTrue);
  b.block(Op::If);
  record_violation(b, nan_global, in.op);
  b.end();
  b.v128(c, c);
  b.lget(r);
  b.lget(m);
  b.op(Op::V128Bitselect);
}

void instrument(ast::Function& f, const std::vector<FuncType>& types, uint32_t nan_global) {
  bool any = false;
  for (const Instr& i : f.body) any |= info(i.op).nan != NanCanon::_;
  if (!any) return;
  uint32_t next = static_cast<uint32_t>(types[f.type].params.size());
  for (const ast::LocalDecl& d : f.locals) next += d.count;
  Scratch sc;
  sc.f32 = next;
  sc.f64 = next + 3;
  sc.v128 = next + 6;
  sc.flag = next + 11;
  f.locals.push_back({3, ValType::F32});
  f.locals.push_back({3, ValType::F64});
  f.locals.push_back({5, ValType::V128});
  f.locals.push_back({1, ValType::I32});
  ast::Expr out;
  out.reserve(f.body.size() * 2);
  Emit b{out};
  for (const Instr& i : f.body) {
    if (info(i.op).nan != NanCanon::_)
      checked(b, i, sc, nan_global);
    else
      out.push_back(i);
  }
  f.body = std::move(out);
}

void replace_imported_globals(ast::Expr& e, const std::vector<Instr>& consts) {
  for (Instr& i : e)
    if (i.op == Op::GlobalGet && i.a < consts.size()) i = consts[i.a];
}

Instr spectest_global(const ast::Import& im) {
  Instr i;
  switch (im.global.type) {
    case ValType::I32: i.op = Op::I32Const; break;
    case ValType::I64: i.op = Op::I64Const; break;
    case ValType::F32: i.op = Op::F32Const; break;
    case ValType::F64: i.op = Op::F64Const; break;
    case ValType::V128: i.op = Op::V128Const; break;
    case ValType::FuncRef: i.op = Op::RefNull, i.a = 0x70; return i;
    case ValType::ExternRef: i.op = Op::RefNull, i.a = 0x6F; return i;
  }
  if (im.module == "spectest") {
    if (im.name == "global_i32" || im.name == "global_i64") i.lo = 666;
    if (im.name == "global_f32") i.lo = std::bit_cast<uint32_t>(666.6f);
    if (im.name == "global_f64") i.lo = std::bit_cast<uint64_t>(666.6);
  }
  return i;
}

}  // namespace

bool make_probe(const ast::Module& src, uint64_t seed, const ProbeConfig& cfg, Probe& out, std::string& error) {
  ast::Module m = src;
  out = Probe{};

  // 1. Imports become definitions, in front, so no index moves.
  std::vector<ast::Function> funcs;
  std::vector<ast::Global> globals;
  std::vector<ast::TableType> tables;
  std::vector<ast::MemoryType> memories;
  std::vector<Instr> global_consts;
  for (const ast::Import& im : m.imports) {
    switch (im.kind) {
      case ExternKind::Func: {
        if (im.func_type >= m.types.size()) return error = "import of an unknown type", false;
        ast::Function f;
        f.type = im.func_type;
        Emit b{f.body};
        for (ValType t : m.types[im.func_type].results) zero_of(b, t);
        b.end();
        funcs.push_back(std::move(f));
        break;
      }
      case ExternKind::Global: {
        Instr c = spectest_global(im);
        global_consts.push_back(c);
        ast::Global g;
        g.type = im.global;
        g.init = {c};
        Instr end;
        end.op = Op::End;
        g.init.push_back(end);
        globals.push_back(std::move(g));
        break;
      }
      case ExternKind::Table: tables.push_back(im.table); break;
      case ExternKind::Memory: memories.push_back(im.memory); break;
    }
  }
  const uint32_t stubs = static_cast<uint32_t>(funcs.size());
  m.funcs.insert(m.funcs.begin(), funcs.begin(), funcs.end());
  m.globals.insert(m.globals.begin(), globals.begin(), globals.end());
  m.tables.insert(m.tables.begin(), tables.begin(), tables.end());
  m.memories.insert(m.memories.begin(), memories.begin(), memories.end());
  m.imports.clear();
  for (size_t g = global_consts.size(); g < m.globals.size(); ++g)
    replace_imported_globals(m.globals[g].init, global_consts);
  for (ast::ElemSegment& e : m.elems) {
    replace_imported_globals(e.offset, global_consts);
    for (ast::Expr& x : e.init) replace_imported_globals(x, global_consts);
  }
  for (ast::DataSegment& d : m.datas) replace_imported_globals(d.offset, global_consts);

  // 2. What the wrappers call, and the generators' termination hooks.
  std::optional<uint32_t> fuel, hang_init;
  std::vector<std::pair<std::string, uint32_t>> targets;
  std::set<std::string> names;
  for (const ast::Export& e : m.exports) names.insert(e.name);
  for (const ast::Export& e : m.exports) {
    if (e.kind == ExternKind::Global && e.name == "fuel" && e.index < m.globals.size() && m.globals[e.index].type.mut &&
        m.globals[e.index].type.type == ValType::I32)
      fuel = e.index;
    if (e.kind == ExternKind::Func && e.name == "hangLimitInitializer") hang_init = e.index;
  }
  // One probe in deep_one_in, drawn from a stream of its own so that the
  // others stay as they were, gets the deep budget (probe.hpp).
  const uint32_t budget =
      Rng{seed ^ 0xDEE9DEE9ull}.below(cfg.deep_one_in) == 0 && cfg.deep_one_in ? cfg.deep_fuel : cfg.fuel;
  // The start function runs before any wrapper can reset the fuel: give
  // it the same budget (and so the same bounded call depth).
  if (fuel && m.globals[*fuel].init.size() == 2 && m.globals[*fuel].init[0].op == Op::I32Const)
    m.globals[*fuel].init[0].lo = budget;
  out.fuel = fuel ? budget : 0;
  for (const ast::Export& e : m.exports) {
    if (e.kind != ExternKind::Func || e.index >= m.funcs.size()) continue;
    if (hang_init && e.index == *hang_init) continue;
    // The generator's own wrappers "w<i>" repeat "f<i>" with other constants.
    if (fuel && e.name.size() > 1 && e.name[0] == 'w' && names.count("f" + e.name.substr(1))) continue;
    if (targets.size() >= cfg.max_exports) break;
    targets.push_back({e.name, e.index});
  }

  // 3. ref.func in a body needs its function declared (spec 3.4.10, C.refs);
  //    the exports that may have declared it are going away.
  std::set<uint32_t> declared, referenced;
  for (const ast::ElemSegment& e : m.elems)
    for (const ast::Expr& x : e.init)
      for (const Instr& i : x)
        if (i.op == Op::RefFunc) declared.insert(i.a);
  for (const ast::Global& g : m.globals)
    for (const Instr& i : g.init)
      if (i.op == Op::RefFunc) declared.insert(i.a);
  for (const ast::Function& f : m.funcs)
    for (const Instr& i : f.body)
      if (i.op == Op::RefFunc && !declared.count(i.a)) referenced.insert(i.a);
  if (!referenced.empty()) {
    ast::ElemSegment d;
    d.mode = ast::SegmentMode::Declarative;
    d.type = ValType::FuncRef;
    for (uint32_t f : referenced) {
      ast::Expr x;
      Emit b{x};
      b.op(Op::RefFunc, f);
      b.end();
      d.init.push_back(std::move(x));
    }
    m.elems.push_back(std::move(d));
  }
  m.exports.clear();
  // Custom sections mean nothing to execution (and some peers reject what
  // they cannot parse in them: that is the validation differential's job).
  m.customs.clear();

  // 4. The NaN check.
  uint32_t nan_global = static_cast<uint32_t>(m.globals.size());
  m.globals.push_back(zero_global(ValType::I32));
  // 5. Folding (probe_fold.hpp): the values the module would lose go into
  //    the checksum global, before the NaN check so that the check's own
  //    scratch locals are not folded.
  std::optional<uint32_t> checksum;
  if (cfg.fold) {
    checksum = static_cast<uint32_t>(m.globals.size());
    m.globals.push_back(zero_global(ValType::I64));
    const ModuleTypes mt = module_types(m);
    FoldConfig fc;
    fc.checksum = *checksum;
    fc.exact_floats = cfg.nan_check;
    for (size_t f = stubs; f < m.funcs.size(); ++f) fold_lost_values(m, mt, static_cast<uint32_t>(f), fc);
  }
  if (cfg.nan_check)
    for (size_t f = stubs; f < m.funcs.size(); ++f) instrument(m.funcs[f], m.types, nan_global);

  // 6. Wrappers.
  Rng rng{seed};
  std::vector<uint32_t> wrapper_index;
  for (const auto& [name, target] : targets) {
    const FuncType ft = m.types[m.funcs[target].type];
    ast::Function w;
    for (ValType t : ft.results) w.locals.push_back({1, t});
    Emit b{w.body};
    if (fuel) {
      b.i32(budget);
      b.op(Op::GlobalSet, *fuel);
    }
    if (hang_init) b.op(Op::Call, *hang_init);
    for (ValType p : ft.params) arg_of(b, p, rng);
    b.op(Op::Call, target);
    uint32_t n = static_cast<uint32_t>(ft.results.size());
    for (uint32_t k = n; k-- > 0;) b.lset(k);
    std::vector<ValType> results;
    for (uint32_t k = 0; k < n; ++k)
      as_bits(
          b, ft.results[k], [&] { b.lget(k); }, results);
    b.end();
    w.type = type_index(m, FuncType{{}, results});
    wrapper_index.push_back(static_cast<uint32_t>(m.funcs.size()));
    m.funcs.push_back(std::move(w));
    out.calls.push_back(Call{"", {}, results});
    out.targets.push_back(name);
  }
  size_t per_round = out.calls.size();
  std::vector<Call> calls;
  std::vector<std::string> call_targets;
  for (uint32_t r = 0; r < cfg.rounds; ++r) {
    for (size_t k = 0; k < per_round; ++k) {
      Call c = out.calls[k];
      c.name = "c" + std::to_string(k) + (r ? "_" + std::to_string(r) : "");
      m.exports.push_back(ast::Export{c.name, ExternKind::Func, wrapper_index[k], 0});
      calls.push_back(std::move(c));
      call_targets.push_back(out.targets[k]);
    }
  }

  // 7. The state afterwards.
  {
    ast::Function s;
    s.locals = {{1, ValType::I32}, {1, ValType::I64}, {1, ValType::I32}};  // i, h, n
    const uint32_t li = 0, lh = 1, ln = 2;
    Emit b{s.body};
    std::vector<ValType> results;
    b.op(Op::GlobalGet, nan_global);
    results.push_back(ValType::I32);
    out.state_labels.push_back("nan-violation");
    for (uint32_t mem = 0; mem < m.memories.size(); ++mem) {
      if (mem > 0) break;  // 2.0 has one memory; a second would be invalid
      b.op(Op::MemorySize);
      results.push_back(ValType::I32);
      out.state_labels.push_back("memory.size");
      // FNV-1a over 8-byte words: every word of the first max_hash_pages
      // pages, then one word per 4 KiB up to kSampledPages. The generators
      // write mostly low memory (Warden's masks addresses to 32 KiB plus an
      // offset, Binaryen's -ttf to 16 bytes); a full hash of a 16-page
      // memory costs Binaryen's interpreter about 60 ms a module.
      constexpr uint32_t kSampledPages = 256;
      auto hash_loop = [&](uint32_t pages, uint32_t stride, uint32_t words) {
        b.op(Op::MemorySize);
        b.i32(pages);
        b.op(Op::MemorySize);
        b.i32(pages);
        b.op(Op::I32LtU);
        b.op(Op::Select);
        b.i32(16);
        b.op(Op::I32Shl);
        b.lset(ln);
        b.block(Op::Block);
        b.block(Op::Loop);
        b.lget(li);
        b.lget(ln);
        b.op(Op::I32GeU);
        b.op(Op::BrIf, 1);
        // Several words per iteration: interpreters pay per instruction,
        // and the loop's own bookkeeping would otherwise double the cost.
        for (uint32_t w = 0; w < words; ++w) {
          b.lget(lh);
          b.lget(li);
          b.op(Op::I64Load, 3, 8 * w);
          b.op(Op::I64Xor);
          b.i64(0x100000001B3ull);
          b.op(Op::I64Mul);
          b.lset(lh);
        }
        b.lget(li);
        b.i32(stride);
        b.op(Op::I32Add);
        b.lset(li);
        b.op(Op::Br, 0);
        b.end();
        b.end();
      };
      b.i32(0);
      b.lset(li);
      b.i64(0xCBF29CE484222325ull);
      b.lset(lh);
      hash_loop(cfg.max_hash_pages, 64, 8);
      hash_loop(std::max(cfg.max_hash_pages, kSampledPages), 4096, 1);
      b.lget(lh);
      results.push_back(ValType::I64);
      out.state_labels.push_back("memory hash");
    }
    for (uint32_t g = 0; g < nan_global; ++g) {
      std::vector<ValType> got;
      as_bits(
          b, m.globals[g].type.type, [&] { b.op(Op::GlobalGet, g); }, got);
      for (size_t k = 0; k < got.size(); ++k) {
        results.push_back(got[k]);
        out.state_labels.push_back("global " + std::to_string(g) + (got.size() > 1 ? "." + std::to_string(k) : ""));
      }
    }
    for (uint32_t t = 0; t < m.tables.size(); ++t) {
      b.op(Op::TableSize, t);
      results.push_back(ValType::I32);
      out.state_labels.push_back("table " + std::to_string(t) + " size");
    }
    // Last, so that a difference the other values show is still named by
    // them (the comparison names the first differing value).
    if (checksum) {
      b.op(Op::GlobalGet, *checksum);
      results.push_back(ValType::I64);
      out.state_labels.push_back("checksum");
    }
    b.end();
    s.type = type_index(m, FuncType{{}, results});
    uint32_t index = static_cast<uint32_t>(m.funcs.size());
    m.funcs.push_back(std::move(s));
    m.exports.push_back(ast::Export{"state", ExternKind::Func, index, 0});
    calls.push_back(Call{"state", {}, results});
    call_targets.push_back("(state)");
  }
  out.calls = std::move(calls);
  out.targets = std::move(call_targets);
  out.bytes = encode(m);
  return true;
}

std::string nan_violation_op(uint64_t code) {
  if (code == 0 || code > kOpCount) return "";
  return std::string(name(static_cast<Op>(code - 1)));
}

}  // namespace warden::diff
