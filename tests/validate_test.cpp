// Validation (spec chapter 3) and the compiled code it emits (code.hpp).
// Modules are built directly as syntax trees by the small builder below; the
// WAT each one stands for is in a comment.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "code.hpp"
#include "validate/validator.hpp"
#include "warden/binary.hpp"
#include "warden/syntax.hpp"

namespace warden {
namespace {

using ast::Instr;
using code::XOp;
constexpr ValType I32 = ValType::I32, I64 = ValType::I64, F32 = ValType::F32, V128 = ValType::V128,
                  FUNCREF = ValType::FuncRef, EXTERNREF = ValType::ExternRef;

// ---------------------------------------------------------------- builder ----

Instr op(Op o, uint32_t a = 0, uint32_t b = 0) {
  Instr i;
  i.op = o;
  i.a = a;
  i.b = b;
  return i;
}
Instr i32c(uint32_t v) {
  Instr i = op(Op::I32Const);
  i.lo = v;
  return i;
}
Instr i64c(uint64_t v) {
  Instr i = op(Op::I64Const);
  i.lo = v;
  return i;
}
Instr f32c() { return op(Op::F32Const); }
Instr v128c(uint64_t lo = 0, uint64_t hi = 0) {
  Instr i = op(Op::V128Const);
  i.lo = lo;
  i.hi = hi;
  return i;
}
Instr blk(Op o, int64_t bt = ast::kBlockEmpty) {
  Instr i = op(o);
  i.lo = static_cast<uint64_t>(bt);
  return i;
}
Instr blk(Op o, ValType t) { return blk(o, ast::block_of(t)); }
Instr mem(Op o, uint32_t align, uint32_t offset = 0) { return op(o, align, offset); }
Instr with_lane(Instr i, uint8_t lane) {
  i.lane = lane;
  return i;
}
Instr ref_null(ValType t) { return op(Op::RefNull, static_cast<uint8_t>(t)); }
Instr select_t(std::initializer_list<ValType> ts) {
  Instr i = op(Op::SelectT, ts.size() ? static_cast<uint8_t>(*ts.begin()) : 0, static_cast<uint32_t>(ts.size()));
  return i;
}
ast::Expr expr(std::vector<Instr> is) {
  is.push_back(op(Op::End));
  return is;
}

struct Builder {
  ast::Module m;
  std::vector<uint32_t> targets;  // br_table labels for the next func()

  uint32_t type(std::vector<ValType> p, std::vector<ValType> r) {
    FuncType t{std::move(p), std::move(r)};
    for (uint32_t i = 0; i < m.types.size(); ++i) {
      if (m.types[i] == t) return i;
    }
    m.types.push_back(std::move(t));
    return static_cast<uint32_t>(m.types.size() - 1);
  }
  // Appends the final End and numbers every instruction: pos = 1000 + index.
  uint32_t func(std::vector<ValType> p, std::vector<ValType> r, std::vector<Instr> body,
                std::vector<ast::LocalDecl> locals = {}) {
    ast::Function f;
    f.type = type(std::move(p), std::move(r));
    f.locals = std::move(locals);
    body.push_back(op(Op::End));
    for (size_t i = 0; i < body.size(); ++i) body[i].pos = static_cast<uint32_t>(1000 + i);
    f.body = std::move(body);
    f.br_targets = std::move(targets);
    targets.clear();
    m.funcs.push_back(std::move(f));
    return m.imported(ExternKind::Func) + static_cast<uint32_t>(m.funcs.size() - 1);
  }
  Instr br_table(std::vector<uint32_t> labels) {
    Instr i = op(Op::BrTable, static_cast<uint32_t>(targets.size()), static_cast<uint32_t>(labels.size()));
    targets.insert(targets.end(), labels.begin(), labels.end());
    return i;
  }
  void import_func(std::vector<ValType> p, std::vector<ValType> r) {
    ast::Import im;
    im.kind = ExternKind::Func;
    im.func_type = type(std::move(p), std::move(r));
    m.imports.push_back(im);
  }
  void import_global(ValType t, bool mut) {
    ast::Import im;
    im.kind = ExternKind::Global;
    im.global = {t, mut};
    m.imports.push_back(im);
  }
  void import_memory(uint32_t min) {
    ast::Import im;
    im.kind = ExternKind::Memory;
    im.memory.limits.min = min;
    m.imports.push_back(im);
  }
  void global(ValType t, bool mut, std::vector<Instr> init) {
    m.globals.push_back({{t, mut}, expr(std::move(init)), 0});
  }
  void memory(uint32_t min, std::optional<uint32_t> max = {}) { m.memories.push_back({{min, max}}); }
  void table(ValType t = FUNCREF, uint32_t min = 1) { m.tables.push_back({t, {min, {}}}); }
  void elem_active(uint32_t table, std::vector<uint32_t> funcs, ValType t = FUNCREF) {
    ast::ElemSegment s;
    s.table = table;
    s.type = t;
    s.offset = expr({i32c(0)});
    for (uint32_t f : funcs) s.init.push_back(expr({op(Op::RefFunc, f)}));
    m.elems.push_back(std::move(s));
  }
  void elem_declare(std::vector<uint32_t> funcs) {
    ast::ElemSegment s;
    s.mode = ast::SegmentMode::Declarative;
    for (uint32_t f : funcs) s.init.push_back(expr({op(Op::RefFunc, f)}));
    m.elems.push_back(std::move(s));
  }
  void data_passive() {
    ast::DataSegment d;
    d.mode = ast::SegmentMode::Passive;
    m.datas.push_back(std::move(d));
  }
  void export_(std::string name, ExternKind k, uint32_t index) { m.exports.push_back({std::move(name), k, index, 0}); }

  Result<code::CompiledCode> run(const Limits& limits = {}) const { return validate(m, limits); }
};

// Asserts that validation fails with exactly this kind and message.
::testing::AssertionResult fails(const Builder& b, const std::string& msg, ErrorKind kind = ErrorKind::Invalid) {
  auto r = b.run();
  if (r.ok()) return ::testing::AssertionFailure() << "validated, expected: " << msg;
  if (r.error().kind != kind || r.error().message != msg) {
    return ::testing::AssertionFailure() << "got " << to_string(r.error().kind) << ": " << r.error().message;
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult valid(const Builder& b) {
  auto r = b.run();
  if (!r.ok()) {
    return ::testing::AssertionFailure() << to_string(r.error().kind) << ": " << r.error().message << " at "
                                         << r.error().offset;
  }
  return ::testing::AssertionSuccess();
}

uint64_t w(Op o) { return code::op_word(o); }
uint64_t w(XOp o) { return code::op_word(o); }
// A branch target word: the distance from itself to the target (code.hpp).
uint64_t to(int64_t distance) { return static_cast<uint64_t>(distance); }
// A function's code as a vector, to compare with the expected words.
std::vector<uint64_t> words(const code::CompiledFunc& f) { return {f.code.begin(), f.code.end()}; }

// ------------------------------------------------------- function bodies ----

TEST(ValidateBody, TypeMismatchOperand) {
  // (func (result i32) (i32.add (i32.const 1) (i64.const 2)))
  Builder b;
  b.func({}, {I32}, {i32c(1), i64c(2), op(Op::I32Add)});
  auto r = b.run();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Invalid);
  EXPECT_EQ(r.error().message, "type mismatch");
  EXPECT_EQ(r.error().offset, 1002u);  // the i32.add
}

TEST(ValidateBody, TypeMismatchEmptyStackAndLeftovers) {
  Builder b;  // (func (i32.eqz))
  b.func({}, {}, {op(Op::I32Eqz)});
  EXPECT_TRUE(fails(b, "type mismatch"));
  Builder c;  // (func (i32.const 1))  -- a value left over
  c.func({}, {}, {i32c(1)});
  EXPECT_TRUE(fails(c, "type mismatch"));
  Builder d;  // (func (result i32))  -- a result missing
  d.func({}, {I32}, {});
  EXPECT_TRUE(fails(d, "type mismatch"));
}

TEST(ValidateBody, UnknownLocal) {
  Builder b;  // (func (param i32) (local i64) (drop (local.get 2)))
  b.func({I32}, {}, {op(Op::LocalGet, 2), op(Op::Drop)}, {{1, I64}});
  EXPECT_TRUE(fails(b, "unknown local 2"));
}

TEST(ValidateBody, UnknownGlobal) {
  Builder b;  // (func (result i32) (global.get 0))
  b.func({}, {I32}, {op(Op::GlobalGet, 0)});
  EXPECT_TRUE(fails(b, "unknown global 0"));
  Builder c;  // (global i32 (i32.const 0)) (func (global.set 1 (i32.const 1)))
  c.global(I32, true, {i32c(0)});
  c.func({}, {}, {i32c(1), op(Op::GlobalSet, 1)});
  EXPECT_TRUE(fails(c, "unknown global 1"));
}

TEST(ValidateBody, GlobalIsImmutable) {
  Builder b;  // (global f32 (f32.const 0)) (func (global.set 0 (f32.const 1)))
  b.global(F32, false, {f32c()});
  b.func({}, {}, {f32c(), op(Op::GlobalSet, 0)});
  EXPECT_TRUE(fails(b, "global is immutable"));
  Builder c;  // (import "spectest" "global_i32" (global i32)) ... global.set 0
  c.import_global(I32, false);
  c.func({}, {}, {i32c(1), op(Op::GlobalSet, 0)});
  EXPECT_TRUE(fails(c, "global is immutable"));
}

TEST(ValidateBody, UnknownFunction) {
  Builder b;  // (func (call 7))
  b.func({}, {}, {op(Op::Call, 7)});
  EXPECT_TRUE(fails(b, "unknown function 7"));
}

TEST(ValidateBody, UnknownTableAndTypeForCallIndirect) {
  Builder b;  // (type (func)) (func (call_indirect (type 0) (i32.const 0)))
  b.func({}, {}, {i32c(0), op(Op::CallIndirect, 0, 0)});
  EXPECT_TRUE(fails(b, "unknown table 0"));
  Builder c;  // with a table but type index 9
  c.table();
  c.func({}, {}, {i32c(0), op(Op::CallIndirect, 9, 0)});
  EXPECT_TRUE(fails(c, "unknown type 9"));
  Builder d;  // call_indirect through an externref table
  d.table(EXTERNREF);
  d.func({}, {}, {i32c(0), op(Op::CallIndirect, 0, 0)});
  EXPECT_TRUE(fails(d, "type mismatch"));
}

TEST(ValidateBody, UnknownTypeInBlockType) {
  Builder b;  // (func (block (type 5)))
  b.func({}, {}, {blk(Op::Block, 5), op(Op::End)});
  EXPECT_TRUE(fails(b, "unknown type 5"));
}

TEST(ValidateBody, UnknownLabel) {
  Builder b;  // (func (block (br 2)))
  b.func({}, {}, {blk(Op::Block), op(Op::Br, 2), op(Op::End)});
  EXPECT_TRUE(fails(b, "unknown label 2"));
  Builder c;  // (func (br_if 1 (i32.const 0)))
  c.func({}, {}, {i32c(0), op(Op::BrIf, 1)});
  EXPECT_TRUE(fails(c, "unknown label 1"));
  Builder d;  // (func (br_table 0 3 (i32.const 0)))
  auto bt = d.br_table({0, 3});
  d.func({}, {}, {i32c(0), bt});
  EXPECT_TRUE(fails(d, "unknown label 3"));
}

TEST(ValidateBody, UnknownMemory) {
  Builder b;  // (func (drop (i32.load (i32.const 0))))
  b.func({}, {}, {i32c(0), mem(Op::I32Load, 2), op(Op::Drop)});
  EXPECT_TRUE(fails(b, "unknown memory 0"));
  Builder c;  // (func (memory.fill (i32.const 10) (i32.const 20) (i32.const 30)))
  c.func({}, {}, {i32c(10), i32c(20), i32c(30), op(Op::MemoryFill)});
  EXPECT_TRUE(fails(c, "unknown memory 0"));
  Builder d;  // memory.init 1 without a memory: the memory is checked first
  d.func({}, {}, {i32c(1), i32c(1), i32c(1), op(Op::MemoryInit, 1)});
  EXPECT_TRUE(fails(d, "unknown memory 0"));
}

TEST(ValidateBody, UnknownDataSegment) {
  Builder b;  // (memory 1) (data "\37") (func (memory.init 1 ...))
  b.memory(1);
  b.data_passive();
  b.func({}, {}, {i32c(1), i32c(1), i32c(1), op(Op::MemoryInit, 1)});
  EXPECT_TRUE(fails(b, "unknown data segment 1"));
  Builder c;  // (func (data.drop 0))
  c.func({}, {}, {op(Op::DataDrop, 0)});
  EXPECT_TRUE(fails(c, "unknown data segment 0"));
}

TEST(ValidateBody, UnknownElemSegment) {
  Builder b;  // (table 1 funcref) (func (elem.drop 4))
  b.table();
  b.func({}, {}, {op(Op::ElemDrop, 4)});
  EXPECT_TRUE(fails(b, "unknown elem segment 4"));
  Builder c;  // (func (table.init 4 ...)) without a table: table first
  c.func({}, {}, {i32c(1), i32c(1), i32c(1), op(Op::TableInit, 4, 0)});
  EXPECT_TRUE(fails(c, "unknown table 0"));
}

TEST(ValidateBody, TableTypeMismatches) {
  Builder b;  // table.copy between funcref and externref tables
  b.table(FUNCREF);
  b.table(EXTERNREF);
  b.func({}, {}, {i32c(0), i32c(0), i32c(0), op(Op::TableCopy, 0, 1)});
  EXPECT_TRUE(fails(b, "type mismatch"));
  Builder c;  // table.init of a funcref segment into an externref table
  c.table(EXTERNREF);
  c.elem_declare({});
  c.m.elems[0].mode = ast::SegmentMode::Passive;
  c.func({}, {}, {i32c(0), i32c(0), i32c(0), op(Op::TableInit, 0, 0)});
  EXPECT_TRUE(fails(c, "type mismatch"));
  Builder d;  // (table.set 0 (i32.const 0) (ref.null extern)) on a funcref table
  d.table(FUNCREF);
  d.func({}, {}, {i32c(0), ref_null(EXTERNREF), op(Op::TableSet, 0)});
  EXPECT_TRUE(fails(d, "type mismatch"));
}

TEST(ValidateBody, Alignment) {
  Builder b;  // (memory 1) (func (drop (i64.load align=16 (i32.const 0))))
  b.memory(1);
  b.func({}, {}, {i32c(0), mem(Op::I64Load, 4), op(Op::Drop)});
  EXPECT_TRUE(fails(b, "alignment must not be larger than natural"));
  Builder c;  // natural alignment is fine: (v128.load align=16)
  c.memory(1);
  c.func({}, {}, {i32c(0), mem(Op::V128Load, 4), op(Op::Drop)});
  EXPECT_TRUE(valid(c));
}

TEST(ValidateBody, InvalidLaneIndex) {
  Builder b;  // (func (result i32) (i32x4.extract_lane 4 (v128.const ...)))
  b.func({}, {I32}, {v128c(), with_lane(op(Op::I32x4ExtractLane), 4)});
  EXPECT_TRUE(fails(b, "invalid lane index"));
  Builder c;  // i8x16.shuffle with a lane byte of 32
  Instr sh = op(Op::I8x16Shuffle);
  sh.hi = uint64_t{32} << 56;
  c.func({}, {V128}, {v128c(), v128c(), sh});
  EXPECT_TRUE(fails(c, "invalid lane index"));
  Builder d;  // (v128.load64_lane 2 ...) has lanes 0 and 1
  d.memory(1);
  d.func({}, {V128}, {i32c(0), v128c(), with_lane(mem(Op::V128Load64Lane, 3), 2)});
  EXPECT_TRUE(fails(d, "invalid lane index"));
  Builder e;  // lane 15 of i8x16 is fine
  e.func({}, {I32}, {v128c(), with_lane(op(Op::I8x16ExtractLaneU), 15)});
  EXPECT_TRUE(valid(e));
}

TEST(ValidateBody, SelectRules) {
  Builder b;  // untyped select on references
  b.func({}, {}, {ref_null(FUNCREF), ref_null(FUNCREF), i32c(1), op(Op::Select), op(Op::Drop)});
  EXPECT_TRUE(fails(b, "type mismatch"));
  Builder c;  // (select (result) ...)
  c.func({}, {}, {i32c(0), i32c(0), i32c(1), select_t({}), op(Op::Drop)});
  EXPECT_TRUE(fails(c, "invalid result arity"));
  Builder d;  // (select (result i32 i32) ...)
  d.func({}, {}, {i32c(0), i32c(0), i32c(1), select_t({I32, I32}), op(Op::Drop)});
  EXPECT_TRUE(fails(d, "invalid result arity"));
  Builder e;  // typed select on references is fine
  e.func({}, {FUNCREF}, {ref_null(FUNCREF), ref_null(FUNCREF), i32c(1), select_t({FUNCREF})});
  EXPECT_TRUE(valid(e));
  Builder f;  // operands of different types
  f.func({}, {}, {i32c(0), i64c(0), i32c(1), op(Op::Select), op(Op::Drop)});
  EXPECT_TRUE(fails(f, "type mismatch"));
  Builder g;  // (unreachable) (select (ref.null func) ...): one Unknown, one ref
  g.func({}, {}, {op(Op::Unreachable), ref_null(FUNCREF), i32c(1), op(Op::Select), op(Op::Drop)});
  EXPECT_TRUE(fails(g, "type mismatch"));
}

TEST(ValidateBody, UndeclaredFunctionReference) {
  Builder b;  // (func $f (drop (ref.func $f)))
  b.func({}, {}, {op(Op::RefFunc, 0), op(Op::Drop)});
  EXPECT_TRUE(fails(b, "undeclared function reference"));
  Builder c;  // start does not declare
  c.func({}, {}, {op(Op::RefFunc, 0), op(Op::Drop)});
  c.m.start = 0;
  EXPECT_TRUE(fails(c, "undeclared function reference"));
  Builder d;  // a declarative element segment declares
  d.func({}, {}, {op(Op::RefFunc, 0), op(Op::Drop)});
  d.elem_declare({0});
  EXPECT_TRUE(valid(d));
  Builder e;  // so does an export
  e.func({}, {}, {op(Op::RefFunc, 0), op(Op::Drop)});
  e.export_("f", ExternKind::Func, 0);
  EXPECT_TRUE(valid(e));
  Builder f;  // and a global initialiser
  f.func({}, {}, {op(Op::RefFunc, 0), op(Op::Drop)});
  f.global(FUNCREF, false, {op(Op::RefFunc, 0)});
  EXPECT_TRUE(valid(f));
}

TEST(ValidateBody, RefIsNullNeedsReference) {
  Builder b;
  b.func({}, {I32}, {i32c(0), op(Op::RefIsNull)});
  EXPECT_TRUE(fails(b, "type mismatch"));
}

TEST(ValidateBody, IfWithoutElseMustKeepItsType) {
  Builder b;  // (func (result i32) (if (result i32) (i32.const 1) (then (i32.const 2))))
  b.func({}, {I32}, {i32c(1), blk(Op::If, I32), i32c(2), op(Op::End)});
  EXPECT_TRUE(fails(b, "type mismatch"));
  Builder c;  // (type (func (param i32) (result i32))) if with [i32]->[i32], no else
  uint32_t t = c.type({I32}, {I32});
  c.func({}, {I32}, {i32c(5), i32c(1), blk(Op::If, t), op(Op::End)});
  EXPECT_TRUE(valid(c));
}

TEST(ValidateBody, BrTableArity) {
  Builder b;  // (block (result i32) (block (br_table 0 1 (i32.const 0) (i32.const 0))))
  auto bt = b.br_table({0, 1});
  b.func({}, {},
         {blk(Op::Block, I32), blk(Op::Block), i32c(0), i32c(0), bt, op(Op::End), i32c(9), op(Op::End), op(Op::Drop)});
  EXPECT_TRUE(fails(b, "type mismatch"));
  Builder c;  // same arity, different types: f32 vs i32
  auto bt2 = c.br_table({0, 1});
  c.func({}, {},
         {blk(Op::Block, F32), blk(Op::Block, I32), i32c(0), i32c(0), bt2, op(Op::End), op(Op::Drop), f32c(),
          op(Op::End), op(Op::Drop)});
  EXPECT_TRUE(fails(c, "type mismatch"));
  Builder d;  // on a polymorphic stack the same targets validate
  auto bt3 = d.br_table({0, 1});
  d.func({}, {},
         {blk(Op::Block, F32), blk(Op::Block, I32), op(Op::Unreachable), bt3, op(Op::End), op(Op::Drop), f32c(),
          op(Op::End), op(Op::Drop)});
  EXPECT_TRUE(valid(d));
}

TEST(ValidateBody, UnreachablePolymorphism) {
  Builder b;  // (func (result i32) (unreachable) (i32.add))
  b.func({}, {I32}, {op(Op::Unreachable), op(Op::I32Add)});
  EXPECT_TRUE(valid(b));
  Builder c;  // (func (unreachable) (i64.const 0) (i32.add)): known operand still checked
  c.func({}, {}, {op(Op::Unreachable), i64c(0), op(Op::I32Add), op(Op::Drop)});
  EXPECT_TRUE(fails(c, "type mismatch"));
  Builder d;  // (block (result i64) (br 0 (i64.const 1)) (f32.neg) (drop) (i64.const 0))
  d.func(
      {}, {},
      {blk(Op::Block, I64), i64c(1), op(Op::Br, 0), op(Op::F32Neg), op(Op::Drop), i64c(0), op(Op::End), op(Op::Drop)});
  EXPECT_TRUE(valid(d));
  Builder e;  // (func (result i32) (return (i32.const 1)) (select))
  e.func({}, {I32}, {i32c(1), op(Op::Return), op(Op::Select)});
  EXPECT_TRUE(valid(e));
  Builder f;  // the polymorphic stack does not reach outside the frame
  f.func({}, {}, {i32c(1), blk(Op::Block), op(Op::Unreachable), op(Op::End), op(Op::I32Add), op(Op::Drop)});
  EXPECT_TRUE(fails(f, "type mismatch"));
  Builder g;  // after br_if the label types are pushed: (unreachable) (br_if 0) in [i32] block
  g.func(
      {}, {},
      {blk(Op::Block, I32), op(Op::Unreachable), op(Op::BrIf, 0), i64c(0), op(Op::I64Add), op(Op::End), op(Op::Drop)});
  EXPECT_TRUE(fails(g, "type mismatch"));
}

TEST(ValidateBody, ElseAndEndChecks) {
  Builder b;  // (if (result i32) (then (i32.const 1)) (else)) -- else arm empty
  b.func({}, {I32}, {i32c(1), blk(Op::If, I32), i32c(1), op(Op::Else), op(Op::End)});
  EXPECT_TRUE(fails(b, "type mismatch"));
  Builder c;  // else outside if: a tree no decoder produces
  c.func({}, {}, {blk(Op::Block), op(Op::Else), op(Op::End)});
  EXPECT_TRUE(fails(c, "END opcode expected", ErrorKind::Malformed));
  Builder d;  // body without its final end
  d.func({}, {}, {blk(Op::Block)});
  EXPECT_TRUE(fails(d, "END opcode expected", ErrorKind::Malformed));
}

TEST(ValidateBody, MultiValueBlocks) {
  // (type $t (func (param i32 i64) (result i64 i32)))
  // (func (result i64 i32) (i32.const 1) (i64.const 2) (block (type $t) ...swap...))
  Builder b;
  uint32_t t = b.type({I32, I64}, {I64, I32});
  b.func({}, {I64, I32},
         {i32c(1), i64c(2), blk(Op::Block, t), op(Op::Drop), op(Op::Drop), i64c(3), i32c(4), op(Op::End)});
  EXPECT_TRUE(valid(b));
  Builder c;  // the params are the wrong way round
  uint32_t t2 = c.type({I32, I64}, {});
  c.func({}, {}, {i64c(2), i32c(1), blk(Op::Block, t2), op(Op::Drop), op(Op::Drop), op(Op::End)});
  EXPECT_TRUE(fails(c, "type mismatch"));
}

TEST(ValidateLimits, MillionNestedBlocksIsExhaustionUnderATightLimit) {
  Limits lim;
  lim.max_nesting = 10'000;
  Builder b;
  std::vector<Instr> body(1'000'000, blk(Op::Block));
  b.func({}, {}, std::move(body));
  auto r = b.run(lim);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Exhaustion);
  EXPECT_EQ(r.error().message, "nesting too deep");
  EXPECT_EQ(r.error().offset, 1000u + lim.max_nesting);  // the first block too many
}

TEST(ValidateLimits, NestingAtTheLimitIsFine) {
  Limits lim;
  lim.max_nesting = 100;
  Builder b;
  std::vector<Instr> body(100, blk(Op::Loop));
  body.insert(body.end(), 100, op(Op::End));
  b.func({}, {}, body);
  EXPECT_TRUE(b.run(lim).ok());
  Builder c;
  body.insert(body.begin(), blk(Op::Block));
  body.push_back(op(Op::End));
  c.func({}, {}, body);
  auto r = c.run(lim);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "nesting too deep");
}

TEST(ValidateLimits, TooManyLocals) {
  Builder b;
  b.func({}, {}, {}, {{40'000, I32}, {0xFFFF'FFFFu, I64}});
  EXPECT_TRUE(fails(b, "too many locals", ErrorKind::Exhaustion));
}

// ------------------------------------------------------------- module level ----

TEST(ValidateModule, ConstantExpressionRequired) {
  Builder b;  // (global f32 (f32.neg (f32.const 0)))
  b.global(F32, false, {f32c(), op(Op::F32Neg)});
  EXPECT_TRUE(fails(b, "constant expression required"));
  Builder c;  // (global i32 (i32.const 0) (nop))
  c.global(I32, false, {i32c(0), op(Op::Nop)});
  EXPECT_TRUE(fails(c, "constant expression required"));
  Builder d;  // global.get of a mutable import
  d.import_global(I32, true);
  d.global(I32, false, {op(Op::GlobalGet, 0)});
  EXPECT_TRUE(fails(d, "constant expression required"));
  Builder e;  // an immutable import is fine
  e.import_global(I32, false);
  e.global(I32, false, {op(Op::GlobalGet, 0)});
  EXPECT_TRUE(valid(e));
}

TEST(ValidateModule, ConstantExpressionGlobalsAndTypes) {
  Builder b;  // (global i32 (i32.const 0)) (global i32 (global.get 0)): only imports visible
  b.global(I32, false, {i32c(0)});
  b.global(I32, false, {op(Op::GlobalGet, 0)});
  EXPECT_TRUE(fails(b, "unknown global 0"));
  Builder c;  // (global i32 (i64.const 0))
  c.global(I32, false, {i64c(0)});
  EXPECT_TRUE(fails(c, "type mismatch"));
  Builder d;  // two values
  d.import_global(I32, false);
  d.global(I32, false, {i32c(0), op(Op::GlobalGet, 0)});
  EXPECT_TRUE(fails(d, "type mismatch"));
  Builder e;  // empty
  e.global(I32, false, {});
  EXPECT_TRUE(fails(e, "type mismatch"));
  Builder f;  // (global funcref (ref.func 7))
  f.global(FUNCREF, false, {op(Op::RefFunc, 7)});
  EXPECT_TRUE(fails(f, "unknown function 7"));
  Builder g;  // data offsets see only imported globals too
  g.memory(1);
  g.import_global(I32, false);
  ast::DataSegment ds;
  ds.offset = expr({op(Op::GlobalGet, 1)});
  g.m.datas.push_back(ds);
  EXPECT_TRUE(fails(g, "unknown global 1"));
}

TEST(ValidateModule, Exports) {
  Builder b;
  b.func({}, {}, {});
  b.export_("a", ExternKind::Func, 0);
  b.export_("a", ExternKind::Func, 0);
  EXPECT_TRUE(fails(b, "duplicate export name"));
  Builder c;
  c.export_("a", ExternKind::Func, 0);
  EXPECT_TRUE(fails(c, "unknown function 0"));
  Builder d;
  d.table();
  d.export_("a", ExternKind::Table, 1);
  EXPECT_TRUE(fails(d, "unknown table 1"));
  Builder e;
  e.export_("a", ExternKind::Memory, 0);
  EXPECT_TRUE(fails(e, "unknown memory 0"));
  Builder f;
  f.import_global(I32, false);
  f.export_("a", ExternKind::Global, 1);
  EXPECT_TRUE(fails(f, "unknown global 1"));
}

// The error is the first export in order that is wrong: the first repeat of
// an earlier name, or an unknown index, whichever comes first.
TEST(ValidateModule, ExportsFirstErrorInOrder) {
  auto run = [](std::vector<std::pair<std::string, uint32_t>> exports) {
    Builder b;
    b.func({}, {}, {});
    for (uint32_t i = 0; i < exports.size(); ++i) {
      b.export_(exports[i].first, ExternKind::Func, exports[i].second);
      b.m.exports.back().pos = 100 + i;
    }
    auto r = b.run();
    return r ? std::string("valid") : r.error().message + " @" + std::to_string(r.error().offset);
  };
  EXPECT_EQ(run({{"b", 0}, {"a", 0}, {"c", 0}, {"a", 0}, {"b", 7}}), "duplicate export name @103");
  EXPECT_EQ(run({{"b", 0}, {"a", 0}, {"c", 7}, {"a", 0}}), "unknown function 7 @102");
  EXPECT_EQ(run({{"x", 0}, {"b", 0}, {"ba", 0}, {"", 0}, {"b", 0}, {"", 0}}), "duplicate export name @104");
  EXPECT_EQ(run({{"x", 0}, {"b", 0}, {"ba", 0}, {"", 0}, {"bb", 0}}), "valid");
}

TEST(ValidateModule, Start) {
  Builder b;
  b.m.start = 0;
  EXPECT_TRUE(fails(b, "unknown function 0"));
  Builder c;  // (start $f) (func $f (param i32))
  c.func({I32}, {}, {});
  c.m.start = 0;
  EXPECT_TRUE(fails(c, "start function"));
  Builder d;
  d.func({}, {I32}, {i32c(0)});
  d.m.start = 0;
  EXPECT_TRUE(fails(d, "start function"));
}

TEST(ValidateModule, Limits) {
  Builder b;
  b.memory(2, 1);
  EXPECT_TRUE(fails(b, "size minimum must not be greater than maximum"));
  Builder c;
  c.memory(65537);
  EXPECT_TRUE(fails(c, "memory size must be at most 65536 pages (4GiB)"));
  Builder d;
  d.memory(0, 65537);
  EXPECT_TRUE(fails(d, "memory size must be at most 65536 pages (4GiB)"));
  Builder e;
  e.memory(0, 65536);
  EXPECT_TRUE(valid(e));
  Builder f;  // (table 2 1 funcref)
  f.m.tables.push_back({FUNCREF, {2, 1}});
  EXPECT_TRUE(fails(f, "size minimum must not be greater than maximum"));
  Builder g;  // (table 0 0xffff_ffff funcref)
  g.m.tables.push_back({FUNCREF, {0, 0xFFFF'FFFFu}});
  EXPECT_TRUE(valid(g));
}

TEST(ValidateModule, MultipleMemories) {
  Builder b;
  b.memory(0);
  b.memory(0);
  EXPECT_TRUE(fails(b, "multiple memories"));
  Builder c;
  c.import_memory(1);
  c.memory(0);
  EXPECT_TRUE(fails(c, "multiple memories"));
}

TEST(ValidateModule, UnknownTypeInImport) {
  Builder b;
  ast::Import im;
  im.kind = ExternKind::Func;
  im.func_type = 3;
  b.m.imports.push_back(im);
  EXPECT_TRUE(fails(b, "unknown type 3"));
  Builder c;  // a defined function's type index
  c.func({}, {}, {});
  c.m.funcs[0].type = 4;
  EXPECT_TRUE(fails(c, "unknown type 4"));
}

TEST(ValidateModule, ElementSegments) {
  Builder b;  // (func $f) (elem (i32.const 0) $f) -- no table
  b.func({}, {}, {});
  b.elem_active(0, {0});
  EXPECT_TRUE(fails(b, "unknown table 0"));
  Builder c;  // funcref segment into an externref table
  c.table(EXTERNREF);
  c.func({}, {}, {});
  c.elem_active(0, {0});
  EXPECT_TRUE(fails(c, "type mismatch"));
  Builder d;  // an externref segment whose item is a funcref
  d.table(EXTERNREF);
  d.func({}, {}, {});
  d.elem_active(0, {0}, EXTERNREF);
  EXPECT_TRUE(fails(d, "type mismatch"));
  Builder e;  // offset must be i32
  e.table();
  e.elem_active(0, {});
  e.m.elems[0].offset = expr({i64c(0)});
  EXPECT_TRUE(fails(e, "type mismatch"));
  Builder f;
  f.table();
  f.func({}, {}, {});
  f.elem_active(0, {0});
  EXPECT_TRUE(valid(f));
}

TEST(ValidateModule, DataSegments) {
  Builder b;  // active data for memory 1 with only memory 0
  b.memory(1);
  ast::DataSegment d;
  d.memory = 1;
  d.offset = expr({i32c(0)});
  b.m.datas.push_back(d);
  EXPECT_TRUE(fails(b, "unknown memory 1"));
  Builder c;  // no memory at all
  d.memory = 0;
  c.m.datas.push_back(d);
  EXPECT_TRUE(fails(c, "unknown memory 0"));
  Builder e;  // a passive segment needs no memory
  e.data_passive();
  EXPECT_TRUE(valid(e));
}

// ------------------------------------------------------------ compiled code ----

TEST(Compile, ConstantAndReturn) {
  Builder b;  // (func (result i32) (i32.const 7))
  b.func({}, {I32}, {i32c(7)});
  auto r = b.run();
  ASSERT_TRUE(r.ok());
  const code::CompiledFunc& f = r.value()[0];
  EXPECT_EQ(words(f), (std::vector<uint64_t>{w(XOp::Fuel), w(Op::I32Const), 7, w(Op::Return)}));
  EXPECT_EQ(f.param_slots, 0u);
  EXPECT_EQ(f.local_slots, 0u);
  EXPECT_EQ(f.result_slots, 1u);
  EXPECT_EQ(f.max_stack, 1u);
}

TEST(Compile, LoopHasFuelAtItsHeaderAndBranchesBack) {
  Builder b;  // (func (param i32) (loop (br_if 0 (local.get 0))))
  b.func({I32}, {}, {blk(Op::Loop), op(Op::LocalGet, 0), op(Op::BrIf, 0), op(Op::End)});
  auto r = b.run();
  ASSERT_TRUE(r.ok());
  const code::CompiledFunc& f = r.value()[0];
  EXPECT_EQ(words(f), (std::vector<uint64_t>{w(XOp::Fuel),                   // 0 entry
                                             w(XOp::Fuel),                   // 1 loop header
                                             w(Op::LocalGet), 0,             // 2
                                             w(XOp::JumpIfNonZero), to(-4),  // 4 back to 1, nothing to move
                                             w(Op::Return)}));
  EXPECT_EQ(f.param_slots, 1u);
  EXPECT_EQ(f.local_slots, 1u);
  EXPECT_EQ(f.max_stack, 1u);
}

TEST(Compile, V128LocalsUseWideOpsAndTwoSlots) {
  // (func (param i32 v128) (local v128 i64)
  //   (local.set 2 (local.get 1)) (drop (local.get 3)) (drop (local.get 2)))
  Builder b;
  b.func(
      {I32, V128}, {},
      {op(Op::LocalGet, 1), op(Op::LocalSet, 2), op(Op::LocalGet, 3), op(Op::Drop), op(Op::LocalGet, 2), op(Op::Drop)},
      {{1, V128}, {1, I64}});
  auto r = b.run();
  ASSERT_TRUE(r.ok());
  const code::CompiledFunc& f = r.value()[0];
  EXPECT_EQ(f.param_slots, 3u);
  EXPECT_EQ(f.local_slots, 6u);
  EXPECT_EQ(f.max_stack, 2u);
  EXPECT_EQ(words(f),
            (std::vector<uint64_t>{w(XOp::Fuel), w(XOp::LocalGet128), 1, w(XOp::LocalSet128), 3, w(Op::LocalGet), 5,
                                   w(Op::Drop), w(XOp::LocalGet128), 3, w(Op::Drop), w(Op::Drop), w(Op::Return)}));
}

TEST(Compile, LocalsPastTheIndexedOnesKeepTheirTypesAndSlots) {
  // The compiler looks up the first 256 locals by index and the rest by
  // their runs: each side of that bound, and a run that straddles it.
  // (func (param i32 v128) (local v128 x 253) (local i64 x 2) (local f64 x 300)
  //   (drop (local.get 254)) (drop (local.get 255)) (drop (local.get 256))
  //   (drop (local.get 257)) (drop (local.get 556)) (local.set 557))
  // and then with a nop for the last, unknown, local.
  Builder b;
  b.func({I32, V128}, {},
         {op(Op::LocalGet, 254), op(Op::Drop), op(Op::LocalGet, 255), op(Op::Drop), op(Op::LocalGet, 256), op(Op::Drop),
          op(Op::LocalGet, 257), op(Op::Drop), op(Op::LocalGet, 556), op(Op::Drop), op(Op::LocalSet, 557)},
         {{253, V128}, {2, I64}, {300, ValType::F64}});
  // Local 254 is the last v128 (slot 3 + 252 * 2), 255 and 256 the i64s,
  // 257 the first f64; 557 is one past the last local.
  EXPECT_TRUE(fails(b, "unknown local 557"));
  b.m.funcs.back().body[10] = op(Op::Nop);
  auto r = b.run();
  ASSERT_TRUE(r.ok()) << r.error().message;
  const code::CompiledFunc& f = r.value()[0];
  EXPECT_EQ(f.local_slots, 3u + 253 * 2 + 2 + 300);
  EXPECT_EQ(words(f),
            (std::vector<uint64_t>{w(XOp::Fuel), w(XOp::LocalGet128), 507, w(Op::Drop), w(Op::Drop), w(Op::LocalGet),
                                   509, w(Op::Drop), w(Op::LocalGet), 510, w(Op::Drop), w(Op::LocalGet), 511,
                                   w(Op::Drop), w(Op::LocalGet), 810, w(Op::Drop), w(Op::Return)}));
}

TEST(Compile, EachFunctionHasItsOwnLocals) {
  // The indexed locals are refilled for each body: the second function's
  // local 2 does not exist, though the first one's did.
  Builder b;
  b.func({I32}, {}, {op(Op::LocalGet, 2), op(Op::Drop)}, {{2, I64}});
  EXPECT_TRUE(valid(b));
  b.func({}, {}, {op(Op::LocalGet, 2), op(Op::Drop)}, {{1, I64}});
  EXPECT_TRUE(fails(b, "unknown local 2"));
  b.m.funcs.back().locals = {{2, V128}};  // now local 1 is a v128 at slot 2
  b.m.funcs.back().body[0] = op(Op::LocalGet, 1);
  auto r = b.run();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(words(r.value()[1]),
            (std::vector<uint64_t>{w(XOp::Fuel), w(XOp::LocalGet128), 2, w(Op::Drop), w(Op::Drop), w(Op::Return)}));
}

TEST(Compile, WideGlobalsAndSelect) {
  // (global (mut v128) (v128.const 0)) (func (param i32) (result v128)
  //   (global.set 0 (global.get 0)) (select (global.get 0) (v128.const 1 2) (local.get 0)))
  Builder b;
  b.global(V128, true, {v128c()});
  b.func({I32}, {V128},
         {op(Op::GlobalGet, 0), op(Op::GlobalSet, 0), op(Op::GlobalGet, 0), v128c(1, 2), op(Op::LocalGet, 0),
          op(Op::Select)});
  auto r = b.run();
  ASSERT_TRUE(r.ok());
  const code::CompiledFunc& f = r.value()[0];
  EXPECT_EQ(words(f),
            (std::vector<uint64_t>{w(XOp::Fuel), w(XOp::GlobalGet128), 0, w(XOp::GlobalSet128), 0, w(XOp::GlobalGet128),
                                   0, w(Op::V128Const), 1, 2, w(Op::LocalGet), 0, w(XOp::Select128), w(Op::Return)}));
  EXPECT_EQ(f.max_stack, 5u);
  EXPECT_EQ(f.result_slots, 2u);
}

TEST(Compile, MaxStackOfAKnownFunction) {
  // (func (param i32) (result i32)
  //   (i32.add (local.get 0) (i32.add (local.get 0) (i64.eqz (i64.const 1)))))
  Builder b;
  b.func({I32}, {I32},
         {op(Op::LocalGet, 0), op(Op::LocalGet, 0), i64c(1), op(Op::I64Eqz), op(Op::I32Add), op(Op::I32Add)});
  auto r = b.run();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value()[0].max_stack, 3u);
  Builder c;  // two v128 operands: 4 slots
  c.func({}, {V128}, {v128c(), v128c(), op(Op::I8x16Add)});
  auto rc = c.run();
  ASSERT_TRUE(rc.ok());
  EXPECT_EQ(rc.value()[0].max_stack, 4u);
}

TEST(Compile, IfElse) {
  // (func (param i32) (result i32)
  //   (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2))))
  Builder b;
  b.func({I32}, {I32}, {op(Op::LocalGet, 0), blk(Op::If, I32), i32c(1), op(Op::Else), i32c(2), op(Op::End)});
  auto r = b.run();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(words(r.value()[0]), (std::vector<uint64_t>{w(XOp::Fuel), w(Op::LocalGet), 0,  // 0..2
                                                        w(XOp::JumpIfZero), 5,             // 3: to the else arm (9)
                                                        w(Op::I32Const), 1,                // 5
                                                        w(XOp::Jump), 3,                   // 7: over the else arm (11)
                                                        w(Op::I32Const), 2,                // 9
                                                        w(Op::Return)}));                  // 11
}

TEST(Compile, BranchesMoveOrJump) {
  // (func (result i32) (block (result i32) (i32.const 1) (i32.const 2) (br 0)))
  // The br must move 2 down over 1: BrMove to the block's end.
  Builder b;
  b.func({}, {I32}, {blk(Op::Block, I32), i32c(1), i32c(2), op(Op::Br, 0), op(Op::End)});
  auto r = b.run();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(words(r.value()[0]), (std::vector<uint64_t>{w(XOp::Fuel), w(Op::I32Const), 1, w(Op::I32Const), 2,
                                                        w(XOp::BrMove), 3, 0, 1, w(Op::Return)}));  // to 9
  // (block (result i32) (i32.const 1) (br 0)): already in place, a plain Jump.
  Builder c;
  c.func({}, {I32}, {blk(Op::Block, I32), i32c(1), op(Op::Br, 0), op(Op::End)});
  auto rc = c.run();
  ASSERT_TRUE(rc.ok());
  EXPECT_EQ(words(rc.value()[0]),
            (std::vector<uint64_t>{w(XOp::Fuel), w(Op::I32Const), 1, w(XOp::Jump), 1, w(Op::Return)}));
}

TEST(Compile, BranchToFunctionLabel) {
  // (func (param i32) (result i32) (br_if 0 (i32.const 5) (local.get 0)) (br 0))
  Builder b;
  b.func({I32}, {I32}, {i32c(5), op(Op::LocalGet, 0), op(Op::BrIf, 0), op(Op::Br, 0)});
  auto r = b.run();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(words(r.value()[0]), (std::vector<uint64_t>{w(XOp::Fuel), w(Op::I32Const), 5, w(Op::LocalGet), 0,
                                                        w(XOp::JumpIfNonZero), 2,  // to the final Return (8)
                                                        w(Op::Return),             // br 0
                                                        w(Op::Return)}));
}

// ------------------------------------------------------- fused operands ----

uint64_t fw(Op o, int form) { return code::fused_word(o, form); }

TEST(Compile, FusedOperandForms) {
  if (!code::kFusion) GTEST_SKIP() << "built without fused operands (WARDEN_FUSION=0)";
  // (func (param i32 i32) (result i32) (local i64)
  //   (local.set 0 (i32.add (local.get 0) (i32.const 1)))     ;; local, const -> local
  //   (i32.sub (local.get 0) (local.get 1))                     ;; locals -> pushed
  //   (i32.mul (local.get 1))                                   ;; stack, local
  //   (i32.xor (i32.const -1))                                  ;; stack, const
  //   (local.set 2 (i64.extend_i32_u (local.get 1))))           ;; unary: local -> local
  Builder b;
  b.func({I32, I32}, {I32},
         {op(Op::LocalGet, 0), i32c(1), op(Op::I32Add), op(Op::LocalSet, 0), op(Op::LocalGet, 0), op(Op::LocalGet, 1),
          op(Op::I32Sub), op(Op::LocalGet, 1), op(Op::I32Mul), i32c(-1), op(Op::I32Xor), op(Op::LocalGet, 1),
          op(Op::I64ExtendI32U), op(Op::LocalSet, 2)},
         {{1, I64}});
  auto r = b.run();
  ASSERT_TRUE(r.ok());
  const uint64_t minus1 = 0xFFFF'FFFFu;  // the i32.const word as the decoder gives it
  EXPECT_EQ(words(r.value()[0]),
            (std::vector<uint64_t>{w(XOp::Fuel), fw(Op::I32Add, code::form(code::kLocalConst, code::kSet)), 0, 1, 0,
                                   fw(Op::I32Sub, code::form(code::kLocals, code::kPush)), 0, 1,
                                   fw(Op::I32Mul, code::form(code::kStackLocal, code::kPush)), 1,
                                   fw(Op::I32Xor, code::form(code::kStackConst, code::kPush)), minus1,
                                   fw(Op::I64ExtendI32U, code::form(code::kLocals, code::kSet)), 1, 2, w(Op::Return)}));
}

TEST(Compile, FusedLoadsAndStores) {
  if (!code::kFusion) GTEST_SKIP() << "built without fused operands (WARDEN_FUSION=0)";
  // (memory 1) (func (param i32) (local i32)
  //   (local.set 1 (i32.load offset=4 (local.get 0)))      ;; address a local -> local
  //   (i32.store8 offset=2 (local.get 0) (i32.const 0))     ;; local address, const value
  //   (i64.store (local.get 0) (i64.load (local.get 0))))   ;; the load fuses, then the store takes a stack value: plain
  Builder b;
  b.memory(1);
  b.func({I32}, {},
         {op(Op::LocalGet, 0), mem(Op::I32Load, 2, 4), op(Op::LocalSet, 1), op(Op::LocalGet, 0), i32c(0),
          mem(Op::I32Store8, 0, 2), op(Op::LocalGet, 0), op(Op::LocalGet, 0), mem(Op::I64Load, 3, 0),
          mem(Op::I64Store, 3, 0)},
         {{1, I32}});
  auto r = b.run();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(words(r.value()[0]),
            (std::vector<uint64_t>{w(XOp::Fuel), fw(Op::I32Load, code::form(code::kLocals, code::kSet)), 0, 4, 1,
                                   fw(Op::I32Store8, code::form(code::kLocalConst, code::kPush)), 0, 0, 2,
                                   w(Op::LocalGet), 0, fw(Op::I64Load, code::form(code::kLocals, code::kPush)), 0, 0,
                                   w(Op::I64Store), 0, w(Op::Return)}));
}

TEST(Compile, FusedV128LoadsAndStores) {
  if (!code::kFusion) GTEST_SKIP() << "built without fused operands (WARDEN_FUSION=0)";
  // (memory 1) (func (param i32 v128) (local v128)
  //   (local.set 2 (v128.load offset=16 (local.get 0)))             ;; local address -> v128 local
  //   (v128.store offset=32 (local.get 0) (local.get 2))            ;; locals
  //   (v128.store (i32.add (local.get 0) (i32.const 8)) (local.get 1))  ;; stack address, local value
  //   (v128.store (local.get 0) (v128.const 0 0))                   ;; a v128 constant: plain
  //   (drop (v128.load64_splat (local.get 0))))                     ;; not a whole v128: plain
  Builder b;
  b.memory(1);
  b.func({I32, V128}, {},
         {op(Op::LocalGet, 0), mem(Op::V128Load, 4, 16), op(Op::LocalSet, 2), op(Op::LocalGet, 0), op(Op::LocalGet, 2),
          mem(Op::V128Store, 4, 32), op(Op::LocalGet, 0), i32c(8), op(Op::I32Add), op(Op::LocalGet, 1),
          mem(Op::V128Store, 4, 0), op(Op::LocalGet, 0), v128c(), mem(Op::V128Store, 4, 0), op(Op::LocalGet, 0),
          mem(Op::V128Load64Splat, 3, 0), op(Op::Drop)},
         {{1, V128}});
  auto r = b.run();
  ASSERT_TRUE(r.ok()) << r.error().message;
  // Slots: the i32 param 0, the v128 param 1-2, the v128 local 3-4.
  EXPECT_EQ(words(r.value()[0]), (std::vector<uint64_t>{w(XOp::Fuel),
                                                        fw(Op::V128Load, code::form(code::kLocals, code::kSet)),
                                                        0,
                                                        16,
                                                        3,
                                                        fw(Op::V128Store, code::form(code::kLocals, code::kPush)),
                                                        0,
                                                        3,
                                                        32,
                                                        fw(Op::I32Add, code::form(code::kLocalConst, code::kPush)),
                                                        0,
                                                        8,
                                                        fw(Op::V128Store, code::form(code::kStackLocal, code::kPush)),
                                                        1,
                                                        0,
                                                        w(Op::LocalGet),
                                                        0,
                                                        w(Op::V128Const),
                                                        0,
                                                        0,
                                                        w(Op::V128Store),
                                                        0,
                                                        w(Op::LocalGet),
                                                        0,
                                                        w(Op::V128Load64Splat),
                                                        0,
                                                        w(Op::Drop),
                                                        w(Op::Drop),
                                                        w(Op::Return)}));
}

TEST(Compile, FusionNeverReachesBackAcrossABranchTarget) {
  if (!code::kFusion) GTEST_SKIP() << "built without fused operands (WARDEN_FUSION=0)";
  // (func (param i32 i32) (result i32)
  //   (block (result i32) (local.get 0)) (local.get 1) (i32.add))
  // The block's end is a branch target between the two local.gets: the add
  // takes only the second (stack, local).
  Builder b;
  b.func({I32, I32}, {I32},
         {blk(Op::Block, I32), op(Op::LocalGet, 0), op(Op::End), op(Op::LocalGet, 1), op(Op::I32Add)});
  auto r = b.run();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(words(r.value()[0]),
            (std::vector<uint64_t>{w(XOp::Fuel), w(Op::LocalGet), 0,
                                   fw(Op::I32Add, code::form(code::kStackLocal, code::kPush)), 1, w(Op::Return)}));
  // Forms a row does not have are never emitted. v128 operators without an
  // immediate fuse (with a v128 or scalar constant as the second operand);
  // lane ops, the other v128 loads and three-operand rows stay plain.
  struct Row {
    Op op;
    int src, mode;
    bool fuses;
  };
  const Row rows[] = {
      {Op::I8x16Add, code::kLocals, code::kPush, true},
      {Op::F64x2Mul, code::kStackLocal, code::kTee, true},
      {Op::I8x16Add, code::kStackConst, code::kPush, true},  // a v128 constant
      {Op::F64x2Le, code::kLocalConst, code::kTee, true},
      {Op::I8x16Shl, code::kStackConst, code::kSet, true},  // a scalar constant
      {Op::V128AnyTrue, code::kLocals, code::kBrZ, true},
      {Op::F64x2Mul, code::kLocals, code::kBrNZ, false},
      {Op::I8x16ExtractLaneS, code::kLocals, code::kPush, false},
      {Op::V128Bitselect, code::kStack, code::kSet, false},
      {Op::V128Load, code::kLocals, code::kPush, true},  // a whole v128: fuses as scalar loads do
      {Op::V128Load64Splat, code::kLocals, code::kPush, false},
      {Op::V128Store, code::kLocals, code::kPush, true},
      {Op::V128Store, code::kLocalConst, code::kPush, false},  // a store's value never a constant
      {Op::I32Store, code::kLocals, code::kSet, false},
      {Op::I32Eqz, code::kStackConst, code::kPush, false},
      {Op::I32DivS, code::kStackConst, code::kSet, true},
      {Op::I32Add, code::kStack, code::kPush, false},   // the plain op
      {Op::I64Add, code::kLocals, code::kBrNZ, false},  // branches take an i32
  };
  for (const Row& row : rows)
    EXPECT_EQ(code::fusable(row.op, code::form(row.src, row.mode)), row.fuses)
        << name(row.op) << " form " << row.src << "/" << row.mode;
  EXPECT_FALSE(code::fusable(Op::F64Lt, code::form(code::kLocals, code::kPush)) &&
               !code::fusable(Op::F64Lt, code::form(code::kLocals, code::kBrNZ)));
}

TEST(Compile, V128ConstantsFuseAsTheSecondOperand) {
  if (!code::kFusion) GTEST_SKIP() << "built without fused operands (WARDEN_FUSION=0)";
  // (func (param v128) (result v128)
  //   (f64x2.le (f64x2.add (local.get 0) (local.get 0)) (v128.const i64x2 5 6))  ;; stack, const
  //   (local.set 0)
  //   (i8x16.shl (v128.const i64x2 1 2) (i32.const 3))   ;; a scalar constant after a plain v128.const
  //   (drop)
  //   (f64x2.mul (local.get 0) (v128.const i64x2 7 8)))  ;; local, const
  Builder b;
  b.func({V128}, {V128},
         {op(Op::LocalGet, 0), op(Op::LocalGet, 0), op(Op::F64x2Add), v128c(5, 6), op(Op::F64x2Le), op(Op::LocalSet, 0),
          v128c(1, 2), i32c(3), op(Op::I8x16Shl), op(Op::Drop), op(Op::LocalGet, 0), v128c(7, 8), op(Op::F64x2Mul)});
  auto r = b.run();
  ASSERT_TRUE(r.ok());
  // One compiled op a line.
  // clang-format off
  EXPECT_EQ(words(r.value()[0]), (std::vector<uint64_t>{
      w(XOp::Fuel),
      fw(Op::F64x2Add, code::form(code::kLocals, code::kPush)), 0, 0,
      fw(Op::F64x2Le, code::form(code::kStackConst, code::kSet)), 5, 6, 0,
      w(Op::V128Const), 1, 2,
      fw(Op::I8x16Shl, code::form(code::kStackConst, code::kPush)), 3,
      w(Op::Drop), w(Op::Drop),
      fw(Op::F64x2Mul, code::form(code::kLocalConst, code::kPush)), 0, 7, 8,
      w(Op::Return)}));
  // clang-format on
}

TEST(Compile, CommutativeOperatorsTakeAnEarlierLocalSecond) {
  if (!code::kFusion) GTEST_SKIP() << "built without fused operands (WARDEN_FUSION=0)";
  // (func (param i32 i32 i32 v128) (result i32)
  //   (i32.add (local.get 2) (i32.sub (local.get 0) (local.get 1)))      ;; add(sub, 2)
  //   (i32.sub (local.get 2) (i32.add (local.get 0) (local.get 1)))      ;; sub: not commutative
  //   (drop (f64x2.mul (local.get 3) (f64x2.add (local.get 3) (local.get 3)))) ;; mul(add, 3)
  //   (i32.xor))
  Builder b;
  b.func({I32, I32, I32, V128}, {I32},
         {op(Op::LocalGet, 2), op(Op::LocalGet, 0), op(Op::LocalGet, 1), op(Op::I32Sub), op(Op::I32Add),
          op(Op::LocalGet, 2), op(Op::LocalGet, 0), op(Op::LocalGet, 1), op(Op::I32Add), op(Op::I32Sub),
          op(Op::LocalGet, 3), op(Op::LocalGet, 3), op(Op::LocalGet, 3), op(Op::F64x2Add), op(Op::F64x2Mul),
          op(Op::Drop), op(Op::I32Xor)});
  auto r = b.run();
  ASSERT_TRUE(r.ok());
  // One compiled op a line.
  // clang-format off
  EXPECT_EQ(words(r.value()[0]), (std::vector<uint64_t>{
      w(XOp::Fuel),
      fw(Op::I32Sub, code::form(code::kLocals, code::kPush)), 0, 1,
      fw(Op::I32Add, code::form(code::kStackLocal, code::kPush)), 2,
      w(Op::LocalGet), 2,
      fw(Op::I32Add, code::form(code::kLocals, code::kPush)), 0, 1,
      w(Op::I32Sub),
      fw(Op::F64x2Add, code::form(code::kLocals, code::kPush)), 3, 3,
      fw(Op::F64x2Mul, code::form(code::kStackLocal, code::kPush)), 3,
      w(Op::Drop), w(Op::Drop),
      w(Op::I32Xor),
      w(Op::Return)}));
  // clang-format on
}

TEST(Compile, AdjacentLocalGetsNoFusionTakesBecomeOne) {
  if (!code::kFusion) GTEST_SKIP() << "built without fused operands (WARDEN_FUSION=0)";
  // (memory 1)
  // (func (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
  // (func (param i32 i32 i32) (result i32)
  //   (call 0 (local.get 1) (local.get 0))                            ;; paired: the call takes neither
  //   (i32.mul (local.get 2) (i32.add (local.get 0) (local.get 1)))   ;; not paired: fusion takes them
  //   (i32.add)
  //   (local.get 0) (local.get 1)
  //   (block (br_if 0 (i32.eqz (local.get 2))) (drop (memory.size)))  ;; not paired: a branch follows
  //   (i32.sub) (i32.add))
  // (func (param i32 i32 i32) (result i32)
  //   (select (local.get 1) (local.get 0) (i32.and (i32.mul (local.get 2) (i32.const 7)) (i32.const 5))))
  //   ;; paired once the and shows that the mul will keep its local.get
  Builder b;
  b.memory(1);
  b.func({I32, I32}, {I32}, {op(Op::LocalGet, 0), op(Op::LocalGet, 1), op(Op::I32Sub)});
  b.func({I32, I32, I32}, {I32},
         {op(Op::LocalGet, 1),   op(Op::LocalGet, 0), op(Op::Call, 0),     op(Op::LocalGet, 2), op(Op::LocalGet, 0),
          op(Op::LocalGet, 1),   op(Op::I32Add),      op(Op::I32Mul),      op(Op::I32Add),      op(Op::LocalGet, 0),
          op(Op::LocalGet, 1),   blk(Op::Block),      op(Op::LocalGet, 2), op(Op::I32Eqz),      op(Op::BrIf, 0),
          op(Op::MemorySize, 0), op(Op::Drop),        op(Op::End),         op(Op::I32Sub),      op(Op::I32Add)});
  b.func({I32, I32, I32}, {I32},
         {op(Op::LocalGet, 1), op(Op::LocalGet, 0), op(Op::LocalGet, 2), i32c(7), op(Op::I32Mul), i32c(5),
          op(Op::I32And), op(Op::Select)});
  auto r = b.run();
  ASSERT_TRUE(r.ok()) << r.error().message;
  // One compiled op a line.
  // clang-format off
  EXPECT_EQ(words(r.value()[1]), (std::vector<uint64_t>{
      w(XOp::Fuel),
      w(XOp::LocalGet2), 1, 0,
      w(Op::Call), 0,
      fw(Op::I32Add, code::form(code::kLocals, code::kPush)), 0, 1,
      fw(Op::I32Mul, code::form(code::kStackLocal, code::kPush)), 2,
      w(Op::I32Add),
      w(Op::LocalGet), 0,
      w(Op::LocalGet), 1,
      fw(Op::I32Eqz, code::form(code::kLocals, code::kBrNZ)), 2, to(3),  // to the I32Sub
      w(Op::MemorySize),
      w(Op::Drop),
      w(Op::I32Sub),
      w(Op::I32Add),
      w(Op::Return)}));
  // clang-format on
  EXPECT_EQ(r.value()[1].max_stack, 4u);
  EXPECT_EQ(words(r.value()[2]),
            (std::vector<uint64_t>{
                w(XOp::Fuel), w(XOp::LocalGet2), 1, 0, fw(Op::I32Mul, code::form(code::kLocalConst, code::kPush)), 2, 7,
                fw(Op::I32And, code::form(code::kStackConst, code::kPush)), 5, w(Op::Select), w(Op::Return)}));
}

TEST(Compile, FusedTeeAndBranches) {
  if (!code::kFusion) GTEST_SKIP() << "built without fused operands (WARDEN_FUSION=0)";
  // (func (param i32) (local i32)
  //   (loop (br_if 0 (i32.lt_u (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (local.get 0))))
  //   (if (i32.eqz (local.get 0)) (then (local.set 1 (i32.load (local.get 1))))))
  Builder b;
  b.memory(1);
  b.func({I32}, {},
         {blk(Op::Loop), op(Op::LocalGet, 1), i32c(1), op(Op::I32Add), op(Op::LocalTee, 1), op(Op::LocalGet, 0),
          op(Op::I32LtU), op(Op::BrIf, 0), op(Op::End), op(Op::LocalGet, 0), op(Op::I32Eqz), blk(Op::If),
          op(Op::LocalGet, 1), mem(Op::I32Load, 2, 0), op(Op::LocalSet, 1), op(Op::End)},
         {{1, I32}});
  auto r = b.run();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(words(r.value()[0]),
            (std::vector<uint64_t>{w(XOp::Fuel),                                                        // 0
                                   w(XOp::Fuel),                                                        // 1 loop header
                                   fw(Op::I32Add, code::form(code::kLocalConst, code::kTee)), 1, 1, 1,  // 2
                                   fw(Op::I32LtU, code::form(code::kStackLocal, code::kBrNZ)), 0, to(-7),  // 6, to 1
                                   fw(Op::I32Eqz, code::form(code::kLocals, code::kBrZ)), 0, 5,            // 9, to 16
                                   fw(Op::I32Load, code::form(code::kLocals, code::kSet)), 1, 0, 1,        // 12
                                   w(Op::Return)}));                                                       // 16
}

TEST(Compile, BrTable) {
  // (func (param i32) (block (block (br_table 0 1 2 (local.get 0)))))
  Builder b;
  auto bt = b.br_table({0, 1, 2});
  b.func({I32}, {}, {blk(Op::Block), blk(Op::Block), op(Op::LocalGet, 0), bt, op(Op::End), op(Op::End)});
  auto r = b.run();
  ASSERT_TRUE(r.ok());
  // Entries (target, height, keep): the inner block's end, the outer
  // block's end and the function's end are all pc 14, the final Return,
  // each target word 9, 6 and 3 words before it.
  EXPECT_EQ(words(r.value()[0]), (std::vector<uint64_t>{w(XOp::Fuel), w(Op::LocalGet), 0, w(XOp::BrTableMove), 2, 9, 1,
                                                        0, 6, 1, 0, 3, 1, 0, w(Op::Return)}));
}

// The compiler writes each op word through Context::op_words (the
// interpreter's handler addresses, in a loaded module) and nothing else:
// immediates, constants and branch distances stay as they are, and a fused
// op rewritten after it was emitted (local.set taking the add) is mapped too.
TEST(Compile, OpWordsGoThroughTheTable) {
  constexpr uint64_t kTag = uint64_t{0xAB} << 56;  // no immediate here has these bits
  std::vector<uint64_t> table(code::kWordCount);
  for (size_t i = 0; i < table.size(); ++i) table[i] = kTag | i;
  Builder b;
  // (func (param i32 i32) (result i32) (local i64) ...): FusedOperandForms'
  b.func({I32, I32}, {I32},
         {op(Op::LocalGet, 0), i32c(1), op(Op::I32Add), op(Op::LocalSet, 0), op(Op::LocalGet, 0), op(Op::LocalGet, 1),
          op(Op::I32Sub), op(Op::LocalGet, 1), op(Op::I32Mul), i32c(-1), op(Op::I32Xor), op(Op::LocalGet, 1),
          op(Op::I64ExtendI32U), op(Op::LocalSet, 2)},
         {{1, I64}});
  // BrTable's, and a loop with a back edge: (loop (br_if 0 (local.get 0)))
  auto bt = b.br_table({0, 1, 2});
  b.func({I32}, {}, {blk(Op::Block), blk(Op::Block), op(Op::LocalGet, 0), bt, op(Op::End), op(Op::End)});
  b.func({I32}, {}, {blk(Op::Loop), op(Op::LocalGet, 0), op(Op::BrIf, 0), op(Op::End)});
  auto plain = b.run();
  auto mapped = validate(b.m, Limits{}, table.data());
  ASSERT_TRUE(plain.ok());
  ASSERT_TRUE(mapped.ok());
  // Where the op words are, from the code FusedOperandForms, BrTable and
  // LoopHasFuelAtItsHeaderAndBranchesBack pin (the first only when fused).
  const std::vector<std::vector<size_t>> ops = {
      code::kFusion ? std::vector<size_t>{0, 1, 5, 8, 10, 12, 15} : std::vector<size_t>{},
      {0, 1, 3, 14},
      {0, 1, 2, 4, 6}};
  for (size_t f = 0; f < ops.size(); ++f) {
    if (ops[f].empty()) continue;
    std::span<const uint64_t> a = plain.value()[f].code;
    std::span<const uint64_t> m = mapped.value()[f].code;
    ASSERT_EQ(a.size(), m.size()) << "function " << f;
    size_t next = 0;
    for (size_t k = 0; k < a.size(); ++k) {
      const bool op_word = next < ops[f].size() && ops[f][next] == k;
      next += op_word;
      EXPECT_EQ(m[k], op_word ? (kTag | a[k]) : a[k]) << "function " << f << ", word " << k;
    }
    EXPECT_EQ(next, ops[f].size()) << "function " << f;
  }
}

TEST(Compile, DeadCodeIsNotEmitted) {
  // (func (return) (i32.const 1) (drop) (block (loop (br 0))))
  Builder b;
  b.func(
      {}, {},
      {op(Op::Return), i32c(1), op(Op::Drop), blk(Op::Block), blk(Op::Loop), op(Op::Br, 0), op(Op::End), op(Op::End)});
  auto r = b.run();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(words(r.value()[0]), (std::vector<uint64_t>{w(XOp::Fuel), w(Op::Return), w(Op::Return)}));
}

TEST(Compile, ImmediatesOfMemoryAndTables) {
  // (memory 1) (table 2 funcref)
  // (func (result i32) (i32.load offset=8 align=2 (i32.const 0)) (drop)
  //   (v128.store8_lane offset=3 5 (i32.const 0) (v128.const 0))
  //   (table.size 1))
  Builder b;
  b.memory(1);
  b.table();
  b.table();
  b.func({}, {I32},
         {i32c(0), mem(Op::I32Load, 2, 8), op(Op::Drop), i32c(0), v128c(), with_lane(mem(Op::V128Store8Lane, 0, 3), 5),
          op(Op::TableSize, 1)});
  auto r = b.run();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(
      words(r.value()[0]),
      (std::vector<uint64_t>{w(XOp::Fuel), w(Op::I32Const), 0, w(Op::I32Load), 8, w(Op::Drop), w(Op::I32Const), 0,
                             w(Op::V128Const), 0, 0, w(Op::V128Store8Lane), 3, 5, w(Op::TableSize), 1, w(Op::Return)}));
  EXPECT_EQ(r.value()[0].max_stack, 3u);
}

TEST(Compile, CallsAndIndirectCalls) {
  // (import "m" "f" (func (param i32) (result i64)))
  // (table 1 funcref) (func (result i64) (call 0 (i32.const 1)) (drop)
  //   (call_indirect (type 0) (i32.const 2) (i32.const 0)))
  Builder b;
  b.import_func({I32}, {I64});
  b.table();
  b.func({}, {I64}, {i32c(1), op(Op::Call, 0), op(Op::Drop), i32c(2), i32c(0), op(Op::CallIndirect, 0, 0)});
  auto r = b.run();
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.value().size(), 1u);
  EXPECT_EQ(words(r.value()[0]),
            (std::vector<uint64_t>{w(XOp::Fuel), w(Op::I32Const), 1, w(Op::Call), 0, w(Op::Drop), w(Op::I32Const), 2,
                                   w(Op::I32Const), 0, w(Op::CallIndirect), 0, 0, w(Op::Return)}));
}

// ------------------------------------------------------ from binary bytes ----

void put_u32(std::vector<uint8_t>& out, uint32_t v) {  // unsigned LEB128
  do {
    uint8_t byte = v & 0x7F;
    v >>= 7;
    out.push_back(byte | (v ? 0x80 : 0));
  } while (v);
}

// A module with one function of type [] -> [] whose body (locals vector and
// instructions, without the final 0x0B) is `code`.
std::vector<uint8_t> one_func_module(const std::vector<uint8_t>& code) {
  std::vector<uint8_t> m = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00,
                            0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00,  // type section: [] -> []
                            0x03, 0x02, 0x01, 0x00};                   // function section
  std::vector<uint8_t> body = {0x00};                                  // no locals
  body.insert(body.end(), code.begin(), code.end());
  body.push_back(0x0B);
  std::vector<uint8_t> entry;
  put_u32(entry, static_cast<uint32_t>(body.size()));
  entry.insert(entry.end(), body.begin(), body.end());
  std::vector<uint8_t> sec = {0x01};  // one entry
  sec.insert(sec.end(), entry.begin(), entry.end());
  m.push_back(0x0A);
  put_u32(m, static_cast<uint32_t>(sec.size()));
  m.insert(m.end(), sec.begin(), sec.end());
  return m;
}

Result<code::CompiledCode> load(const std::vector<uint8_t>& bytes) {
  auto m = decode(bytes, Limits{});
  if (!m.ok()) return m.error();
  return validate(m.value(), Limits{});
}

TEST(ValidateBinary, MillionNestedBlocksFromBytes) {
  // (func (block (block ... (a million times) ...)))
  std::vector<uint8_t> code;
  code.reserve(3'000'000);
  for (int i = 0; i < 1'000'000; ++i) {
    code.push_back(0x02);  // block
    code.push_back(0x40);  // []
  }
  code.insert(code.end(), 1'000'000, 0x0B);
  // V8, wabt and Binaryen load it (3 MB, under V8's 7.6 MB body limit), and
  // so does Warden: the control stack is on the heap, not the host stack.
  auto r = load(one_func_module(code));
  ASSERT_TRUE(r.ok()) << r.error().message;
}

TEST(ValidateBinary, ErrorOffsetIsTheInstructionsByte) {
  // (func (i32.const 1) (i64.const 2) (i32.add) (drop))
  std::vector<uint8_t> code = {0x41, 0x01, 0x42, 0x02, 0x6A, 0x1A};
  std::vector<uint8_t> bytes = one_func_module(code);
  auto r = load(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Invalid);
  EXPECT_EQ(r.error().message, "type mismatch");
  // The i32.add is the 4th byte from the end: 0x6A 0x1A 0x0B.
  ASSERT_LT(r.error().offset, bytes.size());
  EXPECT_EQ(bytes[r.error().offset], 0x6A);
  EXPECT_EQ(r.error().offset, bytes.size() - 3);
}

TEST(ValidateBinary, LoopCompilesFromBytes) {
  // (func (loop (br 0)))  -- an infinite loop; each iteration pays fuel
  auto r = load(one_func_module({0x03, 0x40, 0x0C, 0x00, 0x0B}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(words(r.value()[0]),
            (std::vector<uint64_t>{w(XOp::Fuel), w(XOp::Fuel), w(XOp::Jump), to(-2), w(Op::Return)}));
}

}  // namespace
}  // namespace warden
