// Oracles shared by more than one target.
#pragma once
#include <cstdint>
#include <memory>
#include <span>

#include "warden/warden.hpp"

namespace warden::fuzz {

/// Load `bytes` under tight limits and check (aborting via fail()):
///  1. only ok, Malformed, Invalid or Exhaustion come out, and load agrees
///     with decode: a decoder error is load's error, a decoded tree fails
///     (if at all) as Invalid or Exhaustion;
///  2. round trip: a decoded tree, re-encoded, decodes to the same tree, the
///     encoding is a fixpoint, and the re-encoded bytes load with the same
///     outcome (same error kind and message); for canonical input (the
///     encoding is the input itself) that is the first decode and load
///     again, and is not repeated;
///  3. validating the tree directly (load_syntax) agrees with load, and
///     syntax_of() is the decoded tree (without the function bodies and
///     custom sections, which it does not keep);
///  4. with `other_loads`: Module::validate (no compiling) gives load's
///     outcome, the error's offset included, on 1, 2 or 3 load threads by
///     the sum of the input's bytes modulo 3, so that a mutant of the same
///     length may take another path (Limits::load_threads: beyond one, the
///     bodies are decoded after the rest of the module, in runs dealt to
///     the workers by size, then merged). Validating
///     differs from loading only in not emitting; the deferred path's code
///     is compared with the one-thread load's by
///     LoadOnePass.SpecTestsuiteModulesAgreeWithTwoPasses and
///     load_threads_tsan, which also runs the workers on threads of their
///     own. binary_mutate asks for it; decode_validate does not, as it
///     would cost that target a third pass over every body.
/// Returns the loaded module, or null.
std::shared_ptr<const Module> check_binary(std::span<const uint8_t> bytes, bool other_loads = false);

/// The limits check_binary loads with.
Limits tight_limits();

}  // namespace warden::fuzz
