// Structure scanners for modules Warden may not decode: the section layout,
// function bodies' block structure (instruction lengths from the opcode
// table's immediate kinds), and the instruction at a byte offset of a
// decoded module. The peer-bug rules and the campaign use them to state
// precisely what a module contains.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "warden/syntax.hpp"

namespace warden::diff {

/// One section: id, offset of its content, content size.
struct Section {
  uint8_t id;
  size_t offset, size;
};

/// Reads an unsigned LEB128 of at most 5 bytes at `p` (advancing it),
/// from bytes before `end` (a section's or a body's) and `b.size()`.
bool read_u32(std::span<const uint8_t> b, size_t& p, uint64_t& v, size_t end = SIZE_MAX);

/// The sections after the 8-byte header, as far as they are well-formed.
std::vector<Section> sections_of(std::span<const uint8_t> b);

/// The section whose content holds byte `offset` (its end counts too: a
/// reader that runs out of bytes reports the end).
std::optional<Section> section_at(std::span<const uint8_t> b, uint64_t offset);

/// The name of a custom section, "" if it has none that parses.
std::string custom_name(std::span<const uint8_t> b, const Section& s);

/// Binaryen's "(at 0:N)" byte position in a message, or kNoOffset.
uint64_t binaryen_offset(const std::string& message);

/// Whether non-custom sections break the spec's order (5.5.2) or repeat.
bool sections_out_of_order(std::span<const uint8_t> b);

/// The byte at `offset`, 0 past the end.
uint8_t byte_at(std::span<const uint8_t> b, uint64_t offset);

/// The function whose body holds byte `offset` and the index of the first
/// instruction at or after it (syntax trees keep each opcode's position).
std::optional<std::pair<size_t, size_t>> instr_at(const ast::Module& m, uint64_t offset);

/// How a function body's block structure ends (spec 5.4.1, 5.5.13), or
/// that a visitor stopped the walk.
enum class BodyShape { Balanced, MissingEnd, CodeAfterEnd, Unknown, Stopped };

/// Called with each instruction and the offset of its immediates; returning
/// true stops the walk.
using InstrVisitor = std::function<bool(Op, size_t)>;

/// Walks the body in bytes [p, end) (locals, then instructions), with the
/// opcode table's immediate kinds, visiting each instruction.
BodyShape walk_body(std::span<const uint8_t> b, size_t p, size_t end, const InstrVisitor& visit);

/// Moves `p` past one expression (instructions through the `end` that
/// closes it, as in a global's initializer); false if it does not close
/// before `end`.
bool skip_expr(std::span<const uint8_t> b, size_t& p, size_t end);

/// The items of a vector section (type to data, not start or data count),
/// [from, to) in `b`, as far as they parse; `items_start` gets where the
/// first begins (after the count). Empty for other sections.
std::vector<std::pair<size_t, size_t>> section_items(std::span<const uint8_t> b, const Section& s,
                                                     size_t* items_start = nullptr);

/// The shape of the body in bytes [p, end).
BodyShape body_shape(std::span<const uint8_t> b, size_t p, size_t end);

/// Whether `pred` holds for some instruction of some body of the code
/// section (read as far as the bytes allow).
bool some_instr(std::span<const uint8_t> b, const InstrVisitor& pred);

/// Whether some function body of the code section has this shape.
bool some_body(std::span<const uint8_t> b, BodyShape want);

/// The module with its custom sections cut out, or empty when it has none
/// or its sections do not parse to the end.
std::vector<uint8_t> without_custom_sections(std::span<const uint8_t> bytes);

/// Where an error offset points: "at call_indirect" (the instruction, when
/// `m` is the decoded module), "byte 0x13" (an illegal opcode), "in section
/// 9", or "". The campaign adds it to validation signatures: the first
/// differing opcode.
std::string error_site(std::span<const uint8_t> bytes, const ast::Module* m, uint64_t offset,
                       const std::string& message);

}  // namespace warden::diff
