// The rules for V8 11.3 (node 20): its bug, and the post-2.0 features node
// has on by default ("feature:" rules, counted as ignored runs). One per
// entry of differential/peer-bugs.md; peer_rules.cpp lists them.
#include <optional>

#include "rules.hpp"
#include "scan.hpp"

namespace warden::diff::rules {

// ---- feature:v8-threads-shared-memory (a feature, not a bug)
// Node 20's V8 enables the threads proposal: a memory (defined or imported)
// with limits flag 0x02 or 0x03 (shared) is valid there; in 2.0 it is
// malformed.
bool v8_threads(const RuleContext& c) {
  if (!accepted_against(c, "v8", Verdict::Malformed, "")) return false;
  const std::span<const uint8_t> b = c.bytes;
  uint64_t v = 0;
  // Limits: flags, min, max if flags & 1; true when shared.
  size_t end = 0;  // the section's
  auto limits = [&](size_t& p, bool& shared) {
    if (p >= end) return false;
    uint8_t flags = b[p++];
    shared |= flags == 2 || flags == 3;
    return read_u32(b, p, v, end) && (!(flags & 1) || read_u32(b, p, v, end));
  };
  for (const Section& s : sections_of(b)) {
    size_t p = s.offset;
    end = s.offset + s.size;
    uint64_t count = 0;
    bool shared = false;
    if (s.id == 5) {
      if (!read_u32(b, p, count, end)) return false;
      for (uint64_t i = 0; i < count && p < end && !shared; ++i)
        if (!limits(p, shared)) break;
    } else if (s.id == 2) {  // imported memories
      if (!read_u32(b, p, count, end)) return false;
      for (uint64_t i = 0; i < count && p < end && !shared; ++i) {
        uint64_t n = 0;
        if (!read_u32(b, p, n, end) || n > end - p) break;
        p += n;
        if (!read_u32(b, p, n, end) || n > end - p) break;
        p += n;
        if (p >= end) break;
        uint8_t kind = b[p++];
        if (kind == 0 && !read_u32(b, p, v, end)) break;
        if (kind == 1 && (++p > end || !limits(p, shared))) break;
        if (kind == 2 && !limits(p, shared)) break;
        if (kind == 3) p += 2;
        if (kind > 3) break;
      }
    }
    if (shared) return true;
  }
  return false;
}

// ---- feature:v8-threads-atomics (a feature, not a bug)
// The same proposal's instructions: the 0xFE prefix (atomic loads,
// stores, read-modify-writes, wait, notify, fence) decodes there, on a
// memory shared or not; in 2.0 0xFE is an illegal opcode. (Campaign seed
// 20261207 found it: a mutant with i32.atomic.rmw8.add_u, 0xFE 0x20.)
bool v8_atomics(const RuleContext& c) {
  const LoadResult* w = accepted_against(c, "v8", Verdict::Malformed, "illegal opcode");
  return w && byte_at(c.bytes, w->offset) == 0xFE;
}

// ---- feature:v8-exception-handling (a feature, not a bug)
// Node 20's V8 enables exception handling: try, catch, throw, rethrow,
// delegate and catch_all (0x06-0x09, 0x18, 0x19) decode there, and the tag
// section (id 13) is a section.
bool v8_exceptions(const RuleContext& c) {
  // The tag section (id 13).
  if (accepted_against(c, "v8", Verdict::Malformed, "malformed section id")) {
    for (const Section& s : sections_of(c.bytes))
      if (s.id == 13) return true;
  }
  const LoadResult* w = accepted_against(c, "v8", Verdict::Malformed, "illegal opcode");
  if (!w) return false;
  uint8_t op = byte_at(c.bytes, w->offset);
  return (op >= 0x06 && op <= 0x09) || op == 0x18 || op == 0x19;
}

// ---- v8-11.3-elem-segment-value-type
// Spec 5.5.12: an element segment with expression items (flags 4-7)
// declares a reference type, 0x70 or 0x6F ("malformed reference type"
// otherwise). V8 11.3 (node 20) accepts any value type there, i32 or f64
// included, with or without items.
bool v8_elem_value_type(const RuleContext& c) {
  const LoadResult* w = accepted_against(c, "v8", Verdict::Malformed, "malformed reference type");
  if (!w) return false;
  std::optional<Section> s = section_at(c.bytes, w->offset);
  const uint8_t t = byte_at(c.bytes, w->offset);
  return s && s->id == 9 && t >= 0x7B && t <= 0x7F;
}

// ---- feature:v8-tail-calls (a feature, not a bug)
// Node 20's V8 enables tail calls: return_call and return_call_indirect
// (0x12, 0x13) decode there.
bool v8_tail_calls(const RuleContext& c) {
  const LoadResult* w = accepted_against(c, "v8", Verdict::Malformed, "illegal opcode");
  if (!w) return false;
  uint8_t op = byte_at(c.bytes, w->offset);
  return op == 0x12 || op == 0x13;
}

}  // namespace warden::diff::rules
