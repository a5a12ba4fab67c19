// Internal to the generator: what a function body may refer to, and the
// instruction lists derived from the opcode table for one configuration.
#pragma once
#include <cstdint>
#include <vector>

#include "generator.hpp"
#include "input.hpp"
#include "warden/syntax.hpp"

namespace warden::gen {

/// What the body generator knows about one segment.
struct SegInfo {
  ast::SegmentMode mode = ast::SegmentMode::Active;
  ValType type = ValType::FuncRef;  // element segments
  uint32_t length = 0;
};

/// One instruction row usable as a "generic" typed operator: its operand
/// types (deepest first) and result come from the table.
struct OpRows {
  std::vector<Op> all;          // every enabled generic row
  std::vector<Op> by_first[8];  // rows whose deepest operand has this ValType slot (see slot_of)
};

struct ModuleCtx {
  const GenConfig& cfg;
  ast::Module& m;

  std::vector<uint32_t> func_types;      // function index space -> type index
  uint32_t callable_funcs = 0;           // functions bodies may call / reference
  std::vector<ast::GlobalType> globals;  // global index space
  std::vector<bool> global_imported;
  uint32_t fuel_global = 0;
  std::vector<ast::TableType> tables;  // table index space
  bool has_memory = false;
  uint32_t memory_min_pages = 0;
  uint32_t memory_max_pages = 0;
  std::vector<SegInfo> elems, datas;
  std::vector<ValType> value_types;  // enabled value types
  const OpRows* rows = nullptr;      // set by build_rows

  ModuleCtx(const GenConfig& c, ast::Module& mod) : cfg(c), m(mod) {}
};

/// Dense index for a value type, for the by_first lists.
inline uint32_t slot_of(ValType t) {
  switch (t) {
    case ValType::I32: return 0;
    case ValType::I64: return 1;
    case ValType::F32: return 2;
    case ValType::F64: return 3;
    case ValType::V128: return 4;
    case ValType::FuncRef: return 5;
    case ValType::ExternRef: return 6;
  }
  return 7;
}

inline ValType val_of(Ty t) {
  switch (t) {
    case Ty::I64: return ValType::I64;
    case Ty::F32: return ValType::F32;
    case Ty::F64: return ValType::F64;
    case Ty::V128: return ValType::V128;
    default: return ValType::I32;
  }
}

/// Point ctx.rows at the generic rows of ctx.cfg's features (and whether
/// there is a memory), built from the opcode table once per combination.
void build_rows(ModuleCtx& ctx);

/// Generate the body (locals and code) of defined function `fn`, whose
/// index in the function space is `func_index`.
void generate_body(ModuleCtx& ctx, Input& in, uint32_t func_index, ast::Function& fn);

/// A constant of type t, as a one-instruction expression body (no End),
/// its value from the edge classes (edge.hpp) or plain, counted in
/// ctx.cfg.edge_counts.
ast::Instr const_instr(Input& in, ValType t, const ModuleCtx& ctx);

/// Count one pick of class e (when the config asks for counts).
inline void count_edge(const ModuleCtx& ctx, Edge e) {
  if (ctx.cfg.edge_counts) ctx.cfg.edge_counts->add(e);
}

}  // namespace warden::gen
