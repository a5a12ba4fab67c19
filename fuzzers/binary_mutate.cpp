// Fuzz target "binary_mutate": structure-aware mutation of valid modules.
//
// LLVMFuzzerCustomMutator edits a module where it decodes: at the syntax
// tree level (swap, insert, delete and duplicate instructions, change
// immediates, opcodes within a family, types, limits, indices; drop and
// duplicate items) and at the section level (duplicate, drop or swap
// sections, pad a LEB128 to a non-canonical length, break a section size,
// add custom sections). The 8-byte header is never touched. What does not
// decode gets libFuzzer's byte-level mutations.
//
// The test function applies the binary oracles of check_binary (with
// Module::validate's agreement with load on 1, 2 or 3 load threads, oracle 4) and, when the module loads,
// instantiates it against the spectest host and runs its exports under
// small fuel and memory limits: no outcome but a value, a trap or
// exhaustion is allowed.
//
// Every input also goes through the differential's section and body
// scanners (differential/scan.hpp), which read modules no engine has
// checked: under the sanitizers they must stay inside the input, the items
// section_items finds must lie in order inside their section, and the
// module without its custom sections keeps the other sections whole.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "harness.hpp"
#include "mutate.hpp"
#include "oracles.hpp"
#include "scan.hpp"
#include "warden/binary.hpp"

using namespace warden;

namespace {

void check_scanners(std::span<const uint8_t> b) {
  using namespace warden::diff;
  const std::vector<Section> secs = sections_of(b);
  for (const Section& s : secs) {
    if (s.offset > b.size() || s.size > b.size() - s.offset) fuzz::fail("scan: a section past the input");
    size_t first = 0;
    size_t at = 0;
    for (const auto& [from, to] : section_items(b, s, &first)) {
      if (from < std::max(at, first) || to <= from || to > s.offset + s.size)
        fuzz::fail("scan: section " + std::to_string(s.id) + "'s items out of order or past it");
      at = to;
    }
    custom_name(b, s);
  }
  for (BodyShape shape : {BodyShape::Balanced, BodyShape::MissingEnd, BodyShape::CodeAfterEnd, BodyShape::Unknown})
    some_body(b, shape);
  some_instr(b, [&](Op, size_t p) {
    if (p > b.size()) fuzz::fail("scan: an instruction's immediates past the input");
    return false;
  });
  sections_out_of_order(b);
  // Without its custom sections, a module keeps the others as they were:
  // the same ids and contents, in the same order.
  if (const std::vector<uint8_t> stripped = without_custom_sections(b); !stripped.empty()) {
    using Part = std::pair<uint8_t, std::vector<uint8_t>>;
    const auto part = [](std::span<const uint8_t> m, const Section& s) {
      const std::span<const uint8_t> content = m.subspan(s.offset, s.size);
      return Part{s.id, std::vector<uint8_t>(content.begin(), content.end())};
    };
    std::vector<Part> want, got;
    for (const Section& s : secs)
      if (s.id != 0) want.push_back(part(b, s));
    for (const Section& s : sections_of(stripped)) got.push_back(part(stripped, s));
    if (got != want) fuzz::fail("scan: without_custom_sections changed the other sections");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  check_scanners(std::span<const uint8_t>(data, size));
  std::shared_ptr<const Module> m = fuzz::check_binary(std::span<const uint8_t>(data, size), /*other_loads=*/true);
  if (!m) return 0;
  fuzz::RunConfig run;
  run.rounds = 1;
  run.call_fuel = 1000;
  run.limits.max_memory_bytes = 4u << 16;
  run.limits.max_table_elements = 10'000;
  run.limits.max_call_depth = 500;
  run.limits.timeout_ms = 200;
  fuzz::run_module(m, std::span<const uint8_t>(data, size), run);
  return 0;
}

#ifdef WARDEN_LIBFUZZER
extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned int seed) {
  std::vector<uint8_t> out = fuzz::mutate_module(std::span<const uint8_t>(data, size), seed);
  if (out.empty() || out.size() > max_size) return LLVMFuzzerMutate(data, size, max_size);
  std::memcpy(data, out.data(), out.size());
  return out.size();
}
#endif
