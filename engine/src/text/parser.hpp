// The text-format parser (spec 6), internal to the text layer. One class,
// implemented across module_parser.cpp (fields, spec 6.6), instr_parser.cpp
// (instructions, spec 6.5) and script_parser.cpp (the .wast script format).
//
// Errors are latched, not thrown: the first failure is recorded and every
// parse function returns false from then on. Messages use the reference
// interpreter's wording, because the spec runner compares assert_malformed
// texts by prefix; the position travels in Error::offset (see wast.hpp).
//
// Nesting: nothing here recurses on input structure. Module fields are
// scanned with a depth counter, and instructions (folded and flat, blocks
// inside folded operands inside blocks...) run on an explicit frame stack in
// parse_instrs, so hostile nesting costs heap, never host stack.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lexer.hpp"
#include "warden/script.hpp"
#include "warden/syntax.hpp"
#include "warden/warden.hpp"

namespace warden::text {

/// One index space's symbolic names (spec 6.6.1 identifier contexts).
struct Space {
  const char* what = "";  // "function", "global", ... for "unknown X $id"
  std::unordered_map<std::string_view, uint32_t> names;
  uint32_t count = 0;
};

/// A parsed `typeuse` (spec 6.6.3): (type x)? (param ...)* (result ...)*.
struct TypeUse {
  bool has_index = false;
  uint32_t index = 0;
  Token index_tok;
  FuncType ft;
  std::vector<std::string_view> param_names;  // one per param, "" if anonymous
  Token at;                                   // first token, for errors
};

/// Names visible inside one function body (or constant expression).
struct Scope {
  std::unordered_map<std::string_view, uint32_t> locals;
  uint32_t local_count = 0;
  bool locals_unknown = false;           // (type x) with x undefined: local ids unusable
  std::vector<std::string_view> labels;  // open blocks, innermost last
  std::unordered_map<std::string_view, std::vector<uint32_t>> label_depths;
  std::vector<uint32_t>* br_targets = nullptr;
};

class Parser {
 public:
  explicit Parser(const TokenList& toks) : t_(toks) {}

  // ---- entry points ----
  /// `(module $id? field*)` or bare fields up to Eof (spec 6.6.13).
  bool parse_module_text(ast::Module& out);
  /// Module fields from the cursor up to (not including) ')' or Eof.
  bool parse_module_body(ast::Module& out);
  /// Whole script (script_parser.cpp).
  bool parse_script_text(Script& out);

  bool failed() const { return failed_; }
  const Error& error() const { return error_; }

 private:
  // ---- cursor ----
  const Token& peek(size_t k = 0) const {
    size_t i = i_ + k;
    return i < t_.toks.size() ? t_.toks[i] : t_.toks.back();
  }
  const Token& next() {
    const Token& t = peek();
    if (i_ < t_.toks.size() - 1) ++i_;
    return t;
  }
  static bool is_kw(const Token& t, std::string_view kw) { return t.kind == Tok::Keyword && t.text == kw; }
  bool peek_open(std::string_view kw) const { return peek().kind == Tok::LParen && is_kw(peek(1), kw); }
  const std::string& str(const Token& t) const { return t_.strings[t.str]; }

  // ---- errors ----
  bool fail(const Token& at, std::string msg);
  /// The error for a token the grammar does not allow here: a lexical error
  /// reports itself, Eof is "unexpected end of input", else "unexpected token".
  bool unexpected(const Token& at);
  bool expect_lparen();
  bool expect_rparen();
  bool expect_kw(std::string_view kw);
  /// Skips a balanced group whose '(' was already consumed.
  bool skip_group();

  // ---- shared pieces (module_parser.cpp) ----
  bool parse_valtype(ValType& out);
  bool parse_reftype(ValType& out);
  bool parse_heaptype(ValType& out);
  bool parse_limits(ast::Bounds& out);
  bool parse_globaltype(ast::GlobalType& out);
  bool parse_name(std::string& out);  // a string that must be valid UTF-8
  bool parse_var(Space& s, uint32_t& out);
  bool parse_opt_var(Space& s, uint32_t& out, bool& present);
  bool bind(Space& s, const Token& id, uint32_t index);
  bool parse_typeuse(TypeUse& tu, bool allow_names);
  bool resolve_typeuse(const TypeUse& tu, uint32_t& type_index);
  uint32_t find_or_add_type(const FuncType& ft);

  // ---- module fields (module_parser.cpp) ----
  bool scan_fields();   // pass 1: ids, explicit types, import order
  bool parse_fields();  // pass 2: everything
  bool parse_import();
  bool parse_func();
  bool parse_table();
  bool parse_memory();
  bool parse_global();
  bool parse_export();
  bool parse_start();
  bool parse_elem();
  bool parse_data();
  bool parse_inline_exports(ExternKind kind, uint32_t index);
  bool parse_inline_import(std::string& module, std::string& name, bool& present);
  bool parse_offset(ast::Expr& out);
  bool parse_elem_expr(ast::Expr& out);

  // ---- instructions (instr_parser.cpp) ----
  /// Instructions up to (not including) the ')' that closes the enclosing
  /// group, then an End. Flat and folded forms, any nesting.
  bool parse_instrs(Scope& sc, ast::Expr& out);
  /// Exactly one folded instruction `( ... )`, then an End.
  bool parse_one_folded(Scope& sc, ast::Expr& out);
  bool parse_instrs_impl(Scope& sc, ast::Expr& out, bool single);
  bool parse_const_expr(ast::Expr& out);  // parse_instrs without locals
  bool parse_blocktype(ast::Instr& in);
  bool parse_label_use(Scope& sc, uint32_t& depth);
  bool parse_immediates(Scope& sc, ast::Instr& in);
  bool parse_memarg(ast::Instr& in, uint8_t natural_align);
  bool parse_lane_index(uint8_t& lane);
  bool parse_v128_const(ast::Instr& in);
  bool parse_shuffle(ast::Instr& in);
  bool parse_literal_i(unsigned bits, uint64_t& out);
  bool parse_literal_f32(uint32_t& out);
  bool parse_literal_f64(uint64_t& out);

  // ---- script (script_parser.cpp) ----
  bool parse_command(Command& out);
  bool parse_script_module(ScriptModule& out);
  bool parse_action(Action& out);
  bool parse_const(Value& out);
  bool parse_expected(Expected& out);
  bool parse_text(std::string& out);

  const TokenList& t_;
  size_t i_ = 0;
  bool failed_ = false;
  Error error_;

  // Per-module state, reset by parse_module_text.
  ast::Module* m_ = nullptr;
  Space types_, funcs_, tables_, mems_, globals_, elems_, datas_;
  std::unordered_map<std::string, uint32_t> type_keys_;           // FuncType -> first index
  bool uses_data_index_ = false;                                  // memory.init / data.drop seen
  uint32_t n_func_ = 0, n_table_ = 0, n_mem_ = 0, n_global_ = 0;  // pass-2 counters
};

}  // namespace warden::text
