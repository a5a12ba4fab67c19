// The rules for Binaryen reading the binary format (spec 5) wrongly: what
// it accepts that is malformed, and valid modules it cannot read; Binaryen
// 108 (Debian's, engine `binaryen`) and where peer-bugs.md says so Binaryen
// 132 (npm, `binaryen-npm`), whose own new bugs come last. One per entry of
// differential/peer-bugs.md; peer_rules.cpp lists them.
#include <algorithm>
#include <string>

#include "rules.hpp"
#include "scan.hpp"

namespace warden::diff::rules {

// ---- binaryen-108-declarative-ref-null
// Spec 5.5.12: element segment kind 7 is "declarative, expression items",
// each item an expression such as `ref.null func` or `global.get 0`.
// Binaryen 108 reads only `ref.func` items there: it loses its place at any
// other item and fails with whatever the following bytes then look like
// ("bad section size", "Table index out of range", ...). When those bytes
// happen to parse, it accepts the module without the segments after the
// declarative one, and runs it so: an active segment's table entries are
// missing (call_indirect traps "uninitialized table element", tables hash
// differently). The rule requires Binaryen's rejection, or a run
// difference (a result, or a trap of a call through the table) when an
// active segment follows the declarative one.
bool declarative_ref_null(const RuleContext& c) {
  if (!c.module) return false;
  const LoadResult* b = load_of(c, peer(c));
  bool rejected = validation_against(c, peer(c)) && b && b->verdict != Verdict::Valid;
  // A run difference: a result, or a trap of a call through a table entry
  // that Binaryen does not have.
  const Outcome* trap = c.finding.kind == FindingKind::Trap ? outcome_at(c, peer(c), c.finding.call) : nullptr;
  bool ran_differently = c.finding.kind == FindingKind::Result ||
                         (trap && trap->status == Outcome::Status::Trap &&
                          (trap->trap & (kTrapUninitialized | kTrapUndefinedElement | kTrapIndirectType)));
  if (!rejected && !ran_differently) return false;
  const std::vector<ast::ElemSegment>& elems = c.module->elems;
  for (size_t k = 0; k < elems.size(); ++k) {
    if (elems[k].mode != ast::SegmentMode::Declarative) continue;
    bool misread = false;
    for (const ast::Expr& x : elems[k].init) misread = misread || (!x.empty() && x[0].op != Op::RefFunc);
    if (!misread) continue;
    if (rejected) return true;
    // Lost segments change a run only when one of them is active.
    for (size_t j = k + 1; j < elems.size(); ++j)
      if (elems[j].mode == ast::SegmentMode::Active) return true;
  }
  return false;
}

// ---- binaryen-108-externref-elem-segment
// Spec 2.5.9 and 3.4.6: an element segment has any reference type,
// externref included (its items are then ref.null extern). Binaryen 108
// accepts only funcref segments: "Invalid type for a usesExpressions element
// segment", or another parse error inside the element section.
bool externref_elems(const RuleContext& c) {
  if (!validation_against(c, peer(c)) || !c.module) return false;
  const LoadResult* b = load_of(c, peer(c));
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
  return accepted_against(c, peer(c), Verdict::Malformed, "malformed UTF-8 encoding");
}

// ---- binaryen-108-skips-unknown-sections
// Spec 5.5.2: section ids are 0-12; any other id is malformed. Binaryen 108
// skips a section with an unknown id.
bool binaryen_unknown_section(const RuleContext& c) {
  return accepted_against(c, peer(c), Verdict::Malformed, "malformed section id");
}

// ---- binaryen-108-function-without-code
// Spec 5.5.16: the function and code sections must have the same length
// (an absent section is an empty vector). Binaryen 108 accepts a function
// section with entries and no code section.
bool binaryen_missing_code(const RuleContext& c) {
  if (!accepted_against(c, peer(c), Verdict::Malformed, "function and code section have inconsistent lengths"))
    return false;
  bool code = false;
  for (const Section& s : sections_of(c.bytes)) code |= s.id == 10;
  return !code;
}

// ---- binaryen-108-name-section-errors-reject-module
// Spec 7.4.1, as for wabt above: errors in the name section must not
// invalidate the module. Binaryen 108 fails to read the module ("bad names
// section position change", "LEB dropped bits only valid for signed LEB",
// ...), and Binaryen 132 too ("unexpected end of input"). The rule requires
// a "name" section and that Binaryen, given the same module without its
// custom sections, agrees with Warden (rejected_for_name_section).
bool binaryen_name_section(const RuleContext& c) { return rejected_for_name_section(c); }

// ---- binaryen-108-nul-in-names
// Spec 5.2.4: a name is any valid UTF-8, U+0000 included. Binaryen 108
// refuses names containing NUL ("inline string contains NULL ... not
// supported in binaryen").
bool binaryen_nul_names(const RuleContext& c) {
  if (!validation_against(c, peer(c)) || !c.module) return false;
  if (!says(load_of(c, peer(c)), "inline string contains NULL")) return false;
  auto nul = [](const std::string& s) { return s.find('\0') != std::string::npos; };
  for (const ast::Import& i : c.module->imports)
    if (nul(i.module) || nul(i.name)) return true;
  for (const ast::Export& e : c.module->exports)
    if (nul(e.name)) return true;
  for (const ast::CustomSection& s : c.module->customs)
    if (nul(s.name)) return true;
  return false;
}

// ---- binaryen-108-section-order-not-checked
// Spec 5.5.2: the non-custom sections come in a fixed order, each at most
// once (otherwise "unexpected content after last section" / "section out of
// order": malformed). Binaryen 108 reads them in any order.
bool binaryen_section_order(const RuleContext& c) {
  if (!accepted_against(c, peer(c), Verdict::Malformed, "")) return false;
  return sections_out_of_order(c.bytes);
}

// ---- binaryen-108-accepts-bad-mutability
// Spec 5.3.10: a global type's mutability byte is 0x00 or 0x01. Binaryen
// 108 accepts other values. Binaryen 132 refuses other values ("Global
// mutability must be 0 or 1") but reads the field as a LEB128, so 0 or 1
// written in two bytes (80 00) passes: on binaryen-npm the rule requires
// the continuation bit in the byte at Warden's error.
bool binaryen_mutability(const RuleContext& c) {
  const LoadResult* w = accepted_against(c, peer(c), Verdict::Malformed, "malformed mutability");
  return w && (!newest(c) || (byte_at(c.bytes, w->offset) & 0x80));
}

// ---- binaryen-108-accepts-bad-value-types
// Spec 5.3.1/5.5.13: a value type is one of seven bytes; a local
// declaration with any other type byte is malformed. Binaryen 108 accepts
// the module. Binaryen 132 refuses bytes that are no type at all ("invalid
// wasm type: 0") but reads the reference types of later proposals (GC,
// exception handling, strings: 0x68-0x6E, 0x71-0x75, anyref is 0x6E)
// whatever features it is given, in a function type for one: on
// binaryen-npm the rule requires one of those bytes at Warden's error.
bool binaryen_value_types(const RuleContext& c) {
  const LoadResult* w = accepted_against(c, peer(c), Verdict::Malformed, "malformed value type");
  if (!w || !newest(c)) return w != nullptr;
  uint8_t t = byte_at(c.bytes, w->offset);
  return (t >= 0x68 && t <= 0x6E) || (t >= 0x71 && t <= 0x75);
}

// ---- binaryen-108-reads-post-2.0-opcodes
// Spec 5.4: 2.0 has no opcodes 0x06-0x09, 0x12-0x15, 0x18-0x19 or
// 0xD3-0xD6 (exception handling, tail calls, typed function references):
// they are malformed ("illegal opcode"). Binaryen 108 decodes them whatever
// features it is given, and accepts the module.
bool binaryen_post_20_opcodes(const RuleContext& c) {
  const LoadResult* w = accepted_against(c, peer(c), Verdict::Malformed, "illegal opcode");
  if (!w) return false;
  uint8_t op = byte_at(c.bytes, w->offset);
  return (op >= 0x06 && op <= 0x09) || (op >= 0x12 && op <= 0x15) || op == 0x18 || op == 0x19 ||
         (op >= 0xD3 && op <= 0xD6);
}

// ---- binaryen-108-lax-body-structure
// Spec 5.4.1, 5.5.13: a function body's expr ends at the 0x0B closing the
// function, and the body's size ends there. Binaryen 108 accepts bodies
// that end inside an open block or go on after that end.
bool binaryen_body_structure(const RuleContext& c) {
  if (!accepted_against(c, peer(c), Verdict::Malformed, "")) return false;
  return some_body(c.bytes, BodyShape::MissingEnd) || some_body(c.bytes, BodyShape::CodeAfterEnd);
}

// ---- binaryen-108-table-ops-on-imported-tables
// Spec 2.5.1/3.3.6: imported tables come first in the table index space,
// and table.get, table.set, table.size, table.grow and table.fill may name
// any table. In a module that imports a table, Binaryen 108 fails to read
// these instructions ("bad table index"), on the imported table or a
// defined one.
bool binaryen_imported_table_ops(const RuleContext& c) {
  if (!validation_against(c, peer(c)) || !c.module) return false;
  if (!says(load_of(c, peer(c)), "bad table index") || c.module->imported(ExternKind::Table) == 0) return false;
  return any_instr(*c.module, [](const ast::Instr& i) { return info(i.op).imm == Imm::Table; });
}

// ---- binaryen-108-lax-zero-byte
// Spec 5.4.6 (2.0): memory.size, memory.grow, memory.fill and the like
// carry a reserved byte that must be 0x00 ("zero byte expected"). Binaryen
// 108 reads it as a LEB128 memory index and accepts other encodings of 0.
bool binaryen_zero_byte(const RuleContext& c) {
  return accepted_against(c, peer(c), Verdict::Malformed, "zero byte expected");
}

// ---- binaryen-108-datacount-not-required
// Spec 5.5.16 and 5.4.6: `memory.init` and `data.drop` need the data count
// section; without it the module is malformed ("data count section
// required"), so that a one-pass decoder can check data indices. Binaryen
// 108 accepts them without it.
bool binaryen_datacount_required(const RuleContext& c) {
  return accepted_against(c, peer(c), Verdict::Malformed, "data count section required");
}

// ---- binaryen-108-lax-element-kind
// Spec 5.5.12: an element segment of flags 1, 2 or 3 gives its element
// kind as the byte 0x00 (funcref); any other byte is "malformed element
// kind". Binaryen 108 accepts other bytes there. (Found by --seed 9173:
// kind 0x01 in a declarative segment.)
bool binaryen_lax_element_kind(const RuleContext& c) {
  const LoadResult* w = accepted_against(c, peer(c), Verdict::Malformed, "malformed element kind");
  return w && byte_at(c.bytes, w->offset) != 0x00;
}

// ---- binaryen-108-lax-leb128
// Spec 5.2.2: an N-bit LEB128 has at most ceil(N/7) bytes, and the unused
// bits of the last byte must be zero (unsigned) or the sign (signed);
// otherwise "integer representation too long" / "integer too large".
// Binaryen 108 accepts such encodings. Spec 5.3.1, 5.3.7 and 5.4.1: a value
// type, and a limits flag, is one byte, and a block type 0x40, one value
// type byte or a non-negative s33 ("malformed block type"); Binaryen 108
// and 132 read these as LEB128s of any length (ff 7f is -1: i32), in a
// block type too (a multi-byte encoding there: the byte at Warden's error
// has the continuation bit). Binaryen 132 checks every other LEB128 ("LEB
// overflow", "Unused non-negative LEB bits must be 0s"): on binaryen-npm
// the rule requires Warden's "integer representation too long" in a
// one-byte field, where Warden reads a second byte: the byte before its
// error has the continuation bit and the one before that does not (it ends
// the field before: a LEB128, an opcode or a type byte).
bool binaryen_lax_leb(const RuleContext& c) {
  const LoadResult* w = accepted_against(c, peer(c), Verdict::Malformed, "integer representation too long");
  if (w && newest(c))
    return w->offset >= 2 && (byte_at(c.bytes, w->offset - 1) & 0x80) && !(byte_at(c.bytes, w->offset - 2) & 0x80);
  if (!w) w = accepted_against(c, peer(c), Verdict::Malformed, "integer too large");
  if (w) return !newest(c);
  w = accepted_against(c, peer(c), Verdict::Malformed, "malformed block type");
  return w && (byte_at(c.bytes, w->offset) & 0x80);
}

// ---- binaryen-108-extern-kind-as-leb128
// Spec 5.5.9/5.5.10: an import or export descriptor starts with one kind
// byte, 0x00-0x03; any other byte is malformed. Binaryen 108 reads the kind
// as a LEB128, so `82 00` is kind 2 (memory) and the module is accepted.
bool binaryen_extern_kind_leb(const RuleContext& c) {
  const LoadResult* w = accepted_against(c, peer(c), Verdict::Malformed, "malformed export kind");
  if (!w) w = accepted_against(c, peer(c), Verdict::Malformed, "malformed import kind");
  return w && (byte_at(c.bytes, w->offset) & 0x80);
}

// ---- binaryen-108-ref-null-heap-type
// Spec 5.3.3/5.4.3: `ref.null t` takes a reference type byte, 0x70 or 0x6F;
// anything else is malformed. Binaryen 108 reads a heap type of the typed
// function references / GC proposals (a type index, any, eq, ...) whatever
// features it is given, and accepts the module.
bool binaryen_ref_null_heap_type(const RuleContext& c) {
  const LoadResult* w = accepted_against(c, peer(c), Verdict::Malformed, "malformed reference type");
  return w && w->offset > 0 && byte_at(c.bytes, w->offset - 1) == 0xD0;
}

// ---- binaryen-108-select-type-vector-abort
// Spec 5.4.2 and 3.3.4: a typed `select` carries a vector of exactly one
// value type (otherwise malformed "malformed value type" or invalid
// "invalid result arity"). Binaryen 108 builds a tuple of whatever the
// vector holds and aborts on an assertion when an entry is not a single
// value type (a type index, or a tuple of its own).
namespace {
bool is_value_type_byte(uint8_t b) { return (b >= 0x7B && b <= 0x7F) || b == 0x70 || b == 0x6F; }
}  // namespace

bool binaryen_select_abort(const RuleContext& c) {
  if (c.finding.kind != FindingKind::Crash || !only(c.finding, peer(c))) return false;
  const LoadResult* b = load_of(c, peer(c));
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

// ---- binaryen-108-exception-target-abort
// Spec 5.4: 0x09 (`rethrow`) and 0x18 (`delegate`) are no 2.0 opcodes
// ("illegal opcode"). Binaryen 108 reads them anyway
// (binaryen-108-reads-post-2.0-opcodes) and keeps their label until a `try`
// claims it; when the label is a block's, nothing does, and it aborts at the
// end of the code section on ``Assertion `exceptionTargetNames.empty()'
// failed``. The rule requires that assertion and Warden's "illegal opcode"
// on the 0x09, or on the 0x06 (`try`) that a `delegate` closes, where
// Warden stops first.
bool binaryen_exception_target_abort(const RuleContext& c) {
  if (c.finding.kind != FindingKind::Crash || !only(c.finding, peer(c))) return false;
  const LoadResult* b = load_of(c, peer(c));
  if (!b || b->message.find("Assertion `exceptionTargetNames.empty()' failed") == std::string::npos) return false;
  const LoadResult* w = warden_says(c, Verdict::Malformed, "illegal opcode");
  if (!w) return false;
  const uint8_t op = byte_at(c.bytes, w->offset);
  return op == 0x09 || op == 0x06;
}

// ---- binaryen-132-datacount-without-data-section
// Spec 5.5.16: the data count must equal the number of data segments, and
// an absent data section is none ("data count and data section have
// inconsistent lengths"). Binaryen 132 compares the two only when a data
// section is there; without one it makes as many empty data segments as the
// count says and accepts the module. (Binaryen 108 rejected it: "Number of
// segments does not agree with DataCount section".)
bool binaryen132_datacount_without_data(const RuleContext& c) {
  return accepted_against(c, peer(c), Verdict::Malformed, "data count and data section have inconsistent lengths") &&
         data_count_without_data(c.bytes);
}

// ---- binaryen-132-datacount-allocation
// The same reading of the data count as the rule above, with a count that
// the module's bytes cannot back (each segment takes at least 3): Binaryen
// 132 makes every segment when it reads the data count section, before the
// data section (if any) can say they are not there, and takes seconds, then
// minutes (52 s and std::bad_alloc for 4,233,232,970), to refuse a 22-byte
// module. The campaign sees a hang.
bool binaryen132_datacount_allocation(const RuleContext& c) {
  if (c.finding.kind != FindingKind::Hang || !only(c.finding, peer(c))) return false;
  std::optional<uint64_t> n = data_count(c.bytes);
  return n && *n > c.bytes.size();
}

// ---- binaryen-132-declarative-segments-shift-indices
// Spec 2.5.1 and 3.3.6: element segments are indexed in the order of the
// element section, declarative ones included; table.init and elem.drop may
// name any of them (a declarative segment is dropped at instantiation, so
// table.init of it traps unless its length is 0). Binaryen 132 leaves
// declarative segments out when it reads the module, so every segment after
// one moves down an index: table.init or elem.drop of the last segment, or
// of a declarative one with nothing after it, fails to read ("invalid
// element segment index"), table.init of a segment whose successor has
// another type fails to validate ("table.init source must have right type
// for dest"), and table.init of a declarative segment copies the next
// segment's items instead of trapping. (Binaryen 108 reads neither
// instruction: feature: binaryen lacks ...) The rule requires a declarative
// segment and one of the two instructions naming it or a later segment,
// with Binaryen's message when it rejects, or Binaryen alone running the
// module differently.
bool binaryen132_declarative_segment_indices(const RuleContext& c) {
  if (!c.module) return false;
  bool loads = validation_against(c, peer(c));
  const LoadResult* b = load_of(c, peer(c));
  bool misread = says(b, "invalid element segment index") ||
                 (says(b, "[wasm-validator error") &&
                  (says(b, "] table.init ") || says(b, "] elem.drop ")));  // the wrong segment's type
  if (loads && !(misread && verdict_is(load_of(c, "warden"), Verdict::Valid))) return false;
  if (!loads &&
      ((c.finding.kind != FindingKind::Result && c.finding.kind != FindingKind::Trap) || !only(c.finding, peer(c))))
    return false;
  size_t first = c.module->elems.size();
  for (size_t k = c.module->elems.size(); k-- > 0;)
    if (c.module->elems[k].mode == ast::SegmentMode::Declarative) first = k;
  return any_instr(*c.module, [first](const ast::Instr& i) {
    return (i.op == Op::TableInit || i.op == Op::ElemDrop) && i.a >= first;
  });
}

// ---- binaryen-132-flag-bits-unchecked
// Spec 5.3.7 (2.0): a limits flag is 0x00 or 0x01 (min, or min and max);
// any other flag is malformed ("integer too large": the testsuite reads it
// as a one-bit integer). Spec 5.5.12: an element segment's flags are the
// u32 0 to 7 ("malformed elements segment kind"). Binaryen 132 acts on the
// bits it knows and ignores the rest: limits flags 0x10, 0x20, 0x40 pass
// (shared, 64-bit, page size are refused without their features), for
// tables and memories, defined or imported; element segment flags 8 and up
// are read as their low three bits (0x43 is 3). Binaryen 108 the same (and
// limits flag 0x08). Data segment flags are checked ("bad segment flags").
// The rule requires, for a limits flag, Warden's "integer too large" at a
// byte without the continuation bit and with a bit above 0x07, in a section
// that holds limits (import, table, memory), right after a byte that ends a
// field (not inside a LEB128: the byte before has no continuation bit
// either); for an element segment, Warden's message at flags whose u32 is 8
// or more.
bool binaryen132_flag_bits(const RuleContext& c) {
  if (const LoadResult* e = accepted_against(c, peer(c), Verdict::Malformed, "malformed elements segment kind")) {
    size_t p = static_cast<size_t>(e->offset);
    uint64_t flags = 0;
    return e->offset != kNoOffset && read_u32(c.bytes, p, flags) && flags > 7;
  }
  const LoadResult* w = accepted_against(c, peer(c), Verdict::Malformed, "integer too large");
  if (!w || w->offset == 0) return false;
  std::optional<Section> s = section_at(c.bytes, w->offset);
  uint8_t flag = byte_at(c.bytes, w->offset);
  return s && (s->id == 2 || s->id == 4 || s->id == 5) && !(flag & 0x80) && (flag & 0x78) &&
         !(byte_at(c.bytes, w->offset - 1) & 0x80);
}

// ---- binaryen-132-local-count-abort (crash)
// Spec 5.5.13 and the rule that no engine crashes on any input: a body's
// local declarations may add up to more than an engine holds (an
// implementation limit: V8 50,000, Warden "too many locals"). Binaryen 132
// sizes a vector by the declared total before the bytes for it exist and
// dies of an uncaught std::length_error (an abort in a native build) on a
// 50-byte module. Binaryen 108 runs for longer than 20 s on it. The rule
// requires the crash to name std::length_error (the harness gives the
// thrown type) and a body whose local counts add up to 2^29 or more (the
// most a 32-bit vector of 8-byte types holds is 2^29 - 1).
namespace {
uint64_t most_locals(std::span<const uint8_t> b) {
  uint64_t most = 0;
  for (const Section& s : sections_of(b)) {
    if (s.id != 10) continue;
    size_t p = s.offset, end = s.offset + s.size;
    uint64_t bodies = 0;
    // Bounded by the module only, not the section or body: the rule stands
    // for Binaryen's reading, not checked to stop at a body's end. Nothing
    // here subtracts, so nothing wraps (scan.cpp's bounded reads).
    if (!read_u32(b, p, bodies)) return most;
    for (uint64_t k = 0; k < bodies && p < end; ++k) {
      uint64_t size = 0, decls = 0, total = 0;
      if (!read_u32(b, p, size)) return most;
      size_t next = p + size, q = p;
      if (!read_u32(b, q, decls)) return most;
      for (uint64_t d = 0; d < decls && q < next; ++d) {
        uint64_t n = 0;
        if (!read_u32(b, q, n)) break;
        total += n;
        ++q;  // the type byte
      }
      most = std::max(most, total);
      p = next;
    }
  }
  return most;
}
}  // namespace

bool binaryen132_local_count_abort(const RuleContext& c) {
  if (c.finding.kind != FindingKind::Crash || !only(c.finding, peer(c))) return false;
  const LoadResult* b = load_of(c, peer(c));
  return b && b->message.find("St12length_error") != std::string::npos && most_locals(c.bytes) >= (uint64_t{1} << 29);
}

// ---- binaryen-108-local-count-allocation (hang)
// The same module family as the rule above, in Binaryen 108: it makes the
// locals a body declares as it reads each count, before the bytes of the
// body can say they are not there, and takes longer than the campaign's
// 5 s deadline (std::bad_alloc after 7 s at a 4 GiB cap; past 5 GB in 20 s
// uncapped) to refuse a 54-byte module. The rule requires Binaryen alone to
// hang on a body whose local counts add up to 2^26 or more: `wasm-opt` took
// 1.2, 2.1, 4.1 and 6.5 s to refuse bodies of 2^24 to 2^27 i32 locals
// (2026-12-08, the machine loaded), and seed 12080401's 137,887,938 (just
// over 2^27) ran past the deadline; the threshold was 2^29, which that
// finding fell under (peer-bugs.md).
bool binaryen108_local_count_allocation(const RuleContext& c) {
  return c.finding.kind == FindingKind::Hang && only(c.finding, peer(c)) && most_locals(c.bytes) >= (uint64_t{1} << 26);
}

// ---- binaryen-132-import-after-functions-abort (crash)
// Spec 5.5.2 and the rule that no engine crashes on any input: sections come
// in order, so an import section after the function section is malformed.
// Binaryen 132 reads sections in any order (binaryen-108-section-order-not-
// checked); after an import section that follows the function section it
// no longer checks that every function got a body, and with no code section
// it walks a function whose body is null and aborts on an assertion
// ("Assertion failed: *currp, at: .../wasm-traversal.h,297,pushTask"). The
// module `(type) (func section: 1) (import section: 0)` is 18 bytes.
// Binaryen 108 accepts it (binaryen-108-function-without-code). The rule
// requires that assertion, a function section with entries, an import
// section after it, and no code section.
bool binaryen132_import_after_functions_abort(const RuleContext& c) {
  if (c.finding.kind != FindingKind::Crash || !only(c.finding, peer(c))) return false;
  if (!says(load_of(c, peer(c)), "Assertion failed: *currp")) return false;
  bool functions = false, import_after = false, code = false;
  for (const Section& s : sections_of(c.bytes)) {
    size_t p = s.offset;
    uint64_t n = 0;
    if (s.id == 3 && read_u32(c.bytes, p, n) && n > 0) functions = true;
    import_after |= s.id == 2 && functions;
    code |= s.id == 10;
  }
  return import_after && !code;
}

}  // namespace warden::diff::rules
