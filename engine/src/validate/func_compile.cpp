// Function bodies: the validation algorithm of the spec's appendix A.3 and,
// in the same pass, compilation to the word code of code.hpp.
//
// The operand stack holds types (kAny for the appendix's Unknown) and, for
// each value, the slot offset just above it; in reachable code every type is
// known, so those offsets are exactly the run-time slot layout. The control
// stack is an explicit vector: nesting never recurses on the host stack.
//
// Code is emitted only while the current frame is "live": entered from
// reachable code and not yet made unreachable by br/br_table/return/
// unreachable. Dead code is still validated, but emits nothing.
//
// Forward branches (to a block's or an if's end) are patched when the end is
// reached. The words awaiting one frame's end pc form a chain threaded
// through the code itself: each holds the index of the previous one, so
// patching needs no allocation.
#include <algorithm>
#include <array>
#include <optional>
#include <span>

#include "decode/expr.hpp"
#include "validate/context.hpp"

namespace warden::valid {
namespace {

using code::XOp;

constexpr uint64_t kNone = ~uint64_t{0};

// Single-type block results point into this array (spans must not point into
// the control stack, which moves as it grows).
constexpr ValType kAllTypes[] = {ValType::I32,  ValType::I64,     ValType::F32,      ValType::F64,
                                 ValType::V128, ValType::FuncRef, ValType::ExternRef};

constexpr ValType from_ty(Ty t) {
  switch (t) {
    case Ty::I32: return ValType::I32;
    case Ty::I64: return ValType::I64;
    case Ty::F32: return ValType::F32;
    case Ty::F64: return ValType::F64;
    case Ty::V128: return ValType::V128;
    case Ty::_: break;
  }
  return kAny;
}

// How step() takes an instruction, from its row alone.
enum class Route : uint8_t {
  Typed,     // the row's types are all there is to check: Num and Trap rows, constants
  Variable,  // local.* and global.* (Imm::Local, Imm::Global): variable()
  Other,     // control, parametric, table, reference, memory and lane rows
};
constexpr Route route_of(const OpInfo& o) {
  if (o.cls == OpClass::Num || o.cls == OpClass::Trap) return Route::Typed;  // no immediate (checked below)
  if (o.cls == OpClass::Other) {
    switch (o.imm) {
      case Imm::I32:
      case Imm::I64:
      case Imm::F32:
      case Imm::F64:
      case Imm::V128: return Route::Typed;
      case Imm::Local:
      case Imm::Global: return Route::Variable;
      default: break;
    }
  }
  return Route::Other;
}

// The table's operand and result columns as value types, for apply():
// the operands in order, popped in one check when all are present.
struct Signature {
  ValType params[3];  // never kAny: Ty has no Unknown
  uint8_t count;
  ValType result;  // kAny: none
  Route route;
  uint32_t forms;  // bit f: code::fusable(op, f), asked once per row here rather than per instruction
};
static_assert(code::kForms <= 32);
constexpr std::array<Signature, kOpCount> kSignatures = [] {
  std::array<Signature, kOpCount> t{};
  for (uint16_t i = 0; i < kOpCount; ++i) {
    const OpInfo& o = kOpInfo[i];
    Signature s{{kAny, kAny, kAny}, 0, from_ty(o.result), route_of(o), 0};
    for (Ty p : {o.p1, o.p2, o.p3}) {
      if (p != Ty::_) s.params[s.count++] = from_ty(p);
    }
    for (int f = 0; f < code::kForms; ++f) {
      if (code::fusable(static_cast<Op>(i), f)) s.forms |= uint32_t{1} << f;
    }
    t[i] = s;
  }
  return t;
}();

// step() takes the Typed route before plain()'s immediate checks. That is
// sound because a constant's immediate (any bits) needs no check, and
// route_of takes every Num and Trap row as having none: checked here
// against the table, so that a row added with an immediate (a lane, a
// memarg) cannot be routed past its check.
constexpr bool num_rows_have_no_immediate() {
  for (const OpInfo& o : kOpInfo)
    if ((o.cls == OpClass::Num || o.cls == OpClass::Trap) && o.imm != Imm::None) return false;
  return true;
}
static_assert(num_rows_have_no_immediate());

// code::fusable(op, form), read from the table's bits.
bool has_form(Op op, int form) { return (kSignatures[static_cast<uint16_t>(op)].forms >> form) & 1; }

constexpr bool is_num(ValType t) {
  return t == ValType::I32 || t == ValType::I64 || t == ValType::F32 || t == ValType::F64 || t == kAny;
}
constexpr bool is_vec(ValType t) { return t == ValType::V128 || t == kAny; }

// Slots of a value on the operand stack; Unknown only occurs in dead code,
// where any width will do.
constexpr uint32_t width(ValType t) { return t == ValType::V128 ? 2 : 1; }

uint32_t slot_count(std::span<const ValType> ts) {
  uint32_t n = 0;
  for (ValType t : ts) n += width(t);
  return n;
}

struct Val {
  ValType type;
  uint32_t top;  // slot offset from fp just above this value
};

// A run of locals of one type (a parameter, or one declaration of the body,
// spec 5.5.13): local `first + k` is at slot `slot + k * width(type)`. Runs
// rather than one entry per local, so that a count the input claims costs
// nothing until a local is used.
struct LocalRun {
  uint32_t first;
  uint32_t slot;
  ValType type;
};

struct Frame {
  Op kind;  // Block, Loop, If, Else; the function's own frame is a Block
  std::span<const ValType> params, results;
  uint32_t height;       // operand-stack entries below the params
  uint32_t base;         // slot offset below the params
  uint32_t label_slots;  // slots a branch to this frame carries
  bool unreachable;
  bool emit;       // entered from live code
  uint64_t chain;  // words awaiting this frame's end pc, or kNone
  uint64_t fixup;  // loop: header pc; if: the JumpIfZero target word

  std::span<const ValType> labels() const { return kind == Op::Loop ? params : results; }
};

// Instructions arrive one at a time, from the tree (load_syntax) or from the
// decoder as it reads them (Module::load): either way step() sees each
// once, and nothing the size of a body is held besides the code.
class Compiler {
 public:
  // The stacks and the code start at sizes most bodies stay within: one
  // allocation each per module instead of a chain of doublings for the
  // first body (each of which costs more under the fuzzers' ASan).
  Compiler(const Context& c, const Limits& limits, code::CompiledCode& out, bool emit)
      : c_(c), limits_(limits), out_(out), emit_(emit) {
    vals_.reserve(32);
    ctrl_.reserve(8);
    flat_.reserve(32);
    if (emit_) code_.reserve(256);
  }
  Result<code::CompiledFunc> compile(const ast::Function& f);
  Result<code::CompiledFunc> compile(const ast::Function& f, decode_detail::InstrReader& in);

 private:
  // The locals and the function's own frame; an error for a bad type or
  // too many locals.
  std::optional<Error> begin(const ast::Function& f);
  // The code, copied into the module's CompiledCode, and the frame's shape.
  code::CompiledFunc finish(const ast::Function& f);

  // ---- errors
  bool fail(std::string msg, ErrorKind kind = ErrorKind::Invalid) {
    err_ = Error{kind, std::move(msg), pos_};
    return false;
  }
  bool mismatch() { return fail("type mismatch"); }

  // ---- operand stack (appendix A.3)
  uint32_t height() const {
    const Frame& f = ctrl_.back();
    return vals_.size() > f.height ? vals_.back().top : f.base;
  }
  bool live() const { return ctrl_.back().emit && !ctrl_.back().unreachable; }
  void push(ValType t) {
    uint32_t top = height() + width(t);
    vals_.push_back({t, top});
    if (live()) max_ = std::max(max_, top - local_slots_);
  }
  // Block types, calls and branches move up to limits.max_params values at
  // once; these two do it without a push or pop per value.
  void push_vals(std::span<const ValType> ts) {
    uint32_t top = height();
    for (ValType t : ts) {
      top += width(t);
      vals_.push_back({t, top});
    }
    if (live() && !ts.empty()) max_ = std::max(max_, top - local_slots_);
  }
  bool pop_any(ValType& out) {
    const Frame& f = ctrl_.back();
    if (vals_.size() == f.height) {
      if (!f.unreachable) return mismatch();
      out = kAny;
      return true;
    }
    out = vals_.back().type;
    vals_.pop_back();
    return true;
  }
  bool pop(ValType expect, ValType* got = nullptr) {
    ValType t = kAny;
    if (!pop_any(t)) return false;
    if (t != expect && t != kAny && expect != kAny) return mismatch();
    if (got) *got = t;
    return true;
  }
  bool pop_vals(std::span<const ValType> ts) {
    const size_t n = ts.size(), size = vals_.size();
    if (size - ctrl_.back().height >= n) {  // all present: no Unknowns to make up
      const Val* v = vals_.data() + (size - n);
      for (size_t i = 0; i < n; ++i) {
        if (v[i].type != ts[i] && v[i].type != kAny && ts[i] != kAny) return mismatch();
      }
      cut_to(size - n);
      return true;
    }
    for (size_t i = n; i-- > 0;) {
      if (!pop(ts[i])) return false;
    }
    return true;
  }
  // vals_.resize(n) for n <= size(), without resize's growing path (which
  // keeps it out of line).
  void cut_to(size_t n) { vals_.erase(vals_.begin() + static_cast<ptrdiff_t>(n), vals_.end()); }
  void set_unreachable() {
    cut_to(ctrl_.back().height);
    ctrl_.back().unreachable = true;
  }

  // ---- control stack
  bool block_type(const ast::Instr& in, std::span<const ValType>& params, std::span<const ValType>& results);
  bool push_ctrl(Op kind, std::span<const ValType> params, std::span<const ValType> results);
  Frame* label(uint32_t depth) {
    if (depth >= ctrl_.size()) {
      fail(unknown("label", depth));
      return nullptr;
    }
    return &ctrl_[ctrl_.size() - 1 - depth];
  }

  // ---- emission
  //
  // The last four ops emitted since the last fence are remembered, so
  // that an operator can absorb the local.get and const words that fed it
  // (two) and still see the op before them (swap_fuse), a local.set can
  // absorb the operator before it (code.hpp, fused ops), and two local.gets
  // that no fusion took are still in view when that is certain
  // (pair_gets). A fence is set wherever a branch may land: fusion never
  // reaches back across a pc that some branch targets.
  void emit(uint64_t w) { code_.push_back(w); }
  void emit_op(uint16_t w) {
    if (!may_give_back(w)) pair_gets();
    if (nlast_ == kLast) {
      std::copy(last_ + 1, last_ + kLast, last_);
      nlast_ = kLast - 1;
    }
    last_[nlast_++] = {code_.size(), w};
    code_.push_back(word(w));
  }
  // The op word for number `w` (code.hpp): what Context::op_words maps it to.
  uint64_t word(uint16_t w) const { return c_.op_words ? c_.op_words[w] : w; }
  void emit_op(Op op) { emit_op(code::op_word(op)); }
  void emit_op(XOp op) { emit_op(code::op_word(op)); }
  void fence() { nlast_ = 0; }
  // The current pc as a branch target.
  uint64_t here() {
    fence();
    return code_.size();
  }
  // The k-th op back (0 = the last) if it is `w`, else nullptr.
  const uint64_t* last_is(uint32_t k, uint16_t w) const {
    if (k >= nlast_ || last_[nlast_ - 1 - k].word != w) return nullptr;
    return &code_[last_[nlast_ - 1 - k].pc];
  }
  bool try_fuse(const ast::Instr& in);
  bool swap_fuse(const ast::Instr& in);
  static bool may_give_back(uint16_t w);
  void pair_gets();
  bool fuse_result(int mode);
  // The target pc of a branch to `t`: known for a loop, chained otherwise.
  // A target word holds the distance from itself to the target (code.hpp).
  void emit_target(Frame& t) {
    const uint64_t at = code_.size();
    if (t.kind == Op::Loop) {
      emit(0);
      set_target(at, t.fixup);
    } else {
      emit(t.chain);
      t.chain = at;
    }
  }
  void emit_branch(Frame& t) {
    emit_target(t);
    emit(t.base);
    emit(t.label_slots);
  }
  void set_target(uint64_t at, uint64_t pc) { code_[at] = pc - at; }
  void patch(uint64_t chain, uint64_t pc) {
    while (chain != kNone) {
      uint64_t next = code_[chain];
      set_target(chain, pc);
      chain = next;
    }
  }
  void emit_plain(const ast::Instr& in);

  // ---- instructions
  bool step(const ast::Instr& in);
  bool control(const ast::Instr& in);
  bool br_table(const ast::Instr& in);
  bool variable(const ast::Instr& in);
  bool table_op(const ast::Instr& in);
  bool plain(const ast::Instr& in);
  // The row's types, then the code: for rows with no immediate to check,
  // or after plain() has checked it.
  bool typed(const ast::Instr& in, const Signature& sig);
  // pop_vals(sig's operands) and push(sig's result), in place when every
  // operand is on the stack (nearly always): the result takes the first
  // operand's entry.
  bool apply(const Signature& sig);
  bool need_table(uint32_t x) { return x < c_.tables.size() || fail(unknown("table", x)); }
  bool need_memory() { return c_.memories > 0 || fail(unknown("memory", 0)); }
  bool need_elem(uint32_t x) { return x < c_.elems.size() || fail(unknown("elem segment", x)); }
  bool need_data(uint32_t x) { return x < c_.datas || fail(unknown("data segment", x)); }
  bool need_func(uint32_t x) { return x < c_.func_types.size() || fail(unknown("function", x)); }

  const Context& c_;
  const Limits& limits_;
  code::CompiledCode& out_;
  const bool emit_;                   // false: validate only, every frame as if entered from dead code
  std::span<const uint32_t> br_all_;  // br_table label lists: Instr::a indexes these
  std::optional<Error> err_;
  uint32_t pos_ = 0;

  std::vector<Val> vals_;
  std::vector<Frame> ctrl_;
  std::vector<LocalRun> locals_;
  struct FlatLocal {
    ValType type;
    uint32_t slot;
  };
  // At most this many a function: every body pays for filling them, even
  // one that uses no local, and a body takes 4 bytes of module at least.
  static constexpr uint32_t kFlatLocals = 256;
  std::vector<FlatLocal> flat_;  // locals_ by index, up to kFlatLocals
  uint32_t local_count_ = 0;
  std::vector<ValType> scratch_;
  std::vector<uint8_t> seen_;  // br_table: label depths checked (all 0 between uses)
  std::vector<uint64_t> code_;
  struct Emitted {
    uint64_t pc;
    uint16_t word;  // the op's number; code_[pc] holds word(word)
  };
  static constexpr uint32_t kLast = 4;
  Emitted last_[kLast] = {};
  uint32_t nlast_ = 0;
  uint32_t local_slots_ = 0;
  uint32_t param_slots_ = 0;
  uint32_t max_ = 0;
};

std::optional<Error> Compiler::begin(const ast::Function& f) {
  err_.reset();
  pos_ = f.pos;
  vals_.clear();
  ctrl_.clear();
  locals_.clear();
  seen_.clear();
  code_.clear();
  fence();
  max_ = 0;
  if (f.type >= c_.m->types.size()) return invalid(unknown("type", f.type), f.pos);
  const FuncType& ft = c_.m->types[f.type];

  // Locals (spec 3.4.1): parameters first. Bound the count before
  // anything depends on it; 2^28 keeps the slot arithmetic below in range.
  uint64_t count = ft.params.size();
  for (const ast::LocalDecl& d : f.locals) count += d.count;
  if (count > limits_.max_locals || count > (1u << 28)) {
    return Error{ErrorKind::Exhaustion, "too many locals", f.pos};
  }
  uint32_t slot = 0;
  local_count_ = 0;
  flat_.clear();
  auto add_run = [&](uint32_t n, ValType t) {
    if (n == 0) return;
    locals_.push_back({local_count_, slot, t});
    // The first kFlatLocals locals also by index, so that local.get/set/tee
    // (a quarter of all instructions) find theirs in one load instead of a
    // binary search over the runs. Bounded: the count is the input's claim.
    for (uint32_t k = 0; k < n && flat_.size() < kFlatLocals; ++k) flat_.push_back({t, slot + k * width(t)});
    local_count_ += n;
    slot += n * width(t);
  };
  for (ValType t : ft.params) add_run(1, t);
  param_slots_ = slot;
  for (const ast::LocalDecl& d : f.locals) {
    if (!is_valtype(d.type)) return invalid("type mismatch", f.pos);
    add_run(d.count, d.type);
  }
  local_slots_ = slot;

  const uint32_t result_slots = slot_count(ft.results);
  ctrl_.push_back(Frame{Op::Block, {}, ft.results, 0, local_slots_, result_slots, false, emit_, kNone, kNone});
  if (emit_) emit_op(XOp::Fuel);
  return std::nullopt;
}

code::CompiledFunc Compiler::finish(const ast::Function& f) {
  code::CompiledFunc out;
  if (emit_) {
    out.code = out_.add(code_);
    // code_ keeps its capacity for the next body, unless it grew past
    // what functions share a chunk at (code.hpp): that scratch, at least
    // as large as the body's code and up to twice, would stay resident to
    // the end of the load (docs/performance.md, "A skewed module's load").
    if (code_.capacity() > code::CompiledCode::kOwnChunkPast) {
      code_ = std::vector<uint64_t>();
      code_.reserve(256);
    }
  }
  out.type = f.type;
  out.param_slots = param_slots_;
  out.local_slots = local_slots_;
  out.result_slots = slot_count(c_.m->types[f.type].results);
  out.max_stack = max_;
  return out;
}

Result<code::CompiledFunc> Compiler::compile(const ast::Function& f) {
  if (std::optional<Error> e = begin(f)) return *e;
  br_all_ = f.br_targets;
  for (size_t i = 0; i < f.body.size(); ++i) {
    const ast::Instr& in = f.body[i];
    pos_ = in.pos;
    if (ctrl_.empty()) {
      return Error{ErrorKind::Malformed, "END opcode expected", in.pos};
    }
    if (!step(in)) return *err_;
  }
  if (!ctrl_.empty()) {
    uint32_t at = f.body.empty() ? f.pos : f.body.back().pos;
    return Error{ErrorKind::Malformed, "END opcode expected", at};
  }
  return finish(f);
}

Result<code::CompiledFunc> Compiler::compile(const ast::Function& f, decode_detail::InstrReader& in) {
  if (std::optional<Error> e = begin(f)) return *e;
  // The decoder's nesting matches the control stack's: both end at the
  // body's final end.
  ast::Instr instr;
  while (!ctrl_.empty()) {
    // A malformed byte: the decoder reports it, ahead of any validation
    // error, so this placeholder is never seen.
    if (!in.next(instr)) return Error{ErrorKind::Malformed, "malformed function body", pos_};
    pos_ = instr.pos;
    if (instr.op == Op::BrTable) br_all_ = in.targets();
    if (!step(instr)) return *err_;
  }
  return finish(f);
}

bool Compiler::block_type(const ast::Instr& in, std::span<const ValType>& params, std::span<const ValType>& results) {
  const int64_t bt = static_cast<int64_t>(in.lo);
  params = {};
  results = {};
  if (bt == ast::kBlockEmpty) return true;
  if (bt < 0) {
    if (bt < -128) return fail("malformed block type", ErrorKind::Malformed);
    const ValType t = ast::block_valtype(bt);
    for (const ValType& k : kAllTypes) {
      if (k == t) {
        results = std::span<const ValType>(&k, 1);
        return true;
      }
    }
    return fail("malformed block type", ErrorKind::Malformed);
  }
  if (static_cast<uint64_t>(bt) >= c_.m->types.size()) return fail(unknown("type", in.lo));
  const FuncType& ft = c_.m->types[static_cast<size_t>(bt)];
  params = ft.params;
  results = ft.results;
  return true;
}

bool Compiler::push_ctrl(Op kind, std::span<const ValType> params, std::span<const ValType> results) {
  // The function's own frame is not a nested block.
  if (ctrl_.size() > limits_.max_nesting) return fail("nesting too deep", ErrorKind::Exhaustion);
  Frame f{kind, params, results, static_cast<uint32_t>(vals_.size()), height(), 0, false, live(), kNone, kNone};
  f.label_slots = slot_count(f.labels());
  ctrl_.push_back(f);
  push_vals(params);
  return true;
}

bool Compiler::step(const ast::Instr& in) {
  // load_syntax takes any tree; only the decoder and parser are sure
  // to produce opcodes that index the table.
  if (static_cast<uint16_t>(in.op) >= kOpCount) return fail("illegal opcode", ErrorKind::Malformed);
  const Signature& sig = kSignatures[static_cast<uint16_t>(in.op)];
  // The common rows first, without the switch's indirect jump.
  if (sig.route == Route::Typed) return typed(in, sig);
  if (sig.route == Route::Variable) return variable(in);
  if (info(in.op).cls == OpClass::Ctrl) return control(in);
  switch (in.op) {
    case Op::Drop: {
      ValType t = kAny;
      if (!pop_any(t)) return false;
      if (live()) {
        emit_op(Op::Drop);
        if (t == ValType::V128) emit_op(Op::Drop);
      }
      return true;
    }
    case Op::Select: {  // spec 3.3.4: untyped select only for num/vec
      ValType t1 = kAny, t2 = kAny;
      if (!pop(ValType::I32) || !pop_any(t1) || !pop_any(t2)) return false;
      if (!((is_num(t1) && is_num(t2)) || (is_vec(t1) && is_vec(t2)))) return mismatch();
      if (t1 != t2 && t1 != kAny && t2 != kAny) return mismatch();
      const ValType t = t1 == kAny ? t2 : t1;
      if (live()) emit_op(t == ValType::V128 ? code::op_word(XOp::Select128) : code::op_word(Op::Select));
      push(t);
      return true;
    }
    case Op::SelectT: {
      if (in.b != 1) return fail("invalid result arity");
      const ValType t = static_cast<ValType>(in.a);
      if (!is_valtype(t)) return fail("malformed value type", ErrorKind::Malformed);
      if (!pop(ValType::I32) || !pop(t) || !pop(t)) return false;
      if (live()) emit_op(t == ValType::V128 ? code::op_word(XOp::Select128) : code::op_word(Op::SelectT));
      push(t);
      return true;
    }
    case Op::LocalGet:
    case Op::LocalSet:
    case Op::LocalTee:
    case Op::GlobalGet:
    case Op::GlobalSet: return variable(in);
    case Op::TableGet:
    case Op::TableSet:
    case Op::TableSize:
    case Op::TableGrow:
    case Op::TableFill:
    case Op::TableCopy:
    case Op::TableInit:
    case Op::ElemDrop: return table_op(in);
    case Op::RefNull: {
      const ValType t = static_cast<ValType>(in.a);
      if (!is_ref(t)) return fail("malformed reference type", ErrorKind::Malformed);
      if (live()) emit_op(Op::RefNull);
      push(t);
      return true;
    }
    case Op::RefIsNull: {
      ValType t = kAny;
      if (!pop_any(t)) return false;
      if (!is_ref(t) && t != kAny) return mismatch();
      if (live()) emit_op(Op::RefIsNull);
      push(ValType::I32);
      return true;
    }
    case Op::RefFunc: {
      if (!need_func(in.a)) return false;
      if (!c_.declared[in.a]) return fail("undeclared function reference");
      if (live()) {
        emit_op(Op::RefFunc);
        emit(in.a);
      }
      push(ValType::FuncRef);
      return true;
    }
    default: return plain(in);
  }
}

// The rows typed by their table columns that have an immediate to check
// first: Load, Store, and the Other rows with a fixed signature
// (memory.*, data.drop, lanes, shuffle). The rest of such rows (Num, Trap,
// constants) go from step() to typed() directly.
bool Compiler::plain(const ast::Instr& in) {
  const OpInfo& o = info(in.op);
  // Immediates first, as the reference interpreter checks them.
  if (o.cls == OpClass::Load || o.cls == OpClass::Store) {  // spec 3.3.7
    if (!need_memory()) return false;
    if (in.a > o.arg) return fail("alignment must not be larger than natural");
    if (o.imm == Imm::MemLane && in.lane >= (16u >> o.arg)) return fail("invalid lane index");
  } else {
    switch (in.op) {
      case Op::MemorySize:
      case Op::MemoryGrow:
      case Op::MemoryCopy:
      case Op::MemoryFill:
        if (!need_memory()) return false;
        break;
      case Op::MemoryInit:
        if (!need_memory() || !need_data(in.a)) return false;
        break;
      case Op::DataDrop:
        if (!need_data(in.a)) return false;
        break;
      default: break;
    }
    if (o.imm == Imm::Lane && in.lane >= o.arg) return fail("invalid lane index");
    if (o.imm == Imm::Shuffle) {
      for (int i = 0; i < 8; ++i) {
        if (((in.lo >> (8 * i)) & 0xFF) >= 32 || ((in.hi >> (8 * i)) & 0xFF) >= 32) {
          return fail("invalid lane index");
        }
      }
    }
  }
  return typed(in, kSignatures[static_cast<uint16_t>(in.op)]);
}

bool Compiler::typed(const ast::Instr& in, const Signature& sig) {
  if (!apply(sig)) return false;
  if (live() && !(sig.forms != 0 && try_fuse(in))) emit_plain(in);
  return true;
}

bool Compiler::apply(const Signature& sig) {
  const size_t n = sig.count, size = vals_.size();
  const Frame& f = ctrl_.back();
  if (size - f.height < n) {  // operands missing: Unknowns or an error
    if (!pop_vals(std::span<const ValType>(sig.params, n))) return false;
    if (sig.result != kAny) push(sig.result);
    return true;
  }
  Val* v = vals_.data() + (size - n);
  for (size_t i = 0; i < n; ++i) {
    if (v[i].type != sig.params[i] && v[i].type != kAny) return mismatch();
  }
  if (sig.result == kAny) {
    cut_to(size - n);
    return true;
  }
  const uint32_t below = size - n > f.height ? v[-1].top : f.base;
  const Val r{sig.result, below + width(sig.result)};
  if (n == 0) {
    vals_.push_back(r);
  } else {
    v[0] = r;
    cut_to(size - n + 1);
  }
  if (live()) max_ = std::max(max_, r.top - local_slots_);
  return true;
}

void Compiler::emit_plain(const ast::Instr& in) {
  emit_op(in.op);
  switch (info(in.op).imm) {
    case Imm::Mem: emit(in.b); break;
    case Imm::MemLane:
      emit(in.b);
      emit(in.lane);
      break;
    case Imm::Lane: emit(in.lane); break;
    case Imm::I32:
    case Imm::I64:
    case Imm::F32:
    case Imm::F64: emit(in.lo); break;
    case Imm::V128:
    case Imm::Shuffle:
      emit(in.lo);
      emit(in.hi);
      break;
    case Imm::Func:
    case Imm::Table:
    case Imm::Elem:
    case Imm::Data:
    case Imm::DataZero: emit(in.a); break;
    case Imm::CallInd:
    case Imm::TableTable:
    case Imm::ElemTable:
      emit(in.a);
      emit(in.b);
      break;
    default: break;
  }
}

bool Compiler::variable(const ast::Instr& in) {  // spec 3.3.5
  const bool is_local = in.op == Op::LocalGet || in.op == Op::LocalSet || in.op == Op::LocalTee;
  ValType t = kAny;
  uint64_t imm = 0;
  if (is_local) {
    if (in.a < flat_.size()) {
      t = flat_[in.a].type;
      imm = flat_[in.a].slot;
    } else {
      if (in.a >= local_count_) return fail(unknown("local", in.a));
      // The last run starting at or before the index.
      auto run = std::upper_bound(locals_.begin(), locals_.end(), in.a,
                                  [](uint32_t x, const LocalRun& r) { return x < r.first; });
      --run;
      t = run->type;
      imm = run->slot + uint64_t{in.a - run->first} * width(t);
    }
  } else {
    if (in.a >= c_.globals.size()) return fail(unknown("global", in.a));
    t = c_.globals[in.a].type;
    imm = in.a;
    if (in.op == Op::GlobalSet && !c_.globals[in.a].mut) return fail("global is immutable");
  }
  if (in.op != Op::LocalGet && in.op != Op::GlobalGet && !pop(t)) return false;
  if (live()) {
    const bool wide = t == ValType::V128;
    if ((in.op == Op::LocalSet || in.op == Op::LocalTee) &&
        fuse_result(in.op == Op::LocalSet ? code::kSet : code::kTee)) {
      emit(imm);  // the operator just emitted writes the local itself
    } else {
      switch (in.op) {
        case Op::LocalGet: emit_op(wide ? code::op_word(XOp::LocalGet128) : code::op_word(in.op)); break;
        case Op::LocalSet: emit_op(wide ? code::op_word(XOp::LocalSet128) : code::op_word(in.op)); break;
        case Op::LocalTee: emit_op(wide ? code::op_word(XOp::LocalTee128) : code::op_word(in.op)); break;
        case Op::GlobalGet: emit_op(wide ? code::op_word(XOp::GlobalGet128) : code::op_word(in.op)); break;
        default: emit_op(wide ? code::op_word(XOp::GlobalSet128) : code::op_word(in.op)); break;
      }
      emit(imm);
    }
  }
  if (in.op != Op::LocalSet && in.op != Op::GlobalSet) push(t);
  return true;
}

bool Compiler::table_op(const ast::Instr& in) {  // spec 3.3.6
  const ValType I32 = ValType::I32;
  switch (in.op) {
    case Op::TableGet:
      if (!need_table(in.a) || !pop(I32)) return false;
      if (live()) emit_plain(in);
      push(c_.tables[in.a]);
      return true;
    case Op::TableSet:
      if (!need_table(in.a) || !pop(c_.tables[in.a]) || !pop(I32)) return false;
      break;
    case Op::TableSize:
      if (!need_table(in.a)) return false;
      if (live()) emit_plain(in);
      push(I32);
      return true;
    case Op::TableGrow:
      if (!need_table(in.a) || !pop(I32) || !pop(c_.tables[in.a])) return false;
      if (live()) emit_plain(in);
      push(I32);
      return true;
    case Op::TableFill:
      if (!need_table(in.a) || !pop(I32) || !pop(c_.tables[in.a]) || !pop(I32)) return false;
      break;
    case Op::TableCopy:  // a = destination, b = source
      if (!need_table(in.a) || !need_table(in.b)) return false;
      if (c_.tables[in.a] != c_.tables[in.b]) return mismatch();
      if (!pop(I32) || !pop(I32) || !pop(I32)) return false;
      break;
    case Op::TableInit:  // a = element segment, b = table
      if (!need_table(in.b) || !need_elem(in.a)) return false;
      if (c_.tables[in.b] != c_.elems[in.a]) return mismatch();
      if (!pop(I32) || !pop(I32) || !pop(I32)) return false;
      break;
    default:  // ElemDrop
      if (!need_elem(in.a)) return false;
      break;
  }
  if (live()) emit_plain(in);
  return true;
}

bool Compiler::control(const ast::Instr& in) {  // spec 3.3.8, appendix A.3
  switch (in.op) {
    case Op::Nop: return true;
    case Op::Unreachable:
      if (live()) emit_op(Op::Unreachable);
      set_unreachable();
      return true;
    case Op::Block:
    case Op::Loop: {
      std::span<const ValType> params, results;
      if (!block_type(in, params, results) || !pop_vals(params)) return false;
      if (!push_ctrl(in.op, params, results)) return false;
      Frame& f = ctrl_.back();
      if (in.op == Op::Loop && f.emit) {
        // Branches back land on the Fuel word, so every iteration pays.
        f.fixup = here();
        emit_op(XOp::Fuel);
      }
      return true;
    }
    case Op::If: {
      std::span<const ValType> params, results;
      if (!block_type(in, params, results) || !pop(ValType::I32) || !pop_vals(params)) return false;
      uint64_t fixup = kNone;
      if (live()) {
        if (!fuse_result(code::kBrZ)) emit_op(XOp::JumpIfZero);
        fixup = code_.size();
        emit(kNone);
      }
      if (!push_ctrl(Op::If, params, results)) return false;
      ctrl_.back().fixup = fixup;
      return true;
    }
    case Op::Else: {
      Frame& f = ctrl_.back();
      if (f.kind != Op::If) return fail("END opcode expected", ErrorKind::Malformed);
      if (!pop_vals(f.results)) return false;
      if (vals_.size() != f.height) return mismatch();
      if (f.emit) {
        if (!f.unreachable) {  // the then-arm jumps over the else-arm
          emit_op(XOp::Jump);
          emit_target(f);
        }
        if (f.fixup != kNone) set_target(f.fixup, here());
        f.fixup = kNone;
      }
      f.kind = Op::Else;
      f.unreachable = false;
      push_vals(f.params);
      return true;
    }
    case Op::End: {
      Frame& f = ctrl_.back();
      if (!pop_vals(f.results)) return false;
      if (vals_.size() != f.height) return mismatch();
      // An if without else has an implicit else-arm: [t1*] -> [t2*] must
      // hold for the empty sequence.
      if (f.kind == Op::If && !std::equal(f.params.begin(), f.params.end(), f.results.begin(), f.results.end())) {
        return mismatch();
      }
      const Frame done = f;
      ctrl_.pop_back();
      if (ctrl_.empty()) {  // the function's end (spec 3.4.1)
        if (done.emit) {
          patch(done.chain, here());
          emit_op(Op::Return);
        }
        return true;
      }
      if (done.emit) {
        if (done.kind == Op::If && done.fixup != kNone) set_target(done.fixup, here());
        patch(done.chain, here());
      }
      push_vals(done.results);
      return true;
    }
    case Op::Br: {
      Frame* t = label(in.a);
      if (!t || !pop_vals(t->labels())) return false;
      if (live()) {
        if (t == &ctrl_[0]) {
          emit_op(Op::Return);
        } else if (height() == t->base) {  // values already in place
          emit_op(XOp::Jump);
          emit_target(*t);
        } else {
          emit_op(XOp::BrMove);
          emit_branch(*t);
        }
      }
      set_unreachable();
      return true;
    }
    case Op::BrIf: {
      Frame* t = label(in.a);
      if (!t || !pop(ValType::I32) || !pop_vals(t->labels())) return false;
      if (live()) {
        if (height() == t->base) {  // values already in place
          if (!fuse_result(code::kBrNZ)) emit_op(XOp::JumpIfNonZero);
          emit_target(*t);
        } else {
          emit_op(XOp::BrIfMove);
          emit_branch(*t);
        }
      }
      push_vals(t->labels());
      return true;
    }
    case Op::BrTable: return br_table(in);
    case Op::Return:
      if (!pop_vals(ctrl_[0].results)) return false;
      if (live()) emit_op(Op::Return);
      set_unreachable();
      return true;
    case Op::Call: {
      if (!need_func(in.a)) return false;
      const FuncType& ft = c_.func_type(in.a);
      if (!pop_vals(ft.params)) return false;
      if (live()) {
        emit_op(Op::Call);
        emit(in.a);
      }
      push_vals(ft.results);
      return true;
    }
    case Op::CallIndirect: {  // a = type index, b = table index
      if (!need_table(in.b)) return false;
      if (in.a >= c_.m->types.size()) return fail(unknown("type", in.a));
      if (c_.tables[in.b] != ValType::FuncRef) return mismatch();
      const FuncType& ft = c_.m->types[in.a];
      if (!pop(ValType::I32) || !pop_vals(ft.params)) return false;
      if (live()) emit_plain(in);
      push_vals(ft.results);
      return true;
    }
    default: return fail("illegal opcode", ErrorKind::Malformed);
  }
}

// br_table (spec 3.3.8): every label must have the default's arity, and the
// operands must match each label's types. On a polymorphic stack each target
// is checked against the values popped for the previous ones.
bool Compiler::br_table(const ast::Instr& in) {
  const std::span<const uint32_t> all = br_all_;
  if (in.b == 0 || in.a > all.size() || all.size() - in.a < in.b) {
    return fail("malformed br_table", ErrorKind::Malformed);
  }
  const std::span<const uint32_t> targets(all.data() + in.a, in.b);
  for (uint32_t d : targets) {
    if (!label(d)) return false;
  }
  if (!pop(ValType::I32)) return false;
  const size_t arity = label(targets.back())->labels().size();
  // A label that was checked once passes again (the pops below leave the
  // stack as they found it, refined to that label's types), so each depth
  // is checked once: the work is bounded by the nesting depth times the
  // arity, not by the number of targets times the arity.
  if (seen_.size() < ctrl_.size()) seen_.resize(ctrl_.size(), 0);
  for (uint32_t d : targets) {
    const std::span<const ValType> lt = label(d)->labels();
    if (lt.size() != arity) return mismatch();
    if (seen_[d]) continue;
    seen_[d] = 1;
    scratch_.resize(lt.size());
    for (size_t i = lt.size(); i-- > 0;) {
      if (!pop(lt[i], &scratch_[i])) return false;
    }
    push_vals(scratch_);
  }
  for (uint32_t d : targets) seen_[d] = 0;
  if (live()) {
    emit_op(XOp::BrTableMove);
    emit(targets.size() - 1);
    for (uint32_t d : targets) emit_branch(*label(d));
  }
  set_unreachable();
  return true;
}

// A const op's number: what try_fuse takes as a constant operand.
constexpr bool const_word(uint16_t w) {
  return w == code::op_word(Op::I32Const) || w == code::op_word(Op::I64Const) || w == code::op_word(Op::F32Const) ||
         w == code::op_word(Op::F64Const) || w == code::op_word(Op::V128Const);
}
// The form of a fused op's number w >= kFuseBase (code.hpp, fused_word).
constexpr int fused_form(uint16_t w) { return (w - code::kFuseBase) % code::kForms; }

// Operand fusion (code.hpp): `in` is an operator whose operands were
// just popped. If the ops that pushed them are the last ones emitted (no
// fence between), they are taken back and their slots or constants become
// the fused op's immediates.
bool Compiler::try_fuse(const ast::Instr& in) {
  // The op that pushes a local of type `t` (a v128 takes two slots).
  auto get = [](Ty t) { return t == Ty::V128 ? code::op_word(XOp::LocalGet128) : code::op_word(Op::LocalGet); };
  auto is_const = [&](uint32_t k) -> const uint64_t* {
    if (k >= nlast_ || !const_word(last_[nlast_ - 1 - k].word)) return nullptr;
    return &code_[last_[nlast_ - 1 - k].pc];
  };
  const OpInfo& o = info(in.op);
  const bool binary = o.cls == OpClass::Store || o.p2 != Ty::_;
  // The last operand: a local or a constant.
  const uint64_t* last = last_is(0, get(binary ? o.p2 : o.p1));
  const bool last_local = last != nullptr;
  if (!last && !(last = is_const(0))) return swap_fuse(in);
  int src = last_local ? code::kStackLocal : code::kStackConst;
  const uint64_t* first = last;  // the earliest op taken back
  // The operand words: a local's slot, or a constant's one word (two for a
  // v128.const, which validation has typed as the second operand, a v128).
  const bool wide_const = !last_local && last_is(0, code::op_word(Op::V128Const));
  if (binary && !last_local && wide_const != (o.p2 == Ty::V128)) return false;
  const int last_words = wide_const ? 2 : 1;
  uint64_t imm[3] = {last[1], last_words == 2 ? last[2] : 0, 0};
  int nimm = last_words;
  if (!binary) {
    src = last_local ? code::kLocals : -1;
  } else if (const uint64_t* x = last_is(1, get(o.p1))) {  // the first operand a local too
    src = last_local ? code::kLocals : code::kLocalConst;
    first = x;
    imm[2] = imm[1];
    imm[1] = imm[0];
    imm[0] = x[1];
    ++nimm;
  }
  if (src < 0 || !has_form(in.op, code::form(src, code::kPush))) return false;
  code_.resize(static_cast<size_t>(first - code_.data()));
  nlast_ -= first == last ? 1 : 2;  // forget what was taken back; an op before it stays
  emit_op(code::fused_word(in.op, code::form(src, code::kPush)));
  for (int k = 0; k < nimm; ++k) emit(imm[k]);
  if (o.cls == OpClass::Load || o.cls == OpClass::Store) emit(in.b);  // the offset
  return true;
}

// A commutative operator whose first operand a local.get pushed just
// before the op that pushed its second, where that op reads no stack slot
// (a fused form whose operands are all locals or constants): `local.get x;
// F; op` becomes `F; op(stack, x)`. The same value (the table's Comm), one
// dispatch and one operand's trip through the stack fewer; F reads only
// immediates and locals, so reading x after it instead of before changes
// nothing, and sp ends where the unfused sequence leaves it.
bool Compiler::swap_fuse(const ast::Instr& in) {
  if (!info(in.op).commutative || nlast_ < 2) return false;
  const Ty t = info(in.op).p1;
  const Emitted x = last_[nlast_ - 2], f = last_[nlast_ - 1];
  const uint16_t get = t == Ty::V128 ? code::op_word(XOp::LocalGet128) : code::op_word(Op::LocalGet);
  if (x.word != get || f.word < code::kFuseBase) return false;
  const int form = fused_form(f.word);
  const int src = code::src_of(form);
  if (code::mode_of(form) != code::kPush || (src != code::kLocals && src != code::kLocalConst)) return false;
  const int to = code::form(code::kStackLocal, code::kPush);
  if (!has_form(in.op, to)) return false;
  const uint64_t slot = code_[x.pc + 1];
  code_.erase(code_.begin() + static_cast<ptrdiff_t>(x.pc), code_.begin() + static_cast<ptrdiff_t>(f.pc));
  --nlast_;
  last_[nlast_ - 1] = {x.pc, f.word};
  emit_op(code::fused_word(in.op, to));
  emit(slot);
  return true;
}

// Whether a fusion may still take back the ops emitted before op `w`:
// try_fuse takes back local.gets and constants from the end of the code,
// and swap_fuse the local.get just before an op that reads only locals
// and constants. Any other op stays where it is, and so does everything
// before it.
bool Compiler::may_give_back(uint16_t w) {
  if (w == code::op_word(Op::LocalGet) || w == code::op_word(XOp::LocalGet128) || const_word(w)) return true;
  if (w < code::kFuseBase) return false;
  const int form = fused_form(w);
  const int src = code::src_of(form);
  return code::mode_of(form) == code::kPush && (src == code::kLocals || src == code::kLocalConst);
}

// Called before an op that no fusion will take back (may_give_back), so
// that the ops remembered before it are final: two adjacent scalar
// local.gets among them become one LocalGet2, one dispatch fewer. The ops
// after the pair move one word down, which is safe as no code index
// points at them: the chains and fixups that hold code indices are for
// branch target words, and a pair followed by a branch op is left alone.
void Compiler::pair_gets() {
  auto has_target = [](uint16_t w) {
    switch (w) {
      case code::op_word(XOp::Jump):
      case code::op_word(XOp::JumpIfZero):
      case code::op_word(XOp::JumpIfNonZero):
      case code::op_word(XOp::BrMove):
      case code::op_word(XOp::BrIfMove):
      case code::op_word(XOp::BrTableMove): return true;
      default: break;
    }
    if (w < code::kFuseBase) return false;
    const int mode = code::mode_of(fused_form(w));
    return mode == code::kBrNZ || mode == code::kBrZ;
  };
  const uint16_t get = code::op_word(Op::LocalGet);
  for (uint32_t k = 0; k + 1 < nlast_; ++k) {
    if (last_[k].word != get || last_[k + 1].word != get || last_[k + 1].pc != last_[k].pc + 2) continue;
    for (uint32_t j = k + 2; j < nlast_; ++j) {
      if (has_target(last_[j].word)) return;
    }
    const uint64_t at = last_[k].pc;  // [get, x, get, y] becomes [get2, x, y]
    code_[at] = word(code::op_word(XOp::LocalGet2));
    code_.erase(code_.begin() + static_cast<ptrdiff_t>(at + 2));
    last_[k].word = code::op_word(XOp::LocalGet2);
    for (uint32_t j = k + 2; j < nlast_; ++j) last_[j - 1] = {last_[j].pc - 1, last_[j].word};
    --nlast_;
  }
}

// A local.set, local.tee, br_if or if that takes the one value the last op
// pushed: that op, plain or fused with kPush, becomes the form with `mode`,
// if there is one. The caller then emits the result word (the local's slot,
// or the branch target) as its last immediate.
bool Compiler::fuse_result(int mode) {
  if (nlast_ == 0) return false;
  Emitted& e = last_[nlast_ - 1];
  Op op;
  int src;
  if (e.word >= code::kFuseBase) {
    op = static_cast<Op>((e.word - code::kFuseBase) / code::kForms);
    const int form = fused_form(e.word);
    if (code::mode_of(form) != code::kPush) return false;
    src = code::src_of(form);
  } else if (e.word < kOpCount) {
    op = static_cast<Op>(e.word);  // plain: every operand on the stack
    src = code::kStack;
  } else {
    return false;
  }
  if (!has_form(op, code::form(src, mode))) return false;
  e.word = code::fused_word(op, code::form(src, mode));
  code_[e.pc] = word(e.word);
  return true;
}

}  // namespace

struct FunctionCompiler::Impl : Compiler {
  using Compiler::Compiler;
};

FunctionCompiler::FunctionCompiler(const Context& c, const Limits& limits, code::CompiledCode& out, bool emit)
    : impl_(std::make_unique<Impl>(c, limits, out, emit)) {}
FunctionCompiler::~FunctionCompiler() = default;

Result<code::CompiledFunc> FunctionCompiler::compile(const ast::Function& f) { return impl_->compile(f); }

Result<code::CompiledFunc> FunctionCompiler::compile(const ast::Function& f, decode_detail::InstrReader& in) {
  return impl_->compile(f, in);
}

Result<code::CompiledCode> compile_functions(const Context& c, const Limits& limits) {
  code::CompiledCode out;
  out.funcs.reserve(c.m->funcs.size());
  FunctionCompiler compiler(c, limits, out, true);
  for (const ast::Function& f : c.m->funcs) {
    Result<code::CompiledFunc> r = compiler.compile(f);
    if (!r) return r.error();
    out.funcs.push_back(r.value());
  }
  out.seal();
  return out;
}

}  // namespace warden::valid
