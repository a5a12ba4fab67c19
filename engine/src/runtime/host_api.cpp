// GuestMemory (warden/host.hpp): the host's only way into guest memory.
// Every access is checked against the memory's size as it is now, in 64-bit
// arithmetic: ptr and len are each below 2^64 but their sum may not be, so
// the check is len <= size && ptr <= size - len, which cannot wrap.
#include <cstring>

#include "runtime/runtime.hpp"
#include "warden/host.hpp"

namespace warden {

uint64_t GuestMemory::size() const { return m_ ? m_->size : 0; }

bool GuestMemory::in_bounds(uint64_t ptr, uint64_t len) const {
  const uint64_t n = size();
  return len <= n && ptr <= n - len;
}

std::optional<std::span<uint8_t>> GuestMemory::bytes(uint64_t ptr, uint64_t len) const {
  if (!in_bounds(ptr, len)) return std::nullopt;
  if (len == 0) return std::span<uint8_t>();
  return std::span<uint8_t>(m_->data + ptr, static_cast<size_t>(len));
}

bool GuestMemory::read(uint64_t ptr, std::span<uint8_t> out) const {
  if (!in_bounds(ptr, out.size())) return false;
  if (!out.empty()) std::memcpy(out.data(), m_->data + ptr, out.size());
  return true;
}

bool GuestMemory::write(uint64_t ptr, std::span<const uint8_t> in) const {
  if (!in_bounds(ptr, in.size())) return false;
  if (!in.empty()) std::memmove(m_->data + ptr, in.data(), in.size());
  return true;
}

namespace {
constexpr std::string_view kCapabilityNames[] = {"none", "args", "env", "clock", "random", "fs", "exit"};
static_assert(std::size(kCapabilityNames) == static_cast<size_t>(Capability::Count_));
}  // namespace

std::string_view to_string(Capability c) { return kCapabilityNames[static_cast<size_t>(c)]; }

std::optional<Capability> capability_named(std::string_view name) {
  for (size_t i = 0; i < std::size(kCapabilityNames); ++i)
    if (kCapabilityNames[i] == name) return static_cast<Capability>(i);
  return std::nullopt;
}

}  // namespace warden
