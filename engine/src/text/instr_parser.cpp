// Instructions of the text format (spec 6.5): flat and folded forms, block
// labels, immediates by the opcode table's Imm kind.
//
// No recursion: parse_instrs_impl keeps every open construct (a flat block,
// a folded operator waiting for its operands, a folded `if` in its
// condition / then / else part) as a Frame on an explicit stack.
#include <array>
#include <string>

#include "parser.hpp"

namespace warden::text {
namespace {

enum class FrameKind : uint8_t {
  PlainBlock,         // block/loop ... end
  PlainIf,            // if ... (else ...) end
  FoldedOp,           // (op imm* folded*): emit op at ')'
  FoldedBlock,        // (block ...) / (loop ...)
  FoldedIfCond,       // (if bt folded* ...: waiting for (then
  FoldedIfThen,       // inside (then ...)
  FoldedIfAfterThen,  // after (then ...): (else ...) or ')'
  FoldedIfElse,       // inside (else ...)
  FoldedIfAfterElse,  // after (else ...): ')'
};

struct Frame {
  Frame(FrameKind k, const ast::Instr& i, std::string_view l) : kind(k), instr(i), label(l) {}
  FrameKind kind;
  ast::Instr instr;        // FoldedOp / FoldedIfCond: the instruction to emit
  std::string_view label;  // "" when the block has none
  bool has_else = false;   // PlainIf
  // A folded br_table's labels, held back until it is emitted after its
  // operands, so Function::br_targets follows instruction order as the
  // decoder's does.
  std::vector<uint32_t> targets;
};

void push_label(Scope& sc, std::string_view label) {
  if (!label.empty()) sc.label_depths[label].push_back(static_cast<uint32_t>(sc.labels.size()));
  sc.labels.push_back(label);
}

void pop_label(Scope& sc) {
  std::string_view label = sc.labels.back();
  if (!label.empty()) sc.label_depths[label].pop_back();
  sc.labels.pop_back();
}

bool is_number(const Token& t) { return t.kind == Tok::Nat || t.kind == Tok::Int || t.kind == Tok::Float; }

ast::Instr make(Op op) {
  ast::Instr in;
  in.op = op;
  return in;
}

void put_bytes(ast::Instr& in, const std::array<uint8_t, 16>& b) {
  in.lo = in.hi = 0;
  for (int k = 7; k >= 0; --k) {
    in.lo = (in.lo << 8) | b[static_cast<size_t>(k)];
    in.hi = (in.hi << 8) | b[static_cast<size_t>(k + 8)];
  }
}

}  // namespace

bool Parser::parse_instrs(Scope& sc, ast::Expr& out) {
  if (!parse_instrs_impl(sc, out, false)) return false;
  out.push_back(make(Op::End));
  return true;
}

bool Parser::parse_one_folded(Scope& sc, ast::Expr& out) {
  if (peek().kind != Tok::LParen) return unexpected(peek());
  if (!parse_instrs_impl(sc, out, true)) return false;
  out.push_back(make(Op::End));
  return true;
}

// A constant expression has no locals and no labels. Its br_table lists
// (never valid there) go to a throwaway vector, as the decoder's do, so the
// indices in the tree are the same as a decoded module's.
bool Parser::parse_const_expr(ast::Expr& out) {
  Scope sc;
  std::vector<uint32_t> targets;
  sc.br_targets = &targets;
  return parse_instrs(sc, out);
}

bool Parser::parse_instrs_impl(Scope& sc, ast::Expr& out, bool single) {
  std::vector<Frame> frames;
  auto label_def = [&]() -> std::string_view { return peek().kind == Tok::Id ? next().text : std::string_view{}; };
  // `end $l` / `else $l` must repeat the block's label (spec 6.5.2).
  auto end_label_ok = [&](std::string_view label) {
    if (peek().kind != Tok::Id) return true;
    const Token& t = next();
    return t.text == label || fail(t, "mismatching label");
  };
  auto open_folded = [&]() -> bool {
    next();  // '('
    const Token& kw = peek();
    if (kw.kind != Tok::Keyword) return unexpected(kw);
    std::optional<Op> op = lookup_opcode(kw.text);
    if (!op || *op == Op::Else || *op == Op::End) return unexpected(kw);
    next();
    ast::Instr in = make(*op);
    if (*op == Op::Block || *op == Op::Loop || *op == Op::If) {
      std::string_view label = label_def();
      if (!parse_blocktype(in)) return false;
      if (*op == Op::If) {
        // The label scopes over then/else only, not the condition.
        frames.push_back({FrameKind::FoldedIfCond, in, label});
        return true;
      }
      out.push_back(in);
      push_label(sc, label);
      frames.push_back({FrameKind::FoldedBlock, {}, label});
      return true;
    }
    if (!parse_immediates(sc, in)) return false;
    frames.push_back({FrameKind::FoldedOp, in, {}});
    if (in.op == Op::BrTable) {
      std::vector<uint32_t>& all = *sc.br_targets;
      frames.back().targets.assign(all.begin() + in.a, all.end());
      all.resize(in.a);
    }
    return true;
  };

  if (single && !open_folded()) return false;
  while (true) {
    if (single && frames.empty()) return true;
    const Token& tok = peek();
    if (!frames.empty()) {
      Frame& f = frames.back();
      switch (f.kind) {
        case FrameKind::FoldedOp:
          if (tok.kind == Tok::RParen) {
            next();
            if (f.instr.op == Op::BrTable) {
              f.instr.a = static_cast<uint32_t>(sc.br_targets->size());
              sc.br_targets->insert(sc.br_targets->end(), f.targets.begin(), f.targets.end());
            }
            out.push_back(f.instr);
            frames.pop_back();
            continue;
          }
          if (tok.kind == Tok::LParen) {
            if (!open_folded()) return false;
            continue;
          }
          return unexpected(tok);
        case FrameKind::FoldedIfCond:
          if (peek_open("then")) {
            next();
            next();
            out.push_back(f.instr);
            push_label(sc, f.label);
            f.kind = FrameKind::FoldedIfThen;
            continue;
          }
          if (tok.kind == Tok::LParen) {
            if (!open_folded()) return false;
            continue;
          }
          return unexpected(tok);
        case FrameKind::FoldedIfAfterThen:
          if (peek_open("else")) {
            next();
            next();
            out.push_back(make(Op::Else));
            f.kind = FrameKind::FoldedIfElse;
            continue;
          }
          [[fallthrough]];
        case FrameKind::FoldedIfAfterElse:
          if (tok.kind == Tok::RParen) {
            next();
            out.push_back(make(Op::End));
            pop_label(sc);
            frames.pop_back();
            continue;
          }
          return unexpected(tok);
        default: break;  // an instruction sequence: handled below
      }
    }
    // Inside an instruction sequence.
    if (tok.kind == Tok::RParen || tok.kind == Tok::Eof) {
      if (frames.empty()) return true;  // the caller closes the group
      Frame& f = frames.back();
      if (tok.kind == Tok::Eof) return unexpected(tok);
      switch (f.kind) {
        case FrameKind::FoldedBlock:
          next();
          out.push_back(make(Op::End));
          pop_label(sc);
          frames.pop_back();
          continue;
        case FrameKind::FoldedIfThen:
          next();
          f.kind = FrameKind::FoldedIfAfterThen;
          continue;
        case FrameKind::FoldedIfElse:
          next();
          f.kind = FrameKind::FoldedIfAfterElse;
          continue;
        default: return unexpected(tok);  // a flat block is missing its `end`
      }
    }
    if (tok.kind == Tok::LParen) {
      if (!open_folded()) return false;
      continue;
    }
    if (tok.kind != Tok::Keyword) return unexpected(tok);
    const bool in_plain =
        !frames.empty() && (frames.back().kind == FrameKind::PlainBlock || frames.back().kind == FrameKind::PlainIf);
    if (tok.text == "end") {
      if (!in_plain) return unexpected(tok);
      next();
      if (!end_label_ok(frames.back().label)) return false;
      out.push_back(make(Op::End));
      pop_label(sc);
      frames.pop_back();
      continue;
    }
    if (tok.text == "else") {
      if (!in_plain || frames.back().kind != FrameKind::PlainIf || frames.back().has_else) {
        return unexpected(tok);
      }
      next();
      if (!end_label_ok(frames.back().label)) return false;
      frames.back().has_else = true;
      out.push_back(make(Op::Else));
      continue;
    }
    std::optional<Op> op = lookup_opcode(tok.text);
    if (!op) return unexpected(tok);  // a keyword that is not an instruction
    next();
    ast::Instr in = make(*op);
    if (*op == Op::Block || *op == Op::Loop || *op == Op::If) {
      std::string_view label = label_def();
      if (!parse_blocktype(in)) return false;
      out.push_back(in);
      push_label(sc, label);
      frames.push_back({*op == Op::If ? FrameKind::PlainIf : FrameKind::PlainBlock, {}, label});
      continue;
    }
    if (!parse_immediates(sc, in)) return false;
    out.push_back(in);
  }
}

// spec 6.5.2 block types: a type use; without (type x), no params and at
// most one result is the short value-type form.
bool Parser::parse_blocktype(ast::Instr& in) {
  TypeUse tu;
  if (!parse_typeuse(tu, false)) return false;
  int64_t bt = ast::kBlockEmpty;
  if (tu.has_index) {
    uint32_t index = 0;
    if (!resolve_typeuse(tu, index)) return false;
    bt = index;
  } else if (tu.ft.params.empty() && tu.ft.results.size() <= 1) {
    if (!tu.ft.results.empty()) bt = ast::block_of(tu.ft.results[0]);
  } else {
    bt = find_or_add_type(tu.ft);
  }
  in.lo = static_cast<uint64_t>(bt);
  return true;
}

bool Parser::parse_label_use(Scope& sc, uint32_t& depth) {
  const Token& t = peek();
  if (t.kind == Tok::Id) {
    auto it = sc.label_depths.find(t.text);
    if (it == sc.label_depths.end() || it->second.empty()) {
      return fail(t, "unknown label " + std::string(t.text));
    }
    depth = static_cast<uint32_t>(sc.labels.size() - 1 - it->second.back());
    next();
    return true;
  }
  if (t.kind == Tok::Nat) {
    if (!nat32_value(t.text, depth)) return fail(t, "i32 constant out of range");
    next();
    return true;
  }
  return unexpected(t);
}

bool Parser::parse_immediates(Scope& sc, ast::Instr& in) {
  const OpInfo& oi = info(in.op);
  auto is_var = [&](size_t k) { return peek(k).kind == Tok::Nat || peek(k).kind == Tok::Id; };
  switch (oi.imm) {
    case Imm::None:
      if (in.op == Op::Select && peek_open("result")) {
        // select (result t*)*: the typed form (spec 6.5.4)
        std::vector<ValType> ts;
        while (peek_open("result")) {
          next();
          next();
          while (peek().kind != Tok::RParen) {
            ValType t{};
            if (!parse_valtype(t)) return false;
            ts.push_back(t);
          }
          next();
        }
        in.op = Op::SelectT;
        in.b = static_cast<uint32_t>(ts.size());
        in.a = ts.empty() ? 0 : static_cast<uint8_t>(ts[0]);
      }
      return true;
    case Imm::Block: return parse_blocktype(in);
    case Imm::Label: return parse_label_use(sc, in.a);
    case Imm::BrTable: {
      if (!is_var(0)) return unexpected(peek());
      in.a = static_cast<uint32_t>(sc.br_targets->size());
      while (is_var(0)) {
        uint32_t d = 0;
        if (!parse_label_use(sc, d)) return false;
        sc.br_targets->push_back(d);
      }
      in.b = static_cast<uint32_t>(sc.br_targets->size()) - in.a;
      return true;
    }
    case Imm::Func: return parse_var(funcs_, in.a);
    case Imm::CallInd: {
      bool present = false;
      if (!parse_opt_var(tables_, in.b, present)) return false;
      if (!present) in.b = 0;
      TypeUse tu;
      return parse_typeuse(tu, false) && resolve_typeuse(tu, in.a);
    }
    case Imm::Local: {
      const Token& t = peek();
      if (t.kind == Tok::Id) {
        auto it = sc.locals.find(t.text);
        if (it == sc.locals.end()) return fail(t, "unknown local " + std::string(t.text));
        in.a = it->second;
        next();
        return true;
      }
      if (t.kind == Tok::Nat) {
        if (!nat32_value(t.text, in.a)) return fail(t, "i32 constant out of range");
        next();
        return true;
      }
      return unexpected(t);
    }
    case Imm::Global: return parse_var(globals_, in.a);
    case Imm::Table: {
      bool present = false;
      if (!parse_opt_var(tables_, in.a, present)) return false;
      if (!present) in.a = 0;
      return true;
    }
    case Imm::Elem: return parse_var(elems_, in.a);
    case Imm::Data: uses_data_index_ = true; return parse_var(datas_, in.a);
    case Imm::Mem: return parse_memarg(in, oi.arg);
    case Imm::MemLane: return parse_memarg(in, oi.arg) && parse_lane_index(in.lane);
    case Imm::Zero:
    case Imm::Zero2: return true;
    case Imm::DataZero: uses_data_index_ = true; return parse_var(datas_, in.a);
    case Imm::TableTable:
      // table.copy x y, or neither (both 0)
      if (!is_var(0)) {
        in.a = in.b = 0;
        return true;
      }
      return parse_var(tables_, in.a) && parse_var(tables_, in.b);
    case Imm::ElemTable:
      // table.init x y (table x, elem y), or table.init y (table 0)
      if (is_var(0) && is_var(1)) return parse_var(tables_, in.b) && parse_var(elems_, in.a);
      in.b = 0;
      return parse_var(elems_, in.a);
    case Imm::I32: return parse_literal_i(32, in.lo);
    case Imm::I64: return parse_literal_i(64, in.lo);
    case Imm::F32: {
      uint32_t bits = 0;
      if (!parse_literal_f32(bits)) return false;
      in.lo = bits;
      return true;
    }
    case Imm::F64: return parse_literal_f64(in.lo);
    case Imm::V128: return parse_v128_const(in);
    case Imm::Lane: return parse_lane_index(in.lane);
    case Imm::Shuffle: return parse_shuffle(in);
    case Imm::HeapType: {
      ValType t{};
      if (!parse_heaptype(t)) return false;
      in.a = static_cast<uint8_t>(t);
      return true;
    }
    case Imm::SelectT: return true;  // never looked up by name: `select` maps to Select
  }
  return unexpected(peek());
}

// spec 6.5.6 memarg: offset=u32? align=(power of two)?; the default
// alignment is the natural one. `a` holds log2 of the alignment.
bool Parser::parse_memarg(ast::Instr& in, uint8_t natural_align) {
  in.a = natural_align;
  in.b = 0;
  const Token& t = peek();
  if (t.kind == Tok::Keyword && t.text.substr(0, 7) == "offset=") {
    if (!nat32_value(t.text.substr(7), in.b)) return fail(t, "i32 constant out of range");
    next();
  }
  const Token& u = peek();
  if (u.kind == Tok::Keyword && u.text.substr(0, 6) == "align=") {
    uint64_t align = 0;
    if (!nat64_value(u.text.substr(6), align)) return fail(u, "i32 constant out of range");
    if (align == 0 || (align & (align - 1)) != 0) {
      return fail(u, "alignment must be a power of two");
    }
    uint32_t log2 = 0;
    while ((align >> log2) != 1) ++log2;
    in.a = log2;
    next();
  }
  return true;
}

bool Parser::parse_lane_index(uint8_t& lane) {
  const Token& t = peek();
  if (t.kind != Tok::Nat) return unexpected(t);
  uint32_t v = 0;
  if (!nat32_value(t.text, v) || v > 255) return fail(t, "malformed lane index");
  lane = static_cast<uint8_t>(v);
  next();
  return true;
}

// i8x16.shuffle takes exactly 16 lane indices, each a u8 (spec 6.5.8).
bool Parser::parse_shuffle(ast::Instr& in) {
  size_t n = 0;
  while (is_number(peek(n))) ++n;
  if (peek(n).kind == Tok::Error) return unexpected(peek(n));
  if (n != 16) return fail(peek(), "invalid lane length");
  std::array<uint8_t, 16> b{};
  for (size_t k = 0; k < 16; ++k) {
    const Token& t = peek();
    uint32_t v = 0;
    if (t.kind != Tok::Nat || !nat32_value(t.text, v) || v > 255) {
      return fail(t, "malformed lane index");
    }
    b[k] = static_cast<uint8_t>(v);
    next();
  }
  put_bytes(in, b);
  return true;
}

// spec 6.5.7: v128.const shape lane*, the lane count fixed by the shape.
bool Parser::parse_v128_const(ast::Instr& in) {
  const Token& sh = peek();
  unsigned lanes = 0, bits = 0;
  bool is_float = false;
  if (is_kw(sh, "i8x16"))
    lanes = 16, bits = 8;
  else if (is_kw(sh, "i16x8"))
    lanes = 8, bits = 16;
  else if (is_kw(sh, "i32x4"))
    lanes = 4, bits = 32;
  else if (is_kw(sh, "i64x2"))
    lanes = 2, bits = 64;
  else if (is_kw(sh, "f32x4"))
    lanes = 4, bits = 32, is_float = true;
  else if (is_kw(sh, "f64x2"))
    lanes = 2, bits = 64, is_float = true;
  else
    return unexpected(sh);
  next();
  size_t n = 0;
  while (is_number(peek(n))) ++n;
  if (n < lanes && peek(n).kind == Tok::Error) return unexpected(peek(n));
  if (n != lanes) return fail(peek(std::min<size_t>(n, lanes)), "wrong number of lane literals");
  std::array<uint8_t, 16> b{};
  const unsigned bytes = bits / 8;
  for (unsigned k = 0; k < lanes; ++k) {
    const Token& t = peek();
    uint64_t v = 0;
    bool ok = false;
    if (!is_float) {
      ok = int_value(t.text, bits, v);
    } else if (bits == 32) {
      uint32_t f = 0;
      ok = f32_value(t.text, f);
      v = f;
    } else {
      ok = f64_value(t.text, v);
    }
    if (!ok) return fail(t, "constant out of range");
    for (unsigned j = 0; j < bytes; ++j) b[k * bytes + j] = static_cast<uint8_t>(v >> (8 * j));
    next();
  }
  put_bytes(in, b);
  return true;
}

bool Parser::parse_literal_i(unsigned bits, uint64_t& out) {
  const Token& t = peek();
  if (!is_number(t)) return unexpected(t);
  if (!int_value(t.text, bits, out)) return fail(t, "constant out of range");
  next();
  return true;
}

bool Parser::parse_literal_f32(uint32_t& out) {
  const Token& t = peek();
  if (!is_number(t)) return unexpected(t);
  if (!f32_value(t.text, out)) return fail(t, "constant out of range");
  next();
  return true;
}

bool Parser::parse_literal_f64(uint64_t& out) {
  const Token& t = peek();
  if (!is_number(t)) return unexpected(t);
  if (!f64_value(t.text, out)) return fail(t, "constant out of range");
  next();
  return true;
}

}  // namespace warden::text
