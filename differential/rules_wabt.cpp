// The rules for wabt 1.0.32's bugs (spectest-interp and wasm-validate), one
// per entry of differential/peer-bugs.md; peer_rules.cpp lists them.
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "compare.hpp"
#include "rules.hpp"
#include "scan.hpp"

namespace warden::diff::rules {

// ---- wabt-1.0.32-validates-while-reading
// Spec 5 and 3: a binary that does not decode is malformed, whatever else is
// wrong with it; validation applies to a decoded module. wabt validates
// while it reads (spectest-interp every instruction, wasm-validate some
// index checks), so when something invalid comes before the point where the
// binary stops being well-formed it reports "invalid". The rule requires
// that order: wabt's error lies before Warden's decoding error, or wabt's
// read-first tool (wasm-validate) itself does not call the module invalid.
// wabt 1.0.39: still so in the interpreter's reader; the library's reader
// (wabt-npm) validates alignments.
bool wabt_validates_while_reading(const RuleContext& c) {
  if (!validation_against(c, peer(c))) return false;
  const LoadResult* w = load_of(c, "warden");
  const LoadResult* interp = load_of(c, peer(c));
  if (!verdict_is(w, Verdict::Malformed) || !verdict_is(interp, Verdict::Invalid)) return false;
  // wabt 1.0.39's library (wabt-npm) checks only a memarg's alignment while
  // it reads ("invalid load alignment: 32", "multi_memory not allowed" for
  // bit 6; the harness calls these invalid, wabt_npm_harness.js); its other
  // "invalid"s come from the validator, after a complete read.
  if (newest(c) && interp->message.find(" alignment: ") == std::string::npos &&
      interp->message != "multi_memory not allowed")
    return false;
  // Where the malformation shows: a size that does not match, or bytes that
  // run out, only show at the end of the section that declared them.
  uint64_t y = w->offset;
  if (y != kNoOffset && (w->message == "section size mismatch" || w->message == "length out of bounds" ||
                         w->message.rfind("unexpected end", 0) == 0)) {
    std::optional<Section> s = section_at(c.bytes, y);
    y = s ? s->offset + s->size : c.bytes.size();
  }
  if (interp->offset != kNoOffset && y != kNoOffset && interp->offset <= y) return true;
  const LoadResult* tool = newest(c) ? nullptr : confirmed(c, "wabt");
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
bool wabt_name_section(const RuleContext& c) { return rejected_for_name_section(c); }

// ---- wabt-1.0.32-datacount-without-data-section
// Spec 5.5.16: "the data count section ... must be equal to the length of
// the data segment vector" and an absent data section is an empty vector.
// wabt checks the count only against a data section that is present, so a
// non-zero data count with no data section passes.
bool wabt_datacount(const RuleContext& c) {
  if (!validation_against(c, peer(c))) return false;
  if (!warden_says(c, Verdict::Malformed, "data count and data section have inconsistent lengths")) return false;
  const LoadResult* interp = load_of(c, peer(c));
  if (!interp || interp->verdict == Verdict::Malformed) return false;
  // wabt 1.0.39 checks it, except for a count of 2^32 - 1, the value its
  // reader keeps for "no data count section".
  std::optional<uint64_t> n = data_count_without_data(c.bytes);
  return n && (!newest(c) || *n == 0xFFFFFFFFu);
}

// ---- wabt-1.0.32-const-expr-missing-end
// Spec 5.4.10 (expressions) and 5.5.9: a constant expression is instr*
// followed by 0x0B. wabt accepts a global whose initializer runs to the end
// of its section without the 0x0B (and goes on to judge the rest of the
// module, valid or invalid). V8 names the same defect ("constant expression
// is missing 'end'"), which the rule requires.
bool wabt_const_missing_end(const RuleContext& c) {
  if (!validation_against(c, peer(c))) return false;
  const LoadResult* interp = load_of(c, peer(c));
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
  if (!validation_against(c, peer(c))) return false;
  const LoadResult* interp = load_of(c, peer(c));
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
  if (!validation_against(c, peer(c))) return false;
  const LoadResult* interp = load_of(c, peer(c));
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
  if (c.finding.kind != FindingKind::Crash || !only(c.finding, peer(c))) return false;
  const LoadResult* interp = load_of(c, peer(c));
  if (!interp || interp->message != "signal 6") return false;
  std::optional<uint64_t> n = data_count(c.bytes);
  return n && *n > c.bytes.size();
}

// ---- wabt-1.0.32-interp-table-grow-allocation
// Spec 4.4.6 (table.grow): growing "either succeeds or fails", and failure
// returns -1; a table type without a maximum allows up to 2^32 - 1
// elements (spec 3.2.3), more than any engine holds. spectest-interp
// allocates the new size at once and aborts (std::bad_alloc -> SIGABRT)
// when a table without a maximum grows to 2^32 - 1 elements: the process
// dies where the call should have returned -1. The rule requires wabt to
// die of signal 6, and a table.grow of a table without a maximum by a
// constant of 2^31 or more, or by 2^32 - 1 minus its size (the
// generator's i32.const -1, table.size, i32.sub).
bool wabt_table_grow_abort(const RuleContext& c) {
  if (c.finding.kind != FindingKind::Crash || !c.module || !died_with(c, peer(c), "signal 6")) return false;
  std::vector<bool> unbounded;
  for (const ast::Import& im : c.module->imports)
    if (im.kind == ExternKind::Table) unbounded.push_back(!im.table.limits.max);
  for (const ast::TableType& t : c.module->tables) unbounded.push_back(!t.limits.max);
  // The delta: a constant of 2^31 or more just before the grow, or the
  // generator's "to 2^32 - 1" pattern (i32.const -1, table.size, i32.sub).
  for (const ast::Function& f : c.module->funcs)
    for (size_t k = 1; k < f.body.size(); ++k) {
      const ast::Instr& g = f.body[k];
      if (g.op != Op::TableGrow || g.a >= unbounded.size() || !unbounded[g.a]) continue;
      const ast::Instr& d = f.body[k - 1];
      if (d.op == Op::I32Const && static_cast<uint32_t>(d.lo) >= 0x80000000u) return true;
      if (d.op == Op::I32Sub && k >= 3 && f.body[k - 2].op == Op::TableSize && f.body[k - 3].op == Op::I32Const &&
          static_cast<uint32_t>(f.body[k - 3].lo) == 0xFFFFFFFFu)
        return true;
    }
  return false;
}

// ---- wabt-1.0.32-interp-call-indirect-overflow-continues
// Spec 4.4.8 (call_indirect) and 4.5.3: a call that exhausts the call stack
// traps, and a trap unwinds every frame: nothing after that call runs.
// wabt 1.0.32's Thread::DoCall notes the "call stack exhausted" trap but
// answers RunResult::Ok when the overflowing call is a call_indirect, so
// every frame below goes on from the instruction after the call (without
// the callee's results) until the export returns, and only then reports
// the trap. Fixed in wabt 1.0.37. Seen in the depth-matched rerun (Warden
// at wabt's 1638 frames): both trap "call stack exhausted" at the same
// step, and what the continuing frames did shows in a later step. The rule
// requires exactly that, wabt's overflow at a step where Warden at its
// depth overflowed too, the difference at a later step, and a
// call_indirect in the module. Masked (seed 20261209): when the frames that
// go on reach a trap of their own first (the `unreachable` of a fuel
// check, a call_indirect to an empty slot), wabt reports that trap instead
// of the overflow, and in a start function it reports nothing at all
// (seed 20261211: instantiation "ok"); the rule then takes a finding
// against wabt (at its depth or not) at or after a step where Warden at
// wabt's depth overflowed and wabt trapped otherwise or returned, when
// wabt is the odd one out against Warden's own run and V8 (below), again
// with a call_indirect in the module. When the frames that go on pop the
// results the call never pushed, spectest-interp aborts instead ("Assertion
// `values_.size() >= types.size()' failed", seed 9107): the rule also
// takes wabt dying of signal 6 in a call that Warden at wabt's depth ends
// with "call stack exhausted", in a module with a call_indirect.
bool wabt_call_indirect_overflow(const RuleContext& c) {
  const Finding& f = c.finding;
  auto overflowed = [](const Outcome* o) { return o && o->status == Outcome::Status::Trap && o->trap == kTrapStack; };
  auto has_call_indirect = [](const ast::Module& m) {
    return any_instr(m, [](const ast::Instr& i) { return i.op == Op::CallIndirect; });
  };
  if (!c.module) return false;
  if (f.kind == FindingKind::Crash)
    return died_with(c, "wabt", "signal 6") && overflowed(outcome_at(c, depth_matched_name("wabt"), f.call)) &&
           has_call_indirect(*c.module);
  bool overflow_before = false;
  for (size_t step = 0; step < f.call && f.reference == depth_matched_name("wabt"); ++step)
    overflow_before |= overflowed(outcome_at(c, f.reference, step)) && overflowed(outcome_at(c, "wabt", step));
  // The masked form: at a step where Warden at wabt's depth overflowed,
  // wabt trapped otherwise (a trap the frames that went on reached) or
  // returned (they went on to the end: a start function, seed 20261211),
  // and wabt is the odd one out: it returned or trapped otherwise than
  // Warden's own run while V8 agreed with Warden (on the first value wabt
  // disputes, when all three returned). For a finding of Warden's
  // own run that must hold at the finding's step; for the rerun's finding
  // at that step or a later one, but before wabt overflowed visibly where
  // Warden's own run did not (from there its state depends on its lower
  // limit, as compare_runs says). Were Warden to count frames wrongly and
  // overflow early at wabt's depth, wabt would agree with Warden's own run
  // at those steps, and V8 with both.
  auto returned_or_trapped = [](const Outcome* o) { return o && comparable(*o); };
  auto wabt_alone = [&](size_t step) {
    const Outcome* w = outcome_at(c, "warden", step);
    const Outcome* p = outcome_at(c, "wabt", step);
    const Outcome* v = outcome_at(c, "v8", step);
    if (!returned_or_trapped(w) || !returned_or_trapped(p) || !returned_or_trapped(v) || outcomes_agree(*w, *p))
      return false;
    // Values (the state, whose fuel and checksum V8's own overflow may
    // have changed): V8 agrees with Warden on the first one wabt disputes.
    const auto ok = Outcome::Status::Ok;
    if (w->status == ok && p->status == ok && v->status == ok && w->values.size() == p->values.size() &&
        w->values.size() == v->values.size()) {
      size_t i = 0;
      while (i < w->values.size() && w->values[i] == p->values[i]) ++i;
      return i < w->values.size() && v->values[i] == w->values[i];
    }
    return outcomes_agree(*w, *v);
  };
  size_t limit = 0;  // the first step where wabt overflowed and Warden's own run did not
  while (outcome_at(c, "wabt", limit) &&
         !(overflowed(outcome_at(c, "wabt", limit)) && !overflowed(outcome_at(c, "warden", limit))))
    ++limit;
  const bool rerun = f.reference == depth_matched_name("wabt");
  bool masked = false;
  for (size_t step = 0; step <= f.call && !masked; ++step) {
    const Outcome* p = outcome_at(c, "wabt", step);
    if (!overflowed(outcome_at(c, depth_matched_name("wabt"), step)) || !returned_or_trapped(p) || overflowed(p))
      continue;
    if (!rerun) {
      masked = f.call < limit && wabt_alone(f.call);
      break;
    }
    for (size_t t = step; t < limit && !masked; ++t) masked = wabt_alone(t);
  }
  return (overflow_before || masked) && has_call_indirect(*c.module);
}

// ---- wabt-1.0.32-lax-block-type
// Spec 5.4.1: a block type is 0x40, one value type byte, or a non-negative
// s33 type index; any other encoding (such as the two-byte LEB128 ff 7f of
// -1) is "malformed block type". wabt 1.0.32 reads the block type as a
// signed LEB128 and takes -1 in any length for i32.
bool wabt_block_type(const RuleContext& c) {
  if (!validation_against(c, peer(c))) return false;
  const LoadResult* interp = load_of(c, peer(c));
  return warden_says(c, Verdict::Malformed, "malformed block type") && interp && interp->verdict != Verdict::Malformed;
}

// ---- wabt-1.0.32-typed-reference-types
// Spec 5.3.3: a reference type is 0x70 (funcref) or 0x6F (externref); any
// other byte is malformed. wabt 1.0.32 reads 0x6B/0x6C ("(ref ht)", "(ref
// null ht)" of the typed function references proposal, which 2.0 does not
// have) as types and then accepts or merely invalidates the module.
bool wabt_typed_refs(const RuleContext& c) {
  if (!validation_against(c, peer(c))) return false;
  const LoadResult* w = warden_says(c, Verdict::Malformed, "malformed reference type");
  const LoadResult* interp = load_of(c, peer(c));
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
  if (!validation_against(c, peer(c)) || !c.module) return false;
  if (!says(load_of(c, peer(c)), "expected ref.null or ref.func") || !verdict_is(load_of(c, "warden"), Verdict::Valid))
    return false;
  for (const ast::ElemSegment& e : c.module->elems)
    for (const ast::Expr& x : e.init)
      if (!x.empty() && x[0].op == Op::GlobalGet) return true;
  return false;
}

// ---- wabt-1.0.32-typed-select-result-unchecked
// Spec 3.3.4: `select t` has type [t t i32] -> [t]. After a typed select,
// wabt 1.0.32's validator lets the result stand for any type (an i32 result
// passes as f32 or as a reference). The rule requires a typed select
// before Warden's type error in the same function.
bool wabt_typed_select(const RuleContext& c) {
  const LoadResult* w = accepted_against(c, peer(c), Verdict::Invalid, "type mismatch");
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
//
// Warden reads a section as the reference interpreter does, checking its
// size only at its end, so an item expression that does not end inside
// the element section runs on into the sections after it, and Warden's
// error can lie there (seed 20261211: after a `v128.load8x8_s` item, an
// item whose `block` took the next section's id byte as its type). The
// rule takes that too when V8 names an opcode "not allowed in constant
// expressions" at a byte of the element section ("@+N") and the section's
// segments, read within it, do not fill it.
bool wabt_elem_error_ignored(const RuleContext& c) {
  if (!validation_against(c, peer(c))) return false;
  const LoadResult* w = load_of(c, "warden");
  if (!w || w->verdict == Verdict::Valid || !verdict_is(load_of(c, peer(c)), Verdict::Valid)) return false;
  const LoadResult* v8 = load_of(c, "v8");
  const bool not_constant = says(v8, "is not allowed in constant expressions");
  std::optional<Section> s = section_at(c.bytes, w->offset);
  if (s && s->id == 9) {
    uint8_t op = byte_at(c.bytes, w->offset);
    return op == 0xFC || op == 0xFD || not_constant;
  }
  if (!not_constant || w->verdict != Verdict::Malformed || w->offset == kNoOffset) return false;
  const size_t at = v8->message.rfind("@+");
  if (at == std::string::npos) return false;
  const uint64_t v8_offset = std::strtoull(v8->message.c_str() + at + 2, nullptr, 10);
  std::optional<Section> elems = section_at(c.bytes, v8_offset);
  if (!elems || elems->id != 9 || w->offset < elems->offset + elems->size) return false;
  // And an item really runs past the section: its segments, read within
  // it, do not fill it (fewer than its count, or ending short of its end).
  size_t p = elems->offset;
  uint64_t count = 0;
  read_u32(c.bytes, p, count);
  const std::vector<std::pair<size_t, size_t>> segments = section_items(c.bytes, *elems);
  return segments.size() < count || (!segments.empty() && segments.back().second != elems->offset + elems->size);
}

// ---- wabt-1.0.32-data-segment-flags
// Spec 5.5.14: a data segment starts with the u32 0, 1 or 2. wabt 1.0.32
// reads the kind as bit flags and accepts 3 to 7 when the bytes after it
// happen to fit that reading. The kind is a LEB128, so 5 may be written
// 85 00 (found by --seed 21): the rule reads it as one.
bool wabt_data_flags(const RuleContext& c) {
  if (!validation_against(c, peer(c))) return false;
  const LoadResult* w = warden_says(c, Verdict::Malformed, "malformed data segment kind");
  const LoadResult* interp = load_of(c, peer(c));
  if (!w || !interp || interp->verdict == Verdict::Malformed || w->offset == kNoOffset) return false;
  size_t p = static_cast<size_t>(w->offset);
  uint64_t kind = 0;
  return read_u32(c.bytes, p, kind) && kind >= 3 && kind <= 7;
}

// ---- wabt-1.0.32-lax-value-type-encoding
// Spec 5.3.1: a value type is one byte; the reference decoder reads it as a
// 7-bit signed LEB128, so a byte with the continuation bit makes "integer
// representation too long". wabt 1.0.32 reads a local's type as a signed
// LEB128 of any length (ff ff ff 7f is -1: i32) and accepts it. The rule
// requires V8's account of the byte ("invalid value type").
bool wabt_value_type_encoding(const RuleContext& c) {
  if (!validation_against(c, peer(c))) return false;
  const LoadResult* interp = load_of(c, peer(c));
  if (!interp || interp->verdict == Verdict::Malformed) return false;
  if (!warden_says(c, Verdict::Malformed, "integer representation too long") &&
      !warden_says(c, Verdict::Malformed, "integer too large"))
    return false;
  return says(load_of(c, "v8"), "invalid value type");
}

// ---- wabt-1.0.32-call-indirect-table-type-unchecked
// Spec 3.3.7 (call_indirect x y): table x must have element type funcref.
// wabt 1.0.32 accepts call_indirect through an externref table.
bool wabt_call_indirect_table(const RuleContext& c) {
  const ast::Instr* i = instr_at_error(c, accepted_against(c, peer(c), Verdict::Invalid, "type mismatch"));
  if (!i || i->op != Op::CallIndirect) return false;
  std::vector<ValType> tables;
  for (const ast::Import& im : c.module->imports)
    if (im.kind == ExternKind::Table) tables.push_back(im.table.elem);
  for (const ast::TableType& t : c.module->tables) tables.push_back(t.elem);
  return i->b < tables.size() && tables[i->b] != ValType::FuncRef;
}

// ---- wabt-1.0.32-select-arity-unchecked
// Spec 3.3.4 (select t*): the type vector of a typed select holds exactly
// one value type; `select (result)` with none, or with several, is invalid
// ("invalid result arity"). wabt 1.0.32 accepts an empty vector (and types
// a longer one as a multi-value select).
bool wabt_select_arity(const RuleContext& c) {
  if (!accepted_against(c, peer(c), Verdict::Invalid, "invalid result arity")) return false;
  return some_instr(c.bytes, [&](Op op, size_t p) {
    uint64_t n = 0;
    return op == Op::SelectT && read_u32(c.bytes, p, n) && n != 1;
  });
}

}  // namespace warden::diff::rules
