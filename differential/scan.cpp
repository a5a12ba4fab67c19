#include "scan.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace warden::diff {

bool read_u32(std::span<const uint8_t> b, size_t& p, uint64_t& v, size_t end) {
  end = std::min(end, b.size());
  v = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (p >= end) return false;
    uint8_t x = b[p++];
    v |= uint64_t{x & 0x7Fu} << shift;
    if (!(x & 0x80)) return true;
  }
  return false;
}

std::vector<Section> sections_of(std::span<const uint8_t> b) {
  std::vector<Section> out;
  size_t p = 8;
  while (p < b.size()) {
    uint8_t id = b[p++];
    uint64_t size = 0;
    if (!read_u32(b, p, size) || size > b.size() - p) break;
    out.push_back({id, p, static_cast<size_t>(size)});
    p += size;
  }
  return out;
}

// The section whose content holds byte `offset` (its end counts too: a
// reader that runs out of bytes reports the end).
std::optional<Section> section_at(std::span<const uint8_t> b, uint64_t offset) {
  if (offset == kNoOffset) return std::nullopt;
  for (const Section& s : sections_of(b))
    if (offset >= s.offset && offset <= s.offset + s.size) return s;
  return std::nullopt;
}

// The name of a custom section, "" if it has none that parses.
std::string custom_name(std::span<const uint8_t> b, const Section& s) {
  if (s.id != 0) return "";
  size_t p = s.offset;
  uint64_t n = 0;
  if (!read_u32(b, p, n, s.offset + s.size) || n > s.offset + s.size - p) return "";
  return std::string(b.begin() + static_cast<std::ptrdiff_t>(p), b.begin() + static_cast<std::ptrdiff_t>(p + n));
}

// Binaryen's "(at 0:N)" byte position.
uint64_t binaryen_offset(const std::string& message) {
  size_t at = message.rfind("(at 0:");
  return at == std::string::npos ? kNoOffset : std::strtoull(message.c_str() + at + 6, nullptr, 10);
}

// Non-custom sections out of the spec's order (5.5.2): type, import, func,
// table, memory, global, export, start, elem, datacount, code, data; each
// at most once.
bool sections_out_of_order(std::span<const uint8_t> b) {
  static const int rank[13] = {-1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
  int last = 0;
  for (const Section& s : sections_of(b)) {
    if (s.id == 0) continue;
    if (s.id > 12) return false;  // an unknown id is its own rule
    if (rank[s.id] <= last) return true;
    last = rank[s.id];
  }
  return false;
}

uint8_t byte_at(std::span<const uint8_t> b, uint64_t offset) { return offset < b.size() ? b[offset] : 0; }

// The function whose body holds byte `offset`, and the index of the first
// instruction at or after it (syntax trees keep each opcode's position).
std::optional<std::pair<size_t, size_t>> instr_at(const ast::Module& m, uint64_t offset) {
  if (offset == kNoOffset) return std::nullopt;
  for (size_t f = 0; f < m.funcs.size(); ++f) {
    const ast::Expr& e = m.funcs[f].body;
    if (e.empty() || offset < e.front().pos || offset > e.back().pos) continue;
    for (size_t i = 0; i < e.size(); ++i)
      if (e[i].pos >= offset) return std::pair{f, i};
  }
  return std::nullopt;
}

// How a function body's block structure ends (spec 5.4.1, 5.5.13): the
// body is locals and one expr closed by the 0x0B that closes the function.
namespace {

bool skip_leb(std::span<const uint8_t> b, size_t& p, size_t end, int max_bytes) {
  for (int i = 0; i < max_bytes; ++i) {
    if (p >= end) return false;
    if (!(b[p++] & 0x80)) return true;
  }
  return false;
}

}  // namespace

namespace {

// Walks instructions from `p` with the opcode table's immediate kinds
// until the `end` that closes the level they start in; `p` is left after
// it (Balanced or CodeAfterEnd), or where the walk stopped.
BodyShape walk_instrs(std::span<const uint8_t> b, size_t& p, size_t end, const InstrVisitor& visit) {
  uint64_t depth = 1;
  while (p < end) {
    uint8_t byte = b[p++];
    uint8_t prefix = 0;
    uint64_t code = byte;
    if (byte == 0xFC || byte == 0xFD) {
      prefix = byte;
      if (!read_u32(b, p, code, end)) return BodyShape::Unknown;
    }
    std::optional<Op> op = lookup_opcode(prefix, static_cast<uint32_t>(code));
    if (!op) return BodyShape::Unknown;
    if (visit && visit(*op, p)) return BodyShape::Stopped;
    bool ok = true;
    auto u32 = [&] { ok = ok && skip_leb(b, p, end, 5); };
    auto bytes = [&](size_t k) { ok = ok && p <= end && end - p >= k && (p += k, true); };
    switch (info(*op).imm) {
      case Imm::None: break;
      case Imm::Block: u32(); break;  // s33: at most 5 bytes
      case Imm::Label:
      case Imm::Func:
      case Imm::Local:
      case Imm::Global:
      case Imm::Table:
      case Imm::Elem:
      case Imm::Data: u32(); break;
      case Imm::BrTable: {
        uint64_t count = 0;
        if (!read_u32(b, p, count, end)) return BodyShape::Unknown;
        for (uint64_t i = 0; i <= count && ok; ++i) u32();
        break;
      }
      case Imm::CallInd:
      case Imm::TableTable:
      case Imm::ElemTable:
      case Imm::Mem: u32(), u32(); break;
      case Imm::MemLane: u32(), u32(), bytes(1); break;
      case Imm::Zero: bytes(1); break;
      case Imm::Zero2: bytes(2); break;
      case Imm::DataZero: u32(), bytes(1); break;
      case Imm::I32: ok = skip_leb(b, p, end, 5); break;
      case Imm::I64: ok = skip_leb(b, p, end, 10); break;
      case Imm::F32: bytes(4); break;
      case Imm::F64: bytes(8); break;
      case Imm::V128:
      case Imm::Shuffle: bytes(16); break;
      case Imm::Lane:
      case Imm::HeapType: bytes(1); break;
      case Imm::SelectT: {
        uint64_t count = 0;
        if (!read_u32(b, p, count, end)) return BodyShape::Unknown;
        bytes(count);
        break;
      }
    }
    if (!ok) return BodyShape::Unknown;
    if (*op == Op::Block || *op == Op::Loop || *op == Op::If) ++depth;
    if (*op == Op::End && --depth == 0) return p == end ? BodyShape::Balanced : BodyShape::CodeAfterEnd;
  }
  return BodyShape::MissingEnd;
}

}  // namespace

BodyShape walk_body(std::span<const uint8_t> b, size_t p, size_t end, const InstrVisitor& visit) {
  uint64_t groups = 0, n = 0;
  if (end > b.size() || !read_u32(b, p, groups, end)) return BodyShape::Unknown;
  for (uint64_t g = 0; g < groups; ++g)
    if (!read_u32(b, p, n, end) || p >= end || !++p) return BodyShape::Unknown;
  return walk_instrs(b, p, end, visit);
}

bool skip_expr(std::span<const uint8_t> b, size_t& p, size_t end) {
  if (end > b.size()) return false;
  const BodyShape s = walk_instrs(b, p, end, {});
  return s == BodyShape::Balanced || s == BodyShape::CodeAfterEnd;
}

// The items' formats, spec 5.5.4-5.5.12 (2.0); elem and data segments by
// their flags.
std::vector<std::pair<size_t, size_t>> section_items(std::span<const uint8_t> b, const Section& s,
                                                     size_t* items_start) {
  std::vector<std::pair<size_t, size_t>> out;
  const size_t end = s.offset + s.size;
  size_t p = s.offset;
  uint64_t count = 0, n = 0;
  if (s.id == 0 || s.id == 8 || s.id == 12 || s.id > 12 || !read_u32(b, p, count, end)) return out;
  if (items_start) *items_start = p;
  // Each reader advances p; false where the bytes do not parse.
  auto u32 = [&] { return read_u32(b, p, n, end); };
  auto skip = [&](uint64_t k) { return k <= end - p && (p += k, true); };
  auto vec_bytes = [&] { return u32() && skip(n); };
  auto limits = [&] {
    if (p >= end) return false;
    const uint8_t flags = b[p++];
    return flags <= 1 && u32() && (flags == 0 || u32());
  };
  auto expr = [&] { return skip_expr(b, p, end); };
  auto item = [&]() -> bool {
    switch (s.id) {
      case 1: return skip(1) && vec_bytes() && vec_bytes();  // 0x60, params, results
      case 2: {
        if (!vec_bytes() || !vec_bytes() || p >= end) return false;
        switch (b[p++]) {
          case 0: return u32();
          case 1: return skip(1) && limits();
          case 2: return limits();
          case 3: return skip(2);
          default: return false;
        }
      }
      case 3: return u32();
      case 4: return skip(1) && limits();
      case 5: return limits();
      case 6: return skip(2) && expr();
      case 7: return vec_bytes() && skip(1) && u32();
      case 9: {
        if (!u32() || n > 7) return false;
        const uint64_t flags = n;
        if (!(flags & 1)) {  // active: [its table,] its offset
          if ((flags & 2) && !u32()) return false;
          if (!expr()) return false;
        }
        if ((flags & 3) && !skip(1)) return false;
        if (!u32()) return false;
        for (uint64_t k = n, i = 0; i < k; ++i)
          if (!((flags & 4) ? expr() : u32())) return false;
        return true;
      }
      case 10: return vec_bytes();
      case 11: {
        if (!u32() || n > 2) return false;
        const uint64_t flags = n;
        if (flags == 2 && !u32()) return false;
        return (flags == 1 || expr()) && vec_bytes();
      }
      default: return false;
    }
  };
  for (uint64_t i = 0; i < count && p < end; ++i) {
    const size_t at = p;
    if (!item()) break;
    out.emplace_back(at, p);
  }
  return out;
}

BodyShape body_shape(std::span<const uint8_t> b, size_t p, size_t end) { return walk_body(b, p, end, {}); }

namespace {

// Whether `found` holds for some body [p, end) of the code section.
template <class F>
bool any_body(std::span<const uint8_t> b, F found) {
  for (const Section& s : sections_of(b)) {
    if (s.id != 10) continue;
    size_t p = s.offset, end = s.offset + s.size;
    uint64_t count = 0;
    if (!read_u32(b, p, count, end)) return false;
    for (uint64_t i = 0; i < count && p < end; ++i) {
      uint64_t size = 0;
      if (!read_u32(b, p, size, end) || size > end - p) return false;
      if (found(p, p + size)) return true;
      p += size;
    }
  }
  return false;
}

}  // namespace

bool some_body(std::span<const uint8_t> b, BodyShape want) {
  return any_body(b, [&](size_t p, size_t end) { return body_shape(b, p, end) == want; });
}

bool some_instr(std::span<const uint8_t> b, const InstrVisitor& pred) {
  return any_body(b, [&](size_t p, size_t end) { return walk_body(b, p, end, pred) == BodyShape::Stopped; });
}

std::vector<uint8_t> without_custom_sections(std::span<const uint8_t> bytes) {
  if (bytes.size() < 8) return {};
  std::vector<uint8_t> out(bytes.begin(), bytes.begin() + 8);
  size_t end = 8;  // where the section's header begins: the last one's end
  bool custom = false;
  for (const Section& s : sections_of(bytes)) {
    const size_t head = end;
    end = s.offset + s.size;
    if (s.id == 0) {
      custom = true;
      continue;
    }
    // The header (id and the size's bytes, as they were) and the content.
    out.insert(out.end(), bytes.begin() + static_cast<std::ptrdiff_t>(head),
               bytes.begin() + static_cast<std::ptrdiff_t>(end));
  }
  if (!custom || end != bytes.size()) return {};
  return out;
}

std::string error_site(std::span<const uint8_t> bytes, const ast::Module* m, uint64_t offset,
                       const std::string& message) {
  if (offset == kNoOffset) return "";
  if (m) {
    if (std::optional<std::pair<size_t, size_t>> at = instr_at(*m, offset))
      return "at " + std::string(name(m->funcs[at->first].body[at->second].op));
  }
  if (message == "illegal opcode" && offset < bytes.size()) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "byte 0x%02x", bytes[offset]);
    return buf;
  }
  if (std::optional<Section> s = section_at(bytes, offset)) return "in section " + std::to_string(s->id);
  return "";
}

}  // namespace warden::diff
