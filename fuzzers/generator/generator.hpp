// The valid-module generator: turns arbitrary bytes (a fuzzer's input, or a
// PRNG's output) into a WebAssembly 2.0 module that validates by
// construction, always terminates, and exercises every instruction family.
//
// Validity comes from tracking, while emitting, exactly what the validator
// tracks (spec 3.3): the operand types and the control frames with their
// label types. Every instruction is picked from the one opcode table
// (engine/src/opcodes.def) by its typed row, so new rows are generated
// without touching this code.
//
// Termination: a mutable i32 global ("fuel", exported under kFuelExport) is
// checked and decremented at every function entry and every loop header;
// when it is zero the code executes `unreachable`, as wasm-smith's
// ensure_termination does. Hosts reset it before each call to get a fresh
// budget.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "edge.hpp"
#include "warden/syntax.hpp"

namespace warden::gen {

/// Export name of the fuel global (mutable i32).
inline constexpr const char* kFuelExport = "fuel";

struct GenConfig {
  // ---- features (off = the generated module does not use the proposal)
  bool simd = true;             ///< v128 type and every 0xFD row
  bool reference_types = true;  ///< funcref/externref values, table.*, several tables, typed select
  bool bulk_memory = true;      ///< memory.copy/fill/init, data.drop, table.copy/init, elem.drop, passive segments
  bool multi_value = true;      ///< block types with params / several results, functions with several results
  bool sign_ext = true;         ///< i32.extend8_s ... i64.extend32_s
  bool sat_conversions = true;  ///< i32.trunc_sat_f32_s ... (0xFC 0..7)

  // ---- imports and exports
  bool spectest_imports = true;  ///< may import from a "spectest"-like host (see host.hpp)
  bool export_wrappers = true;   ///< "w<i>": zero-parameter wrappers calling f<i> with constants
  bool allow_start = true;       ///< may declare a start function

  // ---- size caps
  uint32_t max_types = 10;
  uint32_t max_funcs = 8;     ///< defined functions (wrappers not counted)
  uint32_t max_instrs = 160;  ///< per function body, before closing frames
  uint32_t max_nesting = 6;   ///< nested block/loop/if per body
  uint32_t max_params = 4;
  uint32_t max_results = 3;  ///< 1 when !multi_value
  uint32_t max_locals = 6;   ///< declared locals (scratch locals come on top)
  uint32_t max_globals = 6;
  uint32_t max_tables = 3;  ///< defined tables
  uint32_t max_elems = 4;
  uint32_t max_datas = 4;
  uint32_t max_stack = 12;  ///< operand values per frame before the generator prefers consumers

  // ---- resources, declared so growth is comparable across engines
  uint32_t max_memory_pages = 4;  ///< declared maximum of a defined memory
  uint32_t max_table_size = 64;   ///< declared maximum of a defined table
  uint32_t fuel = 1000;           ///< initial value of the fuel global

  // ---- behaviour
  /// No traps except fuel exhaustion: guarded divisors, masked addresses and
  /// indices, no unreachable, no call_indirect, no segment drops.
  bool no_trap = false;
  /// Outside no_trap mode, a potentially trapping instruction is emitted
  /// without its guard once in this many times (0 = always guarded).
  uint32_t unguarded_one_in = 40;
  /// Replace every NaN produced by an operator the spec lets return any NaN
  /// (the table's Nan column) by the canonical NaN, in the generated code,
  /// so engines without a deterministic mode agree bit for bit.
  bool canonical_nan = false;
  /// A memory, table or control operand (address, bulk range, grow delta,
  /// select condition, br_table index) is replaced by an edge value (edge.hpp)
  /// once in this many times (0 = never). Guarded operands get only edges
  /// that cannot trap (the end of memory, length 0 at the end, ...);
  /// unguarded ones (see unguarded_one_in) the trapping ones too.
  uint32_t edge_operand_one_in = 4;

  // ---- measurement
  /// When set, every constant's value class and every operand choice is
  /// counted here (gen_stats). Generation does not depend on it.
  EdgeCounts* edge_counts = nullptr;
};

/// Generate a module (syntax tree). Every input gives a module; once the
/// bytes run out, the generator closes what is open and stops.
ast::Module generate_ast(std::span<const uint8_t> fuzz_bytes, const GenConfig& cfg = {});

/// generate_ast, then the binary encoding.
std::vector<uint8_t> generate_module(std::span<const uint8_t> fuzz_bytes, const GenConfig& cfg = {});

/// A config derived from the first bytes of `fuzz_bytes` (features on or
/// off, sizes), for fuzz targets that want to vary it; returns the number
/// of bytes consumed through `used`.
GenConfig config_from_bytes(std::span<const uint8_t> fuzz_bytes, size_t* used);

/// Whether the configuration's feature switches allow this table row (the
/// generator emits only these; a statistic over them is "coverage").
bool op_enabled(const GenConfig& cfg, Op op);

}  // namespace warden::gen
