// Module validation (spec 3.4): everything outside function bodies, then the
// bodies through compile_functions (func_compile.cpp); or, for Module::load,
// all of it while the decoder reads the module (load_binary).
//
// Checks run in the reference interpreter's order, so a module with several
// faults reports the same one: imports, function types, globals, tables,
// memories, element and data segments, bodies, start, exports.
#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

#include "decode/decoder.hpp"
#include "validate/context.hpp"
#include "validate/deferred.hpp"
#include "validate/validator.hpp"

namespace warden {
namespace {

using valid::Context;
using valid::invalid;
using valid::unknown;

constexpr uint64_t kMaxPages = 65536;  // spec 3.2.4: 2^16 pages of 64 KiB

// spec 3.2.1: limits within `range`, min <= max.
std::optional<Error> check_limits(const ast::Bounds& b, uint64_t range, std::string_view msg, uint32_t pos) {
  if (b.min > range) return invalid(std::string(msg), pos);
  if (b.max) {
    if (*b.max > range) return invalid(std::string(msg), pos);
    if (b.min > *b.max) return invalid("size minimum must not be greater than maximum", pos);
  }
  return std::nullopt;
}

std::optional<Error> check_table_type(const ast::TableType& t, uint32_t pos) {
  if (!is_ref(t.elem)) return invalid("malformed reference type", pos);
  return check_limits(t.limits, 0xFFFF'FFFFull, "table size must be at most 2^32-1", pos);
}

std::optional<Error> check_memory_type(const ast::MemoryType& t, uint32_t pos) {
  return check_limits(t.limits, kMaxPages, "memory size must be at most 65536 pages (4GiB)", pos);
}

// spec 3.3.10: a constant expression of type `expected`. Under C' only the
// imported globals are visible, and they must be immutable.
std::optional<Error> check_const(const Context& c, const ast::Expr& e, ValType expected, uint32_t pos) {
  ValType top = valid::kAny;
  size_t depth = 0;  // values produced; only the last one's type matters
  for (const ast::Instr& in : e) {
    pos = in.pos;
    ValType t = valid::kAny;
    switch (in.op) {
      case Op::I32Const: t = ValType::I32; break;
      case Op::I64Const: t = ValType::I64; break;
      case Op::F32Const: t = ValType::F32; break;
      case Op::F64Const: t = ValType::F64; break;
      case Op::V128Const: t = ValType::V128; break;
      case Op::RefNull:
        t = static_cast<ValType>(in.a);
        if (!is_ref(t)) return Error{ErrorKind::Malformed, "malformed reference type", in.pos};
        break;
      case Op::RefFunc:
        if (in.a >= c.func_types.size()) return invalid(unknown("function", in.a), in.pos);
        t = ValType::FuncRef;
        break;
      case Op::GlobalGet:
        if (in.a >= c.imported_globals) return invalid(unknown("global", in.a), in.pos);
        if (c.globals[in.a].mut) return invalid("constant expression required", in.pos);
        t = c.globals[in.a].type;
        break;
      case Op::End:
        if (depth != 1 || top != expected) return invalid("type mismatch", in.pos);
        return std::nullopt;
      default: return invalid("constant expression required", in.pos);
    }
    top = t;
    ++depth;
  }
  if (depth != 1 || top != expected) return invalid("type mismatch", pos);
  return std::nullopt;
}

// spec 3.4.10: C.refs, the functions a body may name with ref.func: those
// referenced anywhere in the module outside function bodies and start.
void mark_refs(const ast::Expr& e, std::vector<uint8_t>& declared) {
  for (const ast::Instr& in : e) {
    if (in.op == Op::RefFunc && in.a < declared.size()) declared[in.a] = 1;
  }
}

// Everything before the bodies but the data segments, which the binary
// format puts after the code section (check_datas).
std::optional<Error> check_sections(const ast::Module& m, const Limits& limits, Context& c) {
  c.m = &m;
  // An implementation limit (spec A.1): blocks, calls and branches check
  // every param and result of their type, so the arity bounds that work.
  for (const FuncType& t : m.types) {
    if (t.params.size() > limits.max_params) return Error{ErrorKind::Exhaustion, "too many parameters", 0};
    if (t.results.size() > limits.max_params) return Error{ErrorKind::Exhaustion, "too many results", 0};
  }
  // The decoder's element limit, for trees that did not come from it.
  uint64_t elements = 0;
  for (const ast::ElemSegment& s : m.elems) elements += s.init.size();
  if (elements > limits.max_store_table_elements) return Error{ErrorKind::Exhaustion, "too many elements", 0};
  // Imports (spec 3.4.7).
  for (const ast::Import& im : m.imports) {
    switch (im.kind) {
      case ExternKind::Func:
        if (im.func_type >= m.types.size()) return invalid(unknown("type", im.func_type), im.pos);
        break;
      case ExternKind::Table:
        if (auto e = check_table_type(im.table, im.pos)) return e;
        break;
      case ExternKind::Memory:
        if (auto e = check_memory_type(im.memory, im.pos)) return e;
        break;
      case ExternKind::Global:
        if (!valid::is_valtype(im.global.type)) return invalid("malformed value type", im.pos);
        break;
    }
  }
  const uint64_t nfuncs = uint64_t{m.imported(ExternKind::Func)} + m.funcs.size();
  if (nfuncs > limits.max_functions) return Error{ErrorKind::Exhaustion, "too many functions", 0};

  // The context C (spec 3.4.10); index spaces start with the imports.
  c.func_types.reserve(nfuncs);
  for (const ast::Import& im : m.imports) {
    switch (im.kind) {
      case ExternKind::Func: c.func_types.push_back(im.func_type); break;
      case ExternKind::Table: c.tables.push_back(im.table.elem); break;
      case ExternKind::Memory: ++c.memories; break;
      case ExternKind::Global: c.globals.push_back(im.global); break;
    }
  }
  c.imported_globals = static_cast<uint32_t>(c.globals.size());
  for (const ast::Function& f : m.funcs) {
    if (f.type >= m.types.size()) return invalid(unknown("type", f.type), f.pos);
    c.func_types.push_back(f.type);
  }
  for (const ast::TableType& t : m.tables) c.tables.push_back(t.elem);
  c.memories += static_cast<uint32_t>(m.memories.size());
  for (const ast::Global& g : m.globals) c.globals.push_back(g.type);
  for (const ast::ElemSegment& s : m.elems) c.elems.push_back(s.type);
  c.datas = static_cast<uint32_t>(m.datas.size());

  c.declared.assign(c.func_types.size(), 0);
  for (const ast::Export& x : m.exports) {
    if (x.kind == ExternKind::Func && x.index < c.declared.size()) c.declared[x.index] = 1;
  }
  for (const ast::Global& g : m.globals) mark_refs(g.init, c.declared);
  for (const ast::ElemSegment& s : m.elems) {
    mark_refs(s.offset, c.declared);
    for (const ast::Expr& e : s.init) mark_refs(e, c.declared);
  }
  for (const ast::DataSegment& d : m.datas) mark_refs(d.offset, c.declared);

  // Globals (spec 3.4.4).
  for (const ast::Global& g : m.globals) {
    if (!valid::is_valtype(g.type.type)) return invalid("malformed value type", g.pos);
    if (auto e = check_const(c, g.init, g.type.type, g.pos)) return e;
  }
  // Tables and memories (spec 3.4.2, 3.4.3).
  for (const ast::TableType& t : m.tables) {
    if (auto e = check_table_type(t, 0)) return e;
  }
  for (const ast::MemoryType& t : m.memories) {
    if (auto e = check_memory_type(t, 0)) return e;
  }
  if (c.memories > 1) return invalid("multiple memories", 0);

  // Element segments (spec 3.4.5).
  for (const ast::ElemSegment& s : m.elems) {
    if (!is_ref(s.type)) return invalid("malformed reference type", s.pos);
    for (const ast::Expr& e : s.init) {
      if (auto err = check_const(c, e, s.type, s.pos)) return err;
    }
    if (s.mode == ast::SegmentMode::Active) {
      if (s.table >= c.tables.size()) return invalid(unknown("table", s.table), s.pos);
      if (auto err = check_const(c, s.offset, ValType::I32, s.pos)) return err;
      if (c.tables[s.table] != s.type) return invalid("type mismatch", s.pos);
    }
  }
  return std::nullopt;
}

// Data segments (spec 3.4.6), the last check before the bodies.
std::optional<Error> check_datas(const ast::Module& m, const Context& c) {
  for (const ast::DataSegment& d : m.datas) {
    if (d.mode == ast::SegmentMode::Active) {
      if (d.memory >= c.memories) return invalid(unknown("memory", d.memory), d.pos);
      if (auto err = check_const(c, d.offset, ValType::I32, d.pos)) return err;
    }
  }
  return std::nullopt;
}

// Start and exports (spec 3.4.8, 3.4.9), after the bodies.
std::optional<Error> check_start_exports(const ast::Module& m, const Context& c) {
  if (m.start) {
    const uint32_t f = *m.start;
    if (f >= c.func_types.size()) return invalid(unknown("function", f), 0);
    const FuncType& ft = c.func_type(f);
    if (!ft.params.empty() || !ft.results.empty()) return invalid("start function", 0);
  }
  // The first export whose name an earlier one has (spec 3.4.10: names
  // are unique): the exports' indices sorted by name, then by position, put
  // each repeat right after the export it repeats. One vector instead of a
  // hash set's node per name: allocations cost most under the fuzzers' ASan.
  std::vector<size_t> by_name(m.exports.size());
  for (size_t i = 0; i < by_name.size(); ++i) by_name[i] = i;
  std::sort(by_name.begin(), by_name.end(), [&](size_t a, size_t b) {
    const int order = m.exports[a].name.compare(m.exports[b].name);
    return order != 0 ? order < 0 : a < b;
  });
  size_t repeat = m.exports.size();
  for (size_t k = 1; k < by_name.size(); ++k)
    if (m.exports[by_name[k]].name == m.exports[by_name[k - 1]].name) repeat = std::min(repeat, by_name[k]);
  for (size_t i = 0; i < m.exports.size(); ++i) {
    const ast::Export& x = m.exports[i];
    uint64_t n = 0;
    std::string_view what;
    switch (x.kind) {
      case ExternKind::Func:
        n = c.func_types.size();
        what = "function";
        break;
      case ExternKind::Table:
        n = c.tables.size();
        what = "table";
        break;
      case ExternKind::Memory:
        n = c.memories;
        what = "memory";
        break;
      case ExternKind::Global:
        n = c.globals.size();
        what = "global";
        break;
    }
    if (x.index >= n) return invalid(unknown(what, x.index), x.pos);
    if (i == repeat) return invalid("duplicate export name", x.pos);
  }
  return std::nullopt;
}

// Module::load's consumer of the decoder's bodies: each is validated and
// compiled as it is decoded. The module-level checks run at the code
// section on what precedes it (the binary format's section order puts all
// that a body needs first) and the data segments' after the decode. The
// first error of each phase is kept and reported in validate()'s order,
// after any malformed byte anywhere in the module (the decoder's error
// comes first: decode-then-validate is what the spec describes).
class BinaryLoader final : public decode_detail::BodySink {
 public:
  BinaryLoader(std::span<const uint8_t> bytes, const Limits& limits, const uint64_t* op_words, bool compile)
      : bytes_(bytes), limits_(limits), compile_(compile) {
    c_.op_words = op_words;
  }

  void begin_code(const ast::Module& m) override {
    began_ = true;
    has_data_count_ = m.data_count.has_value();
    if (defers()) deferred_.reserve(m.funcs.size());
    if ((sections_error_ = check_sections(m, limits_, c_))) return;
    // A body may name a data segment only with a data count section
    // (the decoder's rule, spec 5.5.15), whose count the data section must
    // match: it stands for the data section not yet decoded.
    c_.datas = m.data_count.value_or(0);
    if (defers()) return;  // the bodies wait for finish()
    compiler_.emplace(c_, limits_, code_, compile_);
    if (compile_) code_.funcs.reserve(m.funcs.size());
  }

  void body(uint32_t index, decode_detail::InstrReader& in) override {
    if (sections_error_ || body_error_) return;  // only decoding is left to do
    Result<code::CompiledFunc> r = compiler_->compile(c_.m->funcs[index], in);
    if (!in.ok()) return;  // malformed: the decoder's error is the module's
    if (!r)
      body_error_ = r.error();
    else if (compile_)
      code_.funcs.push_back(r.value());
  }

  // On more than one thread the decoder skips the bodies' instructions, and
  // finish() has them decoded, validated and compiled in parallel.
  bool defers() const override { return limits_.load_threads > 1; }
  void defer(uint32_t index, size_t at, size_t start, uint32_t size) override {
    deferred_.push_back({index, static_cast<uint32_t>(at), static_cast<uint32_t>(start), size});
  }

  Result<Loaded> finish(Result<ast::Module> decoded) {
    Loaded out;
    if (decoded) {
      out.tree = std::move(decoded).value();
      if (!began_) begin_code(out.tree);  // no code section (so no functions)
      c_.m = &out.tree;                   // the decoder's tree has moved here
    }
    if (!deferred_.empty()) {
      // The bodies come before anything the decoder read after them, so a
      // malformed byte in one is the module's error, whatever the decoder
      // found since. With the module already failed, or its other
      // sections invalid, the bodies are only decoded.
      const bool check = decoded && !sections_error_;
      valid::DeferredResult d = valid::run_deferred(bytes_, has_data_count_, deferred_, check ? &c_ : nullptr, limits_,
                                                    compile_, limits_.load_threads);
      if (d.malformed) return *d.malformed;
      body_error_ = std::move(d.invalid);
      if (check && !body_error_) code_ = std::move(d.code);
    }
    if (!decoded) return decoded.error();
    if (sections_error_) {
      // Checked again on the whole tree for the offset: a function's (an
      // unknown type index) is that of its code entry, which the decoder
      // had not read at the code section's start.
      Context whole;
      if (auto e = check_sections(out.tree, limits_, whole)) return *e;
      return *sections_error_;
    }
    if (auto e = check_datas(out.tree, c_)) return *e;
    if (body_error_) return *body_error_;
    if (auto e = check_start_exports(out.tree, c_)) return *e;
    code_.seal();
    out.code = std::move(code_);
    return out;
  }

 private:
  std::span<const uint8_t> bytes_;
  const Limits& limits_;
  const bool compile_;
  Context c_;
  bool began_ = false, has_data_count_ = false;
  std::optional<Error> sections_error_, body_error_;
  std::optional<valid::FunctionCompiler> compiler_;
  std::vector<valid::DeferredBody> deferred_;
  code::CompiledCode code_;
};

}  // namespace

Result<Loaded> load_binary(std::span<const uint8_t> bytes, const Limits& limits, const uint64_t* op_words,
                           bool compile) {
  BinaryLoader loader(bytes, limits, op_words, compile);
  Result<ast::Module> decoded = decode_detail::decode_module(bytes, limits, &loader);
  return loader.finish(std::move(decoded));
}

Result<code::CompiledCode> validate(const ast::Module& m, const Limits& limits, const uint64_t* op_words) {
  Context c;
  c.op_words = op_words;
  if (auto e = check_sections(m, limits, c)) return *e;
  if (auto e = check_datas(m, c)) return *e;
  Result<code::CompiledCode> funcs = valid::compile_functions(c, limits);
  if (!funcs) return funcs;
  if (auto e = check_start_exports(m, c)) return *e;
  return funcs;
}

}  // namespace warden
