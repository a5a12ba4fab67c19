// Warden's public C++ API: load, validate, instantiate and run WebAssembly 2.0.
//
// Nothing on the execution path throws. Every failure is a warden::Error whose
// kind names the phase (spec: decoding, validation, linking, instantiation,
// execution, or one of Warden's resource limits) and whose message uses the
// spec testsuite's wording.
//
// Threads. A Module (and the shared_ptr to it) is immutable once loaded:
// any number of threads may instantiate it at once, each into its own
// Store. A Store, and everything in it (instances, memories, tables,
// globals, host functions' state such as a wasi::Context linked into it),
// belongs to one thread at a time; calls into one Store must not overlap.
// A Linker is read-only after its definitions and may be shared once built;
// Module::load and the free functions (decode, validate, wat_to_wasm, ...)
// may run concurrently. tests/threads_test.cpp checks the first rule under
// ThreadSanitizer (the tsan preset), and `warden serve` relies on it.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace warden {

// ---------------------------------------------------------------- types ----

/// Value types with their binary encodings (spec 5.3.1-5.3.3).
enum class ValType : uint8_t {
  I32 = 0x7F,
  I64 = 0x7E,
  F32 = 0x7D,
  F64 = 0x7C,
  V128 = 0x7B,
  FuncRef = 0x70,
  ExternRef = 0x6F,
};
/// "i32", "funcref", ...
std::string_view to_string(ValType t);
constexpr bool is_ref(ValType t) { return t == ValType::FuncRef || t == ValType::ExternRef; }
/// Operand-stack slots (8 bytes each) a value of this type occupies.
constexpr uint32_t slots(ValType t) { return t == ValType::V128 ? 2 : 1; }

enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3 };
std::string_view to_string(ExternKind k);

struct FuncType {
  std::vector<ValType> params, results;
  bool operator==(const FuncType&) const = default;
};

// --------------------------------------------------------------- errors ----

/// The phase an error belongs to (spec 7: the script's assertion kinds).
enum class ErrorKind : uint8_t {
  Malformed,       ///< binary or text does not decode
  Invalid,         ///< decodes but fails validation
  Unlinkable,      ///< imports do not match
  Uninstantiable,  ///< a trap during instantiation (segments, start)
  Trap,            ///< a trap during invocation
  Exhaustion,      ///< a Warden resource limit was hit (see Limits)
};
/// "malformed", "invalid", "unlinkable", "uninstantiable", "trap", "exhausted"
std::string_view to_string(ErrorKind k);

inline constexpr uint64_t kNoOffset = ~uint64_t{0};

struct Error {
  ErrorKind kind = ErrorKind::Trap;
  std::string message;          ///< spec wording, e.g. "integer divide by zero"
  uint64_t offset = kNoOffset;  ///< byte offset in the module, where known
};

/// A value or an Error. Never throws; check ok() before value().
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T v) : v_(std::move(v)) {}
  Result(Error e) : v_(std::move(e)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e) : e_(std::move(e)) {}
  bool ok() const { return !e_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& { return *e_; }
  Error&& error() && { return std::move(*e_); }

 private:
  std::optional<Error> e_;
};

// --------------------------------------------------------------- values ----

struct V128 {
  uint64_t lo = 0, hi = 0;  ///< little endian: byte 0 is lo's lowest byte
  bool operator==(const V128&) const = default;
};

struct FuncInst;  // runtime objects owned by a Store (engine/src/runtime.hpp)
struct TableInst;
struct MemoryInst;
struct GlobalInst;

/// A typed WebAssembly value, held as raw bits so NaN payloads survive.
/// i32/f32 occupy lo's low 32 bits (upper bits zero); v128 uses lo and hi;
/// funcref holds a FuncInst address; externref holds a host word. A
/// reference is null exactly when lo == 0.
struct Value {
  ValType type = ValType::I32;
  uint64_t lo = 0, hi = 0;

  static Value i32(uint32_t v) { return {ValType::I32, v, 0}; }
  static Value i64(uint64_t v) { return {ValType::I64, v, 0}; }
  static Value f32_bits(uint32_t v) { return {ValType::F32, v, 0}; }
  static Value f64_bits(uint64_t v) { return {ValType::F64, v, 0}; }
  static Value f32(float v);
  static Value f64(double v);
  static Value v128(V128 v) { return {ValType::V128, v.lo, v.hi}; }
  static Value funcref(const FuncInst* f) { return {ValType::FuncRef, reinterpret_cast<uintptr_t>(f), 0}; }
  /// `word` must be non-zero: zero is the null externref.
  static Value externref(uint64_t word) { return {ValType::ExternRef, word, 0}; }
  static Value null(ValType t) { return {t, 0, 0}; }

  uint32_t as_i32() const { return static_cast<uint32_t>(lo); }
  uint64_t as_i64() const { return lo; }
  float as_f32() const;
  double as_f64() const;
  V128 as_v128() const { return {lo, hi}; }
  const FuncInst* as_func() const { return reinterpret_cast<const FuncInst*>(static_cast<uintptr_t>(lo)); }
  bool is_null() const { return lo == 0; }
  bool operator==(const Value&) const = default;  // bitwise
};

// --------------------------------------------------------------- limits ----

/// Every resource Warden will spend on an untrusted module. Each is enforced
/// with an Exhaustion error, never a crash or a hang. Defaults and reasons are
/// documented in README.md ("Limits").
struct Limits {
  // Load time (decoder and validator).
  /// Whole binary. Not the JS API's 1 GiB: a loaded module keeps its syntax
  /// tree and compiled code, up to ~40 bytes per input byte (a 32-byte AST
  /// node per one-byte instruction, plus its code words), so 64 MiB bounds a
  /// load at a few GiB where 1 GiB would allow tens.
  uint64_t max_module_bytes = 64ull << 20;
  uint32_t max_functions = 1'000'000;  ///< imported + defined
  uint32_t max_locals = 50'000;        ///< params + locals of one function
  /// Nested blocks/loops/ifs in one body. Above what any module the web
  /// accepts can reach: V8 caps a body at 7,654,321 bytes and each level
  /// costs 3 (block, type, end), so at most ~2.55M levels. The validator's
  /// control stack is explicit (heap, not host stack), so a level costs
  /// memory in proportion to the bytes that declared it.
  uint32_t max_nesting = 1u << 22;
  /// Params, and separately results, of one function type (the JS API's
  /// limit). Validation costs that much per block, call or branch using it.
  uint32_t max_params = 1'000;
  /// Workers a load validates and compiles function bodies with (at most
  /// kMaxLoadThreads). 1: the calling thread alone. Above 1 the bodies are
  /// dealt out in runs of consecutive ones, largest first, and a worker gets
  /// a thread of its own for every 256 KiB of bodies, the calling thread
  /// running the rest. The
  /// outcome (the module, or the error: kind, message and offset) is the
  /// same for every count (docs/design.md, "Loading on several threads").
  uint32_t load_threads = 1;
  static constexpr uint32_t kMaxLoadThreads = 64;
  // Run time (store).
  uint64_t max_memory_bytes = 1ull << 32;    ///< per memory; grow fails past it
  uint32_t max_table_elements = 10'000'000;  ///< per table; grow fails past it
  /// All tables of a store together (8 bytes each, allocated and zeroed when
  /// a table is created or grown), so many tables cannot multiply the above.
  /// Also bounds the elements of all segments of one module.
  uint64_t max_store_table_elements = 10'000'000;
  uint32_t max_call_depth = 20'000;     ///< wasm frames on the stack
  uint32_t max_stack_slots = 1u << 22;  ///< locals + operands, 8 B each
  uint64_t fuel = 0;                    ///< 0 = unlimited, see Store::fuel
  uint64_t timeout_ms = 0;              ///< 0 = none; wall-clock deadline
};

struct StoreOptions {
  /// Canonicalise every NaN result of float arithmetic (spec 4.3.3 lets an
  /// engine pick any arithmetic NaN) so every host produces identical bits.
  bool deterministic = false;
};

// --------------------------------------------------------------- module ----

namespace detail {
struct Access;
}  // namespace detail

struct ImportInfo {
  std::string module, name;
  ExternKind kind;
};

struct ExportInfo {
  std::string name;
  ExternKind kind;
  uint32_t index;  ///< in the kind's index space
};

/// A decoded, validated and compiled module. Immutable; shareable between
/// stores and threads. (Its syntax tree: warden/syntax.hpp, syntax_of.)
class Module {
 public:
  /// Decode (spec 5), validate (spec 3) and compile. Errors: Malformed,
  /// Invalid, Exhaustion (load-time limits).
  static Result<std::shared_ptr<const Module>> load(std::span<const uint8_t> bytes, const Limits& limits = {});
  /// Decode and validate without compiling (as WebAssembly.validate): ok,
  /// or the error load() would give (kind, message and offset), in less
  /// time and memory; nothing is kept.
  static Result<void> validate(std::span<const uint8_t> bytes, const Limits& limits = {});

  std::vector<ImportInfo> imports() const;
  std::vector<ExportInfo> exports() const;
  /// The type of the function with index `func` (imports first).
  const FuncType& func_type(uint32_t func) const;

  struct Impl;
  explicit Module(std::unique_ptr<Impl> impl);  ///< for the engine (Impl is private)
  ~Module();

 private:
  friend struct detail::Access;
  std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------- store ----

/// A handle to a runtime object, as exports and imports carry them.
struct Extern {
  ExternKind kind = ExternKind::Func;
  FuncInst* func = nullptr;
  TableInst* table = nullptr;
  MemoryInst* memory = nullptr;
  GlobalInst* global = nullptr;

  static Extern of(FuncInst* f) {
    Extern e;
    e.kind = ExternKind::Func;
    e.func = f;
    return e;
  }
  static Extern of(TableInst* t) {
    Extern e;
    e.kind = ExternKind::Table;
    e.table = t;
    return e;
  }
  static Extern of(MemoryInst* m) {
    Extern e;
    e.kind = ExternKind::Memory;
    e.memory = m;
    return e;
  }
  static Extern of(GlobalInst* g) {
    Extern e;
    e.kind = ExternKind::Global;
    e.global = g;
    return e;
  }
};

class Caller;  // warden/host.hpp

/// A host function: reads `args` (already type-checked), writes every entry
/// of `results` (pre-sized and pre-typed). `caller` gives the calling
/// instance's memory, bounds-checked (warden/host.hpp). Returning an Error
/// ends the invocation with it (a Trap, or the Error as given); an
/// exception thrown out of it is caught and becomes a Trap.
using HostFunc = std::function<Result<void>(Caller& caller, std::span<const Value> args, std::span<Value> results)>;

class Instance {
 public:
  /// The export with this name, if any.
  std::optional<Extern> find_export(std::string_view name) const;
  const std::vector<std::pair<std::string, Extern>>& exports() const { return exports_; }
  const Module& module() const { return *module_; }

  struct Impl;
  Instance(std::shared_ptr<const Module> m, std::unique_ptr<Impl> impl);
  ~Instance();

 private:
  friend class Store;
  friend struct detail::Access;
  std::shared_ptr<const Module> module_;
  std::vector<std::pair<std::string, Extern>> exports_;
  std::unique_ptr<Impl> impl_;
};

/// Owns every runtime object (spec 4.2.3). Objects live as long as the store.
/// Not thread-safe; use one store per thread.
class Store {
 public:
  explicit Store(const Limits& limits = {}, StoreOptions options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Host objects, e.g. the spec testsuite's "spectest" module.
  FuncInst* create_host_func(FuncType type, HostFunc fn);
  /// Errors: Exhaustion when min exceeds the limits.
  Result<TableInst*> create_table(ValType elem, uint32_t min, std::optional<uint32_t> max, Value init);
  Result<MemoryInst*> create_memory(uint32_t min_pages, std::optional<uint32_t> max_pages);
  GlobalInst* create_global(Value v, bool mut);

  /// Instantiate (spec 4.5.4) with one Extern per module import, in order.
  /// Errors: Unlinkable ("unknown import" is the Linker's; here "incompatible
  /// import type"), Uninstantiable (a segment or the start function trapped;
  /// message is the trap's), Exhaustion (limits).
  Result<Instance*> instantiate(std::shared_ptr<const Module> m, std::span<const Extern> imports);

  /// Call a function. Errors: Trap, Exhaustion; Invalid "type mismatch" when
  /// the arguments do not match the function's parameters. Never throws:
  /// when the host has no memory for a frame, an argument or a message,
  /// the error is Exhaustion "out of memory" (or "call stack exhausted").
  Result<std::vector<Value>> invoke(const FuncInst* f, std::span<const Value> args) noexcept;

  const FuncType& func_type(const FuncInst* f) const;

  // Memory: byte access is bounds-checked; data() is valid until next grow.
  std::span<uint8_t> memory_data(MemoryInst* m);
  uint32_t memory_pages(const MemoryInst* m) const;
  std::optional<uint32_t> memory_max(const MemoryInst* m) const;

  // Tables.
  uint32_t table_size(const TableInst* t) const;
  ValType table_type(const TableInst* t) const;
  std::optional<uint32_t> table_max(const TableInst* t) const;
  std::optional<Value> table_get(const TableInst* t, uint32_t i) const;
  bool table_set(TableInst* t, uint32_t i, Value v);

  // Globals.
  Value global_get(const GlobalInst* g) const;
  bool global_mutable(const GlobalInst* g) const;
  /// Errors: Invalid "type mismatch" or "global is immutable".
  Result<void> global_set(GlobalInst* g, Value v);

  /// Fuel: each function entry and each loop iteration costs one unit.
  /// Starts at Limits::fuel (0 = unlimited).
  void set_fuel(uint64_t fuel);
  uint64_t fuel_consumed() const;

  /// What the store holds now: the bytes of all its memories (the peak:
  /// memories never shrink) and the elements of all its tables.
  uint64_t memory_bytes() const;
  uint64_t table_elements() const;

  const Limits& limits() const;
  const StoreOptions& options() const;

  struct Impl;

 private:
  friend struct detail::Access;
  std::unique_ptr<Impl> impl_;
};

struct HostModule;  // warden/host.hpp
class Grants;

/// Resolves imports by (module, name), as the spec script's `register` does.
class Linker {
 public:
  void define(std::string module, std::string name, Extern e);
  /// Define every export of `inst` under the module name `module`.
  void define_instance(const std::string& module, const Instance& inst);
  /// Create `host`'s functions in `store` and define them under host.name,
  /// each only if `granted` has the capability it needs; the others are
  /// recorded as denied, so that resolving an import of one fails with
  /// "M.N needs capability C (not granted)".
  void define_host(Store& store, const HostModule& host, const Grants& granted);
  /// One Extern per import of `m`. Errors: Unlinkable "unknown import M.N",
  /// or "M.N needs capability C (not granted)".
  Result<std::vector<Extern>> resolve(const Module& m) const;

 private:
  std::map<std::pair<std::string, std::string>, Extern> defs_;         // (module, name)
  std::map<std::pair<std::string, std::string>, std::string> denied_;  // -> capability name
};

}  // namespace warden
