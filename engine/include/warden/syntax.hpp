// Warden's syntax tree (spec 2.5): the module structure shared by the binary
// decoder, the text parser, the binary encoder, the printer and the
// validator. It is pure syntax: nothing here is validated; the validator
// decides.
//
// Public because tools built on Warden legitimately work on modules as
// trees: the fuzzers generate and mutate them, the differential reducer
// shrinks them, the spec runner loads text modules through them. It is a
// declared API with the same stability promise as warden.hpp.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "warden/opcode.hpp"
#include "warden/warden.hpp"

namespace warden::ast {

/// Block types as the binary format's s33 (spec 5.3.6): kBlockEmpty for [],
/// a negative value-type code for a single result, >= 0 for a type index.
inline constexpr int64_t kBlockEmpty = -64;  // 0x40
inline constexpr int64_t block_of(ValType t) { return static_cast<int64_t>(static_cast<uint8_t>(t)) - 0x80; }
inline constexpr ValType block_valtype(int64_t bt) { return static_cast<ValType>(bt + 0x80); }

/// One instruction with decoded immediates. Field use per Imm kind:
///   Block       lo = blocktype (s33 as above)
///   Label, Func, Local, Global, Table, Elem, Data: a = index
///   CallInd     a = type index, b = table index
///   BrTable     a = first entry in Function::br_targets, b = number of
///               entries; the last entry is the default label
///   Mem         a = align exponent (as encoded), b = offset
///   MemLane     a, b as Mem; lane = lane index
///   Zero, Zero2 nothing (the bytes were checked to be zero)
///   DataZero    a = data index
///   TableTable  a = destination table, b = source table
///   ElemTable   a = element segment, b = table
///   I32, I64    lo = value (i32 zero-extended into lo's low 32 bits)
///   F32, F64    lo = raw bits
///   V128        lo = bytes 0..7 (little endian), hi = bytes 8..15
///   Lane        lane = lane index
///   Shuffle     lo, hi = the 16 lane bytes, little endian as V128
///   HeapType    a = the reference type byte (0x70 funcref, 0x6F externref)
///   SelectT     b = number of types given, a = the first type's byte
///               (2.0 allows exactly one; the validator checks)
struct Instr {
  Op op = Op::Nop;
  uint8_t lane = 0;
  uint32_t pos = 0;  // byte offset of the opcode in the binary (0 for text)
  uint32_t a = 0, b = 0;
  uint64_t lo = 0, hi = 0;
};

/// An expression: instructions up to and including the final End.
using Expr = std::vector<Instr>;

struct LocalDecl {
  uint32_t count;
  ValType type;
};

struct Bounds {  // spec "limits"
  uint32_t min = 0;
  std::optional<uint32_t> max;
};

struct TableType {
  ValType elem = ValType::FuncRef;
  Bounds limits;
};

struct MemoryType {
  Bounds limits;  // in 64 KiB pages
};

struct GlobalType {
  ValType type = ValType::I32;
  bool mut = false;
};

struct Import {
  std::string module, name;
  ExternKind kind = ExternKind::Func;
  uint32_t func_type = 0;  // kind == Func
  TableType table;         // kind == Table
  MemoryType memory;       // kind == Memory
  GlobalType global;       // kind == Global
  uint32_t pos = 0;
};

struct Function {
  uint32_t type = 0;
  std::vector<LocalDecl> locals;
  Expr body;
  std::vector<uint32_t> br_targets;  // br_table label lists, see Instr
  uint32_t pos = 0;                  // offset of the code entry
};

struct Global {
  GlobalType type;
  Expr init;
  uint32_t pos = 0;
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;
  uint32_t pos = 0;
};

enum class SegmentMode : uint8_t { Active, Passive, Declarative };

struct ElemSegment {
  SegmentMode mode = SegmentMode::Active;
  uint32_t table = 0;  // Active only
  Expr offset;         // Active only
  ValType type = ValType::FuncRef;
  std::vector<Expr> init;  // one constant expression per element
  uint32_t pos = 0;
};

struct DataSegment {
  SegmentMode mode = SegmentMode::Active;  // Active or Passive
  uint32_t memory = 0;
  Expr offset;
  std::vector<uint8_t> bytes;
  uint32_t pos = 0;
};

struct CustomSection {
  std::string name;
  std::vector<uint8_t> bytes;
  uint8_t after_section = 0;  // id of the last non-custom section before it
};

struct Module {
  std::vector<FuncType> types;
  std::vector<Import> imports;
  std::vector<Function> funcs;    // defined functions only
  std::vector<TableType> tables;  // defined tables only
  std::vector<MemoryType> memories;
  std::vector<Global> globals;
  std::vector<Export> exports;
  std::optional<uint32_t> start;
  std::vector<ElemSegment> elems;
  std::vector<DataSegment> datas;
  std::optional<uint32_t> data_count;
  std::vector<CustomSection> customs;

  // Index spaces begin with the imports of each kind (spec 2.5.1).
  uint32_t imported(ExternKind k) const {
    uint32_t n = 0;
    for (const Import& i : imports) n += i.kind == k;
    return n;
  }
};

}  // namespace warden::ast

namespace warden {

/// Validate (spec 3) and compile an already-built syntax tree: the text
/// path, and tools that generate trees. Errors as Module::load's after
/// decoding (Invalid, Exhaustion; Malformed for a tree no decoder could
/// produce, such as an `else` outside an `if`).
Result<std::shared_ptr<const Module>> load_syntax(ast::Module m, const Limits& limits = {});

/// The syntax tree `m` was loaded from, without the function bodies and
/// the custom sections: every Function's `body` and `br_targets` are empty
/// (the compiled code replaces them; Module::load never builds them), and
/// `customs` is empty (the engine never reads them, so a module does not
/// keep a copy). Everything else is as decode() or the text parser produced
/// it. For the rest, decode() the bytes.
const ast::Module& syntax_of(const Module& m);

/// The first structural difference between `a` and `b`, described for a
/// failure message ("funcs[2].body[7]: i32.const{...} vs i32.const{...}"),
/// or "" when they are equal. Byte offsets (`pos` fields) are ignored;
/// everything else, including custom sections and their placement, counts.
/// The oracle of every round trip (binary -> tree -> binary, text -> tree).
std::string ast_diff(const ast::Module& a, const ast::Module& b);

}  // namespace warden
