// `warden run FILE.wasm [--invoke NAME [ARG...]] [-- PROGRAM ARGS...]`:
// instantiate and call; a module that imports wasi_snapshot_preview1 runs
// as a WASI program under the operator's grants (docs/policy.md).
#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "literal.hpp"
#include "observe.hpp"
#include "policy.hpp"

#include "warden/host.hpp"
#include "warden/spectest.hpp"
#include "warden/wasi.hpp"

namespace warden::cli {
namespace {

struct RunOptions {
  std::string file;
  std::string invoke;
  std::vector<std::string> args;
  uint64_t fuel = 0, timeout_ms = 0, seed = 0;
  uint32_t call_depth = 0, max_open_files = 0, load_threads = 0;
  std::string max_memory;
  bool deterministic = false;
  std::vector<std::string> dirs, dirs_rw, env, allow;
  std::string policy;
  std::vector<std::string> require_signature;
  std::string signature;
  bool stats = false;
  std::string exit_json, metrics, log_json, otel_file;
  CLI::Option* fuel_opt = nullptr;
  CLI::Option* timeout_opt = nullptr;
  CLI::Option* memory_opt = nullptr;
  CLI::Option* depth_opt = nullptr;
  CLI::Option* files_opt = nullptr;
  CLI::Option* seed_opt = nullptr;
  CLI::Option* det_opt = nullptr;
  CLI::Option* dir_opt = nullptr;
  CLI::Option* dir_rw_opt = nullptr;
  const CLI::App* app = nullptr;  // for the order of --dir and --dir-rw
};

/// How the run ended, for the exit status and --exit-code-json.
struct Outcome {
  int code = kExitOk;
  bool by_guest = false;  ///< the guest chose the status (returned or proc_exit)
  std::string reason;     ///< returned, proc_exit, denied, trap, exhausted, malformed, ...
  std::string message;
  std::optional<uint32_t> guest_status;  ///< proc_exit's argument, unclamped
  uint64_t denied = 0;
};

Outcome failed(int code, std::string reason, std::string message = {}) {
  Outcome o;
  o.code = code;
  o.reason = std::move(reason);
  o.message = std::move(message);
  return o;
}

Outcome usage(const std::string& message) {
  std::fprintf(stderr, "warden run: %s\n", message.c_str());
  return failed(kExitUsage, "usage", message);
}

Outcome load_failure(const std::string& file, const Error& e) {
  int code = report_load_error(file, e);
  return failed(code, std::string(to_string(e.kind)), e.message);
}

Outcome run_failure(const Error& e) {
  int code = report_run_error(e);
  std::string reason = e.kind == ErrorKind::Uninstantiable ? "trap" : std::string(to_string(e.kind));
  return failed(code, reason, e.message);
}

/// The function export `name`, or an error message.
std::optional<uint32_t> find_func_export(const Module& m, const std::string& name, std::string& error) {
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

/// The grants given on the command line, as a Policy to lay over the file's.
bool flag_policy(const RunOptions& o, Policy& p, std::string& error) {
  p.signature_keys = o.require_signature;
  for (const std::string& name : o.allow) {
    if (!p.allow(name, error)) return false;
  }
  for (const std::string& spec : o.env) {
    std::pair<std::string, std::string> var;
    if (!parse_env(spec, var, error)) return false;
    p.set_env(std::move(var.first), std::move(var.second));
  }
  // Preopens become guest fds 3, 4, ... in the order they were typed.
  size_t next_ro = 0, next_rw = 0;
  for (const CLI::Option* opt : o.app->parse_order()) {
    const bool rw = opt == o.dir_rw_opt;
    if (opt != o.dir_opt && !rw) continue;
    const std::string& spec = rw ? o.dirs_rw.at(next_rw++) : o.dirs.at(next_ro++);
    DirGrant d;
    if (!parse_dir(spec, rw, d, error)) return false;
    p.dirs.push_back(std::move(d));
  }
  if (o.memory_opt->count()) {
    p.memory = parse_size(o.max_memory);
    if (!p.memory) {
      error = "--max-memory: bad size '" + o.max_memory + "' (bytes, or units B, KiB, MiB, GiB)";
      return false;
    }
  }
  if (o.fuel_opt->count()) p.fuel = o.fuel;
  if (o.timeout_opt->count()) p.timeout_ms = o.timeout_ms;
  if (o.depth_opt->count()) p.call_depth = o.call_depth;
  if (o.files_opt->count()) p.open_files = o.max_open_files;
  if (o.det_opt->count()) p.deterministic = o.deterministic;
  if (o.seed_opt->count()) p.seed = o.seed;
  return true;
}

/// The flags that grant `missing`, for a hint line:
///   hint: grant it with --allow clock
///   hint: grant them with --allow args,exit --dir HOST[::GUEST] (...)
std::string grant_hint(const std::vector<Capability>& missing) {
  std::string notes;
  for (Capability c : missing) {
    if (c == Capability::Fs) notes += "; --allow fs links with no directories";
    if (c == Capability::Args) notes += "; arguments after -- grant args too";
    if (c == Capability::Env) notes += "; --env NAME=VALUE grants env with that variable";
  }
  const std::string flags = grant_flags({}, missing);
  return std::string("hint: grant ") + (missing.size() == 1 ? "it" : "them") + " with " + flags +
         (notes.empty() ? "" : " (" + notes.substr(2) + ")");
}

/// After a link failure: which WASI imports are denied or unknown, as hints.
void print_link_hints(const Module& m, const wasi::Config& cfg) {
  std::vector<Capability> missing;
  std::vector<std::string> unknown;
  for (const ImportInfo& i : m.imports()) {
    if (i.module != wasi::kModuleName) continue;
    auto cap = wasi::capability_of(i.name);
    if (!cap) {
      unknown.push_back(i.name);
    } else if (!cfg.grants.has(*cap) && std::find(missing.begin(), missing.end(), *cap) == missing.end()) {
      missing.push_back(*cap);
    }
  }
  std::sort(missing.begin(), missing.end());
  if (!missing.empty()) std::fprintf(stderr, "%s\n", grant_hint(missing).c_str());
  for (const std::string& name : unknown) {
    std::fprintf(stderr, "hint: %s.%s is not a WASI preview1 function warden defines\n",
                 std::string(wasi::kModuleName).c_str(), name.c_str());
  }
}

/// After a run the sandbox refused calls in: what, and what would grant it.
void print_denials(const wasi::Stats& s, const wasi::Config& cfg) {
  std::fprintf(stderr, "warden run: the sandbox denied %llu call(s):\n", static_cast<unsigned long long>(s.denied));
  constexpr size_t kShown = 10;
  for (size_t i = 0; i < s.denials.size() && i < kShown; ++i) {
    std::fprintf(stderr, "  %s\n", s.denials[i].c_str());
  }
  if (s.denied > std::min(s.denials.size(), kShown)) {
    std::fprintf(stderr, "  ... and %llu more\n",
                 static_cast<unsigned long long>(s.denied - std::min(s.denials.size(), kShown)));
  }
  // Hints from the words of the denials: streams not granted, writes
  // beneath a read-only preopen, the descriptor limit.
  auto mentioned = [&](std::string_view word) {
    for (const std::string& d : s.denials) {
      if (d.find(word) != std::string::npos) return true;
    }
    return false;
  };
  std::string streams;
  if (!cfg.stdin_granted && mentioned("stdin")) streams += ",stdin";
  if (!cfg.stdout_granted && mentioned("stdout")) streams += ",stdout";
  if (!cfg.stderr_granted && mentioned("stderr")) streams += ",stderr";
  if (!streams.empty()) std::fprintf(stderr, "hint: grant it with --allow %s\n", streams.c_str() + 1);
  if (mentioned("read-only")) {
    std::fprintf(stderr, "hint: a directory given with --dir is read-only; --dir-rw makes it writable\n");
  }
  if (mentioned("open descriptors")) {
    std::fprintf(stderr, "hint: --max-open-files raises the descriptor limit (now %u)\n", cfg.max_open_files);
  }
}

void print_stats(const wasi::Context* ctx, const Store& store) {
  nlohmann::ordered_json j;
  j["wasi"] = ctx != nullptr;
  const wasi::Stats empty;
  const wasi::Stats& s = ctx ? ctx->stats() : empty;
  j["calls"] = s.calls;
  j["denied"] = s.denied;
  j["faults"] = s.faults;
  j["bytes_read"] = s.bytes_read;
  j["bytes_written"] = s.bytes_written;
  j["denials"] = s.denials;
  j["fuel_consumed"] = store.fuel_consumed();
  std::fprintf(stderr, "%s\n", j.dump().c_str());
}

Outcome run(const RunOptions& o, RunReport& rep) {
  const bool observed = !o.metrics.empty() || !o.log_json.empty() || !o.otel_file.empty();
  Stopwatch clock;
  // Grants and limits: the policy file, then the flags over it.
  Policy file_policy, flags;
  std::string error;
  if (!o.policy.empty() && !load_policy(o.policy, file_policy, error)) return usage(error);
  if (!flag_policy(o, flags, error)) return usage(error);
  const Policy p = merge(std::move(file_policy), flags);

  Limits limits;
  if (p.memory) limits.max_memory_bytes = *p.memory;
  if (p.fuel) limits.fuel = *p.fuel;
  if (p.timeout_ms) limits.timeout_ms = *p.timeout_ms;
  if (p.call_depth) limits.max_call_depth = *p.call_depth;
  // A seed asks for reproducible randomness, so it implies determinism
  // unless determinism was explicitly turned off.
  const bool deterministic = p.deterministic.value_or(p.seed.has_value());

  // Parse the arguments first: a typo should not cost a module load.
  std::vector<Value> args;
  if (!o.invoke.empty()) {
    for (const std::string& text : o.args) {
      auto v = parse_literal(text, error);
      if (!v) return usage(error);
      args.push_back(*v);
    }
  }

  int exit_code = kExitOk;
  // A signature covers a binary's bytes: a text file would be parsed
  // before anything could vouch for it.
  if ((!p.signature_keys.empty() || !o.signature.empty()) && o.file.ends_with(".wat"))
    return usage(o.file + ": a text module cannot carry a signature (sign and run the binary)");
  rep.started_at = rfc3339_now();
  auto bytes = read_module(o.file, limits, exit_code);
  if (!bytes) {
    return failed(exit_code, exit_code == kExitExhausted ? "exhausted" : "usage");
  }
  rep.read = clock.lap(rep.spans, "read");
  rep.module_bytes = bytes->size();
  if (observed) rep.sha256 = sha256_hex(*bytes);
  // Trust before anything reads the module's contents (docs/signatures.md).
  if (!p.signature_keys.empty() || !o.signature.empty()) {
    if (p.signature_keys.empty()) return usage("--signature needs --require-signature KEY (the keys to trust)");
    size_t signer = 0;
    std::string refusal;
    if (!check_signature(o.file, *bytes, p.signature_keys, o.signature, exit_code, &signer, &refusal))
      return failed(exit_code, exit_code == kExitUnsigned ? "unsigned" : "usage", refusal);
    rep.verify = clock.lap(rep.spans, "verify");
    rep.signer = p.signature_keys[signer];
  }
  limits.load_threads = load_threads(bytes->size(), o.load_threads);
  rep.load_threads = limits.load_threads;
  auto loaded = Module::load(*bytes, limits);
  if (!loaded.ok()) return load_failure(o.file, loaded.error());
  rep.load = clock.lap(rep.spans, "load");
  std::shared_ptr<const Module> module = loaded.value();
  bool imports_wasi = false;
  for (const ImportInfo& i : module->imports()) imports_wasi |= i.module == wasi::kModuleName;
  // Without --invoke the positional arguments are the program's (WASI) ones.
  if (o.invoke.empty() && !o.args.empty() && !imports_wasi) {
    return usage("arguments given without --invoke");
  }

  // Check the call against the module's types before instantiating, so a
  // usage error runs no start function.
  std::string entry = o.invoke.empty() ? "_start" : o.invoke;
  std::optional<uint32_t> func = find_func_export(*module, entry, error);
  if (!func && !o.invoke.empty()) return usage(error);
  if (func) {
    const FuncType& type = module->func_type(*func);
    if (args.size() != type.params.size()) {
      return usage("'" + entry + "' takes " + std::to_string(type.params.size()) + " argument(s) " +
                   type_list(type.params) + ", got " + std::to_string(args.size()));
    }
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i].type != type.params[i]) {
        return usage("argument " + std::to_string(i + 1) + " of '" + entry + "' is " +
                     std::string(to_string(type.params[i])) + ", got " + std::string(to_string(args[i].type)));
      }
    }
  }

  // The WASI context: only what was granted (docs/policy.md, "Grants").
  wasi::Config cfg;
  std::unique_ptr<wasi::Context> ctx;  // outlives the store's instances
  if (imports_wasi) {
    const bool program_args = o.invoke.empty() && !o.args.empty();
    cfg.args.push_back(o.file);
    if (program_args) cfg.args.insert(cfg.args.end(), o.args.begin(), o.args.end());
    cfg.env = p.env;
    for (const DirGrant& d : p.dirs) cfg.dirs.push_back({d.host, d.guest, d.writable});
    cfg.stdin_granted = p.std_in;
    cfg.stdout_granted = p.std_out;
    cfg.stderr_granted = p.std_err;
    cfg.grants = p.caps;
    if (program_args) cfg.grants.grant(Capability::Args);
    if (!p.env.empty()) cfg.grants.grant(Capability::Env);
    if (!p.dirs.empty()) cfg.grants.grant(Capability::Fs);
    cfg.deterministic = deterministic;
    cfg.seed = p.seed.value_or(0);
    if (p.open_files) cfg.max_open_files = *p.open_files;
    // A guest writing to a pipe whose reader left gets EPIPE from fd_write,
    // as a native program that ignores SIGPIPE would, instead of killing
    // Warden before it can report (docs/sandbox.md, "Threat model").
    std::signal(SIGPIPE, SIG_IGN);
    auto created = wasi::Context::create(cfg);
    if (!created.ok()) return usage(created.error().message);
    ctx = std::move(created.value());
  }

  Store store(limits, StoreOptions{deterministic});
  uint64_t host_memory = 0, host_tables = 0;
  Outcome out = [&]() -> Outcome {
    Linker linker;
    define_spectest(store, linker);
    if (ctx) ctx->link(store, linker);
    // What the host defined is not the module's (metrics count the module's).
    host_memory = store.memory_bytes();
    host_tables = store.table_elements();
    auto imports = linker.resolve(*module);
    if (!imports.ok()) {
      Outcome failure = load_failure(o.file, imports.error());
      if (ctx) print_link_hints(*module, cfg);
      return failure;
    }
    auto guest_exit = [&]() -> std::optional<Outcome> {
      if (!ctx || !ctx->exit_code()) return std::nullopt;
      Outcome x;
      x.by_guest = true;
      x.reason = "proc_exit";
      x.guest_status = *ctx->exit_code();
      // A process status has 8 bits: larger statuses become 255 rather
      // than wrapping (256 must not read as success).
      x.code = *x.guest_status <= 255 ? static_cast<int>(*x.guest_status) : 255;
      return x;
    };
    clock.lap();
    auto instance = store.instantiate(module, imports.value());
    rep.instantiate = clock.lap(rep.spans, "instantiate");
    if (!instance.ok()) {
      if (auto x = guest_exit()) return *x;  // proc_exit in the start function
      const Error& e = instance.error();
      if (e.kind == ErrorKind::Unlinkable) return load_failure(o.file, e);
      return run_failure(e);
    }
    Outcome done;
    done.by_guest = true;
    done.reason = "returned";
    if (!func) return done;  // no --invoke and no _start: instantiating was the run

    auto target = instance.value()->find_export(entry);
    if (!target || target->kind != ExternKind::Func) return usage("unknown export '" + entry + "'");
    auto results = store.invoke(target->func, args);
    rep.invoke = clock.lap(rep.spans, "invoke");
    rep.invocations = 1;
    if (!results.ok()) {
      if (auto x = guest_exit()) return *x;
      return run_failure(results.error());
    }
    for (const Value& v : results.value()) std::printf("%s\n", format_value(v).c_str());
    std::fflush(stdout);
    return done;
  }();

  if (ctx && ctx->stats().denied > 0) {
    out.denied = ctx->stats().denied;
    print_denials(ctx->stats(), cfg);
    // A run the sandbox refused something in is not a success, even when
    // the guest shrugged it off (docs/policy.md, "Exit status").
    if (out.code == kExitOk) {
      out.code = kExitDenied;
      out.by_guest = false;
      out.reason = "denied";
    }
  }
  if (o.stats) print_stats(ctx.get(), store);
  rep.fuel_consumed = store.fuel_consumed();
  rep.memory_bytes = store.memory_bytes() - host_memory;
  rep.table_elements = store.table_elements() - host_tables;
  if (ctx) {
    const wasi::Stats& st = ctx->stats();
    for (std::string_view n : wasi::function_names()) rep.wasi_functions.emplace_back(n);
    rep.wasi_calls = st.calls_by_function;
    rep.wasi_denied = st.denied_by_function;
    rep.wasi_faults = st.faults;
    rep.denials = st.denials;
  }
  return out;
}

// --metrics FILE, --otel-file FILE and --log-json FILE (docs/observability.md).
void write_report(const RunOptions& o, RunReport& rep, const Outcome& out) {
  rep.module = o.file;
  rep.outcome = out.reason;
  rep.exit_code = out.code;
  rep.message = out.message;
  rep.ended_at = rfc3339_now();
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) == 0)
    rep.cpu_seconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                      static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  if (rep.started_at.empty()) rep.started_at = rep.ended_at;
  if (!o.metrics.empty()) write_metrics(o.metrics, prometheus_text(rep), "run");
  if (!o.otel_file.empty()) {
    std::ofstream f(o.otel_file, std::ios::app);
    f << otlp_trace(rep) << "\n";
    if (!f) std::fprintf(stderr, "warden run: cannot write %s\n", o.otel_file.c_str());
  }
  if (!o.log_json.empty()) {
    std::ofstream f(o.log_json, std::ios::app);
    for (const std::string& line : security_events(rep)) f << line << "\n";
    if (!f) std::fprintf(stderr, "warden run: cannot write %s\n", o.log_json.c_str());
  }
}

void write_exit_json(const std::string& path, const Outcome& out) {
  nlohmann::ordered_json j;
  j["exit_code"] = out.code;
  j["source"] = out.by_guest ? "guest" : "warden";
  j["reason"] = out.reason;
  if (out.guest_status) j["guest_status"] = *out.guest_status;
  if (!out.message.empty()) j["message"] = out.message;
  j["denied"] = out.denied;
  std::ofstream f(path);
  f << j.dump() << "\n";
  if (!f) std::fprintf(stderr, "warden run: cannot write %s\n", path.c_str());
}

void setup(CLI::App& sub, int& exit_code) {
  auto o = std::make_shared<RunOptions>();
  o->app = &sub;
  sub.add_option("file", o->file, "the module (.wasm; a name ending in .wat is read as text)")->required();
  sub.add_option("args", o->args,
                 "with --invoke: typed arguments, i32:5 i64:-1 f32:1.5 f64:0x1p-3\n"
                 "f32:nan:0x200000 f64:-inf v128:i32x4:1,2,3,4 funcref:null externref:N;\n"
                 "without: the WASI program's arguments (put them after --)");
  sub.add_option("--invoke", o->invoke,
                 "call this exported function (default: instantiate, then call _start if "
                 "exported)");
  // Grants (docs/policy.md). allow_extra_args(false): one value per
  // occurrence, so `--dir D prog.wasm` never reads prog.wasm as a second D.
  o->dir_opt = sub.add_option("--dir", o->dirs,
                              "let the guest read directory HOST, seen as GUEST (default: the "
                              "same name); repeatable")
                   ->type_name("HOST[::GUEST]")
                   ->allow_extra_args(false);
  o->dir_rw_opt = sub.add_option("--dir-rw", o->dirs_rw,
                                 "as --dir, and let it create, write, rename and remove "
                                 "beneath it")
                      ->type_name("HOST[::GUEST]")
                      ->allow_extra_args(false);
  sub.add_option("--env", o->env,
                 "give the guest this variable (NAME alone: the host's value); repeatable; "
                 "the guest sees no other")
      ->type_name("NAME=VALUE")
      ->allow_extra_args(false);
  sub.add_option("--allow", o->allow, "grant capabilities: stdin stdout stderr stdio args env clock random exit fs")
      ->type_name("CAP[,CAP...]")
      ->delimiter(',')
      ->allow_extra_args(false);
  sub.add_option("--require-signature", o->require_signature,
                 "run the module only if one of these public keys (warden keygen's .pub) signed it; "
                 "otherwise exit 5 (repeatable; also [trust] in the policy)")
      ->allow_extra_args(false);
  sub.add_option("--signature", o->signature, "a detached signature for the module (warden sign --detached)");
  sub.add_option("--policy", o->policy,
                 "a TOML policy file (grants, env, dirs, limits, determinism); flags given "
                 "here win over it")
      ->type_name("FILE");
  // Limits.
  o->fuel_opt = sub.add_option("--fuel", o->fuel,
                               "stop after N units of fuel (one per call and per loop "
                               "iteration); exhausted -> exit 3");
  o->timeout_opt =
      sub.add_option("--timeout-ms", o->timeout_ms, "wall-clock deadline in milliseconds; exhausted -> exit 3");
  o->memory_opt =
      sub.add_option("--max-memory", o->max_memory, "largest size any memory may reach: bytes, or 64KiB, 16MiB, 1GiB")
          ->type_name("SIZE");
  add_load_threads_option(sub, o->load_threads);
  o->depth_opt = sub.add_option("--call-depth", o->call_depth, "most wasm frames on the call stack (default 20000)");
  o->files_opt = sub.add_option("--max-open-files", o->max_open_files,
                                "most descriptors a WASI guest may hold, stdio and preopens "
                                "included (default 64)");
  // Determinism.
  o->det_opt = sub.add_flag("--deterministic", o->deterministic,
                            "canonicalise NaN results; WASI clocks are virtual (from "
                            "2000-01-01, +1 ms per read) and random_get is seeded");
  o->seed_opt = sub.add_option("--seed", o->seed, "the random seed (implies --deterministic)");
  // Reports.
  sub.add_flag("--stats", o->stats, "after the run, print WASI call counts, denials and fuel to stderr as JSON");
  sub.add_option("--metrics", o->metrics,
                 "at exit, write the run's metrics here (Prometheus text format: startup phases, fuel, memory, "
                 "WASI calls and denials by function, outcome)");
  sub.add_option("--otel-file", o->otel_file,
                 "append the run as an OpenTelemetry trace here (OTLP/JSON, one request a line: a span per phase)");
  sub.add_option("--log-json", o->log_json,
                 "append the run's security events here, one JSON object a line (module loaded or signature "
                 "failed, capability denied, trap, limit hit, instance exit)");
  sub.add_option("--exit-code-json", o->exit_json,
                 "write {\"exit_code\", \"source\": guest|warden, \"reason\", ...} to this file")
      ->type_name("FILE");
  sub.footer(
      "A module importing wasi_snapshot_preview1 runs as a WASI program. It sees only\n"
      "what is granted: program arguments after -- grant args, --env grants env,\n"
      "--dir/--dir-rw grant fs; stdio, clock, random and exit need --allow.\n"
      "Example: warden run --dir ./data::/data --allow stdout,exit prog.wasm -- a b\n"
      "Results of --invoke are printed one per line as TYPE:VALUE (i32/i64 signed\n"
      "decimal; floats also show their bits, e.g. f32:1.5 (0x3fc00000)).\n"
      "Exit status: the guest's status when it returns (0) or calls proc_exit(N)\n"
      "(N, or 255 when N > 255); else Warden's: 1 malformed, invalid or unlinkable\n"
      "(also a capability not granted); 2 trap (stderr 'trap: message'); 3 a\n"
      "resource limit was hit (stderr 'exhausted: message'); 4 the guest ended with\n"
      "0 but the sandbox denied it something (listed on stderr); 64 usage error\n"
      "(bad literal, unknown export, wrong arity or argument type, bad grant).\n"
      "Warden's own codes always come with a line on stderr; --exit-code-json says\n"
      "which it was. See docs/policy.md.");
  sub.callback([o, &exit_code] {
    RunReport rep;
    Outcome out = run(*o, rep);
    if (!o->exit_json.empty()) write_exit_json(o->exit_json, out);
    if (!o->metrics.empty() || !o->log_json.empty() || !o->otel_file.empty()) write_report(*o, rep, out);
    exit_code = out.code;
  });
}

const Registrar reg{{"run", "Instantiate a module and call an exported function, or run a WASI program", setup}};

}  // namespace
}  // namespace warden::cli
