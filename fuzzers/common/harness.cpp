#include "harness.hpp"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>

#include "input.hpp"
#include "memory_hash.hpp"
#include "warden/spectest.hpp"
#include "warden/syntax.hpp"

namespace warden::fuzz {

void fail(const std::string& why) {
  std::fprintf(stderr, "\n=== warden fuzz oracle failed ===\n%s\n", why.c_str());
  std::fflush(stderr);
  std::abort();
}

std::string describe(const Error& e) {
  std::string s(to_string(e.kind));
  s += ": ";
  s += e.message;
  return s;
}

void require_kind(const Error& e, std::initializer_list<ErrorKind> allowed, const char* where) {
  for (ErrorKind k : allowed)
    if (e.kind == k) return;
  fail(std::string(where) + ": unexpected error " + describe(e));
}

void append_value_bits(std::string& out, const Value& v) {
  char buf[64];
  switch (v.type) {
    case ValType::I32:
    case ValType::F32:
      std::snprintf(buf, sizeof buf, "%s:%08" PRIx64, std::string(to_string(v.type)).c_str(), v.lo);
      break;
    case ValType::V128: std::snprintf(buf, sizeof buf, "v128:%016" PRIx64 "%016" PRIx64, v.hi, v.lo); break;
    default: std::snprintf(buf, sizeof buf, "%s:%016" PRIx64, std::string(to_string(v.type)).c_str(), v.lo); break;
  }
  out += buf;
}

namespace {

struct Runner {
  const RunConfig& cfg;
  Store store;
  std::vector<std::pair<std::string, const FuncInst*>> funcs;  // exported functions
  Instance* inst = nullptr;

  explicit Runner(const RunConfig& c) : cfg(c), store(c.limits, c.options) {}

  // References are compared by what they denote, not by address. Appended
  // to `out`, as every part of a trace is: concatenating temporaries cost
  // an allocation each, and under ASan allocations are most of a run.
  void show(std::string& out, const Value& v) const {
    if (v.type != ValType::FuncRef) return append_value_bits(out, v);
    if (v.is_null()) {
      out += "funcref:null";
      return;
    }
    for (size_t i = 0; i < funcs.size(); ++i)
      if (funcs[i].second == v.as_func()) {
        out += "funcref:";
        out += funcs[i].first;
        return;
      }
    out += "funcref:other";
  }

  Value arg(gen::Input& plan, ValType t) {
    switch (t) {
      case ValType::I32: {
        uint32_t k = plan.below(4);
        return Value::i32(k == 0   ? plan.below(16)
                          : k == 1 ? static_cast<uint32_t>(-static_cast<int32_t>(plan.below(16)))
                                   : plan.u32());
      }
      case ValType::I64: return Value::i64(plan.chance(1, 2) ? plan.below(16) : plan.u64());
      case ValType::F32: return Value::f32_bits(plan.u32());
      case ValType::F64: return Value::f64_bits(plan.u64());
      case ValType::V128: return Value::v128(V128{plan.u64(), plan.u64()});
      case ValType::FuncRef: {
        uint32_t k = plan.below(static_cast<uint32_t>(funcs.size()) + 1);
        return k == 0 ? Value::null(t) : Value::funcref(funcs[k - 1].second);
      }
      case ValType::ExternRef: {
        uint32_t w = plan.below(4);
        return w == 0 ? Value::null(t) : Value::externref(w);
      }
    }
    return Value::i32(0);
  }

  void state(std::string& out) {
    char buf[64];
    for (const auto& [name, e] : inst->exports()) {
      switch (e.kind) {
        case ExternKind::Memory: {
          std::span<uint8_t> mem = store.memory_data(e.memory);
          std::snprintf(buf, sizeof buf, "=%" PRIu32 "p#%" PRIx64, store.memory_pages(e.memory), hash_memory(mem));
          out += " mem ";
          out += name;
          out += buf;
          break;
        }
        case ExternKind::Global:
          out += " global ";
          out += name;
          out += '=';
          show(out, store.global_get(e.global));
          break;
        case ExternKind::Table: {
          uint32_t n = store.table_size(e.table);
          std::snprintf(buf, sizeof buf, "[%" PRIu32 "]=", n);
          out += " table ";
          out += name;
          out += buf;
          for (uint32_t i = 0; i < n && i < 256; ++i) {
            std::optional<Value> v = store.table_get(e.table, i);
            if (v)
              show(out, *v);
            else
              out += '?';
            out += ',';
          }
          break;
        }
        case ExternKind::Func: break;
      }
    }
  }
};

}  // namespace

RunResult run_module(const std::shared_ptr<const Module>& m, std::span<const uint8_t> plan_bytes,
                     const RunConfig& cfg) {
  RunResult r;
  Runner run(cfg);
  Linker linker;
  // The spectest host only for a module that imports from it: its
  // functions, globals, table and memory cost every store ~40 allocations
  // and a mapping, and a module that imports none of them cannot tell.
  bool spectest = false;
  for (const ast::Import& im : syntax_of(*m).imports) spectest = spectest || im.module == "spectest";
  if (spectest && !define_spectest(run.store, linker)) fail("spectest host refused by the store limits");
  Result<std::vector<Extern>> externs = linker.resolve(*m);
  if (!externs) {
    r.trace = "link " + describe(externs.error());
    return r;
  }
  run.store.set_fuel(cfg.call_fuel);
  Result<Instance*> inst = run.store.instantiate(m, *externs);
  if (!inst) {
    require_kind(inst.error(), {ErrorKind::Uninstantiable, ErrorKind::Exhaustion, ErrorKind::Unlinkable},
                 "instantiate");
    r.trace = "instantiate " + describe(inst.error());
    return r;
  }
  r.instantiated = true;
  run.inst = *inst;
  std::optional<Extern> fuel_global;
  for (const auto& [name, e] : run.inst->exports()) {
    if (e.kind == ExternKind::Func) run.funcs.push_back({name, e.func});
    if (name == "fuel" && e.kind == ExternKind::Global) fuel_global = e;
  }
  r.trace = "instantiated";
  gen::Input plan(plan_bytes);
  size_t index = 0;
  std::vector<Value> args;
  for (uint32_t round = 0; round < cfg.rounds; ++round) {
    for (const auto& [name, f] : run.funcs) {
      const FuncType& ft = run.store.func_type(f);
      args.clear();
      for (ValType t : ft.params) args.push_back(run.arg(plan, t));
      if (fuel_global && run.store.global_mutable(fuel_global->global) &&
          run.store.global_get(fuel_global->global).type == ValType::I32) {
        Result<void> s = run.store.global_set(fuel_global->global, Value::i32(cfg.fuel_global_value));
        if (!s) fail("resetting the fuel global: " + describe(s.error()));
      }
      bool cut_here = cfg.cut && cfg.cut->index == index;
      run.store.set_fuel(cut_here ? cfg.cut->fuel : cfg.call_fuel);
      Result<std::vector<Value>> res = run.store.invoke(f, args);
      r.fuel.push_back(run.store.fuel_consumed());
      std::string outcome;
      if (res) {
        ++r.returned;
        outcome = "ok";
        if (res->size() != ft.results.size()) fail(name + ": wrong number of results");
        for (size_t i = 0; i < res->size(); ++i) {
          if ((*res)[i].type != ft.results[i]) fail(name + ": result of the wrong type");
          outcome += ' ';
          run.show(outcome, (*res)[i]);
        }
      } else {
        require_kind(res.error(), {ErrorKind::Trap, ErrorKind::Exhaustion}, "invoke");
        (res.error().kind == ErrorKind::Trap ? r.trapped : r.exhausted) += 1;
        outcome = describe(res.error());
      }
      r.trace += '\n';
      r.trace += name;
      r.trace += " -> ";
      r.trace += outcome;
      r.calls.push_back(std::move(outcome));
      if (cut_here && cfg.cut->stop) return r;
      ++index;
    }
  }
  r.trace += "\nstate:";
  run.state(r.trace);
  return r;
}

}  // namespace warden::fuzz
