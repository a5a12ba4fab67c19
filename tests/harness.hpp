// One instance of a module in its own store, for the runtime tests
// (execute_test.cpp, limits_test.cpp): load and instantiate with no imports,
// then call exports by name.
#pragma once
#include <gtest/gtest.h>

#include <optional>
#include <string_view>
#include <vector>

#include "warden/text.hpp"
#include "warden/warden.hpp"
#include "wasm_builder.hpp"

namespace test_harness {

/// The binary of a text module; a parse error fails the test.
inline std::vector<uint8_t> wat_bytes(std::string_view text) {
  warden::Result<std::vector<uint8_t>> b = warden::wat_to_wasm(text);
  EXPECT_TRUE(b.ok()) << (b.ok() ? "" : b.error().message);
  return b.ok() ? *b : std::vector<uint8_t>{};
}

using Results = warden::Result<std::vector<warden::Value>>;

struct Harness {
  warden::Store store;
  warden::Instance* inst = nullptr;

  explicit Harness(const wasm_builder::Bytes& bytes, warden::StoreOptions opts = {}, warden::Limits limits = {})
      : store(limits, opts) {
    auto m = warden::Module::load(bytes, limits);
    if (!m) {
      ADD_FAILURE() << "load: " << m.error().message;
      return;
    }
    auto i = store.instantiate(m.value(), {});
    if (!i) {
      ADD_FAILURE() << "instantiate: " << i.error().message;
      return;
    }
    inst = i.value();
  }

  /// Invokes the function export `name`; Invalid "no such export" if none.
  Results call(std::string_view name, std::vector<warden::Value> args = {}) {
    using warden::Error, warden::ErrorKind;
    if (!inst) return Error{ErrorKind::Invalid, "no instance"};
    std::optional<warden::Extern> e = inst->find_export(name);
    if (!e || e->kind != warden::ExternKind::Func) return Error{ErrorKind::Invalid, "no such export"};
    return store.invoke(e->func, args);
  }
};

}  // namespace test_harness
