// Module encoding: the decoder's inverse. Instruction immediates are written
// according to the opcode table's Imm column, like the decoder reads them.
#include "warden/binary.hpp"

#include <string>

namespace warden {
namespace {

class Writer {
 public:
  std::vector<uint8_t> out;

  void u8(uint8_t b) { out.push_back(b); }
  void u32(uint32_t v) { uleb(v); }
  void uleb(uint64_t v) {
    do {
      uint8_t b = v & 0x7F;
      v >>= 7;
      if (v) b |= 0x80;
      out.push_back(b);
    } while (v);
  }
  void sleb(int64_t v) {
    for (;;) {
      uint8_t b = static_cast<uint8_t>(static_cast<uint64_t>(v) & 0x7F);
      v >>= 7;  // arithmetic shift (C++20)
      bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
      if (!done) b |= 0x80;
      out.push_back(b);
      if (done) return;
    }
  }
  void fixed(uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void bytes(const uint8_t* p, size_t n) { out.insert(out.end(), p, p + n); }
  void bytes(const std::vector<uint8_t>& b) { bytes(b.data(), b.size()); }
  void name(const std::string& s) {
    u32(static_cast<uint32_t>(s.size()));
    bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }
  void type(ValType t) { u8(static_cast<uint8_t>(t)); }
  /// A size-prefixed blob (section contents or a function body).
  void sized(const Writer& w) {
    u32(static_cast<uint32_t>(w.out.size()));
    bytes(w.out);
  }
};

void write_limits(Writer& w, const ast::Bounds& b) {
  w.u8(b.max ? 0x01 : 0x00);
  w.u32(b.min);
  if (b.max) w.u32(*b.max);
}

void write_table_type(Writer& w, const ast::TableType& t) {
  w.type(t.elem);
  write_limits(w, t.limits);
}

void write_global_type(Writer& w, const ast::GlobalType& g) {
  w.type(g.type);
  w.u8(g.mut ? 1 : 0);
}

// `targets` is null for constant expressions, which have no br_table lists.
void write_expr(Writer& w, const ast::Expr& e, const std::vector<uint32_t>* targets) {
  for (const ast::Instr& in : e) {
    const OpInfo& oi = info(in.op);
    if (oi.prefix) {
      w.u8(oi.prefix);
      w.u32(oi.code);
    } else {
      w.u8(static_cast<uint8_t>(oi.code));
    }
    switch (oi.imm) {
      case Imm::None: break;
      case Imm::Block:
        w.sleb(static_cast<int64_t>(in.lo));  // s33: 0x40, a value type, or an index
        break;
      case Imm::Label:
      case Imm::Func:
      case Imm::Local:
      case Imm::Global:
      case Imm::Table:
      case Imm::Elem:
      case Imm::Data: w.u32(in.a); break;
      case Imm::BrTable: {
        uint32_t n = in.b ? in.b - 1 : 0;  // entries without the default
        w.u32(n);
        bool have = targets && uint64_t{in.a} + n + 1 <= targets->size();
        for (uint32_t i = 0; i <= n; ++i) w.u32(have ? (*targets)[in.a + i] : 0);
        break;
      }
      case Imm::CallInd:
      case Imm::TableTable:
      case Imm::ElemTable:
      case Imm::Mem:
        w.u32(in.a);
        w.u32(in.b);
        break;
      case Imm::MemLane:
        w.u32(in.a);
        w.u32(in.b);
        w.u8(in.lane);
        break;
      case Imm::Zero: w.u8(0); break;
      case Imm::Zero2:
        w.u8(0);
        w.u8(0);
        break;
      case Imm::DataZero:
        w.u32(in.a);
        w.u8(0);
        break;
      case Imm::I32: w.sleb(static_cast<int32_t>(static_cast<uint32_t>(in.lo))); break;
      case Imm::I64: w.sleb(static_cast<int64_t>(in.lo)); break;
      case Imm::F32: w.fixed(in.lo, 4); break;
      case Imm::F64: w.fixed(in.lo, 8); break;
      case Imm::V128:
      case Imm::Shuffle:
        w.fixed(in.lo, 8);
        w.fixed(in.hi, 8);
        break;
      case Imm::Lane: w.u8(in.lane); break;
      case Imm::HeapType: w.u8(static_cast<uint8_t>(in.a)); break;
      case Imm::SelectT:
        w.u32(in.b);
        for (uint32_t i = 0; i < in.b; ++i) w.u8(static_cast<uint8_t>(in.a));
        break;
    }
  }
}

bool uses_data_index(const ast::Module& m) {
  for (const ast::Function& f : m.funcs)
    for (const ast::Instr& in : f.body)
      if (in.op == Op::MemoryInit || in.op == Op::DataDrop) return true;
  return false;
}

// True when every initialiser is `ref.func x end`, so the function-index
// element forms can represent the segment.
bool plain_funcs(const ast::ElemSegment& s) {
  if (s.type != ValType::FuncRef) return false;
  for (const ast::Expr& e : s.init)
    if (e.size() != 2 || e[0].op != Op::RefFunc || e[1].op != Op::End) return false;
  return true;
}

void write_elem(Writer& w, const ast::ElemSegment& s) {
  bool funcs = plain_funcs(s);
  uint32_t flags = funcs ? 0 : 4;
  switch (s.mode) {
    case ast::SegmentMode::Active:
      if (s.table != 0 || s.type != ValType::FuncRef) flags |= 2;
      break;
    case ast::SegmentMode::Passive: flags |= 1; break;
    case ast::SegmentMode::Declarative: flags |= 3; break;
  }
  w.u32(flags);
  if (s.mode == ast::SegmentMode::Active) {
    if (flags & 2) w.u32(s.table);
    write_expr(w, s.offset, nullptr);
  }
  if (flags & 3) {
    if (funcs)
      w.u8(0x00);  // elemkind funcref
    else
      w.type(s.type);
  }
  w.u32(static_cast<uint32_t>(s.init.size()));
  for (const ast::Expr& e : s.init) {
    if (funcs)
      w.u32(e[0].a);
    else
      write_expr(w, e, nullptr);
  }
}

void write_data(Writer& w, const ast::DataSegment& d) {
  if (d.mode == ast::SegmentMode::Active) {
    if (d.memory == 0) {
      w.u32(0);
    } else {
      w.u32(2);
      w.u32(d.memory);
    }
    write_expr(w, d.offset, nullptr);
  } else {
    w.u32(1);
  }
  w.u32(static_cast<uint32_t>(d.bytes.size()));
  w.bytes(d.bytes);
}

// `b` is scratch space for the body (its size goes first), reused across
// bodies so that each does not grow a vector of its own from nothing.
void write_body(Writer& w, Writer& b, const ast::Function& f) {
  b.out.clear();
  b.u32(static_cast<uint32_t>(f.locals.size()));
  for (const ast::LocalDecl& l : f.locals) {
    b.u32(l.count);
    b.type(l.type);
  }
  write_expr(b, f.body, &f.br_targets);
  w.sized(b);
}

class ModuleWriter {
 public:
  explicit ModuleWriter(const ast::Module& m) : m_(m) {}

  std::vector<uint8_t> run() {
    static constexpr uint8_t kHeader[8] = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
    w_.bytes(kHeader, sizeof kHeader);
    customs_after(0);
    // spec 5.5.16: the data count section (12) precedes the code section.
    static constexpr uint8_t kOrder[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 10, 11};
    for (uint8_t id : kOrder) {
      section(id);
      customs_after(id);
    }
    for (const ast::CustomSection& c : m_.customs)
      if (c.after_section > 12) custom(c);
    return std::move(w_.out);
  }

 private:
  const ast::Module& m_;
  Writer w_;
  // Scratch for a section's contents and a function body, which go into
  // w_ after their sizes; kept between sections for their capacity.
  Writer section_, body_;

  void customs_after(uint8_t id) {
    for (const ast::CustomSection& c : m_.customs)
      if (c.after_section == id) custom(c);
  }

  void custom(const ast::CustomSection& c) {
    Writer& s = fresh_section();
    s.name(c.name);
    s.bytes(c.bytes);
    emit(0, s);
  }

  Writer& fresh_section() {
    section_.out.clear();
    return section_;
  }

  void emit(uint8_t id, const Writer& s) {
    w_.u8(id);
    w_.sized(s);
  }

  // An empty vector section is left out, unless a custom section is placed
  // after it: then it is kept so the custom section decodes where it was.
  bool anchors_custom(uint8_t id) const {
    for (const ast::CustomSection& c : m_.customs)
      if (c.after_section == id) return true;
    return false;
  }

  template <class T, class F>
  void vec_section(uint8_t id, const std::vector<T>& items, F write_item) {
    if (items.empty() && !anchors_custom(id)) return;
    Writer& s = fresh_section();
    s.u32(static_cast<uint32_t>(items.size()));
    for (const T& item : items) write_item(s, item);
    emit(id, s);
  }

  void section(uint8_t id) {
    switch (id) {
      case 1:
        return vec_section(id, m_.types, [](Writer& s, const FuncType& t) {
          s.u8(0x60);
          s.u32(static_cast<uint32_t>(t.params.size()));
          for (ValType v : t.params) s.type(v);
          s.u32(static_cast<uint32_t>(t.results.size()));
          for (ValType v : t.results) s.type(v);
        });
      case 2:
        return vec_section(id, m_.imports, [](Writer& s, const ast::Import& im) {
          s.name(im.module);
          s.name(im.name);
          s.u8(static_cast<uint8_t>(im.kind));
          switch (im.kind) {
            case ExternKind::Func: s.u32(im.func_type); break;
            case ExternKind::Table: write_table_type(s, im.table); break;
            case ExternKind::Memory: write_limits(s, im.memory.limits); break;
            case ExternKind::Global: write_global_type(s, im.global); break;
          }
        });
      case 3: return vec_section(id, m_.funcs, [](Writer& s, const ast::Function& f) { s.u32(f.type); });
      case 4: return vec_section(id, m_.tables, write_table_type);
      case 5:
        return vec_section(id, m_.memories, [](Writer& s, const ast::MemoryType& t) { write_limits(s, t.limits); });
      case 6:
        return vec_section(id, m_.globals, [](Writer& s, const ast::Global& g) {
          write_global_type(s, g.type);
          write_expr(s, g.init, nullptr);
        });
      case 7:
        return vec_section(id, m_.exports, [](Writer& s, const ast::Export& e) {
          s.name(e.name);
          s.u8(static_cast<uint8_t>(e.kind));
          s.u32(e.index);
        });
      case 8:
        if (m_.start) {
          Writer& s = fresh_section();
          s.u32(*m_.start);
          emit(id, s);
        }
        return;
      case 9: return vec_section(id, m_.elems, write_elem);
      case 12:
        if (m_.data_count || uses_data_index(m_)) {
          Writer& s = fresh_section();
          s.u32(m_.data_count ? *m_.data_count : static_cast<uint32_t>(m_.datas.size()));
          emit(id, s);
        }
        return;
      case 10: return vec_section(id, m_.funcs, [this](Writer& s, const ast::Function& f) { write_body(s, body_, f); });
      case 11: return vec_section(id, m_.datas, write_data);
    }
  }
};

}  // namespace

std::vector<uint8_t> encode(const ast::Module& m) { return ModuleWriter(m).run(); }

}  // namespace warden
