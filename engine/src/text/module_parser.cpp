// Module fields of the text format (spec 6.6) and their abbreviations.
//
// Two passes over the field list. Pass 1 (scan_fields) binds every field's
// $id in its index space, parses the explicit type definitions and checks
// that imports precede definitions; it skips everything else with a depth
// counter. Pass 2 (parse_fields) parses each field in order with all names
// known, so bodies may refer forward. Implicit types from inline type uses
// are appended after all explicit ones, in order of occurrence (6.6.3).
#include <string>

#include "parser.hpp"

namespace warden::text {
namespace {

std::string type_key(const FuncType& ft) {
  std::string k;
  for (ValType t : ft.params) k += static_cast<char>(t);
  k += '\0';
  for (ValType t : ft.results) k += static_cast<char>(t);
  return k;
}

ast::Expr i32_const_zero() {
  ast::Instr c;
  c.op = Op::I32Const;
  ast::Instr e;
  e.op = Op::End;
  return {c, e};
}

ast::Expr ref_func_expr(uint32_t f) {
  ast::Instr r;
  r.op = Op::RefFunc;
  r.a = f;
  ast::Instr e;
  e.op = Op::End;
  return {r, e};
}

void add_local(ast::Function& f, ValType t) {
  if (!f.locals.empty() && f.locals.back().type == t) {
    ++f.locals.back().count;
  } else {
    f.locals.push_back({1, t});
  }
}

}  // namespace

// ------------------------------------------------------------- errors ----

bool Parser::fail(const Token& at, std::string msg) {
  if (!failed_) {
    failed_ = true;
    error_.kind = ErrorKind::Malformed;
    error_.message = std::move(msg);
    error_.offset = (uint64_t{at.line} << 32) | at.col;
  }
  return false;
}

bool Parser::unexpected(const Token& at) {
  if (at.kind == Tok::Error) return fail(at, str(at));
  if (at.kind == Tok::Eof) return fail(at, "unexpected end of input");
  return fail(at, "unexpected token");
}

bool Parser::expect_lparen() {
  if (peek().kind != Tok::LParen) return unexpected(peek());
  next();
  return true;
}

bool Parser::expect_rparen() {
  if (peek().kind != Tok::RParen) return unexpected(peek());
  next();
  return true;
}

bool Parser::expect_kw(std::string_view kw) {
  if (!is_kw(peek(), kw)) return unexpected(peek());
  next();
  return true;
}

bool Parser::skip_group() {
  size_t depth = 1;
  while (depth > 0) {
    const Token& t = next();
    if (t.kind == Tok::LParen) {
      ++depth;
    } else if (t.kind == Tok::RParen) {
      --depth;
    } else if (t.kind == Tok::Eof || t.kind == Tok::Error) {
      return unexpected(t);
    }
  }
  return true;
}

// ------------------------------------------------------ small pieces ----

bool Parser::parse_valtype(ValType& out) {
  const Token& t = peek();
  if (t.kind == Tok::Keyword) {
    if (t.text == "i32")
      out = ValType::I32;
    else if (t.text == "i64")
      out = ValType::I64;
    else if (t.text == "f32")
      out = ValType::F32;
    else if (t.text == "f64")
      out = ValType::F64;
    else if (t.text == "v128")
      out = ValType::V128;
    else if (t.text == "funcref")
      out = ValType::FuncRef;
    else if (t.text == "externref")
      out = ValType::ExternRef;
    else
      return unexpected(t);
    next();
    return true;
  }
  return unexpected(t);
}

bool Parser::parse_reftype(ValType& out) {
  const Token& t = peek();
  if (is_kw(t, "funcref"))
    out = ValType::FuncRef;
  else if (is_kw(t, "externref"))
    out = ValType::ExternRef;
  else
    return unexpected(t);
  next();
  return true;
}

bool Parser::parse_heaptype(ValType& out) {
  const Token& t = peek();
  if (is_kw(t, "func"))
    out = ValType::FuncRef;
  else if (is_kw(t, "extern"))
    out = ValType::ExternRef;
  else
    return unexpected(t);
  next();
  return true;
}

bool Parser::parse_limits(ast::Bounds& out) {
  const Token& t = peek();
  if (t.kind != Tok::Nat) return unexpected(t);
  if (!nat32_value(t.text, out.min)) return fail(t, "i32 constant out of range");
  next();
  out.max.reset();
  if (peek().kind == Tok::Nat) {
    uint32_t max = 0;
    if (!nat32_value(peek().text, max)) return fail(peek(), "i32 constant out of range");
    next();
    out.max = max;
  }
  return true;
}

bool Parser::parse_globaltype(ast::GlobalType& out) {
  if (peek_open("mut")) {
    next();
    next();
    out.mut = true;
    return parse_valtype(out.type) && expect_rparen();
  }
  out.mut = false;
  return parse_valtype(out.type);
}

bool Parser::parse_name(std::string& out) {
  const Token& t = peek();
  if (t.kind != Tok::String) return unexpected(t);
  if (!valid_utf8(str(t))) return fail(t, "malformed UTF-8 encoding");
  out = str(t);
  next();
  return true;
}

bool Parser::parse_var(Space& s, uint32_t& out) {
  const Token& t = peek();
  if (t.kind == Tok::Nat) {
    if (!nat32_value(t.text, out)) return fail(t, "i32 constant out of range");
    next();
    return true;
  }
  if (t.kind == Tok::Id) {
    auto it = s.names.find(t.text);
    if (it == s.names.end()) return fail(t, std::string("unknown ") + s.what + " " + std::string(t.text));
    out = it->second;
    next();
    return true;
  }
  return unexpected(t);
}

bool Parser::parse_opt_var(Space& s, uint32_t& out, bool& present) {
  present = peek().kind == Tok::Nat || peek().kind == Tok::Id;
  return !present || parse_var(s, out);
}

bool Parser::bind(Space& s, const Token& id, uint32_t index) {
  if (!s.names.emplace(id.text, index).second) {
    return fail(id, std::string("duplicate ") + s.what + " " + std::string(id.text));
  }
  return true;
}

// spec 6.6.3 type uses. Without names (allow_names false) a `(param $x t)`
// is a syntax error, as for call_indirect and block types.
bool Parser::parse_typeuse(TypeUse& tu, bool allow_names) {
  tu.at = peek();
  if (peek_open("type")) {
    next();
    next();
    tu.index_tok = peek();
    if (!parse_var(types_, tu.index) || !expect_rparen()) return false;
    tu.has_index = true;
  }
  while (peek_open("param")) {
    next();
    next();
    if (peek().kind == Tok::Id) {
      if (!allow_names) return unexpected(peek());
      std::string_view name = next().text;
      ValType t{};
      if (!parse_valtype(t)) return false;
      tu.ft.params.push_back(t);
      tu.param_names.push_back(name);
    } else {
      while (peek().kind != Tok::RParen) {
        ValType t{};
        if (!parse_valtype(t)) return false;
        tu.ft.params.push_back(t);
        tu.param_names.push_back({});
      }
    }
    if (!expect_rparen()) return false;
  }
  while (peek_open("result")) {
    next();
    next();
    while (peek().kind != Tok::RParen) {
      ValType t{};
      if (!parse_valtype(t)) return false;
      tu.ft.results.push_back(t);
    }
    if (!expect_rparen()) return false;
  }
  // Parameters after results are a syntax error, reported before any
  // check of the type itself (the reference parser's order).
  if (peek_open("param")) return unexpected(peek(1));
  return true;
}

bool Parser::resolve_typeuse(const TypeUse& tu, uint32_t& type_index) {
  if (!tu.has_index) {
    type_index = find_or_add_type(tu.ft);
    return true;
  }
  if (!tu.ft.params.empty() || !tu.ft.results.empty()) {
    if (tu.index >= m_->types.size()) return fail(tu.index_tok, "unknown type");
    if (!(m_->types[tu.index] == tu.ft)) {
      return fail(tu.at, "inline function type does not match explicit type");
    }
  }
  type_index = tu.index;
  return true;
}

uint32_t Parser::find_or_add_type(const FuncType& ft) {
  auto [it, added] = type_keys_.emplace(type_key(ft), static_cast<uint32_t>(m_->types.size()));
  if (added) m_->types.push_back(ft);
  return it->second;
}

// ---------------------------------------------------------- the module ----

bool Parser::parse_module_text(ast::Module& out) {
  if (peek_open("module")) {
    next();
    next();
    if (peek().kind == Tok::Id) next();
    if (!parse_module_body(out) || !expect_rparen()) return false;
  } else if (!parse_module_body(out)) {
    return false;
  }
  if (peek().kind != Tok::Eof) return unexpected(peek());
  return true;
}

bool Parser::parse_module_body(ast::Module& out) {
  out = ast::Module{};
  m_ = &out;
  types_ = Space{"type", {}, 0};
  funcs_ = Space{"function", {}, 0};
  tables_ = Space{"table", {}, 0};
  mems_ = Space{"memory", {}, 0};
  globals_ = Space{"global", {}, 0};
  elems_ = Space{"elem segment", {}, 0};
  datas_ = Space{"data segment", {}, 0};
  type_keys_.clear();
  uses_data_index_ = false;
  n_func_ = n_table_ = n_mem_ = n_global_ = 0;
  if (!scan_fields() || !parse_fields()) return false;
  // The binary format needs a data count section exactly when code refers
  // to data segments by index (spec 5.5.16); text has no such section, so
  // the module gets one when it is needed.
  if (uses_data_index_) out.data_count = static_cast<uint32_t>(out.datas.size());
  m_ = nullptr;
  return true;
}

bool Parser::scan_fields() {
  const size_t start = i_;
  const char* last_def = nullptr;  // kind of the latest definition so far
  auto import_ok = [&](const Token& at) {
    return last_def == nullptr || fail(at, std::string("import after ") + last_def);
  };
  auto space_of = [&](const Token& t) -> Space* {
    if (is_kw(t, "func")) return &funcs_;
    if (is_kw(t, "table")) return &tables_;
    if (is_kw(t, "memory")) return &mems_;
    if (is_kw(t, "global")) return &globals_;
    return nullptr;
  };
  while (peek().kind == Tok::LParen) {
    next();
    const Token& kw = peek();
    if (kw.kind != Tok::Keyword) return unexpected(kw);
    if (kw.text == "type") {
      next();
      const uint32_t index = static_cast<uint32_t>(m_->types.size());
      if (peek().kind == Tok::Id) {
        if (!bind(types_, peek(), index)) return false;
        next();
      }
      if (!expect_lparen() || !expect_kw("func")) return false;
      TypeUse tu;
      if (peek_open("type")) return unexpected(peek(1));
      if (!parse_typeuse(tu, true) || !expect_rparen() || !expect_rparen()) return false;
      m_->types.push_back(tu.ft);
      type_keys_.emplace(type_key(tu.ft), index);
      ++types_.count;
      continue;
    }
    if (kw.text == "import") {
      next();
      for (int k = 0; k < 2; ++k) {
        if (peek().kind != Tok::String) return unexpected(peek());
        next();
      }
      if (!expect_lparen()) return false;
      Space* s = space_of(peek());
      if (s == nullptr) return unexpected(peek());
      next();
      if (!import_ok(kw)) return false;
      if (peek().kind == Tok::Id && !bind(*s, peek(), s->count)) return false;
      ++s->count;
      if (!skip_group() || !skip_group()) return false;
      continue;
    }
    if (Space* s = space_of(kw)) {
      next();
      const Token* id = nullptr;
      if (peek().kind == Tok::Id) id = &next();
      while (peek_open("export")) {
        next();
        if (!skip_group()) return false;
      }
      const bool is_import = peek_open("import");
      if (is_import) {
        if (!import_ok(kw)) return false;
      } else {
        last_def = s == &funcs_ ? "function" : s->what;
      }
      if (id != nullptr && !bind(*s, *id, s->count)) return false;
      ++s->count;
      if (!is_import && s == &tables_ && peek().kind == Tok::Keyword && peek(1).kind == Tok::LParen &&
          is_kw(peek(2), "elem")) {
        ++elems_.count;  // (table t (elem ...)) defines an element segment here
      }
      if (!is_import && s == &mems_ && peek_open("data")) ++datas_.count;
      if (!skip_group()) return false;
      continue;
    }
    if (kw.text == "elem" || kw.text == "data") {
      Space& s = kw.text == "elem" ? elems_ : datas_;
      next();
      if (peek().kind == Tok::Id && !bind(s, peek(), s.count)) return false;
      ++s.count;
      if (!skip_group()) return false;
      continue;
    }
    if (kw.text == "start" || kw.text == "export") {
      next();
      if (!skip_group()) return false;
      continue;
    }
    return unexpected(kw);
  }
  i_ = start;
  return true;
}

bool Parser::parse_fields() {
  while (peek().kind == Tok::LParen) {
    const Token& kw = peek(1);
    bool ok = false;
    if (kw.text == "type") {
      next();
      ok = skip_group();  // parsed in pass 1
    } else if (kw.text == "import") {
      ok = parse_import();
    } else if (kw.text == "func") {
      ok = parse_func();
    } else if (kw.text == "table") {
      ok = parse_table();
    } else if (kw.text == "memory") {
      ok = parse_memory();
    } else if (kw.text == "global") {
      ok = parse_global();
    } else if (kw.text == "export") {
      ok = parse_export();
    } else if (kw.text == "start") {
      ok = parse_start();
    } else if (kw.text == "elem") {
      ok = parse_elem();
    } else if (kw.text == "data") {
      ok = parse_data();
    } else {
      return unexpected(kw);
    }
    if (!ok) return false;
  }
  return true;
}

bool Parser::parse_inline_exports(ExternKind kind, uint32_t index) {
  while (peek_open("export")) {
    next();
    next();
    ast::Export e;
    e.kind = kind;
    e.index = index;
    if (!parse_name(e.name) || !expect_rparen()) return false;
    m_->exports.push_back(std::move(e));
  }
  return true;
}

bool Parser::parse_inline_import(std::string& module, std::string& name, bool& present) {
  present = peek_open("import");
  if (!present) return true;
  next();
  next();
  return parse_name(module) && parse_name(name) && expect_rparen();
}

bool Parser::parse_import() {
  next();
  next();
  ast::Import im;
  if (!parse_name(im.module) || !parse_name(im.name) || !expect_lparen()) return false;
  const Token& kw = next();
  if (peek().kind == Tok::Id) next();
  if (is_kw(kw, "func")) {
    im.kind = ExternKind::Func;
    TypeUse tu;
    if (!parse_typeuse(tu, true) || !resolve_typeuse(tu, im.func_type)) return false;
    ++n_func_;
  } else if (is_kw(kw, "table")) {
    im.kind = ExternKind::Table;
    if (!parse_limits(im.table.limits) || !parse_reftype(im.table.elem)) return false;
    ++n_table_;
  } else if (is_kw(kw, "memory")) {
    im.kind = ExternKind::Memory;
    if (!parse_limits(im.memory.limits)) return false;
    ++n_mem_;
  } else if (is_kw(kw, "global")) {
    im.kind = ExternKind::Global;
    if (!parse_globaltype(im.global)) return false;
    ++n_global_;
  } else {
    return unexpected(kw);
  }
  if (!expect_rparen() || !expect_rparen()) return false;
  m_->imports.push_back(std::move(im));
  return true;
}

bool Parser::parse_func() {
  next();
  next();
  if (peek().kind == Tok::Id) next();
  const uint32_t index = n_func_++;
  std::string mod, name;
  bool imported = false;
  TypeUse tu;
  uint32_t type = 0;
  if (!parse_inline_exports(ExternKind::Func, index) || !parse_inline_import(mod, name, imported) ||
      !parse_typeuse(tu, true) || !resolve_typeuse(tu, type)) {
    return false;
  }
  if (imported) {
    ast::Import im;
    im.module = std::move(mod);
    im.name = std::move(name);
    im.kind = ExternKind::Func;
    im.func_type = type;
    m_->imports.push_back(std::move(im));
    return expect_rparen();
  }
  ast::Function f;
  f.type = type;
  Scope sc;
  sc.br_targets = &f.br_targets;
  if (tu.has_index && tu.ft.params.empty() && tu.ft.results.empty()) {
    // Parameters come from the referenced type; they have no names.
    if (type < m_->types.size()) {
      sc.local_count = static_cast<uint32_t>(m_->types[type].params.size());
    } else {
      sc.locals_unknown = true;  // the validator reports the unknown type
    }
  } else {
    for (std::string_view n : tu.param_names) {
      if (!n.empty() && !sc.locals.emplace(n, sc.local_count).second) {
        return fail(tu.at, "duplicate local " + std::string(n));
      }
      ++sc.local_count;
    }
  }
  while (peek_open("local")) {
    next();
    next();
    if (peek().kind == Tok::Id) {
      const Token& id = next();
      if (sc.locals_unknown) return fail(tu.index_tok, "unknown type");
      if (!sc.locals.emplace(id.text, sc.local_count).second) {
        return fail(id, "duplicate local " + std::string(id.text));
      }
      ValType t{};
      if (!parse_valtype(t)) return false;
      add_local(f, t);
      ++sc.local_count;
    } else {
      while (peek().kind != Tok::RParen) {
        ValType t{};
        if (!parse_valtype(t)) return false;
        add_local(f, t);
        ++sc.local_count;
      }
    }
    if (!expect_rparen()) return false;
  }
  if (!parse_instrs(sc, f.body) || !expect_rparen()) return false;
  m_->funcs.push_back(std::move(f));
  return true;
}

bool Parser::parse_table() {
  next();
  next();
  if (peek().kind == Tok::Id) next();
  const uint32_t index = n_table_++;
  std::string mod, name;
  bool imported = false;
  if (!parse_inline_exports(ExternKind::Table, index) || !parse_inline_import(mod, name, imported)) {
    return false;
  }
  ast::TableType tt;
  if (imported) {
    ast::Import im;
    im.module = std::move(mod);
    im.name = std::move(name);
    im.kind = ExternKind::Table;
    if (!parse_limits(im.table.limits) || !parse_reftype(im.table.elem)) return false;
    m_->imports.push_back(std::move(im));
    return expect_rparen();
  }
  if (peek().kind == Tok::Nat) {
    if (!parse_limits(tt.limits) || !parse_reftype(tt.elem)) return false;
    m_->tables.push_back(tt);
    return expect_rparen();
  }
  // spec 6.6.6: (table reftype (elem ...)) = a table of exactly the
  // elements' size plus an active segment at offset 0.
  ast::ElemSegment seg;
  if (!parse_reftype(tt.elem) || !expect_lparen() || !expect_kw("elem")) return false;
  seg.mode = ast::SegmentMode::Active;
  seg.table = index;
  seg.offset = i32_const_zero();
  seg.type = tt.elem;
  if (peek().kind == Tok::LParen) {
    while (peek().kind == Tok::LParen) {
      ast::Expr e;
      if (!parse_elem_expr(e)) return false;
      seg.init.push_back(std::move(e));
    }
  } else {
    while (peek().kind == Tok::Nat || peek().kind == Tok::Id) {
      uint32_t f = 0;
      if (!parse_var(funcs_, f)) return false;
      seg.init.push_back(ref_func_expr(f));
    }
  }
  if (!expect_rparen()) return false;
  const uint32_t n = static_cast<uint32_t>(seg.init.size());
  tt.limits.min = n;
  tt.limits.max = n;
  m_->tables.push_back(tt);
  m_->elems.push_back(std::move(seg));
  return expect_rparen();
}

bool Parser::parse_memory() {
  next();
  next();
  if (peek().kind == Tok::Id) next();
  const uint32_t index = n_mem_++;
  std::string mod, name;
  bool imported = false;
  if (!parse_inline_exports(ExternKind::Memory, index) || !parse_inline_import(mod, name, imported)) {
    return false;
  }
  if (imported) {
    ast::Import im;
    im.module = std::move(mod);
    im.name = std::move(name);
    im.kind = ExternKind::Memory;
    if (!parse_limits(im.memory.limits)) return false;
    m_->imports.push_back(std::move(im));
    return expect_rparen();
  }
  ast::MemoryType mt;
  if (peek_open("data")) {
    // spec 6.6.7: (memory (data ...)) = a memory of exactly the data's
    // size in pages plus an active segment at offset 0.
    next();
    next();
    ast::DataSegment d;
    d.mode = ast::SegmentMode::Active;
    d.memory = index;
    d.offset = i32_const_zero();
    std::string bytes;
    while (peek().kind == Tok::String) bytes += str(next());
    if (!expect_rparen()) return false;
    d.bytes.assign(bytes.begin(), bytes.end());
    const uint64_t pages = (uint64_t{d.bytes.size()} + 65535) / 65536;
    mt.limits.min = static_cast<uint32_t>(pages);
    mt.limits.max = static_cast<uint32_t>(pages);
    m_->memories.push_back(mt);
    m_->datas.push_back(std::move(d));
    return expect_rparen();
  }
  if (!parse_limits(mt.limits)) return false;
  m_->memories.push_back(mt);
  return expect_rparen();
}

bool Parser::parse_global() {
  next();
  next();
  if (peek().kind == Tok::Id) next();
  const uint32_t index = n_global_++;
  std::string mod, name;
  bool imported = false;
  if (!parse_inline_exports(ExternKind::Global, index) || !parse_inline_import(mod, name, imported)) {
    return false;
  }
  ast::GlobalType gt;
  if (!parse_globaltype(gt)) return false;
  if (imported) {
    ast::Import im;
    im.module = std::move(mod);
    im.name = std::move(name);
    im.kind = ExternKind::Global;
    im.global = gt;
    m_->imports.push_back(std::move(im));
    return expect_rparen();
  }
  ast::Global g;
  g.type = gt;
  if (!parse_const_expr(g.init) || !expect_rparen()) return false;
  m_->globals.push_back(std::move(g));
  return true;
}

bool Parser::parse_export() {
  next();
  next();
  ast::Export e;
  if (!parse_name(e.name) || !expect_lparen()) return false;
  const Token& kw = peek();
  Space* s = nullptr;
  if (is_kw(kw, "func")) {
    e.kind = ExternKind::Func;
    s = &funcs_;
  } else if (is_kw(kw, "table")) {
    e.kind = ExternKind::Table;
    s = &tables_;
  } else if (is_kw(kw, "memory")) {
    e.kind = ExternKind::Memory;
    s = &mems_;
  } else if (is_kw(kw, "global")) {
    e.kind = ExternKind::Global;
    s = &globals_;
  } else {
    return unexpected(kw);
  }
  next();
  if (!parse_var(*s, e.index) || !expect_rparen() || !expect_rparen()) return false;
  m_->exports.push_back(std::move(e));
  return true;
}

bool Parser::parse_start() {
  next();
  const Token& kw = next();
  uint32_t f = 0;
  if (!parse_var(funcs_, f)) return false;
  if (m_->start.has_value()) return fail(kw, "multiple start sections");
  m_->start = f;
  return expect_rparen();
}

bool Parser::parse_offset(ast::Expr& out) {
  if (peek_open("offset")) {
    next();
    next();
    return parse_const_expr(out) && expect_rparen();
  }
  if (peek().kind != Tok::LParen) return unexpected(peek());
  Scope sc;
  std::vector<uint32_t> targets;  // br_table is never valid here
  sc.br_targets = &targets;
  return parse_one_folded(sc, out);
}

bool Parser::parse_elem_expr(ast::Expr& out) {
  if (peek_open("item")) {
    next();
    next();
    return parse_const_expr(out) && expect_rparen();
  }
  Scope sc;
  std::vector<uint32_t> targets;
  sc.br_targets = &targets;
  return parse_one_folded(sc, out);
}

// spec 6.6.12: (elem id? elemlist) passive, (elem id? declare elemlist),
// (elem id? (table x)? offset elemlist); after an offset the list may be
// bare function indices (the 1.0 form).
bool Parser::parse_elem() {
  next();
  next();
  if (peek().kind == Tok::Id) next();
  ast::ElemSegment seg;
  bool bare_ok = false;
  if (is_kw(peek(), "declare")) {
    next();
    seg.mode = ast::SegmentMode::Declarative;
  } else if (peek_open("table") || peek().kind == Tok::LParen) {
    seg.mode = ast::SegmentMode::Active;
    if (peek_open("table")) {
      next();
      next();
      if (!parse_var(tables_, seg.table) || !expect_rparen()) return false;
    }
    if (!parse_offset(seg.offset)) return false;
    bare_ok = true;
  } else {
    seg.mode = ast::SegmentMode::Passive;
  }
  const bool func_list = is_kw(peek(), "func");
  if (func_list || (bare_ok && (peek().kind == Tok::Nat || peek().kind == Tok::Id || peek().kind == Tok::RParen))) {
    if (func_list) next();
    seg.type = ValType::FuncRef;
    while (peek().kind == Tok::Nat || peek().kind == Tok::Id) {
      uint32_t f = 0;
      if (!parse_var(funcs_, f)) return false;
      seg.init.push_back(ref_func_expr(f));
    }
  } else {
    if (!parse_reftype(seg.type)) return false;
    while (peek().kind == Tok::LParen) {
      ast::Expr e;
      if (!parse_elem_expr(e)) return false;
      seg.init.push_back(std::move(e));
    }
  }
  if (!expect_rparen()) return false;
  m_->elems.push_back(std::move(seg));
  return true;
}

// spec 6.6.14: (data id? string*) passive, (data id? (memory x)? offset string*).
bool Parser::parse_data() {
  next();
  next();
  if (peek().kind == Tok::Id) next();
  ast::DataSegment d;
  d.mode = ast::SegmentMode::Passive;
  if (peek_open("memory")) {
    next();
    next();
    if (!parse_var(mems_, d.memory) || !expect_rparen()) return false;
    d.mode = ast::SegmentMode::Active;
    if (!parse_offset(d.offset)) return false;
  } else if (peek().kind == Tok::LParen) {
    d.mode = ast::SegmentMode::Active;
    if (!parse_offset(d.offset)) return false;
  }
  while (peek().kind == Tok::String) {
    const std::string& s = str(next());
    d.bytes.insert(d.bytes.end(), s.begin(), s.end());
  }
  if (!expect_rparen()) return false;
  m_->datas.push_back(std::move(d));
  return true;
}

}  // namespace warden::text
