// Tests of the .wast runner: result patterns, formatting, and what each
// assertion accepts (a wrong kind fails; a wrong message is a mismatch).
#include <gtest/gtest.h>

#include "runner.hpp"

namespace warden::spec {
namespace {

using text::Expected;

Expected exact(Value v) {
  Expected e;
  e.value = v;
  return e;
}
Expected nan_pattern(Expected::Kind k, ValType t) {
  Expected e;
  e.kind = k;
  e.value = t == ValType::F32 ? Value::f32_bits(0) : Value::f64_bits(0);
  return e;
}

TEST(SpecMatch, CanonicalNanEitherSignOnly) {
  Expected c32 = nan_pattern(Expected::Kind::CanonNan, ValType::F32);
  EXPECT_TRUE(matches(c32, Value::f32_bits(0x7fc00000)));
  EXPECT_TRUE(matches(c32, Value::f32_bits(0xffc00000)));
  EXPECT_FALSE(matches(c32, Value::f32_bits(0x7fc00001)));
  EXPECT_FALSE(matches(c32, Value::f32_bits(0x7f800000)));          // infinity
  EXPECT_FALSE(matches(c32, Value::f64_bits(0x7ff8000000000000)));  // wrong type
  Expected c64 = nan_pattern(Expected::Kind::CanonNan, ValType::F64);
  EXPECT_TRUE(matches(c64, Value::f64_bits(0xfff8000000000000)));
  EXPECT_FALSE(matches(c64, Value::f64_bits(0x7ff8000000000001)));
}

TEST(SpecMatch, ArithmeticNanNeedsQuietBit) {
  Expected a32 = nan_pattern(Expected::Kind::ArithNan, ValType::F32);
  EXPECT_TRUE(matches(a32, Value::f32_bits(0x7fc00000)));
  EXPECT_TRUE(matches(a32, Value::f32_bits(0xffe00001)));
  EXPECT_FALSE(matches(a32, Value::f32_bits(0x7fa00000)));  // signalling
  Expected a64 = nan_pattern(Expected::Kind::ArithNan, ValType::F64);
  EXPECT_TRUE(matches(a64, Value::f64_bits(0x7ffc000000000000)));
  EXPECT_FALSE(matches(a64, Value::f64_bits(0x7ff4000000000000)));
}

TEST(SpecMatch, ExactIsBitwise) {
  EXPECT_TRUE(matches(exact(Value::f32_bits(0x80000000)), Value::f32_bits(0x80000000)));
  EXPECT_FALSE(matches(exact(Value::f32_bits(0x80000000)), Value::f32_bits(0)));
  EXPECT_FALSE(matches(exact(Value::f32_bits(0x7fc00000)), Value::f32_bits(0x7fc00001)));
  EXPECT_FALSE(matches(exact(Value::i32(1)), Value::i64(1)));
  EXPECT_TRUE(matches(exact(Value::v128({1, 2})), Value::v128({1, 2})));
  EXPECT_FALSE(matches(exact(Value::v128({1, 2})), Value::v128({1, 3})));
}

TEST(SpecMatch, References) {
  EXPECT_TRUE(matches(exact(Value::null(ValType::FuncRef)), Value::null(ValType::FuncRef)));
  EXPECT_FALSE(matches(exact(Value::null(ValType::FuncRef)), Value::null(ValType::ExternRef)));
  EXPECT_TRUE(matches(exact(Value::externref(5)), Value::externref(5)));
  EXPECT_FALSE(matches(exact(Value::externref(5)), Value::externref(6)));
  EXPECT_FALSE(matches(exact(Value::externref(1)), Value::null(ValType::ExternRef)));
  Expected any;
  any.kind = Expected::Kind::AnyRef;
  any.value = Value::null(ValType::ExternRef);
  EXPECT_TRUE(matches(any, Value::externref(9)));
  EXPECT_FALSE(matches(any, Value::null(ValType::ExternRef)));
  EXPECT_FALSE(matches(any, Value::funcref(nullptr)));
}

TEST(SpecMatch, LanesF32x4) {
  Expected e;
  e.kind = Expected::Kind::Lanes;
  e.shape = ValType::F32;
  e.lanes = {nan_pattern(Expected::Kind::CanonNan, ValType::F32), exact(Value::f32_bits(0x3f800000)),
             nan_pattern(Expected::Kind::ArithNan, ValType::F32), exact(Value::f32_bits(0x80000000))};
  // lane 0 in lo's low half.
  V128 ok{0x3f800000'7fc00000ull, 0x80000000'7fc00001ull};
  EXPECT_TRUE(matches(e, Value::v128(ok)));
  V128 bad_canon{0x3f800000'7fc00001ull, 0x80000000'7fc00001ull};
  EXPECT_FALSE(matches(e, Value::v128(bad_canon)));
  V128 bad_exact{0x3f800000'7fc00000ull, 0x00000000'7fc00001ull};
  EXPECT_FALSE(matches(e, Value::v128(bad_exact)));
  EXPECT_EQ(format_expected({e}), "(v128.const f32x4 nan:canonical 1 nan:arithmetic -0)");
  EXPECT_EQ(format_value(Value::v128(ok), ValType::F32), "(v128.const f32x4 nan:0x400000 1 nan:0x400001 -0)");
}

TEST(SpecMatch, LanesF64x2) {
  Expected e;
  e.kind = Expected::Kind::Lanes;
  e.shape = ValType::F64;
  e.lanes = {exact(Value::f64_bits(0x4000000000000000)), nan_pattern(Expected::Kind::ArithNan, ValType::F64)};
  EXPECT_TRUE(matches(e, Value::v128({0x4000000000000000, 0xfff8000000000123})));
  EXPECT_FALSE(matches(e, Value::v128({0x4000000000000000, 0x7ff0000000000001})));
}

TEST(SpecFormat, Values) {
  EXPECT_EQ(format_value(Value::i32(0xffffffff)), "(i32.const -1)");
  EXPECT_EQ(format_value(Value::i64(5)), "(i64.const 5)");
  EXPECT_EQ(format_value(Value::f32_bits(0xff800000)), "(f32.const -inf)");
  EXPECT_EQ(format_value(Value::f64_bits(0x3ff8000000000000)), "(f64.const 1.5)");
  EXPECT_EQ(format_value(Value::externref(1)), "(ref.extern 0)");
  EXPECT_EQ(format_value(Value::null(ValType::FuncRef)), "(ref.null func)");
  EXPECT_EQ(format_value(Value::v128({0x0000000200000001, 0x0000000400000003})),
            "(v128.const i32x4 0x00000001 0x00000002 0x00000003 0x00000004)");
  EXPECT_EQ(format_values({}), "()");
}

TEST(SpecFormat, StripPosition) {
  EXPECT_EQ(strip_position("3:14: unknown operator"), "unknown operator");
  EXPECT_EQ(strip_position("unknown operator"), "unknown operator");
  EXPECT_EQ(strip_position("3: x"), "3: x");
  EXPECT_EQ(strip_position("12:x: y"), "12:x: y");
}

// ---- whole scripts (need the text parser and the runtime) ----

std::vector<Outcome> run(std::string_view script) {
  std::vector<Outcome> out;
  run_source(script, RunnerOptions{}, [&out](const Outcome& o) { out.push_back(o); });
  return out;
}

TEST(SpecRun, CommandsPassAndFail) {
  auto out = run(R"wast((module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 4))
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer overflow")
(assert_trap (invoke "div" (i32.const 1) (i32.const 1)) "integer divide by zero")
(assert_return (invoke "nope"))
)wast");
  ASSERT_EQ(out.size(), 7u);
  EXPECT_EQ(out[0].command, "module");
  EXPECT_EQ(out[0].status, Outcome::Status::Passed);
  EXPECT_EQ(out[1].status, Outcome::Status::Passed);
  EXPECT_EQ(out[2].status, Outcome::Status::Failed);
  EXPECT_EQ(out[2].line, 5u);
  EXPECT_EQ(out[2].expected, "(i32.const 4)");
  EXPECT_EQ(out[2].actual, "(i32.const 3)");
  EXPECT_EQ(out[3].status, Outcome::Status::Passed);
  EXPECT_FALSE(out[3].message_mismatch);
  EXPECT_EQ(out[4].status, Outcome::Status::Passed);  // right kind, wrong text
  EXPECT_TRUE(out[4].message_mismatch);
  EXPECT_EQ(out[4].actual, "trap \"integer divide by zero\"");
  EXPECT_EQ(out[5].status, Outcome::Status::Failed);
  EXPECT_EQ(out[5].actual, "(i32.const 1)");
  EXPECT_EQ(out[6].status, Outcome::Status::Failed);
  EXPECT_EQ(out[6].actual, "unknown export \"nope\"");
}

TEST(SpecRun, KindsMustMatch) {
  auto out = run(R"wast(
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_malformed (module (func (result i32))) "type mismatch")
(assert_invalid (module binary "\00asm") "unexpected end")
(assert_malformed (module binary "\00asm") "unexpected end")
(assert_malformed (module quote "(func (i32.bogus))") "unknown operator")
(assert_unlinkable (module (import "spectest" "nope" (func))) "unknown import")
(assert_trap (module (func $f unreachable) (start $f)) "unreachable")
)wast");
  ASSERT_EQ(out.size(), 7u);
  EXPECT_EQ(out[0].status, Outcome::Status::Passed);
  EXPECT_EQ(out[1].status, Outcome::Status::Failed);  // invalid is not malformed
  EXPECT_EQ(out[2].status, Outcome::Status::Failed);  // malformed is not invalid
  EXPECT_EQ(out[3].status, Outcome::Status::Passed);
  EXPECT_EQ(out[4].status, Outcome::Status::Passed);
  EXPECT_EQ(out[5].status, Outcome::Status::Passed);
  EXPECT_EQ(out[6].status, Outcome::Status::Passed);
}

TEST(SpecRun, RegisterAndNamedModules) {
  auto out = run(R"wast(
(module $A (global (export "g") i32 (i32.const 42)) (func (export "f") (result i32) (i32.const 7)))
(register "a" $A)
(module $B (import "a" "f" (func $f (result i32))) (func (export "g") (result i32) (call $f)))
(assert_return (invoke $B "g") (i32.const 7))
(assert_return (get $A "g") (i32.const 42))
(assert_return (get "g") (i32.const 42))
(module (import "spectest" "global_i32" (global i32)) (import "spectest" "memory" (memory 1 2))
        (import "spectest" "table" (table 10 20 funcref))
        (import "spectest" "print_i32" (func (param i32))))
)wast");
  ASSERT_EQ(out.size(), 7u);
  for (size_t i = 0; i < out.size(); ++i) {
    bool want_pass = i != 5;  // "g" of $B is a function, not a global
    EXPECT_EQ(out[i].status == Outcome::Status::Passed, want_pass)
        << i << ": " << out[i].expected << " / " << out[i].actual;
  }
}

TEST(SpecRun, ParseErrorIsOneFailure) {
  auto out = run("(module\n(func (i32.const)\n");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].command, "script");
  EXPECT_EQ(out[0].status, Outcome::Status::Failed);
}

}  // namespace
}  // namespace warden::spec
