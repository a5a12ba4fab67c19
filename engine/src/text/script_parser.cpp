// The .wast script format (the spec interpreter's README, "Scripts"): module
// definitions, register, actions and assertions, parsed into wast.hpp's
// data model. Also the two public entry points of wast.hpp.
#include <string>

#include "parser.hpp"

namespace warden::text {
namespace {

Pos pos_of(const Token& t) { return Pos{t.line, t.col}; }

bool is_field_keyword(const Token& t) {
  if (t.kind != Tok::Keyword) return false;
  static constexpr std::string_view kFields[] = {"type",   "import", "func",  "table", "memory",
                                                 "global", "export", "start", "elem",  "data"};
  for (std::string_view f : kFields)
    if (t.text == f) return true;
  return false;
}

bool is_nan_pattern(const Token& t) {
  return t.kind == Tok::Keyword && (t.text == "nan:canonical" || t.text == "nan:arithmetic");
}

Expected::Kind nan_kind(const Token& t) {
  return t.text == "nan:canonical" ? Expected::Kind::CanonNan : Expected::Kind::ArithNan;
}

}  // namespace

bool Parser::parse_script_text(Script& out) {
  if (peek().kind == Tok::LParen && is_field_keyword(peek(1))) {
    // A script may be just the fields of one module (spec interpreter).
    Command c;
    c.kind = Command::Kind::Module;
    c.pos = pos_of(peek());
    ScriptModule sm;
    sm.pos = c.pos;
    if (!parse_module_body(sm.module)) return false;
    if (peek().kind != Tok::Eof) return unexpected(peek());
    c.module = std::move(sm);
    out.commands.push_back(std::move(c));
    return true;
  }
  while (peek().kind != Tok::Eof) {
    Command c;
    if (!parse_command(c)) return false;
    out.commands.push_back(std::move(c));
  }
  return true;
}

bool Parser::parse_text(std::string& out) {
  if (peek().kind != Tok::String) return unexpected(peek());
  out = str(next());
  return true;
}

bool Parser::parse_command(Command& c) {
  c.pos = pos_of(peek());
  if (peek().kind != Tok::LParen) return unexpected(peek());
  const Token& kw = peek(1);
  if (kw.kind != Tok::Keyword) return unexpected(kw);
  using K = Command::Kind;
  if (kw.text == "module") {
    c.kind = K::Module;
    c.module.emplace();
    return parse_script_module(*c.module);
  }
  if (kw.text == "invoke" || kw.text == "get") {
    c.kind = K::Action;
    c.action.emplace();
    return parse_action(*c.action);
  }
  next();
  next();
  if (kw.text == "register") {
    c.kind = K::Register;
    if (!parse_name(c.register_as)) return false;
    if (peek().kind == Tok::Id) c.register_id = std::string(next().text.substr(1));
    return expect_rparen();
  }
  if (kw.text == "assert_return") {
    c.kind = K::AssertReturn;
    c.action.emplace();
    if (!parse_action(*c.action)) return false;
    while (peek().kind == Tok::LParen) {
      Expected e;
      if (!parse_expected(e)) return false;
      c.expected.push_back(std::move(e));
    }
    return expect_rparen();
  }
  if (kw.text == "assert_trap") {
    c.kind = K::AssertTrap;
    if (peek_open("module")) {
      c.module.emplace();
      if (!parse_script_module(*c.module)) return false;
    } else {
      c.action.emplace();
      if (!parse_action(*c.action)) return false;
    }
    return parse_text(c.text) && expect_rparen();
  }
  if (kw.text == "assert_exhaustion") {
    c.kind = K::AssertExhaustion;
    c.action.emplace();
    return parse_action(*c.action) && parse_text(c.text) && expect_rparen();
  }
  if (kw.text == "assert_malformed")
    c.kind = K::AssertMalformed;
  else if (kw.text == "assert_invalid")
    c.kind = K::AssertInvalid;
  else if (kw.text == "assert_unlinkable")
    c.kind = K::AssertUnlinkable;
  else if (kw.text == "assert_uninstantiable")
    c.kind = K::AssertUninstantiable;
  else
    return unexpected(kw);
  c.module.emplace();
  return parse_script_module(*c.module) && parse_text(c.text) && expect_rparen();
}

// (module $id? field*) | (module $id? binary string*) | (module $id? quote string*)
bool Parser::parse_script_module(ScriptModule& sm) {
  sm.pos = pos_of(peek());
  if (!expect_lparen() || !expect_kw("module")) return false;
  if (peek().kind == Tok::Id) sm.id = std::string(next().text.substr(1));
  if (is_kw(peek(), "binary")) {
    next();
    sm.form = ScriptModule::Form::Binary;
    while (peek().kind == Tok::String) {
      const std::string& s = str(next());
      sm.bytes.insert(sm.bytes.end(), s.begin(), s.end());
    }
    return expect_rparen();
  }
  if (is_kw(peek(), "quote")) {
    next();
    sm.form = ScriptModule::Form::Quote;
    while (peek().kind == Tok::String) sm.quote += str(next());  // plain concatenation
    return expect_rparen();
  }
  sm.form = ScriptModule::Form::Text;
  return parse_module_body(sm.module) && expect_rparen();
}

bool Parser::parse_action(Action& a) {
  a.pos = pos_of(peek());
  if (!expect_lparen()) return false;
  const Token& kw = peek();
  if (is_kw(kw, "invoke"))
    a.kind = Action::Kind::Invoke;
  else if (is_kw(kw, "get"))
    a.kind = Action::Kind::Get;
  else
    return unexpected(kw);
  next();
  if (peek().kind == Tok::Id) a.module = std::string(next().text.substr(1));
  if (!parse_name(a.name)) return false;
  if (a.kind == Action::Kind::Invoke) {
    while (peek().kind == Tok::LParen) {
      Value v;
      if (!parse_const(v)) return false;
      a.args.push_back(v);
    }
  }
  return expect_rparen();
}

// A script constant: (t.const lit), (v128.const shape lit*), (ref.null ht),
// (ref.extern n). ref.extern n is the host word n + 1, so that 0 stays null.
bool Parser::parse_const(Value& v) {
  if (!expect_lparen()) return false;
  const Token& kw = peek();
  if (kw.kind != Tok::Keyword) return unexpected(kw);
  next();
  if (kw.text == "i32.const") {
    uint64_t x = 0;
    if (!parse_literal_i(32, x)) return false;
    v = Value::i32(static_cast<uint32_t>(x));
  } else if (kw.text == "i64.const") {
    uint64_t x = 0;
    if (!parse_literal_i(64, x)) return false;
    v = Value::i64(x);
  } else if (kw.text == "f32.const") {
    uint32_t x = 0;
    if (!parse_literal_f32(x)) return false;
    v = Value::f32_bits(x);
  } else if (kw.text == "f64.const") {
    uint64_t x = 0;
    if (!parse_literal_f64(x)) return false;
    v = Value::f64_bits(x);
  } else if (kw.text == "v128.const") {
    ast::Instr in;
    if (!parse_v128_const(in)) return false;
    v = Value::v128(V128{in.lo, in.hi});
  } else if (kw.text == "ref.null") {
    ValType t{};
    if (!parse_heaptype(t)) return false;
    v = Value::null(t);
  } else if (kw.text == "ref.extern") {
    const Token& n = peek();
    uint32_t x = 0;
    if (n.kind != Tok::Nat) return unexpected(n);
    if (!nat32_value(n.text, x)) return fail(n, "i32 constant out of range");
    next();
    v = Value::externref(uint64_t{x} + 1);
  } else {
    return unexpected(kw);
  }
  return expect_rparen();
}

bool Parser::parse_expected(Expected& e) {
  const size_t start = i_;
  if (!expect_lparen()) return false;
  const Token& kw = peek();
  if ((is_kw(kw, "f32.const") || is_kw(kw, "f64.const")) && is_nan_pattern(peek(1))) {
    next();
    e.kind = nan_kind(next());
    e.value = is_kw(kw, "f32.const") ? Value::f32_bits(0) : Value::f64_bits(0);
    return expect_rparen();
  }
  if ((is_kw(kw, "ref.func") || is_kw(kw, "ref.extern")) && peek(1).kind == Tok::RParen) {
    next();
    next();
    e.kind = Expected::Kind::AnyRef;
    e.value = Value::null(is_kw(kw, "ref.func") ? ValType::FuncRef : ValType::ExternRef);
    return true;
  }
  if (is_kw(kw, "v128.const") && (is_kw(peek(1), "f32x4") || is_kw(peek(1), "f64x2"))) {
    const bool f32 = is_kw(peek(1), "f32x4");
    const size_t lanes = f32 ? 4 : 2;
    bool any_nan = false;
    for (size_t k = 0; k < lanes; ++k) any_nan = any_nan || is_nan_pattern(peek(2 + k));
    if (any_nan) {
      next();
      next();
      e.kind = Expected::Kind::Lanes;
      e.shape = f32 ? ValType::F32 : ValType::F64;
      for (size_t k = 0; k < lanes; ++k) {
        const Token& t = peek();
        Expected lane;
        if (is_nan_pattern(t)) {
          lane.kind = nan_kind(t);
          lane.value = f32 ? Value::f32_bits(0) : Value::f64_bits(0);
          next();
        } else if (f32) {
          uint32_t x = 0;
          if (!parse_literal_f32(x)) return false;
          lane.value = Value::f32_bits(x);
        } else {
          uint64_t x = 0;
          if (!parse_literal_f64(x)) return false;
          lane.value = Value::f64_bits(x);
        }
        e.lanes.push_back(std::move(lane));
      }
      return expect_rparen();
    }
  }
  i_ = start;
  e.kind = Expected::Kind::Exact;
  return parse_const(e.value);
}

// ------------------------------------------------------- entry points ----

Result<Script> parse_script(std::string_view source) {
  TokenList toks = tokenize(source);
  Parser p(toks);
  Script s;
  if (!p.parse_script_text(s)) return p.error();
  return s;
}

Result<ast::Module> parse_module(std::string_view source) {
  TokenList toks = tokenize(source);
  Parser p(toks);
  ast::Module m;
  if (!p.parse_module_text(m)) return p.error();
  return m;
}

}  // namespace warden::text
