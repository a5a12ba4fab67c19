// Invocation (spec 4.5.5): Store::invoke and the nesting/deadline wrapper
// around execute(). In the execute layer, not the runtime layer, because it
// calls the interpreter; the runtime layer below never does.
#include <algorithm>
#include <chrono>
#include <new>

#include "execute/interpreter.hpp"

namespace warden {

Error error_noexcept(ErrorKind kind, const char* message) noexcept {
  try {
    return Error{kind, message};
  } catch (...) {
    return Error{ErrorKind::Exhaustion, "out of memory"};
  }
}

Result<void> run(Store::Impl& s, const FuncInst* f, size_t base) noexcept {
  if (s.running >= kMaxNestedInvokes) return error_noexcept(ErrorKind::Exhaustion, "call stack exhausted");
  if (s.running == 0 && s.has_deadline)
    s.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(s.limits.timeout_ms);
  ++s.running;
  Result<void> r = execute(s, f, base);
  --s.running;
  return r;
}

Result<std::vector<Value>> Store::invoke(const FuncInst* f, std::span<const Value> args) noexcept {
  Impl& s = *impl_;
  const FuncType& ft = s.types[f->type_id];
  if (args.size() != ft.params.size()) return error_noexcept(ErrorKind::Invalid, "type mismatch");
  for (size_t i = 0; i < args.size(); ++i)
    if (args[i].type != ft.params[i]) return error_noexcept(ErrorKind::Invalid, "type mismatch");
  const size_t base = s.stack_top;
  if (!s.reserve_stack(base + std::max(f->param_slots, f->result_slots)))
    return error_noexcept(ErrorKind::Exhaustion, "call stack exhausted");
  uint64_t* p = s.stack.data() + base;
  for (const Value& a : args) {
    value_to_slots(a, p);
    p += slots(a.type);
  }
  Result<void> r = run(s, f, base);
  s.stack_top = base;
  if (!r) return std::move(r).error();
  try {
    std::vector<Value> results;
    results.reserve(ft.results.size());
    const uint64_t* q = s.stack.data() + base;
    for (ValType t : ft.results) {
      results.push_back(value_from_slots(t, q));
      q += slots(t);
    }
    return results;
  } catch (const std::bad_alloc&) {
    return error_noexcept(ErrorKind::Exhaustion, "out of memory");
  }
}

}  // namespace warden
