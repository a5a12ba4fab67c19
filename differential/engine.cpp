#include "engine.hpp"

#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <filesystem>

#include "protocol_engine.hpp"

namespace warden::diff {

const std::vector<std::string> kBinaryenFeatures = {
    "--enable-sign-ext",    "--enable-mutable-globals", "--enable-nontrapping-float-to-int", "--enable-simd",
    "--enable-bulk-memory", "--enable-multivalue",      "--enable-reference-types",
};

#ifndef WARDEN_DIFF_HARNESS
#define WARDEN_DIFF_HARNESS "differential/v8_harness.js"
#endif
#ifndef WARDEN_DIFF_SOURCE_DIR
#define WARDEN_DIFF_SOURCE_DIR "."
#endif

// Each adapter file's factory; make_engine is the one way in.
std::unique_ptr<Engine> make_warden_engine(const EngineSetup& setup);
std::unique_ptr<Engine> make_wabt_engine(const EngineSetup& setup);
std::unique_ptr<Engine> make_binaryen_engine(const EngineSetup& setup);
std::unique_ptr<Engine> make_v8_engine(const EngineSetup& setup);
std::unique_ptr<Engine> make_npm_engine(const EngineSetup& setup, const std::string& name, const std::string& package);

namespace {

// warden-asan: `warden engine-server` of the ASan+UBSan build, with every
// sanitizer report fatal and written where the adapter reads it back.
std::unique_ptr<Engine> make_sanitized_engine(const EngineSetup& setup) {
  ProtocolConfig c;
  c.name = std::string(kSanitizedEngine);
  c.cwd = (std::filesystem::path(setup.work_dir) / c.name).string();
  c.sanitizer_log = c.cwd + "/sanitizer";
  // halt_on_error and abort_on_error: the first report ends the process (a
  // crash of that request); detect_leaks=0: a leak shows only at exit,
  // which no request sees. UBSan needs print_stacktrace for its frames.
  std::string log = "log_path=" + c.sanitizer_log;
  c.command = "ASAN_OPTIONS=" + shell_quote("halt_on_error=1:abort_on_error=1:detect_leaks=0:" + log) +
              " UBSAN_OPTIONS=" + shell_quote("halt_on_error=1:abort_on_error=1:print_stacktrace=1:" + log) + " exec " +
              shell_quote(setup.sanitized) + " engine-server";
  c.limits = setup.limits;
  c.limits.timeout_ms =
      static_cast<uint32_t>(std::min<uint64_t>(uint64_t{setup.limits.timeout_ms} * kSanitizedSlowdown, UINT32_MAX));
  c.needs = {{setup.sanitized, "no sanitized build at '" + setup.sanitized + "'"}};
  return make_protocol_engine(std::move(c));
}

constexpr std::string_view kBuiltins[] = {"warden",       "wabt",     "binaryen",      "v8",
                                          "binaryen-npm", "wabt-npm", kSanitizedEngine};
}  // namespace

std::span<const std::string_view> builtin_engines() { return kBuiltins; }

std::string tool_server_library(const std::string& tool_server) {
  if (tool_server == "none") return "";
  if (!tool_server.empty()) return tool_server;
#ifdef WARDEN_DIFF_TOOL_SERVER
  if (access(WARDEN_DIFF_TOOL_SERVER, R_OK) == 0) return WARDEN_DIFF_TOOL_SERVER;
#endif
  return "";
}

std::optional<ProtocolSpec> parse_engine_spec(std::string_view spec, std::string& error) {
  size_t eq = spec.find('=');
  if (eq == std::string_view::npos) {
    error = "expected NAME=COMMAND, got '" + std::string(spec) + "'";
    return std::nullopt;
  }
  ProtocolSpec p{std::string(spec.substr(0, eq)), std::string(spec.substr(eq + 1))};
  // Names go into signatures ('|' and ',' separate there), file names and
  // JSON keys: letters, digits and ._- only.
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  bool ok = !p.name.empty() && p.name.size() <= 32 && alnum(p.name[0]);
  for (char c : p.name) ok = ok && (alnum(c) || c == '.' || c == '_' || c == '-');
  if (!ok) {
    error = "engine name '" + p.name + "': 1 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit";
    return std::nullopt;
  }
  for (std::string_view b : kBuiltins) {
    if (p.name != b) continue;
    error = "engine name '" + p.name + "' is a built-in engine's; choose another";
    return std::nullopt;
  }
  if (p.command.find_first_not_of(" \t") == std::string::npos) {
    error = "engine '" + p.name + "': empty command";
    return std::nullopt;
  }
  return p;
}

std::unique_ptr<Engine> make_engine(std::string_view name, const EngineSetup& given) {
  EngineSetup setup = given;
  if (setup.work_dir.empty()) setup.work_dir = "/tmp/warden-engines-" + std::to_string(getpid());
  if (setup.harness.empty()) setup.harness = WARDEN_DIFF_HARNESS;
  if (setup.repo_dir.empty()) setup.repo_dir = WARDEN_DIFF_SOURCE_DIR;
  if (name == "warden") return make_warden_engine(setup);
  if (name == "wabt") return make_wabt_engine(setup);
  if (name == "binaryen") return make_binaryen_engine(setup);
  if (name == "v8") return make_v8_engine(setup);
  if (name == "binaryen-npm") return make_npm_engine(setup, "binaryen-npm", "binaryen");
  if (name == "wabt-npm") return make_npm_engine(setup, "wabt-npm", "wabt");
  if (name == kSanitizedEngine) return make_sanitized_engine(setup);
  for (const ProtocolSpec& p : setup.protocol) {
    if (p.name != name) continue;
    ProtocolConfig c;
    c.name = p.name;
    c.command = p.command;
    c.cwd = (std::filesystem::path(setup.work_dir) / p.name).string();
    c.limits = setup.limits;
    return make_protocol_engine(std::move(c));
  }
  return nullptr;
}

std::vector<RunResult> Engine::run(std::span<const RunJob> jobs) {
  std::vector<RunResult> out;
  for (const RunJob& job : jobs) out.push_back(run_one(job));
  return out;
}

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::Valid: return "valid";
    case Verdict::Malformed: return "malformed";
    case Verdict::Invalid: return "invalid";
    case Verdict::Rejected: return "rejected";
    case Verdict::Limit: return "limit";
    case Verdict::Unsupported: return "unsupported";
    case Verdict::Crash: return "crash";
    case Verdict::Hang: return "hang";
    case Verdict::NotRun: return "not-run";
  }
  return "?";
}

std::string_view to_string(Outcome::Status s) {
  switch (s) {
    case Outcome::Status::Ok: return "ok";
    case Outcome::Status::Trap: return "trap";
    case Outcome::Status::Exhausted: return "exhausted";
    case Outcome::Status::Unlinkable: return "unlinkable";
    case Outcome::Status::Unsupported: return "unsupported";
    case Outcome::Status::Crash: return "crash";
    case Outcome::Status::Hang: return "hang";
    case Outcome::Status::NotRun: return "not-run";
  }
  return "?";
}

std::string describe(const Outcome& o) {
  std::string s(to_string(o.status));
  if (o.status == Outcome::Status::Ok) {
    char buf[24];
    for (uint64_t v : o.values) {
      std::snprintf(buf, sizeof buf, " 0x%" PRIx64, v);
      s += buf;
    }
    return s;
  }
  if (o.status == Outcome::Status::Trap) s += " " + trap_names(o.trap);
  if (!o.message.empty()) s += " (" + o.message + ")";
  return s;
}

}  // namespace warden::diff
