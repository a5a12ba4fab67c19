// The named filter rules, one per catalogued peer bug. Each entry of
// differential/peer-bugs.md names its rule here, and each rule's comment
// names the spec paragraph the peer breaks.
#include "peer_rules.hpp"

#include "probe.hpp"
#include "scan.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

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

const LoadResult* confirmed(const RuleContext& c, std::string_view engine) {
  if (!c.confirmations) return nullptr;
  auto it = c.confirmations->find(std::string(engine));
  return it == c.confirmations->end() ? nullptr : &it->second;
}

const LoadResult* warden_says(const RuleContext& c, Verdict v, std::string_view text) {
  const LoadResult* w = load_of(c, "warden");
  return w && w->verdict == v && w->message.find(text) != std::string::npos ? w : nullptr;
}

bool verdict_is(const LoadResult* l, Verdict v) { return l && l->verdict == v; }

// A validation finding with `engine` alone on the other side of Warden.
bool validation_against(const RuleContext& c, std::string_view engine) {
  return c.finding.kind == FindingKind::Validation && only(c.finding, engine);
}

// The commonest shape of a peer bug: `engine` alone accepts a module that
// Warden calls `v`, its message containing `text`. Warden's load, or null.
const LoadResult* accepted_against(const RuleContext& c, std::string_view engine, Verdict v, std::string_view text) {
  if (!validation_against(c, engine) || !verdict_is(load_of(c, engine), Verdict::Valid)) return nullptr;
  return warden_says(c, v, text);
}

// The instruction at Warden's error offset `w`, when the module decodes.
const ast::Instr* instr_at_error(const RuleContext& c, const LoadResult* w) {
  if (!c.module || !w) return nullptr;
  std::optional<std::pair<size_t, size_t>> at = instr_at(*c.module, w->offset);
  return at ? &c.module->funcs[at->first].body[at->second] : nullptr;
}

// Whether `i` is a block, loop or if whose type takes parameters.
bool block_with_params(const ast::Module& m, const ast::Instr& i) {
  if (i.op != Op::Block && i.op != Op::Loop && i.op != Op::If) return false;
  int64_t bt = static_cast<int64_t>(i.lo);
  return bt >= 0 && static_cast<uint64_t>(bt) < m.types.size() && !m.types[bt].params.empty();
}

bool some_block_with_params(const ast::Module& m, const ast::Expr& e) {
  return std::any_of(e.begin(), e.end(), [&](const ast::Instr& i) { return block_with_params(m, i); });
}

// Mutability of every global, imported ones first (the index space).
std::vector<bool> global_mutability(const ast::Module& m) {
  std::vector<bool> mut;
  for (const ast::Import& im : m.imports)
    if (im.kind == ExternKind::Global) mut.push_back(im.global.mut);
  for (const ast::Global& g : m.globals) mut.push_back(g.type.mut);
  return mut;
}

// wabt's "... expected [a, b] but got [c]": the lengths of the two lists.
bool wabt_stack_lengths(const std::string& msg, size_t& expected, size_t& got) {
  size_t x = msg.find("expected ["), g = msg.find("but got [");
  if (x == std::string::npos || g == std::string::npos) return false;
  auto length = [&](size_t from) -> size_t {
    size_t close = msg.find(']', from);
    std::string list = msg.substr(from, close - from);
    return list.empty() ? 0 : 1 + std::count(list.begin(), list.end(), ',');
  };
  expected = length(x + 10), got = length(g + 9);
  return true;
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
// module invalid, and a passive segment is only checked by memory.init.
// Binaryen 108's validator rejects the module ("segment size should fit in
// memory", "memory segment offset should be reasonable", "table segment
// offset should be reasonable") when a constant offset puts an active
// segment past the initial size, or a passive data segment (or an active
// one at an offset it cannot know, global.get) is larger than the initial
// memory.
bool segment_bounds(const RuleContext& c) {
  if (!validation_against(c, "binaryen") || !c.module) return false;
  const LoadResult* b = load_of(c, "binaryen");
  if (!says(b, "segment size should fit") && !says(b, "segment offset should be reasonable")) return false;
  const ast::Module& m = *c.module;
  uint64_t mem_bytes = 0;
  bool have_mem = false;
  for (const ast::Import& i : m.imports)
    if (i.kind == ExternKind::Memory) have_mem = true, mem_bytes = uint64_t{i.memory.limits.min} << 16;
  if (!have_mem && !m.memories.empty()) have_mem = true, mem_bytes = uint64_t{m.memories[0].limits.min} << 16;
  for (const ast::DataSegment& d : m.datas) {
    // Binaryen measures passive segments against the memory too.
    if (d.mode == ast::SegmentMode::Passive && (!have_mem || d.bytes.size() > mem_bytes)) return true;
    if (d.mode != ast::SegmentMode::Active) continue;
    std::optional<uint64_t> off = const_offset(d.offset);
    if (have_mem && off.value_or(0) + d.bytes.size() > mem_bytes) return true;
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

// ---- wabt-1.0.32-validates-while-reading
// Spec 5 and 3: a binary that does not decode is malformed, whatever else is
// wrong with it; validation applies to a decoded module. wabt validates
// while it reads (spectest-interp every instruction, wasm-validate some
// index checks), so when something invalid comes before the point where the
// binary stops being well-formed it reports "invalid". The rule requires
// that order: wabt's error lies before Warden's decoding error, or wabt's
// read-first tool (wasm-validate) itself does not call the module invalid.
bool wabt_validates_while_reading(const RuleContext& c) {
  if (!validation_against(c, "wabt")) return false;
  const LoadResult* w = load_of(c, "warden");
  const LoadResult* interp = load_of(c, "wabt");
  if (!verdict_is(w, Verdict::Malformed) || !verdict_is(interp, Verdict::Invalid)) return false;
  // Where the malformation shows: a size that does not match, or bytes that
  // run out, only show at the end of the section that declared them.
  uint64_t y = w->offset;
  if (y != kNoOffset && (w->message == "section size mismatch" || w->message == "length out of bounds" ||
                         w->message.rfind("unexpected end", 0) == 0)) {
    std::optional<Section> s = section_at(c.bytes, y);
    y = s ? s->offset + s->size : c.bytes.size();
  }
  if (interp->offset != kNoOffset && y != kNoOffset && interp->offset <= y) return true;
  const LoadResult* tool = confirmed(c, "wabt");
  return tool && tool->verdict != Verdict::Invalid && tool->verdict != Verdict::Valid &&
         tool->verdict != Verdict::NotRun;
}

// ---- wabt-1.0.32-name-section-errors-reject-module
// Spec 7.4.1 (appendix, custom sections): "If an implementation interprets
// the data of a custom section, then errors in that data, or the placement
// of the section, must not invalidate the module." wabt rejects the module
// when its "name" section does not parse, or is followed by another
// section ("... can not occur after Name section"). The rule requires a
// "name" section and that wabt, given the same module without its custom
// sections, agrees with Warden.
bool wabt_name_section(const RuleContext& c) {
  if (!validation_against(c, "wabt")) return false;
  const LoadResult* interp = load_of(c, "wabt");
  const LoadResult* w = load_of(c, "warden");
  if (!interp || !w || interp->verdict == Verdict::Valid || w->verdict == Verdict::Malformed) return false;
  bool named = false;
  for (const Section& s : sections_of(c.bytes)) named |= custom_name(c.bytes, s) == "name";
  if (!named) return false;
  // Causal: without its custom sections, wabt agrees with Warden.
  const LoadResult* stripped = confirmed(c, "wabt-without-customs");
  // (Or an unsupported feature is all that is left: counted elsewhere.)
  return stripped && (verdicts_agree(stripped->verdict, w->verdict) || stripped->verdict == Verdict::Unsupported ||
                      confirmed(c, "wabt-without-customs-explained"));
}

// ---- wabt-1.0.32-datacount-without-data-section
// Spec 5.5.16: "the data count section ... must be equal to the length of
// the data segment vector" and an absent data section is an empty vector.
// wabt checks the count only against a data section that is present, so a
// non-zero data count with no data section passes.
bool wabt_datacount(const RuleContext& c) {
  if (!validation_against(c, "wabt")) return false;
  if (!warden_says(c, Verdict::Malformed, "data count and data section have inconsistent lengths")) return false;
  const LoadResult* interp = load_of(c, "wabt");
  if (!interp || interp->verdict == Verdict::Malformed) return false;
  bool data = false, count = false;
  for (const Section& s : sections_of(c.bytes)) {
    data |= s.id == 11;
    if (s.id == 12) {
      size_t p = s.offset;
      uint64_t n = 0;
      count = read_u32(c.bytes, p, n) && n > 0;
    }
  }
  return count && !data;
}

// ---- wabt-1.0.32-const-expr-missing-end
// Spec 5.4.10 (expressions) and 5.5.9: a constant expression is instr*
// followed by 0x0B. wabt accepts a global whose initializer runs to the end
// of its section without the 0x0B (and goes on to judge the rest of the
// module, valid or invalid). V8 names the same defect ("constant expression
// is missing 'end'"), which the rule requires.
bool wabt_const_missing_end(const RuleContext& c) {
  if (!validation_against(c, "wabt")) return false;
  const LoadResult* interp = load_of(c, "wabt");
  if (!verdict_is(load_of(c, "warden"), Verdict::Malformed) || !interp || interp->verdict == Verdict::Malformed)
    return false;
  return says(load_of(c, "v8"), "constant expression is missing 'end'");
}

// ---- wabt-1.0.32-interp-code-after-function-end
// Spec 5.5.13: a function body is locals followed by one expr, which ends
// at the 0x0B that closes the function; the body's size must end there.
// wabt's reader does not check where the function's expr ends: spectest-
// interp accepts further instructions after that end, or reports the first
// invalid one.
bool wabt_code_after_end(const RuleContext& c) {
  if (!validation_against(c, "wabt")) return false;
  const LoadResult* interp = load_of(c, "wabt");
  if (!verdict_is(load_of(c, "warden"), Verdict::Malformed) ||
      !(verdict_is(interp, Verdict::Valid) || verdict_is(interp, Verdict::Invalid)))
    return false;
  return some_body(c.bytes, BodyShape::CodeAfterEnd);
}

// ---- wabt-1.0.32-body-without-final-end
// Spec 5.4.1 and 5.5.13: block, loop and if are closed by 0x0B, and a
// function body's expr by one more. wabt's reader only checks that a body's
// last byte is 0x0B, so a body whose last 0x0B closes an inner block (the
// function's own end missing) reaches its validator, which calls the module
// valid (when the block's results fit the function's) or invalid.
bool wabt_missing_end(const RuleContext& c) {
  if (!validation_against(c, "wabt")) return false;
  const LoadResult* interp = load_of(c, "wabt");
  if (!verdict_is(load_of(c, "warden"), Verdict::Malformed) ||
      !(verdict_is(interp, Verdict::Valid) || verdict_is(interp, Verdict::Invalid)))
    return false;
  return some_body(c.bytes, BodyShape::MissingEnd);
}

// ---- wabt-1.0.32-interp-datacount-allocation
// Spec 5.5.16 and the STYLE rule of never allocating for a count before its
// bytes exist: spectest-interp reserves storage for the data count section's
// number of segments up front and aborts (std::bad_alloc -> SIGABRT) on a
// large count, for a module that is merely malformed.
bool wabt_datacount_abort(const RuleContext& c) {
  if (c.finding.kind != FindingKind::Crash || !only(c.finding, "wabt")) return false;
  const LoadResult* interp = load_of(c, "wabt");
  if (!interp || interp->message != "signal 6") return false;
  for (const Section& s : sections_of(c.bytes)) {
    if (s.id != 12) continue;
    size_t p = s.offset;
    uint64_t n = 0;
    if (read_u32(c.bytes, p, n) && n > c.bytes.size()) return true;
  }
  return false;
}

// ---- binaryen-108-declarative-ref-null
// Spec 5.5.12: element segment kind 7 is "declarative, expression items",
// each item an expression such as `ref.null func` or `global.get 0`.
// Binaryen 108 reads only `ref.func` items there: it loses its place at any
// other item and fails with whatever the following bytes then look like
// ("bad section size", "Table index out of range", ...).
bool declarative_ref_null(const RuleContext& c) {
  if (!validation_against(c, "binaryen") || !c.module) return false;
  const LoadResult* b = load_of(c, "binaryen");
  if (!b || b->verdict == Verdict::Valid) return false;
  for (const ast::ElemSegment& e : c.module->elems) {
    if (e.mode != ast::SegmentMode::Declarative) continue;
    for (const ast::Expr& x : e.init)
      if (!x.empty() && x[0].op != Op::RefFunc) return true;
  }
  return false;
}

// ---- binaryen-108-externref-elem-segment
// Spec 2.5.9 and 3.4.6: an element segment has any reference type,
// externref included (its items are then ref.null extern). Binaryen 108
// accepts only funcref segments: "Invalid type for a usesExpressions element
// segment", or another parse error inside the element section.
bool externref_elems(const RuleContext& c) {
  if (!validation_against(c, "binaryen") || !c.module) return false;
  const LoadResult* b = load_of(c, "binaryen");
  if (!b || b->verdict == Verdict::Valid) return false;
  std::optional<Section> at = section_at(c.bytes, binaryen_offset(b->message));
  if (!says(b, "Invalid type for a usesExpressions element segment") && !(at && at->id == 9)) return false;
  for (const ast::ElemSegment& e : c.module->elems)
    if (e.type == ValType::ExternRef) return true;
  return false;
}

// ---- binaryen-108-no-utf8-validation
// Spec 5.2.4: names are UTF-8 (malformed otherwise). Binaryen 108 accepts
// import, export and custom section names that are not UTF-8.
bool binaryen_utf8(const RuleContext& c) {
  return accepted_against(c, "binaryen", Verdict::Malformed, "malformed UTF-8 encoding");
}

// ---- binaryen-108-skips-unknown-sections
// Spec 5.5.2: section ids are 0-12; any other id is malformed. Binaryen 108
// skips a section with an unknown id.
bool binaryen_unknown_section(const RuleContext& c) {
  return accepted_against(c, "binaryen", Verdict::Malformed, "malformed section id");
}

// ---- binaryen-108-function-without-code
// Spec 5.5.16: the function and code sections must have the same length
// (an absent section is an empty vector). Binaryen 108 accepts a function
// section with entries and no code section.
bool binaryen_missing_code(const RuleContext& c) {
  if (!accepted_against(c, "binaryen", Verdict::Malformed, "function and code section have inconsistent lengths"))
    return false;
  bool code = false;
  for (const Section& s : sections_of(c.bytes)) code |= s.id == 10;
  return !code;
}

// ---- binaryen-108-extra-values-at-block-end
// Spec 3.3.x (instruction sequences, blocks and function bodies): the values
// left on the stack at the end of a block or body must match its result type
// exactly. Binaryen 108 drops surplus values. The rule requires V8's or
// wabt's account of the surplus ("expected N elements on the stack for
// fallthru, found M", M > N; wabt "expected [...] but got [...]" longer).
bool binaryen_extra_values(const RuleContext& c) {
  if (!accepted_against(c, "binaryen", Verdict::Invalid, "type mismatch")) return false;
  if (const LoadResult* v = load_of(c, "v8")) {
    size_t at = v->message.find(" elements on the stack for fallthru, found ");
    size_t e = v->message.rfind("expected ", at);
    if (at != std::string::npos && e != std::string::npos) {
      uint64_t want = std::strtoull(v->message.c_str() + e + 9, nullptr, 10);
      uint64_t found = std::strtoull(v->message.c_str() + at + 43, nullptr, 10);
      if (found > want) return true;
    }
  }
  const LoadResult* w = load_of(c, "wabt");
  size_t expected = 0, got = 0;
  return w && w->message.find("type mismatch at end of") != std::string::npos &&
         wabt_stack_lengths(w->message, expected, got) && got > expected;
}

// ---- binaryen-108-no-block-parameters
// Spec 3.2.2 and 3.3.8 (multi-value): a block type may be any function
// type, [t1*] -> [t2*], so block, loop and if can take parameters. Binaryen
// IR has no block parameters; Binaryen 108 fails to read such a module with
// a stack error ("block cannot pop from outside", "Block requires more
// values than are available", "attempted pop from empty stack", "loop with
// value and body must match types", ...). The rule requires a block type
// with parameters in the module.
bool binaryen_block_params(const RuleContext& c) {
  if (!validation_against(c, "binaryen") || !c.module) return false;
  const LoadResult* b = load_of(c, "binaryen");
  // The other way round: Binaryen does not check a block's parameters, so
  // a block without the values it takes passes.
  if (const LoadResult* w = warden_says(c, Verdict::Invalid, "type mismatch"); w && verdict_is(b, Verdict::Valid)) {
    const ast::Instr* i = instr_at_error(c, w);
    return i && block_with_params(*c.module, *i);
  }
  if (!b || b->verdict == Verdict::Valid || !verdict_is(load_of(c, "warden"), Verdict::Valid)) return false;
  // A validator error names the function; that function must have a block
  // type with parameters.
  const char* tag = "[wasm-validator error in function ";
  if (b->message.rfind(tag, 0) == 0) {
    // Binaryen names a function without a name section by its position
    // among the defined functions.
    uint64_t n = std::strtoull(b->message.c_str() + std::strlen(tag), nullptr, 10);
    return n < c.module->funcs.size() && some_block_with_params(*c.module, c.module->funcs[n].body);
  }
  static const char* const stack_errors[] = {"block cannot pop from outside", "Block requires more values",
                                             "attempted pop from empty stack", "with value and body must match",
                                             "all break targets must be valid"};
  bool stack_error = false;
  for (const char* t : stack_errors) stack_error |= b->message.find(t) != std::string::npos;
  if (!stack_error) return false;
  for (const ast::Function& f : c.module->funcs)
    if (some_block_with_params(*c.module, f.body)) return true;
  return false;
}

// ---- binaryen-108-name-section-errors-reject-module
// Spec 7.4.1, as for wabt above: errors in the name section must not
// invalidate the module. Binaryen 108 fails to read the module ("bad names
// section position change", "LEB dropped bits only valid for signed LEB",
// ...). The rule requires a "name" section and that Binaryen, given the
// same module without its custom sections, agrees with Warden.
bool binaryen_name_section(const RuleContext& c) {
  if (!validation_against(c, "binaryen")) return false;
  const LoadResult* b = load_of(c, "binaryen");
  const LoadResult* w = load_of(c, "warden");
  if (!b || !w || b->verdict == Verdict::Valid || w->verdict == Verdict::Malformed) return false;
  bool named = false;
  for (const Section& s : sections_of(c.bytes)) named |= custom_name(c.bytes, s) == "name";
  if (!named) return false;
  const LoadResult* stripped = confirmed(c, "binaryen-without-customs");
  // (Or an unsupported feature is all that is left: counted elsewhere.)
  return stripped && (verdicts_agree(stripped->verdict, w->verdict) || stripped->verdict == Verdict::Unsupported ||
                      confirmed(c, "binaryen-without-customs-explained"));
}

// ---- binaryen-108-block-parameters-run-wrongly
// Spec 4.4.8 (block, loop, if with a type [t1*] -> [t2*]): a loop's
// parameters are the values a branch to it carries back. When Binaryen 108
// does read a module with block parameters (see the rule above), it runs it
// differently from the spec (a loop with parameters iterates a different
// number of times, or without end though the fuel global stops it
// everywhere else). The rule requires Binaryen alone to differ (result, trap
// or hang) on a module with a block type with parameters.
bool binaryen_block_params_run(const RuleContext& c) {
  if ((c.finding.kind != FindingKind::Result && c.finding.kind != FindingKind::Trap &&
       c.finding.kind != FindingKind::Hang) ||
      !only(c.finding, "binaryen") || !c.module)
    return false;
  for (const ast::Function& f : c.module->funcs)
    if (some_block_with_params(*c.module, f.body)) return true;
  return false;
}

// ---- binaryen-108-nul-in-names
// Spec 5.2.4: a name is any valid UTF-8, U+0000 included. Binaryen 108
// refuses names containing NUL ("inline string contains NULL ... not
// supported in binaryen").
bool binaryen_nul_names(const RuleContext& c) {
  if (!validation_against(c, "binaryen") || !c.module) return false;
  if (!says(load_of(c, "binaryen"), "inline string contains NULL")) return false;
  auto nul = [](const std::string& s) { return s.find('\0') != std::string::npos; };
  for (const ast::Import& i : c.module->imports)
    if (nul(i.module) || nul(i.name)) return true;
  for (const ast::Export& e : c.module->exports)
    if (nul(e.name)) return true;
  for (const ast::CustomSection& s : c.module->customs)
    if (nul(s.name)) return true;
  return false;
}

// ---- wabt-1.0.32-lax-block-type
// Spec 5.4.1: a block type is 0x40, one value type byte, or a non-negative
// s33 type index; any other encoding (such as the two-byte LEB128 ff 7f of
// -1) is "malformed block type". wabt 1.0.32 reads the block type as a
// signed LEB128 and takes -1 in any length for i32.
bool wabt_block_type(const RuleContext& c) {
  if (!validation_against(c, "wabt")) return false;
  const LoadResult* interp = load_of(c, "wabt");
  return warden_says(c, Verdict::Malformed, "malformed block type") && interp &&
         interp->verdict != Verdict::Malformed;
}

// ---- wabt-1.0.32-typed-reference-types
// Spec 5.3.3: a reference type is 0x70 (funcref) or 0x6F (externref); any
// other byte is malformed. wabt 1.0.32 reads 0x6B/0x6C ("(ref ht)", "(ref
// null ht)" of the typed function references proposal, which 2.0 does not
// have) as types and then accepts or merely invalidates the module.
bool wabt_typed_refs(const RuleContext& c) {
  if (!validation_against(c, "wabt")) return false;
  const LoadResult* w = warden_says(c, Verdict::Malformed, "malformed reference type");
  const LoadResult* interp = load_of(c, "wabt");
  if (!w || !interp || interp->verdict == Verdict::Malformed) return false;
  uint8_t t = byte_at(c.bytes, w->offset);
  return t == 0x6B || t == 0x6C;
}

// ---- wabt-1.0.32-elem-expr-global-get
// Spec 3.3.10/3.4.6 (2.0): an element segment's items are constant
// expressions, and global.get of an imported global is one. wabt 1.0.32
// allows only ref.null and ref.func there ("expected ref.null or ref.func in
// passive element segment").
bool wabt_elem_global_get(const RuleContext& c) {
  if (!validation_against(c, "wabt") || !c.module) return false;
  if (!says(load_of(c, "wabt"), "expected ref.null or ref.func") || !verdict_is(load_of(c, "warden"), Verdict::Valid))
    return false;
  for (const ast::ElemSegment& e : c.module->elems)
    for (const ast::Expr& x : e.init)
      if (!x.empty() && x[0].op == Op::GlobalGet) return true;
  return false;
}

// ---- binaryen-108-section-order-not-checked
// Spec 5.5.2: the non-custom sections come in a fixed order, each at most
// once (otherwise "unexpected content after last section" / "section out of
// order": malformed). Binaryen 108 reads them in any order.
bool binaryen_section_order(const RuleContext& c) {
  if (!accepted_against(c, "binaryen", Verdict::Malformed, "")) return false;
  return sections_out_of_order(c.bytes);
}

// ---- binaryen-108-accepts-bad-mutability
// Spec 5.3.10: a global type's mutability byte is 0x00 or 0x01. Binaryen
// 108 accepts other values.
bool binaryen_mutability(const RuleContext& c) {
  return accepted_against(c, "binaryen", Verdict::Malformed, "malformed mutability");
}

// ---- binaryen-108-accepts-bad-value-types
// Spec 5.3.1/5.5.13: a value type is one of seven bytes; a local
// declaration with any other type byte is malformed. Binaryen 108 accepts
// the module.
bool binaryen_value_types(const RuleContext& c) {
  return accepted_against(c, "binaryen", Verdict::Malformed, "malformed value type");
}

// ---- binaryen-108-reads-post-2.0-opcodes
// Spec 5.4: 2.0 has no opcodes 0x06-0x09, 0x12-0x15, 0x18-0x19 or
// 0xD3-0xD6 (exception handling, tail calls, typed function references):
// they are malformed ("illegal opcode"). Binaryen 108 decodes them whatever
// features it is given, and accepts the module.
bool binaryen_post_20_opcodes(const RuleContext& c) {
  const LoadResult* w = accepted_against(c, "binaryen", Verdict::Malformed, "illegal opcode");
  if (!w) return false;
  uint8_t op = byte_at(c.bytes, w->offset);
  return (op >= 0x06 && op <= 0x09) || (op >= 0x12 && op <= 0x15) || op == 0x18 || op == 0x19 ||
         (op >= 0xD3 && op <= 0xD6);
}

// ---- binaryen-108-rounding-keeps-signalling-nan
// Spec 4.3.3 (fceil, ffloor, ftrunc): a NaN input gives "an element of
// nans{z}", an arithmetic (quiet) NaN. Binaryen 108 returns a signalling
// NaN input of f32/f64 ceil, floor and trunc (scalar and f32x4/f64x2)
// unchanged; the probes' per-instruction NaN check names the instruction.
bool binaryen_rounding_snan(const RuleContext& c) {
  if (c.finding.kind != FindingKind::Result || !only(c.finding, "binaryen")) return false;
  for (const EngineRun& r : c.runs) {
    if (r.engine != "binaryen" || r.run.calls.empty()) continue;
    const Outcome& state = r.run.calls.back();
    if (state.status != Outcome::Status::Ok || state.values.empty()) return false;
    // The opcode table's names: f32/f64/f32x4/f64x2 .ceil, .floor, .trunc.
    std::string op = nan_violation_op(state.values[0]);
    for (std::string_view x : {".ceil", ".floor", ".trunc"})
      if (op.size() > x.size() && op.compare(op.size() - x.size(), x.size(), x) == 0) return true;
  }
  return false;
}

// ---- feature:v8-threads-shared-memory (a feature, not a bug)
// Node 20's V8 enables the threads proposal: a memory (defined or imported)
// with limits flag 0x02 or 0x03 (shared) is valid there; in 2.0 it is
// malformed.
bool v8_threads(const RuleContext& c) {
  if (!accepted_against(c, "v8", Verdict::Malformed, "")) return false;
  const std::span<const uint8_t> b = c.bytes;
  uint64_t v = 0;
  // Limits: flags, min, max if flags & 1; true when shared.
  auto limits = [&](size_t& p, bool& shared) {
    if (p >= b.size()) return false;
    uint8_t flags = b[p++];
    shared |= flags == 2 || flags == 3;
    return read_u32(b, p, v) && (!(flags & 1) || read_u32(b, p, v));
  };
  for (const Section& s : sections_of(b)) {
    size_t p = s.offset, end = s.offset + s.size;
    uint64_t count = 0;
    bool shared = false;
    if (s.id == 5) {
      if (!read_u32(b, p, count)) return false;
      for (uint64_t i = 0; i < count && p < end && !shared; ++i)
        if (!limits(p, shared)) break;
    } else if (s.id == 2) {  // imported memories
      if (!read_u32(b, p, count)) return false;
      for (uint64_t i = 0; i < count && p < end && !shared; ++i) {
        uint64_t n = 0;
        if (!read_u32(b, p, n) || n > end - p) break;
        p += n;
        if (!read_u32(b, p, n) || n > end - p) break;
        p += n;
        if (p >= end) break;
        uint8_t kind = b[p++];
        if (kind == 0 && !read_u32(b, p, v)) break;
        if (kind == 1 && (++p > end || !limits(p, shared))) break;
        if (kind == 2 && !limits(p, shared)) break;
        if (kind == 3) p += 2;
        if (kind > 3) break;
      }
    }
    if (shared) return true;
  }
  return false;
}

// ---- feature:v8-exception-handling (a feature, not a bug)
// Node 20's V8 enables exception handling: try, catch, throw, rethrow,
// delegate and catch_all (0x06-0x09, 0x18, 0x19) decode there, and the tag
// section (id 13) is a section.
bool v8_exceptions(const RuleContext& c) {
  // The tag section (id 13).
  if (accepted_against(c, "v8", Verdict::Malformed, "malformed section id")) {
    for (const Section& s : sections_of(c.bytes))
      if (s.id == 13) return true;
  }
  const LoadResult* w = accepted_against(c, "v8", Verdict::Malformed, "illegal opcode");
  if (!w) return false;
  uint8_t op = byte_at(c.bytes, w->offset);
  return (op >= 0x06 && op <= 0x09) || op == 0x18 || op == 0x19;
}

// ---- wabt-1.0.32-typed-select-result-unchecked
// Spec 3.3.4: `select t` has type [t t i32] -> [t]. After a typed select,
// wabt 1.0.32's validator lets the result stand for any type (an i32 result
// passes as f32 or as a reference). The rule requires a typed select
// before Warden's type error in the same function.
bool wabt_typed_select(const RuleContext& c) {
  const LoadResult* w = accepted_against(c, "wabt", Verdict::Invalid, "type mismatch");
  if (!w || !c.module) return false;
  std::optional<std::pair<size_t, size_t>> at = instr_at(*c.module, w->offset);
  if (!at) return false;
  const ast::Expr& e = c.module->funcs[at->first].body;
  for (size_t i = 0; i < at->second; ++i)
    if (e[i].op == Op::SelectT) return true;
  return false;
}

// ---- wabt-1.0.32-elem-expr-error-ignored
// Spec 5.5.12: an element segment item is a constant expression; an
// unknown prefixed opcode there is malformed. wabt 1.0.32 prints "expected
// ref.null or ref.func in passive element segment" for it and still
// accepts the module (exit status 0).
bool wabt_elem_error_ignored(const RuleContext& c) {
  if (!validation_against(c, "wabt")) return false;
  const LoadResult* w = load_of(c, "warden");
  if (!w || w->verdict == Verdict::Valid || !verdict_is(load_of(c, "wabt"), Verdict::Valid)) return false;
  std::optional<Section> s = section_at(c.bytes, w->offset);
  if (!s || s->id != 9) return false;
  uint8_t op = byte_at(c.bytes, w->offset);
  return op == 0xFC || op == 0xFD || says(load_of(c, "v8"), "is not allowed in constant expressions");
}

// ---- wabt-1.0.32-data-segment-flags
// Spec 5.5.14: a data segment starts with 0, 1 or 2. wabt 1.0.32 reads the
// kind as bit flags and accepts 3 to 7 when the bytes after it happen to
// fit that reading.
bool wabt_data_flags(const RuleContext& c) {
  if (!validation_against(c, "wabt")) return false;
  const LoadResult* w = warden_says(c, Verdict::Malformed, "malformed data segment kind");
  const LoadResult* interp = load_of(c, "wabt");
  if (!w || !interp || interp->verdict == Verdict::Malformed) return false;
  uint8_t kind = byte_at(c.bytes, w->offset);
  return kind >= 3 && kind <= 7;
}

// ---- binaryen-108-skips-validation-after-branch
// Spec 3.3.5-3.3.8: code after br, br_table, return or unreachable is still
// validated, against a stack whose bottom is polymorphic; a value of the
// wrong type pushed there makes the module invalid. Binaryen 108 drops such
// code unchecked, nested blocks included (a type error there, or a memory
// instruction without a memory); and it counts as dead everything after a
// block or loop whose body ends in such a branch (Binaryen types it
// "unreachable"), although the spec gives that block its declared type. The
// rule requires an unconditional branch or such a construct before Warden's
// validation error, in its block or before one of the blocks around it.
// Binaryen's idea of a construct that never falls through (its type
// "unreachable"): its body has, at its top level, an unconditional branch
// or such a construct; no branch in it targets it (for a loop, branches to
// it go back to its start); an if has both arms like that.
class Reachability {
 public:
  explicit Reachability(const ast::Expr& e) : e_(e), match_(e.size(), 0), else_(e.size(), 0) {
    std::vector<size_t> open;
    for (size_t i = 0; i < e.size(); ++i) {
      Op op = e[i].op;
      if (op == Op::Block || op == Op::Loop || op == Op::If) open.push_back(i);
      if (op == Op::Else && !open.empty()) else_[open.back()] = i;
      if (op == Op::End && !open.empty()) {
        match_[open.back()] = i;
        match_[i] = open.back();
        open.pop_back();
      }
    }
  }
  size_t start_of(size_t end) const { return match_[end]; }

  // Whether the construct starting at `s` never falls through.
  bool dead_end(size_t s, int budget = 64) const {
    if (budget == 0) return false;
    size_t end = match_[s];
    if (end <= s) return false;
    if (e_[s].op == Op::If) {
      size_t el = else_[s];
      if (el == 0) return false;  // no else: the false arm falls through
      return arm_dead(s + 1, el, budget) && arm_dead(el + 1, end, budget) && !targeted(s, end);
    }
    return arm_dead(s + 1, end, budget) && (e_[s].op == Op::Loop || !targeted(s, end));
  }

 private:
  // The body [from, to) never falls through: one of its top-level
  // instructions is an unconditional branch or a construct that never does
  // (what follows it is dead, its end included).
  bool arm_dead(size_t from, size_t to, int budget) const {
    for (size_t i = from; i < to; ++i) {
      Op op = e_[i].op;
      if (op == Op::Br || op == Op::BrTable || op == Op::Return || op == Op::Unreachable) return true;
      if (op == Op::Block || op == Op::Loop || op == Op::If) {
        if (dead_end(i, budget - 1)) return true;
        if (match_[i] <= i) return false;
        i = match_[i];
      }
    }
    return false;
  }
  // Whether a branch inside (s, end) targets the construct at s.
  bool targeted(size_t s, size_t end) const {
    int depth = 0;
    for (size_t i = s + 1; i < end; ++i) {
      Op op = e_[i].op;
      if (op == Op::Block || op == Op::Loop || op == Op::If) ++depth;
      if (op == Op::End) --depth;
      if ((op == Op::Br || op == Op::BrIf) && static_cast<int>(e_[i].a) == depth) return true;
      if (op == Op::BrTable) return true;  // labels in a side table: assume so
    }
    return false;
  }
  const ast::Expr& e_;
  std::vector<size_t> match_, else_;
};

bool binaryen_after_branch(const RuleContext& c) {
  const LoadResult* w = accepted_against(c, "binaryen", Verdict::Invalid, "");
  if (!w || !c.module) return false;
  std::optional<std::pair<size_t, size_t>> at = instr_at(*c.module, w->offset);
  if (!at) return false;
  // Walk back through this block and every enclosing one: an unconditional
  // branch, or a construct that never falls through, before the error (or
  // before the block that holds it) makes the code dead to Binaryen. An
  // else arm does not inherit its then arm's.
  const ast::Expr& e = c.module->funcs[at->first].body;
  Reachability r(e);
  bool then_arm = false;  // between an `else` and its `if`: skip
  for (size_t i = at->second; i-- > 0;) {
    Op op = e[i].op;
    if (op == Op::End) {  // a sibling construct: dead to Binaryen if it never falls through
      size_t s = r.start_of(i);
      if (!then_arm && s < i && r.dead_end(s)) return true;
      i = s;  // skip over it
      continue;
    }
    if (op == Op::Block || op == Op::Loop || op == Op::If) {
      then_arm = false;  // out into the enclosing block
      continue;
    }
    if (op == Op::Else) {
      then_arm = true;
      continue;
    }
    if (!then_arm && (op == Op::Br || op == Op::BrTable || op == Op::Return || op == Op::Unreachable)) return true;
  }
  return false;
}

// ---- binaryen-108-pops-across-block-boundary
// Spec 3.3.8 (block, loop, if): the body's instructions see only the
// block's own operand stack; taking an operand from outside the block is a
// type error. Binaryen 108 lets an instruction inside a block take
// operands pushed before the block. The rule requires the stack underflow
// as V8 ("not enough arguments on the stack") or wabt (fewer values got
// than expected) describe it.
bool binaryen_block_boundary(const RuleContext& c) {
  if (!accepted_against(c, "binaryen", Verdict::Invalid, "type mismatch")) return false;
  if (says(load_of(c, "v8"), "not enough arguments on the stack")) return true;
  const LoadResult* w = load_of(c, "wabt");
  size_t expected = 0, got = 0;
  return w && wabt_stack_lengths(w->message, expected, got) && got < expected;
}

// ---- binaryen-108-lax-body-structure
// Spec 5.4.1, 5.5.13: a function body's expr ends at the 0x0B closing the
// function, and the body's size ends there. Binaryen 108 accepts bodies
// that end inside an open block or go on after that end.
bool binaryen_body_structure(const RuleContext& c) {
  if (!accepted_against(c, "binaryen", Verdict::Malformed, "")) return false;
  return some_body(c.bytes, BodyShape::MissingEnd) || some_body(c.bytes, BodyShape::CodeAfterEnd);
}

// ---- binaryen-108-const-expr-global-rules
// Spec 3.3.10 (2.0): a constant expression's global.get must name an
// immutable *imported* global; otherwise "constant expression required"
// (mutable) or "unknown global" (a module's own global, which 2.0 constant
// expressions cannot see). Binaryen 108 accepts both.
bool binaryen_const_expr_globals(const RuleContext& c) {
  if (!c.module || !(accepted_against(c, "binaryen", Verdict::Invalid, "constant expression required") ||
                     accepted_against(c, "binaryen", Verdict::Invalid, "unknown global")))
    return false;
  const ast::Module& m = *c.module;
  // Per global index: mutable, or not imported.
  const std::vector<bool> mut = global_mutability(m);
  const size_t imported = m.imported(ExternKind::Global);
  auto uses_bad = [&](const ast::Expr& e) {
    for (const ast::Instr& i : e)
      if (i.op == Op::GlobalGet && (i.a >= mut.size() || i.a >= imported || mut[i.a])) return true;
    return false;
  };
  for (const ast::Global& g : m.globals)
    if (uses_bad(g.init)) return true;
  for (const ast::ElemSegment& e : m.elems) {
    if (uses_bad(e.offset)) return true;
    for (const ast::Expr& x : e.init)
      if (uses_bad(x)) return true;
  }
  for (const ast::DataSegment& d : m.datas)
    if (uses_bad(d.offset)) return true;
  return false;
}

// ---- binaryen-108-scratch-locals-hide-bad-index
// Spec 3.3.5 (local.get/set/tee x): x must be a local of the function
// ("unknown local"). Binaryen 108's reader turns stack code into its tree
// IR by adding scratch locals (wasm-opt --print shows $7... appended), and
// checks local indices against the grown count: an index past the declared
// locals passes when that many scratch locals were added before it. The
// rule requires Warden's "unknown local N" at a local instruction of a
// function with fewer declared locals than N + 1 and at least N - declared
// + 1 instructions (one scratch local per instruction at most).
bool binaryen_scratch_locals(const RuleContext& c) {
  const LoadResult* w = accepted_against(c, "binaryen", Verdict::Invalid, "unknown local ");
  if (!w || !c.module) return false;
  std::optional<std::pair<size_t, size_t>> at = instr_at(*c.module, w->offset);
  if (!at) return false;
  const ast::Function& f = c.module->funcs[at->first];
  const ast::Instr& i = f.body[at->second];
  if (i.op != Op::LocalGet && i.op != Op::LocalSet && i.op != Op::LocalTee) return false;
  uint64_t declared = f.type < c.module->types.size() ? c.module->types[f.type].params.size() : 0;
  for (const ast::LocalDecl& d : f.locals) declared += d.count;
  return i.a >= declared && i.a - declared < f.body.size();
}

// ---- binaryen-108-multiple-memories
// Spec 3.4.10 (2.0): a module has at most one memory, imported or defined
// ("multiple memories"). Binaryen 108 accepts several.
bool binaryen_multiple_memories(const RuleContext& c) {
  return accepted_against(c, "binaryen", Verdict::Invalid, "multiple memories");
}

// ---- wabt-1.0.32-lax-value-type-encoding
// Spec 5.3.1: a value type is one byte; the reference decoder reads it as a
// 7-bit signed LEB128, so a byte with the continuation bit makes "integer
// representation too long". wabt 1.0.32 reads a local's type as a signed
// LEB128 of any length (ff ff ff 7f is -1: i32) and accepts it. The rule
// requires V8's account of the byte ("invalid value type").
bool wabt_value_type_encoding(const RuleContext& c) {
  if (!validation_against(c, "wabt")) return false;
  const LoadResult* interp = load_of(c, "wabt");
  if (!interp || interp->verdict == Verdict::Malformed) return false;
  if (!warden_says(c, Verdict::Malformed, "integer representation too long") &&
      !warden_says(c, Verdict::Malformed, "integer too large"))
    return false;
  return says(load_of(c, "v8"), "invalid value type");
}

// ---- binaryen-108-table-ops-on-imported-tables
// Spec 2.5.1/3.3.6: imported tables come first in the table index space,
// and table.get, table.set, table.size, table.grow and table.fill may name
// any table. In a module that imports a table, Binaryen 108 fails to read
// these instructions ("bad table index"), on the imported table or a
// defined one.
bool binaryen_imported_table_ops(const RuleContext& c) {
  if (!validation_against(c, "binaryen") || !c.module) return false;
  if (!says(load_of(c, "binaryen"), "bad table index") || c.module->imported(ExternKind::Table) == 0) return false;
  for (const ast::Function& f : c.module->funcs)
    for (const ast::Instr& i : f.body)
      if (info(i.op).imm == Imm::Table) return true;
  return false;
}

// ---- wabt-1.0.32-call-indirect-table-type-unchecked
// Spec 3.3.7 (call_indirect x y): table x must have element type funcref.
// wabt 1.0.32 accepts call_indirect through an externref table.
bool wabt_call_indirect_table(const RuleContext& c) {
  const ast::Instr* i = instr_at_error(c, accepted_against(c, "wabt", Verdict::Invalid, "type mismatch"));
  if (!i || i->op != Op::CallIndirect) return false;
  std::vector<ValType> tables;
  for (const ast::Import& im : c.module->imports)
    if (im.kind == ExternKind::Table) tables.push_back(im.table.elem);
  for (const ast::TableType& t : c.module->tables) tables.push_back(t.elem);
  return i->b < tables.size() && tables[i->b] != ValType::FuncRef;
}

// ---- binaryen-108-export-of-missing-item
// Spec 3.4.8 (exports): the exported function, table, memory or global must
// exist. Binaryen 108 accepts an export of a memory (or other item) the
// module does not have. Structural: some export names an index past its
// index space (whatever else is wrong with the module, Binaryen's "valid"
// is then wrong for this reason alone).
bool binaryen_missing_export(const RuleContext& c) {
  if (!accepted_against(c, "binaryen", Verdict::Invalid, "") || !c.module) return false;
  const ast::Module& m = *c.module;
  auto count = [&](ExternKind k) {
    size_t defined = k == ExternKind::Func ? m.funcs.size() : k == ExternKind::Table ? m.tables.size()
                     : k == ExternKind::Memory ? m.memories.size() : m.globals.size();
    return m.imported(k) + defined;
  };
  for (const ast::Export& e : m.exports)
    if (e.index >= count(e.kind)) return true;
  return false;
}

// ---- binaryen-108-data-without-memory
// Spec 3.4.7: an active data segment needs memory 0 ("unknown memory 0").
// Binaryen 108 accepts one in a module without memory. Structural.
bool binaryen_data_without_memory(const RuleContext& c) {
  if (!accepted_against(c, "binaryen", Verdict::Invalid, "") || !c.module) return false;
  const ast::Module& m = *c.module;
  if (!m.memories.empty() || m.imported(ExternKind::Memory)) return false;
  for (const ast::DataSegment& d : m.datas)
    if (d.mode == ast::SegmentMode::Active) return true;
  return false;
}

// ---- binaryen-108-untyped-select-on-references
// Spec 3.3.4: `select` without a type takes numeric or vector operands
// only; references need `select t`. Binaryen 108 accepts the untyped form
// on references. The rule requires Warden's error at an untyped select and
// V8's or wabt's account of reference operands.
bool binaryen_untyped_select(const RuleContext& c) {
  const ast::Instr* i = instr_at_error(c, accepted_against(c, "binaryen", Verdict::Invalid, "type mismatch"));
  if (!i || i->op != Op::Select) return false;
  const LoadResult* v8 = load_of(c, "v8");
  const LoadResult* wabt = load_of(c, "wabt");
  return says(v8, "select without type is only valid for value type inputs") ||
         (says(wabt, "type mismatch in select") && wabt->message.find("ref") != std::string::npos);
}

// ---- binaryen-108-global-set-immutable
// Spec 3.3.5 (global.set): the global must be mutable ("global is
// immutable"). Binaryen 108 accepts global.set of an immutable global.
// Structural: Warden's error is at a global.set of an immutable global.
bool binaryen_global_set_immutable(const RuleContext& c) {
  const ast::Instr* i = instr_at_error(c, accepted_against(c, "binaryen", Verdict::Invalid, "global is immutable"));
  if (!i || i->op != Op::GlobalSet) return false;
  std::vector<bool> mut = global_mutability(*c.module);
  return i->a < mut.size() && !mut[i->a];
}

// ---- binaryen-108-lax-zero-byte
// Spec 5.4.6 (2.0): memory.size, memory.grow, memory.fill and the like
// carry a reserved byte that must be 0x00 ("zero byte expected"). Binaryen
// 108 reads it as a LEB128 memory index and accepts other encodings of 0.
bool binaryen_zero_byte(const RuleContext& c) {
  return accepted_against(c, "binaryen", Verdict::Malformed, "zero byte expected");
}

// ---- binaryen-108-datacount-not-required
// Spec 5.5.16 and 5.4.6: `memory.init` and `data.drop` need the data count
// section; without it the module is malformed ("data count section
// required"), so that a one-pass decoder can check data indices. Binaryen
// 108 accepts them without it.
bool binaryen_datacount_required(const RuleContext& c) {
  return accepted_against(c, "binaryen", Verdict::Malformed, "data count section required");
}

// ---- binaryen-108-lax-leb128
// Spec 5.2.2: an N-bit LEB128 has at most ceil(N/7) bytes, and the unused
// bits of the last byte must be zero (unsigned) or the sign (signed);
// otherwise "integer representation too long" / "integer too large".
// Binaryen 108 accepts such encodings.
bool binaryen_lax_leb(const RuleContext& c) {
  return accepted_against(c, "binaryen", Verdict::Malformed, "integer too large") ||
         accepted_against(c, "binaryen", Verdict::Malformed, "integer representation too long");
}

// ---- binaryen-108-extern-kind-as-leb128
// Spec 5.5.9/5.5.10: an import or export descriptor starts with one kind
// byte, 0x00-0x03; any other byte is malformed. Binaryen 108 reads the kind
// as a LEB128, so `82 00` is kind 2 (memory) and the module is accepted.
bool binaryen_extern_kind_leb(const RuleContext& c) {
  const LoadResult* w = accepted_against(c, "binaryen", Verdict::Malformed, "malformed export kind");
  if (!w) w = accepted_against(c, "binaryen", Verdict::Malformed, "malformed import kind");
  return w && (byte_at(c.bytes, w->offset) & 0x80);
}

// ---- binaryen-108-ref-null-heap-type
// Spec 5.3.3/5.4.3: `ref.null t` takes a reference type byte, 0x70 or 0x6F;
// anything else is malformed. Binaryen 108 reads a heap type of the typed
// function references / GC proposals (a type index, any, eq, ...) whatever
// features it is given, and accepts the module.
bool binaryen_ref_null_heap_type(const RuleContext& c) {
  const LoadResult* w = accepted_against(c, "binaryen", Verdict::Malformed, "malformed reference type");
  return w && w->offset > 0 && byte_at(c.bytes, w->offset - 1) == 0xD0;
}

// ---- binaryen-108-select-type-vector-abort
// Spec 5.4.2 and 3.3.4: a typed `select` carries a vector of exactly one
// value type (otherwise malformed "malformed value type" or invalid
// "invalid result arity"). Binaryen 108 builds a tuple of whatever the
// vector holds and aborts on an assertion when an entry is not a single
// value type (a type index, or a tuple of its own).
bool is_value_type_byte(uint8_t b) { return (b >= 0x7B && b <= 0x7F) || b == 0x70 || b == 0x6F; }

bool binaryen_select_abort(const RuleContext& c) {
  if (c.finding.kind != FindingKind::Crash || !only(c.finding, "binaryen")) return false;
  const LoadResult* b = load_of(c, "binaryen");
  if (!b || b->message.find("Assertion `type.isSingle()' failed") == std::string::npos) return false;
  return some_instr(c.bytes, [&](Op op, size_t p) {
    if (op != Op::SelectT) return false;
    uint64_t n = 0;
    if (!read_u32(c.bytes, p, n) || n == 0) return false;
    for (uint64_t i = 0; i < n; ++i)
      if (!is_value_type_byte(byte_at(c.bytes, p + i))) return true;
    return false;
  });
}

// ---- wabt-1.0.32-select-arity-unchecked
// Spec 3.3.4 (select t*): the type vector of a typed select holds exactly
// one value type; `select (result)` with none, or with several, is invalid
// ("invalid result arity"). wabt 1.0.32 accepts an empty vector (and types
// a longer one as a multi-value select).
bool wabt_select_arity(const RuleContext& c) {
  if (!accepted_against(c, "wabt", Verdict::Invalid, "invalid result arity")) return false;
  return some_instr(c.bytes, [&](Op op, size_t p) {
    uint64_t n = 0;
    return op == Op::SelectT && read_u32(c.bytes, p, n) && n != 1;
  });
}

// ---- v8-11.3-elem-segment-value-type
// Spec 5.5.12: an element segment with expression items (flags 4-7)
// declares a reference type, 0x70 or 0x6F ("malformed reference type"
// otherwise). V8 11.3 (node 20) accepts any value type there, i32 or f64
// included, with or without items.
bool v8_elem_value_type(const RuleContext& c) {
  const LoadResult* w = accepted_against(c, "v8", Verdict::Malformed, "malformed reference type");
  if (!w) return false;
  std::optional<Section> s = section_at(c.bytes, w->offset);
  const uint8_t t = byte_at(c.bytes, w->offset);
  return s && s->id == 9 && t >= 0x7B && t <= 0x7F;
}

// ---- feature:v8-tail-calls (a feature, not a bug)
// Node 20's V8 enables tail calls: return_call and return_call_indirect
// (0x12, 0x13) decode there.
bool v8_tail_calls(const RuleContext& c) {
  const LoadResult* w = accepted_against(c, "v8", Verdict::Malformed, "illegal opcode");
  if (!w) return false;
  uint8_t op = byte_at(c.bytes, w->offset);
  return op == 0x12 || op == 0x13;
}

constexpr PeerRule kRules[] = {
    {"wabt-1.0.32-validates-while-reading", "wabt 1.0.32",
     "calls a malformed binary invalid when something invalid comes before the malformed bytes",
     wabt_validates_while_reading},
    {"wabt-1.0.32-name-section-errors-reject-module", "wabt 1.0.32",
     "rejects modules whose name section does not parse", wabt_name_section},
    {"wabt-1.0.32-datacount-without-data-section", "wabt 1.0.32",
     "accepts a non-zero data count with no data section", wabt_datacount},
    {"wabt-1.0.32-const-expr-missing-end", "wabt 1.0.32",
     "accepts a global initializer without its end at the end of the section", wabt_const_missing_end},
    {"wabt-1.0.32-interp-code-after-function-end", "wabt 1.0.32 (spectest-interp)",
     "accepts instructions after the end that closes a function body", wabt_code_after_end},
    {"wabt-1.0.32-body-without-final-end", "wabt 1.0.32",
     "takes a body whose last end closes an inner block for one that ends", wabt_missing_end},
    {"wabt-1.0.32-lax-value-type-encoding", "wabt 1.0.32", "accepts over-long encodings of a local's type",
     wabt_value_type_encoding},
    {"wabt-1.0.32-lax-block-type", "wabt 1.0.32", "accepts over-long encodings of a block's value type",
     wabt_block_type},
    {"wabt-1.0.32-typed-reference-types", "wabt 1.0.32",
     "reads reference types of the typed function references proposal", wabt_typed_refs},
    {"wabt-1.0.32-elem-expr-global-get", "wabt 1.0.32",
     "rejects global.get as an element segment item", wabt_elem_global_get},
    {"wabt-1.0.32-typed-select-result-unchecked", "wabt 1.0.32",
     "lets the result of a typed select stand for any type", wabt_typed_select},
    {"wabt-1.0.32-elem-expr-error-ignored", "wabt 1.0.32",
     "reports a bad element segment item and accepts the module anyway", wabt_elem_error_ignored},
    {"wabt-1.0.32-data-segment-flags", "wabt 1.0.32", "accepts data segment kinds 3 to 7", wabt_data_flags},
    {"wabt-1.0.32-call-indirect-table-type-unchecked", "wabt 1.0.32",
     "accepts call_indirect through an externref table", wabt_call_indirect_table},
    {"wabt-1.0.32-select-arity-unchecked", "wabt 1.0.32", "accepts a typed select with no result type",
     wabt_select_arity},
    {"wabt-1.0.32-interp-datacount-allocation", "wabt 1.0.32 (spectest-interp)",
     "aborts on a huge data count (allocates before the segments exist)", wabt_datacount_abort},
    {"binaryen-108-segment-bounds-at-validation", "binaryen 108",
     "rejects valid modules whose active segment lies outside the initial memory/table", segment_bounds},
    {"binaryen-108-declarative-ref-null", "binaryen 108",
     "cannot read a declarative element segment with ref.null items", declarative_ref_null},
    {"binaryen-108-externref-elem-segment", "binaryen 108",
     "rejects element segments of type externref", externref_elems},
    {"binaryen-108-section-order-not-checked", "binaryen 108", "accepts sections out of order or repeated",
     binaryen_section_order},
    {"binaryen-108-accepts-bad-mutability", "binaryen 108", "accepts a mutability byte other than 0 or 1",
     binaryen_mutability},
    {"binaryen-108-accepts-bad-value-types", "binaryen 108", "accepts local declarations of no value type",
     binaryen_value_types},
    {"binaryen-108-reads-post-2.0-opcodes", "binaryen 108", "accepts opcodes of later proposals",
     binaryen_post_20_opcodes},
    {"binaryen-108-rounding-keeps-signalling-nan", "binaryen 108",
     "ceil/floor/trunc return a signalling NaN input unchanged", binaryen_rounding_snan},
    {"feature:v8-threads-shared-memory", "node 20 (V8 11.3)", "shared memories (threads) are on by default",
     v8_threads},
    {"feature:v8-exception-handling", "node 20 (V8 11.3)", "exception handling is on by default", v8_exceptions},
    {"feature:v8-tail-calls", "node 20 (V8 11.3)", "tail calls are on by default", v8_tail_calls},
    {"binaryen-108-skips-validation-after-branch", "binaryen 108",
     "does not validate code after an unconditional branch", binaryen_after_branch},
    {"binaryen-108-pops-across-block-boundary", "binaryen 108",
     "lets instructions in a block take operands from outside it", binaryen_block_boundary},
    {"binaryen-108-lax-body-structure", "binaryen 108",
     "accepts bodies that end inside a block or go on after their end", binaryen_body_structure},
    {"binaryen-108-const-expr-global-rules", "binaryen 108",
     "accepts global.get of a mutable or non-imported global in a constant expression",
     binaryen_const_expr_globals},
    {"binaryen-108-scratch-locals-hide-bad-index", "binaryen 108",
     "checks local indices against its own scratch locals too", binaryen_scratch_locals},
    {"binaryen-108-multiple-memories", "binaryen 108", "accepts more than one memory", binaryen_multiple_memories},
    {"binaryen-108-table-ops-on-imported-tables", "binaryen 108",
     "cannot read table.get/set/size/grow/fill on an imported table", binaryen_imported_table_ops},
    {"binaryen-108-export-of-missing-item", "binaryen 108", "accepts exports of items the module lacks",
     binaryen_missing_export},
    {"binaryen-108-data-without-memory", "binaryen 108", "accepts an active data segment without a memory",
     binaryen_data_without_memory},
    {"binaryen-108-untyped-select-on-references", "binaryen 108", "accepts an untyped select of references",
     binaryen_untyped_select},
    {"binaryen-108-global-set-immutable", "binaryen 108", "accepts global.set of an immutable global",
     binaryen_global_set_immutable},
    {"binaryen-108-lax-zero-byte", "binaryen 108", "accepts a reserved memory byte other than 0x00",
     binaryen_zero_byte},
    {"binaryen-108-extern-kind-as-leb128", "binaryen 108", "reads an import or export kind as a LEB128",
     binaryen_extern_kind_leb},
    {"binaryen-108-ref-null-heap-type", "binaryen 108", "accepts ref.null of heap types beyond func and extern",
     binaryen_ref_null_heap_type},
    {"binaryen-108-select-type-vector-abort", "binaryen 108",
     "aborts on a typed select whose type vector holds something other than value types", binaryen_select_abort},
    {"v8-11.3-elem-segment-value-type", "node 20 (V8 11.3)",
     "accepts element segments of numeric and vector types", v8_elem_value_type},
    {"binaryen-108-datacount-not-required", "binaryen 108",
     "accepts memory.init and data.drop without a data count section", binaryen_datacount_required},
    {"binaryen-108-lax-leb128", "binaryen 108", "accepts over-long LEB128s and unused bits set",
     binaryen_lax_leb},
    {"binaryen-108-no-utf8-validation", "binaryen 108", "accepts names that are not UTF-8", binaryen_utf8},
    {"binaryen-108-skips-unknown-sections", "binaryen 108", "accepts unknown section ids",
     binaryen_unknown_section},
    {"binaryen-108-function-without-code", "binaryen 108",
     "accepts a function section without a code section", binaryen_missing_code},
    {"binaryen-108-no-block-parameters", "binaryen 108",
     "cannot read blocks, loops and ifs that take parameters", binaryen_block_params},
    {"binaryen-108-block-parameters-run-wrongly", "binaryen 108",
     "runs blocks and loops with parameters differently from the spec", binaryen_block_params_run},
    {"binaryen-108-name-section-errors-reject-module", "binaryen 108",
     "rejects modules whose name section does not parse", binaryen_name_section},
    {"binaryen-108-nul-in-names", "binaryen 108", "rejects names containing U+0000", binaryen_nul_names},
    {"binaryen-108-extra-values-at-block-end", "binaryen 108",
     "accepts surplus values at the end of a block or function body", binaryen_extra_values},
};

}  // namespace

std::span<const PeerRule> peer_rules() { return kRules; }

std::string explain(const RuleContext& c) {
  std::string names;
  for (const std::string& engine : c.finding.engines) {
    Finding narrowed = c.finding;
    narrowed.engines = {engine};
    RuleContext one{narrowed, c.bytes, c.module, c.loads, c.runs, c.confirmations};
    const PeerRule* found = nullptr;
    for (const PeerRule& r : kRules) {
      if (r.match(one)) {
        found = &r;
        break;
      }
    }
    if (!found) return "";
    names += (names.empty() ? "" : "+") + std::string(found->name);
  }
  return names;
}

}  // namespace warden::diff
