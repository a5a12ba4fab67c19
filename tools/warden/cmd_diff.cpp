// `warden diff`: the differential campaign against wabt, Binaryen and V8,
// and any engine that speaks the engine protocol (differential/,
// docs/differential.md, docs/engine-protocol.md).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>

#include "campaign.hpp"
#include "cli.hpp"
#include "engine_args.hpp"
#include "observability.hpp"
#include "observe.hpp"

namespace warden::cli {
namespace {

namespace fs = std::filesystem;

struct DiffOptions {
  diff::CampaignOptions c;
  std::string time = "10m";
  std::string engines = "warden,wabt,binaryen,v8";
  std::string generators = "own,ttf,mutate,wasi";
  bool no_minimize = false, no_nan_check = false, no_fold = false;
  uint32_t measure = 0, measure_sample = 16;  // --measure-observability N, --observe-sample K
  std::string metrics;
  std::vector<std::string> protocol;  // --engine NAME=COMMAND
  CLI::Option* sanitized_flag = nullptr;
  std::string sanitized;  // --sanitized[=PATH]
};

// The ASan+UBSan build's warden for --sanitized: the one given, else
// $WARDEN_SANITIZED, else build/asan-ubsan/warden beside the build this
// warden runs from (build/release/warden -> build/asan-ubsan/warden).
std::string sanitized_binary(const std::string& given) {
  if (!given.empty()) return given;
  if (const char* env = std::getenv("WARDEN_SANITIZED"); env && *env) return env;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "build/asan-ubsan/warden";
  return (self.parent_path().parent_path() / "asan-ubsan" / "warden").string();
}

// --sanitized: warden-asan joins the engines, beside the in-process warden
// it is compared with. False (after saying why) when it cannot.
bool add_sanitized(DiffOptions& o) {
  if (std::find(o.c.engines.begin(), o.c.engines.end(), "warden") == o.c.engines.end()) {
    std::fprintf(stderr, "warden diff: --sanitized compares with the warden engine; keep warden in --engines\n");
    return false;
  }
  std::string path = sanitized_binary(o.sanitized);
  if (access(path.c_str(), X_OK) != 0) {
    std::fprintf(stderr,
                 "warden diff: --sanitized: no sanitized build at %s (give --sanitized=PATH or set "
                 "WARDEN_SANITIZED); build it with:\n"
                 "  cmake --preset asan-ubsan && cmake --build --preset asan-ubsan --target warden_cli\n",
                 path.c_str());
    return false;
  }
  o.c.sanitized = path;
  std::string name(diff::kSanitizedEngine);
  if (std::find(o.c.engines.begin(), o.c.engines.end(), name) == o.c.engines.end()) o.c.engines.push_back(name);
  return true;
}

std::string diff_metrics(const diff::CampaignTotals& t) {
  Exposition e;
  e.family("warden_diff_duration_seconds", "gauge", "Wall-clock time of the campaign.");
  e.sample("warden_diff_duration_seconds", t.seconds);
  e.family("warden_diff_cycles_total", "counter", "Campaign cycles.");
  e.sample("warden_diff_cycles_total", static_cast<double>(t.cycles));
  e.family("warden_diff_inputs_total", "counter",
           "Inputs compared, by kind: generated modules, mutants, WASI programs.");
  e.sample("warden_diff_inputs_total", static_cast<double>(t.generated), "kind=\"generated\"");
  e.sample("warden_diff_inputs_total", static_cast<double>(t.mutants), "kind=\"mutant\"");
  e.sample("warden_diff_inputs_total", static_cast<double>(t.wasi_programs), "kind=\"wasi\"");
  e.family("warden_diff_findings_total", "counter", "Disagreements, by whether a catalogued rule explains them.");
  e.sample("warden_diff_findings_total", static_cast<double>(t.explained), "explained=\"true\"");
  e.sample("warden_diff_findings_total", static_cast<double>(t.findings - t.explained), "explained=\"false\"");
  e.family("warden_diff_buckets", "gauge", "Finding buckets, by whether a rule explains them.");
  e.sample("warden_diff_buckets", static_cast<double>(t.buckets - t.unexplained), "explained=\"true\"");
  e.sample("warden_diff_buckets", static_cast<double>(t.unexplained), "explained=\"false\"");
  e.family("warden_diff_engine_seconds_total", "counter", "Wall-clock time each engine (and task) took.");
  for (const auto& [engine, secs] : t.engine_seconds)
    e.sample("warden_diff_engine_seconds_total", secs, "engine=\"" + label(engine) + "\"");
  e.family("warden_diff_engine_inputs_total", "counter", "Inputs each engine (and task) was given.");
  for (const auto& [engine, n] : t.engine_modules)
    e.sample("warden_diff_engine_inputs_total", static_cast<double>(n), "engine=\"" + label(engine) + "\"");
  e.family("warden_diff_ignored_total", "counter", "Comparisons set aside, by the rule that says why.");
  for (const auto& [rule, n] : t.ignored)
    e.sample("warden_diff_ignored_total", static_cast<double>(n), "rule=\"" + label(rule) + "\"");
  return e.take();
}

int run(DiffOptions& o) {
  double secs = parse_duration(o.time);
  if (secs < 0) {
    std::fprintf(stderr, "warden diff: bad --time '%s' (e.g. 10m, 90s, 600)\n", o.time.c_str());
    return kExitUsage;
  }
  o.c.seconds = secs;
  o.c.engines = split_list(o.engines);
  // Each --engine NAME=COMMAND joins the campaign's engines.
  if (!add_protocol_engines(o.protocol, o.c, "diff")) return kExitUsage;
  if (o.sanitized_flag->count() && !add_sanitized(o)) return kExitUsage;
  o.c.generators = split_list(o.generators);
  o.c.minimize = !o.no_minimize;
  o.c.probe.nan_check = !o.no_nan_check;
  o.c.probe.fold = !o.no_fold;
  if (o.measure > 0) {
    diff::ObservabilityOptions m;
    m.seed = o.c.seed;
    m.modules = o.measure;
    m.sample = o.measure_sample;
    m.generator = o.generators == DiffOptions{}.generators ? "own" : o.generators;
    m.tool_dir = o.c.tool_dir;
    m.probe = o.c.probe;
    diff::Observability total;
    return diff::measure_observability(m, total, stdout) ? kExitOk : kExitUsage;
  }
  diff::CampaignTotals totals;
  int unexplained = diff::run_campaign(o.c, stdout, &totals);
  if (unexplained < 0) return kExitUsage;
  if (!o.metrics.empty()) write_metrics(o.metrics, diff_metrics(totals), "diff");
  return unexplained > 0 ? kExitRejected : kExitOk;
}

void setup(CLI::App& sub, int& exit_code) {
  auto o = std::make_shared<DiffOptions>();
  sub.add_option("--time", o->time, "campaign length: 10m, 90s, 1h or seconds (default 10m)");
  sub.add_option("--cycles", o->c.max_cycles, "stop after N cycles instead (exactly reproducible)");
  sub.add_option("--seed", o->c.seed, "campaign seed (default 1)");
  sub.add_option("--engines", o->engines,
                 "comma list of warden,wabt,binaryen,v8,binaryen-npm,wabt-npm (default warden,wabt,binaryen,v8)");
  sub.add_option("--engine", o->protocol,
                 "NAME=COMMAND: also compare the engine that COMMAND (run by /bin/sh -c) starts, which speaks "
                 "the engine protocol (docs/engine-protocol.md); repeatable")
      ->allow_extra_args(false);
  o->sanitized_flag =
      sub.add_option("--sanitized", o->sanitized,
                     "also run Warden's ASan+UBSan build (PATH, default $WARDEN_SANITIZED or "
                     "build/asan-ubsan/warden beside this build) as engine warden-asan, compared with Warden "
                     "exactly; a sanitizer report is a finding (docs/differential.md)")
          ->expected(0, 1);
  sub.add_option("--generator", o->generators, "comma list of own,ttf,mutate,wasi (default all)");
  sub.add_option("--findings", o->c.findings_dir, "where bundles go (default ./findings)");
  sub.add_option("--batch", o->c.batch, "generated modules per cycle (default 16)");
  sub.add_option("--mutate-batch", o->c.mutate_batch, "mutated modules per cycle (default 384)");
  sub.add_option("--binaryen-validate-one-in", o->c.binaryen_validate_one_in,
                 "Binaryen validates every Nth mutant (default 48; it is the slowest)");
  sub.add_option("--reduce-budget", o->c.reduce_budget, "predicate runs per bucket (default 250)");
  sub.add_option("--reduce-seconds", o->c.reduce_seconds, "wall-clock time per bucket (default 30)");
  sub.add_flag("--no-minimize", o->no_minimize, "write bundles without minimizing");
  sub.add_option("--fuel", o->c.probe.fuel, "the generator's fuel global before each call (default 200)");
  sub.add_option("--rounds", o->c.probe.rounds, "calls per export (default 2)");
  sub.add_option("--hash-pages", o->c.probe.max_hash_pages,
                 "pages the state hash reads in full; above, one word per 4 KiB (default 2)");
  sub.add_flag("--no-nan-check", o->no_nan_check, "do not check the NaN rule per instruction");
  sub.add_flag("--no-fold", o->no_fold, "do not fold lost values into the probes' checksum");
  sub.add_option("--measure-observability", o->measure,
                 "instead of a campaign: measure on N modules of --generator (own or ttf; default own) the share "
                 "of executed instructions whose result reaches a call result or the state, folding off and on");
  sub.add_option("--observe-sample", o->measure_sample, "sites perturbed per module in the measure (default 16)");
  sub.add_option("--timeout-ms", o->c.limits.timeout_ms, "per module and engine (default 5000)");
  sub.add_option("--call-depth", o->c.limits.call_depth, "Warden's call-depth limit (default: its own)");
  sub.add_option("--tools", o->c.tool_dir, "directory of wabt's and Binaryen's tools (default /usr/bin)");
  sub.add_option("--tool-server", o->c.tool_server,
                 "LIB: the fork server that keeps wasm-opt and wasm-validate loaded between runs (default: the one "
                 "built with warden); 'none': start them afresh for every run");
  sub.add_option("--node", o->c.node, "node executable (default /usr/bin/node)");
  sub.add_option("--harness", o->c.harness, "the V8 harness (default differential/v8_harness.js)");
  sub.add_option("--testsuite", o->c.testsuite, "testsuite .wast directory (mutation seeds)");
  sub.add_option("--work", o->c.work_dir, "scratch directory (default /tmp/warden-diff-PID, removed)");
  sub.add_flag("-v,--verbose", o->c.verbose, "progress after every cycle");
  sub.add_option("--metrics", o->metrics, "at the end, write the campaign's figures in the Prometheus text format");
  sub.add_option("--replay", o->c.replay,
                 "compare the engines on these .wasm files (and their probes) instead of generating");
  sub.add_option("--wasi-replay", o->c.wasi_replay,
                 "run these WASI programs (a bundle's or corpora's regression.json, or a bare program array) "
                 "under Warden and node:wasi and explain the difference");
  sub.add_option("--wasi-harness", o->c.wasi_harness, "the node:wasi harness (default differential/wasi_harness.js)");
  sub.add_option("--wasi-batch", o->c.wasi_batch, "WASI programs per cycle (default 4)");
  sub.footer(
      "Prints new buckets as they appear, then a summary with campaign health;\n"
      "its last line is 'unexplained: N'. Exit status: 0 when N is 0, 1 when\n"
      "N > 0, 64 on a usage error or when fewer than two engines are available.");
  sub.callback([o, &exit_code] { exit_code = run(*o); });
}

const Registrar reg{{"diff", "Differential campaign against wabt, Binaryen, V8 and protocol engines", setup}};

}  // namespace
}  // namespace warden::cli
