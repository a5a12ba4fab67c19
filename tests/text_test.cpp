// Tests for the text format (engine/src/text): lexer, literals, module and
// script parser, printer and the public text API.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "warden/binary.hpp"
#include "warden/script.hpp"
#include "warden/syntax.hpp"
#include "warden/text.hpp"

namespace warden::text {
namespace {

ast::Module parse_ok(std::string_view src) {
  Result<ast::Module> m = parse_module(src);
  EXPECT_TRUE(m.ok()) << src << "\n  -> " << (m.ok() ? "" : m.error().message);
  return m.ok() ? std::move(m).value() : ast::Module{};
}

std::string parse_error(std::string_view src) {
  Result<ast::Module> m = parse_module(src);
  if (m.ok()) return "<parsed>";
  EXPECT_EQ(m.error().kind, ErrorKind::Malformed);
  return m.error().message;
}

// The first instruction of `(func <body>)`.
ast::Instr first_instr(std::string_view body) {
  ast::Module m = parse_ok("(func " + std::string(body) + ")");
  if (m.funcs.size() != 1 || m.funcs[0].body.size() < 2) {
    ADD_FAILURE() << "no instruction: " << body;
    return {};
  }
  return m.funcs[0].body[0];
}

uint32_t f32_bits(std::string_view lit) {
  return static_cast<uint32_t>(first_instr("f32.const " + std::string(lit) + " drop").lo);
}
uint64_t f64_bits(std::string_view lit) { return first_instr("f64.const " + std::string(lit) + " drop").lo; }

void expect_same(std::string_view a, std::string_view b) {
  ast::Module ma = parse_ok(a), mb = parse_ok(b);
  EXPECT_EQ(ast_diff(ma, mb), "") << a << "\n  vs\n" << b;
}

// ------------------------------------------------------------ lexer ----

TEST(TextLexer, StringEscapes) {
  ast::Module m = parse_ok(R"((memory 1) (data (i32.const 0) "a\t\n\r\"\'\\\00\ff\u{41}\u{1F600}"))");
  ASSERT_EQ(m.datas.size(), 1u);
  const std::vector<uint8_t> want = {'a', '\t', '\n', '\r', '"', '\'', '\\', 0x00, 0xFF, 'A', 0xF0, 0x9F, 0x98, 0x80};
  EXPECT_EQ(m.datas[0].bytes, want);
}

TEST(TextLexer, Comments) {
  ast::Module m = parse_ok("(;a(;nested;)b;)(module ;; line\n (func (; x ;) nop));;end");
  ASSERT_EQ(m.funcs.size(), 1u);
  EXPECT_EQ(m.funcs[0].body[0].op, Op::Nop);
  EXPECT_EQ(parse_error("(module (; unclosed"), "unclosed comment");
}

TEST(TextLexer, StringErrors) {
  EXPECT_EQ(parse_error("(data \"abc"), "unclosed string literal");
  EXPECT_EQ(parse_error("(data \"\\q\")"), "illegal escape");
  EXPECT_EQ(parse_error("(data \"\\u{D800}\")"), "illegal escape");
  EXPECT_EQ(parse_error("(data \"a\tb\")"), "illegal control character in string literal");
  EXPECT_EQ(parse_error("(data \"\xff\")"), "malformed UTF-8 encoding");
  // Escaped bytes are fine in data but not in names.
  EXPECT_EQ(parse_error("(func (export \"\\ff\"))"), "malformed UTF-8 encoding");
  EXPECT_EQ(parse_error("(import \"\\c0\\80\" \"x\" (func))"), "malformed UTF-8 encoding");
}

TEST(TextLexer, TokensNeedSeparation) {
  EXPECT_EQ(parse_error("(func (drop (i32.const0)))"), "unknown operator i32.const0");
  EXPECT_EQ(parse_error("(data \"a\"\"b\")"), "unknown operator \"a\"\"b\"");
  EXPECT_EQ(parse_error("(data $l\"a\")"), "unknown operator $l\"a\"");
  parse_ok("(func(nop)(nop))");
  parse_ok("(module (func $f(nop)))");
}

TEST(TextLexer, ErrorPositions) {
  Result<ast::Module> m = parse_module("(module\n  (func\n    (i32.const 1)\n    bogus))");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().message, "unknown operator bogus");
  EXPECT_EQ(text_pos(m.error().offset).line, 4u);
  EXPECT_EQ(text_pos(m.error().offset).col, 5u);
  EXPECT_EQ(m.error().offset, text_offset(4, 5));
}

// --------------------------------------------------------- literals ----

TEST(TextLiterals, Integers) {
  EXPECT_EQ(first_instr("i32.const -1 drop").lo, 0xFFFFFFFFu);
  EXPECT_EQ(first_instr("i32.const 0xffff_ffff drop").lo, 0xFFFFFFFFu);
  EXPECT_EQ(first_instr("i32.const -0x8000_0000 drop").lo, 0x80000000u);
  EXPECT_EQ(first_instr("i32.const +42 drop").lo, 42u);
  EXPECT_EQ(first_instr("i32.const 1_000_000 drop").lo, 1000000u);
  EXPECT_EQ(first_instr("i64.const -9223372036854775808 drop").lo, 0x8000000000000000ull);
  EXPECT_EQ(first_instr("i64.const 18446744073709551615 drop").lo, 0xFFFFFFFFFFFFFFFFull);
  EXPECT_EQ(first_instr("i64.const 0x7fff_ffff_ffff_ffff drop").lo, 0x7FFFFFFFFFFFFFFFull);
  EXPECT_EQ(parse_error("(func (i32.const 4294967296) drop)"), "constant out of range");
  EXPECT_EQ(parse_error("(func (i32.const -2147483649) drop)"), "constant out of range");
  EXPECT_EQ(parse_error("(func (i64.const 18446744073709551616) drop)"), "constant out of range");
  EXPECT_EQ(parse_error("(func (i64.const -9223372036854775809) drop)"), "constant out of range");
  EXPECT_EQ(parse_error("(func (i64.const 0x1_0000_0000_0000_0000) drop)"), "constant out of range");
  EXPECT_EQ(parse_error("(func (i32.const 1__0) drop)"), "unknown operator 1__0");
  EXPECT_EQ(parse_error("(func (i32.const 10_) drop)"), "unknown operator 10_");
  EXPECT_EQ(parse_error("(func (i32.const 0x_1) drop)"), "unknown operator 0x_1");
  EXPECT_EQ(parse_error("(func (i32.const) drop)"), "unexpected token");
  EXPECT_EQ(parse_error("(func (i32.const nan:canonical) drop)"), "unexpected token");
}

TEST(TextLiterals, F32Exact) {
  EXPECT_EQ(f32_bits("0x1p-149"), 0x00000001u);        // smallest subnormal
  EXPECT_EQ(f32_bits("0x1.fffffep127"), 0x7F7FFFFFu);  // largest finite
  EXPECT_EQ(f32_bits("-0"), 0x80000000u);
  EXPECT_EQ(f32_bits("-0.0"), 0x80000000u);
  EXPECT_EQ(f32_bits("1"), 0x3F800000u);
  EXPECT_EQ(f32_bits("1."), 0x3F800000u);
  EXPECT_EQ(f32_bits("1.e0"), 0x3F800000u);
  EXPECT_EQ(f32_bits("0x1."), 0x3F800000u);
  EXPECT_EQ(f32_bits("1_0.2_5e0_1"), f32_bits("102.5"));
  EXPECT_EQ(f32_bits("inf"), 0x7F800000u);
  EXPECT_EQ(f32_bits("-inf"), 0xFF800000u);
  EXPECT_EQ(f32_bits("nan"), 0x7FC00000u);
  EXPECT_EQ(f32_bits("-nan"), 0xFFC00000u);
  EXPECT_EQ(f32_bits("nan:0x200000"), 0x7FA00000u);
  EXPECT_EQ(f32_bits("-nan:0x7fffff"), 0xFFFFFFFFu);
  EXPECT_EQ(f32_bits("nan:0x1"), 0x7F800001u);
}

TEST(TextLiterals, F32Rounding) {
  // 1 + 2^-24 lies exactly between 1 and the next float: ties to even.
  EXPECT_EQ(f32_bits("0x1.000001p0"), 0x3F800000u);
  EXPECT_EQ(f32_bits("0x1.000003p0"), 0x3F800002u);
  EXPECT_EQ(f32_bits("0x1.0000010000000000001p0"), 0x3F800001u);   // sticky bit
  EXPECT_EQ(f32_bits("1.000000059604644775390625"), 0x3F800000u);  // exact tie
  EXPECT_EQ(f32_bits("1.00000005960464477539062499"), 0x3F800000u);
  EXPECT_EQ(f32_bits("1.00000005960464477539062501"), 0x3F800001u);
  // Above the tie by less than a double can hold: going through double
  // would round to the tie and then to even (0x3F800000).
  EXPECT_EQ(f32_bits("1.00000005960464477539062500000000001"), 0x3F800001u);
  // Half the smallest subnormal rounds to zero (even); just above, up.
  EXPECT_EQ(f32_bits("0x1p-150"), 0x00000000u);
  EXPECT_EQ(f32_bits("0x1.000002p-150"), 0x00000001u);
  // The largest finite float; the value halfway to 2^128 rounds to infinity.
  EXPECT_EQ(f32_bits("340282346638528859811704183484516925440"), 0x7F7FFFFFu);
  EXPECT_EQ(f32_bits("340282356779733661637539395458142568447"), 0x7F7FFFFFu);
  EXPECT_EQ(parse_error("(func (f32.const 340282356779733661637539395458142568448) drop)"), "constant out of range");
  EXPECT_EQ(parse_error("(func (f32.const 0x1p128) drop)"), "constant out of range");
  EXPECT_EQ(parse_error("(func (f32.const -0x1.ffffffp127) drop)"), "constant out of range");
  EXPECT_EQ(parse_error("(func (f32.const 1e39) drop)"), "constant out of range");
  EXPECT_EQ(parse_error("(func (f32.const nan:0x0) drop)"), "constant out of range");
  EXPECT_EQ(parse_error("(func (f32.const nan:0x80_0000) drop)"), "constant out of range");
  EXPECT_EQ(parse_error("(func (f32.const nan:1) drop)"), "unknown operator nan:1");
  EXPECT_EQ(parse_error("(func (f32.const .5) drop)"), "unknown operator .5");
  EXPECT_EQ(parse_error("(func (f32.const 1.0e) drop)"), "unknown operator 1.0e");
  EXPECT_EQ(parse_error("(func (f32.const 0x1p_1) drop)"), "unknown operator 0x1p_1");
}

TEST(TextLiterals, F64) {
  EXPECT_EQ(f64_bits("0x1p-1074"), 0x0000000000000001ull);
  EXPECT_EQ(f64_bits("0x1.fffffffffffffp1023"), 0x7FEFFFFFFFFFFFFFull);
  EXPECT_EQ(f64_bits("0.1"), 0x3FB999999999999Aull);
  EXPECT_EQ(f64_bits("-0x0p0"), 0x8000000000000000ull);
  EXPECT_EQ(f64_bits("nan:0x4000000000000"), 0x7FF4000000000000ull);
  EXPECT_EQ(f64_bits("0x1.00000000000008p0"), 0x3FF0000000000000ull);  // tie to even
  EXPECT_EQ(f64_bits("0x1.00000000000018p0"), 0x3FF0000000000002ull);
  EXPECT_EQ(f64_bits("4.9406564584124654e-324"), 0x0000000000000001ull);
  EXPECT_EQ(parse_error("(func (f64.const 0x1.fffffffffffff8p1023) drop)"), "constant out of range");
  EXPECT_EQ(parse_error("(func (f64.const 1e309) drop)"), "constant out of range");
  EXPECT_EQ(parse_error("(func (f64.const nan:0x10_0000_0000_0000) drop)"), "constant out of range");
}

TEST(TextLiterals, V128) {
  ast::Instr in = first_instr("v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 -1 drop");
  EXPECT_EQ(in.lo, 0x0706050403020100ull);
  EXPECT_EQ(in.hi, 0xFF0E0D0C0B0A0908ull);
  in = first_instr("v128.const i16x8 -1 0 1 2 3 4 5 0xffff drop");
  EXPECT_EQ(in.lo, 0x000200010000FFFFull);
  EXPECT_EQ(in.hi, 0xFFFF000500040003ull);
  in = first_instr("v128.const i64x2 -1 0x8000000000000000 drop");
  EXPECT_EQ(in.lo, 0xFFFFFFFFFFFFFFFFull);
  EXPECT_EQ(in.hi, 0x8000000000000000ull);
  in = first_instr("v128.const f32x4 1 -0 nan 0x1p-149 drop");
  EXPECT_EQ(in.lo, 0x800000003F800000ull);
  EXPECT_EQ(in.hi, 0x000000017FC00000ull);
  in = first_instr("v128.const f64x2 1 -inf drop");
  EXPECT_EQ(in.lo, 0x3FF0000000000000ull);
  EXPECT_EQ(in.hi, 0xFFF0000000000000ull);
  EXPECT_EQ(parse_error("(func (v128.const i8x16 256 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0) drop)"), "constant out of range");
  EXPECT_EQ(parse_error("(func (v128.const i32x4 1 2 3) drop)"), "wrong number of lane literals");
  EXPECT_EQ(parse_error("(func (v128.const i32x4 1 2 3 4 5) drop)"), "wrong number of lane literals");
  EXPECT_EQ(parse_error("(func (v128.const 0 0 0 0) drop)"), "unexpected token");
  EXPECT_EQ(parse_error("(func (v128.const f32x4 .0 .0 .0 .0) drop)"), "unknown operator .0");
}

// ------------------------------------------------------ instructions ----

TEST(TextInstr, Immediates) {
  ast::Module m = parse_ok("(memory 1) (func (drop (i64.load offset=0x10 align=4 (i32.const 0))))");
  ASSERT_EQ(m.funcs[0].body.size(), 4u);
  EXPECT_EQ(m.funcs[0].body[1].op, Op::I64Load);
  EXPECT_EQ(m.funcs[0].body[1].a, 2u);   // log2(4)
  EXPECT_EQ(m.funcs[0].body[1].b, 16u);  // offset
  m = parse_ok("(memory 1) (func (drop (i64.load (i32.const 0))))");
  EXPECT_EQ(m.funcs[0].body[1].a, 3u);  // natural alignment
  EXPECT_EQ(parse_error("(memory 1) (func (drop (i64.load align=3 (i32.const 0))))"),
            "alignment must be a power of two");
  EXPECT_EQ(parse_error("(memory 1) (func (drop (i64.load align=0 (i32.const 0))))"),
            "alignment must be a power of two");
  EXPECT_EQ(parse_error("(memory 1) (func (drop (i64.load offset=4294967296 (i32.const 0))))"),
            "i32 constant out of range");

  ast::Instr in = first_instr("ref.null extern drop");
  EXPECT_EQ(in.op, Op::RefNull);
  EXPECT_EQ(in.a, 0x6Fu);
  in = first_instr("(select (result f64) (f64.const 1) (f64.const 2) (i32.const 0)) drop");
  EXPECT_EQ(in.op, Op::F64Const);
  m = parse_ok("(func (result f64) (select (result f64) (f64.const 1) (f64.const 2) (i32.const 0)))");
  EXPECT_EQ(m.funcs[0].body[3].op, Op::SelectT);
  EXPECT_EQ(m.funcs[0].body[3].b, 1u);
  EXPECT_EQ(m.funcs[0].body[3].a, 0x7Cu);
  m = parse_ok("(func select (result))");
  EXPECT_EQ(m.funcs[0].body[0].op, Op::SelectT);
  EXPECT_EQ(m.funcs[0].body[0].b, 0u);

  in = first_instr("i8x16.extract_lane_u 15 drop");
  EXPECT_EQ(in.op, Op::I8x16ExtractLaneU);
  EXPECT_EQ(in.lane, 15u);
  EXPECT_EQ(parse_error("(func (i8x16.extract_lane_u 256 (v128.const i64x2 0 0)) drop)"), "malformed lane index");
  EXPECT_EQ(parse_error("(func (i8x16.extract_lane_u -1 (v128.const i64x2 0 0)) drop)"), "unexpected token");
  in = first_instr("i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31 drop");
  EXPECT_EQ(in.lo, 0x0706050403020100ull);
  EXPECT_EQ(in.hi, 0x1F0E0D0C0B0A0908ull);
  EXPECT_EQ(parse_error("(func i8x16.shuffle 0 1 2 drop)"), "invalid lane length");
  EXPECT_EQ(parse_error("(func i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 1.0)"), "malformed lane index");
  m = parse_ok("(memory 1) (func (drop (v128.load32_lane offset=4 align=2 3 (i32.const 0) (v128.const i64x2 0 0))))");
  const ast::Instr& ll = m.funcs[0].body[2];
  EXPECT_EQ(ll.op, Op::V128Load32Lane);
  EXPECT_EQ(ll.b, 4u);
  EXPECT_EQ(ll.a, 1u);
  EXPECT_EQ(ll.lane, 3u);
}

TEST(TextInstr, TablesAndSegments) {
  ast::Module m = parse_ok(
      "(table $t 1 funcref) (table $u 1 funcref) (elem $e func) (memory 1) (data $d \"\")"
      "(func table.init $u $e table.init $e table.copy $u $t table.copy table.get $u"
      "      memory.init $d data.drop $d elem.drop $e)");
  const ast::Expr& b = m.funcs[0].body;
  EXPECT_EQ(b[0].op, Op::TableInit);
  EXPECT_EQ(b[0].a, 0u);  // elem
  EXPECT_EQ(b[0].b, 1u);  // table
  EXPECT_EQ(b[1].b, 0u);
  EXPECT_EQ(b[2].a, 1u);
  EXPECT_EQ(b[2].b, 0u);
  EXPECT_EQ(b[3].a, 0u);
  EXPECT_EQ(b[3].b, 0u);
  EXPECT_EQ(b[4].a, 1u);
  EXPECT_EQ(b[5].op, Op::MemoryInit);
  EXPECT_EQ(m.data_count, std::optional<uint32_t>(1));
  EXPECT_FALSE(parse_ok("(memory 1) (data \"\")").data_count.has_value());
}

TEST(TextInstr, Labels) {
  ast::Module m = parse_ok(
      "(func block $a loop $b (block $c (br $a) (br $b) (br $c) (br 5)) end end"
      "  (block $a (block $x (br $a))))");
  const ast::Expr& b = m.funcs[0].body;
  EXPECT_EQ(b[3].a, 2u);
  EXPECT_EQ(b[4].a, 1u);
  EXPECT_EQ(b[5].a, 0u);
  EXPECT_EQ(b[6].a, 5u);
  EXPECT_EQ(b[12].a, 1u);  // the inner $a shadows nothing once the outer closed
  EXPECT_EQ(parse_error("(func block $a end $b)"), "mismatching label");
  EXPECT_EQ(parse_error("(func block end $l)"), "mismatching label");
  EXPECT_EQ(parse_error("(func (if $a (i32.const 0) (then)) if $a else $b end)"), "mismatching label");
  EXPECT_EQ(parse_error("(func (br $nowhere))"), "unknown label $nowhere");
  // The folded if's label is not visible in its condition.
  EXPECT_EQ(parse_error("(func (if $l (br_if $l (i32.const 1)) (then)))"), "unknown label $l");
  m = parse_ok("(func (block $l (br_table $l $l 0 (i32.const 0))))");
  EXPECT_EQ(m.funcs[0].br_targets, (std::vector<uint32_t>{0, 0, 0}));
}

TEST(TextInstr, Malformed) {
  struct Case {
    const char* src;
    const char* msg;
  } cases[] = {
      {"(func (nop) (local i32))", "unexpected token"},
      {"(func (result i32) (param i32) (i32.const 0))", "unexpected token"},
      {"(type (func (result i32) (param i32)))", "unexpected token"},
      {"(func (i32.const 0) (block (param $x i32) (drop)))", "unexpected token"},
      {"(func (call_indirect (param $x i32) (i32.const 0) (i32.const 0)))", "unexpected token"},
      {"(func (if i32.const 0 (then) (else)))", "unexpected token"},
      {"(func (if (i32.const 0)))", "unexpected token"},
      {"(func block)", "unexpected token"},
      {"(func end)", "unexpected token"},
      {"(func (i32.add (i32.const 1) i32.const 2))", "unexpected token"},
      {"(func (then))", "unexpected token"},
      {"(func (", "unexpected end of input"},
      {"(func", "unexpected end of input"},
      {"(func i32.wrap/i64)", "unknown operator i32.wrap/i64"},
      {"(global $g anyfunc (ref.null func))", "unknown operator anyfunc"},
      {"(type $t (func)) (func (type $t) (param i32))", "inline function type does not match explicit type"},
      {"(func (type 1) (param i32))", "unknown type"},
      {"(func (type $nope))", "unknown type $nope"},
      {"(type (func)) (func (i32.const 0) (block (type 0) (param i32)))",
       "inline function type does not match explicit type"},
      {"(func $f) (func $f)", "duplicate function $f"},
      {"(import \"\" \"\" (func $f)) (func $f)", "duplicate function $f"},
      {"(func (param $x i32) (local $x i32))", "duplicate local $x"},
      {"(func (param $x i32) (param $x i64))", "duplicate local $x"},
      {"(global $g i32 (i32.const 0)) (global $g i32 (i32.const 0))", "duplicate global $g"},
      {"(memory $m 1) (memory $m 1)", "duplicate memory $m"},
      {"(table $t 1 funcref) (table $t 1 funcref)", "duplicate table $t"},
      {"(type $t (func)) (type $t (func))", "duplicate type $t"},
      {"(elem $e func) (elem $e func)", "duplicate elem segment $e"},
      {"(data $d \"\") (data $d \"\")", "duplicate data segment $d"},
      {"(func) (import \"\" \"\" (func))", "import after function"},
      {"(global i32 (i32.const 0)) (import \"\" \"\" (memory 1))", "import after global"},
      {"(table 0 funcref) (func (import \"\" \"\"))", "import after table"},
      {"(memory 0) (global (import \"\" \"\") i32)", "import after memory"},
      {"(func $a) (start $a) (start $a)", "multiple start sections"},
      {"(memory 0x1_0000_0000)", "i32 constant out of range"},
      {"(table 0 0x1_0000_0000 funcref)", "i32 constant out of range"},
      {"(func (call $undefined))", "unknown function $undefined"},
      {"(func (local.get $x))", "unknown local $x"},
      {"(func (global.get $g))", "unknown global $g"},
      {"(func (table.get $t (i32.const 0)) drop)", "unknown table $t"},
      {"(export \"m\" (memory $m))", "unknown memory $m"},
      {"(func (elem.drop $e))", "unknown elem segment $e"},
      {"(func (data.drop $d))", "unknown data segment $d"},
      {"(module) (module)", "unexpected token"},
      {"(nop)", "unexpected token"},
  };
  for (const Case& c : cases) EXPECT_EQ(parse_error(c.src), c.msg) << c.src;
}

// The parser never recurses on nesting: 100000 levels of folded and flat
// blocks, folded operands and block comments parse with a normal stack.
TEST(TextInstr, DeepNesting) {
  const size_t n = 100000;
  std::string folded = "(func";
  for (size_t i = 0; i < n; ++i) folded += " (block";
  folded.append(n, ')');
  folded += ')';
  ast::Module m = parse_ok(folded);
  ASSERT_EQ(m.funcs.size(), 1u);
  EXPECT_EQ(m.funcs[0].body.size(), 2 * n + 1);

  std::string flat = "(func";
  for (size_t i = 0; i < n; ++i) flat += " block";
  for (size_t i = 0; i < n; ++i) flat += " end";
  flat += ')';
  EXPECT_EQ(parse_ok(flat).funcs[0].body.size(), 2 * n + 1);

  std::string operands = "(func (result i32) ";
  for (size_t i = 0; i < n; ++i) operands += "(i32.eqz ";
  operands += "(i32.const 0)";
  operands.append(n, ')');
  operands += ')';
  EXPECT_EQ(parse_ok(operands).funcs[0].body.size(), n + 2);

  std::string comment;
  for (size_t i = 0; i < n; ++i) comment += "(;";
  for (size_t i = 0; i < n; ++i) comment += ";)";
  parse_ok(comment + "(module)");

  std::string unclosed = "(func";
  for (size_t i = 0; i < n; ++i) unclosed += " (block";
  EXPECT_EQ(parse_error(unclosed), "unexpected end of input");
}

// ---------------------------------------------------- abbreviations ----

TEST(TextAbbrev, InlineExportImport) {
  expect_same("(func $f (export \"a\") (export \"b\") (param i32))",
              "(type (func (param i32))) (func (type 0)) (export \"a\" (func 0)) (export \"b\" (func 0))");
  expect_same("(func $f (import \"m\" \"n\") (param i32) (result i64))",
              "(type (func (param i32) (result i64))) (import \"m\" \"n\" (func (type 0)))");
  expect_same("(func (export \"e\") (import \"m\" \"n\"))",
              "(type (func)) (import \"m\" \"n\" (func (type 0))) (export \"e\" (func 0))");
  expect_same("(table (export \"t\") (import \"m\" \"t\") 1 2 funcref)",
              "(import \"m\" \"t\" (table 1 2 funcref)) (export \"t\" (table 0))");
  expect_same("(memory (import \"m\" \"mem\") 1)", "(import \"m\" \"mem\" (memory 1))");
  expect_same("(global $g (export \"g\") (import \"m\" \"g\") (mut f32))",
              "(import \"m\" \"g\" (global (mut f32))) (export \"g\" (global 0))");
  expect_same("(global (export \"g\") i32 (i32.const 1))", "(global i32 i32.const 1) (export \"g\" (global 0))");
}

TEST(TextAbbrev, InlineElemAndData) {
  expect_same("(table $t funcref (elem $f $g)) (func $f) (func $g)",
              "(table 2 2 funcref) (elem (table 0) (offset i32.const 0) func 0 1) (func) (func)");
  expect_same("(table externref (elem (ref.null extern) (item ref.null extern)))",
              "(table 2 2 externref)"
              "(elem (table 0) (offset (i32.const 0)) externref (item ref.null extern) (ref.null extern))");
  expect_same("(memory (data \"ab\" \"c\"))", "(memory 1 1) (data (memory 0) (offset i32.const 0) \"abc\")");
  expect_same("(memory $m (export \"m\") (data))",
              "(memory 0 0) (data (memory 0) (i32.const 0) \"\") (export \"m\" (memory 0))");
  // The inline segment takes its place in the element index space.
  expect_same("(elem $a func) (table funcref (elem)) (elem $b func) (func elem.drop $b)",
              "(elem func) (table 0 0 funcref) (elem (table 0) (i32.const 0) func) (elem func)"
              "(func elem.drop 2)");
}

TEST(TextAbbrev, ElemForms) {
  const char* full =
      "(table 1 funcref) (func $f)"
      "(elem (table 0) (offset i32.const 0) funcref (item ref.func 0))";
  expect_same("(table 1 funcref) (func $f) (elem (i32.const 0) $f)", full);
  expect_same("(table 1 funcref) (func $f) (elem (offset (i32.const 0)) 0)", full);
  expect_same("(table 1 funcref) (func $f) (elem (table 0) (i32.const 0) func $f)", full);
  expect_same("(table 1 funcref) (func $f) (elem (i32.const 0) funcref (ref.func $f))", full);
  ast::Module m = parse_ok("(func $f) (elem declare func $f) (elem funcref (ref.null func)) (elem func)");
  ASSERT_EQ(m.elems.size(), 3u);
  EXPECT_EQ(m.elems[0].mode, ast::SegmentMode::Declarative);
  EXPECT_EQ(m.elems[1].mode, ast::SegmentMode::Passive);
  EXPECT_EQ(m.elems[1].init[0][0].op, Op::RefNull);
  EXPECT_EQ(m.elems[2].init.size(), 0u);
}

TEST(TextAbbrev, DataForms) {
  const char* full = "(memory 1) (data (memory 0) (offset i32.const 8) \"xy\")";
  expect_same("(memory 1) (data (i32.const 8) \"x\" \"y\")", full);
  expect_same("(memory $m 1) (data (memory $m) (i32.const 8) \"xy\")", full);
  expect_same("(memory 1) (data (offset (i32.const 8)) \"xy\")", full);
  ast::Module m = parse_ok("(data $p \"abc\")");
  EXPECT_EQ(m.datas[0].mode, ast::SegmentMode::Passive);
}

TEST(TextAbbrev, TypeUses) {
  // Implicit types are appended after all explicit ones, in order of use,
  // reusing the first matching type.
  ast::Module m = parse_ok(
      "(func (param i32)) (type (func (result i32))) (func (result i32))"
      "(func (param i32)) (func (call_indirect (param f32) (i32.const 0)))"
      "(func (block (param i64) (result i64 i64) unreachable))");
  // A function's own type comes before the types used in its body.
  ASSERT_EQ(m.types.size(), 5u);
  EXPECT_EQ(m.types[0], (FuncType{{}, {ValType::I32}}));
  EXPECT_EQ(m.types[1], (FuncType{{ValType::I32}, {}}));
  EXPECT_EQ(m.types[2], (FuncType{{}, {}}));
  EXPECT_EQ(m.types[3], (FuncType{{ValType::F32}, {}}));
  EXPECT_EQ(m.types[4], (FuncType{{ValType::I64}, {ValType::I64, ValType::I64}}));
  EXPECT_EQ(m.funcs[0].type, 1u);
  EXPECT_EQ(m.funcs[1].type, 0u);
  EXPECT_EQ(m.funcs[2].type, 1u);
  EXPECT_EQ(m.funcs[3].type, 2u);
  EXPECT_EQ(m.funcs[3].body[1].a, 3u);
  EXPECT_EQ(m.funcs[4].type, 2u);
  EXPECT_EQ(m.funcs[4].body[0].lo, 4u);
  expect_same(
      "(func (param $a i32) (param $b i64) (result f32) (local $c f64) (local $d f64)"
      "  (drop (local.get $b)) (local.set $d (f64.const 0)) (f32.const 0))",
      "(type (func (param i32 i64) (result f32)))"
      "(func (type 0) (local f64 f64) local.get 1 drop f64.const 0 local.set 3 f32.const 0)");
  expect_same("(type $t (func (param i32))) (func (type $t) (param $x i32) (local.get $x) drop)",
              "(type (func (param i32))) (func (type 0) local.get 0 drop)");
}

TEST(TextAbbrev, FoldedAndFlat) {
  expect_same("(func (result i32) (i32.add (i32.const 1) (i32.mul (i32.const 2) (i32.const 3))))",
              "(func (result i32) i32.const 1 i32.const 2 i32.const 3 i32.mul i32.add)");
  expect_same(
      "(func (result i32) (if $l (result i32) (i32.const 0) (then (i32.const 1) (br $l))"
      " (else (i32.const 2))))",
      "(func (result i32) i32.const 0 if (result i32) i32.const 1 br 0 else i32.const 2 end)");
  expect_same("(func (if (i32.const 0) (then)))", "(func i32.const 0 if end)");
  expect_same("(func (block $b (result i32) (loop $l (br $b (i32.const 1)))))",
              "(func block (result i32) loop i32.const 1 br 1 end end)");
  expect_same("(table 1 funcref) (type (func)) (func (call_indirect (type 0) (i32.const 0)))",
              "(table 1 funcref) (type (func)) (func i32.const 0 call_indirect 0 (type 0))");
  expect_same("(func (local i32 i32) (local i64) (local i32))", "(func (local i32) (local i32) (local i64 i32))");
  expect_same("(module $name (func))", "(func)");
}

// ----------------------------------------------------------- script ----

TEST(TextScript, Commands) {
  Result<Script> s = parse_script(R"wast(
    (module $M (func (export "f") (param i32) (result i32) local.get 0))
    (module binary "\00asm" "\01\00\00\00")
    (module quote "(func" " nop)")
    (register "m" $M)
    (invoke $M "f" (i32.const -1))
    (assert_return (invoke "f" (i32.const 7)) (i32.const 7))
    (assert_return (invoke "g" (f32.const 1) (ref.extern 0) (ref.null func))
      (f32.const nan:canonical) (f64.const nan:arithmetic) (ref.extern 5) (ref.extern) (ref.func)
      (ref.null extern) (v128.const f32x4 nan:canonical 1 -0 nan:arithmetic)
      (v128.const f64x2 1 2) (v128.const i16x8 1 2 3 4 5 6 7 8))
    (assert_trap (invoke "t") "unreachable")
    (assert_trap (module (start 0) (func unreachable)) "unreachable")
    (assert_exhaustion (invoke "e") "call stack exhausted")
    (assert_malformed (module quote "(func") "unexpected end")
    (assert_invalid (module (func (result i32))) "type mismatch")
    (assert_unlinkable (module (import "x" "y" (func))) "unknown import")
    (assert_uninstantiable (module) "x")
    (get "g")
  )wast");
  ASSERT_TRUE(s.ok()) << s.error().message;
  const std::vector<Command>& c = s->commands;
  ASSERT_EQ(c.size(), 15u);
  using K = Command::Kind;
  EXPECT_EQ(c[0].kind, K::Module);
  EXPECT_EQ(c[0].module->id, std::optional<std::string>("M"));
  EXPECT_EQ(c[0].module->form, ScriptModule::Form::Text);
  EXPECT_EQ(c[0].module->module.funcs.size(), 1u);
  EXPECT_EQ(c[0].pos.line, 2u);
  EXPECT_EQ(c[1].module->form, ScriptModule::Form::Binary);
  EXPECT_EQ(c[1].module->bytes, (std::vector<uint8_t>{0, 'a', 's', 'm', 1, 0, 0, 0}));
  EXPECT_EQ(c[2].module->form, ScriptModule::Form::Quote);
  EXPECT_EQ(c[2].module->quote, "(func nop)");
  EXPECT_EQ(c[3].kind, K::Register);
  EXPECT_EQ(c[3].register_as, "m");
  EXPECT_EQ(c[3].register_id, std::optional<std::string>("M"));
  EXPECT_EQ(c[4].kind, K::Action);
  EXPECT_EQ(c[4].action->module, std::optional<std::string>("M"));
  EXPECT_EQ(c[4].action->args[0], Value::i32(0xFFFFFFFFu));

  const Command& r = c[6];
  EXPECT_EQ(r.kind, K::AssertReturn);
  ASSERT_EQ(r.action->args.size(), 3u);
  EXPECT_EQ(r.action->args[0], Value::f32_bits(0x3F800000u));
  EXPECT_EQ(r.action->args[1], Value::externref(1));
  EXPECT_EQ(r.action->args[2], Value::null(ValType::FuncRef));
  ASSERT_EQ(r.expected.size(), 9u);
  EXPECT_EQ(r.expected[0].kind, Expected::Kind::CanonNan);
  EXPECT_EQ(r.expected[0].value.type, ValType::F32);
  EXPECT_EQ(r.expected[1].kind, Expected::Kind::ArithNan);
  EXPECT_EQ(r.expected[1].value.type, ValType::F64);
  EXPECT_EQ(r.expected[2].kind, Expected::Kind::Exact);
  EXPECT_EQ(r.expected[2].value, Value::externref(6));
  EXPECT_EQ(r.expected[3].kind, Expected::Kind::AnyRef);
  EXPECT_EQ(r.expected[3].value.type, ValType::ExternRef);
  EXPECT_EQ(r.expected[4].kind, Expected::Kind::AnyRef);
  EXPECT_EQ(r.expected[4].value.type, ValType::FuncRef);
  EXPECT_EQ(r.expected[5].value, Value::null(ValType::ExternRef));
  const Expected& lanes = r.expected[6];
  EXPECT_EQ(lanes.kind, Expected::Kind::Lanes);
  EXPECT_EQ(lanes.shape, ValType::F32);
  ASSERT_EQ(lanes.lanes.size(), 4u);
  EXPECT_EQ(lanes.lanes[0].kind, Expected::Kind::CanonNan);
  EXPECT_EQ(lanes.lanes[1].value, Value::f32_bits(0x3F800000u));
  EXPECT_EQ(lanes.lanes[2].value, Value::f32_bits(0x80000000u));
  EXPECT_EQ(lanes.lanes[3].kind, Expected::Kind::ArithNan);
  EXPECT_EQ(r.expected[7].kind, Expected::Kind::Exact);
  EXPECT_EQ(r.expected[7].value, Value::v128({0x3FF0000000000000ull, 0x4000000000000000ull}));
  EXPECT_EQ(r.expected[8].value, Value::v128({0x0004000300020001ull, 0x0008000700060005ull}));

  EXPECT_EQ(c[7].kind, K::AssertTrap);
  EXPECT_TRUE(c[7].action.has_value());
  EXPECT_EQ(c[7].text, "unreachable");
  EXPECT_EQ(c[8].kind, K::AssertTrap);
  EXPECT_TRUE(c[8].module.has_value());
  EXPECT_EQ(c[9].kind, K::AssertExhaustion);
  EXPECT_EQ(c[10].kind, K::AssertMalformed);
  EXPECT_EQ(c[10].text, "unexpected end");
  EXPECT_EQ(c[11].kind, K::AssertInvalid);
  EXPECT_EQ(c[12].kind, K::AssertUnlinkable);
  EXPECT_EQ(c[13].kind, K::AssertUninstantiable);
  EXPECT_EQ(c[14].action->kind, Action::Kind::Get);
}

TEST(TextScript, BareModule) {
  Result<Script> s = parse_script("(func (export \"f\")) (memory 1)");
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ(s->commands.size(), 1u);
  EXPECT_EQ(s->commands[0].module->module.memories.size(), 1u);
}

TEST(TextScript, Errors) {
  Result<Script> s = parse_script("(module)\n(assert_return (invoke \"f\" (i32.const 1.5)))");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "constant out of range");
  EXPECT_EQ(s.error().offset, text_offset(2, 39));
  EXPECT_EQ(parse_script("(bogus)").error().message, "unknown operator bogus");
  EXPECT_EQ(parse_script("(module").error().message, "unexpected end of input");
}

// -------------------------------------------------------- printer ----

// Names and data print as string literals that denote exactly their bytes,
// and parse back to them.
TEST(TextPrinter, StringLiterals) {
  EXPECT_EQ(wat_string(std::string_view("a\"b\\c\n\x7f\xff\0", 9)), R"("a\22b\5cc\0a\7f\ff\00")");
  EXPECT_EQ(wat_string(""), R"("")");
  std::string name("\x01 \xc3\xa9", 4);
  Result<std::vector<uint8_t>> bin = wat_to_wasm("(module (func (export " + wat_string(name) + ")))");
  ASSERT_TRUE(bin.ok()) << bin.error().message;
  Result<std::shared_ptr<const Module>> m = Module::load(*bin);
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_EQ((*m)->exports().size(), 1u);
  EXPECT_EQ((*m)->exports()[0].name, name);
}

TEST(TextPrinter, RoundTripSample) {
  const char* src = R"wast(
    (type $t (func (param i32 i64) (result f32)))
    (import "m" "f" (func (type $t)))
    (import "m" "t" (table 1 2 externref))
    (import "m" "mem" (memory 1))
    (import "m" "g" (global (mut v128)))
    (func (export "x") (param i32) (result i32) (local f32 f64)
      (block $b (result i32)
        (loop $l
          (br_if $l (i32.const 0))
          (br_table 0 1 $b (local.get 0)))
        (if (result i32) (i32.const 1) (then (i32.const 2)) (else (i32.const 3))))
      (drop (f32.const -nan:0x123)) (drop (f64.const 0x1.8p-1070)) (drop (f32.const 3.4e38))
      (drop (v128.const i8x16 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16))
      (drop (i8x16.shuffle 31 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 (v128.const i64x2 0 0) (v128.const i64x2 0 0)))
      (drop (i64.load16_u offset=7 align=1 (i32.const 0)))
      (drop (select (result i64) (i64.const -5) (i64.const 5) (i32.const 0)))
      (drop (ref.null extern))
      (call_indirect 0 (type $t) (i32.const 0) (i64.const 0) (i32.const 0)) drop
      (table.init 0 1 (i32.const 0) (i32.const 0) (i32.const 0))
      (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 0)))
    (table 3 funcref)
    (global f64 (f64.const -0))
    (elem funcref (ref.func 0) (ref.null func))
    (elem (table 1) (i32.const 0) func 1)
    (elem declare func 0)
    (data (i32.const 0) "\00\01\ff\"\\ok")
    (data "passive")
    (start 0)
  )wast";
  ast::Module m = parse_ok(src);
  std::string printed = print_module(m);
  Result<ast::Module> back = parse_module(printed);
  ASSERT_TRUE(back.ok()) << back.error().message << "\n" << printed;
  EXPECT_EQ(ast_diff(m, *back), "") << printed;
  EXPECT_NE(printed.find("f32.const -nan:0x123"), std::string::npos) << printed;
  EXPECT_NE(printed.find("offset=7 align=1"), std::string::npos) << printed;
  EXPECT_NE(printed.find("\"\\00\\01\\ff\\22\\5cok\""), std::string::npos) << printed;
}

// br_table is invalid in a constant expression but still syntax; its
// label lists live in a throwaway vector per expression, like the decoder's.
TEST(TextPrinter, BrTableInConstExpr) {
  ast::Module m = parse_ok(
      "(global i32 (block (result i32) (br_table 0 0 (i32.const 1) (i32.const 0))))"
      "(global i32 i32.const 0 br_table 0)");
  EXPECT_EQ(m.globals[0].init[3].op, Op::BrTable);
  EXPECT_EQ(m.globals[0].init[3].a, 0u);
  EXPECT_EQ(m.globals[0].init[3].b, 2u);
  EXPECT_EQ(m.globals[1].init[1].a, 0u);
  Result<ast::Module> back = parse_module(print_module(m));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(ast_diff(m, *back), "");
}

// What the text format cannot say: the grouping of local declarations,
// custom sections and an unneeded data count section.
ast::Module text_expressible(ast::Module m) {
  for (ast::Function& f : m.funcs) {
    std::vector<ast::LocalDecl> merged;
    for (const ast::LocalDecl& d : f.locals) {
      if (d.count == 0) continue;
      if (!merged.empty() && merged.back().type == d.type) {
        merged.back().count += d.count;
      } else {
        merged.push_back(d);
      }
    }
    f.locals = std::move(merged);
  }
  m.customs.clear();
  bool needs_count = false;
  for (const ast::Function& f : m.funcs)
    for (const ast::Instr& in : f.body) needs_count = needs_count || in.op == Op::MemoryInit || in.op == Op::DataDrop;
  if (!needs_count) m.data_count.reset();
  return m;
}

TEST(TextApi, WatToWasmAndBack) {
  Result<std::vector<uint8_t>> bin = wat_to_wasm("(module (func (export \"f\") (result i32) i32.const 42))");
  ASSERT_TRUE(bin.ok()) << bin.error().message;
  const std::vector<uint8_t> want = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,   // header
                                     0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7F,         // type
                                     0x03, 0x02, 0x01, 0x00,                           // func
                                     0x07, 0x05, 0x01, 0x01, 'f',  0x00, 0x00,         // export
                                     0x0A, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2A, 0x0B};  // code
  EXPECT_EQ(*bin, want);
  Result<std::string> wat = wasm_to_wat(*bin);
  ASSERT_TRUE(wat.ok()) << wat.error().message;
  EXPECT_NE(wat->find("i32.const 42"), std::string::npos) << *wat;
  Result<std::vector<uint8_t>> again = wat_to_wasm(*wat);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *bin);

  Result<std::vector<uint8_t>> bad = wat_to_wasm("(module (func i32.bogus))");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::Malformed);
  EXPECT_EQ(bad.error().message, "unknown operator i32.bogus");
  const uint8_t junk[] = {0x00, 0x61, 0x73};
  Result<std::string> bad_bin = wasm_to_wat(junk);
  ASSERT_FALSE(bad_bin.ok());
  EXPECT_EQ(bad_bin.error().kind, ErrorKind::Malformed);
}

// -------------------------------------------------------- testsuite ----

std::vector<std::filesystem::path> testsuite_files() {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(WARDEN_TESTSUITE_DIR, ec)) {
    if (e.path().extension() == ".wast") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Every file parses; every quoted module either fails with the expected
// assert_malformed text (by prefix, as the reference runner compares) or
// parses; every module prints and re-parses to the same tree (decoded
// binary modules up to what text cannot express).
TEST(TextTestsuite, AllFiles) {
  std::vector<std::filesystem::path> files = testsuite_files();
  if (files.empty()) GTEST_SKIP() << "no .wast files in " << WARDEN_TESTSUITE_DIR;
  EXPECT_EQ(files.size(), 147u);
  size_t modules = 0, malformed = 0, binaries = 0;
  for (const auto& path : files) {
    SCOPED_TRACE(path.filename().string());
    std::string src = slurp(path);
    Result<Script> s = parse_script(src);
    ASSERT_TRUE(s.ok()) << s.error().message << " at line " << text_pos(s.error().offset).line;
    for (const Command& c : s->commands) {
      if (!c.module) continue;
      SCOPED_TRACE("line " + std::to_string(c.pos.line));
      ast::Module m;
      if (c.module->form == ScriptModule::Form::Binary) {
        // Decodable binary modules print and re-parse too (wasm2wat).
        Result<ast::Module> d = decode(c.module->bytes, Limits{});
        if (!d.ok()) continue;
        ++binaries;
        Result<std::string> printed = wasm_to_wat(c.module->bytes);
        ASSERT_TRUE(printed.ok());
        Result<ast::Module> back = parse_module(*printed);
        ASSERT_TRUE(back.ok()) << back.error().message << "\n" << *printed;
        EXPECT_EQ(ast_diff(text_expressible(*d), *back), "");
        continue;
      }
      if (c.module->form == ScriptModule::Form::Quote) {
        Result<ast::Module> q = parse_module(c.module->quote);
        if (c.kind == Command::Kind::AssertMalformed) {
          ++malformed;
          ASSERT_FALSE(q.ok()) << "expected " << c.text;
          EXPECT_EQ(q.error().message.substr(0, c.text.size()), c.text);
          continue;
        }
        ASSERT_TRUE(q.ok()) << q.error().message;
        m = std::move(q).value();
      } else {
        m = c.module->module;
      }
      ++modules;
      std::string printed = print_module(m);
      Result<ast::Module> back = parse_module(printed);
      ASSERT_TRUE(back.ok()) << back.error().message << "\n" << printed;
      EXPECT_EQ(ast_diff(m, *back), "");
    }
  }
  EXPECT_GT(modules, 3000u);
  EXPECT_GT(malformed, 1000u);
  EXPECT_GT(binaries, 50u);
}

}  // namespace
}  // namespace warden::text
