// What the rule files share: the gates every rule is built from (defined in
// peer_rules.cpp) and each file's match functions, which the one table in
// peer_rules.cpp lists in the order the rules are tried. Private to the
// rule files; the rest of the campaign uses peer_rules.hpp.
//
//   rules_wabt.cpp               wabt 1.0.32 (and 1.0.39, wabt-npm)
//   rules_binaryen_decode.cpp    Binaryen 108 reading the binary (spec 5),
//                                and 132's (binaryen-npm) own bugs there
//   rules_binaryen_validate.cpp  Binaryen 108 validating and running (spec 3, 4)
//   rules_v8.cpp                 V8 11.3: its bug and the features node 20 has on
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "peer_rules.hpp"

namespace warden::diff::rules {

// ---- gates
/// The engine the rule is asked about: explain() narrows the finding to one
/// engine, one of the rule's PeerRule::on.
std::string_view peer(const RuleContext& c);
/// `engine`'s load in the validation comparison or in the run, or null.
const LoadResult* load_of(const RuleContext& c, std::string_view engine);
/// Whether `engine` alone is on the other side of the reference. Inside a
/// rule this is always true: explain() narrows a finding to one engine
/// before asking the rules, so each differing engine needs its own rule;
/// no gate checks that another peer agreed with Warden (rules check the
/// module and the peer's own outcome instead).
bool only(const Finding& f, std::string_view engine);
/// `engine`'s outcome at run step `step` (0 instantiation, k call k), or null.
const Outcome* outcome_at(const RuleContext& c, std::string_view engine, size_t step);
/// Whether `engine`'s run died with `message` ("signal 6") at load,
/// instantiation or in a call.
bool died_with(const RuleContext& c, std::string_view engine, std::string_view message);
/// Whether `pred` holds for one of the instructions of `m`'s function bodies.
template <class Pred>
bool any_instr(const ast::Module& m, Pred pred) {
  for (const ast::Function& f : m.funcs)
    for (const ast::Instr& i : f.body)
      if (pred(i)) return true;
  return false;
}
/// Whether `pred` holds for one of `m`'s constant expressions: global
/// initializers, element segment offsets and items, data offsets.
template <class Pred>
bool any_const_expr(const ast::Module& m, Pred pred) {
  for (const ast::Global& g : m.globals)
    if (pred(g.init)) return true;
  for (const ast::ElemSegment& e : m.elems) {
    if (pred(e.offset)) return true;
    for (const ast::Expr& x : e.init)
      if (pred(x)) return true;
  }
  for (const ast::DataSegment& d : m.datas)
    if (pred(d.offset)) return true;
  return false;
}
/// Whether `l` is a rejection whose message contains `text`.
bool says(const LoadResult* l, std::string_view text);
/// The second opinion of that name (RuleContext::confirmations), or null.
const LoadResult* confirmed(const RuleContext& c, std::string_view engine);
/// Warden's load when its verdict is `v` and its message contains `text`.
const LoadResult* warden_says(const RuleContext& c, Verdict v, std::string_view text);
bool verdict_is(const LoadResult* l, Verdict v);
/// A validation finding with `engine` alone on the other side of Warden.
bool validation_against(const RuleContext& c, std::string_view engine);
/// The commonest shape of a peer bug: `engine` alone accepts a module that
/// Warden calls `v`, its message containing `text`. Warden's load, or null.
const LoadResult* accepted_against(const RuleContext& c, std::string_view engine, Verdict v, std::string_view text);
/// The instruction at Warden's error offset `w`, when the module decodes.
const ast::Instr* instr_at_error(const RuleContext& c, const LoadResult* w);
/// Whether the rule is asked about a peer at its newest, an npm build
/// (binaryen-npm: Binaryen 132; wabt-npm: wabt 1.0.39), where a bug may
/// show in fewer places than in Debian's version.
bool newest(const RuleContext& c);
/// Spec 7.4.1: the peer rejects a module with a "name" custom section, and
/// the same module without its custom sections gets the peer's agreement
/// with Warden (the campaign's "<peer>-without-customs" confirmation), or
/// what is left is explained by another rule. Warden does not call the
/// module malformed (then the custom section is no cause).
bool rejected_for_name_section(const RuleContext& c);
/// The data count section's count, when there is one that reads.
std::optional<uint64_t> data_count(std::span<const uint8_t> bytes);
/// The data count section's count when it is not zero and the module has no
/// data section (spec 5.5.16: the count must then be 0), else nothing.
std::optional<uint64_t> data_count_without_data(std::span<const uint8_t> bytes);

// ---- rules_wabt.cpp
bool wabt_validates_while_reading(const RuleContext& c);
bool wabt_name_section(const RuleContext& c);
bool wabt_datacount(const RuleContext& c);
bool wabt_const_missing_end(const RuleContext& c);
bool wabt_code_after_end(const RuleContext& c);
bool wabt_missing_end(const RuleContext& c);
bool wabt_datacount_abort(const RuleContext& c);
bool wabt_block_type(const RuleContext& c);
bool wabt_typed_refs(const RuleContext& c);
bool wabt_elem_global_get(const RuleContext& c);
bool wabt_typed_select(const RuleContext& c);
bool wabt_elem_error_ignored(const RuleContext& c);
bool wabt_data_flags(const RuleContext& c);
bool wabt_value_type_encoding(const RuleContext& c);
bool wabt_call_indirect_table(const RuleContext& c);
bool wabt_select_arity(const RuleContext& c);
bool wabt_table_grow_abort(const RuleContext& c);
bool wabt_call_indirect_overflow(const RuleContext& c);

// ---- rules_binaryen_decode.cpp
bool declarative_ref_null(const RuleContext& c);
bool externref_elems(const RuleContext& c);
bool binaryen_utf8(const RuleContext& c);
bool binaryen_unknown_section(const RuleContext& c);
bool binaryen_missing_code(const RuleContext& c);
bool binaryen_name_section(const RuleContext& c);
bool binaryen_nul_names(const RuleContext& c);
bool binaryen_section_order(const RuleContext& c);
bool binaryen_mutability(const RuleContext& c);
bool binaryen_value_types(const RuleContext& c);
bool binaryen_post_20_opcodes(const RuleContext& c);
bool binaryen_body_structure(const RuleContext& c);
bool binaryen_imported_table_ops(const RuleContext& c);
bool binaryen_zero_byte(const RuleContext& c);
bool binaryen_datacount_required(const RuleContext& c);
bool binaryen_lax_leb(const RuleContext& c);
bool binaryen_lax_element_kind(const RuleContext& c);
bool binaryen_extern_kind_leb(const RuleContext& c);
bool binaryen_ref_null_heap_type(const RuleContext& c);
bool binaryen_select_abort(const RuleContext& c);
bool binaryen_exception_target_abort(const RuleContext& c);
bool binaryen132_datacount_without_data(const RuleContext& c);
bool binaryen132_datacount_allocation(const RuleContext& c);
bool binaryen132_declarative_segment_indices(const RuleContext& c);
bool binaryen132_flag_bits(const RuleContext& c);
bool binaryen132_local_count_abort(const RuleContext& c);
bool binaryen108_local_count_allocation(const RuleContext& c);
bool binaryen_declarative_indices(const RuleContext& c);
bool binaryen_native_stack_overflow(const RuleContext& c);
bool binaryen132_import_after_functions_abort(const RuleContext& c);

// ---- rules_binaryen_validate.cpp
bool segment_bounds(const RuleContext& c);
bool binaryen_extra_values(const RuleContext& c);
bool binaryen_block_params(const RuleContext& c);
bool binaryen_block_params_run(const RuleContext& c);
bool binaryen_rounding_snan(const RuleContext& c);
bool binaryen_lane_trap_first(const RuleContext& c);
bool binaryen_after_branch(const RuleContext& c);
bool binaryen_block_boundary(const RuleContext& c);
bool binaryen_const_expr_globals(const RuleContext& c);
bool binaryen_scratch_locals(const RuleContext& c);
bool binaryen_multiple_memories(const RuleContext& c);
bool binaryen_missing_export(const RuleContext& c);
bool binaryen_data_without_memory(const RuleContext& c);
bool binaryen_untyped_select(const RuleContext& c);
bool binaryen_data_drop_needs_memory(const RuleContext& c);
bool binaryen_global_set_immutable(const RuleContext& c);
bool binaryen_table_set_funcref(const RuleContext& c);
bool binaryen_undeclared_ref_func(const RuleContext& c);
bool binaryen132_dead_code_keeps_values(const RuleContext& c);

// ---- rules_v8.cpp
bool v8_threads(const RuleContext& c);
bool v8_atomics(const RuleContext& c);
bool v8_exceptions(const RuleContext& c);
bool v8_elem_value_type(const RuleContext& c);
bool v8_tail_calls(const RuleContext& c);

}  // namespace warden::diff::rules
