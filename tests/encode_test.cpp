// Binary encoder tests: hand-built syntax trees covering every section and
// every immediate kind survive encode -> decode unchanged; canonical binaries
// survive decode -> encode byte for byte; the encoder picks the canonical
// element/data forms and minimal LEBs; an encoded valid module loads.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "warden/binary.hpp"
#include "warden/syntax.hpp"
#include "warden/warden.hpp"
#include "wasm_builder.hpp"

namespace warden {
namespace {

using wasm_builder::Bytes;
using wasm_builder::cat;
using wasm_builder::hex;

Bytes header() { return hex("00 61 73 6d 01 00 00 00"); }
Bytes wasm(std::string_view rest) {
  Bytes b = header();
  Bytes r = hex(rest);
  b.insert(b.end(), r.begin(), r.end());
  return b;
}

ast::Instr ins(Op op, uint32_t a = 0, uint32_t b = 0, uint64_t lo = 0, uint64_t hi = 0, uint8_t lane = 0) {
  ast::Instr i;
  i.op = op;
  i.a = a;
  i.b = b;
  i.lo = lo;
  i.hi = hi;
  i.lane = lane;
  return i;
}

ast::Expr const_i32(uint32_t v) { return {ins(Op::I32Const, 0, 0, v), ins(Op::End)}; }

// encode, decode, compare; returns the bytes.
Bytes round_trip(const ast::Module& m) {
  Bytes b = encode(m);
  Result<ast::Module> r = decode(b, Limits{});
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message + " at " + std::to_string(r.error().offset));
  if (r.ok()) {
    EXPECT_EQ(ast_diff(m, *r), "");
    EXPECT_EQ(encode(*r), b);
  }
  return b;
}

// decode, encode: must give the same bytes back.
void expect_canonical(const Bytes& b) {
  Result<ast::Module> r = decode(b, Limits{});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(encode(*r), b);
}

// ------------------------------------------------------------- basics ----

TEST(Encode, EmptyModuleIsJustTheHeader) { EXPECT_EQ(encode(ast::Module{}), header()); }

TEST(Encode, SmallFunctionExactBytes) {
  // (module (func (export "f") (param i32) (result i32) local.get 0 i32.const 1 i32.add))
  ast::Module m;
  m.types.push_back({{ValType::I32}, {ValType::I32}});
  ast::Function f;
  f.body = {ins(Op::LocalGet, 0), ins(Op::I32Const, 0, 0, 1), ins(Op::I32Add), ins(Op::End)};
  m.funcs.push_back(f);
  m.exports.push_back({"f", ExternKind::Func, 0, 0});
  EXPECT_EQ(round_trip(m), wasm("01 06 01 60 01 7f 01 7f"
                                "03 02 01 00"
                                "07 05 01 01 66 00 00"
                                "0a 09 01 07 00 20 00 41 01 6a 0b"));
}

TEST(Encode, MinimalLebs) {
  // i32.const -1, 0x7fffffff, -0x80000000, 64, -65; i64.const INT64_MIN;
  // call 300; blocks with an empty type, a value type and type index 200.
  ast::Module m;
  m.types.push_back({});
  ast::Function f;
  f.body = {ins(Op::I32Const, 0, 0, 0xFFFFFFFFu),
            ins(Op::I32Const, 0, 0, 0x7FFFFFFFu),
            ins(Op::I32Const, 0, 0, 0x80000000u),
            ins(Op::I32Const, 0, 0, 64),
            ins(Op::I32Const, 0, 0, static_cast<uint32_t>(-65)),
            ins(Op::I64Const, 0, 0, 0x8000000000000000u),
            ins(Op::Call, 300),
            ins(Op::Block, 0, 0, static_cast<uint64_t>(ast::kBlockEmpty)),
            ins(Op::End),
            ins(Op::Block, 0, 0, static_cast<uint64_t>(ast::block_of(ValType::F64))),
            ins(Op::End),
            ins(Op::Block, 0, 0, 200),
            ins(Op::End),
            ins(Op::End)};
  m.funcs.push_back(f);
  Bytes b = round_trip(m);
  Bytes body =
      hex("00"
          "41 7f  41 ff ff ff ff 07  41 80 80 80 80 78  41 c0 00  41 bf 7f"
          "42 80 80 80 80 80 80 80 80 80 7f"
          "10 ac 02"
          "02 40 0b  02 7c 0b  02 c8 01 0b  0b");
  ASSERT_GE(b.size(), body.size());
  EXPECT_EQ(Bytes(b.end() - static_cast<std::ptrdiff_t>(body.size()), b.end()), body);
}

// --------------------------------------------------- every section ----

ast::Module every_section() {
  ast::Module m;
  m.types.push_back({{ValType::I32, ValType::I64}, {ValType::F32}});
  m.types.push_back({});
  m.types.push_back({{ValType::V128, ValType::FuncRef, ValType::ExternRef}, {ValType::F64, ValType::I32}});

  ast::Import im;
  im.module = "env";
  im.name = "f";
  im.kind = ExternKind::Func;
  im.func_type = 1;
  m.imports.push_back(im);
  im.name = "t";
  im.kind = ExternKind::Table;
  im.table = {ValType::ExternRef, {1, 10}};
  m.imports.push_back(im);
  im.name = "m";
  im.kind = ExternKind::Memory;
  im.memory = {{1, std::nullopt}};
  m.imports.push_back(im);
  im.name = "g\xC3\xA9";  // a non-ASCII name
  im.kind = ExternKind::Global;
  im.global = {ValType::F64, true};
  m.imports.push_back(im);

  ast::Function f0;
  f0.type = 1;
  f0.locals = {{2, ValType::I32}, {1, ValType::V128}, {7000, ValType::ExternRef}};
  f0.body = {ins(Op::I32Const, 0, 0, 0), ins(Op::BrTable, 0, 3), ins(Op::DataDrop, 0), ins(Op::End)};
  f0.br_targets = {0, 0, 0};
  m.funcs.push_back(f0);
  ast::Function f1;
  f1.type = 0;
  f1.body = {ins(Op::LocalGet, 1), ins(Op::Drop), ins(Op::F32Const, 0, 0, 0x3F800000u), ins(Op::End)};
  m.funcs.push_back(f1);

  m.tables.push_back({ValType::FuncRef, {2, std::nullopt}});
  m.tables.push_back({ValType::ExternRef, {0, 0xFFFFFFFFu}});
  m.memories.push_back({{0, 65536}});

  ast::Global g;
  g.type = {ValType::I32, false};
  g.init = const_i32(42);
  m.globals.push_back(g);
  g.type = {ValType::FuncRef, true};
  g.init = {ins(Op::RefFunc, 1), ins(Op::End)};
  m.globals.push_back(g);

  m.exports.push_back({"f", ExternKind::Func, 1, 0});
  m.exports.push_back({"t", ExternKind::Table, 2, 0});
  m.exports.push_back({"m", ExternKind::Memory, 0, 0});
  m.exports.push_back({"g", ExternKind::Global, 4, 0});
  m.exports.push_back({"", ExternKind::Func, 0, 0});
  m.start = 1;

  using M = ast::SegmentMode;
  ast::Expr rf1 = {ins(Op::RefFunc, 1), ins(Op::End)};
  ast::Expr rf2 = {ins(Op::RefFunc, 2), ins(Op::End)};
  ast::Expr null_func = {ins(Op::RefNull, 0x70), ins(Op::End)};
  ast::Expr null_ext = {ins(Op::RefNull, 0x6F), ins(Op::End)};
  ast::Expr gget = {ins(Op::GlobalGet, 4), ins(Op::End)};
  auto seg = [](M mode, uint32_t table, ast::Expr offset, ValType t, std::vector<ast::Expr> init) {
    ast::ElemSegment s;
    s.mode = mode;
    s.table = table;
    s.offset = std::move(offset);
    s.type = t;
    s.init = std::move(init);
    return s;
  };
  m.elems.push_back(seg(M::Active, 0, const_i32(0), ValType::FuncRef, {rf1, rf2}));     // 0
  m.elems.push_back(seg(M::Passive, 0, {}, ValType::FuncRef, {rf2}));                   // 1
  m.elems.push_back(seg(M::Active, 1, const_i32(1), ValType::FuncRef, {rf1}));          // 2
  m.elems.push_back(seg(M::Declarative, 0, {}, ValType::FuncRef, {rf1}));               // 3
  m.elems.push_back(seg(M::Active, 0, gget, ValType::FuncRef, {rf1, null_func}));       // 4
  m.elems.push_back(seg(M::Passive, 0, {}, ValType::ExternRef, {null_ext, null_ext}));  // 5
  m.elems.push_back(seg(M::Active, 2, const_i32(0), ValType::ExternRef, {null_ext}));   // 6
  m.elems.push_back(seg(M::Declarative, 0, {}, ValType::FuncRef, {null_func}));         // 7
  m.elems.push_back(seg(M::Active, 0, const_i32(0), ValType::ExternRef, {null_ext}));   // 6
  m.elems.push_back(seg(M::Passive, 0, {}, ValType::FuncRef, {}));                      // 1

  ast::DataSegment d;
  d.offset = const_i32(16);
  d.bytes = {'h', 'i'};
  m.datas.push_back(d);
  d = {};
  d.mode = M::Passive;
  d.bytes = {0, 1, 2, 0xFF};
  m.datas.push_back(d);
  d = {};
  d.memory = 1;
  d.offset = const_i32(0);
  m.datas.push_back(d);
  m.data_count = 3;

  m.customs.push_back({"first", {1, 2, 3}, 0});
  m.customs.push_back({"after-import", {}, 2});
  m.customs.push_back({"after-elem", {9}, 9});
  m.customs.push_back({"after-datacount", {12}, 12});
  m.customs.push_back({"after-code", {10}, 10});
  m.customs.push_back({"last", {11}, 11});
  m.customs.push_back({"last-again", {}, 11});
  return m;
}

TEST(Encode, EverySectionRoundTrips) { round_trip(every_section()); }

TEST(Encode, ElementFormChoice) {
  ast::Module m = every_section();
  Bytes b = encode(m);
  Result<ast::Module> r = decode(b, Limits{});
  ASSERT_TRUE(r.ok()) << r.error().message;
  // Find the element section and read each segment's flags byte by
  // re-encoding the segments one at a time.
  const uint32_t expected[] = {0, 1, 2, 3, 4, 5, 6, 7, 6, 1};
  for (size_t i = 0; i < m.elems.size(); ++i) {
    ast::Module one;
    one.elems.push_back(m.elems[i]);
    Bytes e = encode(one);
    ASSERT_GT(e.size(), 11u);
    EXPECT_EQ(e[8], 9);   // element section id
    EXPECT_EQ(e[10], 1);  // one segment
    EXPECT_EQ(e[11], expected[i]) << "segment " << i;
  }
}

TEST(Encode, DataFormChoice) {
  ast::Module m = every_section();
  const uint32_t expected[] = {0, 1, 2};
  for (size_t i = 0; i < m.datas.size(); ++i) {
    ast::Module one;
    one.datas.push_back(m.datas[i]);
    Bytes e = encode(one);
    EXPECT_EQ(e[8], 11);
    EXPECT_EQ(e[11], expected[i]) << "segment " << i;
  }
}

TEST(Encode, DataCountAddedWhenBodiesNeedIt) {
  // (memory 1) (data "x") (func data.drop 0) with no data_count recorded, as
  // a text module may arrive: the encoder adds the section, so the binary
  // is well-formed.
  ast::Module m;
  m.types.push_back({});
  ast::Function f;
  f.body = {ins(Op::DataDrop, 0), ins(Op::End)};
  m.funcs.push_back(f);
  m.memories.push_back({{1, std::nullopt}});
  ast::DataSegment d;
  d.mode = ast::SegmentMode::Passive;
  d.bytes = {'x'};
  m.datas.push_back(d);
  Bytes b = encode(m);
  Result<ast::Module> r = decode(b, Limits{});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->data_count, 1u);
  // Without such instructions there is none.
  m.funcs[0].body = {ins(Op::End)};
  r = decode(encode(m), Limits{});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->data_count.has_value());
}

TEST(Encode, CustomSectionAfterEmptySectionKeepsItsPlace) {
  // A custom section recorded after an empty type section: the empty
  // section is written so that the placement decodes unchanged.
  Bytes b = wasm("01 01 00  00 02 01 78");
  expect_canonical(b);
}

// ------------------------------------------------ every instruction ----

// One instance of every instruction in the opcode table, with immediates
// chosen per Imm kind (distinct, non-trivial values). Blocks are closed
// right away, `if` gets an `else`; the result is well-formed, not valid.
ast::Function every_instruction() {
  ast::Function f;
  uint32_t k = 1;
  for (uint16_t i = 0; i < kOpCount; ++i) {
    Op op = static_cast<Op>(i);
    if (op == Op::Else || op == Op::End) continue;
    ast::Instr in = ins(op);
    ++k;
    switch (info(op).imm) {
      case Imm::None:
      case Imm::Zero:
      case Imm::Zero2: break;
      case Imm::Block:
        in.lo = k % 3 == 0   ? static_cast<uint64_t>(ast::kBlockEmpty)
                : k % 3 == 1 ? static_cast<uint64_t>(ast::block_of(ValType::V128))
                             : k;
        break;
      case Imm::Label:
      case Imm::Func:
      case Imm::Local:
      case Imm::Global:
      case Imm::Table:
      case Imm::Elem:
      case Imm::Data:
      case Imm::DataZero: in.a = k * 131; break;
      case Imm::BrTable:
        in.a = static_cast<uint32_t>(f.br_targets.size());
        in.b = 4;
        for (uint32_t t : {3u, 0u, 70000u, 1u}) f.br_targets.push_back(t);
        break;
      case Imm::CallInd:
      case Imm::TableTable:
      case Imm::ElemTable:
        in.a = k;
        in.b = k * 7;
        break;
      case Imm::Mem:
        in.a = k % 5;
        in.b = k * 1000;
        break;
      case Imm::MemLane:
        in.a = k % 4;
        in.b = k * 3;
        in.lane = static_cast<uint8_t>(k % 16);
        break;
      case Imm::I32: in.lo = static_cast<uint32_t>(-static_cast<int32_t>(k) * 99991); break;
      case Imm::I64: in.lo = 0x8000000000000001u + k; break;
      case Imm::F32: in.lo = 0x7FC00001u; break;  // a NaN payload must survive
      case Imm::F64: in.lo = 0xFFF0000000000001u; break;
      case Imm::V128:
      case Imm::Shuffle:
        in.lo = 0x0706050403020100u + k;
        in.hi = 0x1F0E0D0C0B0A0908u;
        break;
      case Imm::Lane: in.lane = static_cast<uint8_t>(k % 16); break;
      case Imm::HeapType: in.a = k % 2 ? 0x70 : 0x6F; break;
      case Imm::SelectT:
        in.a = static_cast<uint8_t>(ValType::V128);
        in.b = 1;
        break;
    }
    f.body.push_back(in);
    if (op == Op::If) f.body.push_back(ins(Op::Else));
    if (op == Op::Block || op == Op::Loop || op == Op::If) f.body.push_back(ins(Op::End));
  }
  f.body.push_back(ins(Op::End));
  return f;
}

TEST(Encode, EveryInstructionRoundTrips) {
  ast::Module m;
  m.types.push_back({});
  m.funcs.push_back(every_instruction());
  m.data_count = 0;
  // Every table row except else/end appears once (plus the block scaffolding).
  size_t distinct = 0;
  std::vector<bool> seen(kOpCount);
  for (const ast::Instr& in : m.funcs[0].body) {
    uint16_t i = static_cast<uint16_t>(in.op);
    if (!seen[i]) ++distinct, seen[i] = true;
  }
  EXPECT_EQ(distinct, size_t{kOpCount});
  round_trip(m);
}

TEST(Encode, EveryInstructionInAConstantExpression) {
  // Constant expressions go through the same writer; the validator, not the
  // binary format, restricts them. br_table labels cannot be recorded in a
  // constant expression, so br_table is left out here.
  ast::Module m;
  ast::Global g;
  for (const ast::Instr& in : every_instruction().body)
    if (in.op != Op::BrTable) g.init.push_back(in);
  m.globals.push_back(g);
  round_trip(m);
}

// ----------------------------------------------- canonical binaries ----

TEST(Encode, CanonicalBinariesAreFixedPoints) {
  // (module (memory 1 2) (data (i32.const 0) "ab"))
  expect_canonical(wasm("05 04 01 01 01 02  0b 08 01 00 41 00 0b 02 61 62"));
  // (module (table 1 funcref) (func) (elem (i32.const 0) func 0)
  //         (elem funcref (ref.null func)))
  expect_canonical(
      wasm("01 04 01 60 00 00  03 02 01 00  04 04 01 70 00 01"
           "09 0d 02 00 41 00 0b 01 00 05 70 01 d0 70 0b"
           "0a 04 01 02 00 0b"));
  // (module (global (mut i64) (i64.const -1)) (export "g" (global 0)))
  expect_canonical(wasm("06 06 01 7e 01 42 7f 0b  07 05 01 01 67 03 00"));
  // (module (func (result i32) (local i32) (block (result i32) (i32.const 7)
  //   (br_table 0 0 (local.get 0)))))
  expect_canonical(
      wasm("01 05 01 60 00 01 7f  03 02 01 00"
           "0a 11 01 0f 01 01 7f 02 7f 41 07 20 00 0e 01 00 00 0b 0b"));
  // Custom sections before, between and after, with the data count section.
  expect_canonical(
      wasm("00 03 02 68 69  05 03 01 00 01  00 01 00  0c 01 01"
           "00 02 01 63  0b 04 01 01 01 7a  00 04 03 65 6e 64"));
}

TEST(Encode, EncodedModuleLoads) {
  // The every-section module is well-formed but not valid; this one is
  // valid and goes all the way through the validator.
  ast::Module m;
  m.types.push_back({{ValType::I32, ValType::I32}, {ValType::I32}});
  ast::Function f;
  f.locals = {{1, ValType::I32}};
  f.body = {ins(Op::LocalGet, 0),
            ins(Op::LocalGet, 1),
            ins(Op::I32Add),
            ins(Op::LocalTee, 2),
            ins(Op::Block, 0, 0, static_cast<uint64_t>(ast::block_of(ValType::I32))),
            ins(Op::LocalGet, 2),
            ins(Op::I32Const, 0, 0, 0),
            ins(Op::BrTable, 0, 2),
            ins(Op::End),
            ins(Op::I32Add),
            ins(Op::End)};
  f.br_targets = {0, 0};
  m.funcs.push_back(f);
  m.memories.push_back({{1, 1}});
  m.exports.push_back({"add", ExternKind::Func, 0, 0});
  ast::DataSegment d;
  d.mode = ast::SegmentMode::Passive;
  d.bytes = {1};
  m.datas.push_back(d);
  Bytes b = round_trip(m);
  Result<std::shared_ptr<const Module>> loaded = Module::load(b);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded.value()->exports().size(), 1u);
}

}  // namespace
}  // namespace warden
