// Warden's host API: what a host function sees of its caller, and host
// modules defined once and linked by name under the operator's grants.
//
// The sandbox's only doors are host functions. So a host function reaches
// guest memory only through GuestMemory, whose every access is checked in
// 64-bit arithmetic against the memory's current size, and a host module's
// functions are linked only when the capability each needs was granted:
// deny by default (docs/sandbox.md).
#pragma once
#include <bitset>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "warden/warden.hpp"

namespace warden {

/// The host API's version. Raised whenever a change here can break an
/// embedder's code; `warden --version` prints it.
inline constexpr uint32_t kHostApiVersion = 1;

/// A bounds-checked view of one guest memory. It holds no pointer into the
/// bytes: every access re-reads the memory's base and size, so a view stays
/// correct after memory.grow or a nested call into the store. An access
/// [ptr, ptr + len) is allowed only when ptr + len, computed in 64 bits,
/// is at most the current size; otherwise nothing is read or written.
class GuestMemory {
 public:
  GuestMemory() = default;
  explicit GuestMemory(MemoryInst* m) : m_(m) {}

  /// False when the caller has no memory (or was the host itself).
  bool present() const { return m_ != nullptr; }
  /// Current size in bytes (0 when absent).
  uint64_t size() const;
  /// True when [ptr, ptr + len) lies inside the memory.
  bool in_bounds(uint64_t ptr, uint64_t len) const;
  /// The bytes [ptr, ptr + len), or nullopt when out of bounds. Valid only
  /// until the guest runs again or the memory grows: do not keep it.
  std::optional<std::span<uint8_t>> bytes(uint64_t ptr, uint64_t len) const;
  /// Copies out of / into guest memory; false (and nothing copied) when
  /// out of bounds.
  bool read(uint64_t ptr, std::span<uint8_t> out) const;
  bool write(uint64_t ptr, std::span<const uint8_t> in) const;

  /// Little-endian integers (WASI's layout), nullopt/false when out of bounds.
  template <class T>
  std::optional<T> load(uint64_t ptr) const {
    static_assert(std::is_integral_v<T>);
    uint8_t b[sizeof(T)];
    if (!read(ptr, b)) return std::nullopt;
    T v;
    std::memcpy(&v, b, sizeof(T));
    return v;
  }
  template <class T>
  bool store(uint64_t ptr, T v) const {
    static_assert(std::is_integral_v<T>);
    uint8_t b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    return write(ptr, b);
  }

 private:
  MemoryInst* m_ = nullptr;
};

/// What a host function knows of the call: the calling instance's memory
/// and the store (a host function may call back into it with invoke).
class Caller {
 public:
  Caller(Store& store, MemoryInst* memory) : store_(&store), memory_(memory) {}
  /// Memory 0 of the calling wasm instance; absent when the caller has no
  /// memory or the function was invoked directly by the embedder.
  GuestMemory memory() const { return GuestMemory(memory_); }
  Store& store() const { return *store_; }

 private:
  Store* store_;
  MemoryInst* memory_;
};

/// What a host function can reach beyond its arguments and the caller's
/// memory. The operator grants capabilities; none is granted by default.
enum class Capability : uint8_t {
  None,    ///< pure computation, or reaches only what other grants opened
  Args,    ///< the command-line arguments the operator passed
  Env,     ///< the environment variables the operator passed
  Clock,   ///< wall-clock and monotonic time
  Random,  ///< host randomness
  Fs,      ///< the preopened directories
  Exit,    ///< ending the run with an exit status of the guest's choosing
  Count_,
};
/// "none", "args", "env", "clock", "random", "fs", "exit"
std::string_view to_string(Capability c);
std::optional<Capability> capability_named(std::string_view name);

/// A set of granted capabilities. Capability::None is always granted.
class Grants {
 public:
  Grants& grant(Capability c) {
    bits_.set(static_cast<size_t>(c));
    return *this;
  }
  bool has(Capability c) const { return c == Capability::None || bits_.test(static_cast<size_t>(c)); }
  static Grants all() {
    Grants g;
    g.bits_.set();
    return g;
  }

 private:
  std::bitset<static_cast<size_t>(Capability::Count_)> bits_;
};

/// One function of a host module.
struct HostFuncDef {
  std::string name;
  FuncType type;
  Capability needs = Capability::None;
  HostFunc fn;
};

/// A host module, defined once: its import name and its functions.
struct HostModule {
  std::string name;
  std::vector<HostFuncDef> funcs;
};

}  // namespace warden
