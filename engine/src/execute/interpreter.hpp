// The interpreter (spec 4.4): runs the compiled code of code.hpp.
//
// Nothing here throws. Frames and the slot stack are RawBuffers (a failed
// grow is "call stack exhausted"), host-call arguments live in the store's
// scratch buffer, and an error message that cannot be allocated becomes
// Exhaustion "out of memory".
#pragma once
#include <cstddef>

#include "runtime/runtime.hpp"

namespace warden {

/// Calls `f`. Its arguments are the slots [base, base + param slots) of the
/// store's slot stack, which must have room for max(param, result) slots
/// from `base`; on success the results are at [base, base + result slots).
/// On error every frame this call pushed is gone and the store is usable.
/// Errors: Trap (spec wording), Exhaustion ("call stack exhausted", "fuel
/// exhausted", "deadline exceeded", "out of memory"), or whatever a host
/// function returned.
Result<void> execute(Store::Impl& s, const FuncInst* f, size_t base) noexcept;

/// The op words the interpreter runs (code.hpp, Context::op_words): for
/// each of the code::kWordCount op numbers, the address of its handler.
/// Code compiled without them must never be executed.
const uint64_t* op_words() noexcept;

/// execute(), keeping the store's invoke nesting count (kMaxNestedInvokes)
/// and starting the wall-clock deadline for an outermost call. The entry
/// point of Store::invoke and of a start function.
Result<void> run(Store::Impl& s, const FuncInst* f, size_t base) noexcept;

/// Error{kind, message}, or Exhaustion "out of memory" when the message
/// cannot be allocated. "out of memory" fits std::string's inline buffer
/// (libstdc++ and libc++ keep at least 15 chars inline), so the fallback
/// itself allocates nothing.
Error error_noexcept(ErrorKind kind, const char* message) noexcept;

}  // namespace warden
