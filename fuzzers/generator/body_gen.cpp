// Function bodies, valid by construction. The generator keeps the same state
// the validator keeps (spec 3.3.12 "validation algorithm"): the operand type
// stack and the control frames with their label types, both as explicit
// vectors. Every instruction is emitted together with its stack effect, so
// what is emitted always type-checks.
//
// Stack-polymorphic code is avoided: after br, br_table, return or
// unreachable the current frame is closed at once.
#include <algorithm>
#include <array>
#include <initializer_list>
#include <optional>
#include <span>

#include "context.hpp"

namespace warden::gen {
namespace {

using ast::Instr;

constexpr uint32_t kCanonF32 = 0x7FC00000u;
constexpr uint64_t kCanonF64 = 0x7FF8000000000000ull;
// Guarded addresses: (addr & 0x7FFF) + offset (< 0x7FF0) + 16 bytes stays
// below 0x10000, inside the first page every guarded memory has.
constexpr uint32_t kAddrMask = 0x7FFF;
constexpr uint32_t kGuardedOffsetLimit = 0x7FF0;
// A branch back to a loop is taken at most this often per activation when
// guarded, so most calls return instead of burning all their fuel.
constexpr uint32_t kBackedgeLimit = 8;

uint32_t pow2_floor(uint32_t v) {
  uint32_t p = 1;
  while (p <= v / 2) p *= 2;
  return v == 0 ? 0 : p;
}

struct Frame {
  Op kind = Op::Nop;  // Block, Loop, If, Else (an if after its else), Nop (the function)
  std::vector<ValType> params, results;
  size_t height = 0;
  bool unreachable = false;
};

const std::vector<ValType>& label_types(const Frame& f) { return f.kind == Op::Loop ? f.params : f.results; }

class BodyGen {
 public:
  BodyGen(ModuleCtx& ctx, Input& in, uint32_t func_index, ast::Function& fn)
      : ctx_(ctx), cfg_(ctx.cfg), in_(in), fn_(fn), func_index_(func_index), type_(ctx.m.types[fn.type]) {}

  void run();

 private:
  // ---- emission with stack effects
  Instr& emit(Op op) {
    fn_.body.push_back(Instr{});
    fn_.body.back().op = op;
    return fn_.body.back();
  }
  void push(ValType t) { stack_.push_back(t); }
  void pop(size_t n = 1) { stack_.resize(stack_.size() - n); }
  ValType top() const { return stack_.back(); }
  size_t avail() const { return stack_.size() - frames_.back().height; }

  /// Emit a row with exact columns and apply its stack effect.
  void typed(Op op) {
    const OpInfo& o = info(op);
    emit(op);
    pop((o.p1 != Ty::_) + (o.p2 != Ty::_) + (o.p3 != Ty::_));
    if (o.result != Ty::_) push(val_of(o.result));
  }
  void i32_const(uint32_t v) {
    emit(Op::I32Const).lo = v;
    push(ValType::I32);
  }
  void int_const(ValType t, uint64_t v) {
    if (t == ValType::I32) return i32_const(static_cast<uint32_t>(v));
    emit(Op::I64Const).lo = v;
    push(ValType::I64);
  }
  void local_get(uint32_t i) {
    emit(Op::LocalGet).a = i;
    push(locals_[i]);
  }
  void local_set(uint32_t i) {
    emit(Op::LocalSet).a = i;
    pop();
  }
  void select_plain() {
    emit(Op::Select);
    pop(2);
  }

  uint32_t scratch(ValType t, uint32_t slot);
  uint32_t backedge_counter();
  bool guarded() { return cfg_.no_trap || cfg_.unguarded_one_in == 0 || !in_.chance(1, cfg_.unguarded_one_in); }
  ValType random_type() {
    if (in_.chance(2, 5)) return ValType::I32;
    return ctx_.value_types[in_.below(static_cast<uint32_t>(ctx_.value_types.size()))];
  }

  // ---- operands
  void push_value(ValType t);
  void prepare(std::span<const ValType> need);
  void prepare(std::initializer_list<ValType> need) { prepare(std::span<const ValType>(need.begin(), need.size())); }
  void fixup(const std::vector<ValType>& results);
  void spill(uint32_t depth, std::vector<ValType>& saved);
  void unspill(const std::vector<ValType>& saved);
  void mask_at(uint32_t depth, uint32_t mask);
  void replace_at(uint32_t depth, uint32_t value);
  template <typename F>
  void replace_with(uint32_t depth, F push_i32);

  // ---- edge operands (edge.hpp)
  bool edge_now() { return cfg_.edge_operand_one_in && in_.chance(1, cfg_.edge_operand_one_in); }
  void count(Edge e) { count_edge(ctx_, e); }
  void memory_bytes_plus(int64_t delta);
  void table_size_plus(uint32_t table, int64_t delta);
  void limit_minus_size(uint32_t limit, bool memory, uint32_t table);
  Edge bulk_edge(bool guard, bool overlap);
  void index_operand(uint32_t depth, uint32_t table, bool guard, uint32_t p);
  template <typename F>
  bool init_operands(Edge e, uint32_t seg_len, F push_end);
  void grow_delta(bool memory, uint32_t table);
  void guard_divisor(const OpInfo& o);
  void guard_trunc(const OpInfo& o);
  void canonicalise(NanCanon nan);

  // ---- structure
  void fuel_check();
  void close_frame(bool stop);
  void step();

  // ---- instruction families; false when not applicable here
  void gen_generic();
  void emit_generic(Op op);
  bool gen_local();
  bool gen_global();
  bool gen_select();
  bool gen_block();
  bool gen_branch();
  bool gen_call();
  bool gen_call_indirect();
  bool gen_memory();
  bool gen_table();
  bool gen_ref();

  ModuleCtx& ctx_;
  const GenConfig& cfg_;
  Input& in_;
  ast::Function& fn_;
  uint32_t func_index_;
  const FuncType& type_;
  // Parameters and declared locals, then scratch locals. Random choices see
  // only the first user_locals_, so inserting guards or canonicalisation
  // (which add scratch locals) never changes what else is generated.
  std::vector<ValType> locals_;
  uint32_t user_locals_ = 0;
  std::vector<ValType> stack_;
  std::vector<Frame> frames_;
  uint32_t budget_ = 0;
  std::vector<std::pair<uint32_t, uint32_t>> scratch_;  // (type << 8 | slot, local)
  std::optional<uint32_t> counter_;
};

uint32_t BodyGen::scratch(ValType t, uint32_t slot) {
  uint32_t key = uint32_t{static_cast<uint8_t>(t)} << 8 | slot;
  for (auto& [k, local] : scratch_)
    if (k == key) return local;
  locals_.push_back(t);
  uint32_t local = static_cast<uint32_t>(locals_.size() - 1);
  scratch_.push_back({key, local});
  return local;
}

uint32_t BodyGen::backedge_counter() {
  if (!counter_) {
    locals_.push_back(ValType::I32);
    counter_ = static_cast<uint32_t>(locals_.size() - 1);
  }
  return *counter_;
}

// ------------------------------------------------------------ operands ----

void BodyGen::push_value(ValType t) {
  // A local or global of the type keeps data flowing; a constant otherwise.
  uint32_t choice = in_.below(8);
  if (choice < 3) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < user_locals_; ++i) n += locals_[i] == t;
    if (n) {
      uint32_t k = in_.below(n);
      for (uint32_t i = 0; i < user_locals_; ++i)
        if (locals_[i] == t && k-- == 0) return local_get(i);
    }
  } else if (choice < 4) {
    uint32_t n = 0;
    for (auto& g : ctx_.globals) n += g.type == t;
    if (n) {
      uint32_t k = in_.below(n);
      for (uint32_t i = 0; i < ctx_.globals.size(); ++i)
        if (ctx_.globals[i].type == t && k-- == 0) {
          emit(Op::GlobalGet).a = i;
          return push(t);
        }
    }
  } else if (choice < 5 && t == ValType::FuncRef && ctx_.callable_funcs) {
    emit(Op::RefFunc).a = in_.below(ctx_.callable_funcs);
    return push(t);
  }
  fn_.body.push_back(const_instr(in_, t, ctx_));
  push(t);
}

// Make the top of the current frame's operands end with `need` (deepest
// first): reuse the longest run already there, push the rest.
void BodyGen::prepare(std::span<const ValType> need) {
  size_t have = avail();
  size_t k = std::min(have, need.size());
  for (; k > 0; --k)
    if (std::equal(need.begin(), need.begin() + static_cast<ptrdiff_t>(k), stack_.end() - static_cast<ptrdiff_t>(k)))
      break;
  for (size_t i = k; i < need.size(); ++i) push_value(need[i]);
}

// Make the current frame's operands exactly `results`.
void BodyGen::fixup(const std::vector<ValType>& results) {
  size_t h = frames_.back().height;
  size_t have = stack_.size() - h;
  size_t k = std::min(have, results.size());
  for (; k > 0; --k)
    if (std::equal(results.begin(), results.begin() + static_cast<ptrdiff_t>(k),
                   stack_.begin() + static_cast<ptrdiff_t>(h)))
      break;
  for (size_t i = k; i < have; ++i) {
    emit(Op::Drop);
    pop();
  }
  for (size_t i = k; i < results.size(); ++i) push_value(results[i]);
}

void BodyGen::spill(uint32_t depth, std::vector<ValType>& saved) {
  for (uint32_t i = 0; i < depth; ++i) {
    ValType t = top();
    saved.push_back(t);
    local_set(scratch(t, i + 1));
  }
}

void BodyGen::unspill(const std::vector<ValType>& saved) {
  for (size_t i = saved.size(); i-- > 0;) local_get(scratch(saved[i], static_cast<uint32_t>(i + 1)));
}

void BodyGen::mask_at(uint32_t depth, uint32_t mask) {
  std::vector<ValType> saved;
  spill(depth, saved);
  i32_const(mask);
  typed(Op::I32And);
  unspill(saved);
}

void BodyGen::replace_at(uint32_t depth, uint32_t value) {
  replace_with(depth, [&] { i32_const(value); });
}

// Replace the i32 operand `depth` values below the top by what push_i32
// emits (one i32, stack effect applied).
template <typename F>
void BodyGen::replace_with(uint32_t depth, F push_i32) {
  std::vector<ValType> saved;
  spill(depth, saved);
  emit(Op::Drop);
  pop();
  push_i32();
  unspill(saved);
}

// ---------------------------------------------------- edge operands ----

// The memory's current size in bytes plus delta, computed in the code
// (memory.size << 16), so it follows memory.grow: an access ending exactly
// at the end stays in bounds whatever the memory has grown to.
void BodyGen::memory_bytes_plus(int64_t delta) {
  emit(Op::MemorySize);
  push(ValType::I32);
  i32_const(16);
  typed(Op::I32Shl);
  if (delta == 0) return;
  i32_const(static_cast<uint32_t>(delta));
  typed(Op::I32Add);
}

void BodyGen::table_size_plus(uint32_t table, int64_t delta) {
  emit(Op::TableSize).a = table;
  push(ValType::I32);
  if (delta == 0) return;
  i32_const(static_cast<uint32_t>(delta));
  typed(Op::I32Add);
}

// limit - (current size), in pages or elements: the delta that grows a
// memory or table exactly to its declared maximum.
void BodyGen::limit_minus_size(uint32_t limit, bool memory, uint32_t table) {
  i32_const(limit);
  if (memory)
    emit(Op::MemorySize);
  else
    emit(Op::TableSize).a = table;
  push(ValType::I32);
  typed(Op::I32Sub);
}

// The class of a bulk operation's operands. Guarded operations get only
// in-bounds classes; unguarded ones the two that trap.
Edge BodyGen::bulk_edge(bool guard, bool overlap) {
  if (!edge_now()) return Edge::OperandPlain;
  if (guard) {
    uint32_t k = in_.below(overlap ? 3 : 2);
    return k == 0 ? Edge::BulkZeroAtEnd : k == 1 ? Edge::BulkFullRange : Edge::BulkOverlap;
  }
  return in_.chance(1, 2) ? Edge::BulkZeroPastEnd : Edge::BulkPastEnd;
}

// A table index (call_indirect, table.get, table.set) `depth` below the
// top: the last element or, unguarded, one past it or huge; else masked
// into the declared minimum (p, a power of two) when guarded.
void BodyGen::index_operand(uint32_t depth, uint32_t table, bool guard, uint32_t p) {
  Edge e = Edge::OperandPlain;
  if (op_enabled(cfg_, Op::TableSize) && (!guard || p) && edge_now()) {
    uint32_t k = guard ? 0 : in_.below(3);
    e = k == 0 ? Edge::AtEnd : k == 1 ? Edge::PastEnd : Edge::AddrHuge;
  }
  if (e == Edge::AtEnd || e == Edge::PastEnd)
    replace_with(depth, [&] { table_size_plus(table, e == Edge::AtEnd ? -1 : 0); });
  else if (e == Edge::AddrHuge)
    replace_at(depth, in_.chance(1, 2) ? 0x80000000u : 0xFFFFFFFFu);
  else if (guard && p)
    mask_at(depth, p - 1);
  count(e);
}

// The operands [d, s, n] of memory.init or table.init for class e, where
// push_end(delta) pushes the destination's size + delta and the segment
// holds seg_len items. False for a class that is not an init edge.
template <typename F>
bool BodyGen::init_operands(Edge e, uint32_t seg_len, F push_end) {
  switch (e) {
    case Edge::BulkZeroAtEnd:  // at the end of the destination and of the segment
      replace_with(2, [&] { push_end(0); });
      replace_at(1, seg_len);
      replace_at(0, 0);
      return true;
    case Edge::BulkFullRange:
      replace_at(2, 0);
      replace_at(1, 0);
      replace_at(0, seg_len);
      return true;
    case Edge::BulkZeroPastEnd:
      if (in_.chance(1, 2)) {
        replace_at(2, 0);
        replace_at(1, seg_len + 1);
      } else {
        replace_with(2, [&] { push_end(1); });
        replace_at(1, 0);
      }
      replace_at(0, 0);
      return true;
    case Edge::BulkPastEnd:
      replace_at(2, 0);
      replace_at(1, 0);
      replace_at(0, seg_len + 1);
      return true;
    default: return false;
  }
}

// The delta on top of a memory.grow or table.grow: 0, exactly to the
// maximum, one past it, or huge. Growing never traps (it returns -1).
void BodyGen::grow_delta(bool memory, uint32_t table) {
  std::optional<uint32_t> max = memory ? std::optional<uint32_t>(ctx_.memory_max_pages) : ctx_.tables[table].limits.max;
  if (!max) {
    // A table without a maximum: its type allows 2^32 - 1 elements, every
    // engine has a smaller limit of its own, and they differ (V8 and Warden
    // 10,000,000; Binaryen more). So the delta is always chosen here: 0, a
    // few elements, or exactly to 2^32 - 1 (which must fail, not abort).
    uint32_t k = in_.below(3);
    if (k == 0) {
      replace_at(0, 0);
      return count(Edge::GrowZero);
    }
    if (k == 1) {
      replace_at(0, in_.range(1, 16));
      return count(Edge::OperandPlain);
    }
    replace_with(0, [&] { limit_minus_size(0xFFFFFFFFu, false, table); });
    return count(Edge::GrowToMax);
  }
  if (!edge_now()) return count(Edge::OperandPlain);
  // Growing to a maximum costs its size in every engine: only small ones.
  uint32_t cap = memory ? 1024 : 100000;
  uint32_t k = in_.below(4);
  if ((k == 1 || k == 2) && (!max || *max > cap)) k = 3;
  switch (k) {
    case 0: replace_at(0, 0); return count(Edge::GrowZero);
    case 1:
    case 2:
      replace_with(0, [&] { limit_minus_size(*max + (k == 2 ? 1 : 0), memory, table); });
      return count(k == 1 ? Edge::GrowToMax : Edge::GrowPastMax);
    default: {
      static const uint32_t huge[] = {0x80000000u, 0xFFFFFFFFu, 0x10000u};
      replace_at(0, huge[in_.below(3)]);
      return count(Edge::GrowHuge);
    }
  }
}

// Divisor on top: make it non-zero, and for div_s also not -1 (the one
// overflowing quotient, spec 4.3.2 idiv_s).
void BodyGen::guard_divisor(const OpInfo& o) {
  ValType t = val_of(o.p2);
  bool wide = t == ValType::I64;
  if (o.name.ends_with("div_s")) {
    int_const(t, wide ? 0x7FFF'FFFF'FFFF'FFFFull : 0x7FFF'FFFFull);
    typed(wide ? Op::I64And : Op::I32And);
  }
  int_const(t, 1);
  typed(wide ? Op::I64Or : Op::I32Or);
}

// Float on top of a trapping truncation: NaN becomes 0, the rest is clamped
// into a range every target type holds (spec 4.3.2 trunc: undefined outside).
void BodyGen::guard_trunc(const OpInfo& o) {
  ValType f = val_of(o.p1);
  bool wide_int = o.result == Ty::I64;
  bool is_signed = o.name.ends_with("_s");
  double lo = is_signed ? (wide_int ? -9.0e18 : -2.0e9) : 0.0;
  double hi = wide_int ? (is_signed ? 9.0e18 : 1.8e19) : (is_signed ? 2.0e9 : 4.0e9);
  uint32_t s = scratch(f, 0);
  auto fconst = [&](double v) {
    if (f == ValType::F32) {
      float x = static_cast<float>(v);
      uint32_t bits;
      std::memcpy(&bits, &x, 4);
      emit(Op::F32Const).lo = bits;
    } else {
      uint64_t bits;
      std::memcpy(&bits, &v, 8);
      emit(Op::F64Const).lo = bits;
    }
    push(f);
  };
  bool single = f == ValType::F32;
  local_set(s);
  local_get(s);
  fconst(0.0);
  local_get(s);
  local_get(s);
  typed(single ? Op::F32Eq : Op::F64Eq);
  select_plain();
  fconst(lo);
  typed(single ? Op::F32Max : Op::F64Max);
  fconst(hi);
  typed(single ? Op::F32Min : Op::F64Min);
}

// The value on top came from an operator that may return any NaN (spec
// 4.3.3): replace NaN (per lane) by the canonical NaN.
void BodyGen::canonicalise(NanCanon nan) {
  if (nan == NanCanon::S || nan == NanCanon::D) {
    bool single = nan == NanCanon::S;
    ValType f = single ? ValType::F32 : ValType::F64;
    uint32_t s = scratch(f, 0);
    local_set(s);
    emit(single ? Op::F32Const : Op::F64Const).lo = single ? kCanonF32 : kCanonF64;
    push(f);
    local_get(s);
    local_get(s);
    local_get(s);
    typed(single ? Op::F32Ne : Op::F64Ne);
    select_plain();
    return;
  }
  bool four = nan == NanCanon::S4;
  uint32_t s = scratch(ValType::V128, 0);
  local_set(s);
  local_get(s);
  Instr& c = emit(Op::V128Const);
  c.lo = four ? (uint64_t{kCanonF32} << 32 | kCanonF32) : kCanonF64;
  c.hi = c.lo;
  push(ValType::V128);
  local_get(s);
  local_get(s);
  typed(four ? Op::F32x4Eq : Op::F64x2Eq);
  typed(Op::V128Bitselect);  // lanes equal to themselves keep their bits
}

// ----------------------------------------------------------- structure ----

// Spend one unit of the fuel global; trap when it is gone. Stack-neutral.
void BodyGen::fuel_check() {
  uint32_t g = ctx_.fuel_global;
  emit(Op::GlobalGet).a = g;
  emit(Op::I32Eqz);
  emit(Op::If).lo = static_cast<uint64_t>(ast::kBlockEmpty);
  emit(Op::Unreachable);
  emit(Op::End);
  emit(Op::GlobalGet).a = g;
  emit(Op::I32Const).lo = 1;
  emit(Op::I32Sub);
  emit(Op::GlobalSet).a = g;
}

void BodyGen::close_frame(bool stop) {
  Frame& f = frames_.back();
  if (!f.unreachable) fixup(f.results);
  if (f.kind == Op::If && (f.params != f.results || (!stop && in_.chance(1, 2)))) {
    emit(Op::Else);
    stack_.resize(f.height);
    stack_.insert(stack_.end(), f.params.begin(), f.params.end());
    f.kind = Op::Else;
    f.unreachable = false;
    return;
  }
  emit(Op::End);
  stack_.resize(f.height);
  std::vector<ValType> results = std::move(f.results);
  frames_.pop_back();
  stack_.insert(stack_.end(), results.begin(), results.end());
}

void BodyGen::run() {
  locals_ = type_.params;
  uint32_t declared = in_.below(cfg_.max_locals + 1);
  for (uint32_t i = 0; i < declared; ++i) locals_.push_back(random_type());
  user_locals_ = static_cast<uint32_t>(locals_.size());
  budget_ = in_.range(cfg_.max_instrs / 8, cfg_.max_instrs);

  frames_.push_back(Frame{Op::Nop, {}, type_.results, 0, false});
  fuel_check();
  while (!frames_.empty()) {
    bool stop = budget_ == 0 || in_.empty();
    if (frames_.back().unreachable || stop) {
      close_frame(stop);
      continue;
    }
    if (frames_.size() > 1 && in_.chance(1, 10)) {
      close_frame(false);
      continue;
    }
    --budget_;
    step();
  }

  // Declared locals, run-length encoded (spec 5.5.13).
  for (size_t i = type_.params.size(); i < locals_.size(); ++i) {
    if (!fn_.locals.empty() && fn_.locals.back().type == locals_[i])
      ++fn_.locals.back().count;
    else
      fn_.locals.push_back(ast::LocalDecl{1, locals_[i]});
  }
}

void BodyGen::step() {
  if (avail() > cfg_.max_stack) {
    if (in_.chance(1, 2)) {
      emit(Op::Drop);
      return pop();
    }
    const auto& list = ctx_.rows->by_first[slot_of(top())];
    if (!list.empty()) return emit_generic(list[in_.below(static_cast<uint32_t>(list.size()))]);
  }
  uint32_t r = in_.below(100);
  bool done = true;
  if (r < 36)
    gen_generic();
  else if (r < 46)
    push_value(random_type());
  else if (r < 54)
    done = gen_local();
  else if (r < 58)
    done = gen_global();
  else if (r < 61) {
    if (avail()) {
      emit(Op::Drop);
      pop();
    } else {
      done = false;
    }
  } else if (r < 65)
    done = gen_select();
  else if (r < 74)
    done = gen_block();
  else if (r < 80)
    done = gen_branch();
  else if (r < 81) {
    prepare(type_.results);
    emit(Op::Return);
    frames_.back().unreachable = true;
    stack_.resize(frames_.back().height);
  } else if (r < 86)
    done = gen_call();
  else if (r < 88)
    done = gen_call_indirect();
  else if (r < 92)
    done = gen_memory();
  else if (r < 96)
    done = gen_table();
  else if (r < 98)
    done = gen_ref();
  else if (r < 99 && !cfg_.no_trap && in_.chance(1, 8)) {
    emit(Op::Unreachable);
    frames_.back().unreachable = true;
    stack_.resize(frames_.back().height);
  } else {
    emit(Op::Nop);
  }
  if (!done) push_value(random_type());
}

// --------------------------------------------------- instruction families ----

void BodyGen::gen_generic() {
  const OpRows& rows = *ctx_.rows;
  if (rows.all.empty()) return push_value(ValType::I32);
  if (avail() && in_.chance(2, 3)) {
    const auto& list = rows.by_first[slot_of(top())];
    if (!list.empty()) return emit_generic(list[in_.below(static_cast<uint32_t>(list.size()))]);
  }
  emit_generic(rows.all[in_.below(static_cast<uint32_t>(rows.all.size()))]);
}

void BodyGen::emit_generic(Op op) {
  const OpInfo& o = info(op);
  std::array<ValType, 3> operands{};  // in place: a vector each was a third of generation's allocations
  size_t n = 0;
  for (Ty t : {o.p1, o.p2, o.p3})
    if (t != Ty::_) operands[n++] = val_of(t);
  const std::span<const ValType> need(operands.data(), n);
  prepare(need);

  bool guard = false;
  if (o.cls == OpClass::Trap || o.cls == OpClass::Load || o.cls == OpClass::Store) guard = guarded();
  if (o.cls == OpClass::Trap && guard) {
    if (o.p1 == Ty::F32 || o.p1 == Ty::F64)
      guard_trunc(o);
    else
      guard_divisor(o);
  }
  Instr ins;
  ins.op = op;
  if (o.cls == OpClass::Load || o.cls == OpClass::Store) {
    uint32_t depth = static_cast<uint32_t>(need.size() - 1);  // the address
    ins.a = in_.below(uint32_t{o.arg} + 1);                   // alignment exponent <= natural
    Edge e = Edge::OperandPlain;
    if (edge_now()) {
      uint32_t k = guard ? 0 : in_.below(3);
      e = k == 0 ? Edge::AtEnd : k == 1 ? Edge::PastEnd : Edge::AddrHuge;
    }
    if (guard || e == Edge::AtEnd || e == Edge::PastEnd) {
      ins.b = in_.chance(1, 2) ? in_.below(64) : in_.below(kGuardedOffsetLimit);
    } else {
      uint32_t k = in_.below(4);
      ins.b = k == 0 ? in_.u32() : k == 1 ? in_.below(0x20000) : in_.below(256);
    }
    if (e == Edge::AtEnd || e == Edge::PastEnd) {
      // Every 2.0 access is as wide as its natural alignment (spec 5.4.6).
      int64_t width = int64_t{1} << o.arg;
      int64_t delta = -width - static_cast<int64_t>(ins.b) + (e == Edge::PastEnd ? 1 : 0);
      replace_with(depth, [&] { memory_bytes_plus(delta); });
    } else if (e == Edge::AddrHuge) {
      uint32_t k = in_.below(3);
      replace_at(depth, k == 0 ? 0x80000000u : k == 1 ? 0xFFFFFFFFu : 0xFFFFFFFFu - static_cast<uint32_t>(ins.b));
    } else if (guard) {
      mask_at(depth, kAddrMask);
    }
    count(e);
    if (o.imm == Imm::MemLane) ins.lane = static_cast<uint8_t>(in_.below(16u >> o.arg));
  } else if (o.imm == Imm::Lane) {
    ins.lane = static_cast<uint8_t>(in_.below(o.arg));
  } else if (o.imm == Imm::Shuffle) {
    for (int i = 0; i < 8; ++i) ins.lo |= uint64_t{in_.below(32)} << (8 * i);
    for (int i = 0; i < 8; ++i) ins.hi |= uint64_t{in_.below(32)} << (8 * i);
  }
  fn_.body.push_back(ins);
  pop(need.size());
  if (o.result != Ty::_) push(val_of(o.result));
  if (cfg_.canonical_nan && o.nan != NanCanon::_) canonicalise(o.nan);
}

bool BodyGen::gen_local() {
  uint32_t kind = in_.below(10);
  if (user_locals_ == 0) return false;
  uint32_t i = in_.below(user_locals_);
  if (kind < 4) {
    local_get(i);
    return true;
  }
  ValType t = locals_[i];
  prepare({t});
  if (kind < 7) {
    local_set(i);
  } else {
    emit(Op::LocalTee).a = i;  // stack unchanged: pops t, pushes t
  }
  return true;
}

bool BodyGen::gen_global() {
  uint32_t n = static_cast<uint32_t>(ctx_.globals.size());
  if (in_.chance(1, 2)) {
    uint32_t g = in_.below(n);
    emit(Op::GlobalGet).a = g;
    push(ctx_.globals[g].type);
    return true;
  }
  // global.set on a mutable global other than the fuel counter.
  uint32_t start = in_.below(n);
  for (uint32_t k = 0; k < n; ++k) {
    uint32_t g = (start + k) % n;
    if (!ctx_.globals[g].mut || g == ctx_.fuel_global) continue;
    prepare({ctx_.globals[g].type});
    emit(Op::GlobalSet).a = g;
    pop();
    return true;
  }
  return false;
}

bool BodyGen::gen_select() {
  ValType t = avail() ? top() : random_type();
  bool typed_select = is_ref(t) || (op_enabled(cfg_, Op::SelectT) && in_.chance(1, 4));
  if (typed_select && !op_enabled(cfg_, Op::SelectT)) return false;
  prepare({t, t, ValType::I32});
  if (edge_now()) {
    // Engines that test a condition's low bit or byte take these wrongly.
    static const uint32_t conds[] = {0, 1, 2, 0x100, 0x80000000u, 0xFFFFFFFFu};
    replace_at(0, conds[in_.below(6)]);
    count(Edge::SelectCond);
  } else {
    count(Edge::OperandPlain);
  }
  if (typed_select) {
    Instr& s = emit(Op::SelectT);
    s.b = 1;
    s.a = static_cast<uint8_t>(t);
  } else {
    emit(Op::Select);
  }
  pop(2);  // condition and one operand; the other is now the result
  return true;
}

bool BodyGen::gen_block() {
  if (frames_.size() > cfg_.max_nesting) return false;
  uint32_t k = in_.below(3);
  Op kind = k == 0 ? Op::Block : k == 1 ? Op::Loop : Op::If;
  Frame f;
  f.kind = kind;
  int64_t bt = ast::kBlockEmpty;
  uint32_t shape = in_.below(10);
  if (shape >= 3 && shape < 6) {
    ValType t = random_type();
    f.results = {t};
    bt = ast::block_of(t);
  } else if (shape >= 6 && cfg_.multi_value && !ctx_.m.types.empty()) {
    uint32_t ti = in_.below(static_cast<uint32_t>(ctx_.m.types.size()));
    f.params = ctx_.m.types[ti].params;
    f.results = ctx_.m.types[ti].results;
    bt = ti;
  }
  std::vector<ValType> need = f.params;
  if (kind == Op::If) need.push_back(ValType::I32);
  prepare(need);
  emit(kind).lo = static_cast<uint64_t>(bt);
  pop(need.size());
  f.height = stack_.size();
  stack_.insert(stack_.end(), f.params.begin(), f.params.end());
  frames_.push_back(std::move(f));
  if (kind == Op::Loop) fuel_check();
  return true;
}

bool BodyGen::gen_branch() {
  uint32_t kind = in_.below(10);  // 0-2 br, 3-7 br_if, 8-9 br_table
  uint32_t depth_count = static_cast<uint32_t>(frames_.size());
  uint32_t d = in_.below(depth_count);
  auto frame_at = [&](uint32_t depth) -> const Frame& { return frames_[frames_.size() - 1 - depth]; };
  bool unconditional = kind < 3 || kind >= 8;
  // An unconditional branch back to a loop spins until fuel runs out; keep
  // it rare by retargeting to the function frame, which is never a loop.
  if (unconditional && frame_at(d).kind == Op::Loop && in_.chance(7, 8)) d = depth_count - 1;
  std::vector<ValType> labels = label_types(frame_at(d));

  if (kind < 3) {
    prepare(labels);
    emit(Op::Br).a = d;
  } else if (kind < 8) {
    std::vector<ValType> need = labels;
    need.push_back(ValType::I32);
    prepare(need);
    if (frame_at(d).kind == Op::Loop && guarded()) {
      // condition && ++counter < limit
      uint32_t c = backedge_counter();
      local_get(c);
      i32_const(1);
      typed(Op::I32Add);
      emit(Op::LocalTee).a = c;
      i32_const(kBackedgeLimit);
      typed(Op::I32LtU);
      typed(Op::I32And);
    }
    emit(Op::BrIf).a = d;
    pop();
    return true;
  } else {
    std::vector<uint32_t> same;
    for (uint32_t k = 0; k < depth_count; ++k)
      if (label_types(frame_at(k)) == labels && (frame_at(k).kind != Op::Loop || in_.chance(1, 8))) same.push_back(k);
    std::vector<ValType> need = labels;
    need.push_back(ValType::I32);
    prepare(need);
    uint32_t n = in_.below(5);
    if (edge_now()) {
      // n labels then the default: the last label, the first index past
      // them (the default), and indices no engine may wrap or truncate.
      uint32_t k = in_.below(3);
      uint32_t index = k == 0 ? (n ? n - 1 : 0) : k == 1 ? n : (in_.chance(1, 2) ? 0x80000000u : 0xFFFFFFFFu);
      replace_at(0, index);
      count(k == 0 ? Edge::BrTableLast : k == 1 ? Edge::BrTablePast : Edge::BrTableHuge);
    } else {
      count(Edge::OperandPlain);
    }
    Instr& bt = emit(Op::BrTable);
    bt.a = static_cast<uint32_t>(fn_.br_targets.size());
    bt.b = n + 1;
    for (uint32_t i = 0; i < n; ++i)
      fn_.br_targets.push_back(same.empty() ? d : same[in_.below(static_cast<uint32_t>(same.size()))]);
    fn_.br_targets.push_back(d);
  }
  frames_.back().unreachable = true;
  stack_.resize(frames_.back().height);
  return true;
}

bool BodyGen::gen_call() {
  uint32_t n = ctx_.callable_funcs;
  if (n == 0) return false;
  // Mostly call forward (or imports) so call chains end; recursion is
  // still generated now and then, bounded by fuel.
  uint32_t imported = ctx_.m.imported(ExternKind::Func);
  uint32_t callee;
  uint32_t forward = func_index_ + 1 < n ? n - func_index_ - 1 : 0;
  if (in_.chance(1, 8) || imported + forward == 0) {
    callee = in_.below(n);
  } else {
    uint32_t k = in_.below(imported + forward);
    callee = k < imported ? k : func_index_ + 1 + (k - imported);
  }
  const FuncType& ft = ctx_.m.types[ctx_.func_types[callee]];
  prepare(ft.params);
  emit(Op::Call).a = callee;
  pop(ft.params.size());
  stack_.insert(stack_.end(), ft.results.begin(), ft.results.end());
  return true;
}

bool BodyGen::gen_call_indirect() {
  if (cfg_.no_trap) return false;
  std::vector<uint32_t> candidates;
  for (uint32_t t = 0; t < ctx_.tables.size(); ++t)
    if (ctx_.tables[t].elem == ValType::FuncRef) candidates.push_back(t);
  if (candidates.empty()) return false;
  uint32_t table = candidates[in_.below(static_cast<uint32_t>(candidates.size()))];
  uint32_t ti;
  if (ctx_.callable_funcs && in_.chance(3, 4)) {
    ti = ctx_.func_types[in_.below(ctx_.callable_funcs)];  // a type some function has
  } else {
    ti = in_.below(static_cast<uint32_t>(ctx_.m.types.size()));
  }
  const FuncType& ft = ctx_.m.types[ti];
  std::vector<ValType> need = ft.params;
  need.push_back(ValType::I32);
  prepare(need);
  uint32_t p = pow2_floor(ctx_.tables[table].limits.min);
  bool guard = p && guarded();
  index_operand(0, table, guard, p);
  Instr& ci = emit(Op::CallIndirect);
  ci.a = ti;
  ci.b = table;
  pop(need.size());
  stack_.insert(stack_.end(), ft.results.begin(), ft.results.end());
  return true;
}

bool BodyGen::gen_memory() {
  if (!ctx_.has_memory) return false;
  uint32_t k = in_.below(10);
  bool bulk = cfg_.bulk_memory;
  const std::vector<ValType> three{ValType::I32, ValType::I32, ValType::I32};
  auto at_end = [&](int64_t delta) { return [this, delta] { memory_bytes_plus(delta); }; };
  if (k < 2 || (!bulk && k < 6)) {
    emit(Op::MemorySize);
    push(ValType::I32);
  } else if (k < 4 || !bulk) {
    prepare({ValType::I32});
    grow_delta(true, 0);  // declared maxima bound the growth
    typed(Op::MemoryGrow);
  } else if (k < 6) {
    prepare(three);  // [d, value, n]
    bool guard = guarded();
    Edge e = bulk_edge(guard, false);
    uint32_t n = in_.range(1, 64);
    switch (e) {
      case Edge::BulkZeroAtEnd:
      case Edge::BulkZeroPastEnd:
        replace_with(2, at_end(e == Edge::BulkZeroPastEnd ? 1 : 0));
        replace_at(0, 0);
        break;
      case Edge::BulkFullRange:
        replace_at(2, 0);
        replace_with(0, at_end(0));
        break;
      case Edge::BulkPastEnd:
        replace_with(2, at_end(1 - static_cast<int64_t>(n)));
        replace_at(0, n);
        break;
      default:
        if (guard) {
          mask_at(2, kAddrMask);
          mask_at(0, kAddrMask);
        }
    }
    count(e);
    typed(Op::MemoryFill);
  } else if (k < 8) {
    prepare(three);  // [d, s, n]
    bool guard = guarded();
    Edge e = bulk_edge(guard, true);
    uint32_t n = in_.range(1, 64);
    bool up = in_.chance(1, 2);  // which operand is at (or past) the end
    switch (e) {
      case Edge::BulkZeroAtEnd:
        replace_with(2, at_end(0));
        replace_with(1, at_end(0));
        replace_at(0, 0);
        break;
      case Edge::BulkZeroPastEnd:
        replace_with(up ? 2 : 1, at_end(1));
        replace_at(up ? 1 : 2, 0);
        replace_at(0, 0);
        break;
      case Edge::BulkFullRange:
        replace_at(2, 0);
        replace_at(1, 0);
        replace_with(0, at_end(0));
        break;
      case Edge::BulkPastEnd:
        replace_with(up ? 2 : 1, at_end(1 - static_cast<int64_t>(n)));
        replace_at(up ? 1 : 2, 0);
        replace_at(0, n);
        break;
      case Edge::BulkOverlap: {
        // Both ranges in the first page, `shift` bytes apart: a copy that
        // goes the wrong direction reads what it has just written.
        uint32_t base = in_.below(0x4000), shift = in_.range(1, 64), len = in_.range(shift, 0x200);
        replace_at(2, up ? base + shift : base);
        replace_at(1, up ? base : base + shift);
        replace_at(0, len);
        break;
      }
      default:
        if (guard) {
          mask_at(2, kAddrMask);
          mask_at(1, kAddrMask);
          mask_at(0, kAddrMask);
        }
    }
    count(e);
    typed(Op::MemoryCopy);
  } else {
    uint32_t nd = static_cast<uint32_t>(ctx_.datas.size());
    if (nd == 0) return false;
    uint32_t x = in_.below(nd);
    bool guard = guarded();
    if (k == 9 && !guard) {
      emit(Op::DataDrop).a = x;
      return true;
    }
    prepare(three);  // [d, s, n]
    const SegInfo& s = ctx_.datas[x];
    // Active segments are dropped once instantiated (spec 4.5.4): length 0.
    uint32_t seg_len = s.mode == ast::SegmentMode::Passive ? s.length : 0;
    Edge e = bulk_edge(guard, false);
    if (!init_operands(e, seg_len, [&](int64_t delta) { memory_bytes_plus(delta); }) && guard) {
      uint32_t len = std::min(seg_len, kAddrMask);
      uint32_t n = in_.below(len + 1);
      mask_at(2, kAddrMask);
      replace_at(1, in_.below(len - n + 1));
      replace_at(0, n);
    }
    count(e);
    emit(Op::MemoryInit).a = x;
    pop(3);
  }
  return true;
}

bool BodyGen::gen_table() {
  uint32_t nt = static_cast<uint32_t>(ctx_.tables.size());
  if (nt == 0) return false;
  uint32_t x = in_.below(nt);
  const ast::TableType& tt = ctx_.tables[x];
  ValType et = tt.elem;
  uint32_t p = pow2_floor(tt.limits.min);
  uint32_t k = in_.below(16);
  const std::vector<ValType> three{ValType::I32, ValType::I32, ValType::I32};
  auto pair_mask = [](uint32_t pw) { return pw >= 2 ? pw / 2 - 1 : 0; };
  Op op;
  if (k < 3)
    op = Op::TableGet;
  else if (k < 6)
    op = Op::TableSet;
  else if (k < 7)
    op = Op::TableSize;
  else if (k < 8)
    op = Op::TableGrow;
  else if (k < 10)
    op = Op::TableFill;
  else if (k < 12)
    op = Op::TableCopy;
  else if (k < 15)
    op = Op::TableInit;
  else
    op = Op::ElemDrop;
  if (!op_enabled(cfg_, op)) return false;
  bool guard = guarded();
  if (cfg_.no_trap && p == 0 && op != Op::TableSize && op != Op::TableGrow) return false;

  switch (op) {
    case Op::TableGet:
      prepare({ValType::I32});
      index_operand(0, x, guard, p);
      emit(op).a = x;
      pop();
      push(et);
      return true;
    case Op::TableSet:
      prepare({ValType::I32, et});
      index_operand(1, x, guard, p);
      emit(op).a = x;
      pop(2);
      return true;
    case Op::TableSize:
      emit(op).a = x;
      push(ValType::I32);
      return true;
    case Op::TableGrow:
      prepare({et, ValType::I32});
      grow_delta(false, x);
      emit(op).a = x;
      pop(2);
      push(ValType::I32);
      return true;
    case Op::TableFill:
      prepare({ValType::I32, et, ValType::I32});  // [i, value, n]
      switch (Edge e = bulk_edge(guard, false); e) {
        case Edge::BulkZeroAtEnd:
        case Edge::BulkZeroPastEnd:
          replace_with(2, [&] { table_size_plus(x, e == Edge::BulkZeroPastEnd ? 1 : 0); });
          replace_at(0, 0);
          count(e);
          break;
        case Edge::BulkFullRange:
        case Edge::BulkPastEnd:
          replace_at(2, e == Edge::BulkPastEnd ? 1 : 0);
          replace_with(0, [&] { table_size_plus(x, 0); });
          count(e);
          break;
        default:
          if (guard) {
            mask_at(2, pair_mask(p));
            mask_at(0, pair_mask(p));
          }
          count(Edge::OperandPlain);
      }
      emit(op).a = x;
      pop(3);
      return true;
    case Op::TableCopy: {
      std::vector<uint32_t> same;
      for (uint32_t y = 0; y < nt; ++y)
        if (ctx_.tables[y].elem == et) same.push_back(y);
      uint32_t y = same[in_.below(static_cast<uint32_t>(same.size()))];
      uint32_t m = pair_mask(pow2_floor(std::min(tt.limits.min, ctx_.tables[y].limits.min)));
      prepare(three);  // [d (in x), s (in y), n]
      Edge e = bulk_edge(guard, x == y && tt.limits.min >= 2);
      if (e == Edge::BulkFullRange && x != y) e = Edge::BulkZeroAtEnd;  // sizes may differ
      switch (e) {
        case Edge::BulkZeroAtEnd:
          replace_with(2, [&] { table_size_plus(x, 0); });
          replace_with(1, [&] { table_size_plus(y, 0); });
          replace_at(0, 0);
          break;
        case Edge::BulkFullRange:
          replace_at(2, 0);
          replace_at(1, 0);
          replace_with(0, [&] { table_size_plus(x, 0); });
          break;
        case Edge::BulkOverlap: {
          bool up = in_.chance(1, 2);
          replace_at(2, up ? 1 : 0);
          replace_at(1, up ? 0 : 1);
          replace_with(0, [&] { table_size_plus(x, -1); });
          break;
        }
        case Edge::BulkZeroPastEnd:
          replace_with(2, [&] { table_size_plus(x, 1); });
          replace_at(1, 0);
          replace_at(0, 0);
          break;
        case Edge::BulkPastEnd:
          replace_at(2, 0);
          replace_at(1, 1);
          replace_with(0, [&] { table_size_plus(y, 0); });
          break;
        default:
          if (guard) {
            mask_at(2, m);
            mask_at(1, m);
            mask_at(0, m);
          }
      }
      count(e);
      Instr& i = emit(op);
      i.a = x;
      i.b = y;
      pop(3);
      return true;
    }
    case Op::TableInit:
    case Op::ElemDrop: {
      std::vector<uint32_t> segs;
      for (uint32_t e = 0; e < ctx_.elems.size(); ++e)
        if (ctx_.elems[e].type == et) segs.push_back(e);
      if (segs.empty()) return false;
      uint32_t e = segs[in_.below(static_cast<uint32_t>(segs.size()))];
      if (op == Op::ElemDrop) {
        if (guard) return false;  // a dropped segment makes later inits trap
        emit(op).a = e;
        return true;
      }
      prepare(three);  // [d, s, n]
      const SegInfo& s = ctx_.elems[e];
      uint32_t seg_len = s.mode == ast::SegmentMode::Passive ? s.length : 0;
      Edge edge = bulk_edge(guard, false);
      if (edge == Edge::BulkFullRange && seg_len > tt.limits.min) edge = Edge::BulkZeroAtEnd;
      if (!init_operands(edge, seg_len, [&](int64_t delta) { table_size_plus(x, delta); }) && guard) {
        uint32_t m = pair_mask(p);
        uint32_t len = s.mode == ast::SegmentMode::Passive ? std::min(s.length, m + 1) : 0;
        uint32_t n = in_.below(len + 1);
        mask_at(2, m);
        replace_at(1, in_.below(s.mode == ast::SegmentMode::Passive ? s.length - n + 1 : 1));
        replace_at(0, n);
      }
      count(edge);
      Instr& i = emit(op);
      i.a = e;
      i.b = x;
      pop(3);
      return true;
    }
    default: return false;
  }
}

bool BodyGen::gen_ref() {
  if (!cfg_.reference_types) return false;
  uint32_t k = in_.below(3);
  ValType t = in_.chance(1, 2) ? ValType::FuncRef : ValType::ExternRef;
  if (k == 0) {
    emit(Op::RefNull).a = static_cast<uint8_t>(t);
    push(t);
  } else if (k == 1) {
    if (avail() && is_ref(top())) t = top();
    prepare({t});
    emit(Op::RefIsNull);
    pop();
    push(ValType::I32);
  } else {
    if (ctx_.callable_funcs == 0) return false;
    emit(Op::RefFunc).a = in_.below(ctx_.callable_funcs);
    push(ValType::FuncRef);
  }
  return true;
}

}  // namespace

void generate_body(ModuleCtx& ctx, Input& in, uint32_t func_index, ast::Function& fn) {
  BodyGen(ctx, in, func_index, fn).run();
}

}  // namespace warden::gen
