// The interpreter (spec 4.4): runs the compiled code of code.hpp.
#pragma once
#include <cstddef>

#include "runtime.hpp"

namespace warden {

/// Calls `f`. Its arguments are the slots [base, base + param slots) of the
/// store's slot stack, which must have room for max(param, result) slots
/// from `base`; on success the results are at [base, base + result slots).
/// On error every frame this call pushed is gone and the store is usable.
/// Errors: Trap (spec wording), Exhaustion ("call stack exhausted", "fuel
/// exhausted", "deadline exceeded"), or whatever a host function returned.
Result<void> execute(Store::Impl& s, const FuncInst* f, size_t base);

}  // namespace warden
