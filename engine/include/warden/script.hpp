// Public: the spec runner (spec-tests/) and `warden wast` read scripts.
// The WebAssembly script format (.wast, spec interpreter/README "Scripts"):
// the commands of the official testsuite, parsed into data the spec runner
// (spec-tests/) executes against the public API.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "warden/syntax.hpp"
#include "warden/warden.hpp"

namespace warden::text {

struct Pos {
  uint32_t line = 0, col = 0;  // 1-based
};

/// A module as a script writes it.
struct ScriptModule {
  enum class Form : uint8_t {
    Text,    ///< (module ...)        parsed: `module` holds it
    Binary,  ///< (module binary ...) `bytes` holds the concatenated strings
    Quote,   ///< (module quote ...)  `quote` holds the concatenated text,
             ///<                     parsed only when the runner asks
  };
  Form form = Form::Text;
  std::optional<std::string> id;  ///< $name, without the '$'
  ast::Module module;
  std::vector<uint8_t> bytes;
  std::string quote;
  Pos pos;
};

/// (invoke $id? "name" const*) or (get $id? "name")
struct Action {
  enum class Kind : uint8_t { Invoke, Get };
  Kind kind = Kind::Invoke;
  std::optional<std::string> module;  ///< $id without '$'; none = last module
  std::string name;
  std::vector<Value> args;  ///< externref args: `ref.extern N` is word N + 1
  Pos pos;
};

/// One expected value of assert_return.
struct Expected {
  enum class Kind : uint8_t {
    Exact,     ///< bit-exact `value` (ref.null t: a null of that type;
               ///< ref.extern N: word N + 1)
    CanonNan,  ///< nan:canonical
    ArithNan,  ///< nan:arithmetic
    AnyRef,    ///< (ref.func) or (ref.extern) without index: any non-null
    Lanes,     ///< v128 with per-lane patterns (some lane is a NaN pattern)
  };
  Kind kind = Kind::Exact;
  Value value;                   ///< Exact; also gives the type for NaN kinds
  ValType shape = ValType::I32;  ///< Lanes: F32 (f32x4) or F64 (f64x2)
  std::vector<Expected> lanes;   ///< Lanes: one scalar Expected per lane
};

struct Command {
  enum class Kind : uint8_t {
    Module,                ///< define (and instantiate) `module`
    Register,              ///< (register "as" $id?)
    Action,                ///< a bare invoke/get
    AssertReturn,          ///< action, expected
    AssertTrap,            ///< action or module (instantiation trap), text
    AssertExhaustion,      ///< action, text
    AssertMalformed,       ///< module, text
    AssertInvalid,         ///< module, text
    AssertUnlinkable,      ///< module, text
    AssertUninstantiable,  ///< module, text
  };
  Kind kind = Kind::Module;
  Pos pos;
  std::optional<ScriptModule> module;
  std::optional<struct Action> action;
  std::vector<Expected> expected;
  std::string text;                        ///< expected failure message
  std::string register_as;                 ///< Register: the import name
  std::optional<std::string> register_id;  ///< Register: $id, none = last
};

struct Script {
  std::vector<Command> commands;
};

/// Parse a whole script. Errors are Malformed; the message is the spec
/// wording alone (e.g. "unknown operator i32.foo", "unexpected token"), so
/// assert_malformed texts match it by prefix, and Error::offset carries the
/// source position as text_offset(line, col) (see below).
Result<Script> parse_script(std::string_view source);

/// Text positions in Error::offset: line in the high 32 bits, column (1-based,
/// in bytes) in the low 32 bits.
constexpr uint64_t text_offset(uint32_t line, uint32_t col) { return (uint64_t{line} << 32) | col; }
constexpr Pos text_pos(uint64_t offset) {
  return Pos{static_cast<uint32_t>(offset >> 32), static_cast<uint32_t>(offset)};
}

/// Parse one text module, `(module ...)` or the bare fields the spec allows
/// (spec 6.6.13). Used for quote modules and by `warden wat2wasm`. Errors as
/// parse_script's.
Result<ast::Module> parse_module(std::string_view source);

}  // namespace warden::text
