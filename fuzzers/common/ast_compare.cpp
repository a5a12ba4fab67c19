#include "ast_compare.hpp"

#include <cinttypes>
#include <cstdio>

namespace warden::fuzz {
namespace {

std::string at(const char* what, size_t i) { return std::string(what) + "[" + std::to_string(i) + "]"; }

bool same_instr(const ast::Instr& x, const ast::Instr& y) {
  return x.op == y.op && x.lane == y.lane && x.a == y.a && x.b == y.b && x.lo == y.lo && x.hi == y.hi;
}

std::string expr_diff(const char* what, const ast::Expr& a, const ast::Expr& b) {
  if (a.size() != b.size())
    return std::string(what) + ": " + std::to_string(a.size()) + " vs " + std::to_string(b.size()) + " instructions";
  for (size_t i = 0; i < a.size(); ++i) {
    if (same_instr(a[i], b[i])) continue;
    char buf[200];
    std::snprintf(buf, sizeof buf, "%s instr %zu: %s a=%u b=%u lo=%" PRIx64 " vs %s a=%u b=%u lo=%" PRIx64, what, i,
                  std::string(name(a[i].op)).c_str(), a[i].a, a[i].b, a[i].lo,
                  std::string(name(b[i].op)).c_str(), b[i].a, b[i].b, b[i].lo);
    return buf;
  }
  return {};
}

bool same_bounds(const ast::Bounds& x, const ast::Bounds& y) { return x.min == y.min && x.max == y.max; }

}  // namespace

std::string ast_difference(const ast::Module& a, const ast::Module& b) {
  if (a.types != b.types) return "types";
  if (a.imports.size() != b.imports.size()) return "import count";
  for (size_t i = 0; i < a.imports.size(); ++i) {
    const ast::Import &x = a.imports[i], &y = b.imports[i];
    bool same = x.module == y.module && x.name == y.name && x.kind == y.kind;
    if (same) {
      switch (x.kind) {
        case ExternKind::Func: same = x.func_type == y.func_type; break;
        case ExternKind::Table: same = x.table.elem == y.table.elem && same_bounds(x.table.limits, y.table.limits); break;
        case ExternKind::Memory: same = same_bounds(x.memory.limits, y.memory.limits); break;
        case ExternKind::Global: same = x.global.type == y.global.type && x.global.mut == y.global.mut; break;
      }
    }
    if (!same) return at("import", i);
  }
  if (a.funcs.size() != b.funcs.size()) return "function count";
  for (size_t i = 0; i < a.funcs.size(); ++i) {
    const ast::Function &x = a.funcs[i], &y = b.funcs[i];
    if (x.type != y.type) return at("function type", i);
    if (x.locals.size() != y.locals.size()) return at("locals of function", i);
    for (size_t k = 0; k < x.locals.size(); ++k)
      if (x.locals[k].count != y.locals[k].count || x.locals[k].type != y.locals[k].type)
        return at("locals of function", i);
    if (x.br_targets != y.br_targets) return at("br_table targets of function", i);
    if (std::string d = expr_diff(at("function", i).c_str(), x.body, y.body); !d.empty()) return d;
  }
  if (a.tables.size() != b.tables.size()) return "table count";
  for (size_t i = 0; i < a.tables.size(); ++i)
    if (a.tables[i].elem != b.tables[i].elem || !same_bounds(a.tables[i].limits, b.tables[i].limits))
      return at("table", i);
  if (a.memories.size() != b.memories.size()) return "memory count";
  for (size_t i = 0; i < a.memories.size(); ++i)
    if (!same_bounds(a.memories[i].limits, b.memories[i].limits)) return at("memory", i);
  if (a.globals.size() != b.globals.size()) return "global count";
  for (size_t i = 0; i < a.globals.size(); ++i) {
    if (a.globals[i].type.type != b.globals[i].type.type || a.globals[i].type.mut != b.globals[i].type.mut)
      return at("global type", i);
    if (std::string d = expr_diff(at("global", i).c_str(), a.globals[i].init, b.globals[i].init); !d.empty()) return d;
  }
  if (a.exports.size() != b.exports.size()) return "export count";
  for (size_t i = 0; i < a.exports.size(); ++i)
    if (a.exports[i].name != b.exports[i].name || a.exports[i].kind != b.exports[i].kind ||
        a.exports[i].index != b.exports[i].index)
      return at("export", i);
  if (a.start != b.start) return "start";
  if (a.elems.size() != b.elems.size()) return "element segment count";
  for (size_t i = 0; i < a.elems.size(); ++i) {
    const ast::ElemSegment &x = a.elems[i], &y = b.elems[i];
    if (x.mode != y.mode || x.type != y.type || x.init.size() != y.init.size()) return at("element segment", i);
    if (x.mode == ast::SegmentMode::Active) {
      if (x.table != y.table) return at("element segment table", i);
      if (std::string d = expr_diff(at("element offset", i).c_str(), x.offset, y.offset); !d.empty()) return d;
    }
    for (size_t k = 0; k < x.init.size(); ++k)
      if (std::string d = expr_diff(at("element init", i).c_str(), x.init[k], y.init[k]); !d.empty()) return d;
  }
  if (a.datas.size() != b.datas.size()) return "data segment count";
  for (size_t i = 0; i < a.datas.size(); ++i) {
    const ast::DataSegment &x = a.datas[i], &y = b.datas[i];
    if (x.mode != y.mode || x.bytes != y.bytes) return at("data segment", i);
    if (x.mode == ast::SegmentMode::Active) {
      if (x.memory != y.memory) return at("data segment memory", i);
      if (std::string d = expr_diff(at("data offset", i).c_str(), x.offset, y.offset); !d.empty()) return d;
    }
  }
  if (a.customs.size() != b.customs.size()) return "custom section count";
  for (size_t i = 0; i < a.customs.size(); ++i)
    if (a.customs[i].name != b.customs[i].name || a.customs[i].bytes != b.customs[i].bytes)
      return at("custom section", i);
  return {};
}

}  // namespace warden::fuzz
