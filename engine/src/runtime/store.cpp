// The store (spec 4.2.3): host-created objects, accessors, and the
// fuel/deadline accounting the interpreter drives. Invocation (spec 4.5.5)
// is the execute layer's (execute/invoke.cpp), instantiation the
// instantiate layer's: this layer calls neither.
#include <algorithm>
#include <chrono>

#include "runtime/runtime.hpp"

namespace warden {
namespace {

/// With a deadline, the clock is read at least once per this many fuel units
/// (more often when the store holds big functions, see Impl::max_pass_work).
constexpr uint64_t kDeadlineTick = 4096;
/// Without fuel or deadline a chunk never ends in practice.
constexpr uint64_t kUnboundedChunk = uint64_t{1} << 62;
/// The slot stack starts this big (8 KiB) and doubles (up to
/// limits.max_stack_slots). It was 16 Ki slots: zeroing 128 KiB on every
/// store's first call was a tenth of the execute fuzzer's time under ASan.
constexpr size_t kInitialStackSlots = 1024;

Error invalid(std::string m) { return Error{ErrorKind::Invalid, std::move(m)}; }
Error exhausted(std::string m) { return Error{ErrorKind::Exhaustion, std::move(m)}; }

}  // namespace

// ------------------------------------------------------------ Store::Impl ----

uint32_t Store::Impl::intern(const FuncType& t) {
  std::string key;
  key.reserve(t.params.size() + t.results.size() + 1);
  for (ValType v : t.params) key.push_back(static_cast<char>(v));
  key.push_back('\0');  // no value type encodes as 0
  for (ValType v : t.results) key.push_back(static_cast<char>(v));
  auto [it, added] = type_ids.try_emplace(std::move(key), static_cast<uint32_t>(types.size()));
  if (added) types.push_back(t);
  return it->second;
}

bool Store::Impl::reserve_stack(size_t n) {
  if (n > limits.max_stack_slots) return false;
  return stack.reserve(std::max<uint64_t>(n, std::min<size_t>(kInitialStackSlots, limits.max_stack_slots)),
                       limits.max_stack_slots);
}

const char* Store::Impl::refuel() {
  fuel_base += fuel_chunk - fuel_ctr;
  fuel_chunk = fuel_ctr = 0;
  if (has_deadline && running > 0 && std::chrono::steady_clock::now() >= deadline) return "deadline exceeded";
  uint64_t chunk = has_deadline ? std::clamp<uint64_t>(kWorkTick / max_pass_work, 1, kDeadlineTick) : kUnboundedChunk;
  if (fuel_limited) {
    if (fuel_base >= fuel_limit) return "fuel exhausted";
    chunk = std::min(chunk, fuel_limit - fuel_base);
  }
  fuel_chunk = chunk;
  fuel_ctr = chunk - 1;  // the unit being spent now
  return nullptr;
}

void Store::Impl::set_fuel(uint64_t fuel) {
  fuel_limited = fuel != 0;
  fuel_limit = fuel;
  fuel_base = fuel_chunk = fuel_ctr = 0;  // the next Fuel op takes the slow path
}

// --------------------------------------------------------------- Instance ----

Instance::Instance(std::shared_ptr<const Module> m, std::unique_ptr<Impl> impl)
    : module_(std::move(m)), impl_(std::move(impl)) {}

Instance::~Instance() = default;

std::optional<Extern> Instance::find_export(std::string_view name) const {
  for (const auto& [n, e] : exports_)
    if (n == name) return e;
  return std::nullopt;
}

// ------------------------------------------------------------------ Store ----

Store::Store(const Limits& limits, StoreOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->self = this;
  impl_->limits = limits;
  impl_->options = options;
  impl_->has_deadline = limits.timeout_ms != 0;
  impl_->set_fuel(limits.fuel);
}

Store::~Store() = default;

FuncInst* Store::create_host_func(FuncType type, HostFunc fn) {
  Impl& s = *impl_;
  FuncInst& f = s.funcs.emplace_back();
  f.param_slots = slot_count(type.params);
  f.result_slots = slot_count(type.results);
  f.type_id = s.intern(type);
  f.host = std::move(fn);
  return &f;
}

Result<TableInst*> Store::create_table(ValType elem, uint32_t min, std::optional<uint32_t> max, Value init) {
  Impl& s = *impl_;
  if (!is_ref(elem) || init.type != elem) return invalid("type mismatch");
  if (max && min > *max) return invalid("size minimum must not be greater than maximum");
  if (min > s.limits.max_table_elements) return exhausted("table size exceeds limits.max_table_elements");
  if (s.table_elements + min > s.limits.max_store_table_elements)
    return exhausted("tables exceed limits.max_store_table_elements");
  TableInst& t = s.tables.emplace_back();
  t.elem = elem;
  t.max = max;
  if (!s.grow_table(t, min, init.lo)) return exhausted("out of memory");
  return &t;
}

Result<MemoryInst*> Store::create_memory(uint32_t min_pages, std::optional<uint32_t> max_pages) {
  Impl& s = *impl_;
  if (max_pages && min_pages > *max_pages) return invalid("size minimum must not be greater than maximum");
  if (min_pages > kMaxPages || (max_pages && *max_pages > kMaxPages))
    return invalid("memory size must be at most 65536 pages (4GiB)");
  if (uint64_t{min_pages} * kPageBytes > s.limits.max_memory_bytes)
    return exhausted("memory size exceeds limits.max_memory_bytes");
  MemoryInst& m = s.memories.emplace_back();
  m.max = max_pages;
  if (!grow_memory(m, min_pages, s.limits.max_memory_bytes)) return exhausted("out of memory");
  return &m;
}

GlobalInst* Store::create_global(Value v, bool mut) {
  GlobalInst& g = impl_->globals.emplace_back();
  g.type = v.type;
  g.mut = mut;
  uint64_t s[2] = {0, 0};
  value_to_slots(v, s);
  g.lo = s[0];
  g.hi = s[1];
  return &g;
}

const FuncType& Store::func_type(const FuncInst* f) const { return impl_->types[f->type_id]; }

std::span<uint8_t> Store::memory_data(MemoryInst* m) { return {m->data, static_cast<size_t>(m->size)}; }
uint32_t Store::memory_pages(const MemoryInst* m) const { return m->pages; }
std::optional<uint32_t> Store::memory_max(const MemoryInst* m) const { return m->max; }

uint32_t Store::table_size(const TableInst* t) const { return t->size; }
ValType Store::table_type(const TableInst* t) const { return t->elem; }
std::optional<uint32_t> Store::table_max(const TableInst* t) const { return t->max; }

std::optional<Value> Store::table_get(const TableInst* t, uint32_t i) const {
  if (i >= t->size) return std::nullopt;
  return Value{t->elem, t->elems.data()[i], 0};
}

bool Store::table_set(TableInst* t, uint32_t i, Value v) {
  if (i >= t->size || v.type != t->elem) return false;
  t->elems.data()[i] = v.lo;
  return true;
}

Value Store::global_get(const GlobalInst* g) const { return Value{g->type, g->lo, g->hi}; }
bool Store::global_mutable(const GlobalInst* g) const { return g->mut; }

Result<void> Store::global_set(GlobalInst* g, Value v) {
  if (!g->mut) return invalid("global is immutable");
  if (v.type != g->type) return invalid("type mismatch");
  uint64_t s[2] = {0, 0};
  value_to_slots(v, s);
  g->lo = s[0];
  g->hi = s[1];
  return {};
}

void Store::set_fuel(uint64_t fuel) { impl_->set_fuel(fuel); }
uint64_t Store::fuel_consumed() const { return impl_->fuel_consumed(); }
uint64_t Store::memory_bytes() const {
  uint64_t n = 0;
  for (const MemoryInst& m : impl_->memories) n += m.size;
  return n;
}
uint64_t Store::table_elements() const { return impl_->table_elements; }
const Limits& Store::limits() const { return impl_->limits; }
const StoreOptions& Store::options() const { return impl_->options; }

}  // namespace warden
