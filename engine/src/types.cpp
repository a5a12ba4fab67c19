// String names and small conversions for the public value types.
#include <bit>

#include "warden/warden.hpp"

namespace warden {

std::string_view to_string(ValType t) {
  switch (t) {
    case ValType::I32: return "i32";
    case ValType::I64: return "i64";
    case ValType::F32: return "f32";
    case ValType::F64: return "f64";
    case ValType::V128: return "v128";
    case ValType::FuncRef: return "funcref";
    case ValType::ExternRef: return "externref";
  }
  return "?";
}

std::string_view to_string(ExternKind k) {
  switch (k) {
    case ExternKind::Func: return "func";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
  }
  return "?";
}

std::string_view to_string(ErrorKind k) {
  switch (k) {
    case ErrorKind::Malformed: return "malformed";
    case ErrorKind::Invalid: return "invalid";
    case ErrorKind::Unlinkable: return "unlinkable";
    case ErrorKind::Uninstantiable: return "uninstantiable";
    case ErrorKind::Trap: return "trap";
    case ErrorKind::Exhaustion: return "exhausted";
  }
  return "?";
}

Value Value::f32(float v) { return f32_bits(std::bit_cast<uint32_t>(v)); }
Value Value::f64(double v) { return f64_bits(std::bit_cast<uint64_t>(v)); }
float Value::as_f32() const { return std::bit_cast<float>(static_cast<uint32_t>(lo)); }
double Value::as_f64() const { return std::bit_cast<double>(lo); }

}  // namespace warden
