#include "suspects.hpp"

#include <algorithm>

#include "warden/warden.hpp"

namespace warden::diff {
namespace {

using ast::Instr;

// The opcode table's operand types as value types (Ty::_ is never asked).
ValType val_of(Ty t) {
  constexpr ValType kOf[] = {ValType::I32, ValType::I32, ValType::I64, ValType::F32, ValType::F64, ValType::V128};
  return kOf[static_cast<uint8_t>(t)];
}

// The operators whose operands and result say everything about them.
bool traceable(Op op) {
  const OpInfo& i = info(op);
  return (i.cls == OpClass::Num || i.cls == OpClass::Trap) && i.imm == Imm::None && i.p1 != Ty::_ && i.result != Ty::_;
}

std::vector<ValType> operands(Op op) {
  std::vector<ValType> v;
  for (Ty t : {info(op).p1, info(op).p2, info(op).p3})
    if (t != Ty::_) v.push_back(val_of(t));
  return v;
}

Instr make(Op op, uint32_t a = 0, uint64_t lo = 0, uint64_t hi = 0) {
  Instr i;
  i.op = op;
  i.a = a;
  i.lo = lo;
  i.hi = hi;
  return i;
}

Instr constant(ValType t, const std::vector<uint64_t>& bits) {
  uint64_t lo = bits.empty() ? 0 : bits[0], hi = bits.size() > 1 ? bits[1] : 0;
  switch (t) {
    case ValType::I64: return make(Op::I64Const, 0, lo);
    case ValType::F32: return make(Op::F32Const, 0, lo);
    case ValType::F64: return make(Op::F64Const, 0, lo);
    case ValType::V128: return make(Op::V128Const, 0, lo, hi);
    default: return make(Op::I32Const, 0, lo);
  }
}

// Scratch locals of a traced function: per value type, three operands and
// the result.
constexpr ValType kTypes[] = {ValType::I32, ValType::I64, ValType::F32, ValType::F64, ValType::V128};
uint32_t slot(uint32_t base, ValType t, uint32_t k) {
  uint32_t at = 0;
  while (kTypes[at] != t) ++at;
  return base + at * 4 + k;
}

// Whether a recorded result is the spec's: equal bits, or NaNs where the
// operator may return any NaN (per lane for SIMD).
bool agree(Op op, const std::vector<uint64_t>& want, const std::vector<uint64_t>& got) {
  if (want == got) return true;
  if (want.size() != got.size()) return false;
  auto nan32 = [](uint64_t x) { return (x & 0x7FFFFFFF) > 0x7F800000; };
  auto nan64 = [](uint64_t x) { return (x & 0x7FFFFFFFFFFFFFFFull) > 0x7FF0000000000000ull; };
  for (size_t i = 0; i < want.size(); ++i) {
    uint64_t a = want[i], b = got[i];
    switch (info(op).nan) {
      case NanCanon::S:
        if (a != b && !(nan32(a) && nan32(b))) return false;
        break;
      case NanCanon::D:
        if (a != b && !(nan64(a) && nan64(b))) return false;
        break;
      case NanCanon::S4:
        for (int lane = 0; lane < 2; ++lane) {
          uint64_t x = a >> (32 * lane) & 0xFFFFFFFF, y = b >> (32 * lane) & 0xFFFFFFFF;
          if (x != y && !(nan32(x) && nan32(y))) return false;
        }
        break;
      case NanCanon::D2:
        if (a != b && !(nan64(a) && nan64(b))) return false;
        break;
      default: return false;
    }
  }
  return true;
}

// What Warden computes for `op` on these operands; nullopt when it traps.
std::optional<std::vector<uint64_t>> spec_result(Op op, const std::vector<std::vector<uint64_t>>& args) {
  std::vector<ValType> types = operands(op);
  ValType r = val_of(info(op).result);
  ast::Module m;
  m.types.push_back(FuncType{{}, {r}});
  ast::Function f;
  for (size_t k = 0; k < types.size(); ++k) f.body.push_back(constant(types[k], args[k]));
  f.body.push_back(make(op));
  f.body.push_back(make(Op::End));
  m.funcs.push_back(std::move(f));
  m.exports.push_back(ast::Export{"f", ExternKind::Func, 0, 0});
  Result<std::shared_ptr<const Module>> mod = load_syntax(std::move(m));
  if (!mod) return std::nullopt;
  Store store;
  Result<Instance*> inst = store.instantiate(*mod, {});
  if (!inst) return std::nullopt;
  Result<std::vector<Value>> v = store.invoke((*inst)->find_export("f")->func, {});
  if (!v || v->size() != 1) return std::nullopt;
  const Value& x = v->front();
  if (r == ValType::V128) return std::vector<uint64_t>{x.lo, x.hi};
  return std::vector<uint64_t>{x.lo};
}

}  // namespace

Trace trace_module(const ast::Module& m, size_t skip) {
  Trace t{m, {}};
  size_t seen = 0;  // operator sites passed, traced or skipped
  ast::Module& out = t.module;
  uint32_t next_global = out.imported(ExternKind::Global) + static_cast<uint32_t>(out.globals.size());
  auto add_global = [&](ValType type) {
    ast::Global g;
    g.type = {type, true};
    g.init = {constant(type, {}), make(Op::End)};
    out.globals.push_back(std::move(g));
    return next_global++;
  };
  for (ast::Function& f : out.funcs) {
    if (t.sites.size() >= kMaxTraceSites) break;
    if (std::none_of(f.body.begin(), f.body.end(), [](const Instr& i) { return traceable(i.op); })) continue;
    uint32_t base = static_cast<uint32_t>(out.types[f.type].params.size());
    for (const ast::LocalDecl& d : f.locals) base += d.count;
    for (ValType type : kTypes) f.locals.push_back({4, type});
    ast::Expr body;
    body.reserve(f.body.size() * 4);
    for (const Instr& i : f.body) {
      if (!traceable(i.op) || t.sites.size() >= kMaxTraceSites || seen++ < skip) {
        body.push_back(i);
        continue;
      }
      std::vector<ValType> in = operands(i.op);
      uint32_t n = static_cast<uint32_t>(in.size());
      ValType r = val_of(info(i.op).result);
      TraceSite site{i.op, add_global(ValType::I32)};
      for (int pass = 0; pass < 2; ++pass) {
        for (ValType type : in) add_global(type);
        add_global(r);
      }
      t.sites.push_back(site);
      // Operands into scratch locals and back, the operator, its result
      // kept (and left on the stack for the code that follows).
      for (uint32_t k = n; k-- > 0;) body.push_back(make(Op::LocalSet, slot(base, in[k], k)));
      for (uint32_t k = 0; k < n; ++k) body.push_back(make(Op::LocalGet, slot(base, in[k], k)));
      body.push_back(i);
      body.push_back(make(Op::LocalTee, slot(base, r, 3)));
      auto record = [&](uint32_t g) {
        for (uint32_t k = 0; k < n; ++k) {
          body.push_back(make(Op::LocalGet, slot(base, in[k], k)));
          body.push_back(make(Op::GlobalSet, g + k));
        }
        body.push_back(make(Op::LocalGet, slot(base, r, 3)));
        body.push_back(make(Op::GlobalSet, g + n));
      };
      const uint32_t count = site.first_global, first = count + 1, last = first + n + 1;
      record(last);
      body.push_back(make(Op::GlobalGet, count));
      body.push_back(make(Op::I32Eqz));
      body.push_back(make(Op::If, 0, static_cast<uint64_t>(ast::kBlockEmpty)));
      record(first);
      body.push_back(make(Op::End));
      body.push_back(make(Op::GlobalGet, count));
      body.push_back(make(Op::I32Const, 0, 1));
      body.push_back(make(Op::I32Add));
      body.push_back(make(Op::GlobalSet, count));
    }
    f.body = std::move(body);
  }
  return t;
}

std::vector<std::string> suspects(const Trace& trace, const std::map<uint32_t, std::vector<uint64_t>>& globals) {
  std::vector<std::string> out;
  auto bits = [&](uint32_t g) {
    auto it = globals.find(g);
    return it == globals.end() ? std::vector<uint64_t>{} : it->second;
  };
  for (const TraceSite& s : trace.sites) {
    std::vector<uint64_t> count = bits(s.first_global);
    if (count.empty() || count[0] == 0) continue;  // never ran
    uint32_t n = static_cast<uint32_t>(operands(s.op).size());
    bool wrong = false;
    for (uint32_t rec : {s.first_global + 1, s.first_global + n + 2}) {
      std::vector<std::vector<uint64_t>> args;
      for (uint32_t k = 0; k < n; ++k) args.push_back(bits(rec + k));
      std::vector<uint64_t> got = bits(rec + n);
      if (got.empty()) continue;  // not in the state call
      std::optional<std::vector<uint64_t>> want = spec_result(s.op, args);
      wrong |= !want || !agree(s.op, *want, got);
    }
    std::string name(warden::name(s.op));
    if (wrong && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

std::map<uint32_t, std::vector<uint64_t>> globals_of(const std::vector<std::string>& labels,
                                                     const std::vector<uint64_t>& values) {
  std::map<uint32_t, std::vector<uint64_t>> out;
  for (size_t i = 0; i < labels.size() && i < values.size(); ++i)
    if (labels[i].rfind("global ", 0) == 0)
      out[static_cast<uint32_t>(std::stoul(labels[i].substr(7)))].push_back(values[i]);
  return out;
}

}  // namespace warden::diff
