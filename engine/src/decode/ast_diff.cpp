#include "warden/syntax.hpp"

#include <cstdio>

namespace warden {
namespace {

std::string describe(const ast::Instr& in) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%.*s{a=%u b=%u lane=%u lo=0x%llx hi=0x%llx}", static_cast<int>(name(in.op).size()),
                name(in.op).data(), in.a, in.b, in.lane, static_cast<unsigned long long>(in.lo),
                static_cast<unsigned long long>(in.hi));
  return buf;
}

std::string at(const std::string& what, size_t i) { return what + "[" + std::to_string(i) + "]"; }

std::string diff_expr(const ast::Expr& x, const ast::Expr& y, const std::string& what) {
  if (x.size() != y.size())
    return what + ": " + std::to_string(x.size()) + " vs " + std::to_string(y.size()) + " instructions";
  for (size_t i = 0; i < x.size(); ++i) {
    const ast::Instr& p = x[i];
    const ast::Instr& q = y[i];
    if (p.op != q.op || p.lane != q.lane || p.a != q.a || p.b != q.b || p.lo != q.lo || p.hi != q.hi)
      return at(what, i) + ": " + describe(p) + " vs " + describe(q);
  }
  return "";
}

bool same(const ast::Bounds& x, const ast::Bounds& y) { return x.min == y.min && x.max == y.max; }
bool same(const ast::TableType& x, const ast::TableType& y) { return x.elem == y.elem && same(x.limits, y.limits); }
bool same(const ast::GlobalType& x, const ast::GlobalType& y) { return x.type == y.type && x.mut == y.mut; }

bool same(const ast::Import& x, const ast::Import& y) {
  if (x.module != y.module || x.name != y.name || x.kind != y.kind) return false;
  switch (x.kind) {
    case ExternKind::Func: return x.func_type == y.func_type;
    case ExternKind::Table: return same(x.table, y.table);
    case ExternKind::Memory: return same(x.memory.limits, y.memory.limits);
    case ExternKind::Global: return same(x.global, y.global);
  }
  return false;
}

std::string count(const char* what, size_t x, size_t y) {
  return std::string(what) + ": " + std::to_string(x) + " vs " + std::to_string(y);
}

}  // namespace

std::string ast_diff(const ast::Module& a, const ast::Module& b) {
  std::string d;
#define WARDEN_DIFF(cond, msg) \
  do {                         \
    if (!(cond)) return (msg); \
  } while (0)
#define WARDEN_SUB(expr)      \
  do {                        \
    d = (expr);               \
    if (!d.empty()) return d; \
  } while (0)
  WARDEN_DIFF(a.types.size() == b.types.size(), count("types", a.types.size(), b.types.size()));
  for (size_t i = 0; i < a.types.size(); ++i) WARDEN_DIFF(a.types[i] == b.types[i], at("types", i));

  WARDEN_DIFF(a.imports.size() == b.imports.size(), count("imports", a.imports.size(), b.imports.size()));
  for (size_t i = 0; i < a.imports.size(); ++i) WARDEN_DIFF(same(a.imports[i], b.imports[i]), at("imports", i));

  WARDEN_DIFF(a.funcs.size() == b.funcs.size(), count("funcs", a.funcs.size(), b.funcs.size()));
  for (size_t i = 0; i < a.funcs.size(); ++i) {
    const ast::Function& x = a.funcs[i];
    const ast::Function& y = b.funcs[i];
    std::string f = at("funcs", i);
    WARDEN_DIFF(x.type == y.type, f + ".type");
    WARDEN_DIFF(x.locals.size() == y.locals.size(), f + ".locals");
    for (size_t k = 0; k < x.locals.size(); ++k)
      WARDEN_DIFF(x.locals[k].count == y.locals[k].count && x.locals[k].type == y.locals[k].type, at(f + ".locals", k));
    WARDEN_SUB(diff_expr(x.body, y.body, f + ".body"));
    WARDEN_DIFF(x.br_targets == y.br_targets, f + ".br_targets");
  }

  WARDEN_DIFF(a.tables.size() == b.tables.size(), count("tables", a.tables.size(), b.tables.size()));
  for (size_t i = 0; i < a.tables.size(); ++i) WARDEN_DIFF(same(a.tables[i], b.tables[i]), at("tables", i));

  WARDEN_DIFF(a.memories.size() == b.memories.size(), count("memories", a.memories.size(), b.memories.size()));
  for (size_t i = 0; i < a.memories.size(); ++i)
    WARDEN_DIFF(same(a.memories[i].limits, b.memories[i].limits), at("memories", i));

  WARDEN_DIFF(a.globals.size() == b.globals.size(), count("globals", a.globals.size(), b.globals.size()));
  for (size_t i = 0; i < a.globals.size(); ++i) {
    WARDEN_DIFF(same(a.globals[i].type, b.globals[i].type), at("globals", i) + ".type");
    WARDEN_SUB(diff_expr(a.globals[i].init, b.globals[i].init, at("globals", i) + ".init"));
  }

  WARDEN_DIFF(a.exports.size() == b.exports.size(), count("exports", a.exports.size(), b.exports.size()));
  for (size_t i = 0; i < a.exports.size(); ++i) {
    const ast::Export& x = a.exports[i];
    const ast::Export& y = b.exports[i];
    WARDEN_DIFF(x.name == y.name && x.kind == y.kind && x.index == y.index, at("exports", i));
  }

  WARDEN_DIFF(a.start == b.start, std::string("start"));

  WARDEN_DIFF(a.elems.size() == b.elems.size(), count("elems", a.elems.size(), b.elems.size()));
  for (size_t i = 0; i < a.elems.size(); ++i) {
    const ast::ElemSegment& x = a.elems[i];
    const ast::ElemSegment& y = b.elems[i];
    std::string e = at("elems", i);
    WARDEN_DIFF(x.mode == y.mode && x.type == y.type, e + ".mode/type");
    WARDEN_DIFF(x.table == y.table, e + ".table");
    WARDEN_SUB(diff_expr(x.offset, y.offset, e + ".offset"));
    WARDEN_DIFF(x.init.size() == y.init.size(), count((e + ".init").c_str(), x.init.size(), y.init.size()));
    for (size_t k = 0; k < x.init.size(); ++k) WARDEN_SUB(diff_expr(x.init[k], y.init[k], at(e + ".init", k)));
  }

  WARDEN_DIFF(a.datas.size() == b.datas.size(), count("datas", a.datas.size(), b.datas.size()));
  for (size_t i = 0; i < a.datas.size(); ++i) {
    const ast::DataSegment& x = a.datas[i];
    const ast::DataSegment& y = b.datas[i];
    std::string e = at("datas", i);
    WARDEN_DIFF(x.mode == y.mode && x.memory == y.memory, e + ".mode/memory");
    WARDEN_SUB(diff_expr(x.offset, y.offset, e + ".offset"));
    WARDEN_DIFF(x.bytes == y.bytes, e + ".bytes");
  }
  WARDEN_DIFF(a.data_count == b.data_count, std::string("data_count"));

  WARDEN_DIFF(a.customs.size() == b.customs.size(), count("customs", a.customs.size(), b.customs.size()));
  for (size_t i = 0; i < a.customs.size(); ++i) {
    const ast::CustomSection& x = a.customs[i];
    const ast::CustomSection& y = b.customs[i];
    WARDEN_DIFF(x.name == y.name && x.bytes == y.bytes, at("customs", i));
    WARDEN_DIFF(x.after_section == y.after_section, at("customs", i) + ".after_section");
  }
#undef WARDEN_DIFF
#undef WARDEN_SUB
  return "";
}

}  // namespace warden
