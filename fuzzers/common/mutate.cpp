#include "mutate.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "warden/binary.hpp"

namespace warden::fuzz {
namespace {

class Rng {
 public:
  explicit Rng(uint32_t seed) : s_(uint64_t{seed} * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull) {}
  uint64_t next() {
    s_ ^= s_ << 13;
    s_ ^= s_ >> 7;
    s_ ^= s_ << 17;
    return s_;
  }
  uint32_t below(size_t n) { return n <= 1 ? 0 : static_cast<uint32_t>(next() % n); }
  bool chance(uint32_t num, uint32_t den) { return below(den) < num; }
  uint64_t interesting() {
    static const uint64_t v[] = {0,
                                 1,
                                 2,
                                 0x7F,
                                 0x80,
                                 0xFF,
                                 0xFFFF,
                                 0x10000,
                                 0x7FFFFFFF,
                                 0x80000000,
                                 0xFFFFFFFF,
                                 ~0ull,
                                 0x8000000000000000ull,
                                 0x7FC00000,
                                 0x7FF8000000000000ull};
    return chance(1, 2) ? v[below(std::size(v))] : next();
  }

 private:
  uint64_t s_;
};

constexpr ValType kTypes[] = {ValType::I32,  ValType::I64,     ValType::F32,      ValType::F64,
                              ValType::V128, ValType::FuncRef, ValType::ExternRef};
ValType any_type(Rng& r) { return kTypes[r.below(std::size(kTypes))]; }

uint32_t tweak_index(Rng& r, uint32_t v) {
  switch (r.below(4)) {
    case 0: return v + 1;
    case 1: return v ? v - 1 : 1;
    case 2: return r.below(4);
    default: return static_cast<uint32_t>(r.interesting());
  }
}

void tweak_bounds(Rng& r, ast::Bounds& b) {
  if (r.chance(1, 2))
    b.min = tweak_index(r, b.min);
  else if (b.max && r.chance(1, 3))
    b.max.reset();
  else
    b.max = tweak_index(r, b.max.value_or(b.min));
}

// A random table row with plausible immediates.
ast::Instr random_instr(Rng& r, ast::Function& f, const ast::Module& m) {
  ast::Instr i;
  i.op = static_cast<Op>(r.below(kOpCount));
  const OpInfo& o = info(i.op);
  switch (o.imm) {
    case Imm::Block: {
      uint32_t k = r.below(3);
      int64_t bt = k == 0   ? ast::kBlockEmpty
                   : k == 1 ? ast::block_of(any_type(r))
                            : static_cast<int64_t>(r.below(m.types.size() + 1));
      i.lo = static_cast<uint64_t>(bt);
      break;
    }
    case Imm::BrTable: {
      uint32_t n = r.below(4);
      i.a = static_cast<uint32_t>(f.br_targets.size());
      i.b = n + 1;
      for (uint32_t k = 0; k <= n; ++k) f.br_targets.push_back(r.below(4));
      break;
    }
    case Imm::Mem:
    case Imm::MemLane:
      i.a = r.below(o.arg + 2);
      i.b = r.chance(3, 4) ? r.below(64) : static_cast<uint32_t>(r.interesting());
      i.lane = static_cast<uint8_t>(r.below(17));
      break;
    case Imm::HeapType: i.a = r.chance(1, 2) ? 0x70 : 0x6F; break;
    case Imm::SelectT:
      i.a = static_cast<uint8_t>(any_type(r));
      i.b = 1;
      break;
    case Imm::Lane: i.lane = static_cast<uint8_t>(r.below(o.arg + 1)); break;
    case Imm::I32:
    case Imm::I64:
    case Imm::F32:
    case Imm::F64:
    case Imm::V128:
    case Imm::Shuffle:
      i.lo = r.interesting();
      i.hi = r.interesting();
      if (o.imm == Imm::I32 || o.imm == Imm::F32) i.lo = static_cast<uint32_t>(i.lo);
      if (o.imm == Imm::Shuffle) {
        i.lo &= 0x1F1F1F1F1F1F1F1Full;
        i.hi &= 0x1F1F1F1F1F1F1F1Full;
      }
      break;
    default:
      i.a = r.below(4);
      i.b = r.below(2);
      break;
  }
  return i;
}

void change_immediate(Rng& r, ast::Instr& i, ast::Function& f) {
  const OpInfo& o = info(i.op);
  switch (o.imm) {
    case Imm::None:
    case Imm::Zero:
    case Imm::Zero2: break;
    case Imm::Block:
      i.lo = static_cast<uint64_t>(r.chance(1, 2) ? ast::kBlockEmpty : static_cast<int64_t>(r.below(8)));
      break;
    case Imm::BrTable:
      if (i.b && i.a + i.b <= f.br_targets.size()) f.br_targets[i.a + r.below(i.b)] = r.below(6);
      break;
    case Imm::SelectT:
      // The encoder writes b types: keep b small (a huge count is a
      // multi-gigabyte module, not an interesting one).
      if (r.chance(1, 2))
        i.a = static_cast<uint8_t>(any_type(r));
      else
        i.b = r.below(4);
      break;
    case Imm::I32:
    case Imm::F32: i.lo = static_cast<uint32_t>(r.interesting()); break;
    case Imm::I64:
    case Imm::F64:
    case Imm::V128:
    case Imm::Shuffle: (r.chance(1, 2) ? i.lo : i.hi) = r.interesting(); break;
    case Imm::Lane:
    case Imm::MemLane:
      if (r.chance(1, 2)) {
        i.lane = static_cast<uint8_t>(r.below(18));
        break;
      }
      [[fallthrough]];
    default: (r.chance(2, 3) ? i.a : i.b) = tweak_index(r, r.chance(1, 2) ? i.a : i.b); break;
  }
}

// Another row with the same immediate kind and class: i32.add -> f64.mul.
void change_opcode(Rng& r, ast::Instr& i) {
  const OpInfo& o = info(i.op);
  uint32_t start = r.below(kOpCount);
  for (uint32_t k = 0; k < kOpCount; ++k) {
    auto op = static_cast<Op>((start + k) % kOpCount);
    const OpInfo& p = info(op);
    if (op != i.op && p.imm == o.imm && p.cls == o.cls) {
      i.op = op;
      return;
    }
  }
}

void mutate_body(Rng& r, ast::Module& m) {
  std::vector<size_t> bodies;
  for (size_t k = 0; k < m.funcs.size(); ++k)
    if (m.funcs[k].body.size() >= 1) bodies.push_back(k);
  if (bodies.empty()) return;
  ast::Function& f = m.funcs[bodies[r.below(bodies.size())]];
  ast::Expr& b = f.body;
  size_t n = b.size() - 1;  // keep the final end in place
  size_t i = r.below(n + 1);
  switch (r.below(7)) {
    case 0:
      if (i < n) b.erase(b.begin() + static_cast<ptrdiff_t>(i));
      break;
    case 1:
      if (i < n) {
        ast::Instr copy = b[i];
        b.insert(b.begin() + static_cast<ptrdiff_t>(i), copy);
      }
      break;
    case 2:
      if (n >= 2) std::swap(b[r.below(n)], b[r.below(n)]);
      break;
    case 3:
    case 4: {
      ast::Instr fresh = random_instr(r, f, m);
      b.insert(b.begin() + static_cast<ptrdiff_t>(i), fresh);
      break;
    }
    case 5: change_immediate(r, b[i], f); break;
    default: change_opcode(r, b[i]); break;
  }
}

void change_types(Rng& r, ast::Module& m) {
  if (m.types.empty()) return;
  FuncType& t = m.types[r.below(m.types.size())];
  std::vector<ValType>& v = r.chance(1, 2) ? t.params : t.results;
  uint32_t k = r.below(3);
  if (k == 0 || v.empty())
    v.insert(v.begin() + r.below(v.size() + 1), any_type(r));
  else if (k == 1)
    v.erase(v.begin() + r.below(v.size()));
  else
    v[r.below(v.size())] = any_type(r);
}

template <class T>
void drop_or_duplicate(Rng& r, std::vector<T>& v) {
  if (v.empty()) return;
  size_t i = r.below(v.size());
  if (r.chance(1, 2))
    v.erase(v.begin() + static_cast<ptrdiff_t>(i));
  else
    v.insert(v.begin() + r.below(v.size() + 1), T(v[i]));
}

void change_item(Rng& r, ast::Module& m) {
  switch (r.below(9)) {
    case 0:
      if (!m.funcs.empty()) {
        ast::Function& f = m.funcs[r.below(m.funcs.size())];
        if (r.chance(1, 2) || f.locals.empty())
          f.type = tweak_index(r, f.type);
        else if (r.chance(1, 2))
          f.locals[r.below(f.locals.size())].type = any_type(r);
        else
          f.locals[r.below(f.locals.size())].count = r.chance(3, 4) ? r.below(5) : tweak_index(r, 0);
      }
      break;
    case 1:
      if (!m.globals.empty()) {
        ast::Global& g = m.globals[r.below(m.globals.size())];
        if (r.chance(1, 3))
          g.type.mut = !g.type.mut;
        else if (r.chance(1, 2))
          g.type.type = any_type(r);
        else if (!g.init.empty()) {
          ast::Function no_targets;  // constant expressions hold no br_table lists
          change_immediate(r, g.init[0], no_targets);
        }
      }
      break;
    case 2:
      if (!m.tables.empty()) {
        ast::TableType& t = m.tables[r.below(m.tables.size())];
        if (r.chance(1, 3))
          t.elem = t.elem == ValType::FuncRef ? ValType::ExternRef : ValType::FuncRef;
        else
          tweak_bounds(r, t.limits);
      } else if (!m.memories.empty()) {
        tweak_bounds(r, m.memories[0].limits);
      }
      break;
    case 3:
      if (!m.memories.empty()) tweak_bounds(r, m.memories[r.below(m.memories.size())].limits);
      break;
    case 4:
      if (!m.imports.empty()) {
        ast::Import& im = m.imports[r.below(m.imports.size())];
        if (r.chance(1, 3))
          im.kind = static_cast<ExternKind>(r.below(4));
        else if (im.kind == ExternKind::Func)
          im.func_type = tweak_index(r, im.func_type);
        else if (im.kind == ExternKind::Global)
          im.global.mut = !im.global.mut;
        else if (im.kind == ExternKind::Table)
          tweak_bounds(r, im.table.limits);
        else
          tweak_bounds(r, im.memory.limits);
      }
      break;
    case 5:
      if (!m.exports.empty()) {
        ast::Export& e = m.exports[r.below(m.exports.size())];
        if (r.chance(1, 3))
          e.kind = static_cast<ExternKind>(r.below(4));
        else if (r.chance(1, 2))
          e.index = tweak_index(r, e.index);
        else
          e.name = m.exports[r.below(m.exports.size())].name;
      }
      break;
    case 6:
      if (!m.elems.empty()) {
        ast::ElemSegment& s = m.elems[r.below(m.elems.size())];
        uint32_t k = r.below(4);
        if (k == 0)
          s.mode = static_cast<ast::SegmentMode>(r.below(3));
        else if (k == 1)
          s.type = s.type == ValType::FuncRef ? ValType::ExternRef : ValType::FuncRef;
        else if (k == 2)
          s.table = tweak_index(r, s.table);
        else if (!s.offset.empty())
          s.offset[0].lo = static_cast<uint32_t>(r.interesting());
        if (s.mode == ast::SegmentMode::Active && s.offset.empty()) {
          ast::Instr c, e;
          c.op = Op::I32Const;
          e.op = Op::End;
          s.offset = {c, e};
        }
      }
      break;
    case 7:
      if (!m.datas.empty()) {
        ast::DataSegment& d = m.datas[r.below(m.datas.size())];
        if (r.chance(1, 3)) {
          d.mode = d.mode == ast::SegmentMode::Active ? ast::SegmentMode::Passive : ast::SegmentMode::Active;
          if (d.mode == ast::SegmentMode::Active && d.offset.empty()) {
            ast::Instr c, e;
            c.op = Op::I32Const;
            e.op = Op::End;
            d.offset = {c, e};
          }
        } else if (!d.offset.empty() && r.chance(1, 2)) {
          d.offset[0].lo = static_cast<uint32_t>(r.interesting());
        } else {
          d.bytes.push_back(static_cast<uint8_t>(r.next()));
        }
      }
      break;
    default:
      if (r.chance(1, 2))
        m.start = r.chance(1, 4) ? std::nullopt : std::optional<uint32_t>(r.below(m.funcs.size() + 2));
      else
        m.data_count =
            r.chance(1, 3) ? std::nullopt : std::optional<uint32_t>(tweak_index(r, m.data_count.value_or(0)));
      break;
  }
}

void drop_or_duplicate_item(Rng& r, ast::Module& m) {
  switch (r.below(8)) {
    case 0: drop_or_duplicate(r, m.funcs); break;
    case 1: drop_or_duplicate(r, m.globals); break;
    case 2: drop_or_duplicate(r, m.exports); break;
    case 3: drop_or_duplicate(r, m.elems); break;
    case 4: drop_or_duplicate(r, m.datas); break;
    case 5: drop_or_duplicate(r, m.tables); break;
    case 6: drop_or_duplicate(r, m.memories); break;
    default: drop_or_duplicate(r, m.imports); break;
  }
}

// ---------------------------------------------------------- sections ----

struct Section {
  uint8_t id;
  std::vector<uint8_t> payload;
  uint32_t size_pad = 0;   // extra LEB bytes in the size field
  int32_t size_delta = 0;  // a deliberately wrong size
};

std::optional<std::vector<Section>> split(std::span<const uint8_t> bytes) {
  if (bytes.size() < 8) return std::nullopt;
  std::vector<Section> out;
  size_t p = 8;
  while (p < bytes.size()) {
    Section s;
    s.id = bytes[p++];
    uint64_t size = 0;
    for (int shift = 0;; shift += 7) {
      if (p >= bytes.size() || shift > 28) return std::nullopt;
      uint8_t b = bytes[p++];
      size |= uint64_t{b & 0x7Fu} << shift;
      if (!(b & 0x80)) break;
    }
    if (size > bytes.size() - p) return std::nullopt;
    s.payload.assign(bytes.begin() + static_cast<ptrdiff_t>(p), bytes.begin() + static_cast<ptrdiff_t>(p + size));
    p += size;
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<uint8_t> join(std::span<const uint8_t> header, const std::vector<Section>& secs) {
  std::vector<uint8_t> out(header.begin(), header.begin() + 8);
  for (const Section& s : secs) {
    out.push_back(s.id);
    int64_t size = static_cast<int64_t>(s.payload.size()) + s.size_delta;
    put_leb(out, static_cast<uint64_t>(std::max<int64_t>(size, 0)), s.size_pad);
    out.insert(out.end(), s.payload.begin(), s.payload.end());
  }
  return out;
}

void mutate_sections(Rng& r, std::vector<Section>& secs) {
  uint32_t k = r.below(8);
  if (secs.empty() || k == 7) {
    Section c;
    c.id = 0;
    std::string name = r.chance(1, 4) ? "name" : "x" + std::to_string(r.below(100));
    c.payload.push_back(static_cast<uint8_t>(name.size()));
    c.payload.insert(c.payload.end(), name.begin(), name.end());
    for (uint32_t n = r.below(8); n > 0; --n) c.payload.push_back(static_cast<uint8_t>(r.next()));
    secs.insert(secs.begin() + r.below(secs.size() + 1), std::move(c));
    return;
  }
  size_t i = r.below(secs.size());
  switch (k) {
    case 0: secs.insert(secs.begin() + r.below(secs.size() + 1), Section(secs[i])); break;
    case 1: secs.erase(secs.begin() + static_cast<ptrdiff_t>(i)); break;
    case 2: std::swap(secs[i], secs[r.below(secs.size())]); break;
    case 3: secs[i].size_pad = 1 + r.below(4); break;
    case 4: secs[i].size_delta = r.chance(1, 2) ? 1 : -1; break;
    case 5: {
      // Pad one LEB128 inside the payload: a final byte b < 0x80 becomes
      // b|0x80, 0x00 (same value, one byte longer) if it ended a LEB.
      std::vector<uint8_t>& p = secs[i].payload;
      if (p.empty()) break;
      size_t at = r.below(p.size());
      for (size_t n = 0; n < p.size() && (p[at] & 0x80); ++n) at = (at + 1) % p.size();
      if (p[at] & 0x80) break;
      p[at] |= 0x80;
      p.insert(p.begin() + static_cast<ptrdiff_t>(at) + 1, 0x00);
      break;
    }
    default: {
      std::vector<uint8_t>& p = secs[i].payload;
      if (!p.empty()) p[r.below(p.size())] = static_cast<uint8_t>(r.interesting());
      break;
    }
  }
}

}  // namespace

void mutate_tree(ast::Module& m, uint32_t seed) {
  Rng r(seed);
  uint32_t k = r.below(10);
  if (k < 6)
    mutate_body(r, m);
  else if (k < 7)
    change_types(r, m);
  else if (k < 9)
    change_item(r, m);
  else
    drop_or_duplicate_item(r, m);
}

std::vector<uint8_t> mutate_module(std::span<const uint8_t> bytes, uint32_t seed) {
  Rng r(seed);
  if (r.chance(3, 4)) {
    Limits limits;
    limits.max_module_bytes = 1u << 20;
    Result<ast::Module> m = decode(bytes, limits);
    if (m) {
      // Some edits find nothing to edit (no tables, no data...): retry.
      for (int attempt = 0; attempt < 8; ++attempt) {
        for (uint32_t n = 1 + (r.chance(1, 4) ? r.below(4) : 0); n > 0; --n)
          mutate_tree(*m, static_cast<uint32_t>(r.next()));
        std::vector<uint8_t> out = encode(*m);
        if (!std::equal(out.begin(), out.end(), bytes.begin(), bytes.end())) return out;
      }
    }
  }
  std::optional<std::vector<Section>> secs = split(bytes);
  if (!secs) return {};
  mutate_sections(r, *secs);
  return join(bytes, *secs);
}

void put_leb(std::vector<uint8_t>& out, uint64_t v, uint32_t pad) {
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    if (v || pad) b |= 0x80;
    out.push_back(b);
  } while (v);
  for (; pad > 0; --pad) out.push_back(pad == 1 ? 0x00 : 0x80);
}

}  // namespace warden::fuzz
