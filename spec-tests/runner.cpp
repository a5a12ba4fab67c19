// Executes script commands (spec interpreter README, "Scripts"; the reference
// interpreter's script/run.ml is the model for what each assertion demands).
#include "runner.hpp"

#include <memory>
#include <optional>
#include <utility>

#include "warden/spectest.hpp"

namespace warden::spec {

using text::Command;
using text::ScriptModule;

std::string_view command_name(Command::Kind k) {
  switch (k) {
    case Command::Kind::Module: return "module";
    case Command::Kind::Register: return "register";
    case Command::Kind::Action: return "action";
    case Command::Kind::AssertReturn: return "assert_return";
    case Command::Kind::AssertTrap: return "assert_trap";
    case Command::Kind::AssertExhaustion: return "assert_exhaustion";
    case Command::Kind::AssertMalformed: return "assert_malformed";
    case Command::Kind::AssertInvalid: return "assert_invalid";
    case Command::Kind::AssertUnlinkable: return "assert_unlinkable";
    case Command::Kind::AssertUninstantiable: return "assert_uninstantiable";
  }
  return "?";
}

std::string_view strip_position(std::string_view message) {
  // "12:34: text" -> "text"
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < message.size() && message[i] >= '0' && message[i] <= '9') ++i;
    return i > start;
  };
  if (!digits() || i >= message.size() || message[i] != ':') return message;
  ++i;
  if (!digits() || message.substr(i, 2) != ": ") return message;
  return message.substr(i + 2);
}

namespace {

std::string describe(const Error& e) { return std::string(to_string(e.kind)) + " \"" + e.message + "\""; }

std::string describe_expected(ErrorKind kind, const std::string& text) {
  return std::string(to_string(kind)) + " \"" + text + "\"";
}

/// Executes the commands of one script with its own store and registry.
class ScriptRunner {
 public:
  ScriptRunner(const RunnerOptions& options, const OutcomeSink& sink)
      : options_(options), sink_(sink), store_(options.limits) {
    define_spectest(store_, linker_, options.print_to);
  }

  void run(Command& c) {
    Outcome o;
    o.line = c.pos.line;
    o.command = std::string(command_name(c.kind));
    switch (c.kind) {
      case Command::Kind::Module: run_module(c, o); break;
      case Command::Kind::Register: run_register(c, o); break;
      case Command::Kind::Action: run_action_command(c, o); break;
      case Command::Kind::AssertReturn: run_assert_return(c, o); break;
      case Command::Kind::AssertTrap:
        if (c.module) {
          expect_module_error(c, ErrorKind::Uninstantiable, o);
        } else {
          expect_action_error(c, ErrorKind::Trap, o);
        }
        break;
      case Command::Kind::AssertExhaustion: expect_action_error(c, ErrorKind::Exhaustion, o); break;
      case Command::Kind::AssertMalformed: expect_module_error(c, ErrorKind::Malformed, o); break;
      case Command::Kind::AssertInvalid: expect_module_error(c, ErrorKind::Invalid, o); break;
      case Command::Kind::AssertUnlinkable: expect_module_error(c, ErrorKind::Unlinkable, o); break;
      case Command::Kind::AssertUninstantiable: expect_module_error(c, ErrorKind::Uninstantiable, o); break;
    }
    sink_(o);
  }

 private:
  static void fail(Outcome& o, std::string expected, std::string actual) {
    o.status = Outcome::Status::Failed;
    o.expected = std::move(expected);
    o.actual = std::move(actual);
  }

  /// Decode/parse, validate and compile a script module.
  static Result<std::shared_ptr<const Module>> compile(ScriptModule& m, const Limits& limits) {
    switch (m.form) {
      case ScriptModule::Form::Text: return load_syntax(std::move(m.module), limits);
      case ScriptModule::Form::Binary: return Module::load(m.bytes, limits);
      case ScriptModule::Form::Quote: {
        auto parsed = text::parse_module(m.quote);
        if (!parsed.ok()) return parsed.error();
        return load_syntax(std::move(parsed.value()), limits);
      }
    }
    return Error{ErrorKind::Malformed, "unknown module form"};
  }

  /// Resolve imports through the registry and instantiate.
  Result<Instance*> instantiate(const std::shared_ptr<const Module>& m) {
    auto imports = linker_.resolve(*m);
    if (!imports.ok()) return imports.error();
    return store_.instantiate(m, imports.value());
  }

  void run_module(Command& c, Outcome& o) {
    if (!c.module) return fail(o, "a module", "none (script parser gave no module)");
    auto m = compile(*c.module, options_.limits);
    if (!m.ok()) return fail(o, "module to load", describe(m.error()));
    auto inst = instantiate(m.value());
    if (!inst.ok()) return fail(o, "module to instantiate", describe(inst.error()));
    last_ = inst.value();
    if (c.module->id) named_[*c.module->id] = inst.value();
  }

  /// The instance `id` names, or the last one defined.
  Instance* target(const std::optional<std::string>& id, std::string& error) {
    if (!id) {
      if (!last_) error = "no module defined";
      return last_;
    }
    auto it = named_.find(*id);
    if (it == named_.end()) {
      error = "unknown module $" + *id;
      return nullptr;
    }
    return it->second;
  }

  void run_register(Command& c, Outcome& o) {
    std::string error;
    Instance* inst = target(c.register_id, error);
    if (!inst) return fail(o, "module to register as \"" + c.register_as + "\"", error);
    linker_.define_instance(c.register_as, *inst);
  }

  /// Performs an action. On a script-level problem (no such module/export)
  /// returns nullopt with `problem` set; otherwise the engine's result.
  std::optional<Result<std::vector<Value>>> perform(text::Action& a, std::string& problem) {
    Instance* inst = target(a.module, problem);
    if (!inst) return std::nullopt;
    std::optional<Extern> e = inst->find_export(a.name);
    if (!e) {
      problem = "unknown export \"" + a.name + "\"";
      return std::nullopt;
    }
    if (a.kind == text::Action::Kind::Invoke) {
      if (e->kind != ExternKind::Func || !e->func) {
        problem = "export \"" + a.name + "\" is not a function";
        return std::nullopt;
      }
      return store_.invoke(e->func, a.args);
    }
    if (e->kind != ExternKind::Global || !e->global) {
      problem = "export \"" + a.name + "\" is not a global";
      return std::nullopt;
    }
    return Result<std::vector<Value>>(std::vector<Value>{store_.global_get(e->global)});
  }

  void run_action_command(Command& c, Outcome& o) {
    if (!c.action) return fail(o, "an action", "none (script parser gave no action)");
    std::string problem;
    auto r = perform(*c.action, problem);
    if (!r) return fail(o, "success", problem);
    if (!r->ok()) return fail(o, "success", describe(r->error()));
  }

  void run_assert_return(Command& c, Outcome& o) {
    if (!c.action) return fail(o, "an action", "none (script parser gave no action)");
    std::string problem;
    auto r = perform(*c.action, problem);
    std::string want = format_expected(c.expected);
    if (!r) return fail(o, want, problem);
    if (!r->ok()) return fail(o, want, describe(r->error()));
    const std::vector<Value>& got = r->value();
    ValType shape = ValType::I32;
    for (const text::Expected& e : c.expected) {
      if (e.kind == text::Expected::Kind::Lanes) shape = e.shape;
    }
    bool ok = got.size() == c.expected.size();
    for (size_t i = 0; ok && i < got.size(); ++i) ok = matches(c.expected[i], got[i]);
    if (!ok) fail(o, want, format_values(got, shape));
  }

  /// Compares an error with the expected kind and text; fills `o`.
  static void check_error(const Error& e, ErrorKind kind, const std::string& text, Outcome& o) {
    if (e.kind != kind) return fail(o, describe_expected(kind, text), describe(e));
    std::string_view msg = strip_position(e.message);
    if (msg.substr(0, text.size()) != text) {
      o.message_mismatch = true;
      o.expected = describe_expected(kind, text);
      o.actual = describe(e);
    }
  }

  void expect_action_error(Command& c, ErrorKind kind, Outcome& o) {
    std::string want = describe_expected(kind, c.text);
    if (!c.action) return fail(o, want, "none (script parser gave no action)");
    std::string problem;
    auto r = perform(*c.action, problem);
    if (!r) return fail(o, want, problem);
    if (r->ok()) return fail(o, want, format_values(r->value()));
    check_error(r->error(), kind, c.text, o);
  }

  void expect_module_error(Command& c, ErrorKind kind, Outcome& o) {
    std::string want = describe_expected(kind, c.text);
    if (!c.module) return fail(o, want, "none (script parser gave no module)");
    auto m = compile(*c.module, options_.limits);
    if (!m.ok()) return check_error(m.error(), kind, c.text, o);
    if (kind == ErrorKind::Malformed || kind == ErrorKind::Invalid) {
      return fail(o, want, "module loaded");
    }
    auto inst = instantiate(m.value());
    if (!inst.ok()) return check_error(inst.error(), kind, c.text, o);
    fail(o, want, "module instantiated");
  }

  const RunnerOptions& options_;
  const OutcomeSink& sink_;
  Store store_;
  Linker linker_;
  std::map<std::string, Instance*> named_;
  Instance* last_ = nullptr;
};

}  // namespace

void run_script(text::Script& script, const RunnerOptions& options, const OutcomeSink& sink,
                const StartHook& on_start) {
  ScriptRunner runner(options, sink);
  for (Command& c : script.commands) {
    auto skip = options.skips.find(c.pos.line);
    if (skip != options.skips.end()) {
      Outcome o;
      o.status = Outcome::Status::Skipped;
      o.line = c.pos.line;
      o.command = std::string(command_name(c.kind));
      o.skip_reason = skip->second;
      sink(o);
      continue;
    }
    if (on_start) on_start(c.pos.line, command_name(c.kind));
    runner.run(c);
  }
}

void run_source(std::string_view source, const RunnerOptions& options, const OutcomeSink& sink,
                const StartHook& on_start) {
  auto script = text::parse_script(source);
  if (!script.ok()) {
    Outcome o;
    o.status = Outcome::Status::Failed;
    o.command = "script";
    std::string_view msg = script.error().message;
    // The parser's message starts with "LINE:COL: ".
    uint32_t line = 0;
    for (char ch : msg) {
      if (ch < '0' || ch > '9' || line > 100'000'000) break;
      line = line * 10 + static_cast<uint32_t>(ch - '0');
    }
    o.line = line;
    o.expected = "a script that parses";
    o.actual = describe(script.error());
    sink(o);
    return;
  }
  run_script(script.value(), options, sink, on_start);
}

}  // namespace warden::spec
