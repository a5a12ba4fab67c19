// Module::load as one pass (validate/validator.cpp, load_binary): each body
// is validated and compiled while the decoder reads it. Its outcome must be
// decode() then validate()'s exactly: a malformed byte anywhere wins, then
// the module checks in order (sections, data segments), then the first
// invalid body, then start and exports. Modules are built by
// wasm_builder.hpp; each body is raw bytes with its WAT.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "runtime/runtime.hpp"
#include "validate/deferred.hpp"
#include "validate/validator.hpp"
#include "warden/binary.hpp"
#include "warden/script.hpp"
#include "warden/syntax.hpp"
#include "warden/warden.hpp"
#include "wasm_builder.hpp"

namespace {

using namespace warden;
using wasm_builder::Bytes;
using wasm_builder::cat;
using wasm_builder::i32_const;
using wasm_builder::i64_const;
using wasm_builder::local_get;
using VT = ValType;

// "ok", or the error's kind, message and offset: what must agree between
// the ways of loading.
template <class T>
std::string outcome(const Result<T>& r) {
  if (r) return "ok";
  return std::string(to_string(r.error().kind)) + ": " + r.error().message + " @" + std::to_string(r.error().offset);
}

// The two-pass reference: the whole tree first, then validation of it.
std::string two_pass(const Bytes& b) {
  Result<ast::Module> tree = decode(b, Limits{});
  if (!tree) return outcome(tree);
  return outcome(load_syntax(std::move(tree).value()));
}

std::string validate_only(const Bytes& b) { return outcome(Module::validate(b)); }

Limits on_threads(uint32_t n) {
  Limits l;
  l.load_threads = n;
  return l;
}

// The bodies decoded after the rest of the module, on `n` threads
// (validate/deferred.hpp): loaded, and validated only.
void expect_threads_agree(const Bytes& b, const std::string& one, uint32_t n) {
  EXPECT_EQ(outcome(Module::load(b, on_threads(n))), one) << n << " threads";
  EXPECT_EQ(outcome(Module::validate(b, on_threads(n))), one) << n << " threads, validate";
}

// Load `b` and check that the one pass agrees with the two, and validating
// without compiling with both, and loading on two and on three threads,
// then return it.
std::string load(const Bytes& b) {
  std::string one = outcome(Module::load(b));
  EXPECT_EQ(one, two_pass(b));
  EXPECT_EQ(one, validate_only(b));
  expect_threads_agree(b, one, 2);
  expect_threads_agree(b, one, 3);
  return one;
}

// What load_binary compiled for each function, op numbers (not handler
// addresses) and frame shape, or the error.
std::vector<std::vector<uint64_t>> compiled(const Bytes& b, uint32_t threads) {
  Result<Loaded> r = load_binary(b, on_threads(threads));
  std::vector<std::vector<uint64_t>> out;
  if (!r) return out;
  for (const code::CompiledFunc& f : r->code.funcs) {
    out.emplace_back(f.code.begin(), f.code.end());
    out.back().insert(out.back().end(), {f.type, f.param_slots, f.local_slots, f.result_slots, f.max_stack});
  }
  return out;
}

// The offset of the first occurrence of `needle` in `b`.
size_t offset_of(const Bytes& b, const Bytes& needle) {
  auto it = std::search(b.begin(), b.end(), needle.begin(), needle.end());
  EXPECT_NE(it, b.end());
  return static_cast<size_t>(it - b.begin());
}

// (func (result i32) (i64.const 7)): "type mismatch" at the end.
const Bytes kInvalidBody = i64_const(7);
// (func (result i32) (i32.const 1)).
const Bytes kValidBody = i32_const(1);

TEST(LoadOnePass, ValidModuleLoads) {
  wasm_builder::Module m;
  uint32_t t = m.type({}, {VT::I32});
  m.func(t, kValidBody);
  m.func(t, cat({local_get(0)}), {{1, VT::I32}});
  EXPECT_EQ(load(m.build()), "ok");
}

TEST(LoadOnePass, InvalidBodyThenMalformedBodyIsMalformed) {
  wasm_builder::Module m;
  uint32_t t = m.type({}, {VT::I32});
  m.func(t, kInvalidBody);
  // (func (result i32) (i32.const 1) <0xFF>): no instruction is 0xFF.
  m.func(t, cat({kValidBody, {0xFF}}));
  Bytes b = m.build();
  EXPECT_EQ(load(b), "malformed: illegal opcode @" + std::to_string(offset_of(b, {0x41, 0x01, 0xFF}) + 2));
}

TEST(LoadOnePass, MalformedByteLaterInTheSameBodyWins) {
  wasm_builder::Module m;
  uint32_t t = m.type({}, {VT::I32});
  // (func (result i32) (i64.const 7) (i32.const 1) <0xFF>): invalid at the
  // first instruction, malformed at the last.
  m.func(t, cat({kInvalidBody, kValidBody, {0xFF}}));
  Bytes b = m.build();
  EXPECT_EQ(load(b), "malformed: illegal opcode @" + std::to_string(offset_of(b, {0x41, 0x01, 0xFF}) + 2));
}

TEST(LoadOnePass, InvalidBodyThenMalformedDataSectionIsMalformed) {
  wasm_builder::Module m;
  uint32_t t = m.type({}, {VT::I32});
  m.memory(1);
  m.func(t, kInvalidBody);
  m.data_passive({1, 2, 3});
  Bytes b = m.build();
  // The data segment's flags (last section: id 11, size, count 1, flags)
  // become 7: "malformed data segment kind".
  const size_t flags = offset_of(b, {0x01, 0x03, 0x01, 0x02, 0x03});
  b[flags] = 0x07;
  EXPECT_EQ(load(b), "malformed: malformed data segment kind @" + std::to_string(flags));
}

TEST(LoadOnePass, InvalidDataSegmentComesBeforeInvalidBody) {
  wasm_builder::Module m;
  uint32_t t = m.type({}, {VT::I32});
  m.memory(1);
  m.func(t, kInvalidBody);
  // (data (i64.const 0) "x"): the offset must be an i32.
  m.data_active(i64_const(0), {'x'});
  Bytes b = m.build();
  const size_t end = offset_of(b, {0x00, 0x42, 0x00, 0x0B, 0x01, 'x'}) + 3;
  EXPECT_EQ(load(b), "invalid: type mismatch @" + std::to_string(end));
}

TEST(LoadOnePass, InvalidGlobalComesBeforeInvalidBody) {
  wasm_builder::Module m;
  uint32_t t = m.type({}, {VT::I32});
  // (global i32 (i64.const 0)): type mismatch at its end.
  m.global(VT::I32, false, i64_const(0));
  m.func(t, kInvalidBody);
  Bytes b = m.build();
  const size_t end = offset_of(b, {0x7F, 0x00, 0x42, 0x00, 0x0B}) + 4;
  EXPECT_EQ(load(b), "invalid: type mismatch @" + std::to_string(end));
}

TEST(LoadOnePass, FirstInvalidBodyComesBeforeStartAndExports) {
  wasm_builder::Module m;
  uint32_t t = m.type({}, {VT::I32});
  m.func(t, kValidBody);
  m.func(t, cat({kInvalidBody, {0x1A}, i32_const(2), {0x68}}));  // i64.const 7 drop i32.const 2 i32.ctz: valid
  m.func(t, cat({i32_const(3), kInvalidBody}));                  // two values left: type mismatch at its end
  m.func(t, kInvalidBody);
  m.export_func("f", 0);
  m.export_func("f", 1);  // duplicate export name
  Bytes b = m.build();
  // The third body's final end: i64.const 7 is 42 07, then 0B.
  const size_t end = offset_of(b, {0x41, 0x03, 0x42, 0x07, 0x0B}) + 4;
  EXPECT_EQ(load(b), "invalid: type mismatch @" + std::to_string(end));
}

TEST(LoadOnePass, StartAndExportsAfterValidBodies) {
  wasm_builder::Module m;
  uint32_t t = m.type({}, {VT::I32});
  m.func(t, kValidBody);
  m.export_func("f", 0);
  m.export_func("f", 0);
  Bytes b = m.build();
  const size_t second = offset_of(b, {0x01, 'f', 0x00, 0x00, 0x01, 'f'}) + 4;
  EXPECT_EQ(load(b), "invalid: duplicate export name @" + std::to_string(second));
}

TEST(LoadOnePass, DataIndicesComeFromTheDataCountSection) {
  // (memory 1) (data "abc") (func (memory.init 0 (i32.const 0) (i32.const 0)
  // (i32.const 3)) (data.drop 0)): the body is compiled before the data
  // section is read. memory.init 1 would be "unknown data segment 1".
  for (uint8_t seg : {0, 1}) {
    wasm_builder::Module m;
    uint32_t t = m.type({}, {});
    m.memory(1);
    m.func(t, cat({i32_const(0), i32_const(0), i32_const(3), {0xFC, 0x08, seg, 0x00}, {0xFC, 0x09, 0x00}}));
    m.data_passive({'a', 'b', 'c'});
    Bytes b = m.build();
    if (seg == 0)
      EXPECT_EQ(load(b), "ok");
    else
      EXPECT_EQ(load(b), "invalid: unknown data segment 1 @" + std::to_string(offset_of(b, {0xFC, 0x08, 0x01})));
  }
}

TEST(LoadOnePass, ImmediatesOfEveryLebLength) {
  // The decoder reads LEBs of up to 4 bytes inline and longer ones (and
  // the last bytes of a module) through the Reader: both must give the
  // same values, non-minimal encodings included.
  wasm_builder::Module m;
  uint32_t t = m.type({}, {});
  m.memory(1);
  const Bytes body = cat({
      {0x41, 0x7F, 0x1A},                                            // i32.const -1 (1 byte) drop
      {0x41, 0x80, 0x01, 0x1A},                                      // i32.const 128 (2 bytes) drop
      {0x41, 0xFF, 0xFF, 0x7F, 0x1A},                                // i32.const -1 (3 bytes) drop
      {0x41, 0x80, 0x80, 0x80, 0x40, 0x1A},                          // i32.const -2^27 (4 bytes) drop
      {0x41, 0x80, 0x80, 0x80, 0x80, 0x78, 0x1A},                    // i32.const -2^31 (5 bytes) drop
      {0x42, 0xFF, 0xFF, 0xFF, 0x3F, 0x1A},                          // i64.const 2^27-1 (4 bytes) drop
      {0x42, 0x80, 0x80, 0x80, 0x80, 0x01, 0x1A},                    // i64.const 2^28 (5 bytes) drop
      {0x20, 0x80, 0x80, 0x80, 0x00, 0x1A},                          // local.get 0 (4 bytes) drop
      {0x41, 0x00, 0x28, 0x02, 0xFF, 0xFF, 0xFF, 0x7F, 0x1A},        // (i32.load offset=2^28-1 (i32.const 0)) drop
      {0x41, 0x00, 0x28, 0x82, 0x80, 0x80, 0x80, 0x00, 0x00, 0x1A},  // (i32.load align: 5 bytes) drop
      {0x02, 0x40, 0x0B},                                            // block end
  });
  m.func(t, body, {{1, VT::I32}});
  Result<ast::Module> tree = decode(m.build(), Limits{});
  ASSERT_TRUE(tree) << tree.error().message;
  std::vector<std::pair<Op, uint64_t>> got;
  for (const ast::Instr& in : tree->funcs[0].body) {
    if (in.op == Op::Drop) continue;
    got.emplace_back(in.op, in.op == Op::LocalGet || in.op == Op::I32Load ? uint64_t{in.a} << 32 | in.b : in.lo);
  }
  const std::vector<std::pair<Op, uint64_t>> want = {{Op::I32Const, 0xFFFFFFFF},
                                                     {Op::I32Const, 128},
                                                     {Op::I32Const, 0xFFFFFFFF},
                                                     {Op::I32Const, 0xF8000000},
                                                     {Op::I32Const, 0x80000000},
                                                     {Op::I64Const, (1u << 27) - 1},
                                                     {Op::I64Const, 1u << 28},
                                                     {Op::LocalGet, 0},
                                                     {Op::I32Const, 0},
                                                     {Op::I32Load, uint64_t{2} << 32 | ((1u << 28) - 1)},
                                                     {Op::I32Const, 0},
                                                     {Op::I32Load, uint64_t{2} << 32 | 0},
                                                     {Op::Block, uint64_t(ast::kBlockEmpty)},
                                                     {Op::End, 0},
                                                     {Op::End, 0}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(load(m.build()), "ok");
}

TEST(LoadOnePass, UnknownFunctionTypeIsAtItsCodeEntry) {
  // The function section names type 5 of none; the reference reports it at
  // the function's code entry, which comes after the section checks ran.
  wasm_builder::Module m;
  m.func(5, {});
  Bytes b = m.build();
  const size_t entry = offset_of(b, {0x0A, 0x04, 0x01, 0x02, 0x00, 0x0B}) + 3;
  EXPECT_EQ(load(b), "invalid: unknown type 5 @" + std::to_string(entry));
}

TEST(LoadOnePass, NoCodeSection) {
  wasm_builder::Module m;
  m.memory(1);
  m.memory(1);  // multiple memories
  EXPECT_EQ(load(m.build()), "invalid: multiple memories @0");
}

TEST(LoadOnePass, KeepsTheTreeWithoutBodiesAndCustomSections) {
  wasm_builder::Module m;
  uint32_t t = m.type({VT::I32}, {VT::I32});
  // (func (param i32) (result i32) (local i64 i64) (block (br_table 0 0 (local.get 0))) (local.get 0))
  m.func(t, cat({{0x02, 0x40}, local_get(0), {0x0E, 0x01, 0x00, 0x00, 0x0B}, local_get(0)}), {{2, VT::I64}});
  m.export_func("f", 0);
  // A custom section "x" of 3 bytes at the end.
  const Bytes b = cat({m.build(), {0x00, 0x05, 0x01, 'x', 1, 2, 3}});
  ASSERT_EQ(decode(b, Limits{})->customs.size(), 1u);
  Result<std::shared_ptr<const Module>> loaded = Module::load(b);
  ASSERT_TRUE(loaded) << loaded.error().message;
  const ast::Module& tree = syntax_of(**loaded);
  EXPECT_TRUE(tree.customs.empty());
  ASSERT_EQ(tree.funcs.size(), 1u);
  EXPECT_TRUE(tree.funcs[0].body.empty());
  EXPECT_TRUE(tree.funcs[0].br_targets.empty());
  ASSERT_EQ(tree.funcs[0].locals.size(), 1u);
  EXPECT_EQ(tree.funcs[0].locals[0].count, 2u);
  EXPECT_EQ(tree.funcs[0].locals[0].type, VT::I64);
  ASSERT_EQ(tree.exports.size(), 1u);
  EXPECT_EQ(tree.exports[0].name, "f");
  // The same for a tree loaded directly.
  Result<ast::Module> decoded = decode(b, Limits{});
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->funcs[0].body.size(), 6u);  // block local.get br_table end local.get end
  EXPECT_EQ(decoded->funcs[0].br_targets, (std::vector<uint32_t>{0, 0}));
  Result<std::shared_ptr<const Module>> direct = load_syntax(std::move(decoded).value());
  ASSERT_TRUE(direct);
  EXPECT_TRUE(syntax_of(**direct).funcs[0].body.empty());
  EXPECT_TRUE(syntax_of(**direct).customs.empty());
}

TEST(LoadOnePass, CompiledCodeKeepsLittleSlack) {
  // Slack in the code's chunks stays with the module for its lifetime
  // (code.hpp, CompiledCode; docs/design.md, "Loading: from bytes to code").
  // Function 0 is longer than a quarter of the first chunk, so the first
  // chunk is larger; the rest share it, trimmed by the load's seal().
  wasm_builder::Module m;
  uint32_t t = m.type({}, {VT::I32});
  Bytes body;
  for (int i = 0; i < 150; ++i) body = cat({body, i32_const(i), {0x1A}});  // i32.const i, drop
  m.func(t, cat({body, kValidBody}));
  for (int i = 0; i < 3; ++i) m.func(t, kValidBody);
  Result<std::shared_ptr<const Module>> loaded = Module::load(m.build());
  ASSERT_TRUE(loaded) << loaded.error().message;
  const code::CompiledCode& code = detail::Access::of(**loaded).code;
  ASSERT_EQ(code.size(), 4u);
  EXPECT_GT(code[0].code.size(), code::CompiledCode::kFirstChunk / 4);
  EXPECT_EQ(code.allocated(), code.used());
  size_t words = 0;
  for (size_t i = 0; i < code.size(); ++i) words += code[i].code.size();
  EXPECT_EQ(code.used(), words + code.size() * code::CompiledCode::kGuardWords);
  // All four sit one after another in the one chunk.
  EXPECT_EQ(code[1].code.data(), code[0].code.data() + code[0].code.size() + code::CompiledCode::kGuardWords);
  EXPECT_EQ(code[2].code.data(), code[1].code.data() + code[1].code.size() + code::CompiledCode::kGuardWords);
  EXPECT_EQ(code[3].code.data(), code[2].code.data() + code[2].code.size() + code::CompiledCode::kGuardWords);
}

TEST(LoadOnePass, ReadingPastAFunctionsCodeIsReportedUnderASan) {
  // Functions share chunks, so without the poisoned guard word a read past
  // one function's last word would land in the next one's code unseen.
  if (!WARDEN_CODE_GUARDS) GTEST_SKIP() << "no AddressSanitizer";
  wasm_builder::Module m;
  uint32_t t = m.type({}, {VT::I32});
  m.func(t, kValidBody);
  m.func(t, kValidBody);
  Result<std::shared_ptr<const Module>> loaded = Module::load(m.build());
  ASSERT_TRUE(loaded) << loaded.error().message;
  const code::CompiledCode& code = detail::Access::of(**loaded).code;
  ASSERT_EQ(code.size(), 2u);
  const volatile uint64_t* past = code[0].code.data() + code[0].code.size();
  EXPECT_DEATH(static_cast<void>(*past), "use-after-poison");
}

TEST(LoadOnePass, CompiledCodeChunksLeaveLessThanAQuarterBehind) {
  // Many functions of 40 to 240 words: chunks fill, the code moves on to
  // the next, and what a chunk leaves unused is less than a quarter of the
  // next one, so a module keeps at most a third more words than its code.
  wasm_builder::Module m;
  uint32_t t = m.type({}, {VT::I32});
  for (int f = 0; f < 400; ++f) {
    Bytes body;
    for (int i = 0; i < 20 + f % 100; ++i) body = cat({body, i32_const(i), {0x1A}});
    m.func(t, cat({body, kValidBody}));
  }
  Result<std::shared_ptr<const Module>> loaded = Module::load(m.build());
  ASSERT_TRUE(loaded) << loaded.error().message;
  const code::CompiledCode& code = detail::Access::of(**loaded).code;
  ASSERT_EQ(code.size(), 400u);
  EXPECT_GT(code.allocated(), code.used());  // some chunk left words behind
  EXPECT_LE(code.allocated(), code.used() + code.used() / 3);
  // Every function's words are where its span points, the open chunk's
  // included after seal() moved them: [Fuel, (I32Const, i, Drop) * k,
  // I32Const, 1, Return]. The op words are handler addresses; the
  // immediates are the constants.
  for (size_t f = 0; f < code.size(); ++f) {
    const size_t k = 20 + f % 100;
    ASSERT_EQ(code[f].code.size(), 3 * k + 4) << f;
    for (size_t i = 0; i < k; ++i) ASSERT_EQ(code[f].code[2 + 3 * i], i) << f;
    EXPECT_EQ(code[f].code[3 * k + 2], 1u) << f;
  }
}

// A body () -> i32 of `n` (i32.const i) (drop) pairs, i = 0, 1, ..., then
// (i32.const 1): 3 n + 4 words of code ([Fuel, (I32Const, i, Drop) * n,
// I32Const, 1, Return]).
Bytes const_drops(size_t n) {
  Bytes body;
  for (size_t i = 0; i < n; ++i) {
    const Bytes c = i32_const(static_cast<int32_t>(i));
    body.insert(body.end(), c.begin(), c.end());
    body.push_back(0x1A);  // drop
  }
  body.insert(body.end(), kValidBody.begin(), kValidBody.end());
  return body;
}

TEST(LoadOnePass, LargeCodeGoesToMappedChunksIntact) {
  // 200 functions of 3,004 words: 4.8 MB of code, more than the doubling
  // chunks below kMaxChunk hold (16 Ki to 128 Ki words here), so the
  // later ones are mapped apart for huge pages (code.hpp). Their words are
  // intact, the last chunk trimmed in place by seal().
  wasm_builder::Module m;
  uint32_t t = m.type({}, {VT::I32});
  constexpr size_t kFuncs = 200, kConsts = 1000;
  const Bytes body = const_drops(kConsts);
  for (size_t f = 0; f < kFuncs; ++f) m.func(t, body);
  m.export_func("last", kFuncs - 1);  // past the first 240 Ki words: in a mapped chunk
  Result<std::shared_ptr<const Module>> loaded = Module::load(m.build());
  ASSERT_TRUE(loaded) << loaded.error().message;
  const code::CompiledCode& code = detail::Access::of(**loaded).code;
  ASSERT_EQ(code.size(), kFuncs);
  EXPECT_GE(code.mapped_chunks(), 1u);
  EXPECT_EQ(code.used(), kFuncs * (3 * kConsts + 4 + code::CompiledCode::kGuardWords));
  EXPECT_LE(code.allocated(), code.used() + code.used() / 3);
  for (size_t f = 0; f < kFuncs; ++f) {
    ASSERT_EQ(code[f].code.size(), 3 * kConsts + 4) << f;
    for (size_t i = 0; i < kConsts; ++i) ASSERT_EQ(code[f].code[2 + 3 * i], i) << f;
    EXPECT_EQ(code[f].code[3 * kConsts + 2], 1u) << f;
  }
  // And it runs from there.
  Store store;
  auto inst = store.instantiate(*loaded, {});
  ASSERT_TRUE(inst) << inst.error().message;
  std::optional<Extern> last = (*inst)->find_export("last");
  ASSERT_TRUE(last);
  auto r = store.invoke(last->func, {});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].as_i32(), 1u);
}

TEST(LoadOnePass, ABodyPastAQuarterChunkGetsAChunkOfItsOwnAndTheBodiesAroundItStayIntact) {
  // Function 1 compiles to 75,004 words, past kOwnChunkPast (a quarter
  // of kMaxChunk), so it gets a chunk of its own (code.hpp); the compiler
  // then gives its scratch back and compiles function 2 in a fresh one
  // (func_compile.cpp, finish: the release itself is seen only in the
  // peak RSS, docs/performance.md). Functions 0 and 2 share the open
  // chunk, one after the other; all three keep their words and run.
  wasm_builder::Module m;
  const uint32_t t = m.type({}, {VT::I32});
  constexpr size_t kConsts = 25000;
  m.func(t, i32_const(7));
  m.func(t, const_drops(kConsts));
  m.func(t, i32_const(9));
  for (uint32_t f = 0; f < 3; ++f) m.export_func("f" + std::to_string(f), f);
  Result<std::shared_ptr<const Module>> loaded = Module::load(m.build());
  ASSERT_TRUE(loaded) << loaded.error().message;
  const code::CompiledCode& code = detail::Access::of(**loaded).code;
  ASSERT_EQ(code.size(), 3u);
  ASSERT_EQ(code[1].code.size(), 3 * kConsts + 4);
  static_assert(3 * kConsts + 4 > code::CompiledCode::kOwnChunkPast);
  for (size_t i = 0; i < kConsts; ++i) ASSERT_EQ(code[1].code[2 + 3 * i], i) << i;
  EXPECT_EQ(code[1].code[3 * kConsts + 2], 1u);
  EXPECT_EQ(code[2].code.data(), code[0].code.data() + code[0].code.size() + code::CompiledCode::kGuardWords);
  Store store;
  auto inst = store.instantiate(*loaded, {});
  ASSERT_TRUE(inst) << inst.error().message;
  for (auto [name, want] : {std::pair<const char*, uint32_t>{"f0", 7}, {"f1", 1}, {"f2", 9}}) {
    std::optional<Extern> f = (*inst)->find_export(name);
    ASSERT_TRUE(f) << name;
    auto r = store.invoke(f->func, {});
    ASSERT_TRUE(r) << name << ": " << r.error().message;
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].as_i32(), want) << name;
  }
}

// ---- Bodies on several threads (Limits::load_threads, validate/deferred.hpp).
// load() checks two and three threads against the one pass; these use
// enough bodies for the runs to be shared out, and pin the outcome.

// `n` functions () -> i32, function k returning k * 7 unless `bodies`
// replaces its body (without the final end); each exported as "f<k>".
Bytes many_funcs(uint32_t n, const std::map<uint32_t, Bytes>& bodies = {}) {
  wasm_builder::Module m;
  const uint32_t t = m.type({}, {VT::I32});
  for (uint32_t k = 0; k < n; ++k) {
    auto it = bodies.find(k);
    m.func(t, it != bodies.end() ? it->second : i32_const(static_cast<int32_t>(k * 7)));
    m.export_func("f" + std::to_string(k), k);
  }
  return m.build();
}

TEST(LoadOnThreads, LowestInvalidBodyWinsWhicheverThreadTookIt) {
  // Body 20: (i64.const 0x1234) for an i32 result; body 150: an unknown
  // local. Two workers get runs of 13 to 15 bodies, dealt by size: body
  // 20's run goes to worker 1, body 150's (a byte short of the others) to
  // worker 0.
  const Bytes b = many_funcs(200, {{20, i64_const(0x1234)}, {150, local_get(3)}});
  const size_t end20 = offset_of(b, i64_const(0x1234)) + i64_const(0x1234).size();
  EXPECT_EQ(load(b), "invalid: type mismatch @" + std::to_string(end20));
  expect_threads_agree(b, load(b), 8);
}

TEST(LoadOnThreads, MalformedByteInALaterBodyWinsOverAnEarlierInvalidOne) {
  const Bytes b = many_funcs(200, {{5, i64_const(0x1234)}, {180, cat({i32_const(0x4321), {0xFF}})}});
  const size_t bad = offset_of(b, cat({i32_const(0x4321), {0xFF}})) + i32_const(0x4321).size();
  EXPECT_EQ(load(b), "malformed: illegal opcode @" + std::to_string(bad));
}

TEST(LoadOnThreads, EarlierOfTwoMalformedBodiesWins) {
  const Bytes b = many_funcs(200, {{60, cat({i32_const(0x4321), {0xFF}})}, {199, {0xFE}}});
  const size_t bad = offset_of(b, cat({i32_const(0x4321), {0xFF}})) + i32_const(0x4321).size();
  EXPECT_EQ(load(b), "malformed: illegal opcode @" + std::to_string(bad));
}

TEST(LoadOnThreads, BodyRunningPastItsEntryIsASizeMismatch) {
  // Body 100 is [size 5][0 locals][i32.const 0x2bc (2 bytes)][end]; its
  // size made 4, its end lies past its entry. The decoder that skipped it
  // reads on from inside it, and finds nothing that could come first.
  Bytes b = many_funcs(200);
  const Bytes entry = {0x05, 0x00, 0x41, 0xBC, 0x05, 0x0B};  // i32.const 700
  const size_t at = offset_of(b, entry);
  b[at] = 0x04;
  EXPECT_EQ(load(b), "malformed: section size mismatch @" + std::to_string(at + 1));
}

TEST(LoadOnThreads, EntryClaimingBytesPastTheModuleEnd) {
  // The code section last, and its last entry claiming one byte more than
  // the module holds, which a length may (it counts from its own first
  // byte): the decoder that skipped the entry stops at the module's end.
  Bytes b = many_funcs(3);
  const Bytes last = {0x04, 0x00, 0x41, 0x0E, 0x0B};  // [size][0 locals][i32.const 14][end]
  const size_t at = b.size() - last.size();
  ASSERT_EQ(Bytes(b.begin() + static_cast<ptrdiff_t>(at), b.end()), last);
  b[at] = 0x05;
  EXPECT_EQ(load(b), "malformed: section size mismatch @" + std::to_string(at + 1));
}

TEST(LoadOnThreads, LocalsRunningPastTheirEntryAreASizeMismatch) {
  // Body 1's entry is [size 2][1 declaration: 3 x i32][end]: its locals
  // end where its instructions should, so its end lies past the entry.
  // The decoder that skipped its instructions stops there
  // (LoadOnThreads.LocalsPastTheirEntryStopTheDecoder in alloc_test.cpp
  // shows it does not read on).
  Bytes b = many_funcs(4);
  const size_t section = offset_of(b, {0x0A, 0x15, 0x04});  // id 10, 21 bytes, 4 entries of 5
  const Bytes entry = {0x04, 0x00, 0x41, 0x07, 0x0B};       // i32.const 7
  const size_t at = offset_of(b, entry);
  b.erase(b.begin() + static_cast<ptrdiff_t>(at), b.begin() + static_cast<ptrdiff_t>(at + entry.size()));
  b.insert(b.begin() + static_cast<ptrdiff_t>(at), {0x02, 0x01, 0x03, 0x7F, 0x41, 0x07, 0x0B});
  b[section + 1] = 0x17;  // two bytes more
  EXPECT_EQ(load(b), "malformed: section size mismatch @" + std::to_string(at + 1));
}

TEST(LoadOnThreads, AnyThreadCountGivesTheSameOutcome) {
  const Bytes b = many_funcs(300, {{250, local_get(9)}});
  const std::string one = load(b);
  EXPECT_EQ(one.rfind("invalid: unknown local 9 @", 0), 0u) << one;
  for (uint32_t n : {0u, 1u, 5u, 64u, 65u, 0xFFFF'FFFFu}) expect_threads_agree(b, one, n);
}

// Each worker's bytes and runs as deal_runs gives them.
std::vector<uint64_t> loads(const std::vector<std::vector<uint32_t>>& dealt, const std::vector<uint64_t>& bytes) {
  std::vector<uint64_t> out;
  for (const std::vector<uint32_t>& runs : dealt) {
    uint64_t sum = 0;
    for (uint32_t k : runs) sum += bytes[k];
    out.push_back(sum);
  }
  return out;
}

TEST(LoadOnThreads, DealGivesAHugeRunFirstAndTheRestToTheOthers) {
  // Sixteen runs of 10 bytes and, sixth, one of 100 (an interpreter's
  // dispatch loop, say) on two workers. In turn, one worker would have
  // had runs 1, 3, 5, ... 15: 100 + 7 x 10 = 170 bytes against 90.
  std::vector<uint64_t> bytes(17, 10);
  bytes[5] = 100;
  const std::vector<std::vector<uint32_t>> dealt = valid::deal_runs(bytes, 2);
  ASSERT_EQ(dealt.size(), 2u);
  EXPECT_EQ(loads(dealt, bytes), (std::vector<uint64_t>{130, 130}));
  EXPECT_EQ(dealt[0], (std::vector<uint32_t>{5, 11, 13, 15}));  // the huge run first, then ties to the lower index
  EXPECT_EQ(dealt[1], (std::vector<uint32_t>{0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 12, 14, 16}));
}

TEST(LoadOnThreads, DealPutsEveryRunOnceAndNoWorkerAboveTheMeanPlusARun) {
  uint64_t x = 88172645463325252u;  // xorshift64: sizes from 1 byte to 64 KiB, a few huge
  const auto next = [&x] { return x ^= x << 13, x ^= x >> 7, x ^= x << 17; };
  for (size_t workers : {1u, 2u, 3u, 8u, 64u}) {
    for (size_t trial = 0; trial < 50; ++trial) {
      std::vector<uint64_t> bytes(1 + next() % 600);
      for (uint64_t& b : bytes) b = next() % 97 == 0 ? 1 + next() % (1u << 20) : 1 + next() % (1u << 16);
      const std::vector<std::vector<uint32_t>> dealt = valid::deal_runs(bytes, workers);
      ASSERT_EQ(dealt.size(), workers);
      std::vector<int> seen(bytes.size(), 0);
      for (const std::vector<uint32_t>& runs : dealt) {
        EXPECT_TRUE(std::is_sorted(runs.begin(), runs.end()));
        for (uint32_t k : runs) ++seen[k];
      }
      EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), static_cast<ptrdiff_t>(bytes.size()));
      uint64_t total = 0;
      for (uint64_t b : bytes) total += b;
      const std::vector<uint64_t> l = loads(dealt, bytes);
      for (size_t w = 0; w < workers; ++w) {
        uint64_t smallest = UINT64_MAX;  // the worker's last run in the deal's order
        for (uint32_t k : dealt[w]) smallest = std::min(smallest, bytes[k]);
        if (!dealt[w].empty()) {
          EXPECT_LE(l[w], total / workers + smallest) << workers << " workers, worker " << w;
        }
      }
    }
  }
}

TEST(LoadOnThreads, EveryFunctionRunsAsLoadedOnOneThread) {
  constexpr uint32_t kFuncs = 500;
  const Bytes b = many_funcs(kFuncs);
  Result<std::shared_ptr<const Module>> loaded = Module::load(b, on_threads(4));
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(compiled(b, 4), compiled(b, 1));
  Store store;
  auto inst = store.instantiate(*loaded, {});
  ASSERT_TRUE(inst) << inst.error().message;
  for (uint32_t k = 0; k < kFuncs; ++k) {
    std::optional<Extern> f = (*inst)->find_export("f" + std::to_string(k));
    ASSERT_TRUE(f) << k;
    auto r = store.invoke(f->func, {});
    ASSERT_TRUE(r) << k << ": " << r.error().message;
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].as_i32(), k * 7) << k;
  }
}

// Every module of the official testsuite, binary as written or text
// encoded: the one pass agrees with the two on the error's kind, message
// and offset, and so does Module::validate.
TEST(LoadOnePass, SpecTestsuiteModulesAgreeWithTwoPasses) {
  if (!std::filesystem::is_directory(WARDEN_TESTSUITE_DIR)) GTEST_SKIP() << "no testsuite";
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(WARDEN_TESTSUITE_DIR))
    if (e.path().extension() == ".wast") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::map<std::string, size_t> verdicts;  // "ok", or the error kind
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    const std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Result<text::Script> script = text::parse_script(source);
    ASSERT_TRUE(script) << f << ": " << script.error().message;
    for (const text::Command& c : script->commands) {
      if (!c.module || c.module->form == text::ScriptModule::Form::Quote) continue;
      const Bytes b = c.module->form == text::ScriptModule::Form::Binary ? c.module->bytes : encode(c.module->module);
      Result<std::shared_ptr<const Module>> one = Module::load(b);
      EXPECT_EQ(outcome(one), two_pass(b)) << f.filename() << ":" << c.pos.line;
      EXPECT_EQ(outcome(one), validate_only(b)) << f.filename() << ":" << c.pos.line;
      SCOPED_TRACE(f.filename().string() + ":" + std::to_string(c.pos.line));
      expect_threads_agree(b, outcome(one), 2);
      if (one) {
        const auto words = compiled(b, 1);
        EXPECT_EQ(words.size(), syntax_of(**one).funcs.size());
        EXPECT_EQ(compiled(b, 3), words);
      }
      ++verdicts[one ? "ok" : std::string(to_string(one.error().kind))];
    }
  }
  // The wasm-2.0 testsuite's modules, quoted ones aside.
  EXPECT_EQ(verdicts, (std::map<std::string, size_t>{{"invalid", 2144}, {"malformed", 691}, {"ok", 1707}}));
}

}  // namespace
