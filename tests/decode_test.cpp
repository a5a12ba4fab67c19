// Binary decoder tests (spec chapter 5). Modules are hex bytes with their
// WAT (or a description, where no WAT can express them) in a comment; every
// failure is checked for its kind, its exact message and its byte offset.
// The last tests replay every `(module binary ...)` of the spec testsuite.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "warden/binary.hpp"
#include "warden/syntax.hpp"
#include "wasm_builder.hpp"

namespace warden {
namespace {

using wasm_builder::Bytes;
using wasm_builder::cat;
using wasm_builder::hex;

void uleb(Bytes& out, uint64_t v) {
  const Bytes b = wasm_builder::leb_u(v);
  out.insert(out.end(), b.begin(), b.end());
}

// A section: id, size (computed), contents.
Bytes section(uint8_t id, const Bytes& contents) {
  Bytes out{id};
  uleb(out, contents.size());
  out.insert(out.end(), contents.begin(), contents.end());
  return out;
}

// The header followed by `rest`.
Bytes wasm(const Bytes& rest) { return cat({hex("00 61 73 6d 01 00 00 00"), rest}); }

// (module (type (func)) (func (type 0) <body>)), optionally with more
// sections between the function and code sections. The body is hex without
// its size; it starts with the locals vector. With no extra sections the
// code section starts at offset 18 and the body's locals vector at 22.
Bytes with_body(const Bytes& body, const Bytes& between = {}) {
  Bytes entry;
  uleb(entry, body.size());
  entry.insert(entry.end(), body.begin(), body.end());
  Bytes code{0x01};
  code.insert(code.end(), entry.begin(), entry.end());
  return wasm(cat({section(1, hex("01 60 00 00")), section(3, hex("01 00")), between, section(10, code)}));
}

Result<ast::Module> dec(const Bytes& b, const Limits& limits = {}) { return decode(b, limits); }

#define EXPECT_DECODE_ERROR(bytes, kind_, msg, off) \
  do {                                              \
    Result<ast::Module> r_ = dec(bytes);            \
    ASSERT_FALSE(r_.ok());                          \
    EXPECT_EQ(r_.error().kind, ErrorKind::kind_);   \
    EXPECT_EQ(r_.error().message, msg);             \
    EXPECT_EQ(r_.error().offset, uint64_t{off});    \
  } while (0)

#define EXPECT_MALFORMED(bytes, msg, off) EXPECT_DECODE_ERROR(bytes, Malformed, msg, off)

// ------------------------------------------------------------ header ----

TEST(Decode, EmptyModule) {
  // (module)
  Result<ast::Module> r = dec(wasm({}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->types.empty());
  EXPECT_TRUE(r->funcs.empty());
  EXPECT_FALSE(r->start.has_value());
  EXPECT_FALSE(r->data_count.has_value());
}

TEST(Decode, TruncatedHeader) {
  EXPECT_MALFORMED(Bytes{}, "unexpected end", 0);
  EXPECT_MALFORMED(hex("00 61 73"), "unexpected end", 3);
  EXPECT_MALFORMED(hex("00 61 73 6d"), "unexpected end", 4);
  EXPECT_MALFORMED(hex("00 61 73 6d 01 00 00"), "unexpected end", 7);
}

TEST(Decode, BadHeader) {
  EXPECT_MALFORMED(hex("00 41 53 4d 01 00 00 00"), "magic header not detected", 0);
  EXPECT_MALFORMED(hex("ef bb bf 00 61 73 6d 01 00 00 00"), "magic header not detected", 0);
  EXPECT_MALFORMED(hex("00 61 73 6d 02 00 00 00"), "unknown binary version", 4);
  EXPECT_MALFORMED(hex("00 61 73 6d 01 00 00 01"), "unknown binary version", 4);
}

// ---------------------------------------------------------- sections ----

TEST(Decode, SectionFraming) {
  // Section id 13 does not exist.
  EXPECT_MALFORMED(wasm(hex("0d 00")), "malformed section id", 8);
  // A type section claiming 5 bytes where 1 remains (size at offset 9).
  EXPECT_MALFORMED(wasm(hex("01 05 00")), "length out of bounds", 9);
  // Type section of size 2 holding "vec()" and one stray byte.
  EXPECT_MALFORMED(wasm(hex("01 02 00 00")), "section size mismatch", 10);
  // Type section cut inside its only function type (result vector missing).
  EXPECT_MALFORMED(wasm(hex("01 04 01 60 00")), "unexpected end of section or function", 13);
  // A truncated section size.
  EXPECT_MALFORMED(wasm(hex("01 80")), "unexpected end of section or function", 10);
}

TEST(Decode, SectionOrder) {
  // (module (type (func)) (type (func))) as two type sections.
  EXPECT_MALFORMED(wasm(hex("01 04 01 60 00 00  01 04 01 60 00 00")), "unexpected content after last section", 14);
  // A function section after the code section.
  EXPECT_MALFORMED(wasm(hex("01 04 01 60 00 00  0a 01 00  03 01 00")), "unexpected content after last section", 17);
  // Two start sections (binary.wast).
  EXPECT_MALFORMED(wasm(hex("01 04 01 60 00 00  03 02 01 00  08 01 00  08 01 00  0a 04 01 02 00 0b")),
                   "unexpected content after last section", 21);
  // The data count section (12) sits between element (9) and code (10).
  Result<ast::Module> ok = dec(wasm(hex("09 01 00  0c 01 00  0a 01 00  0b 01 00")));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->data_count, 0u);
  EXPECT_MALFORMED(wasm(hex("0a 01 00  0c 01 00")), "unexpected content after last section", 11);
}

TEST(Decode, CustomSections) {
  // A custom section "a" = {1, 2} before everything, then one after type.
  Result<ast::Module> r = dec(wasm(hex("00 04 01 61 01 02  01 01 00  00 02 01 62")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->customs.size(), 2u);
  EXPECT_EQ(r->customs[0].name, "a");
  EXPECT_EQ(r->customs[0].bytes, hex("01 02"));
  EXPECT_EQ(r->customs[0].after_section, 0);
  EXPECT_EQ(r->customs[1].name, "b");
  EXPECT_TRUE(r->customs[1].bytes.empty());
  EXPECT_EQ(r->customs[1].after_section, 1);
  // Custom sections may follow the data count section, and any number of
  // them may appear after the last section.
  r = dec(wasm(hex("0c 01 00  00 01 00  00 01 00")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->customs.size(), 2u);
  EXPECT_EQ(r->customs[1].after_section, 12);
  // Size 0: no room for the name (custom.wast).
  EXPECT_MALFORMED(wasm(hex("00 00")), "unexpected end of section or function", 10);
  // Size 0 followed by more bytes: the (empty) name already overruns the
  // section (custom.wast).
  EXPECT_MALFORMED(wasm(hex("00 00 00 05 01 00 07 00 00")), "unexpected end of section or function", 17);
  // Size 0, and the name length byte is the next section's id: 5 bytes
  // cannot follow.
  EXPECT_MALFORMED(wasm(hex("00 00 05 01 00")), "length out of bounds", 10);
  // The name's length runs past the end of the module.
  EXPECT_MALFORMED(wasm(hex("00 02 05 61")), "length out of bounds", 10);
}

// ------------------------------------------------------------ LEB128 ----

TEST(Decode, Leb128) {
  // (memory 2): min = 2 as a 5-byte LEB is fine.
  Result<ast::Module> r = dec(wasm(hex("05 07 01 00 82 80 80 80 00")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->memories.at(0).limits.min, 2u);
  // A 6-byte u32: "integer representation too long" just after the 5th byte.
  EXPECT_MALFORMED(wasm(hex("05 08 01 00 82 80 80 80 80 00")), "integer representation too long", 17);
  // Unused bits of the 5th byte set: "integer too large" at that byte.
  EXPECT_MALFORMED(wasm(hex("05 07 01 00 82 80 80 80 70")), "integer too large", 16);
  EXPECT_MALFORMED(wasm(hex("05 07 01 00 82 80 80 80 10")), "integer too large", 16);
  // (global i32 (i32.const -1)) with sign bits of the 5th byte set: fine.
  r = dec(wasm(hex("06 0a 01 7f 00 41 ff ff ff ff 7f 0b")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->globals.at(0).init.at(0).lo, 0xFFFFFFFFu);
  // ... and with the unused bits disagreeing with the sign bit.
  EXPECT_MALFORMED(wasm(hex("06 0a 01 7f 00 41 ff ff ff ff 0f 0b")), "integer too large", 18);
  EXPECT_MALFORMED(wasm(hex("06 0a 01 7f 00 41 80 80 80 80 70 0b")), "integer too large", 18);
  // i64: the 10th byte may only be 0x00 or 0x7F.
  r = dec(wasm(hex("06 0f 01 7e 00 42 80 80 80 80 80 80 80 80 80 7f 0b")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->globals.at(0).init.at(0).lo, 0x8000000000000000u);
  EXPECT_MALFORMED(wasm(hex("06 0f 01 7e 00 42 ff ff ff ff ff ff ff ff ff 01 0b")), "integer too large", 23);
  EXPECT_MALFORMED(wasm(hex("06 10 01 7e 00 42 80 80 80 80 80 80 80 80 80 80 00 0b")),
                   "integer representation too long", 24);
  // A LEB cut off by the end of the module.
  EXPECT_MALFORMED(wasm(hex("05 03 01 00 82")), "unexpected end of section or function", 13);
}

// ------------------------------------------------------------- types ----

TEST(Decode, Types) {
  // (type (func (param i32 i64 f32 f64 v128 funcref externref) (result i32)))
  Result<ast::Module> r = dec(wasm(hex("01 0c 01 60 07 7f 7e 7d 7c 7b 70 6f 01 7f")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->types.size(), 1u);
  EXPECT_EQ(r->types[0].params, (std::vector<ValType>{ValType::I32, ValType::I64, ValType::F32, ValType::F64,
                                                      ValType::V128, ValType::FuncRef, ValType::ExternRef}));
  EXPECT_EQ(r->types[0].results, std::vector<ValType>{ValType::I32});
  EXPECT_MALFORMED(wasm(hex("01 04 01 61 00 00")), "malformed function type", 11);
  // The form as a 2-byte LEB (binary-leb128.wast).
  EXPECT_MALFORMED(wasm(hex("01 05 01 e0 7f 00 00")), "integer representation too long", 12);
  EXPECT_MALFORMED(wasm(hex("01 05 01 60 01 40 00")), "malformed value type", 13);
  EXPECT_MALFORMED(wasm(hex("01 06 01 60 01 ff 7f 00")), "integer representation too long", 14);
  // (table 0 i32) is no reference type.
  EXPECT_MALFORMED(wasm(hex("04 04 01 7f 00 00")), "malformed reference type", 11);
  // Limits flags: only 0 and 1, as one byte.
  EXPECT_MALFORMED(wasm(hex("05 03 01 02 00")), "integer too large", 11);
  EXPECT_MALFORMED(wasm(hex("05 05 01 81 00 00 00")), "integer representation too long", 12);
  // (memory 1 2) (table 3 funcref)
  r = dec(wasm(hex("04 04 01 70 00 03  05 04 01 01 01 02")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->tables.at(0).elem, ValType::FuncRef);
  EXPECT_EQ(r->tables.at(0).limits.min, 3u);
  EXPECT_FALSE(r->tables.at(0).limits.max.has_value());
  EXPECT_EQ(r->memories.at(0).limits.min, 1u);
  EXPECT_EQ(r->memories.at(0).limits.max, 2u);
  // (global (mut i32) (i32.const 0)) with mutability 2.
  EXPECT_MALFORMED(wasm(hex("06 06 01 7f 02 41 00 0b")), "malformed mutability", 12);
}

// ------------------------------------------------- imports / exports ----

TEST(Decode, ImportsAndExports) {
  // (import "m" "f" (func (type 0))) (import "m" "t" (table 1 2 externref))
  // (import "m" "m" (memory 1)) (import "m" "g" (global (mut f32)))
  // (export "e" (func 0))
  Bytes b = wasm(cat({section(1, hex("01 60 00 00")),
                      section(2, hex("04  01 6d 01 66 00 00  01 6d 01 74 01 6f 01 01 02"
                                     "    01 6d 01 6d 02 00 01  01 6d 01 67 03 7d 01")),
                      section(7, hex("01 01 65 00 00"))}));
  Result<ast::Module> r = dec(b);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->imports.size(), 4u);
  EXPECT_EQ(r->imports[0].module, "m");
  EXPECT_EQ(r->imports[0].name, "f");
  EXPECT_EQ(r->imports[0].kind, ExternKind::Func);
  EXPECT_EQ(r->imports[1].kind, ExternKind::Table);
  EXPECT_EQ(r->imports[1].table.elem, ValType::ExternRef);
  EXPECT_EQ(r->imports[1].table.limits.max, 2u);
  EXPECT_EQ(r->imports[2].kind, ExternKind::Memory);
  EXPECT_EQ(r->imports[2].memory.limits.min, 1u);
  EXPECT_EQ(r->imports[3].global.type, ValType::F32);
  EXPECT_TRUE(r->imports[3].global.mut);
  EXPECT_EQ(r->imported(ExternKind::Func), 1u);
  ASSERT_EQ(r->exports.size(), 1u);
  EXPECT_EQ(r->exports[0].name, "e");
  EXPECT_EQ(r->exports[0].index, 0u);

  EXPECT_MALFORMED(wasm(hex("02 05 01 00 00 04 00")), "malformed import kind", 13);
  EXPECT_MALFORMED(wasm(hex("02 05 01 00 00 80 00")), "malformed import kind", 13);
  EXPECT_MALFORMED(wasm(hex("07 04 01 00 04 00")), "malformed export kind", 12);
  // The second import's bytes are missing (binary.wast).
  EXPECT_MALFORMED(wasm(hex("02 06 02 00 00 00 00 00")), "unexpected end of section or function", 16);
}

TEST(Decode, Utf8Names) {
  auto export_named = [](std::string_view name_hex) {
    Bytes n = hex(name_hex);
    Bytes c{0x01};
    uleb(c, n.size());
    c.insert(c.end(), n.begin(), n.end());
    c.push_back(0x00);
    c.push_back(0x00);
    return wasm(section(7, c));
  };
  // Valid: ASCII, U+00E9, U+20AC, U+10FFFF, U+1F600.
  for (std::string_view ok : {"61", "c3 a9", "e2 82 ac", "f4 8f bf bf", "f0 9f 98 80", ""}) {
    Result<ast::Module> r = dec(export_named(ok));
    EXPECT_TRUE(r.ok()) << ok;
  }
  // The name starts at offset 12 in every case.
  for (std::string_view bad : {"80",              // lone continuation byte
                               "c0 80",           // overlong NUL
                               "c1 bf",           // overlong
                               "e0 80 80",        // overlong 3-byte
                               "ed a0 80",        // surrogate U+D800
                               "ed bf bf",        // surrogate U+DFFF
                               "f0 80 80 80",     // overlong 4-byte
                               "f4 90 80 80",     // U+110000
                               "f5 80 80 80",     // past U+10FFFF
                               "f8 88 80 80 80",  // 5-byte form
                               "ff",              //
                               "e2 82",           // truncated
                               "c3",              // truncated
                               "c3 28",           // bad continuation
                               "e2 28 a1"}) {     // bad continuation
    Result<ast::Module> r = dec(export_named(bad));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::Malformed);
    EXPECT_EQ(r.error().message, "malformed UTF-8 encoding") << bad;
    EXPECT_EQ(r.error().offset, 12u) << bad;
  }
  // Names are checked eight ASCII bytes at a time where they can be: the
  // same rules hold after such a word, and a word with a byte >= 0x80 is
  // checked byte by byte.
  const std::string ascii8 = "61 62 63 64 65 66 67 68 ";
  for (std::string_view ok : {"c3 a9", "f0 9f 98 80", "61 62 63 64 65 66 67 68", "c3 a9 61 62 63 64 65 66 67"}) {
    Result<ast::Module> r = dec(export_named(ascii8 + std::string(ok)));
    EXPECT_TRUE(r.ok()) << ok;
  }
  for (std::string_view bad :
       {"80", "c0 80", "ed a0 80", "c3", "ff 61 62 63 64 65 66 67", "61 62 63 64 65 66 67 68 e2 82"}) {
    Result<ast::Module> r = dec(export_named(ascii8 + std::string(bad)));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().message, "malformed UTF-8 encoding") << bad;
    EXPECT_EQ(r.error().offset, 12u) << bad;
  }
  // Custom section names are names too (utf8-custom-section-id.wast).
  EXPECT_MALFORMED(wasm(hex("00 02 01 80")), "malformed UTF-8 encoding", 11);
}

// ------------------------------------------------------------- bodies ----

TEST(Decode, FunctionBody) {
  // (func (local i32 i32) (local f64) local.get 0 drop)
  Result<ast::Module> r = dec(with_body(hex("02 02 7f 01 7c  20 00 1a 0b")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const ast::Function& f = r->funcs.at(0);
  EXPECT_EQ(f.type, 0u);
  ASSERT_EQ(f.locals.size(), 2u);
  EXPECT_EQ(f.locals[0].count, 2u);
  EXPECT_EQ(f.locals[0].type, ValType::I32);
  EXPECT_EQ(f.locals[1].type, ValType::F64);
  ASSERT_EQ(f.body.size(), 3u);
  EXPECT_EQ(f.body[0].op, Op::LocalGet);
  EXPECT_EQ(f.body[0].pos, 27u);
  EXPECT_EQ(f.body[1].op, Op::Drop);
  EXPECT_EQ(f.body[2].op, Op::End);
  EXPECT_EQ(f.pos, 21u);
}

TEST(Decode, Immediates) {
  // block (result i32) loop (type 0) if ... else end end end,
  // br_table 0 1 2, call_indirect (type 0) (table 1), i32.load offset=7
  // align=2, memory.size, i64.const -2, f32.const bits, v128.const,
  // i8x16.shuffle, i8x16.extract_lane_s 15, v128.load8_lane offset=1 3,
  // ref.null extern, select (result i32), table.copy 1 2, table.init 3 4.
  Bytes body =
      hex("00"
          "02 7f  03 00  04 40 05 0b 0b 0b"
          "0e 02 00 01 02"
          "11 00 01"
          "28 02 07"
          "3f 00"
          "42 7e"
          "43 00 00 c0 7f"
          "fd 0c 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f"
          "fd 0d 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f"
          "fd 15 0f"
          "fd 54 00 01 03"
          "d0 6f"
          "1c 01 7f"
          "fc 0e 01 02"
          "fc 0c 03 04"
          "0b");
  Result<ast::Module> r = dec(with_body(body));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const ast::Function& f = r->funcs.at(0);
  const ast::Expr& e = f.body;
  ASSERT_EQ(e.size(), 22u);
  EXPECT_EQ(e[0].op, Op::Block);
  EXPECT_EQ(static_cast<int64_t>(e[0].lo), ast::block_of(ValType::I32));
  EXPECT_EQ(e[1].op, Op::Loop);
  EXPECT_EQ(e[1].lo, 0u);  // type index 0
  EXPECT_EQ(e[2].op, Op::If);
  EXPECT_EQ(static_cast<int64_t>(e[2].lo), ast::kBlockEmpty);
  EXPECT_EQ(e[3].op, Op::Else);
  EXPECT_EQ(e[7].op, Op::BrTable);
  EXPECT_EQ(e[7].a, 0u);
  EXPECT_EQ(e[7].b, 3u);
  EXPECT_EQ(f.br_targets, (std::vector<uint32_t>{0, 1, 2}));
  EXPECT_EQ(e[8].op, Op::CallIndirect);
  EXPECT_EQ(e[8].a, 0u);
  EXPECT_EQ(e[8].b, 1u);
  EXPECT_EQ(e[9].op, Op::I32Load);
  EXPECT_EQ(e[9].a, 2u);
  EXPECT_EQ(e[9].b, 7u);
  EXPECT_EQ(e[10].op, Op::MemorySize);
  EXPECT_EQ(e[11].lo, 0xFFFFFFFFFFFFFFFEu);
  EXPECT_EQ(e[12].lo, 0x7FC00000u);
  EXPECT_EQ(e[13].op, Op::V128Const);
  EXPECT_EQ(e[13].lo, 0x0706050403020100u);
  EXPECT_EQ(e[13].hi, 0x0F0E0D0C0B0A0908u);
  EXPECT_EQ(e[14].op, Op::I8x16Shuffle);
  EXPECT_EQ(e[14].lo, 0x1716151413121110u);
  EXPECT_EQ(e[14].hi, 0x1F1E1D1C1B1A1918u);
  EXPECT_EQ(e[15].op, Op::I8x16ExtractLaneS);
  EXPECT_EQ(e[15].lane, 15);
  EXPECT_EQ(e[16].op, Op::V128Load8Lane);
  EXPECT_EQ(e[16].a, 0u);
  EXPECT_EQ(e[16].b, 1u);
  EXPECT_EQ(e[16].lane, 3);
  EXPECT_EQ(e[17].op, Op::RefNull);
  EXPECT_EQ(e[17].a, 0x6Fu);
  EXPECT_EQ(e[18].op, Op::SelectT);
  EXPECT_EQ(e[18].b, 1u);
  EXPECT_EQ(e[18].a, 0x7Fu);
  EXPECT_EQ(e[19].op, Op::TableCopy);
  EXPECT_EQ(e[19].a, 1u);
  EXPECT_EQ(e[19].b, 2u);
}

// The decoder reads an instruction with at least 9 bytes after it in
// registers and the rest through the Reader's checked reads
// (decode/expr.hpp); both must give the same fields. Each instruction here
// is decoded twice: first with ten nops after it, then as the body's last
// before its `end`, where fewer than 9 bytes are left (f64.const has 9 of
// its own, so it always takes the first way: its bits are checked instead).
TEST(Decode, EveryImmediateReadsTheSameNearTheBodysEnd) {
  const char* const instrs[] = {
      "20 ac 02",        // local.get 300
      "41 80 80 80 7f",  // i32.const -2097152 (0xFFE00000) in 4 bytes
      "42 ff ff ff 03",  // i64.const 4 bytes
      "10 05",           // call 5
      "11 85 01 02",     // call_indirect (type 133) (table 2)
      "25 03",           // table.get 3
      "26 81 01",        // table.set 129
      "28 02 90 4e",     // i32.load offset=10000 align=4
      "43 01 02 03 84",  // f32.const bits 0x84030201
      "02 40",           // block
      "0c 07",           // br 7
      "23 09",           // global.get 9
  };
  for (const char* text : instrs) {
    const Bytes instr = hex(text);
    Bytes roomy = hex("00");
    roomy.insert(roomy.end(), instr.begin(), instr.end());
    for (int i = 0; i < 10; ++i) roomy.push_back(0x01);
    roomy.push_back(0x0b);
    if (instr[0] == 0x02) roomy.push_back(0x0b);  // the block's own end
    Bytes tight = hex("00");
    tight.insert(tight.end(), instr.begin(), instr.end());
    tight.push_back(0x0b);
    if (instr[0] == 0x02) tight.push_back(0x0b);
    Result<ast::Module> a = dec(with_body(roomy)), b = dec(with_body(tight));
    ASSERT_TRUE(a.ok() && b.ok()) << text;
    const ast::Instr &x = a->funcs.at(0).body.at(0), &y = b->funcs.at(0).body.at(0);
    EXPECT_EQ(x.op, y.op) << text;
    EXPECT_EQ(x.a, y.a) << text;
    EXPECT_EQ(x.b, y.b) << text;
    EXPECT_EQ(x.lo, y.lo) << text;
    EXPECT_EQ(x.lane, y.lane) << text;
    EXPECT_EQ(x.pos, y.pos) << text;
    EXPECT_EQ(a->funcs.at(0).body.at(1).pos, x.pos + instr.size()) << text;  // the next one starts after it
  }
  Result<ast::Module> r = dec(with_body(hex("00 44 01 02 03 04 05 06 07 f8 0b")));  // f64.const
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->funcs.at(0).body.at(0).lo, 0xF807060504030201u);
  EXPECT_EQ(r->funcs.at(0).body.at(1).op, Op::End);
  Result<ast::Module> c = dec(with_body(hex("00 11 85 01 02 0b")));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->funcs.at(0).body.at(0).a, 133u);
  EXPECT_EQ(c->funcs.at(0).body.at(0).b, 2u);
}

TEST(Decode, I32ConstIsZeroExtended) {
  // (global i32 (i32.const -1))
  Result<ast::Module> r = dec(wasm(hex("06 06 01 7f 00 41 7f 0b")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->globals.at(0).init.at(0).lo, 0xFFFFFFFFu);
}

TEST(Decode, MalformedBodies) {
  // 0xFF and 0xFC 0x20 name no instruction; code at offset 23.
  EXPECT_MALFORMED(with_body(hex("00 ff 0b")), "illegal opcode", 23);
  EXPECT_MALFORMED(with_body(hex("00 fc 20 0b")), "illegal opcode", 23);
  EXPECT_MALFORMED(with_body(hex("00 fd ff ff 03 0b")), "illegal opcode", 23);
  // The sub-opcode is a u32 LEB: 6 bytes are too many (binary-leb128.wast).
  EXPECT_MALFORMED(with_body(hex("00 fc 88 80 80 80 80 00 0b")), "integer representation too long", 29);
  // `else` outside an `if`, and a second `else`.
  EXPECT_MALFORMED(with_body(hex("00 05 0b")), "END opcode expected", 23);
  EXPECT_MALFORMED(with_body(hex("00 02 40 05 0b 0b")), "END opcode expected", 25);
  EXPECT_MALFORMED(with_body(hex("00 41 00 04 40 05 05 0b 0b")), "END opcode expected", 28);
  // The body ends without its final `end`.
  EXPECT_MALFORMED(with_body(hex("00 02 40 0b")), "unexpected end of section or function", 26);
  // Bytes after the final `end` (size 4 for "00 0b 01 01").
  EXPECT_MALFORMED(with_body(hex("00 0b 01 01")), "section size mismatch", 22);
  // memory.size / memory.grow take a zero byte, not a LEB.
  EXPECT_MALFORMED(with_body(hex("00 3f 01 1a 0b")), "zero byte expected", 24);
  EXPECT_MALFORMED(with_body(hex("00 41 00 40 80 00 1a 0b")), "zero byte expected", 26);
  EXPECT_MALFORMED(with_body(hex("00 41 00 41 00 41 00 fc 0a 00 01 0b")), "zero byte expected", 32);
  // A block type that is a negative s33 but no value type: ff 7f = -1.
  EXPECT_MALFORMED(with_body(hex("00 02 ff 7f 0b 0b")), "malformed block type", 24);
  // A block type byte in the value-type range that is no value type.
  EXPECT_MALFORMED(with_body(hex("00 02 60 0b 0b")), "malformed value type", 24);
  // select with a malformed type.
  EXPECT_MALFORMED(with_body(hex("00 1c 01 40 0b")), "malformed value type", 25);
  // ref.null of a number type.
  EXPECT_MALFORMED(with_body(hex("00 d0 7f 0b")), "malformed reference type", 24);
  // Locals of an unknown type.
  EXPECT_MALFORMED(with_body(hex("01 01 40 0b")), "malformed value type", 24);
}

TEST(Decode, DataCountRequired) {
  Bytes mem = section(5, hex("01 00 00"));
  // (memory 0) (func (data.drop 0)) without a data count section.
  EXPECT_MALFORMED(with_body(hex("00 fc 09 00 0b"), mem), "data count section required", 28);
  // (memory 0) (func (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 0)))
  EXPECT_MALFORMED(with_body(hex("00 41 00 41 00 41 00 fc 08 00 00 0b"), mem), "data count section required", 34);
  // With a data count section of 1 and one passive segment: fine.
  Bytes b = with_body(hex("00 fc 09 00 0b"), cat({mem, section(12, hex("01"))}));
  Bytes data = section(11, hex("01 01 00"));
  b.insert(b.end(), data.begin(), data.end());
  Result<ast::Module> r = dec(b);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->data_count, 1u);
  EXPECT_EQ(r->funcs.at(0).body.at(0).op, Op::DataDrop);
}

TEST(Decode, InconsistentLengths) {
  // (func) declared, no code section.
  EXPECT_MALFORMED(wasm(hex("01 04 01 60 00 00  03 02 01 00")), "function and code section have inconsistent lengths",
                   18);
  // A body with no function section (code count at offset 10).
  EXPECT_MALFORMED(wasm(hex("0a 04 01 02 00 0b")), "function and code section have inconsistent lengths", 10);
  // Two functions, one body.
  EXPECT_MALFORMED(wasm(hex("01 04 01 60 00 00  03 03 02 00 00  0a 04 01 02 00 0b")),
                   "function and code section have inconsistent lengths", 21);
  // Data count 2, one segment (data count at offset 20).
  EXPECT_MALFORMED(wasm(hex("05 03 01 00 01  0c 01 02  0b 04 01 01 01 61")),
                   "data count and data section have inconsistent lengths", 18);
  // Data count 1 and no data section at all.
  EXPECT_MALFORMED(wasm(hex("0c 01 01")), "data count and data section have inconsistent lengths", 11);
}

TEST(Decode, Locals) {
  // 2^32 - 1 + 2 locals: more than any u32 can count (binary.wast).
  EXPECT_MALFORMED(with_body(hex("02 ff ff ff ff 0f 7f 02 7e 0b")), "too many locals", 22);
  // 4 x 2^30 = 2^32 locals.
  EXPECT_MALFORMED(with_body(hex("04 80 80 80 80 04 7f 80 80 80 80 04 7e 80 80 80 80 04 7d"
                                 "80 80 80 80 04 7c 0b")),
                   "too many locals", 22);
  // 4 billion locals fit a u32 but not Warden's limit: Exhaustion, and
  // nothing is allocated for them.
  EXPECT_DECODE_ERROR(with_body(hex("01 ff ff ff ff 0f 7f 0b")), Exhaustion, "too many locals", 22);
  // Exactly at the limit is fine; params count too.
  Limits lim;
  lim.max_locals = 3;
  Result<ast::Module> r = dec(with_body(hex("01 03 7f 0b")), lim);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->funcs.at(0).locals.at(0).count, 3u);
  r = dec(with_body(hex("01 04 7f 0b")), lim);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Exhaustion);
  // (type (func (param i32 i32))) (func (local i32 i32)): 4 > 3.
  Bytes b = wasm(hex("01 06 01 60 02 7f 7f 00  03 02 01 00  0a 06 01 04 01 02 7f 0b"));
  r = dec(b, lim);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Exhaustion);
  EXPECT_EQ(r.error().message, "too many locals");
}

// ----------------------------------------------------------- segments ----

TEST(Decode, ElementSegmentForms) {
  // (table 2 funcref) (table 2 externref) (func) and one segment of each
  // encoding 0..7.
  Bytes elems =
      hex("08"
          "00 41 00 0b 01 00"              // 0: active table 0, offset, vec(funcidx)
          "01 00 01 00"                    // 1: passive, elemkind, vec(funcidx)
          "02 01 41 01 0b 00 02 00 00"     // 2: active table 1, offset, elemkind, vec
          "03 00 01 00"                    // 3: declarative, elemkind, vec
          "04 41 00 0b 01 d2 00 0b"        // 4: active table 0, vec(expr)
          "05 6f 01 d0 6f 0b"              // 5: passive externref, vec(expr)
          "06 01 41 00 0b 70 01 d0 70 0b"  // 6: active table 1, reftype, vec(expr)
          "07 70 01 d2 00 0b");            // 7: declarative, reftype, vec(expr)
  Bytes b = wasm(cat({section(1, hex("01 60 00 00")), section(3, hex("01 00")), section(4, hex("02 70 00 02 6f 00 02")),
                      section(9, elems), section(10, hex("01 02 00 0b"))}));
  Result<ast::Module> r = dec(b);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& s = r->elems;
  ASSERT_EQ(s.size(), 8u);
  using M = ast::SegmentMode;
  const M modes[8] = {M::Active, M::Passive, M::Active, M::Declarative,
                      M::Active, M::Passive, M::Active, M::Declarative};
  const uint32_t tables[8] = {0, 0, 1, 0, 0, 0, 1, 0};
  const ValType types[8] = {ValType::FuncRef, ValType::FuncRef,   ValType::FuncRef, ValType::FuncRef,
                            ValType::FuncRef, ValType::ExternRef, ValType::FuncRef, ValType::FuncRef};
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(s[i].mode, modes[i]) << i;
    EXPECT_EQ(s[i].table, tables[i]) << i;
    EXPECT_EQ(s[i].type, types[i]) << i;
    EXPECT_EQ(s[i].offset.empty(), modes[i] != M::Active) << i;
  }
  // Function-index forms become `ref.func x; end`.
  ASSERT_EQ(s[2].init.size(), 2u);
  ASSERT_EQ(s[2].init[1].size(), 2u);
  EXPECT_EQ(s[2].init[1][0].op, Op::RefFunc);
  EXPECT_EQ(s[2].init[1][0].a, 0u);
  EXPECT_EQ(s[2].init[1][1].op, Op::End);
  EXPECT_EQ(s[5].init.at(0).at(0).op, Op::RefNull);
  EXPECT_EQ(s[5].init.at(0).at(0).a, 0x6Fu);

  // Unknown flags, elemkind and reftype (elem section at offset 22).
  Bytes pre = cat({section(1, hex("01 60 00 00")), section(3, hex("01 00"))});
  EXPECT_MALFORMED(wasm(cat({pre, section(9, hex("01 08 00"))})), "malformed elements segment kind", 21);
  EXPECT_MALFORMED(wasm(cat({pre, section(9, hex("01 01 01 00"))})), "malformed element kind", 22);
  EXPECT_MALFORMED(wasm(cat({pre, section(9, hex("01 05 7f 00"))})), "malformed reference type", 22);
  // An illegal opcode inside an element expression (binary.wast).
  EXPECT_MALFORMED(wasm(cat({pre, section(9, hex("01 05 70 01 f3 00 0b"))})), "illegal opcode", 24);
}

TEST(Decode, DataSegmentForms) {
  // (memory 1) (data (i32.const 1) "a") (data "bc") (data (memory 0) (i32.const 2) "")
  Bytes b = wasm(
      cat({section(5, hex("01 00 01")), section(11, hex("03  00 41 01 0b 01 61  01 02 62 63  02 00 41 02 0b 00"))}));
  Result<ast::Module> r = dec(b);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->datas.size(), 3u);
  EXPECT_EQ(r->datas[0].mode, ast::SegmentMode::Active);
  EXPECT_EQ(r->datas[0].bytes, hex("61"));
  EXPECT_EQ(r->datas[0].offset.at(0).lo, 1u);
  EXPECT_EQ(r->datas[1].mode, ast::SegmentMode::Passive);
  EXPECT_EQ(r->datas[1].bytes, hex("62 63"));
  EXPECT_TRUE(r->datas[1].offset.empty());
  EXPECT_EQ(r->datas[2].mode, ast::SegmentMode::Active);
  EXPECT_EQ(r->datas[2].memory, 0u);
  EXPECT_TRUE(r->datas[2].bytes.empty());
  EXPECT_MALFORMED(wasm(hex("0b 02 01 03")), "malformed data segment kind", 11);
  // Data bytes past the end (binary.wast).
  EXPECT_MALFORMED(wasm(hex("05 03 01 00 01  0b 0c 01 00 41 03 0b 07 61 62 63 64 65 66")),
                   "unexpected end of section or function", 27);
}

TEST(Decode, ConstantExpressionsAreDecodedNotValidated) {
  // (global i32 (i32.add (i32.const 1) (i32.const 2))): invalid, not malformed.
  Result<ast::Module> r = dec(wasm(hex("06 09 01 7f 00 41 01 41 02 6a 0b")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->globals.at(0).init.size(), 4u);
  // data.drop in an initialiser needs no data count section: the rule is
  // about the code section only (spec 5.5.16); the validator rejects it.
  r = dec(wasm(hex("06 07 01 7f 00 fc 09 00 0b")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->globals.at(0).init.at(0).op, Op::DataDrop);
  // A global initialiser cut short by the end of its section runs on into
  // the next bytes (here 0x0a, an illegal opcode), as binary.wast expects.
  EXPECT_MALFORMED(wasm(hex("01 04 01 60 00 00  03 02 01 00  06 05 01 7f 00 41 00  0a 04 01 02 00 0b")),
                   "illegal opcode", 25);
}

TEST(Decode, ValidationIsNotDecoding) {
  // Two memories, an unknown type index, an over-aligned load, select with
  // two types: all well-formed.
  Bytes b = wasm(cat({section(1, hex("01 60 00 00")), section(3, hex("01 05")), section(5, hex("02 00 00 00 00")),
                      section(10, hex("01 0d 00 41 00 28 09 00 1a 1c 02 7f 7f 1a 0b"))}));
  Result<ast::Module> r = dec(b);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->memories.size(), 2u);
  EXPECT_EQ(r->funcs.at(0).type, 5u);
  EXPECT_EQ(r->funcs.at(0).body.at(1).a, 9u);
  EXPECT_EQ(r->funcs.at(0).body.at(3).b, 2u);
}

// -------------------------------------------------------------- limits ----

TEST(Decode, ModuleTooLarge) {
  Limits lim;
  lim.max_module_bytes = 8;
  EXPECT_TRUE(dec(wasm({}), lim).ok());
  Result<ast::Module> r = dec(wasm(hex("00 01 00")), lim);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Exhaustion);
  EXPECT_EQ(r.error().message, "module too large");
}

TEST(Decode, TooManyFunctions) {
  Limits lim;
  lim.max_functions = 2;
  // Two imported functions and one defined one.
  // The function count is at offset 31.
  Bytes b = wasm(cat({section(1, hex("01 60 00 00")), section(2, hex("02  01 6d 01 61 00 00  01 6d 01 62 00 00")),
                      section(3, hex("01 00")), section(10, hex("01 02 00 0b"))}));
  Result<ast::Module> r = dec(b, lim);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Exhaustion);
  EXPECT_EQ(r.error().message, "too many functions");
  EXPECT_EQ(r.error().offset, 31u);
  lim.max_functions = 3;
  EXPECT_TRUE(dec(b, lim).ok());
  // Three imports where two are allowed.
  lim.max_functions = 2;
  // The third import starts at offset 29.
  b = wasm(cat({section(1, hex("01 60 00 00")),
                section(2, hex("03  01 6d 01 61 00 00  01 6d 01 62 00 00  01 6d 01 63 00 00"))}));
  r = dec(b, lim);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Exhaustion);
  EXPECT_EQ(r.error().offset, 29u);
}

// ------------------------------------------------------------ hostile ----

TEST(DecodeHostile, HugeCountsFailFast) {
  // Every vector claims 2^32 - 1 items in a tiny module. Each must fail with
  // "length out of bounds" at once, without reserving memory for the count.
  auto start = std::chrono::steady_clock::now();
  for (uint8_t id : {1, 2, 3, 4, 5, 6, 7, 9, 10, 11}) {
    Bytes b = wasm(section(id, hex("ff ff ff ff 0f")));
    Result<ast::Module> r = dec(b);
    ASSERT_FALSE(r.ok()) << int(id);
    EXPECT_EQ(r.error().message, "length out of bounds") << int(id);
    EXPECT_EQ(r.error().offset, 10u) << int(id);
  }
  // ... inside a body: br_table with 2^32 - 1 labels, select with as many types.
  EXPECT_MALFORMED(with_body(hex("00 0e ff ff ff ff 0f 00 0b")), "length out of bounds", 24);
  EXPECT_MALFORMED(with_body(hex("00 1c ff ff ff ff 0f 0b")), "length out of bounds", 24);
  EXPECT_MALFORMED(with_body(hex("ff ff ff ff 0f 0b")), "length out of bounds", 22);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

TEST(DecodeHostile, MillionNestedBlocks) {
  // (func block block ... end end ... end): decoded with an explicit stack,
  // so the host stack does not grow; the nesting limit is the validator's.
  constexpr size_t kDepth = 1'000'000;
  Bytes body{0x00};
  body.reserve(3 * kDepth + 2);
  for (size_t i = 0; i < kDepth; ++i) {
    body.push_back(0x02);
    body.push_back(0x40);
  }
  body.insert(body.end(), kDepth + 1, 0x0b);
  Result<ast::Module> r = dec(with_body(body));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->funcs.at(0).body.size(), 2 * kDepth + 1);
  // One `end` short: the body runs off the end of the module.
  body.pop_back();
  r = dec(with_body(body));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "unexpected end of section or function");
}

// A module touching every section, for the truncation and mutation sweeps.
Bytes rich_module() {
  return wasm(cat({
      section(0, hex("01 61 01 02")),
      section(1, hex("02 60 01 7f 01 7f 60 00 00")),
      section(2, hex("01 01 6d 01 66 00 01")),
      section(3, hex("02 00 01")),
      section(4, hex("01 70 01 01 02")),
      section(5, hex("01 01 01 02")),
      section(6, hex("01 7f 01 41 05 0b")),
      section(7, hex("02 01 66 00 01 01 6d 02 00")),
      section(8, hex("02")),
      section(9, hex("02 00 41 00 0b 01 01 05 70 01 d2 00 0b")),
      section(12, hex("02")),
      section(10, hex("02 11 01 01 7f 20 00 04 7f 41 01 05 41 02 0b 0e 00 00 0b"
                      "   0c 00 41 00 41 00 41 00 fc 08 01 00 0b")),
      section(11, hex("02 00 41 00 0b 02 68 69 01 01 21")),
      section(0, hex("01 7a")),
  }));
}

TEST(DecodeHostile, EveryTruncationIsMalformed) {
  Bytes full = rich_module();
  Result<ast::Module> r = dec(full);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->customs.size(), 2u);
  EXPECT_EQ(r->customs[1].after_section, 11);
  // Every proper prefix fails as malformed, except the prefixes that end
  // exactly at a section boundary, which are themselves whole modules
  // (until the function/code or data count/data pairing breaks).
  size_t boundary_ok = 0;
  for (size_t n = 0; n < full.size(); ++n) {
    Bytes prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    Result<ast::Module> p = dec(prefix);
    if (p.ok()) {
      ++boundary_ok;
      continue;
    }
    EXPECT_EQ(p.error().kind, ErrorKind::Malformed) << n;
    EXPECT_LE(p.error().offset, n) << n;
  }
  // The boundaries before the function section (header, custom, type,
  // import) and the one before the final custom section.
  EXPECT_EQ(boundary_ok, 5u);
}

TEST(DecodeHostile, EveryByteMutationIsHandled) {
  // Flip each byte to a few values: the decoder must either succeed or
  // fail with a Malformed error at an offset inside the module. Run under
  // the sanitizers, this is a small deterministic fuzz.
  Bytes full = rich_module();
  for (size_t i = 8; i < full.size(); ++i) {
    for (uint8_t v : {0x00, 0x01, 0x40, 0x7f, 0x80, 0xff}) {
      Bytes m = full;
      m[i] = v;
      Result<ast::Module> r = dec(m);
      if (r.ok()) continue;
      EXPECT_EQ(r.error().kind, ErrorKind::Malformed) << i << " " << int(v);
      EXPECT_LE(r.error().offset, m.size()) << i << " " << int(v);
    }
  }
}

// ------------------------------------------------- the spec testsuite ----
//
// A minimal reader for the parts of .wast files that hold binary modules:
// top-level `(module binary "...")`, and the same inside assert_malformed
// and assert_invalid. Everything else in the scripts is skipped.

struct Node {
  bool list = false;
  bool string = false;
  std::string text;  // atom or decoded string bytes
  std::vector<Node> items;
};

// Parses the script's top-level commands into trees, iteratively (an
// explicit stack). Commands other than `module`, `assert_malformed` and
// `assert_invalid` are skipped unparsed (most of the 11 MB are assertions).
std::vector<Node> parse_wast(const std::string& s) {
  std::vector<Node> stack(1);
  stack[0].list = true;
  size_t i = 0, n = s.size();
  auto hexval = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  // At a top-level '(' whose command is not wanted: skip to its ')'.
  auto skip_command = [&] {
    int depth = 0;
    while (i < n) {
      char c = s[i];
      if (c == '"') {
        for (++i; i < n && s[i] != '"'; ++i)
          if (s[i] == '\\') ++i;
        ++i;
      } else if (c == ';' && i + 1 < n && s[i + 1] == ';') {
        while (i < n && s[i] != '\n') ++i;
      } else if (c == '(' && i + 1 < n && s[i + 1] == ';') {
        int d = 0;
        do {
          if (s.compare(i, 2, "(;") == 0)
            ++d, i += 2;
          else if (s.compare(i, 2, ";)") == 0)
            --d, i += 2;
          else
            ++i;
        } while (i < n && d > 0);
      } else {
        depth += c == '(' ? 1 : c == ')' ? -1 : 0;
        ++i;
        if (depth == 0) return;
      }
    }
  };
  while (i < n) {
    char c = s[i];
    if (c == '(' && stack.size() == 1 && !(i + 1 < n && s[i + 1] == ';')) {
      size_t h = i + 1;
      while (h < n && std::isspace(static_cast<unsigned char>(s[h]))) ++h;
      std::string_view rest(s.data() + h, n - h);
      bool wanted = false;
      for (std::string_view w : {"module", "assert_malformed", "assert_invalid"})
        if (rest.starts_with(w) && rest.size() > w.size() &&
            (std::isspace(static_cast<unsigned char>(rest[w.size()])) || rest[w.size()] == ')'))
          wanted = true;
      if (!wanted) {
        skip_command();
        continue;
      }
    }
    if (c == ';' && i + 1 < n && s[i + 1] == ';') {
      while (i < n && s[i] != '\n') ++i;
    } else if (c == '(' && i + 1 < n && s[i + 1] == ';') {
      int depth = 0;
      do {
        if (s.compare(i, 2, "(;") == 0) {
          ++depth;
          i += 2;
        } else if (s.compare(i, 2, ";)") == 0) {
          --depth;
          i += 2;
        } else {
          ++i;
        }
      } while (i < n && depth > 0);
    } else if (c == '(') {
      stack.emplace_back();
      stack.back().list = true;
      ++i;
    } else if (c == ')') {
      Node done = std::move(stack.back());
      stack.pop_back();
      stack.back().items.push_back(std::move(done));
      ++i;
    } else if (c == '"') {
      Node str;
      str.string = true;
      for (++i; i < n && s[i] != '"'; ++i) {
        if (s[i] != '\\') {
          str.text += s[i];
          continue;
        }
        char e = s[++i];
        if (std::isxdigit(static_cast<unsigned char>(e))) {
          str.text += static_cast<char>(hexval(e) * 16 + hexval(s[i + 1]));
          ++i;
        } else if (e == 'n')
          str.text += '\n';
        else if (e == 't')
          str.text += '\t';
        else if (e == 'r')
          str.text += '\r';
        else if (e == 'u') {  // \u{XXXX}: encode as UTF-8
          size_t close = s.find('}', i);
          uint32_t cp = static_cast<uint32_t>(std::stoul(s.substr(i + 2, close - i - 2), nullptr, 16));
          if (cp < 0x80) {
            str.text += static_cast<char>(cp);
          } else if (cp < 0x800) {
            str.text += static_cast<char>(0xC0 | cp >> 6);
            str.text += static_cast<char>(0x80 | (cp & 0x3F));
          } else if (cp < 0x10000) {
            str.text += static_cast<char>(0xE0 | cp >> 12);
            str.text += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
            str.text += static_cast<char>(0x80 | (cp & 0x3F));
          } else {
            str.text += static_cast<char>(0xF0 | cp >> 18);
            str.text += static_cast<char>(0x80 | (cp >> 12 & 0x3F));
            str.text += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
            str.text += static_cast<char>(0x80 | (cp & 0x3F));
          }
          i = close;
        } else {
          str.text += e;  // \" \' \\ .
        }
      }
      ++i;
      stack.back().items.push_back(std::move(str));
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else {
      Node atom;
      while (i < n && !std::isspace(static_cast<unsigned char>(s[i])) && s[i] != '(' && s[i] != ')' && s[i] != '"')
        atom.text += s[i++];
      stack.back().items.push_back(std::move(atom));
    }
  }
  return std::move(stack[0].items);
}

// The bytes of `(module $id? binary "..."*)`, or false.
bool binary_module(const Node& m, Bytes& out) {
  if (!m.list || m.items.empty() || m.items[0].text != "module") return false;
  size_t k = 1;
  if (k < m.items.size() && !m.items[k].list && !m.items[k].string && m.items[k].text.starts_with("$")) ++k;
  if (k >= m.items.size() || m.items[k].list || m.items[k].string || m.items[k].text != "binary") return false;
  out.clear();
  for (++k; k < m.items.size(); ++k) out.insert(out.end(), m.items[k].text.begin(), m.items[k].text.end());
  return true;
}

struct SpecCase {
  std::string where;
  Bytes bytes;
  std::string malformed;  // expected message prefix; empty: must decode
};

const std::vector<SpecCase>& spec_cases() {
  static std::vector<SpecCase> out;
  if (!out.empty()) return out;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(WARDEN_TESTSUITE_DIR))
    if (e.path().extension() == ".wast") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    int index = 0;
    for (const Node& cmd : parse_wast(text)) {
      if (!cmd.list || cmd.items.empty()) continue;
      SpecCase c;
      c.where = f.filename().string() + " #" + std::to_string(index++);
      const std::string& head = cmd.items[0].text;
      if (head == "module" && binary_module(cmd, c.bytes)) {
        out.push_back(std::move(c));
      } else if ((head == "assert_malformed" || head == "assert_invalid") && cmd.items.size() >= 3 &&
                 binary_module(cmd.items[1], c.bytes)) {
        if (head == "assert_malformed") c.malformed = cmd.items[2].text;
        out.push_back(std::move(c));
      }
    }
  }
  return out;
}

class SpecTestsuite : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::is_directory(WARDEN_TESTSUITE_DIR)) GTEST_SKIP() << "no testsuite";
  }
};

TEST_F(SpecTestsuite, BinaryModules) {
  const std::vector<SpecCase>& cases = spec_cases();
  size_t malformed = 0, decoded = 0;
  for (const SpecCase& c : cases) {
    Result<ast::Module> r = dec(c.bytes);
    if (c.malformed.empty()) {
      EXPECT_TRUE(r.ok()) << c.where << ": " << (r.ok() ? "" : r.error().message);
      decoded += r.ok();
    } else if (r.ok()) {
      ADD_FAILURE() << c.where << ": decoded, expected " << c.malformed;
    } else {
      EXPECT_EQ(r.error().kind, ErrorKind::Malformed) << c.where;
      EXPECT_TRUE(r.error().message.starts_with(c.malformed))
          << c.where << ": got \"" << r.error().message << "\", expected \"" << c.malformed << "\"";
      ++malformed;
    }
  }
  // The wasm-2.0 testsuite's counts: 691 assert_malformed binary modules
  // (528 of them UTF-8) and 67 binary modules that decode.
  EXPECT_EQ(malformed, 691u);
  EXPECT_EQ(decoded, 67u);
}

TEST_F(SpecTestsuite, BinaryModulesRoundTrip) {
  size_t identical = 0, total = 0;
  for (const SpecCase& c : spec_cases()) {
    if (!c.malformed.empty()) continue;
    Result<ast::Module> r = dec(c.bytes);
    if (!r.ok()) continue;
    ++total;
    Bytes again = encode(*r);
    Result<ast::Module> r2 = dec(again);
    ASSERT_TRUE(r2.ok()) << c.where << ": " << r2.error().message;
    EXPECT_EQ(ast_diff(*r, *r2), "") << c.where;
    EXPECT_EQ(encode(*r2), again) << c.where;  // canonical output is a fixed point
    identical += again == c.bytes;
  }
  EXPECT_EQ(total, 67u);
  // Most of these modules deliberately use non-minimal encodings; the rest
  // are canonical and come back byte for byte.
  EXPECT_GT(identical, 0u);
}

}  // namespace
}  // namespace warden
