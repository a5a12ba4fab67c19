// The catalogued peer bugs' rules (differential/peer-bugs.md): the gates
// they are built from, the one table of them in the order they are tried,
// and the dispatch. The rules themselves are in rules_<peer>.cpp (see
// rules.hpp); each rule's comment names the spec paragraph the peer breaks.
#include "peer_rules.hpp"

#include <optional>
#include <string>
#include <utility>

#include "rules.hpp"
#include "scan.hpp"

namespace warden::diff {
namespace rules {

const LoadResult* load_of(const RuleContext& c, std::string_view engine) {
  for (const EngineLoad& l : c.loads)
    if (l.engine == engine) return &l.load;
  for (const EngineRun& r : c.runs)
    if (r.engine == engine) return &r.run.load;
  return nullptr;
}

bool only(const Finding& f, std::string_view engine) { return f.engines.size() == 1 && f.engines[0] == engine; }

const Outcome* outcome_at(const RuleContext& c, std::string_view engine, size_t step) {
  for (const EngineRun& r : c.runs)
    if (r.engine == engine)
      return step == 0 ? &r.run.instantiate : step <= r.run.calls.size() ? &r.run.calls[step - 1] : nullptr;
  return nullptr;
}

bool died_with(const RuleContext& c, std::string_view engine, std::string_view message) {
  for (const EngineRun& r : c.runs) {
    if (r.engine != engine) continue;
    if (r.run.load.verdict == Verdict::Crash && r.run.load.message == message) return true;
    if (r.run.instantiate.status == Outcome::Status::Crash && r.run.instantiate.message == message) return true;
    for (const Outcome& o : r.run.calls)
      if (o.status == Outcome::Status::Crash && o.message == message) return true;
  }
  return false;
}

bool says(const LoadResult* l, std::string_view text) {
  return l && l->verdict != Verdict::Valid && l->message.find(text) != std::string::npos;
}

const LoadResult* confirmed(const RuleContext& c, std::string_view name) {
  return c.confirmations ? c.confirmations->get(std::string(name)) : nullptr;
}

const LoadResult* warden_says(const RuleContext& c, Verdict v, std::string_view text) {
  const LoadResult* w = load_of(c, "warden");
  return w && w->verdict == v && w->message.find(text) != std::string::npos ? w : nullptr;
}

bool verdict_is(const LoadResult* l, Verdict v) { return l && l->verdict == v; }

bool validation_against(const RuleContext& c, std::string_view engine) {
  return c.finding.kind == FindingKind::Validation && only(c.finding, engine);
}

const LoadResult* accepted_against(const RuleContext& c, std::string_view engine, Verdict v, std::string_view text) {
  if (!validation_against(c, engine) || !verdict_is(load_of(c, engine), Verdict::Valid)) return nullptr;
  return warden_says(c, v, text);
}

std::string_view peer(const RuleContext& c) {
  return c.finding.engines.size() == 1 ? std::string_view(c.finding.engines[0]) : std::string_view();
}

bool newest(const RuleContext& c) {
  std::string_view p = peer(c);
  return p.size() > 4 && p.substr(p.size() - 4) == "-npm";
}

bool rejected_for_name_section(const RuleContext& c) {
  if (!validation_against(c, peer(c))) return false;
  const LoadResult* p = load_of(c, peer(c));
  const LoadResult* w = load_of(c, "warden");
  if (!p || !w || p->verdict == Verdict::Valid || w->verdict == Verdict::Malformed) return false;
  bool named = false;
  for (const Section& s : sections_of(c.bytes)) named |= custom_name(c.bytes, s) == "name";
  if (!named) return false;
  // Causal: without its custom sections, the peer agrees with Warden (or an
  // unsupported feature is all that is left: counted elsewhere), or what is
  // left is explained by another rule (the campaign asks).
  const std::string key = std::string(peer(c)) + "-without-customs";
  const LoadResult* stripped = confirmed(c, key);
  return stripped && (verdicts_agree(stripped->verdict, w->verdict) || stripped->verdict == Verdict::Unsupported ||
                      confirmed(c, key + "-explained"));
}

std::optional<uint64_t> data_count(std::span<const uint8_t> bytes) {
  for (const Section& s : sections_of(bytes)) {
    size_t p = s.offset;
    uint64_t n = 0;
    if (s.id == 12 && read_u32(bytes, p, n)) return n;
  }
  return std::nullopt;
}

std::optional<uint64_t> data_count_without_data(std::span<const uint8_t> bytes) {
  for (const Section& s : sections_of(bytes))
    if (s.id == 11) return std::nullopt;
  std::optional<uint64_t> n = data_count(bytes);
  return n && *n > 0 ? n : std::nullopt;
}

const ast::Instr* instr_at_error(const RuleContext& c, const LoadResult* w) {
  if (!c.module || !w) return nullptr;
  std::optional<std::pair<size_t, size_t>> at = instr_at(*c.module, w->offset);
  return at ? &c.module->funcs[at->first].body[at->second] : nullptr;
}

}  // namespace rules

namespace {

using namespace rules;

constexpr PeerRule kRules[] = {
    {"wabt-1.0.32-validates-while-reading", "wabt 1.0.32, 1.0.39", "wabt wabt-npm",
     "calls a malformed binary invalid when something invalid comes before the malformed bytes",
     wabt_validates_while_reading},
    {"wabt-1.0.32-name-section-errors-reject-module", "wabt 1.0.32, 1.0.39", "wabt wabt-npm",
     "rejects modules whose name section does not parse", wabt_name_section},
    {"wabt-1.0.32-datacount-without-data-section", "wabt 1.0.32, 1.0.39", "wabt wabt-npm",
     "accepts a non-zero data count with no data section", wabt_datacount},
    {"wabt-1.0.32-const-expr-missing-end", "wabt 1.0.32", "wabt",
     "accepts a global initializer without its end at the end of the section", wabt_const_missing_end},
    {"wabt-1.0.32-interp-code-after-function-end", "wabt 1.0.32 (spectest-interp)", "wabt",
     "accepts instructions after the end that closes a function body", wabt_code_after_end},
    {"wabt-1.0.32-body-without-final-end", "wabt 1.0.32", "wabt",
     "takes a body whose last end closes an inner block for one that ends", wabt_missing_end},
    {"wabt-1.0.32-lax-value-type-encoding", "wabt 1.0.32, 1.0.39", "wabt wabt-npm",
     "accepts over-long encodings of a local's type", wabt_value_type_encoding},
    {"wabt-1.0.32-lax-block-type", "wabt 1.0.32, 1.0.39", "wabt wabt-npm",
     "accepts over-long encodings of a block's value type", wabt_block_type},
    {"wabt-1.0.32-typed-reference-types", "wabt 1.0.32, 1.0.39", "wabt wabt-npm",
     "reads reference types of the typed function references proposal", wabt_typed_refs},
    {"wabt-1.0.32-elem-expr-global-get", "wabt 1.0.32", "wabt", "rejects global.get as an element segment item",
     wabt_elem_global_get},
    {"wabt-1.0.32-typed-select-result-unchecked", "wabt 1.0.32, 1.0.39", "wabt wabt-npm",
     "lets the result of a typed select stand for any type", wabt_typed_select},
    {"wabt-1.0.32-elem-expr-error-ignored", "wabt 1.0.32", "wabt",
     "reports a bad element segment item and accepts the module anyway", wabt_elem_error_ignored},
    {"wabt-1.0.32-data-segment-flags", "wabt 1.0.32, 1.0.39", "wabt wabt-npm", "accepts data segment kinds 3 to 7",
     wabt_data_flags},
    {"wabt-1.0.32-call-indirect-table-type-unchecked", "wabt 1.0.32", "wabt",
     "accepts call_indirect through an externref table", wabt_call_indirect_table},
    {"wabt-1.0.32-select-arity-unchecked", "wabt 1.0.32, 1.0.39", "wabt wabt-npm",
     "accepts a typed select with no result type", wabt_select_arity},
    {"wabt-1.0.32-interp-datacount-allocation", "wabt 1.0.32 (spectest-interp)", "wabt",
     "aborts on a huge data count (allocates before the segments exist)", wabt_datacount_abort},
    {"wabt-1.0.32-interp-table-grow-allocation", "wabt 1.0.32 (spectest-interp)", "wabt",
     "aborts when a table without maximum grows to 2^32 - 1 elements, instead of returning -1", wabt_table_grow_abort},
    {"wabt-1.0.32-interp-call-indirect-overflow-continues", "wabt 1.0.32 (spectest-interp)", "wabt",
     "goes on running the frames below a call_indirect that overflowed the call stack, then traps",
     wabt_call_indirect_overflow},
    {"binaryen-108-segment-bounds-at-validation", "binaryen 108", "binaryen",
     "rejects valid modules whose active segment lies outside the initial memory/table", segment_bounds},
    {"binaryen-108-declarative-ref-null", "binaryen 108", "binaryen",
     "cannot read a declarative element segment with ref.null items", declarative_ref_null},
    {"binaryen-108-externref-elem-segment", "binaryen 108", "binaryen", "rejects element segments of type externref",
     externref_elems},
    {"binaryen-108-section-order-not-checked", "binaryen 108, 132", "binaryen binaryen-npm",
     "accepts sections out of order or repeated", binaryen_section_order},
    {"binaryen-108-accepts-bad-mutability", "binaryen 108, 132", "binaryen binaryen-npm",
     "accepts a mutability byte other than 0 or 1", binaryen_mutability},
    {"binaryen-108-accepts-bad-value-types", "binaryen 108, 132", "binaryen binaryen-npm",
     "accepts value types that are none of the seven", binaryen_value_types},
    {"binaryen-108-reads-post-2.0-opcodes", "binaryen 108", "binaryen", "accepts opcodes of later proposals",
     binaryen_post_20_opcodes},
    {"binaryen-108-rounding-keeps-signalling-nan", "binaryen 108", "binaryen",
     "ceil/floor/trunc return a signalling NaN input unchanged", binaryen_rounding_snan},
    {"binaryen-108-lane-access-traps-before-vector-operand", "binaryen 108", "binaryen",
     "v128.load/storeN_lane trap on their address before running their vector operand", binaryen_lane_trap_first},
    {"feature:v8-threads-shared-memory", "node 20 (V8 11.3)", "v8", "shared memories (threads) are on by default",
     v8_threads},
    {"feature:v8-threads-atomics", "node 20 (V8 11.3)", "v8", "atomic instructions (threads) are on by default",
     v8_atomics},
    {"feature:v8-exception-handling", "node 20 (V8 11.3)", "v8", "exception handling is on by default", v8_exceptions},
    {"feature:v8-tail-calls", "node 20 (V8 11.3)", "v8", "tail calls are on by default", v8_tail_calls},
    {"binaryen-108-skips-validation-after-branch", "binaryen 108, 132", "binaryen binaryen-npm",
     "does not validate code after an unconditional branch", binaryen_after_branch},
    {"binaryen-108-pops-across-block-boundary", "binaryen 108", "binaryen",
     "lets instructions in a block take operands from outside it", binaryen_block_boundary},
    {"binaryen-108-lax-body-structure", "binaryen 108", "binaryen",
     "accepts bodies that end inside a block or go on after their end", binaryen_body_structure},
    {"binaryen-108-const-expr-global-rules", "binaryen 108", "binaryen",
     "accepts global.get of a mutable or non-imported global in a constant expression", binaryen_const_expr_globals},
    {"binaryen-108-scratch-locals-hide-bad-index", "binaryen 108", "binaryen",
     "checks local indices against its own scratch locals too", binaryen_scratch_locals},
    {"binaryen-108-multiple-memories", "binaryen 108", "binaryen", "accepts more than one memory",
     binaryen_multiple_memories},
    {"binaryen-108-table-ops-on-imported-tables", "binaryen 108", "binaryen",
     "cannot read table.get/set/size/grow/fill on an imported table", binaryen_imported_table_ops},
    {"binaryen-108-export-of-missing-item", "binaryen 108", "binaryen", "accepts exports of items the module lacks",
     binaryen_missing_export},
    {"binaryen-108-declarative-segment-indices-unchecked", "binaryen 108, 132", "binaryen binaryen-npm",
     "accepts declarative element segments naming functions the module lacks", binaryen_declarative_indices},
    {"binaryen-108-interpreter-native-stack-overflow", "binaryen 108", "binaryen",
     "overflows its native stack (SIGSEGV) on deep recursion before its 250-frame limit",
     binaryen_native_stack_overflow},
    {"binaryen-108-data-without-memory", "binaryen 108", "binaryen", "accepts an active data segment without a memory",
     binaryen_data_without_memory},
    {"binaryen-108-untyped-select-on-references", "binaryen 108", "binaryen", "accepts an untyped select of references",
     binaryen_untyped_select},
    {"binaryen-108-global-set-immutable", "binaryen 108", "binaryen", "accepts global.set of an immutable global",
     binaryen_global_set_immutable},
    {"binaryen-108-table-set-funcref-into-externref", "binaryen 108", "binaryen",
     "accepts table.set of a funcref into an externref table", binaryen_table_set_funcref},
    {"binaryen-108-undeclared-function-reference", "binaryen 108", "binaryen",
     "accepts ref.func of a function nothing declares", binaryen_undeclared_ref_func},
    {"binaryen-108-lax-zero-byte", "binaryen 108, 132", "binaryen binaryen-npm",
     "accepts a reserved memory byte other than 0x00", binaryen_zero_byte},
    {"binaryen-108-extern-kind-as-leb128", "binaryen 108, 132", "binaryen binaryen-npm",
     "reads an import or export kind as a LEB128", binaryen_extern_kind_leb},
    {"binaryen-108-ref-null-heap-type", "binaryen 108, 132", "binaryen binaryen-npm",
     "accepts ref.null of heap types beyond func and extern", binaryen_ref_null_heap_type},
    {"binaryen-108-select-type-vector-abort", "binaryen 108", "binaryen",
     "aborts on a typed select whose type vector holds something other than value types", binaryen_select_abort},
    {"binaryen-108-exception-target-abort", "binaryen 108", "binaryen",
     "aborts on a rethrow or delegate whose label is a block's", binaryen_exception_target_abort},
    {"v8-11.3-elem-segment-value-type", "node 20 (V8 11.3)", "v8",
     "accepts element segments of numeric and vector types", v8_elem_value_type},
    {"binaryen-108-datacount-not-required", "binaryen 108", "binaryen",
     "accepts memory.init and data.drop without a data count section", binaryen_datacount_required},
    {"binaryen-132-flag-bits-unchecked", "binaryen 132, 108", "binaryen binaryen-npm",
     "accepts limits flags and element segment flags with bits beyond those it knows", binaryen132_flag_bits},
    {"binaryen-108-lax-leb128", "binaryen 108, 132", "binaryen binaryen-npm",
     "accepts over-long LEB128s and unused bits set", binaryen_lax_leb},
    {"binaryen-108-lax-element-kind", "binaryen 108, 132", "binaryen binaryen-npm",
     "accepts an element kind byte other than 0x00", binaryen_lax_element_kind},
    {"binaryen-108-data-drop-needs-memory", "binaryen 108", "binaryen", "rejects data.drop in a module without memory",
     binaryen_data_drop_needs_memory},
    {"binaryen-108-no-utf8-validation", "binaryen 108", "binaryen", "accepts names that are not UTF-8", binaryen_utf8},
    {"binaryen-108-skips-unknown-sections", "binaryen 108", "binaryen", "accepts unknown section ids",
     binaryen_unknown_section},
    {"binaryen-108-function-without-code", "binaryen 108", "binaryen",
     "accepts a function section without a code section", binaryen_missing_code},
    {"binaryen-108-no-block-parameters", "binaryen 108", "binaryen",
     "cannot read blocks, loops and ifs that take parameters", binaryen_block_params},
    {"binaryen-108-block-parameters-run-wrongly", "binaryen 108", "binaryen",
     "runs blocks and loops with parameters differently from the spec", binaryen_block_params_run},
    {"binaryen-108-name-section-errors-reject-module", "binaryen 108, 132", "binaryen binaryen-npm",
     "rejects modules whose name section does not parse", binaryen_name_section},
    {"binaryen-108-nul-in-names", "binaryen 108", "binaryen", "rejects names containing U+0000", binaryen_nul_names},
    {"binaryen-132-datacount-without-data-section", "binaryen 132", "binaryen-npm",
     "accepts a non-zero data count with no data section", binaryen132_datacount_without_data},
    {"binaryen-132-datacount-allocation", "binaryen 132", "binaryen-npm",
     "makes as many data segments as a data count says before checking for them (hangs)",
     binaryen132_datacount_allocation},
    {"binaryen-132-declarative-segments-shift-indices", "binaryen 132", "binaryen-npm",
     "leaves declarative element segments out, so later segment indices move down",
     binaryen132_declarative_segment_indices},
    {"binaryen-132-dead-code-keeps-values-before-branch", "binaryen 132", "binaryen-npm",
     "keeps the values before a branch for the code after it, and rejects valid modules",
     binaryen132_dead_code_keeps_values},
    {"binaryen-132-import-after-functions-abort", "binaryen 132", "binaryen-npm",
     "aborts on a function without a body when an import section follows the function section",
     binaryen132_import_after_functions_abort},
    {"binaryen-132-local-count-abort", "binaryen 132", "binaryen-npm",
     "aborts (std::length_error) on a body declaring 2^29 locals or more", binaryen132_local_count_abort},
    {"binaryen-108-local-count-allocation", "binaryen 108", "binaryen",
     "makes the locals a body declares before reading the body (hangs on 2^29 locals or more)",
     binaryen108_local_count_allocation},
    {"binaryen-108-extra-values-at-block-end", "binaryen 108", "binaryen",
     "accepts surplus values at the end of a block or function body", binaryen_extra_values},
};

// Whether `engine` is one of the rule's PeerRule::on.
bool on(const PeerRule& r, std::string_view engine) {
  for (std::string_view rest = r.on; !rest.empty();) {
    size_t space = rest.find(' ');
    if (rest.substr(0, space) == engine) return true;
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
  }
  return false;
}

}  // namespace

std::span<const PeerRule> peer_rules() { return kRules; }

const LoadResult* Confirmations::get(const std::string& name) const {
  auto it = known_.find(name);
  if (it == known_.end()) it = known_.emplace(name, ask_(name)).first;
  return it->second ? &*it->second : nullptr;
}

std::string explain(const RuleContext& c) {
  std::string names;
  for (const std::string& engine : c.finding.engines) {
    Finding narrowed = c.finding;
    narrowed.engines = {engine};
    RuleContext one{narrowed, c.bytes, c.module, c.loads, c.runs, c.confirmations};
    const PeerRule* found = nullptr;
    for (const PeerRule& r : kRules) {
      if (on(r, engine) && r.match(one)) {
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
