// `warden run FILE.wasm [--invoke NAME [ARG...]]`: instantiate and call.
#include <cstdio>
#include <memory>

#include "cli.hpp"
#include "literal.hpp"

#include "warden/spectest.hpp"

namespace warden::cli {
namespace {

struct RunOptions {
  std::string file;
  std::string invoke;
  std::vector<std::string> args;
  uint64_t fuel = 0, timeout_ms = 0, max_memory = 0;
  CLI::Option* fuel_opt = nullptr;
  CLI::Option* timeout_opt = nullptr;
  CLI::Option* memory_opt = nullptr;
  bool deterministic = false;
};

int usage(const std::string& message) {
  std::fprintf(stderr, "warden run: %s\n", message.c_str());
  return kExitUsage;
}

/// The function export `name`, or an error message.
std::optional<uint32_t> find_func_export(const Module& m, const std::string& name,
                                         std::string& error) {
  for (const ExportInfo& e : m.exports()) {
    if (e.name != name) continue;
    if (e.kind != ExternKind::Func) {
      error = "export '" + name + "' is a " + std::string(to_string(e.kind)) + ", not a function";
      return std::nullopt;
    }
    return e.index;
  }
  error = "unknown export '" + name + "'";
  return std::nullopt;
}

std::string type_list(const std::vector<ValType>& types) {
  std::string s = "(";
  for (size_t i = 0; i < types.size(); ++i) {
    if (i) s += ' ';
    s += to_string(types[i]);
  }
  return s + ")";
}

int run(const RunOptions& o) {
  Limits limits;
  if (o.fuel_opt->count()) limits.fuel = o.fuel;
  if (o.timeout_opt->count()) limits.timeout_ms = o.timeout_ms;
  if (o.memory_opt->count()) limits.max_memory_bytes = o.max_memory;
  if (!o.args.empty() && o.invoke.empty()) return usage("arguments given without --invoke");

  // Parse the arguments first: a typo should not cost a module load.
  std::vector<Value> args;
  for (const std::string& text : o.args) {
    std::string error;
    auto v = parse_literal(text, error);
    if (!v) return usage(error);
    args.push_back(*v);
  }

  int exit_code = kExitOk;
  auto bytes = read_module(o.file, limits, exit_code);
  if (!bytes) return exit_code;
  auto loaded = Module::load(*bytes, limits);
  if (!loaded.ok()) return report_load_error(o.file, loaded.error());
  std::shared_ptr<const Module> module = loaded.value();

  // Check the call against the module's types before instantiating, so a
  // usage error runs no start function.
  std::string entry = o.invoke.empty() ? "_start" : o.invoke;
  std::optional<uint32_t> func;
  {
    std::string error;
    func = find_func_export(*module, entry, error);
    if (!func && !o.invoke.empty()) return usage(error);
  }
  if (func) {
    const FuncType& type = module->func_type(*func);
    if (args.size() != type.params.size()) {
      return usage("'" + entry + "' takes " + std::to_string(type.params.size()) +
                   " argument(s) " + type_list(type.params) + ", got " +
                   std::to_string(args.size()));
    }
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i].type != type.params[i]) {
        return usage("argument " + std::to_string(i + 1) + " of '" + entry + "' is " +
                     std::string(to_string(type.params[i])) + ", got " +
                     std::string(to_string(args[i].type)));
      }
    }
  }

  Store store(limits, StoreOptions{o.deterministic});
  Linker linker;
  define_spectest(store, linker);
  auto imports = linker.resolve(*module);
  if (!imports.ok()) return report_load_error(o.file, imports.error());
  auto instance = store.instantiate(module, imports.value());
  if (!instance.ok()) {
    const Error& e = instance.error();
    if (e.kind == ErrorKind::Unlinkable) return report_load_error(o.file, e);
    return report_run_error(e);
  }
  if (!func) return kExitOk;  // no --invoke and no _start: instantiating was the run

  auto target = instance.value()->find_export(entry);
  if (!target || target->kind != ExternKind::Func) return usage("unknown export '" + entry + "'");
  auto results = store.invoke(target->func, args);
  if (!results.ok()) return report_run_error(results.error());
  for (const Value& v : results.value()) std::printf("%s\n", format_value(v).c_str());
  return kExitOk;
}

void setup(CLI::App& sub, int& exit_code) {
  auto o = std::make_shared<RunOptions>();
  sub.add_option("file", o->file, "the module (.wasm; a name ending in .wat is read as text)")->required();
  sub.add_option("args", o->args,
                 "typed arguments for --invoke: i32:5 i64:-1 f32:1.5 f64:0x1p-3 f32:nan:0x200000\n"
                 "f64:-inf v128:i32x4:1,2,3,4 funcref:null externref:null externref:N");
  sub.add_option("--invoke", o->invoke,
                 "call this exported function (default: instantiate, then call _start if "
                 "exported)");
  o->fuel_opt = sub.add_option("--fuel", o->fuel,
                               "stop after N units of fuel (one per call and per loop "
                               "iteration); exhausted -> exit 3");
  o->timeout_opt = sub.add_option("--timeout-ms", o->timeout_ms,
                                  "wall-clock deadline in milliseconds; exhausted -> exit 3");
  o->memory_opt = sub.add_option("--max-memory", o->max_memory,
                                 "largest size in bytes any memory may reach");
  sub.add_flag("--deterministic", o->deterministic,
               "canonicalise NaN results so every host computes identical bits");
  sub.footer(
      "Results are printed one per line as TYPE:VALUE (i32/i64 signed decimal; floats\n"
      "also show their bits, e.g. f32:1.5 (0x3fc00000)).\n"
      "Exit status: 0 ok; 1 malformed, invalid or unlinkable; 2 trap (stderr\n"
      "'trap: message'); 3 a resource limit was hit (stderr 'exhausted: message');\n"
      "64 usage error (bad literal, unknown export, wrong arity or argument type).");
  sub.callback([o, &exit_code] { exit_code = run(*o); });
}

const Registrar reg{{"run", "Instantiate a module and call an exported function", setup}};

}  // namespace
}  // namespace warden::cli
