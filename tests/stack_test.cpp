// The slot stack's placement (runtime.hpp, Store::Impl::stack): it starts a
// 4 KiB page and keeps doing so as it grows, so the slots that straddle a
// page are the same in every run (docs/performance.md, "v128 values across
// a page").
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>

#include "harness.hpp"
#include "runtime/runtime.hpp"

namespace {

using test_harness::Harness;
using warden::RawBuffer;
using warden::Value;

bool on_page(const void* p) { return reinterpret_cast<uintptr_t>(p) % 4096 == 0; }

TEST(SlotStack, AlignedBufferKeepsItsAlignmentAndItsWordsAsItGrows) {
  RawBuffer<uint64_t, 4096> b;
  ASSERT_TRUE(b.reserve(1000, 1 << 20));
  ASSERT_TRUE(on_page(b.data()));
  ASSERT_EQ(b.capacity(), 1000u);
  for (uint64_t i = 0; i < 1000; ++i) {
    ASSERT_EQ(b.data()[i], 0u) << i;
    b.data()[i] = i * 0x9E3779B97F4A7C15ull;
  }
  // Leave a dirty block in the heap's free lists, large enough for the
  // growth's aligned allocation (16 KiB plus up to a page of slack), so
  // that the new tail is memory that held something: the zero check below
  // then tests reserve()'s memset, not what fresh memory happens to hold.
  // (With glibc it takes the dirty block's address, and the check fails
  // with the memset removed.)
  {
    void* dirty = std::aligned_alloc(4096, 65536);
    ASSERT_NE(dirty, nullptr);
    // Through a volatile pointer: a memset right before the free is a
    // dead store the compiler may drop.
    volatile uint8_t* bytes = static_cast<volatile uint8_t*>(dirty);
    for (size_t i = 0; i < 65536; ++i) bytes[i] = 0xA5;
    std::free(dirty);
  }
  ASSERT_TRUE(b.reserve(1001, 1 << 20));  // doubles: 2000, not 1001
  EXPECT_TRUE(on_page(b.data()));
  EXPECT_EQ(b.capacity(), 2000u);
  for (uint64_t i = 0; i < 1000; ++i) ASSERT_EQ(b.data()[i], i * 0x9E3779B97F4A7C15ull) << i;
  for (uint64_t i = 1000; i < 2000; ++i) ASSERT_EQ(b.data()[i], 0u) << i;
  // A size whose bytes, rounded up to the alignment, would overflow is
  // refused, and the buffer is unchanged.
  const uint64_t* before = b.data();
  EXPECT_FALSE(b.reserve(SIZE_MAX / 8, SIZE_MAX / 8));
  EXPECT_EQ(b.data(), before);
  EXPECT_EQ(b.capacity(), 2000u);
}

TEST(SlotStack, StartsAPageBeforeAndAfterADeepCallGrowsIt) {
  // $down recurses n deep with a v128 local per frame (a frame's locals
  // are 3 slots, and a call's frame starts at its arguments, so 3000
  // frames need about 9000 slots: more than the first 1024), adding each
  // frame's lane back on the way up.
  Harness h(test_harness::wat_bytes(R"((module
    (func $down (export "down") (param i32) (result i32) (local v128)
      (local.set 1 (i32x4.splat (local.get 0)))
      (if (result i32) (i32.eqz (local.get 0))
        (then (i32.const 0))
        (else (i32.add (call $down (i32.sub (local.get 0) (i32.const 1)))
                       (i32x4.extract_lane 3 (local.get 1))))))))"));
  warden::Store::Impl& s = warden::detail::Access::of(h.store);
  auto down = [&](int32_t n) {
    test_harness::Results r = h.call("down", {Value::i32(n)});
    return r && r->size() == 1 ? (*r)[0] : Value::i64(-1);
  };
  EXPECT_EQ(down(3), Value::i32(6));
  ASSERT_NE(s.stack.data(), nullptr);
  EXPECT_TRUE(on_page(s.stack.data()));
  const uint64_t first = s.stack.capacity();
  EXPECT_EQ(down(3000), Value::i32(3000 * 3001 / 2));
  EXPECT_GT(s.stack.capacity(), first);
  EXPECT_TRUE(on_page(s.stack.data()));
}

}  // namespace
