// The tables from each engine's own words to comparable facts: trap
// messages to trap kinds, load-error messages to verdicts. One table each,
// in messages.cpp; nothing else interprets an engine's text.
#pragma once
#include <cstdint>
#include <string_view>

#include "engine.hpp"

namespace warden::diff {

/// The TrapKind bits an engine's trap message stands for; kTrapUnknown when
/// the table has no row for it. `engine` is Engine::name(), or "spec" for
/// the spec testsuite's wording (Warden's, and the fallback for a protocol
/// engine's trap without kinds).
uint32_t trap_kinds(std::string_view engine, std::string_view message);

/// The TrapKind bits of names joined by '|' as trap_names() writes them
/// ("uninitialized|indirect-type"); a name it does not know, or none, is
/// kTrapUnknown (the engine protocol's "trap" field).
uint32_t trap_kinds_named(std::string_view names);

/// The verdict an engine's load-error message stands for: Malformed or
/// Invalid where the message says which, Unsupported for a feature the
/// engine lacks, Limit for an implementation limit, else Rejected.
Verdict load_verdict(std::string_view engine, std::string_view message);

}  // namespace warden::diff
