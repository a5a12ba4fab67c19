// Module decoding (spec 5.5): the header, the sections in their order, and
// the cross-section checks (function/code and data count/data lengths).
#include "warden/binary.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "decode/decoder.hpp"
#include "decode/expr.hpp"
#include "decode/reader.hpp"

namespace warden {
namespace {

using decode_detail::BodySink;
using decode_detail::InstrReader;
using decode_detail::read_expr;
using decode_detail::read_ref_type;
using decode_detail::read_value_type;
using decode_detail::Reader;

// Section ids (spec 5.5.2).
enum SectionId : uint8_t {
  kCustom = 0,
  kType = 1,
  kImport = 2,
  kFunction = 3,
  kTable = 4,
  kMemory = 5,
  kGlobal = 6,
  kExport = 7,
  kStart = 8,
  kElement = 9,
  kCode = 10,
  kData = 11,
  kDataCount = 12,
};

// Position of a non-custom section in the required order (spec 5.5.16):
// the data count section sits between the element and code sections.
uint8_t section_rank(uint8_t id) {
  if (id == kDataCount) return 10;
  if (id == kCode) return 11;
  if (id == kData) return 12;
  return id;
}

class Decoder {
 public:
  Decoder(std::span<const uint8_t> bytes, const Limits& limits, BodySink* sink)
      : r_(bytes), limits_(limits), sink_(sink) {}

  Result<ast::Module> run() {
    read_header();
    read_sections();
    if (r_.ok()) final_checks();
    if (!r_.ok()) return r_.error();
    return std::move(m_);
  }

 private:
  Reader r_;
  const Limits& limits_;
  BodySink* sink_;
  ast::Module m_;
  bool seen_code_ = false;
  bool seen_data_ = false;
  uint32_t imported_funcs_ = 0;
  uint64_t elems_ = 0;  // elements of all segments so far

  // spec 5.5.16: magic "\0asm", then version 1 as a 4-byte little-endian word.
  void read_header() {
    static constexpr uint8_t kMagic[4] = {0x00, 0x61, 0x73, 0x6D};
    static constexpr uint8_t kVersion[4] = {0x01, 0x00, 0x00, 0x00};
    const uint8_t* p = r_.data();
    if (r_.size() < 4) return r_.fail("unexpected end", r_.size());
    for (int i = 0; i < 4; ++i)
      if (p[i] != kMagic[i]) return r_.fail("magic header not detected", 0);
    if (r_.size() < 8) return r_.fail("unexpected end", r_.size());
    for (int i = 0; i < 4; ++i)
      if (p[4 + i] != kVersion[i]) return r_.fail("unknown binary version", 4);
    r_.seek(8);
  }

  void read_sections() {
    uint8_t last_rank = 0, last_id = 0;
    while (r_.ok() && !r_.at_end()) {
      size_t start = r_.pos();
      uint8_t id = r_.u8();
      if (id > kDataCount) return r_.fail("malformed section id", start);
      uint32_t size = r_.len();
      if (!r_.ok()) return;
      size_t body = r_.pos();
      uint64_t end = uint64_t{body} + size;
      if (id != kCustom) {
        uint8_t rank = section_rank(id);
        if (rank <= last_rank) return r_.fail("unexpected content after last section", start);
        last_rank = rank;
        last_id = id;
      }
      switch (id) {
        case kCustom: read_custom(end, last_id); break;
        case kType: read_types(); break;
        case kImport: read_imports(); break;
        case kFunction: read_functions(); break;
        case kTable: read_tables(); break;
        case kMemory: read_memories(); break;
        case kGlobal: read_globals(); break;
        case kExport: read_exports(); break;
        case kStart: m_.start = r_.u32(); break;
        case kElement: read_elems(); break;
        case kCode: read_code(); break;
        case kData: read_datas(); break;
        case kDataCount: m_.data_count = r_.u32(); break;
      }
      if (r_.ok() && r_.pos() != end) return r_.fail("section size mismatch", body);
    }
  }

  void final_checks() {
    if (!seen_code_ && !m_.funcs.empty())
      return r_.fail("function and code section have inconsistent lengths", r_.size());
    if (!seen_data_ && m_.data_count && *m_.data_count != 0)
      return r_.fail("data count and data section have inconsistent lengths", r_.size());
  }

  // Room for `n` items of a vector whose count len() has read, each item
  // taking `min_bytes` of the input at least: no more than the bytes left
  // could fill, so a count that claims more costs no memory for it (data
  // segments reserve the most, 32 bytes per byte left; Limits says ~40).
  // One allocation instead of a vector grown by doubling: each costs most
  // under the fuzzers' ASan.
  template <class T>
  void reserve(std::vector<T>& v, uint32_t n, size_t min_bytes) {
    v.reserve(std::min<size_t>(n, r_.remaining() / min_bytes));
  }

  // ---- custom (spec 5.5.3)
  void read_custom(uint64_t end, uint8_t after) {
    ast::CustomSection c;
    c.name = r_.name();
    if (!r_.ok()) return;
    if (r_.pos() > end) return r_.fail("unexpected end of section or function", r_.size());
    uint64_t n = end - r_.pos();
    const uint8_t* p = r_.bytes(n);
    if (!p || sink_) return;  // Module::load keeps no custom sections
    c.bytes.assign(p, p + n);
    c.after_section = after;
    m_.customs.push_back(std::move(c));
  }

  // ---- types (spec 5.3, 5.5.4)
  void read_types() {
    uint32_t n = r_.len();
    reserve(m_.types, n, 3);  // 0x60 and two lengths
    for (uint32_t i = 0; i < n && r_.ok(); ++i) {
      size_t at = r_.pos();
      uint8_t form = r_.u8();
      if (!r_.ok()) return;
      if (form & 0x80) return r_.fail("integer representation too long", r_.pos());
      if (form != 0x60) return r_.fail("malformed function type", at);
      FuncType ft;
      read_result_type(ft.params);
      read_result_type(ft.results);
      m_.types.push_back(std::move(ft));
    }
  }

  void read_result_type(std::vector<ValType>& out) {
    uint32_t n = r_.len();
    reserve(out, n, 1);
    for (uint32_t i = 0; i < n && r_.ok(); ++i) out.push_back(read_value_type(r_));
  }

  ast::Bounds read_limits() {
    ast::Bounds b;
    uint64_t flag = r_.uleb(1);  // 0x00 min, 0x01 min max (spec 5.3.7)
    b.min = r_.u32();
    if (flag) b.max = r_.u32();
    return b;
  }

  ast::TableType read_table_type() {
    ast::TableType t;
    t.elem = read_ref_type(r_);
    t.limits = read_limits();
    return t;
  }

  ast::GlobalType read_global_type() {
    ast::GlobalType g;
    g.type = read_value_type(r_);
    size_t at = r_.pos();
    uint8_t mut = r_.u8();
    if (r_.ok() && mut > 1) r_.fail("malformed mutability", at);
    g.mut = mut == 1;
    return g;
  }

  // ---- imports (spec 5.5.5)
  void read_imports() {
    uint32_t n = r_.len();
    reserve(m_.imports, n, 4);  // two names' lengths, a kind, an index or type
    for (uint32_t i = 0; i < n && r_.ok(); ++i) {
      ast::Import im;
      im.pos = static_cast<uint32_t>(r_.pos());
      im.module = r_.name();
      im.name = r_.name();
      size_t at = r_.pos();
      uint8_t kind = r_.u8();
      if (!r_.ok()) return;
      switch (kind) {
        case 0: im.func_type = r_.u32(); break;
        case 1: im.table = read_table_type(); break;
        case 2: im.memory.limits = read_limits(); break;
        case 3: im.global = read_global_type(); break;
        default: return r_.fail("malformed import kind", at);
      }
      im.kind = static_cast<ExternKind>(kind);
      if (im.kind == ExternKind::Func && ++imported_funcs_ > limits_.max_functions)
        return r_.fail_kind(ErrorKind::Exhaustion, "too many functions", im.pos);
      m_.imports.push_back(std::move(im));
    }
  }

  // ---- functions (spec 5.5.6)
  void read_functions() {
    size_t at = r_.pos();
    uint32_t n = r_.len();
    if (!r_.ok()) return;
    if (uint64_t{imported_funcs_} + n > limits_.max_functions)
      return r_.fail_kind(ErrorKind::Exhaustion, "too many functions", at);
    reserve(m_.funcs, n, 1);  // a type index; n is within max_functions too
    for (uint32_t i = 0; i < n && r_.ok(); ++i) {
      ast::Function f;
      f.type = r_.u32();
      m_.funcs.push_back(std::move(f));
    }
  }

  // ---- tables, memories, globals (spec 5.5.7-5.5.9)
  void read_tables() {
    uint32_t n = r_.len();
    for (uint32_t i = 0; i < n && r_.ok(); ++i) m_.tables.push_back(read_table_type());
  }

  void read_memories() {
    uint32_t n = r_.len();
    for (uint32_t i = 0; i < n && r_.ok(); ++i) m_.memories.push_back({read_limits()});
  }

  void read_globals() {
    uint32_t n = r_.len();
    reserve(m_.globals, n, 3);  // a type, mutability, an expression's end
    for (uint32_t i = 0; i < n && r_.ok(); ++i) {
      ast::Global g;
      g.pos = static_cast<uint32_t>(r_.pos());
      g.type = read_global_type();
      const_expr(g.init);
      m_.globals.push_back(std::move(g));
    }
  }

  // A constant expression is an ordinary instruction sequence syntactically
  // (spec 5.4.9); constness is the validator's concern. The data count
  // section is required only for data indices in the code section (spec
  // 5.5.16), so memory.init here is left for the validator to reject.
  void const_expr(ast::Expr& out) {
    std::vector<uint32_t> scratch;  // br_table targets; never valid here
    read_expr(r_, out, scratch, true);
  }

  // ---- exports (spec 5.5.10)
  void read_exports() {
    uint32_t n = r_.len();
    reserve(m_.exports, n, 3);  // a name's length, a kind, an index
    for (uint32_t i = 0; i < n && r_.ok(); ++i) {
      ast::Export e;
      e.pos = static_cast<uint32_t>(r_.pos());
      e.name = r_.name();
      size_t at = r_.pos();
      uint8_t kind = r_.u8();
      if (!r_.ok()) return;
      if (kind > 3) return r_.fail("malformed export kind", at);
      e.kind = static_cast<ExternKind>(kind);
      e.index = r_.u32();
      m_.exports.push_back(std::move(e));
    }
  }

  // ---- elements (spec 5.5.12): flag bit 0 passive/declarative, bit 1
  // explicit table (active) or declarative (otherwise), bit 2 expressions.
  void read_elems() {
    uint32_t n = r_.len();
    reserve(m_.elems, n, 3);  // flags, a kind or an expression, a count
    for (uint32_t i = 0; i < n && r_.ok(); ++i) {
      ast::ElemSegment s;
      s.pos = static_cast<uint32_t>(r_.pos());
      uint32_t flags = r_.u32();
      if (!r_.ok()) return;
      if (flags > 7) return r_.fail("malformed elements segment kind", s.pos);
      bool active = !(flags & 1);
      bool exprs = flags & 4;
      if (active) {
        s.mode = ast::SegmentMode::Active;
        if (flags & 2) s.table = r_.u32();
        const_expr(s.offset);
      } else {
        s.mode = flags & 2 ? ast::SegmentMode::Declarative : ast::SegmentMode::Passive;
      }
      bool has_type = (flags & 3) != 0;  // forms 0 and 4 imply funcref
      if (exprs) {
        if (has_type) s.type = read_ref_type(r_);
        uint32_t count = elem_count();
        reserve(s.init, count, 2);  // an instruction and end
        for (uint32_t k = 0; k < count && r_.ok(); ++k) {
          s.init.emplace_back();
          const_expr(s.init.back());
        }
      } else {
        if (has_type) {
          size_t at = r_.pos();
          uint8_t kind = r_.u8();  // elemkind: only 0x00 funcref
          if (r_.ok() && kind != 0) return r_.fail("malformed element kind", at);
        }
        uint32_t count = elem_count();
        reserve(s.init, count, 1);  // a function index
        for (uint32_t k = 0; k < count && r_.ok(); ++k) {
          uint32_t at = static_cast<uint32_t>(r_.pos());
          ast::Instr ref;
          ref.op = Op::RefFunc;
          ref.pos = at;
          ref.a = r_.u32();
          ast::Instr end;
          end.op = Op::End;
          end.pos = at;
          s.init.push_back({ref, end});
        }
      }
      m_.elems.push_back(std::move(s));
    }
  }

  // An element segment's length. Each element costs a whole expression in
  // the tree (~100 bytes for a one-byte function index), so all segments
  // together are held to what the tables of a store may hold.
  uint32_t elem_count() {
    size_t at = r_.pos();
    uint32_t n = r_.len();
    elems_ += n;
    if (r_.ok() && elems_ > limits_.max_store_table_elements) {
      r_.fail_kind(ErrorKind::Exhaustion, "too many elements", at);
      return 0;
    }
    return n;
  }

  // ---- code (spec 5.5.13)
  void read_code() {
    seen_code_ = true;
    size_t at = r_.pos();
    uint32_t n = r_.len();
    if (!r_.ok()) return;
    if (n != m_.funcs.size()) return r_.fail("function and code section have inconsistent lengths", at);
    InstrReader in(r_, m_.data_count.has_value());
    if (sink_) sink_->begin_code(m_);
    const bool defer = sink_ && sink_->defers();
    for (uint32_t i = 0; i < n && r_.ok(); ++i) read_body(i, in, defer);
  }

  void read_body(uint32_t index, InstrReader& in, bool defer) {
    ast::Function& f = m_.funcs[index];
    f.pos = static_cast<uint32_t>(r_.pos());
    uint32_t size = r_.len();
    if (!r_.ok()) return;
    size_t start = r_.pos();
    uint32_t decls = r_.len();
    uint64_t total = 0;           // at most 2^32 * 2^32: fits in 64 bits
    reserve(f.locals, decls, 2);  // a count and a type
    for (uint32_t i = 0; i < decls && r_.ok(); ++i) {
      uint32_t count = r_.u32();
      ValType t = read_value_type(r_);
      total += count;
      f.locals.push_back({count, t});
    }
    if (!r_.ok()) return;
    if (total >= (uint64_t{1} << 32)) return r_.fail("too many locals", start);
    uint64_t params = f.type < m_.types.size() ? m_.types[f.type].params.size() : 0;
    if (params + total > limits_.max_locals) return r_.fail_kind(ErrorKind::Exhaustion, "too many locals", start);
    if (defer) {
      sink_->defer(index, r_.pos(), start, size);
      // Locals that ran past the entry: its instructions start after its
      // end, so the sink's decoding of it must fail, and that error comes
      // first. Stop here rather than read the entry's tail again as the
      // next entries (each of which would keep its own locals).
      if (r_.pos() > start + size) return r_.fail("section size mismatch", start);
      // len() counts from the size's own first byte, so the entry may
      // claim up to five bytes past the module's end: the sink's decoding
      // reports that, ahead of what this finds next.
      r_.seek(std::min<size_t>(start + size, r_.size()));
      return;
    }
    in.reset();
    if (sink_) {
      sink_->body(index, in);  // finish_entry reads what it left
    } else {
      // Half an instruction per byte (the bytes exist: len() checked
      // them): code averages two bytes an instruction or more, so this is
      // mostly the one allocation, without the trim and copy that
      // reserving the most a body can need (one per byte, 32 bytes each)
      // would call for. Denser code grows the vector as usual.
      f.body.reserve(size / 2 + 1);
      read_expr(in, f.body, f.br_targets);
    }
    finish_entry(in, r_, start, size);
  }

  // ---- data (spec 5.5.14)
  void read_datas() {
    seen_data_ = true;
    size_t at = r_.pos();
    uint32_t n = r_.len();
    if (!r_.ok()) return;
    if (m_.data_count && *m_.data_count != n)
      return r_.fail("data count and data section have inconsistent lengths", at);
    reserve(m_.datas, n, 2);  // flags and a length
    for (uint32_t i = 0; i < n && r_.ok(); ++i) {
      ast::DataSegment d;
      d.pos = static_cast<uint32_t>(r_.pos());
      uint32_t flags = r_.u32();
      if (!r_.ok()) return;
      if (flags > 2) return r_.fail("malformed data segment kind", d.pos);
      if (flags == 1) {
        d.mode = ast::SegmentMode::Passive;
      } else {
        if (flags == 2) d.memory = r_.u32();
        const_expr(d.offset);
      }
      uint32_t len = r_.len();
      if (const uint8_t* p = r_.bytes(len)) d.bytes.assign(p, p + len);
      m_.datas.push_back(std::move(d));
    }
  }
};

}  // namespace

Result<ast::Module> decode(std::span<const uint8_t> bytes, const Limits& limits) {
  return decode_detail::decode_module(bytes, limits, nullptr);
}

Result<ast::Module> decode_detail::decode_module(std::span<const uint8_t> bytes, const Limits& limits, BodySink* sink) {
  // Offsets are stored as 32 bits, so no module may be larger than that.
  if (bytes.size() > limits.max_module_bytes || bytes.size() > std::numeric_limits<uint32_t>::max())
    return Error{ErrorKind::Exhaustion, "module too large", kNoOffset};
  return Decoder(bytes, limits, sink).run();
}

}  // namespace warden
