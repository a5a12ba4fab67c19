// Runtime objects (spec 4.2): function, table, memory and global instances,
// module instances and the store that owns them, plus the execution state
// the interpreter keeps in the store (slot stack, frames, fuel).
//
// Every object lives in a std::deque owned by Store::Impl, so its address is
// stable for the store's lifetime: funcref slots, Extern handles and the
// interpreter all hold plain pointers.
#pragma once
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "code.hpp"
#include "warden/syntax.hpp"
#include "warden/warden.hpp"

namespace warden {

/// Page size and the 2.0 page ceiling (spec 4.2.8: 2^16 pages of 64 KiB).
inline constexpr uint64_t kPageBytes = 65536;
inline constexpr uint32_t kMaxPages = 65536;

/// Host functions may call back into their store (Store::invoke inside a
/// HostFunc). Each such nesting costs host stack (an interpreter activation
/// plus the host's own frames), so its depth is capped independently of
/// Limits::max_call_depth; past it invoke fails with "call stack exhausted".
/// Measured per level: ~14 KB at -O3 (execute() alone is ~13 KB there) and
/// ~57 KB in the ASan -O0 build, so 32 levels stay under 2 MB even then
/// (100 took 5.5 MB, most of a main thread's 8 MB and more than many
/// threads get).
inline constexpr uint32_t kMaxNestedInvokes = 32;

/// Spec 4.2.6. A wasm function belongs to `instance` and runs `code`; a host
/// function has no instance and runs `host`.
struct FuncInst {
  uint32_t type_id = 0;  ///< store-interned type (Store::Impl::types)
  uint32_t param_slots = 0, result_slots = 0;
  /// code's local_slots, and local_slots + max_stack: what a call reads
  /// of the callee's frame, here, so that it needs no load through `code`.
  uint32_t local_slots = 0, frame_slots = 0;
  Instance::Impl* instance = nullptr;  ///< null for a host function
  const code::CompiledFunc* code = nullptr;
  const uint64_t* entry = nullptr;  ///< code->code.data(), one load nearer a call
  /// entry[1], the op word after the entry Fuel word (code.hpp): a call
  /// spends the Fuel word's unit itself and jumps here, one load sooner.
  uint64_t first_op = 0;
  HostFunc host;
};

/// Zero-initialised growable buffer on malloc/realloc, so that running out of
/// host memory is a failed grow (a -1 for the program), never an exception.
/// Capacity grows geometrically but never past the caller's `max_n`. Only
/// for trivially copyable T (the bytes are moved by realloc, or copied).
/// With an `Align` above malloc's, the buffer starts at a multiple of
/// `Align` (aligned_alloc, and a copy instead of realloc on growth).
template <class T, size_t Align = alignof(std::max_align_t)>
class RawBuffer {
  static_assert(std::is_trivially_copyable_v<T>);
  static_assert(Align % alignof(T) == 0 && (Align & (Align - 1)) == 0);

 public:
  RawBuffer() = default;
  RawBuffer(const RawBuffer&) = delete;
  RawBuffer& operator=(const RawBuffer&) = delete;
  ~RawBuffer() { std::free(data_); }

  T* data() const { return data_; }
  uint64_t capacity() const { return cap_; }
  /// Makes elements [0, n) available (n <= max_n); those past the old
  /// capacity are zero. False, and unchanged, when the host refuses.
  bool reserve(uint64_t n, uint64_t max_n) {
    if (n <= cap_) return true;
    uint64_t want = std::max(n, std::min(cap_ * 2, max_n));
    if (want > (SIZE_MAX - Align) / sizeof(T)) return false;
    const size_t bytes = static_cast<size_t>(want) * sizeof(T);
    void* p = nullptr;
    if constexpr (Align <= alignof(std::max_align_t)) {
      p = std::realloc(data_, bytes);
    } else {
      p = std::aligned_alloc(Align, (bytes + Align - 1) / Align * Align);
      if (p && cap_ > 0) std::memcpy(p, data_, static_cast<size_t>(cap_) * sizeof(T));
      if (p) std::free(data_);
    }
    if (!p) return false;
    data_ = static_cast<T*>(p);
    // Neither realloc nor aligned_alloc zeroes the tail.
    std::memset(static_cast<void*>(data_ + cap_), 0, static_cast<size_t>(want - cap_) * sizeof(T));
    cap_ = want;
    return true;
  }

 private:
  T* data_ = nullptr;
  uint64_t cap_ = 0;
};

/// Spec 4.2.7. Elements are reference words: 0 is null, a funcref is the
/// FuncInst's address, an externref the host word.
struct TableInst {
  ValType elem = ValType::FuncRef;
  std::optional<uint32_t> max;
  uint32_t size = 0;
  RawBuffer<uint64_t> elems;
};

/// Spec 4.2.8. The bytes live in an address-space reservation (mmap,
/// PROT_NONE) made when the memory is created, as large as the memory may
/// ever become under its max and the store's limit; growing makes pages
/// accessible (the kernel hands them out zeroed and commits them lazily), so
/// `data` does not move and nothing is copied. If the reservation cannot be
/// had, a smaller one is made and grown by moving.
struct MemoryInst {
  uint8_t* data = nullptr;
  uint64_t size = 0;  ///< bytes, always pages * 64 KiB
  uint32_t pages = 0;
  std::optional<uint32_t> max;
  uint64_t reserved = 0;  ///< bytes of address space mapped at data

  MemoryInst() = default;
  MemoryInst(const MemoryInst&) = delete;
  MemoryInst& operator=(const MemoryInst&) = delete;
  ~MemoryInst();
};

/// Spec 4.2.9. The value's bits as in warden::Value (i32/f32 zero-extended).
struct GlobalInst {
  ValType type = ValType::I32;
  bool mut = false;
  uint64_t lo = 0, hi = 0;
};

/// Grows a table by `delta` elements set to `init` (spec 4.5.3.8 growtable).
/// Returns the old size, or nullopt past the table's max or `limit`, or when
/// the host has no memory for it. Store::Impl::grow_table also keeps the
/// store-wide count; call that one.
std::optional<uint32_t> grow_table(TableInst& t, uint32_t delta, uint64_t init, uint32_t limit);
/// Grows a memory by `delta` pages (spec 4.5.3.9 growmem). Returns the old
/// page count, or nullopt past the declared max, 65536 pages, `limit_bytes`,
/// or when the host has no memory for it.
std::optional<uint32_t> grow_memory(MemoryInst& m, uint32_t delta, uint64_t limit_bytes);

/// With a deadline, the clock is read at least once per this much work, in
/// instruction-sized units (about a millisecond of interpretation).
inline constexpr uint64_t kWorkTick = uint64_t{1} << 20;

/// An upper bound on the work between two Fuel ops in `f` (one loop
/// iteration or one call: a forward pass through the code): each op once,
/// each moving at most max_stack slots (a branch or return; 16 slots to a
/// unit), and the locals zeroed on entry.
inline uint64_t pass_work(const code::CompiledFunc& f) {
  return (f.code.size() + f.local_slots) * (1 + uint64_t{f.max_stack} / 16);
}

/// A value's slot image (code.hpp frame layout) and back.
inline void value_to_slots(const Value& v, uint64_t* s) {
  switch (v.type) {
    case ValType::I32:
    case ValType::F32: s[0] = static_cast<uint32_t>(v.lo); break;
    case ValType::V128:
      s[0] = v.lo;
      s[1] = v.hi;
      break;
    default: s[0] = v.lo; break;
  }
}
inline Value value_from_slots(ValType t, const uint64_t* s) { return Value{t, s[0], t == ValType::V128 ? s[1] : 0}; }
inline uint32_t slot_count(std::span<const ValType> ts) {
  uint32_t n = 0;
  for (ValType t : ts) n += slots(t);
  return n;
}

/// A validated module (Module::Impl): the syntax tree, one compiled body per
/// defined function, and the type index of every function in the function
/// index space (imports first).
struct Module::Impl {
  ast::Module ast;
  code::CompiledCode code;
  std::vector<uint32_t> func_types;
};

/// Spec 4.2.5, with each index space resolved to store addresses.
struct Instance::Impl {
  std::vector<uint32_t> type_ids;  ///< module type index -> store type id
  std::vector<FuncInst*> funcs;
  std::vector<TableInst*> tables;
  std::vector<MemoryInst*> memories;
  std::vector<GlobalInst*> globals;
  MemoryInst* memory0 = nullptr;  ///< memories[0] if any (the only one in 2.0)
  /// Element instances (spec 4.2.11): evaluated references; empty once dropped.
  std::vector<std::vector<uint64_t>> elems;
  /// Data instances (spec 4.2.12): views of the module's bytes; empty once dropped.
  std::vector<std::span<const uint8_t>> datas;
};

/// The call frame of one active wasm function: what to restore in its caller
/// when it returns. `ret_pc` null marks the entry frame of one execute().
struct Frame {
  const uint64_t* ret_pc = nullptr;
  size_t ret_fp = 0;  ///< caller's fp as a slot offset (the stack may move)
  Instance::Impl* inst = nullptr;
  uint32_t result_slots = 0;  ///< what the callee's return moves to its fp
};

/// The engine's way to the private Impl of the public classes.
struct detail::Access {
  static const Module::Impl& of(const Module& m) { return *m.impl_; }
  static Instance::Impl& of(Instance& i) { return *i.impl_; }
  static Store::Impl& of(Store& s) { return *s.impl_; }
};

struct Store::Impl {
  Limits limits;
  StoreOptions options;

  // Function types interned store-wide (spec 4.5.1: types are compared
  // structurally across modules), so call_indirect compares two integers.
  std::deque<FuncType> types;
  std::unordered_map<std::string, uint32_t> type_ids;
  uint32_t intern(const FuncType& t);

  std::deque<FuncInst> funcs;
  std::deque<TableInst> tables;
  std::deque<MemoryInst> memories;
  std::deque<GlobalInst> globals;
  std::vector<std::unique_ptr<Instance>> instances;

  /// Sum of the sizes of all tables (limits.max_store_table_elements).
  uint64_t table_elements = 0;
  /// warden::grow_table within both table limits, counting what it adds.
  std::optional<uint32_t> grow_table(TableInst& t, uint32_t delta, uint64_t init) {
    if (delta > limits.max_store_table_elements - std::min(table_elements, limits.max_store_table_elements))
      return std::nullopt;
    std::optional<uint32_t> old = warden::grow_table(t, delta, init, limits.max_table_elements);
    if (old) table_elements += delta;
    return old;
  }

  // ---- execution state (interpreter) ----
  /// The slot stack, grown on demand up to max_stack_slots. It starts a
  /// 4 KiB page, so which slots straddle a page, and with them which v128
  /// values are split in two by every 16-byte load and store, is the same
  /// in every run: slot 511 + 512 n and the one after. Where the heap put
  /// it, float_simd ran up to 1.7 times slower at some heap layouts than at
  /// others (docs/performance.md, "v128 values across a page").
  RawBuffer<uint64_t, 4096> stack;
  size_t stack_top = 0;  ///< first slot not used by an active execution
  /// All active wasm frames, of nested executions too: frames.data()[0,
  /// nframes). A RawBuffer, so a call that cannot get host memory for its
  /// frame is "call stack exhausted", never an exception. While execute()
  /// runs, the top is its local; it writes nframes back before a host call
  /// (which may re-enter the store) and when it returns.
  RawBuffer<Frame> frames;
  size_t nframes = 0;
  uint32_t running = 0;  ///< nesting depth of invoke (host -> wasm -> host -> wasm)
  /// Host-call arguments and results as Values, one buffer per invoke
  /// nesting level (`running` - 1): a host function at one level may
  /// re-enter the store, and the host calls of the deeper level must not
  /// move the spans the outer one is still holding.
  RawBuffer<Value> scratch[kMaxNestedInvokes];
  Store* self = nullptr;  ///< the public Store owning this Impl (for Caller)

  /// Makes at least `slots` slots available; false past limits.max_stack_slots
  /// or when the host refuses. The stack may move: callers keep offsets.
  bool reserve_stack(size_t slots);

  // Fuel: fuel_consumed() == fuel_base + fuel_chunk - fuel_ctr. The
  // interpreter decrements its copy of fuel_ctr on every Fuel op and calls
  // refuel() when it would go below zero.
  bool fuel_limited = false;
  uint64_t fuel_limit = 0;
  uint64_t fuel_base = 0;
  uint64_t fuel_chunk = 0;
  uint64_t fuel_ctr = 0;
  bool has_deadline = false;
  std::chrono::steady_clock::time_point deadline;
  /// The deadline needs more than fuel's unit count: one unit may be a pass
  /// through a huge function, or a memory.fill of gigabytes. So a chunk of
  /// units is cut to kWorkTick / max_pass_work (the largest pass_work of any
  /// function in the store), and bulk operations spend from work_left.
  uint64_t max_pass_work = 1;
  uint64_t work_left = kWorkTick;
  /// Spends `w` units of bulk work; false once the deadline has passed.
  bool spend_work(uint64_t w) {
    if (w < work_left) {
      work_left -= w;
      return true;
    }
    work_left = kWorkTick;
    return std::chrono::steady_clock::now() < deadline;
  }

  /// Spends one unit after the fast counter ran out: starts a new chunk (with
  /// the unit taken) or returns "fuel exhausted" / "deadline exceeded".
  const char* refuel();
  void set_fuel(uint64_t fuel);
  uint64_t fuel_consumed() const { return fuel_base + fuel_chunk - fuel_ctr; }
};

}  // namespace warden
