// Internal to the engine: decoding with the function bodies handed, one
// instruction at a time, to a consumer instead of kept in the tree. The
// validator uses it for Module::load (docs/design.md, "Loading: from bytes
// to code"); decode() in warden/binary.hpp is this without a consumer.
#pragma once
#include <cstdint>
#include <span>

#include "decode/expr.hpp"
#include "decode/reader.hpp"
#include "warden/syntax.hpp"
#include "warden/warden.hpp"

namespace warden::decode_detail {

/// Where the code section's bodies go (spec 5.5.13).
class BodySink {
 public:
  virtual ~BodySink() = default;
  /// At the code section, before its first body: `m` holds every section
  /// before it (types, imports, functions, tables, memories, globals,
  /// exports, start, elements, data count) and stays at this address until
  /// decode returns.
  virtual void begin_code(const ast::Module& m) = 0;
  /// Body `index` of the defined functions, whose locals are in m.funcs:
  /// take instructions from `in` (each well-formed as it comes), up to the
  /// final end or fewer; the decoder reads whatever is left, so a malformed
  /// byte later in the body or module is still found.
  virtual void body(uint32_t index, InstrReader& in) = 0;
  /// Whether the sink takes bodies whole instead (defer()): the decoder
  /// then reads each body's size and locals, and skips its instructions.
  virtual bool defers() const = 0;
  /// Body `index`, not decoded: its code entry starts at `start` (after its
  /// size) and is `size` bytes, and its instructions start at `at`. The
  /// sink decodes them itself, later, over the same module bytes (Reader
  /// restarted at `at`), and checks that they end at start + size
  /// ("section size mismatch", at `start`), as the decoder would have.
  /// Any malformed byte it finds there comes before every error the
  /// decoder reports afterwards: the decoder reads nothing of the body but
  /// its size and locals, and when those run past the entry (`at` >
  /// start + size, so the body's own decoding must fail) it stops there.
  virtual void defer(uint32_t index, size_t at, size_t start, uint32_t size) = 0;
};

/// The end of a code entry (spec 5.5.13) whose instructions `in` has read
/// some of, or all: the rest up to the final end, then the check that it
/// ends where the entry does ("section size mismatch" at `start`, the
/// entry's first byte after its size). Errors latch in `r`, `in`'s reader.
/// The decoder's and the deferred bodies' (validate/deferred.cpp) one end.
inline void finish_entry(InstrReader& in, Reader& r, size_t start, uint32_t size) {
  ast::Instr rest;
  while (in.next(rest)) {}
  if (r.ok() && r.pos() != start + size) r.fail("section size mismatch", start);
}

/// decode() (warden/binary.hpp), or, when `sink` is not null, what
/// Module::load keeps: the bodies go to `sink` and stay empty in the tree
/// (Function::body and br_targets), and custom sections are checked (their
/// names) but not kept (no copy of what the engine never reads). Errors:
/// exactly decode()'s.
Result<ast::Module> decode_module(std::span<const uint8_t> bytes, const Limits& limits, BodySink* sink);

}  // namespace warden::decode_detail
