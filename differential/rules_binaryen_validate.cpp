// The rules for Binaryen 108 validating (spec 3) and running (spec 4)
// wrongly. One per entry of differential/peer-bugs.md; peer_rules.cpp lists
// them.
#include <algorithm>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "probe.hpp"
#include "rules.hpp"
#include "scan.hpp"

namespace warden::diff::rules {
namespace {

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

// The function a Binaryen validator error names, "[wasm-validator error in
// function N] ...": without a name section Binaryen names a function by its
// position among the defined functions. Null for any other message.
const ast::Function* validator_function(const ast::Module& m, const LoadResult* b) {
  static constexpr std::string_view kTag = "[wasm-validator error in function ";
  if (!b || b->message.rfind(kTag, 0) != 0) return nullptr;
  char* end = nullptr;
  uint64_t n = std::strtoull(b->message.c_str() + kTag.size(), &end, 10);
  return end != b->message.c_str() + kTag.size() && *end == ']' && n < m.funcs.size() ? &m.funcs[n] : nullptr;
}

// The value of an i32.const-only offset expression, if it is one.
std::optional<uint64_t> const_offset(const ast::Expr& e) {
  if (e.size() == 2 && e[0].op == Op::I32Const) return e[0].lo & 0xFFFFFFFFu;
  return std::nullopt;
}

}  // namespace

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
  if (!validation_against(c, peer(c)) || !c.module) return false;
  const LoadResult* b = load_of(c, peer(c));
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

// ---- binaryen-108-extra-values-at-block-end
// Spec 3.3.x (instruction sequences, blocks and function bodies): the values
// left on the stack at the end of a block or body must match its result type
// exactly. Binaryen 108 drops surplus values. The rule requires V8's or
// wabt's account of the surplus ("expected N elements on the stack for
// fallthru, found M", M > N; wabt "expected [...] but got [...]" longer).
bool binaryen_extra_values(const RuleContext& c) {
  if (!accepted_against(c, peer(c), Verdict::Invalid, "type mismatch")) return false;
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
  if (!validation_against(c, peer(c)) || !c.module) return false;
  const LoadResult* b = load_of(c, peer(c));
  // The other way round: Binaryen does not check a block's parameters, so
  // a block without the values it takes passes.
  if (const LoadResult* w = warden_says(c, Verdict::Invalid, "type mismatch"); w && verdict_is(b, Verdict::Valid)) {
    const ast::Instr* i = instr_at_error(c, w);
    return i && block_with_params(*c.module, *i);
  }
  if (!b || b->verdict == Verdict::Valid || !verdict_is(load_of(c, "warden"), Verdict::Valid)) return false;
  // A validator error names the function; that function must have a block
  // type with parameters.
  if (b->message.rfind("[wasm-validator error in function ", 0) == 0) {
    const ast::Function* f = validator_function(*c.module, b);
    return f && some_block_with_params(*c.module, f->body);
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
      !only(c.finding, peer(c)) || !c.module)
    return false;
  for (const ast::Function& f : c.module->funcs)
    if (some_block_with_params(*c.module, f.body)) return true;
  return false;
}

// ---- binaryen-108-rounding-keeps-signalling-nan
// Spec 4.3.3 (fceil, ffloor, ftrunc): a NaN input gives "an element of
// nans{z}", an arithmetic (quiet) NaN. Binaryen 108 returns a signalling
// NaN input of f32/f64 ceil, floor and trunc (scalar and f32x4/f64x2)
// unchanged; the probes' per-instruction NaN check names the instruction.
bool binaryen_rounding_snan(const RuleContext& c) {
  if (c.finding.kind != FindingKind::Result || !only(c.finding, peer(c))) return false;
  for (const EngineRun& r : c.runs) {
    if (r.engine != peer(c) || r.run.calls.empty()) continue;
    const Outcome& state = r.run.calls.back();
    if (state.status != Outcome::Status::Ok || state.values.empty()) return false;
    // The opcode table's names: f32/f64/f32x4/f64x2 .ceil, .floor, .trunc.
    std::string op = nan_violation_op(state.values[0]);
    for (std::string_view x : {".ceil", ".floor", ".trunc"})
      if (op.size() > x.size() && op.compare(op.size() - x.size(), x.size(), x) == 0) return true;
  }
  return false;
}

// ---- binaryen-108-lane-access-traps-before-vector-operand
// Spec 4.4.7 (v128.loadN_lane, v128.storeN_lane): both operands are popped,
// so the code that computes the vector operand runs before the address is
// checked. Binaryen 108's interpreter evaluates the address, traps on it
// when it is out of bounds, and only then evaluates the vector operand:
// that operand's side effects (a call that sets a global or spends fuel)
// are lost, and a trap inside it is reported as the out-of-bounds one.
// Binaryen 132 evaluates both first. The rule requires a lane load or
// store in the module and either a trap finding where Binaryen trapped out
// of bounds and Warden did not, or a result finding after a step where
// both trapped out of bounds.
bool binaryen_lane_trap_first(const RuleContext& c) {
  if ((c.finding.kind != FindingKind::Result && c.finding.kind != FindingKind::Trap) || !c.module) return false;
  auto memory_trap = [](const Outcome* o) {
    return o && o->status == Outcome::Status::Trap && (o->trap & kTrapMemory);
  };
  bool fits = false;
  if (c.finding.kind == FindingKind::Trap) {
    // Binaryen's out-of-bounds trap where Warden trapped otherwise (in the
    // vector operand) or not at all.
    fits = memory_trap(outcome_at(c, peer(c), c.finding.call)) && !memory_trap(outcome_at(c, "warden", c.finding.call));
  } else {
    // The state after a step where both trapped out of bounds: the vector
    // operand's side effects are missing from Binaryen's.
    for (size_t step = 1; step < c.finding.call && !fits; ++step)
      fits = memory_trap(outcome_at(c, peer(c), step)) && memory_trap(outcome_at(c, "warden", step));
  }
  return fits && any_instr(*c.module, [](const ast::Instr& i) { return info(i.op).imm == Imm::MemLane; });
}

// ---- binaryen-108-interpreter-native-stack-overflow (crash)
// Spec 4.4.10 and the rule that no engine crashes on a valid module: a
// call past the engine's depth limit traps ("call stack exhausted").
// Binaryen 108's interpreter stops at 250 frames, but each frame costs it
// native stack in proportion to the nesting of the expression tree it
// builds from the body, so recursion through a body with many values on
// the stack overflows the 8 MiB native stack first, even within the
// generator's fuel (under 200 frames): wasm-opt --fuzz-exec-before dies of
// SIGSEGV (with `ulimit -s unlimited` it runs as it should). The rule
// requires Binaryen 108 alone to die of signal 11 on a module whose direct
// calls make a cycle (recursion through call_indirect is not recognised).
namespace {
bool has_call_cycle(const ast::Module& m) {
  const size_t imported = m.imported(ExternKind::Func), n = m.funcs.size();
  // Iterative depth-first search (no recursion on input): 0 new, 1 on the
  // path, 2 done; each frame is (function, next body position).
  std::vector<uint8_t> color(n, 0);
  std::vector<std::pair<size_t, size_t>> path;
  for (size_t root = 0; root < n; ++root) {
    if (color[root]) continue;
    color[root] = 1;
    path.push_back({root, 0});
    while (!path.empty()) {
      const size_t f = path.back().first;
      size_t at = path.back().second;
      const std::vector<ast::Instr>& body = m.funcs[f].body;
      while (at < body.size() && (body[at].op != Op::Call || body[at].a < imported || body[at].a - imported >= n)) ++at;
      if (at == body.size()) {
        color[f] = 2;
        path.pop_back();
        continue;
      }
      path.back().second = at + 1;
      const size_t g = static_cast<size_t>(body[at].a - imported);
      if (color[g] == 1) return true;
      if (color[g] == 0) {
        color[g] = 1;
        path.push_back({g, 0});
      }
    }
  }
  return false;
}
}  // namespace

bool binaryen_native_stack_overflow(const RuleContext& c) {
  if (c.finding.kind != FindingKind::Crash || peer(c) != "binaryen" || !c.module) return false;
  return died_with(c, "binaryen", "signal 11") && has_call_cycle(*c.module);
}

// ---- binaryen-108-skips-validation-after-branch
// Spec 3.3.5-3.3.8: code after br, br_table, return or unreachable is still
// validated, against a stack whose bottom is polymorphic; a value of the
// wrong type pushed there makes the module invalid. Binaryen 108 drops such
// code unchecked, nested blocks included (a type error there, or a memory
// instruction without a memory); and it counts as dead everything after a
// block or loop with no results whose body ends in such a branch (Binaryen
// types it "unreachable"), although the spec gives that block its declared
// type; one with results keeps that type in Binaryen 108 too. The
// rule requires an unconditional branch or such a construct before Warden's
// validation error, in its block or before one of the blocks around it.
// Binaryen 132 misses fewer such errors (DeadValues, below): the rule asks
// that of binaryen-npm.
// Binaryen's idea of a construct that never falls through (its type
// "unreachable"): its body has, at its top level, an unconditional branch
// or such a construct; no branch in it targets it (for a loop, branches to
// it go back to its start); an if has both arms like that. Binaryen 108
// does not read the code after an unconditional branch up to the end of
// its block (or of its if arm), so a branch there targets nothing:
// `(block unreachable i32.const 0 br_if 0)` never falls through to it
// (seed 20261215). And it keeps a construct's declared result type:
// `(block (result i32) unreachable) drop` is followed by live code to it.
// Binaryen 132 reads dead code, and its branches count.
namespace {

// An unconditional branch: what follows it in its block is dead.
constexpr bool ends_block(Op op) {
  return op == Op::Br || op == Op::BrTable || op == Op::Return || op == Op::Unreachable;
}

class Reachability {
 public:
  // `br_targets`: the function's br_table label lists (ast::Instr); a
  // br_table whose entries lie outside them counts as targeting everything.
  // `types`: the module's, for block types given by index. `reads_dead_code`:
  // false for Binaryen 108 (above).
  Reachability(const ast::Expr& e, std::span<const uint32_t> br_targets, const std::vector<FuncType>& types,
               bool reads_dead_code)
      : e_(e),
        br_targets_(br_targets),
        types_(types),
        reads_dead_(reads_dead_code),
        match_(e.size(), 0),
        else_(e.size(), 0) {
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
    if (!reads_dead_ && has_results(e_[s])) return false;  // Binaryen 108 keeps the declared type
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
      if (ends_block(op)) return true;
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
    std::vector<size_t> open;  // the constructs inside s that enclose i
    for (size_t i = s + 1; i < end; ++i) {
      Op op = e_[i].op;
      if (op == Op::Block || op == Op::Loop || op == Op::If) {
        ++depth;
        open.push_back(i);
      }
      if (op == Op::End) {
        --depth;
        if (!open.empty()) open.pop_back();
      }
      if ((op == Op::Br || op == Op::BrIf) && static_cast<int>(e_[i].a) == depth) return true;
      if (op == Op::BrTable && table_targets(e_[i], depth)) return true;
      if (ends_block(op) && !reads_dead_) {  // skip to the end of this block, or of this if arm
        const size_t c = open.empty() ? s : open.back();
        const size_t stop = e_[c].op == Op::If && else_[c] > i ? else_[c] : match_[c];
        if (stop <= i) return true;     // unmatched: cannot tell, assume targeted
        if (stop >= end) return false;  // the rest of s's own body
        i = stop - 1;                   // the loop then reads that else or end
      }
    }
    return false;
  }
  // A block, loop or if whose type has results (a type index out of range
  // counts as having them: the rule then explains less).
  bool has_results(const ast::Instr& in) const {
    const int64_t bt = static_cast<int64_t>(in.lo);
    if (bt == ast::kBlockEmpty) return false;
    if (bt < 0) return true;
    return static_cast<uint64_t>(bt) >= types_.size() || !types_[static_cast<size_t>(bt)].results.empty();
  }
  bool table_targets(const ast::Instr& in, int depth) const {
    if (in.a > br_targets_.size() || in.b > br_targets_.size() - in.a) return true;  // cannot tell: assume so
    std::span<const uint32_t> labels = br_targets_.subspan(in.a, in.b);
    return std::find(labels.begin(), labels.end(), static_cast<uint32_t>(depth)) != labels.end();
  }
  const ast::Expr& e_;
  std::span<const uint32_t> br_targets_;
  const std::vector<FuncType>& types_;
  bool reads_dead_;
  std::vector<size_t> match_, else_;
};

}  // namespace

// Binaryen 132 (its stack-to-tree reader) validates dead code, but gives
// the type "unreachable" to an instruction that takes an operand from the
// polymorphic stack after a branch (or after a construct that never falls
// through, as above), and to any instruction that takes the result of such
// an instruction; its validator checks nothing more about an expression
// with an unreachable operand. So the errors it misses are at an
// instruction that takes such a value (or from the polymorphic stack
// itself), or a block end where such a value is left over; `unreachable
// i32.const 0 f32.neg` it rejects. DeadValues walks a body as the
// validator does (spec 3.3, the algorithm of the appendix), with operand
// counts and not types, marking those values.
namespace {

class DeadValues {
 public:
  DeadValues(const ast::Module& m, const ast::Function& f)
      : m_(m), f_(f), reach_(f.body, f.br_targets, m.types, true) {}

  // Whether the instruction at `at` takes such a value (for an `end`, also
  // one left over in its block). False where the walk cannot tell (an index
  // out of range, a stack that runs out in live code).
  bool misses(size_t at) {
    const FuncType* ft = f_.type < m_.types.size() ? &m_.types[f_.type] : nullptr;
    if (!ft) return false;
    frames_.push_back({0, ft->results.size(), ft->results.size(), false, f_.body.size()});
    for (size_t k = 0; k <= at && k < f_.body.size() && !frames_.empty(); ++k) {
      tainted_ = false;
      if (!step(k)) return false;
      if (k == at) return tainted_;
    }
    return false;
  }

 private:
  struct Frame {
    size_t height, results, label;  // label: values a branch to it carries
    bool unreachable;
    size_t start;  // the block, loop or if (the body's size for the function)
  };

  bool pop(size_t n) {
    Frame& fr = frames_.back();
    for (size_t i = 0; i < n; ++i) {
      if (values_.size() > fr.height) {
        tainted_ |= values_.back();
        values_.pop_back();
      } else if (fr.unreachable) {
        tainted_ = true;  // from the polymorphic stack
      } else {
        return false;
      }
    }
    return true;
  }
  void push(size_t n, bool dead) { values_.insert(values_.end(), n, dead); }
  void dead_end() {
    values_.resize(frames_.back().height);
    frames_.back().unreachable = true;
  }
  const FuncType* block_type(int64_t bt) const {
    return bt >= 0 && static_cast<uint64_t>(bt) < m_.types.size() ? &m_.types[bt] : nullptr;
  }
  const FuncType* func_type(uint32_t func) const {
    uint32_t n = 0;
    for (const ast::Import& i : m_.imports)
      if (i.kind == ExternKind::Func && n++ == func) return block_type(i.func_type);
    func -= n;
    return func < m_.funcs.size() ? block_type(m_.funcs[func].type) : nullptr;
  }
  const Frame* label(uint32_t depth) const {
    return depth < frames_.size() ? &frames_[frames_.size() - 1 - depth] : nullptr;
  }

  bool step(size_t k) {
    const ast::Instr& i = f_.body[k];
    const OpInfo& o = info(i.op);
    switch (i.op) {
      case Op::Block:
      case Op::Loop:
      case Op::If: {
        int64_t bt = static_cast<int64_t>(i.lo);
        size_t params = 0, results = bt == ast::kBlockEmpty ? 0 : 1;
        if (bt >= 0) {
          const FuncType* t = block_type(bt);
          if (!t) return false;
          params = t->params.size(), results = t->results.size();
        }
        if (!pop(params + (i.op == Op::If))) return false;
        frames_.push_back({values_.size(), results, i.op == Op::Loop ? params : results, false, k});
        push(params, false);
        return true;
      }
      case Op::Else:
      case Op::End: {
        Frame fr = frames_.back();
        if (!pop(fr.results)) return false;
        for (size_t v = fr.height; v < values_.size(); ++v) tainted_ |= values_[v];  // left over
        values_.resize(fr.height);
        if (i.op == Op::Else) {
          frames_.back().unreachable = false;  // the else arm starts live
          return true;
        }
        frames_.pop_back();
        // A construct that never falls through (Reachability) is of type
        // "unreachable" to Binaryen: what follows it is dead code to it, and
        // the values before it dropped. The spec keeps them, and the
        // construct's results: Binaryen's view of all of them is unreachable.
        bool unreachable = fr.start < f_.body.size() && reach_.dead_end(fr.start);
        if (unreachable) {
          std::fill(values_.begin() + static_cast<std::ptrdiff_t>(frames_.back().height), values_.end(), true);
          frames_.back().unreachable = true;
        }
        push(fr.results, unreachable);
        return true;
      }
      case Op::Unreachable: dead_end(); return true;
      case Op::Br:
      case Op::BrIf:
      case Op::BrTable: {
        // br_table's default label is the last of its list. Its labels must
        // carry as many values each; where they do not (an error), Binaryen
        // takes as many as the largest asks, from the polymorphic stack.
        if (i.op == Op::BrTable && (i.b == 0 || uint64_t{i.a} + i.b > f_.br_targets.size())) return false;
        const Frame* target = label(i.op == Op::BrTable ? f_.br_targets[i.a + i.b - 1] : i.a);
        if (!target) return false;
        size_t arity = target->label;
        for (uint32_t t = 0; i.op == Op::BrTable && t + 1 < i.b; ++t) {
          const Frame* other = label(f_.br_targets[i.a + t]);
          if (!other) return false;
          arity = std::max(arity, other->label);
        }
        if (!pop(arity + (i.op != Op::Br))) return false;
        if (i.op == Op::BrIf)
          push(arity, tainted_);
        else
          dead_end();
        return true;
      }
      case Op::Return: {
        if (!pop(frames_.front().results)) return false;
        dead_end();
        return true;
      }
      case Op::Call:
      case Op::CallIndirect: {
        const FuncType* t = i.op == Op::Call ? func_type(i.a) : block_type(i.a);
        if (!t || !pop(t->params.size() + (i.op == Op::CallIndirect))) return false;
        push(t->results.size(), tainted_);
        return true;
      }
      default: break;
    }
    // Operand counts the table's columns do not give (a `_` there stands
    // for a type the instruction takes from its operands or immediates).
    size_t pops = (o.p1 != Ty::_) + (o.p2 != Ty::_) + (o.p3 != Ty::_), pushes = o.result != Ty::_;
    switch (i.op) {
      case Op::RefNull:
      case Op::RefFunc:
      case Op::LocalGet:
      case Op::GlobalGet: pops = 0, pushes = 1; break;
      case Op::RefIsNull:
      case Op::LocalTee:
      case Op::TableGet: pops = 1, pushes = 1; break;
      case Op::Drop:
      case Op::LocalSet:
      case Op::GlobalSet: pops = 1, pushes = 0; break;
      case Op::TableSet: pops = 2, pushes = 0; break;
      case Op::TableGrow: pops = 2, pushes = 1; break;
      case Op::TableFill: pops = 3, pushes = 0; break;
      case Op::Select:
      case Op::SelectT: pops = 3, pushes = 1; break;
      default: break;
    }
    if (!pop(pops)) return false;
    push(pushes, tainted_);
    return true;
  }

  const ast::Module& m_;
  const ast::Function& f_;
  Reachability reach_;
  std::vector<Frame> frames_;
  std::vector<bool> values_;  // true: a value Binaryen 132 types "unreachable"
  bool tainted_ = false;
};

}  // namespace

bool binaryen_after_branch(const RuleContext& c) {
  const LoadResult* w = accepted_against(c, peer(c), Verdict::Invalid, "");
  if (!w || !c.module) return false;
  std::optional<std::pair<size_t, size_t>> at = instr_at(*c.module, w->offset);
  if (!at) return false;
  if (newest(c)) return DeadValues(*c.module, c.module->funcs[at->first]).misses(at->second);
  // Walk back through this block and every enclosing one: an unconditional
  // branch, or a construct that never falls through, before the error (or
  // before the block that holds it) makes the code dead to Binaryen. An
  // else arm does not inherit its then arm's.
  const ast::Function& f = c.module->funcs[at->first];
  const ast::Expr& e = f.body;
  Reachability r(e, f.br_targets, c.module->types, false);
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
    if (!then_arm && ends_block(op)) return true;
  }
  return false;
}

// ---- binaryen-132-dead-code-keeps-values-before-branch
// Spec 3.3.5-3.3.8 (and the appendix's algorithm): an unconditional branch
// makes the rest of its block's operand stack polymorphic; the values pushed
// before it are gone. Binaryen 132 keeps them: the branch, or a construct
// that never falls through, stays on its stack as a value of type
// "unreachable", which the next instruction takes as an operand, and the
// values before it are taken by the instructions after that. Where that
// next construct has a type of its own (an if or block that a branch
// targets), the later instructions get the wrong operands and the valid
// module is rejected: `i64.const 7 i32.const 1 return (if (result i32)
// (then i32.const 2 br 0) (else i32.const 3)) drop i64.clz drop` is "i32 !=
// i64: i64 unary value type must be correct". Binaryen 108 accepts it. The
// rule requires the validator's error (it names the function) in a
// function that has such dead code: an instruction after an unconditional
// branch or a construct that never falls through, in the same block.
bool binaryen132_dead_code_keeps_values(const RuleContext& c) {
  if (!validation_against(c, peer(c)) || !c.module || !verdict_is(load_of(c, "warden"), Verdict::Valid)) return false;
  const ast::Function* f = validator_function(*c.module, load_of(c, peer(c)));
  if (!f) return false;
  const ast::Expr& e = f->body;
  Reachability r(e, f->br_targets, c.module->types, true);
  for (size_t i = 0; i + 1 < e.size(); ++i) {
    Op op = e[i].op;
    bool branch = ends_block(op);
    bool dead_construct = op == Op::End && r.start_of(i) < i && r.dead_end(r.start_of(i));
    if ((branch || dead_construct) && e[i + 1].op != Op::End && e[i + 1].op != Op::Else) return true;
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
  if (!accepted_against(c, peer(c), Verdict::Invalid, "type mismatch")) return false;
  if (says(load_of(c, "v8"), "not enough arguments on the stack")) return true;
  const LoadResult* w = load_of(c, "wabt");
  size_t expected = 0, got = 0;
  return w && wabt_stack_lengths(w->message, expected, got) && got < expected;
}

// ---- binaryen-108-const-expr-global-rules
// Spec 3.3.10 (2.0): a constant expression's global.get must name an
// immutable *imported* global; otherwise "constant expression required"
// (mutable) or "unknown global" (a module's own global, which 2.0 constant
// expressions cannot see). Binaryen 108 accepts both.
bool binaryen_const_expr_globals(const RuleContext& c) {
  if (!c.module || !(accepted_against(c, peer(c), Verdict::Invalid, "constant expression required") ||
                     accepted_against(c, peer(c), Verdict::Invalid, "unknown global")))
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
  return any_const_expr(m, uses_bad);
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
  const LoadResult* w = accepted_against(c, peer(c), Verdict::Invalid, "unknown local ");
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
  return accepted_against(c, peer(c), Verdict::Invalid, "multiple memories");
}

// ---- binaryen-108-export-of-missing-item
// Spec 3.4.8 (exports): the exported function, table, memory or global must
// exist. Binaryen 108 accepts an export of a memory (or other item) the
// module does not have. Structural: some export names an index past its
// index space (whatever else is wrong with the module, Binaryen's "valid"
// is then wrong for this reason alone).
bool binaryen_missing_export(const RuleContext& c) {
  if (!accepted_against(c, peer(c), Verdict::Invalid, "") || !c.module) return false;
  const ast::Module& m = *c.module;
  auto count = [&](ExternKind k) {
    size_t defined = k == ExternKind::Func     ? m.funcs.size()
                     : k == ExternKind::Table  ? m.tables.size()
                     : k == ExternKind::Memory ? m.memories.size()
                                               : m.globals.size();
    return m.imported(k) + defined;
  };
  for (const ast::Export& e : m.exports)
    if (e.index >= count(e.kind)) return true;
  return false;
}

// ---- binaryen-108-declarative-segment-indices-unchecked
// Spec 3.4.6 (element segments), 3.3.x (ref.func): every item of every
// element segment, declarative ones included, names a function that exists
// ("unknown function"). Binaryen 108 and 132 drop a declarative segment as
// they read it, without checking its items, so `(elem declare func 7)` in a
// module with no functions is valid to them. Structural: a declarative
// segment has a `ref.func` item past the function index space.
bool binaryen_declarative_indices(const RuleContext& c) {
  if (!accepted_against(c, peer(c), Verdict::Invalid, "unknown function") || !c.module) return false;
  const ast::Module& m = *c.module;
  const size_t funcs = m.imported(ExternKind::Func) + m.funcs.size();
  for (const ast::ElemSegment& e : m.elems) {
    if (e.mode != ast::SegmentMode::Declarative) continue;
    for (const ast::Expr& x : e.init)
      if (!x.empty() && x[0].op == Op::RefFunc && x[0].a >= funcs) return true;
  }
  return false;
}

// ---- binaryen-108-data-without-memory
// Spec 3.4.7: an active data segment needs memory 0 ("unknown memory 0").
// Binaryen 108 accepts one in a module without memory. Structural.
bool binaryen_data_without_memory(const RuleContext& c) {
  if (!accepted_against(c, peer(c), Verdict::Invalid, "") || !c.module) return false;
  const ast::Module& m = *c.module;
  if (!m.memories.empty() || m.imported(ExternKind::Memory)) return false;
  for (const ast::DataSegment& d : m.datas)
    if (d.mode == ast::SegmentMode::Active) return true;
  return false;
}

// ---- binaryen-108-data-drop-needs-memory
// Spec 3.3.7 (data.drop x): valid when data segment x exists; no memory is
// needed (memory.init is the one that needs memory 0). Binaryen 108
// rejects data.drop in a module without memory ("Memory operations require
// a memory"). Found by --seed 9173. Structural: Binaryen alone rejects,
// the module has no memory, and a body holds data.drop.
bool binaryen_data_drop_needs_memory(const RuleContext& c) {
  if (!validation_against(c, peer(c)) || !c.module) return false;
  const LoadResult* w = load_of(c, "warden");
  if (!verdict_is(w, Verdict::Valid) || !says(load_of(c, peer(c)), "Memory operations require a memory")) return false;
  const ast::Module& m = *c.module;
  if (!m.memories.empty() || m.imported(ExternKind::Memory)) return false;
  return any_instr(m, [](const ast::Instr& i) { return i.op == Op::DataDrop; });
}

// ---- binaryen-108-untyped-select-on-references
// Spec 3.3.4: `select` without a type takes numeric or vector operands
// only; references need `select t`. Binaryen 108 accepts the untyped form
// on references. The rule requires Warden's error at an untyped select and
// V8's or wabt's account of reference operands.
bool binaryen_untyped_select(const RuleContext& c) {
  const ast::Instr* i = instr_at_error(c, accepted_against(c, peer(c), Verdict::Invalid, "type mismatch"));
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
  const ast::Instr* i = instr_at_error(c, accepted_against(c, peer(c), Verdict::Invalid, "global is immutable"));
  if (!i || i->op != Op::GlobalSet) return false;
  std::vector<bool> mut = global_mutability(*c.module);
  return i->a < mut.size() && !mut[i->a];
}

// ---- binaryen-108-table-set-funcref-into-externref
// Spec 3.3.6 (table.set x): the value must have table x's element type;
// funcref and externref are distinct types. Binaryen 108 accepts a funcref
// stored into an externref table (only there: an externref into a funcref
// table, or a funcref into an externref local, it rejects). Found by the
// campaign of seed 20261208. The rule requires Warden's error at a
// `table.set` of an externref table, and V8 or wabt saying the value found
// is a funcref.
bool binaryen_table_set_funcref(const RuleContext& c) {
  const ast::Instr* i = instr_at_error(c, accepted_against(c, peer(c), Verdict::Invalid, "type mismatch"));
  if (!i || i->op != Op::TableSet || !c.module) return false;
  std::vector<ValType> tables;
  for (const ast::Import& im : c.module->imports)
    if (im.kind == ExternKind::Table) tables.push_back(im.table.elem);
  for (const ast::TableType& t : c.module->tables) tables.push_back(t.elem);
  if (i->a >= tables.size() || tables[i->a] != ValType::ExternRef) return false;
  const LoadResult* v8 = load_of(c, "v8");
  const LoadResult* wabt = load_of(c, "wabt");
  return (says(v8, "table.set[1] expected type externref, found") && says(v8, "of type funcref")) ||
         says(wabt, "type mismatch in table.set, expected [i32, externref] but got [i32, funcref]");
}

// ---- binaryen-108-undeclared-function-reference
// Spec 3.4.10 (C.refs): `ref.func x` in a function body needs x declared by
// an element segment, an export or a global's initializer. Binaryen 108
// accepts it undeclared (found by scripts/conformance, ref_func.wast:108).
// Warden's error is at the `ref.func` itself.
bool binaryen_undeclared_ref_func(const RuleContext& c) {
  const ast::Instr* i =
      instr_at_error(c, accepted_against(c, peer(c), Verdict::Invalid, "undeclared function reference"));
  if (!i || i->op != Op::RefFunc || !c.module) return false;
  // C.refs, computed here rather than trusted to Warden: the functions an
  // export, a global's initializer, an element segment or a data offset
  // names. A declared function is Warden's error, not Binaryen's.
  const ast::Module& m = *c.module;
  auto names = [&](const ast::Expr& e) {
    for (const ast::Instr& x : e)
      if (x.op == Op::RefFunc && x.a == i->a) return true;
    return false;
  };
  for (const ast::Export& e : m.exports)
    if (e.kind == ExternKind::Func && e.index == i->a) return false;
  return !any_const_expr(m, names);
}

}  // namespace warden::diff::rules
