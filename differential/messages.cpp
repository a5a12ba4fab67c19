// THE table from each engine's trap messages to trap kinds
// (docs/differential.md, "Traps"). Traps are compared by kind, never by
// message: the spec fixes which executions trap (spec 4.4), not the words.
// Engines behind the engine protocol (V8 among them) name the kinds
// themselves; their messages reach this table only when they do not.
//
// A row matches when the engine is the row's and the message contains the
// row's text; the first matching row wins, so more specific rows come
// first. A message no row matches becomes kTrapUnknown, which never agrees
// with anything: a new message shows up as a finding instead of being
// guessed at.
#include <string>
#include <string_view>

#include "messages.hpp"

namespace warden::diff {
namespace {

struct TrapRow {
  std::string_view engine;
  std::string_view text;
  uint32_t kinds;
};

constexpr uint32_t kDivZero = kTrapDivZero, kOverflow = kTrapIntOverflow, kConv = kTrapConversion;
constexpr uint32_t kMem = kTrapMemory, kTable = kTrapTable, kUndef = kTrapUndefinedElement;
constexpr uint32_t kUninit = kTrapUninitialized, kSig = kTrapIndirectType;

constexpr TrapRow kTrapRows[] = {
    // ---- The spec testsuite's wording: Warden's own (engine/src/execute),
    // and the fallback for a protocol engine's trap that names no kinds
    // (docs/engine-protocol.md).
    {"spec", "unreachable", kTrapUnreachable},
    {"spec", "integer divide by zero", kDivZero},
    {"spec", "integer overflow", kOverflow},
    {"spec", "invalid conversion to integer", kConv},
    {"spec", "out of bounds memory access", kMem},
    {"spec", "out of bounds table access", kTable},
    {"spec", "undefined element", kUndef},
    {"spec", "uninitialized element", kUninit},
    {"spec", "indirect call type mismatch", kSig},
    {"spec", "call stack exhausted", kTrapStack},

    // ---- wabt 1.0.32 (spectest-interp "error: ..." lines).
    {"wabt", "unreachable executed", kTrapUnreachable},
    {"wabt", "integer divide by zero", kDivZero},
    {"wabt", "integer overflow", kOverflow},  // also float->int out of range
    {"wabt", "invalid conversion to integer", kConv},
    {"wabt", "out of bounds memory access", kMem},
    {"wabt", "out of bounds table access", kTable},
    {"wabt", "undefined table index", kUndef},
    {"wabt", "uninitialized table element", kUninit},
    {"wabt", "indirect call signature mismatch", kSig},
    {"wabt", "call stack exhausted", kTrapStack},

    // ---- Binaryen 108 (wasm-opt --fuzz-exec "[trap ...]" lines).
    {"binaryen", "unreachable", kTrapUnreachable},
    {"binaryen", "by 0", kDivZero},                     // "[trap i32.div_s by 0]"
    {"binaryen", "div_s overflow", kOverflow},          // INT_MIN / -1
    {"binaryen", "of nan", kConv},                      // "truncSFloat of nan"
    {"binaryen", "Float overflow", kOverflow},          // "i32.truncUFloat overflow"
    {"binaryen", "> memory", kMem},                     // "highest > memory: ..."
    {"binaryen", "out of bounds memory access", kMem},  // memory.fill
    {"binaryen", "segment access in memory", kMem},     // memory.copy / memory.init
    {"binaryen", "out of bounds segment access in table", kTable},
    {"binaryen", "out of bounds table access", kTable},
    {"binaryen", "callTable overflow", kUndef},
    {"binaryen", "uninitialized table element", kUninit},
    {"binaryen", "function types don't match", kSig},
    {"binaryen", "stack limit", kTrapStack},

    // V8 (node 20) names its trap kinds itself: differential/v8_harness.js,
    // TRAP_KINDS (it speaks the engine protocol).
};

constexpr std::pair<uint32_t, std::string_view> kNames[] = {
    {kTrapUnreachable, "unreachable"},
    {kTrapDivZero, "divzero"},
    {kTrapIntOverflow, "overflow"},
    {kTrapConversion, "conversion"},
    {kTrapMemory, "memory"},
    {kTrapTable, "table"},
    {kTrapUndefinedElement, "undefined-element"},
    {kTrapUninitialized, "uninitialized"},
    {kTrapIndirectType, "indirect-type"},
    {kTrapStack, "stack"},
    {kTrapUnknown, "unknown"},
};

// ---- load errors -> verdicts.
//
// wabt's binary reader reports some validation rules and its validator some
// decoding rules (spec 5 vs spec 3); only messages whose category is
// unambiguous map to Malformed or Invalid, the rest to Rejected (which
// agrees with either). V8 and Binaryen do not separate the two at all.
struct VerdictRow {
  std::string_view engine;
  std::string_view text;
  Verdict verdict;
};

constexpr VerdictRow kVerdictTable[] = {
    // wabt 1.0.32: messages seen on the testsuite's assert_malformed and
    // assert_invalid binary modules, by the rule they stand for.
    {"wabt", "expected ref.null or ref.func", Verdict::Rejected},  // both, in the testsuite
    {"wabt", "expected END opcode after element expression", Verdict::Rejected},
    {"wabt", "requires data count section", Verdict::Malformed},  // spec 5.5.16
    {"wabt", "unable to read", Verdict::Malformed},
    {"wabt", "bad magic value", Verdict::Malformed},
    {"wabt", "bad wasm file version", Verdict::Malformed},
    {"wabt", "invalid section", Verdict::Malformed},
    {"wabt", "out of order", Verdict::Malformed},
    {"wabt", "unfinished section", Verdict::Malformed},
    {"wabt", "invalid utf-8", Verdict::Malformed},
    {"wabt", "malformed", Verdict::Malformed},
    {"wabt", "signature count != function body count", Verdict::Malformed},
    {"wabt", "function body must end with END opcode", Verdict::Malformed},
    {"wabt", "data segment count does not equal", Verdict::Malformed},
    {"wabt", "local count must be", Verdict::Malformed},
    {"wabt", "invalid import tag kind", Verdict::Malformed},
    {"wabt", "may not be shared", Verdict::Malformed},
    {"wabt", "unexpected type form", Verdict::Malformed},
    {"wabt", "reserved value must be", Verdict::Malformed},
    {"wabt", "global mutability must be", Verdict::Malformed},
    {"wabt", "invalid table count", Verdict::Malformed},
    {"wabt", "invalid memory count", Verdict::Malformed},
    {"wabt", "unexpected opcode", Verdict::Malformed},
    {"wabt", "type mismatch", Verdict::Invalid},
    {"wabt", "out of range", Verdict::Invalid},
    {"wabt", "alignment must not be larger", Verdict::Invalid},
    {"wabt", "lane index must be less", Verdict::Invalid},
    {"wabt", "duplicate export", Verdict::Invalid},
    {"wabt", "initializer", Verdict::Invalid},
    {"wabt", "only one memory", Verdict::Invalid},
    {"wabt", "only one table", Verdict::Invalid},
    {"wabt", "must be >= initial", Verdict::Invalid},
    {"wabt", "start function", Verdict::Invalid},
    {"wabt", "br_table labels have inconsistent types", Verdict::Invalid},
    {"wabt", "invalid depth", Verdict::Invalid},
    {"wabt", "can't global.set on immutable", Verdict::Invalid},
    {"wabt", "is not declared in any elem", Verdict::Invalid},
    {"wabt", "invalid arity in select", Verdict::Invalid},

    // Binaryen 108 parses 0xFC 12/13/14/17 (table.init, elem.drop,
    // table.copy, table.fill) as unknown opcodes although they are part of
    // the bulk-memory and reference-types features it is given.
    {"binaryen", "misc prefix: 12 (", Verdict::Unsupported},
    {"binaryen", "misc prefix: 13 (", Verdict::Unsupported},
    {"binaryen", "misc prefix: 14 (", Verdict::Unsupported},
    {"binaryen", "misc prefix: 17 (", Verdict::Unsupported},
    {"binaryen", "std::bad_alloc", Verdict::Limit},

    // V8 says "limit" itself: differential/v8_harness.js, LIMIT_MESSAGES.
};

}  // namespace

Verdict load_verdict(std::string_view engine, std::string_view message) {
  for (const VerdictRow& r : kVerdictTable)
    if (r.engine == engine && message.find(r.text) != std::string_view::npos) return r.verdict;
  return Verdict::Rejected;
}

uint32_t trap_kinds(std::string_view engine, std::string_view message) {
  if (engine == "warden") engine = "spec";  // Warden's words are the testsuite's
  for (const TrapRow& r : kTrapRows)
    if (r.engine == engine && message.find(r.text) != std::string_view::npos) return r.kinds;
  return kTrapUnknown;
}

std::string trap_names(uint32_t kinds) {
  std::string s;
  for (const auto& [bit, name] : kNames) {
    if (!(kinds & bit)) continue;
    if (!s.empty()) s += '|';
    s += name;
  }
  return s.empty() ? "none" : s;
}

uint32_t trap_kinds_named(std::string_view names) {
  uint32_t kinds = 0;
  while (true) {
    size_t bar = names.find('|');
    std::string_view one = names.substr(0, bar);
    uint32_t bit = kTrapUnknown;
    for (const auto& [b, name] : kNames)
      if (name == one) bit = b;
    kinds |= bit;
    if (bar == std::string_view::npos) return kinds;
    names.remove_prefix(bar + 1);
  }
}

}  // namespace warden::diff
