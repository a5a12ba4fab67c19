// Fuzz target "instantiate_link": modules with imports, linked against host
// objects of random, often mismatching, types.
//
// The target keeps its own implementation of import matching (spec 4.5.2,
// "external types" matching with limits subtyping) over the types it gave
// the host objects, and checks the engine against it: a mismatch must give
// Unlinkable "incompatible import type" before anything else happens; a
// full match must instantiate, or fail only as Uninstantiable (a start
// function that traps) or Exhaustion.
//
// Modules are either generated (their code uses the imports) or import-only
// modules with arbitrary import types (valid by construction too).
#include <cstddef>
#include <cstdint>

#include "generator.hpp"
#include "harness.hpp"
#include "input.hpp"
#include "warden/host.hpp"

using namespace warden;

namespace {

struct HostType {
  ExternKind kind = ExternKind::Func;
  FuncType func;
  ValType elem = ValType::FuncRef;
  ast::Bounds limits;  // current size and maximum
  ast::GlobalType global;
};

// Spec 4.5.2: {n1, m1} matches {n2, m2} iff n1 >= n2 and (m2 absent, or m1
// present and m1 <= m2).
bool limits_match(const ast::Bounds& have, const ast::Bounds& want) {
  if (have.min < want.min) return false;
  if (!want.max) return true;
  return have.max && *have.max <= *want.max;
}

bool matches(const ast::Module& m, const ast::Import& im, const HostType& h) {
  if (im.kind != h.kind) return false;
  switch (im.kind) {
    case ExternKind::Func: return m.types[im.func_type] == h.func;
    case ExternKind::Table: return im.table.elem == h.elem && limits_match(h.limits, im.table.limits);
    case ExternKind::Memory: return limits_match(h.limits, im.memory.limits);
    case ExternKind::Global: return im.global.type == h.global.type && im.global.mut == h.global.mut;
  }
  return false;
}

constexpr ValType kValTypes[] = {ValType::I32,  ValType::I64,     ValType::F32,      ValType::F64,
                                 ValType::V128, ValType::FuncRef, ValType::ExternRef};

ValType any_type(gen::Input& in) { return kValTypes[in.below(7)]; }

ast::Bounds any_limits(gen::Input& in, uint32_t cap) {
  ast::Bounds b;
  b.min = in.below(cap + 1);
  if (in.chance(2, 3)) b.max = b.min + in.below(cap + 1);
  return b;
}

// A variation of `b`: often equal, else one bound moved by one, or the
// maximum dropped or added.
ast::Bounds near(gen::Input& in, const ast::Bounds& b, uint32_t cap) {
  ast::Bounds r = b;
  if (in.chance(1, 3)) r.min = in.chance(1, 2) ? std::min(cap, b.min + 1) : (b.min ? b.min - 1 : 0);
  if (in.chance(1, 3)) {
    uint32_t k = in.below(3);
    if (k == 0)
      r.max.reset();
    else if (!b.max)
      r.max = r.min + in.below(3);
    else
      r.max = k == 1 ? *b.max + 1 : (*b.max ? *b.max - 1 : 0);
  }
  if (r.max && *r.max < r.min) r.max = r.min;
  return r;
}

FuncType any_func_type(gen::Input& in) {
  FuncType ft;
  for (uint32_t i = in.below(3); i > 0; --i) ft.params.push_back(any_type(in));
  for (uint32_t i = in.below(3); i > 0; --i) ft.results.push_back(any_type(in));
  return ft;
}

// A module that only imports (and re-exports nothing): at most one memory.
ast::Module import_only(gen::Input& in) {
  ast::Module m;
  uint32_t n = in.range(1, 8);
  bool memory = false;
  for (uint32_t i = 0; i < n; ++i) {
    ast::Import im;
    im.module = "host";
    im.name = "i" + std::to_string(i);
    im.kind = static_cast<ExternKind>(in.below(4));
    if (im.kind == ExternKind::Memory && memory) im.kind = ExternKind::Global;
    switch (im.kind) {
      case ExternKind::Func:
        m.types.push_back(any_func_type(in));
        im.func_type = static_cast<uint32_t>(m.types.size() - 1);
        break;
      case ExternKind::Table:
        im.table.elem = in.chance(1, 2) ? ValType::FuncRef : ValType::ExternRef;
        im.table.limits = any_limits(in, 16);
        break;
      case ExternKind::Memory:
        memory = true;
        im.memory.limits = any_limits(in, 2);
        break;
      case ExternKind::Global: im.global = ast::GlobalType{any_type(in), in.chance(1, 2)}; break;
    }
    m.imports.push_back(im);
  }
  return m;
}

HostType host_type_for(gen::Input& in, const ast::Module& m, const ast::Import& im) {
  HostType h;
  h.kind = im.kind;
  if (in.chance(1, 4)) h.kind = static_cast<ExternKind>(in.below(4));
  bool same = h.kind == im.kind && in.chance(2, 3);
  switch (h.kind) {
    case ExternKind::Func: h.func = same && !in.chance(1, 4) ? m.types[im.func_type] : any_func_type(in); break;
    case ExternKind::Table:
      h.elem = same && !in.chance(1, 6) ? im.table.elem : (in.chance(1, 2) ? ValType::FuncRef : ValType::ExternRef);
      h.limits = same ? near(in, im.table.limits, 24) : any_limits(in, 24);
      break;
    case ExternKind::Memory: h.limits = same ? near(in, im.memory.limits, 3) : any_limits(in, 3); break;
    case ExternKind::Global:
      h.global = same && !in.chance(1, 4) ? im.global : ast::GlobalType{any_type(in), in.chance(1, 2)};
      break;
  }
  return h;
}

Value zero_of(ValType t) { return Value::null(t); }  // all-zero bits of any type

Extern create(Store& store, const HostType& h) {
  switch (h.kind) {
    case ExternKind::Func: {
      FuncType ft = h.func;
      return Extern::of(store.create_host_func(ft, [ft](Caller&, std::span<const Value>, std::span<Value> results) {
        for (size_t i = 0; i < results.size(); ++i) results[i] = zero_of(ft.results[i]);
        return Result<void>();
      }));
    }
    case ExternKind::Table: {
      Result<TableInst*> t = store.create_table(h.elem, h.limits.min, h.limits.max, Value::null(h.elem));
      if (!t) fuzz::fail("create_table: " + fuzz::describe(t.error()));
      return Extern::of(*t);
    }
    case ExternKind::Memory: {
      Result<MemoryInst*> mem = store.create_memory(h.limits.min, h.limits.max);
      if (!mem) fuzz::fail("create_memory: " + fuzz::describe(mem.error()));
      return Extern::of(*mem);
    }
    case ExternKind::Global: return Extern::of(store.create_global(zero_of(h.global.type), h.global.mut));
  }
  return {};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gen::Input in(std::span<const uint8_t>(data, size));
  uint8_t mode = in.byte();
  ast::Module tree;
  if (mode & 1) {
    gen::GenConfig cfg;
    cfg.max_funcs = 3;
    cfg.max_instrs = 40;
    cfg.allow_start = (mode & 2) != 0;
    // The generator reads from the rest of the input after a length byte,
    // so the host choices below get their own bytes.
    size_t len = std::min<size_t>(in.byte() * 8u, in.rest().size());
    tree = gen::generate_ast(in.rest().subspan(0, len), cfg);
    in = gen::Input(in.rest().subspan(len));
  } else {
    tree = import_only(in);
  }
  Limits limits;
  limits.max_memory_bytes = 4u << 16;
  // load_syntax takes the tree; what the oracle reads of it afterwards is
  // the imports and the types they name (a whole copy of the tree was 2 %).
  ast::Module tree_left;
  tree_left.imports = tree.imports;
  tree_left.types = tree.types;
  Result<std::shared_ptr<const Module>> m = load_syntax(std::move(tree), limits);
  tree = std::move(tree_left);
  if (!m) fuzz::fail("module built to be valid is not: " + fuzz::describe(m.error()));

  Store store(limits);
  store.set_fuel(100'000);
  std::vector<Extern> externs;
  bool all_match = true;
  for (const ast::Import& im : tree.imports) {
    HostType h = host_type_for(in, tree, im);
    all_match = all_match && matches(tree, im, h);
    externs.push_back(create(store, h));
  }
  bool wrong_count = in.chance(1, 16) && !externs.empty();
  if (wrong_count) externs.pop_back();

  Result<Instance*> inst = store.instantiate(*m, externs);
  if (wrong_count) {
    if (inst || inst.error().kind != ErrorKind::Unlinkable)
      fuzz::fail("too few imports accepted: " + (inst ? std::string("ok") : fuzz::describe(inst.error())));
    return 0;
  }
  if (!all_match) {
    if (inst) fuzz::fail("instantiated although an import does not match");
    if (inst.error().kind != ErrorKind::Unlinkable || inst.error().message != "incompatible import type")
      fuzz::fail("mismatching import gave " + fuzz::describe(inst.error()));
    return 0;
  }
  if (!inst) {
    fuzz::require_kind(inst.error(), {ErrorKind::Uninstantiable, ErrorKind::Exhaustion}, "instantiate (imports match)");
    return 0;
  }
  // Imported objects are shared, not copied: the instance's exports of
  // imported tables/memories/globals are the very host objects.
  for (const auto& [name, e] : (*inst)->exports()) {
    (void)name;
    if (e.kind == ExternKind::Memory && !tree.imports.empty()) {
      for (size_t i = 0; i < tree.imports.size(); ++i)
        if (tree.imports[i].kind == ExternKind::Memory && externs[i].memory != e.memory)
          fuzz::fail("exported memory is not the imported one");
    }
  }
  return 0;
}
