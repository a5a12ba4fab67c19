// The named filter rules, one per catalogued peer bug. Each entry of
// differential/peer-bugs.md names its rule here, and each rule's comment
// names the spec paragraph the peer breaks.
#include "peer_rules.hpp"

#include <string>

namespace warden::diff {
namespace {

const LoadResult* load_of(const RuleContext& c, std::string_view engine) {
  for (const EngineLoad& l : c.loads)
    if (l.engine == engine) return &l.load;
  for (const EngineRun& r : c.runs)
    if (r.engine == engine) return &r.run.load;
  return nullptr;
}

bool only(const Finding& f, std::string_view engine) { return f.engines.size() == 1 && f.engines[0] == engine; }

bool says(const LoadResult* l, std::string_view text) {
  return l && l->verdict != Verdict::Valid && l->message.find(text) != std::string::npos;
}

// The value of an i32.const-only offset expression, if it is one.
std::optional<uint64_t> const_offset(const ast::Expr& e) {
  if (e.size() == 2 && e[0].op == Op::I32Const) return e[0].lo & 0xFFFFFFFFu;
  return std::nullopt;
}

// ---- binaryen-108-segment-bounds-at-validation
// Spec 3.4.7/3.4.6: data and element segments are valid whatever their
// offsets; an out-of-bounds active segment makes instantiation trap (spec
// 4.5.4 step 13-14, "out of bounds memory access"), it does not make the
// module invalid. Binaryen 108's validator rejects the module ("segment size
// should fit in memory", "memory segment offset should be reasonable",
// "table segment offset should be reasonable") when a constant offset puts
// an active segment past the initial size.
bool segment_bounds(const RuleContext& c) {
  if (c.finding.kind != FindingKind::Validation || !only(c.finding, "binaryen") || !c.module) return false;
  const LoadResult* b = load_of(c, "binaryen");
  if (!says(b, "segment size should fit") && !says(b, "segment offset should be reasonable")) return false;
  const ast::Module& m = *c.module;
  uint64_t mem_bytes = 0;
  bool have_mem = false;
  for (const ast::Import& i : m.imports)
    if (i.kind == ExternKind::Memory) have_mem = true, mem_bytes = uint64_t{i.memory.limits.min} << 16;
  if (!have_mem && !m.memories.empty()) have_mem = true, mem_bytes = uint64_t{m.memories[0].limits.min} << 16;
  for (const ast::DataSegment& d : m.datas) {
    if (d.mode != ast::SegmentMode::Active) continue;
    std::optional<uint64_t> off = const_offset(d.offset);
    if (off && have_mem && *off + d.bytes.size() > mem_bytes) return true;
  }
  std::vector<uint64_t> table_min;
  for (const ast::Import& i : m.imports)
    if (i.kind == ExternKind::Table) table_min.push_back(i.table.limits.min);
  for (const ast::TableType& t : m.tables) table_min.push_back(t.limits.min);
  for (const ast::ElemSegment& e : m.elems) {
    if (e.mode != ast::SegmentMode::Active || e.table >= table_min.size()) continue;
    std::optional<uint64_t> off = const_offset(e.offset);
    if (off && *off + e.init.size() > table_min[e.table]) return true;
  }
  return false;
}

constexpr PeerRule kRules[] = {
    {"binaryen-108-segment-bounds-at-validation", "binaryen 108",
     "rejects valid modules whose active segment lies outside the initial memory/table", segment_bounds},
};

}  // namespace

std::span<const PeerRule> peer_rules() { return kRules; }

const PeerRule* explain(const RuleContext& c) {
  for (const PeerRule& r : kRules)
    if (r.match(c)) return &r;
  return nullptr;
}

}  // namespace warden::diff
