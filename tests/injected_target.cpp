// A fuzz target with bugs injected on purpose, for `warden repro`'s tests
// (repro_test.cpp): built with AddressSanitizer as replay_injected, it loads
// the input as a module like decode_validate, then
//   - reads one byte past a heap buffer when the module has a custom
//     section named "inject-overflow" (a crash with a stack to report);
//   - spins forever when it has one named "inject-hang" (a timeout).
// Nothing else links it.
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <thread>

#include "warden/warden.hpp"

namespace {

bool has_custom(const uint8_t* data, size_t size, std::string_view name) {
  return std::string_view(reinterpret_cast<const char*>(data), size).find(name) != std::string_view::npos;
}

[[gnu::noinline]] uint8_t injected_bug(const uint8_t* data, size_t size) {
  auto copy = std::make_unique<uint8_t[]>(size);
  std::memcpy(copy.get(), data, size);
  volatile size_t past = size;
  return copy[past];  // heap-buffer-overflow, on purpose
}

[[gnu::noinline]] void injected_hang() {
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto m = warden::Module::load(std::span<const uint8_t>(data, size));
  if (!m) return 0;
  if (has_custom(data, size, "inject-overflow")) return injected_bug(data, size);
  if (has_custom(data, size, "inject-hang")) injected_hang();
  return 0;
}
