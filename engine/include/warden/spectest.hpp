// The "spectest" host module that the official testsuite imports from (spec
// interpreter README, "Spectest host module").
#pragma once
#include <cstdio>

#include "warden/warden.hpp"

namespace warden {

/// Creates the spectest objects in `store` and defines them in `linker` under
/// the module name "spectest":
///   func   print, print_i32, print_i64, print_f32, print_f64,
///          print_i32_f32 (i32 f32), print_f64_f64 (f64 f64)   -> no results
///   global global_i32 = i32 666, global_i64 = i64 666,
///          global_f32 = f32 666.6, global_f64 = f64 666.6     (immutable)
///   table  table:  funcref, min 10, max 20, every element null
///   memory memory: min 1 page, max 2 pages, zero-filled
/// The print functions write each argument as "VALUE : TYPE" on its own line
/// to `print_to`, or nothing when it is null (the default).
/// Returns false only if the store refused the table or memory (a Limits
/// setting below the sizes above); the linker then lacks those two entries.
bool define_spectest(Store& store, Linker& linker, std::FILE* print_to = nullptr);

}  // namespace warden
