#include "reduce.hpp"

#include <algorithm>
#include <bit>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "mutate.hpp"
#include "scan.hpp"
#include "warden/warden.hpp"

namespace warden::diff {
namespace {

using ast::Instr;

// Index kinds an instruction's immediate `a` can name.
enum class Space { None, Func, Global, Elem, Data };

Space space_of(const Instr& i) {
  switch (info(i.op).imm) {
    case Imm::Func: return Space::Func;
    case Imm::Global: return Space::Global;
    case Imm::Elem:
    case Imm::ElemTable: return Space::Elem;
    case Imm::Data:
    case Imm::DataZero: return Space::Data;
    default: return Space::None;
  }
}

template <class F>
void for_each_expr(ast::Module& m, F f) {
  for (ast::Function& fn : m.funcs) f(fn.body);
  for (ast::Global& g : m.globals) f(g.init);
  for (ast::ElemSegment& e : m.elems) {
    f(e.offset);
    for (ast::Expr& x : e.init) f(x);
  }
  for (ast::DataSegment& d : m.datas) f(d.offset);
}

/// Removes item `index` of `space` when nothing refers to it; renumbers the
/// references above it. False when it is referenced.
bool remove_item(ast::Module& m, Space space, uint32_t index) {
  bool used = false;
  for_each_expr(m, [&](ast::Expr& e) {
    for (const Instr& i : e) used |= space_of(i) == space && i.a == index;
  });
  ExternKind kind = space == Space::Func ? ExternKind::Func : ExternKind::Global;
  if (space == Space::Func || space == Space::Global)
    for (const ast::Export& e : m.exports) used |= e.kind == kind && e.index == index;
  if (space == Space::Func && m.start && *m.start == index) used = true;
  if (used) return false;
  uint32_t imported = space == Space::Func     ? m.imported(ExternKind::Func)
                      : space == Space::Global ? m.imported(ExternKind::Global)
                                               : 0;
  if (index < imported) return false;  // imports stay: they are part of the interface
  switch (space) {
    case Space::Func: m.funcs.erase(m.funcs.begin() + (index - imported)); break;
    case Space::Global: m.globals.erase(m.globals.begin() + (index - imported)); break;
    case Space::Elem: m.elems.erase(m.elems.begin() + index); break;
    case Space::Data:
      m.datas.erase(m.datas.begin() + index);
      if (m.data_count) m.data_count = static_cast<uint32_t>(m.datas.size());
      break;
    case Space::None: return false;
  }
  for_each_expr(m, [&](ast::Expr& e) {
    for (Instr& i : e)
      if (space_of(i) == space && i.a > index) --i.a;
  });
  if (space == Space::Func || space == Space::Global)
    for (ast::Export& e : m.exports)
      if (e.kind == kind && e.index > index) --e.index;
  if (space == Space::Func && m.start && *m.start > index) --*m.start;
  return true;
}

// Table references: table.* immediates, call_indirect's table, active elems.
template <class F>
void for_each_table_ref(ast::Module& m, F f) {
  for (ast::Function& fn : m.funcs) {
    for (Instr& i : fn.body) {
      switch (info(i.op).imm) {
        case Imm::Table: f(i.a); break;
        case Imm::CallInd:
        case Imm::ElemTable: f(i.b); break;
        case Imm::TableTable: f(i.a), f(i.b); break;
        default: break;
      }
    }
  }
  for (ast::ElemSegment& e : m.elems)
    if (e.mode == ast::SegmentMode::Active) f(e.table);
  for (ast::Export& e : m.exports)
    if (e.kind == ExternKind::Table) f(e.index);
}

bool remove_table(ast::Module& m, uint32_t t) {
  uint32_t imported = m.imported(ExternKind::Table);
  if (t < imported) return false;
  bool used = false;
  for_each_table_ref(m, [&](uint32_t& x) { used |= x == t; });
  if (used) return false;
  m.tables.erase(m.tables.begin() + (t - imported));
  for_each_table_ref(m, [&](uint32_t& x) { x -= x > t; });
  return true;
}

// Type references: functions, imports, call_indirect, block types.
bool remove_type(ast::Module& m, uint32_t t) {
  bool used = false;
  auto visit = [&](auto f) {
    for (ast::Function& fn : m.funcs) {
      f(fn.type);
      for (Instr& i : fn.body) {
        if (info(i.op).imm == Imm::CallInd) f(i.a);
        if (info(i.op).imm == Imm::Block && static_cast<int64_t>(i.lo) >= 0) {
          uint32_t x = static_cast<uint32_t>(i.lo);
          f(x);
          i.lo = x;
        }
      }
    }
    for (ast::Import& im : m.imports)
      if (im.kind == ExternKind::Func) f(im.func_type);
  };
  visit([&](uint32_t& x) { used |= x == t; });
  if (used || t >= m.types.size()) return false;
  m.types.erase(m.types.begin() + t);
  visit([&](uint32_t& x) { x -= x > t; });
  return true;
}

/// End of the balanced range starting at `i` (one instruction, or a whole
/// block/loop/if through its `end`); 0 when `i` cannot start one.
size_t range_end(const ast::Expr& e, size_t i) {
  Op op = e[i].op;
  if (op == Op::Else || op == Op::End) return 0;
  if (op != Op::Block && op != Op::Loop && op != Op::If) return i + 1;
  int depth = 0;
  for (size_t k = i; k < e.size(); ++k) {
    Op o = e[k].op;
    if (o == Op::Block || o == Op::Loop || o == Op::If) ++depth;
    if (o == Op::End && --depth == 0) return k + 1;
  }
  return 0;
}

class Reducer {
 public:
  Reducer(const AstPredicate& p, uint32_t budget, bool keep_valid, ReduceStats& s)
      : pred_(p), budget_(budget), keep_valid_(keep_valid), s_(s) {}

  // Keeps `candidate` (into `m`) when it is valid and interesting.
  bool attempt(ast::Module& m, ast::Module candidate) {
    if (s_.checks >= budget_) return false;
    if (keep_valid_) {
      Result<std::shared_ptr<const Module>> v = load_syntax(candidate);
      if (!v) {
        ++s_.rejected_invalid;
        return false;
      }
    }
    ++s_.checks;
    if (!pred_(candidate)) return false;
    ++s_.accepted;
    m = std::move(candidate);
    return true;
  }
  bool out_of_budget() const { return s_.checks >= budget_; }

  bool pass(ast::Module& m) {
    bool progress = false;
    // Exports, last first.
    for (size_t i = m.exports.size(); i-- > 0 && !out_of_budget();) {
      ast::Module c = m;
      c.exports.erase(c.exports.begin() + static_cast<std::ptrdiff_t>(i));
      progress |= attempt(m, std::move(c));
    }
    if (m.start && !out_of_budget()) {
      ast::Module c = m;
      c.start.reset();
      progress |= attempt(m, std::move(c));
    }
    // Unreferenced items.
    uint32_t fimp = m.imported(ExternKind::Func), gimp = m.imported(ExternKind::Global);
    for (size_t i = m.funcs.size(); i-- > 0 && !out_of_budget();) {
      ast::Module c = m;
      if (remove_item(c, Space::Func, fimp + static_cast<uint32_t>(i))) progress |= attempt(m, std::move(c));
    }
    for (size_t i = m.globals.size(); i-- > 0 && !out_of_budget();) {
      ast::Module c = m;
      if (remove_item(c, Space::Global, gimp + static_cast<uint32_t>(i))) progress |= attempt(m, std::move(c));
    }
    for (size_t i = m.elems.size(); i-- > 0 && !out_of_budget();) {
      ast::Module c = m;
      if (remove_item(c, Space::Elem, static_cast<uint32_t>(i))) progress |= attempt(m, std::move(c));
    }
    for (size_t i = m.datas.size(); i-- > 0 && !out_of_budget();) {
      ast::Module c = m;
      if (remove_item(c, Space::Data, static_cast<uint32_t>(i))) progress |= attempt(m, std::move(c));
    }
    for (size_t i = m.tables.size(); i-- > 0 && !out_of_budget();) {
      ast::Module c = m;
      if (remove_table(c, m.imported(ExternKind::Table) + static_cast<uint32_t>(i)))
        progress |= attempt(m, std::move(c));
    }
    if (!m.memories.empty() && !out_of_budget()) {  // the validator says if it was needed
      ast::Module c = m;
      c.memories.clear();
      c.datas.clear();
      if (c.data_count) c.data_count = 0;
      progress |= attempt(m, std::move(c));
    }
    for (size_t e = 0; e < m.elems.size() && !out_of_budget(); ++e) {
      for (size_t k = m.elems[e].init.size(); k-- > 0 && !out_of_budget();) {
        ast::Module c = m;
        c.elems[e].init.erase(c.elems[e].init.begin() + static_cast<std::ptrdiff_t>(k));
        progress |= attempt(m, std::move(c));
      }
    }
    // Whole bodies.
    for (size_t f = 0; f < m.funcs.size() && !out_of_budget(); ++f) {
      if (m.funcs[f].body.size() <= 2) continue;
      ast::Module c = m;
      Instr u, end;
      u.op = Op::Unreachable;
      end.op = Op::End;
      c.funcs[f].body = {u, end};
      c.funcs[f].locals.clear();
      c.funcs[f].br_targets.clear();
      progress |= attempt(m, std::move(c));
    }
    // Balanced instruction ranges, last first (so indices stay put), in
    // runs of one to four neighbouring ranges.
    for (size_t f = 0; f < m.funcs.size() && !out_of_budget(); ++f) {
      for (size_t i = m.funcs[f].body.size(); i-- > 0 && !out_of_budget();) {
        const ast::Expr& body = m.funcs[f].body;
        if (i + 1 >= body.size()) continue;  // the function's own end
        size_t end = i;
        for (int run = 0; run < 4; ++run) {
          size_t next = end < body.size() - 1 ? range_end(body, end) : 0;
          if (next == 0 || next > body.size() - 1) break;
          end = next;
          ast::Module c = m;
          ast::Expr& b = c.funcs[f].body;
          b.erase(b.begin() + static_cast<std::ptrdiff_t>(i), b.begin() + static_cast<std::ptrdiff_t>(end));
          if (attempt(m, std::move(c))) {
            progress = true;
            break;
          }
        }
      }
    }
    // Locals nobody needs any more: the validator would say if one is used.
    for (size_t f = 0; f < m.funcs.size() && !out_of_budget(); ++f) {
      if (m.funcs[f].locals.empty()) continue;
      ast::Module c = m;
      c.funcs[f].locals.clear();
      progress |= attempt(m, std::move(c));
    }
    for (size_t t = m.types.size(); t-- > 0 && !out_of_budget();) {
      ast::Module c = m;
      if (remove_type(c, static_cast<uint32_t>(t))) progress |= attempt(m, std::move(c));
    }
    // Data bytes.
    for (size_t d = 0; d < m.datas.size() && !out_of_budget(); ++d) {
      if (m.datas[d].bytes.empty()) continue;
      ast::Module c = m;
      c.datas[d].bytes.resize(c.datas[d].bytes.size() / 2);
      progress |= attempt(m, std::move(c));
    }
    return progress;
  }

 private:
  const AstPredicate& pred_;
  uint32_t budget_;
  bool keep_valid_;
  ReduceStats& s_;
};

// `b` with bytes [from, to) replaced by `with`.
std::vector<uint8_t> spliced(std::span<const uint8_t> b, size_t from, size_t to, std::span<const uint8_t> with) {
  std::vector<uint8_t> out(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(from));
  out.insert(out.end(), with.begin(), with.end());
  out.insert(out.end(), b.begin() + static_cast<std::ptrdiff_t>(to), b.end());
  return out;
}

// The code section's entries (scan.hpp, section_items), relative to its
// content: [at, to) from the entry's size to its body's last byte, and
// where the body (locals, then instructions) begins.
struct Entry {
  size_t at, body, to;
};

std::vector<Entry> entries_of(std::span<const uint8_t> b, const Section& code) {
  std::vector<Entry> out;
  for (const auto& [from, to] : section_items(b, code)) {
    size_t p = from;
    uint64_t size = 0;
    read_u32(b, p, size);  // parsed once already: the entry is [from, to)
    out.push_back({from - code.offset, p - code.offset, to - code.offset});
  }
  return out;
}

// The steps of reduce_bytes that keep the module's framing, for bytes
// Warden does not decode (chunks cut at random break the sizes around
// them, and a peer then rejects the module for that), cheapest and
// largest first:
//   1. whole sections, last first;
//   2. each code entry's body replaced by `unreachable`, which is valid for
//      any function type;
//   3. runs of a vector section's items (scan.hpp, section_items; not the
//      code section's, but a run of the function section's takes the
//      code entries of the same functions with it, and a run of data
//      segments lowers the data count), halving from half the items to
//      one, aligned from the last, the count rewritten;
//   4. chunks cut inside each body that step 2 left (its final byte, the
//      `end`, kept), halving from half the body to one byte, in rounds
//      until one takes nothing.
// Every step rewrites the sizes around what it changes.
class FramedReducer {
 public:
  FramedReducer(std::vector<uint8_t>& b, const BytesPredicate& interesting, uint32_t budget, ReduceStats& s)
      : b_(b), interesting_(interesting), budget_(budget), s_(s) {}

  void run() {
    sections();
    bodies_whole();
    items();
    bodies_cut();
  }

 private:
  static constexpr uint8_t kUnreachable[] = {0x00, 0x00, 0x0B};  // no locals; unreachable; end

  bool more() const { return s_.checks < budget_; }
  bool keep(std::vector<uint8_t> c) {
    ++s_.checks;
    if (!interesting_(c)) return false;
    ++s_.accepted;
    b_ = std::move(c);
    return true;
  }
  // Where section k's id byte is.
  static size_t start_of(const std::vector<Section>& secs, size_t k) {
    return k == 0 ? 8 : secs[k - 1].offset + secs[k - 1].size;
  }
  // A section: its id, its size, its content.
  static std::vector<uint8_t> section_bytes(uint8_t id, std::span<const uint8_t> content) {
    std::vector<uint8_t> out = {id};
    fuzz::put_leb(out, content.size());
    out.insert(out.end(), content.begin(), content.end());
    return out;
  }
  // Section k replaced by one of the same id with this content, if that
  // keeps the module interesting.
  bool replace(const std::vector<Section>& secs, size_t k, std::span<const uint8_t> content) {
    return keep(spliced(b_, start_of(secs, k), secs[k].offset + secs[k].size, section_bytes(secs[k].id, content)));
  }
  std::span<const uint8_t> content_of(const Section& x) const {
    return std::span<const uint8_t>(b_).subspan(x.offset, x.size);
  }
  // The code section's index among `secs`, or secs.size().
  static size_t code_index(const std::vector<Section>& secs) {
    return static_cast<size_t>(std::find_if(secs.begin(), secs.end(), [](const Section& x) { return x.id == 10; }) -
                               secs.begin());
  }
  // Code entry e with the body `body`, if that keeps the module interesting.
  bool replace_body(size_t e, std::span<const uint8_t> body) {
    const std::vector<Section> secs = sections_of(b_);
    const size_t k = code_index(secs);
    if (k == secs.size()) return false;
    const std::span<const uint8_t> content = content_of(secs[k]);
    const std::vector<Entry> entries = entries_of(b_, secs[k]);
    if (e >= entries.size()) return false;
    std::vector<uint8_t> entry;
    fuzz::put_leb(entry, body.size());
    entry.insert(entry.end(), body.begin(), body.end());
    return replace(secs, k, spliced(content, entries[e].at, entries[e].to, entry));
  }
  // Code entry e's body, or nothing.
  std::optional<std::vector<uint8_t>> body_of(size_t e) const {
    const std::vector<Section> secs = sections_of(b_);
    const size_t k = code_index(secs);
    if (k == secs.size()) return std::nullopt;
    const std::span<const uint8_t> content = content_of(secs[k]);
    const std::vector<Entry> entries = entries_of(b_, secs[k]);
    if (e >= entries.size()) return std::nullopt;
    return std::vector<uint8_t>(content.begin() + static_cast<std::ptrdiff_t>(entries[e].body),
                                content.begin() + static_cast<std::ptrdiff_t>(entries[e].to));
  }
  size_t entry_count() const {
    const std::vector<Section> secs = sections_of(b_);
    const size_t k = code_index(secs);
    return k == secs.size() ? 0 : section_items(b_, secs[k]).size();
  }
  static bool unreachable(std::span<const uint8_t> body) {
    return std::equal(body.begin(), body.end(), std::begin(kUnreachable), std::end(kUnreachable));
  }

  void sections() {
    const std::vector<Section> secs = sections_of(b_);
    for (size_t k = secs.size(); k-- > 0 && more();)  // last first: earlier ones stay put
      keep(spliced(b_, start_of(secs, k), secs[k].offset + secs[k].size, {}));
  }

  void bodies_whole() {
    for (size_t e = entry_count(); e-- > 0 && more();) {
      std::optional<std::vector<uint8_t>> body = body_of(e);
      if (body && !unreachable(*body)) replace_body(e, kUnreachable);
    }
  }

  // Section `sec` rebuilt without its items [from, to): the count less the
  // run, the items before and after it, and whatever followed the items
  // that parsed. Empty when fewer than `to` items parse.
  std::vector<uint8_t> without_items(const Section& sec, size_t from, size_t to) const {
    size_t first = 0;  // where the items begin, after the count
    const std::vector<std::pair<size_t, size_t>> items = section_items(b_, sec, &first);
    if (to > items.size() || from >= to) return {};
    uint64_t count = 0;
    size_t p = sec.offset;
    read_u32(b_, p, count);
    const auto at = [&](size_t offset) { return b_.begin() + static_cast<std::ptrdiff_t>(offset); };
    std::vector<uint8_t> content;
    fuzz::put_leb(content, count - (to - from));  // count >= items.size() >= to
    content.insert(content.end(), at(first), at(items[from].first));
    content.insert(content.end(), at(to < items.size() ? items[to].first : items.back().second),
                   at(sec.offset + sec.size));
    return section_bytes(sec.id, content);
  }

  void items() {
    std::vector<Section> secs = sections_of(b_);
    for (size_t k = secs.size(); k-- > 0 && more();) {
      if (secs[k].id == 10) continue;
      for (size_t chunk = std::bit_floor(std::max<size_t>(section_items(b_, secs[k]).size() / 2, 1)); more();
           chunk /= 2) {
        for (size_t to = section_items(b_, secs[k]).size(); to > 0 && more(); to -= std::min(chunk, to)) {
          const size_t from = to - std::min(chunk, to);
          std::vector<uint8_t> section = without_items(secs[k], from, to);
          if (section.empty()) continue;  // past the end after a cut
          // Sections rebuilt, by index, spliced in from the last.
          std::map<size_t, std::vector<uint8_t>> edits = {{k, std::move(section)}};
          // A function goes with its body: the code section's entries of
          // the same run. Data segments take the data count down with them.
          for (size_t j = 0; j < secs.size(); ++j) {
            if (secs[k].id == 3 && secs[j].id == 10) {
              if (std::vector<uint8_t> code = without_items(secs[j], from, to); !code.empty()) edits[j] = code;
            }
            uint64_t count = 0, segments = 0;
            size_t p = secs[j].offset, q = secs[k].offset;
            if (secs[k].id == 11 && secs[j].id == 12 && read_u32(b_, p, count) && read_u32(b_, q, segments) &&
                count == segments) {
              std::vector<uint8_t> content;
              fuzz::put_leb(content, count - (to - from));
              edits[j] = section_bytes(12, content);
            }
          }
          std::vector<uint8_t> c = b_;
          for (auto e = edits.rbegin(); e != edits.rend(); ++e)
            c = spliced(c, start_of(secs, e->first), secs[e->first].offset + secs[e->first].size, e->second);
          if (!keep(std::move(c))) continue;
          secs = sections_of(b_);  // this section and those after it moved
        }
        if (chunk == 1) break;
      }
    }
  }

  void bodies_cut() {
    for (size_t e = entry_count(); e-- > 0 && more();) {
      std::optional<std::vector<uint8_t>> got = body_of(e);
      if (!got || unreachable(*got)) continue;
      std::vector<uint8_t> body = std::move(*got);
      // Until a round of every chunk size takes nothing: a cut can free a
      // neighbour that a larger chunk then takes (`i32.const 5` once the
      // `drop` after it has gone).
      for (bool progress = true; progress && body.size() > 1 && more();) {
        progress = false;
        for (size_t chunk = std::bit_floor(std::max<size_t>(body.size() / 2, 1)); chunk >= 1 && more(); chunk /= 2) {
          // Windows of `chunk` bytes, half overlapping (one byte apart for
          // two: an instruction of two bytes is rarely aligned), last
          // first, the final byte never in one.
          const size_t stride = std::max<size_t>(chunk / 2, 1);
          for (size_t to = body.size() - 1; to > 0 && more(); to -= std::min(stride, to)) {
            if (to > body.size() - 1) continue;  // past the end after a cut
            std::vector<uint8_t> cut = spliced(body, to - std::min(chunk, to), to, {});
            if (replace_body(e, cut)) {
              body = std::move(cut);
              progress = true;
            }
          }
        }
      }
    }
  }

  std::vector<uint8_t>& b_;
  const BytesPredicate& interesting_;
  uint32_t budget_;
  ReduceStats& s_;
};

}  // namespace

ast::Module reduce_module(ast::Module m, const AstPredicate& interesting, uint32_t budget, bool keep_valid,
                          ReduceStats* stats) {
  ReduceStats local;
  ReduceStats& s = stats ? *stats : local;
  Reducer r(interesting, budget, keep_valid, s);
  while (!r.out_of_budget() && r.pass(m)) {}
  return m;
}

std::vector<uint8_t> reduce_bytes(std::vector<uint8_t> b, const BytesPredicate& interesting, uint32_t budget,
                                  ReduceStats* stats) {
  ReduceStats local;
  ReduceStats& s = stats ? *stats : local;
  FramedReducer(b, interesting, budget, s).run();
  for (size_t chunk = std::max<size_t>(b.size() / 2, 1); chunk >= 1 && s.checks < budget; chunk /= 2) {
    bool progress = true;
    while (progress && s.checks < budget) {
      progress = false;
      // Chunks aligned to `chunk`, last first, so earlier offsets stay put.
      for (size_t start = (b.size() / chunk) * chunk + chunk; start >= chunk && s.checks < budget;) {
        start -= chunk;
        if (start >= b.size()) continue;
        size_t n = std::min(chunk, b.size() - start);
        std::vector<uint8_t> c = b;
        c.erase(c.begin() + static_cast<std::ptrdiff_t>(start), c.begin() + static_cast<std::ptrdiff_t>(start + n));
        ++s.checks;
        if (!interesting(c)) continue;
        ++s.accepted;
        b = std::move(c);
        progress = true;
      }
    }
    if (chunk == 1) break;
  }
  return b;
}

std::vector<std::string> opcodes_of(const ast::Module& m) {
  std::set<std::string> ops;
  for (const ast::Function& f : m.funcs)
    for (const Instr& i : f.body)
      if (i.op != Op::End) ops.insert(std::string(name(i.op)));
  return {ops.begin(), ops.end()};
}

}  // namespace warden::diff
