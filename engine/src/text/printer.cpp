// The text printer (spec 6, in reverse). Iterative: block nesting only
// changes an indentation counter.
#include "warden/text.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "warden/opcode.hpp"

namespace warden {

std::string wat_string(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char ch : bytes) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
      out += ch;
    } else {
      out += '\\';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out + '"';
}

}  // namespace warden

namespace warden::text {
namespace {

// Indentation stops growing here: a text whose every line is indented by
// its depth is quadratic in the nesting, which the binary format makes cheap
// (a million nested blocks are two megabytes).
constexpr size_t kMaxIndentDepth = 16;

class Printer {
 public:
  Printer(const ast::Module& m, size_t max_bytes) : m_(m), max_(max_bytes) {}

  /// Whether the text outgrew max_bytes (run() then stops early and
  /// returns nothing).
  bool over() const { return out_.size() > max_; }

  std::string run() {
    out_ += "(module\n";
    for (size_t i = 0; i < m_.types.size(); ++i) type(i);
    uint32_t n_func = 0, n_table = 0, n_mem = 0, n_global = 0;
    for (const ast::Import& im : m_.imports) import(im, n_func, n_table, n_mem, n_global);
    for (const ast::Function& f : m_.funcs) {
      func(f, n_func++);
      if (over()) return {};
    }
    for (const ast::TableType& t : m_.tables) {
      open("table", n_table++);
      table_type(t);
      out_ += ")\n";
    }
    for (const ast::MemoryType& mt : m_.memories) {
      open("memory", n_mem++);
      limits(mt.limits);
      out_ += ")\n";
    }
    for (const ast::Global& g : m_.globals) {
      open("global", n_global++);
      global_type(g.type);
      expr_inline(g.init);
      out_ += ")\n";
    }
    for (const ast::Export& e : m_.exports) {
      out_ += "  (export ";
      string(e.name);
      out_ += " (";
      out_ += to_string(e.kind);
      out_ += ' ';
      num(e.index);
      out_ += "))\n";
    }
    if (m_.start) {
      out_ += "  (start ";
      num(*m_.start);
      out_ += ")\n";
    }
    for (size_t i = 0; i < m_.elems.size(); ++i) elem(m_.elems[i], static_cast<uint32_t>(i));
    for (size_t i = 0; i < m_.datas.size(); ++i) data(m_.datas[i], static_cast<uint32_t>(i));
    for (const ast::CustomSection& c : m_.customs) {
      // The 2.0 text format has no custom sections; keep a note of them.
      out_ += "  ;; custom section ";
      string(c.name);
      out_ += ", " + std::to_string(c.bytes.size()) + " bytes\n";
    }
    out_ += ")\n";
    return std::move(out_);
  }

 private:
  void num(uint64_t v) { out_ += std::to_string(v); }

  void open(const char* what, uint32_t index) {
    out_ += "  (";
    out_ += what;
    out_ += " (;" + std::to_string(index) + ";) ";
  }

  void string(std::string_view s) { out_ += wat_string(s); }

  void valtype(ValType t) { out_ += to_string(t); }

  void limits(const ast::Bounds& b) {
    num(b.min);
    if (b.max) {
      out_ += ' ';
      num(*b.max);
    }
  }

  void table_type(const ast::TableType& t) {
    limits(t.limits);
    out_ += ' ';
    valtype(t.elem);
  }

  void global_type(const ast::GlobalType& g) {
    if (g.mut) out_ += "(mut ";
    valtype(g.type);
    if (g.mut) out_ += ')';
  }

  void type(size_t i) {
    const FuncType& ft = m_.types[i];
    open("type", static_cast<uint32_t>(i));
    out_ += "(func";
    types_clause("param", ft.params);
    types_clause("result", ft.results);
    out_ += "))\n";
  }

  void types_clause(const char* kw, const std::vector<ValType>& ts) {
    if (ts.empty()) return;
    out_ += " (";
    out_ += kw;
    for (ValType t : ts) {
      out_ += ' ';
      valtype(t);
    }
    out_ += ')';
  }

  void import(const ast::Import& im, uint32_t& nf, uint32_t& nt, uint32_t& nm, uint32_t& ng) {
    out_ += "  (import ";
    string(im.module);
    out_ += ' ';
    string(im.name);
    out_ += " (";
    switch (im.kind) {
      case ExternKind::Func:
        out_ += "func (;" + std::to_string(nf++) + ";) (type ";
        num(im.func_type);
        out_ += ')';
        break;
      case ExternKind::Table:
        out_ += "table (;" + std::to_string(nt++) + ";) ";
        table_type(im.table);
        break;
      case ExternKind::Memory:
        out_ += "memory (;" + std::to_string(nm++) + ";) ";
        limits(im.memory.limits);
        break;
      case ExternKind::Global:
        out_ += "global (;" + std::to_string(ng++) + ";) ";
        global_type(im.global);
        break;
    }
    out_ += "))\n";
  }

  void func(const ast::Function& f, uint32_t index) {
    open("func", index);
    out_ += "(type ";
    num(f.type);
    out_ += ')';
    bool any = false;
    for (const ast::LocalDecl& d : f.locals) {
      // Each local is a word of text: a count of 2^32 - 1 is five bytes of
      // binary, so this is where a small module could print without end.
      for (uint32_t k = 0; k < d.count && !over(); ++k) {
        out_ += any ? " " : " (local ";
        any = true;
        valtype(d.type);
      }
    }
    if (any) out_ += ')';
    out_ += '\n';
    size_t depth = 0;
    const size_t n = f.body.empty() ? 0 : f.body.size() - 1;  // the final End is implicit
    for (size_t i = 0; i < n && !over(); ++i) {
      const ast::Instr& in = f.body[i];
      if (in.op == Op::End && depth > 0) --depth;
      const size_t shown = std::min(depth, kMaxIndentDepth);
      const size_t indent = 2 + shown - (in.op == Op::Else && shown > 0 ? 1 : 0);
      out_.append(2 * indent, ' ');
      instr(in, &f.br_targets);
      out_ += '\n';
      if (in.op == Op::Block || in.op == Op::Loop || in.op == Op::If) ++depth;
    }
    out_ += "  )\n";
  }

  // A constant expression on one line, without its final End.
  void expr_inline(const ast::Expr& e) {
    const size_t n = e.empty() ? 0 : e.size() - 1;
    for (size_t i = 0; i < n; ++i) {
      out_ += ' ';
      instr(e[i], nullptr);
    }
  }

  void elem(const ast::ElemSegment& s, uint32_t index) {
    open("elem", index);
    if (s.mode == ast::SegmentMode::Declarative) out_ += "declare ";
    if (s.mode == ast::SegmentMode::Active) {
      out_ += "(table ";
      num(s.table);
      out_ += ") (offset";
      expr_inline(s.offset);
      out_ += ") ";
    }
    valtype(s.type);
    for (const ast::Expr& e : s.init) {
      out_ += " (item";
      expr_inline(e);
      out_ += ')';
    }
    out_ += ")\n";
  }

  void data(const ast::DataSegment& d, uint32_t index) {
    open("data", index);
    if (d.mode == ast::SegmentMode::Active) {
      out_ += "(memory ";
      num(d.memory);
      out_ += ") (offset";
      expr_inline(d.offset);
      out_ += ") ";
    }
    string(std::string_view(reinterpret_cast<const char*>(d.bytes.data()), d.bytes.size()));
    out_ += ")\n";
  }

  void f32(uint32_t bits) {
    const bool neg = (bits >> 31) != 0;
    const uint32_t exp = (bits >> 23) & 0xFF, mant = bits & 0x7FFFFF;
    if (exp == 0xFF) {
      out_ += neg ? "-" : "";
      if (mant == 0) {
        out_ += "inf";
      } else if (mant == 0x400000) {
        out_ += "nan";
      } else {
        out_ += "nan:0x";
        hex(mant);
      }
      return;
    }
    float f;
    std::memcpy(&f, &bits, sizeof f);
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, f);  // shortest round-trip form
    out_.append(buf, r.ptr);
  }

  void f64(uint64_t bits) {
    const bool neg = (bits >> 63) != 0;
    const uint64_t exp = (bits >> 52) & 0x7FF, mant = bits & 0xFFFFFFFFFFFFFull;
    if (exp == 0x7FF) {
      out_ += neg ? "-" : "";
      if (mant == 0) {
        out_ += "inf";
      } else if (mant == 0x8000000000000ull) {
        out_ += "nan";
      } else {
        out_ += "nan:0x";
        hex(mant);
      }
      return;
    }
    double d;
    std::memcpy(&d, &bits, sizeof d);
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    out_.append(buf, r.ptr);
  }

  void hex(uint64_t v) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v, 16);
    out_.append(buf, r.ptr);
  }

  void instr(const ast::Instr& in, const std::vector<uint32_t>* targets) {
    const OpInfo& oi = info(in.op);
    out_ += oi.name;
    switch (oi.imm) {
      case Imm::None:
      case Imm::Zero:
      case Imm::Zero2: return;
      case Imm::Block: {
        const int64_t bt = static_cast<int64_t>(in.lo);
        if (bt == ast::kBlockEmpty) return;
        if (bt < 0) {
          out_ += " (result ";
          valtype(ast::block_valtype(bt));
          out_ += ')';
        } else {
          out_ += " (type ";
          num(static_cast<uint64_t>(bt));
          out_ += ')';
        }
        return;
      }
      case Imm::BrTable:
        for (uint32_t k = 0; k < in.b; ++k) {
          const uint64_t at = uint64_t{in.a} + k;
          out_ += ' ';
          num(targets != nullptr && at < targets->size() ? (*targets)[at] : 0);
        }
        return;
      case Imm::CallInd:
        out_ += ' ';
        num(in.b);
        out_ += " (type ";
        num(in.a);
        out_ += ')';
        return;
      case Imm::Label:
      case Imm::Func:
      case Imm::Local:
      case Imm::Global:
      case Imm::Table:
      case Imm::Elem:
      case Imm::Data:
      case Imm::DataZero:
        out_ += ' ';
        num(in.a);
        return;
      case Imm::Mem:
      case Imm::MemLane:
        if (in.b != 0) out_ += " offset=" + std::to_string(in.b);
        if (in.a != oi.arg) {
          if (in.a < 64) {
            out_ += " align=" + std::to_string(uint64_t{1} << in.a);
          } else {
            out_ += " (;align=2**" + std::to_string(in.a) + " has no text form;)";
          }
        }
        if (oi.imm == Imm::MemLane) out_ += ' ' + std::to_string(in.lane);
        return;
      case Imm::TableTable: out_ += ' ' + std::to_string(in.a) + ' ' + std::to_string(in.b); return;
      case Imm::ElemTable: out_ += ' ' + std::to_string(in.b) + ' ' + std::to_string(in.a); return;
      case Imm::I32: out_ += ' ' + std::to_string(static_cast<int32_t>(static_cast<uint32_t>(in.lo))); return;
      case Imm::I64: out_ += ' ' + std::to_string(static_cast<int64_t>(in.lo)); return;
      case Imm::F32:
        out_ += ' ';
        f32(static_cast<uint32_t>(in.lo));
        return;
      case Imm::F64:
        out_ += ' ';
        f64(in.lo);
        return;
      case Imm::V128:
        out_ += " i32x4";
        for (int k = 0; k < 4; ++k) {
          const uint64_t half = k < 2 ? in.lo : in.hi;
          out_ += " 0x";
          hex(static_cast<uint32_t>(half >> (32 * (k & 1))));
        }
        return;
      case Imm::Lane: out_ += ' ' + std::to_string(in.lane); return;
      case Imm::Shuffle:
        for (int k = 0; k < 16; ++k) {
          const uint64_t half = k < 8 ? in.lo : in.hi;
          out_ += ' ' + std::to_string(static_cast<uint8_t>(half >> (8 * (k & 7))));
        }
        return;
      case Imm::HeapType: out_ += in.a == static_cast<uint8_t>(ValType::ExternRef) ? " extern" : " func"; return;
      case Imm::SelectT:
        // Only the first type is kept in the tree; repeating it preserves
        // both the count and the first type.
        out_ += " (result";
        for (uint32_t k = 0; k < in.b; ++k) {
          out_ += ' ';
          valtype(static_cast<ValType>(in.a));
        }
        out_ += ')';
        return;
    }
  }

  const ast::Module& m_;
  const size_t max_;
  std::string out_;
};

}  // namespace

std::string print_module(const ast::Module& m) { return Printer(m, SIZE_MAX).run(); }

bool print_module(const ast::Module& m, size_t max_bytes, std::string& out) {
  out = Printer(m, max_bytes).run();
  if (out.size() <= max_bytes && !out.empty()) return true;
  out.clear();
  return false;
}

}  // namespace warden::text
