#include "warden/opcode.hpp"

#include <array>
#include <string_view>
#include <unordered_map>

namespace warden {
namespace {

struct Tables {
  std::array<int16_t, 256> single{};
  std::array<int16_t, 32> fc{};
  std::array<int16_t, 512> fd{};
  std::unordered_map<std::string_view, Op> by_name;

  Tables() {
    single.fill(-1);
    fc.fill(-1);
    fd.fill(-1);
    for (uint16_t i = 0; i < kOpCount; ++i) {
      const OpInfo& o = kOpInfo[i];
      if (o.prefix == 0)
        single[o.code] = static_cast<int16_t>(i);
      else if (o.prefix == 0xFC)
        fc[o.code] = static_cast<int16_t>(i);
      else
        fd[o.code] = static_cast<int16_t>(i);
      by_name.emplace(o.name, static_cast<Op>(i));  // first row wins: select
    }
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

std::optional<Op> from_index(int16_t i) {
  if (i < 0) return std::nullopt;
  return static_cast<Op>(i);
}

}  // namespace

std::optional<Op> lookup_opcode(uint8_t prefix, uint32_t code) {
  const Tables& t = tables();
  if (prefix == 0) return code < t.single.size() ? from_index(t.single[code]) : std::nullopt;
  if (prefix == 0xFC) return code < t.fc.size() ? from_index(t.fc[code]) : std::nullopt;
  if (prefix == 0xFD) return code < t.fd.size() ? from_index(t.fd[code]) : std::nullopt;
  return std::nullopt;
}

std::optional<Op> lookup_opcode(std::string_view text) {
  const Tables& t = tables();
  auto it = t.by_name.find(text);
  if (it == t.by_name.end()) return std::nullopt;
  return it->second;
}

}  // namespace warden
