// Growing memories and tables (spec 4.5.3.8 growtable, 4.5.3.9 growmem).
//
// A failed grow is never an error of the engine: the program sees -1. Every
// limit is checked before anything is allocated, so a module cannot make the
// host allocate more than Limits allows.
#include <sys/mman.h>

#include <algorithm>
#include <cstring>

#include "runtime/runtime.hpp"

namespace warden {
namespace {

/// Maps `bytes` of inaccessible address space, or nullptr.
uint8_t* reserve(uint64_t bytes) {
  if (bytes == 0 || bytes > SIZE_MAX) return nullptr;
  void* p = mmap(nullptr, static_cast<size_t>(bytes), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? nullptr : static_cast<uint8_t*>(p);
}

bool make_accessible(uint8_t* at, uint64_t bytes) {
  return bytes == 0 || mprotect(at, static_cast<size_t>(bytes), PROT_READ | PROT_WRITE) == 0;
}

}  // namespace

MemoryInst::~MemoryInst() {
  if (data) munmap(data, static_cast<size_t>(reserved));
}

std::optional<uint32_t> grow_memory(MemoryInst& m, uint32_t delta, uint64_t limit_bytes) {
  const uint32_t old = m.pages;
  const uint64_t pages = uint64_t{old} + delta;
  if (pages > kMaxPages || (m.max && pages > *m.max) || pages * kPageBytes > limit_bytes) return std::nullopt;
  if (delta == 0) return old;
  const uint64_t bytes = pages * kPageBytes;
  if (bytes > m.reserved) {
    // First grow (or a reservation that was cut short): reserve as much as
    // this memory may ever reach, falling back to just what is needed now.
    uint64_t cap_pages = m.max ? std::min<uint64_t>(*m.max, kMaxPages) : kMaxPages;
    cap_pages = std::min(cap_pages, limit_bytes / kPageBytes);
    uint64_t cap = std::max(cap_pages * kPageBytes, bytes);
    uint8_t* p = reserve(cap);
    if (!p && cap > bytes) p = reserve(cap = bytes);
    if (!p) return std::nullopt;
    if (!make_accessible(p, bytes)) {
      munmap(p, static_cast<size_t>(cap));
      return std::nullopt;
    }
    if (m.size) std::memcpy(p, m.data, static_cast<size_t>(m.size));
    if (m.data) munmap(m.data, static_cast<size_t>(m.reserved));
    m.data = p;
    m.reserved = cap;
  } else if (!make_accessible(m.data + m.size, bytes - m.size)) {
    return std::nullopt;
  }
  m.size = bytes;
  m.pages = static_cast<uint32_t>(pages);
  return old;
}

std::optional<uint32_t> grow_table(TableInst& t, uint32_t delta, uint64_t init, uint32_t limit) {
  const uint32_t old = t.size;
  const uint64_t n = uint64_t{old} + delta;
  if (n > UINT32_MAX || (t.max && n > *t.max) || n > limit) return std::nullopt;
  if (delta == 0) return old;
  if (!t.elems.reserve(n, std::min<uint64_t>(limit, t.max.value_or(UINT32_MAX)))) return std::nullopt;
  std::fill(t.elems.data() + old, t.elems.data() + n, init);
  t.size = static_cast<uint32_t>(n);
  return old;
}

}  // namespace warden
