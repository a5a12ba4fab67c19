#include "memory_hash.hpp"

#include <sys/mman.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

namespace warden::fuzz {
namespace {

constexpr size_t kZeroBytes = 65536;  // at least a page of the host

}  // namespace

// When no swap area is active (/proc/swaps holds its header line only), a
// page of anonymous memory that is not resident has never been touched,
// and holds zeros.
bool swap_active() {
  static const bool active = [] {
    std::ifstream in("/proc/swaps");
    std::string line;
    int lines = 0;
    while (lines < 2 && std::getline(in, line)) ++lines;
    return !in.is_open() || lines != 1;
  }();
  return active;
}

uint64_t hash_memory(std::span<const uint8_t> mem) {
  const long page_size = sysconf(_SC_PAGESIZE);
  const size_t page = page_size > 0 ? static_cast<size_t>(page_size) : 0;
  if (page == 0 || page > kZeroBytes || mem.empty() || reinterpret_cast<uintptr_t>(mem.data()) % page != 0 ||
      swap_active())
    return XXH3_64bits(mem.data(), mem.size());
  const size_t pages = (mem.size() + page - 1) / page;
  std::vector<unsigned char> resident(pages);
  if (mincore(const_cast<uint8_t*>(mem.data()), mem.size(), resident.data()) != 0)
    return XXH3_64bits(mem.data(), mem.size());
  static const std::vector<uint8_t> zeros(kZeroBytes, 0);
  XXH3_state_t* st = XXH3_createState();
  if (!st || XXH3_64bits_reset(st) != XXH_OK) {
    XXH3_freeState(st);
    return XXH3_64bits(mem.data(), mem.size());
  }
  for (size_t i = 0; i < pages; ++i) {
    const size_t at = i * page, n = std::min(page, mem.size() - at);
    XXH3_64bits_update(st, (resident[i] & 1) ? mem.data() + at : zeros.data(), n);
  }
  const uint64_t h = XXH3_64bits_digest(st);
  XXH3_freeState(st);
  return h;
}

}  // namespace warden::fuzz
