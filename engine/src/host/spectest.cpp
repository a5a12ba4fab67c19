// The "spectest" host module (spec interpreter, host/spectest.ml).
#include "warden/spectest.hpp"

#include "warden/host.hpp"

#include <cinttypes>
#include <cstring>
#include <string>
#include <utility>

namespace warden {
namespace {

void print_value(std::FILE* out, const Value& v) {
  switch (v.type) {
    case ValType::I32: std::fprintf(out, "%" PRId32 " : i32\n", static_cast<int32_t>(v.as_i32())); break;
    case ValType::I64: std::fprintf(out, "%" PRId64 " : i64\n", static_cast<int64_t>(v.as_i64())); break;
    case ValType::F32: {
      float f;
      uint32_t bits = v.as_i32();
      std::memcpy(&f, &bits, sizeof f);
      std::fprintf(out, "%.9g : f32\n", static_cast<double>(f));
      break;
    }
    case ValType::F64: {
      double d;
      uint64_t bits = v.as_i64();
      std::memcpy(&d, &bits, sizeof d);
      std::fprintf(out, "%.17g : f64\n", d);
      break;
    }
    default:  // the print functions take numbers only
      std::fprintf(out, "? : %s\n", std::string(to_string(v.type)).c_str());
      break;
  }
}

void define_print(Store& store, Linker& linker, std::FILE* out, const char* name, std::vector<ValType> params) {
  HostFunc fn = [out](Caller&, std::span<const Value> args, std::span<Value>) -> Result<void> {
    if (out) {
      for (const Value& v : args) print_value(out, v);
      std::fflush(out);
    }
    return {};
  };
  FuncInst* f = store.create_host_func(FuncType{std::move(params), {}}, std::move(fn));
  linker.define("spectest", name, Extern::of(f));
}

}  // namespace

bool define_spectest(Store& store, Linker& linker, std::FILE* print_to) {
  using enum ValType;
  define_print(store, linker, print_to, "print", {});
  define_print(store, linker, print_to, "print_i32", {I32});
  define_print(store, linker, print_to, "print_i64", {I64});
  define_print(store, linker, print_to, "print_f32", {F32});
  define_print(store, linker, print_to, "print_f64", {F64});
  define_print(store, linker, print_to, "print_i32_f32", {I32, F32});
  define_print(store, linker, print_to, "print_f64_f64", {F64, F64});

  // 666.6 rounded to nearest in each format: 0x4426a666 and 0x4084d4cccccccccd.
  linker.define("spectest", "global_i32", Extern::of(store.create_global(Value::i32(666), false)));
  linker.define("spectest", "global_i64", Extern::of(store.create_global(Value::i64(666), false)));
  linker.define("spectest", "global_f32", Extern::of(store.create_global(Value::f32_bits(0x4426a666u), false)));
  linker.define("spectest", "global_f64",
                Extern::of(store.create_global(Value::f64_bits(0x4084d4cccccccccdull), false)));

  bool ok = true;
  auto table = store.create_table(FuncRef, 10, 20, Value::null(FuncRef));
  if (table.ok()) {
    linker.define("spectest", "table", Extern::of(table.value()));
  } else {
    ok = false;
  }
  auto memory = store.create_memory(1, 2);
  if (memory.ok()) {
    linker.define("spectest", "memory", Extern::of(memory.value()));
  } else {
    ok = false;
  }
  return ok;
}

}  // namespace warden
