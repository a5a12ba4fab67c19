// CompiledCode's chunks (code.hpp).
#include "code.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>

#if WARDEN_CODE_GUARDS
#include <sanitizer/asan_interface.h>
#define WARDEN_POISON(p, words)   ASAN_POISON_MEMORY_REGION((p), (words) * sizeof(uint64_t))
#define WARDEN_UNPOISON(p, words) ASAN_UNPOISON_MEMORY_REGION((p), (words) * sizeof(uint64_t))
#else
#define WARDEN_POISON(p, words)   static_cast<void>(0)
#define WARDEN_UNPOISON(p, words) static_cast<void>(0)
#endif

namespace warden::code {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;

// `bytes` (a multiple of kHugePage) of fresh zeroed memory at a kHugePage
// boundary, advised for transparent huge pages; nullptr if mapping fails.
// The alignment takes one extra huge page of address space, whose unused
// head and tail are unmapped at once.
uint64_t* map_huge(size_t bytes) {
  void* p = mmap(nullptr, bytes + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  const uintptr_t start = reinterpret_cast<uintptr_t>(p);
  const uintptr_t aligned = (start + kHugePage - 1) & ~(uintptr_t{kHugePage} - 1);
  if (aligned > start) munmap(p, aligned - start);
  if (const size_t tail = start + kHugePage - aligned) munmap(reinterpret_cast<void*>(aligned + bytes), tail);
#ifdef MADV_HUGEPAGE
  madvise(reinterpret_cast<void*>(aligned), bytes, MADV_HUGEPAGE);  // advice: failing changes nothing
#endif
  return reinterpret_cast<uint64_t*>(aligned);
}

}  // namespace

void CompiledCode::Free::operator()(uint64_t* p) const {
  if (mapped == 0) {
    delete[] p;  // ASan's allocator clears what was poisoned in it
  } else {
    WARDEN_UNPOISON(p, mapped / sizeof(uint64_t));
    munmap(p, mapped);
  }
}

CompiledCode::Chunk CompiledCode::make_chunk(size_t words) {
  if (words == kMaxChunk) {
    static_assert(kMaxChunk * sizeof(uint64_t) == kHugePage);
    if (uint64_t* p = map_huge(kHugePage)) return Chunk(p, Free{kHugePage});
  }
  return Chunk(new uint64_t[words], Free{});
}

size_t CompiledCode::mapped_chunks() const {
  return static_cast<size_t>(
      std::count_if(chunks_.begin(), chunks_.end(), [](const Chunk& c) { return c.get_deleter().mapped != 0; }));
}

std::span<const uint64_t> CompiledCode::add(std::span<const uint64_t> words) {
  const size_t n = words.size() + kGuardWords;
  if (n > left_) {
    if (n > kOwnChunkPast) {  // a chunk of its own; the open one stays open
      next_ = kMaxChunk;      // and later chunks grow for it, as below
      chunks_.push_back(make_chunk(n));
      allocated_ += n;
      used_ += n;
      uint64_t* at = chunks_.back().get();
      std::copy(words.begin(), words.end(), at);
      WARDEN_POISON(at + words.size(), kGuardWords);
      return {at, words.size()};
    }
    while (n > next_ / 4) next_ *= 2;      // ends by kMaxChunk, as n <= kOwnChunkPast
    chunks_.push_back(make_chunk(next_));  // less than a quarter of it is left behind
    open_ = chunks_.size();
    free_ = chunks_.back().get();
    left_ = next_;
    allocated_ += next_;
    next_ = std::min(next_ * 2, kMaxChunk);
  }
  uint64_t* at = free_;
  std::copy(words.begin(), words.end(), at);
  WARDEN_POISON(at + words.size(), kGuardWords);
  free_ += n;
  left_ -= n;
  used_ += n;
  return {at, words.size()};
}

void CompiledCode::seal() {
  if (open_ == 0 || left_ == 0) return;
  Chunk& chunk = chunks_[open_ - 1];
  const size_t n = static_cast<size_t>(free_ - chunk.get());
  if (const size_t mapped = chunk.get_deleter().mapped) {
    // In place: the pages past the code go back to the kernel.
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    const size_t keep = std::max(page, (n * sizeof(uint64_t) + page - 1) / page * page);
    if (keep < mapped) {
      munmap(reinterpret_cast<uint8_t*>(chunk.get()) + keep, mapped - keep);
      chunk.get_deleter().mapped = keep;
    }
  } else {
    uint64_t* old = chunk.get();
    Chunk exact = make_chunk(n);
    WARDEN_UNPOISON(old, n);  // the guards are copied too, and poisoned again below
    std::copy(old, old + n, exact.get());
    for (CompiledFunc& f : funcs) {  // the functions in the old chunk move with it
      if (f.code.data() >= old && f.code.data() < old + n) {
        f.code = {exact.get() + (f.code.data() - old), f.code.size()};
        WARDEN_POISON(f.code.data() + f.code.size(), kGuardWords);
      }
    }
    chunk = std::move(exact);
  }
  allocated_ -= left_;
  open_ = 0;
  free_ = nullptr;
  left_ = 0;
}

void CompiledCode::absorb(CompiledCode&& other) {
  for (Chunk& c : other.chunks_) chunks_.push_back(std::move(c));
  allocated_ += other.allocated_;
  used_ += other.used_;
  other.chunks_.clear();
  other.allocated_ = other.used_ = 0;
}

}  // namespace warden::code
