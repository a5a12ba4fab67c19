// `warden audit`: one time-boxed command that audits Warden and its peers
// and writes a report (docs/audit.md): the conformance matrix over the
// testsuite (scripts/conformance), a fuzz smoke of every target when a fuzz
// build exists (scripts/fuzz), a differential campaign (in process), and
// `warden repro`'s verdict on every finding.
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <sstream>

#include "audit.hpp"
#include "campaign.hpp"
#include "cli.hpp"
#include "engine_args.hpp"
#include "process.hpp"
#include "repro.hpp"

namespace warden::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct AuditOptions {
  std::string time = "5m";
  std::string out = "report";
  std::string testsuite;
  std::string engines = "warden,wabt,binaryen,v8";
  std::vector<std::string> protocol;  ///< --engine NAME=COMMAND
  std::vector<std::string> only;      ///< testsuite files (default all)
  uint64_t seed = 0;                  ///< 0: from the date
  bool build_fuzz = false, no_fuzz = false, no_conformance = false;
  double fuzz_seconds = 0;  ///< per target; 0: from the budget
};

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string self_path() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? "warden" : p.string();
}

std::string now_iso() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

json read_json(const fs::path& p) {
  std::ifstream in(p);
  if (!in) return json();
  json j = json::parse(in, nullptr, false);
  return j.is_discarded() ? json() : j;
}

// ------------------------------------------------------- conformance --

json conformance(const AuditOptions& o, double budget, const fs::path& out) {
  std::vector<std::string> argv{"/usr/bin/python3",
                                repro::source_dir() + "/scripts/conformance",
                                "--warden",
                                self_path(),
                                "--md",
                                (out / "conformance.md").string(),
                                "--json",
                                (out / "conformance.json").string(),
                                "--deadline",
                                std::to_string(static_cast<int>(budget))};
  if (!o.testsuite.empty()) argv.insert(argv.end(), {"--suite", o.testsuite});
  for (const std::string& spec : o.protocol) argv.insert(argv.end(), {"--engine", spec});
  if (!o.only.empty()) {
    argv.push_back("--only");
    argv.insert(argv.end(), o.only.begin(), o.only.end());
  }
  auto t = Clock::now();
  // Past the deadline nothing new starts; a file's runs in flight finish.
  diff::ProcessResult p = diff::run_process(argv, "", static_cast<uint32_t>((budget + 600) * 1000), 0);
  json j = read_json(out / "conformance.json");
  if (j.is_null()) return {{"status", "failed: " + p.err.substr(0, 500)}};
  j["status"] = "ran";
  j["seconds"] = seconds_since(t);
  std::ofstream(out / "conformance.log") << p.err << p.out;
  return j;
}

// ----------------------------------------------------------- fuzzing --

const char* const kFuzzTargets[] = {"decode_validate", "execute", "text",     "instantiate_link",
                                    "binary_mutate",   "wasi",    "signature"};

/// libFuzzer's status lines: "#N ... cov: C ... exec/s: E" -> points
/// [seconds, exec/s, coverage], the time being N / E (libFuzzer's exec/s is
/// executions over elapsed time).
json fuzz_series(const fs::path& log, json& target) {
  static const std::regex status(R"(^#(\d+)\s.*cov: (\d+).*exec/s: (\d+))");
  static const char* const kAverage = "stat::average_exec_per_sec:";
  static const char* const kUnits = "stat::number_of_executed_units:";
  std::ifstream in(log);
  std::string line;
  json series = json::array();
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, status)) {
      // The regex matched digits only: strtod cannot fail on them.
      double n = std::strtod(m[1].str().c_str(), nullptr), cov = std::strtod(m[2].str().c_str(), nullptr),
             e = std::strtod(m[3].str().c_str(), nullptr);
      if (e > 0) series.push_back({n / e, e, cov});
      target["execs"] = n;
      target["cov"] = cov;
    } else if (line.rfind(kAverage, 0) == 0) {
      target["exec_per_s"] = std::strtod(line.c_str() + std::strlen(kAverage), nullptr);
    } else if (line.rfind(kUnits, 0) == 0) {
      target["execs"] = std::strtod(line.c_str() + std::strlen(kUnits), nullptr);
    }
  }
  return series;
}

json fuzzing(const AuditOptions& o, double per_target, const fs::path& out, std::vector<std::string>& crashes) {
  fs::path build = fs::path(repro::source_dir()) / "build" / "fuzz" / "fuzzers";
  std::error_code ec;
  bool built = fs::exists(build / "fuzz_decode_validate", ec);
  if (o.no_fuzz) return {{"status", "skipped: --no-fuzz"}};
  if (!built && !o.build_fuzz)
    return {{"status",
             "skipped: no fuzz build (warden audit --build-fuzz, or cmake --preset fuzz && "
             "cmake --build --preset fuzz)"}};
  fs::path work = out / "fuzz-work";
  fs::path triage = fs::path(repro::source_dir()) / "triage";
  std::set<std::string> before;
  for (const char* t : kFuzzTargets)
    for (const auto& e : fs::directory_iterator(triage / t, ec)) before.insert(e.path().string());
  auto start = Clock::now();
  std::vector<std::string> argv{"/bin/bash", repro::source_dir() + "/scripts/fuzz",
                                "--time",    std::to_string(static_cast<int>(per_target)),
                                "--jobs",    "1",
                                "--work",    work.string()};
  diff::ProcessResult p = diff::run_process(argv, "", static_cast<uint32_t>((per_target * 7 + 1800) * 1000), 0);
  std::ofstream(out / "fuzz.log") << p.out << p.err;
  json j{{"status", p.exit_code == 0 ? "ran" : "ran: scripts/fuzz exit " + std::to_string(p.exit_code)},
         {"seconds", seconds_since(start)},
         {"seconds_per_target", per_target}};
  json targets = json::array();
  for (const char* t : kFuzzTargets) {
    json target{{"name", t}, {"execs", 0}, {"exec_per_s", 0}, {"cov", 0}, {"crashes", 0}};
    target["series"] = fuzz_series(work / "logs" / (std::string(t) + ".log"), target);
    size_t corpus = 0;
    for (auto it = fs::directory_iterator(work / "corpus" / t, ec); !ec && it != fs::directory_iterator(); ++it)
      ++corpus;
    target["corpus"] = corpus;
    int n = 0;
    for (const auto& e : fs::directory_iterator(triage / t, ec))
      if (!before.count(e.path().string())) {
        crashes.push_back(e.path().string());
        ++n;
      }
    target["crashes"] = n;
    targets.push_back(target);
  }
  j["targets"] = targets;
  return j;
}

// ------------------------------------------------------ differential --

json differential(const AuditOptions& o, double seconds, uint64_t seed, const fs::path& out) {
  diff::CampaignOptions c;
  c.seconds = seconds;
  c.seed = seed;
  c.engines = split_list(o.engines);
  if (!add_protocol_engines(o.protocol, c, "audit")) return {{"status", "not run: a bad --engine"}};
  c.findings_dir = (out / "findings").string();
  c.reduce_seconds = 10;
  if (!o.testsuite.empty()) c.testsuite = o.testsuite;
  std::FILE* log = std::fopen((out / "diff.log").c_str(), "w");
  diff::CampaignTotals t;
  int r = diff::run_campaign(c, log ? log : stdout, &t);
  if (log) std::fclose(log);
  if (r < 0) return {{"status", "could not start (fewer than two engines; see diff.log)"}};
  json j{{"status", "ran"},
         {"seed", seed},
         {"seconds", t.seconds},
         {"cycles", t.cycles},
         {"generated", t.generated},
         {"mutants", t.mutants},
         {"wasi_programs", t.wasi_programs},
         {"modules_per_second", t.seconds > 0 ? static_cast<double>(t.generated) / t.seconds : 0.0},
         {"findings", t.findings},
         {"explained", t.explained},
         {"unexplained_buckets", t.unexplained},
         {"engines", t.versions},
         {"missing", t.missing},
         {"ignored", t.ignored}};
  json buckets = json::array();
  for (const auto& b : t.bucket_list)
    buckets.push_back({{"id", b.id},
                       {"signature", b.signature},
                       {"rule", b.rule},
                       {"kind", b.kind},
                       {"engines", b.engines},
                       {"count", b.count},
                       {"dir", b.dir}});
  j["buckets"] = buckets;
  return j;
}

// ------------------------------------------------------------ repro --

json verdicts(const AuditOptions& o, const json& diff, const std::vector<std::string>& crashes, const fs::path& out,
              json& counts) {
  repro::Options ro;
  ro.engines = o.engines;
  ro.protocol = o.protocol;
  ro.out = (out / "repro").string();
  ro.timeout = 25;
  json list = json::array();
  auto add = [&](const std::string& artifact, const std::string& origin) {
    repro::Report r = repro::reproduce(artifact, ro);
    std::string verdict = r.error.empty() ? repro::to_string(r.verdict) : "error";
    std::string why = r.error.empty() ? r.why : r.error;
    counts[verdict] = counts.value(verdict, 0) + 1;
    list.push_back({{"artifact", artifact},
                    {"origin", origin},
                    {"verdict", verdict},
                    {"why", why},
                    {"command", "warden repro " + artifact}});
  };
  for (const std::string& c : crashes) add(c, "fuzzing");
  if (diff.contains("buckets"))
    for (const json& b : diff["buckets"]) {
      add(b["dir"].get<std::string>(), "differential");
    }
  return list;
}

int run(const AuditOptions& o) {
  double budget = parse_duration(o.time);
  if (budget <= 0) {
    std::fprintf(stderr, "warden audit: bad --time '%s' (e.g. 5m, 90s)\n", o.time.c_str());
    return kExitUsage;
  }
  auto start = Clock::now();
  fs::path out(o.out);
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) {
    std::fprintf(stderr, "warden audit: cannot create %s: %s\n", o.out.c_str(), ec.message().c_str());
    return kExitUsage;
  }
  std::time_t now = std::time(nullptr);
  uint64_t seed = o.seed ? o.seed : static_cast<uint64_t>(now / 86400);  // a new seed every day
  json report{{"started", now_iso()}, {"time_budget", budget}, {"seed", seed}, {"out", fs::absolute(out).string()}};
  json cmd = json::array();
  cmd.push_back("warden audit --time " + o.time + " --seed " + std::to_string(seed));
  report["command"] = cmd[0];

  // The budget: conformance 40%, fuzzing 25% (when it runs), the campaign
  // the rest; repro runs after, on what was found.
  std::fprintf(stderr, "[audit] conformance matrix (%.0f s budget)\n", budget * 0.4);
  report["conformance"] =
      o.no_conformance ? json{{"status", "skipped: --no-conformance"}} : conformance(o, budget * 0.4, out);
  std::vector<std::string> crashes;
  double per_target = o.fuzz_seconds > 0 ? o.fuzz_seconds : std::max(2.0, budget * 0.25 / 7 - 3);
  std::fprintf(stderr, "[audit] fuzz smoke (%.0f s per target)\n", per_target);
  report["fuzzing"] = fuzzing(o, per_target, out, crashes);
  double left = std::max(15.0, budget - seconds_since(start) - 15);
  std::fprintf(stderr, "[audit] differential campaign (%.0f s, seed %" PRIu64 ")\n", left, seed);
  report["differential"] = differential(o, left, seed, out);
  std::fprintf(stderr, "[audit] repro verdicts\n");
  json counts = json::object();
  report["findings"] = verdicts(o, report["differential"], crashes, out, counts);
  report["verdicts"] = counts;
  report["seconds"] = seconds_since(start);

  std::ofstream(out / "report.json") << report.dump(1) << "\n";
  std::ofstream(out / "index.html") << audit::render_html(report);
  std::fputs(audit::render_markdown(report).c_str(), stdout);
  std::printf("\nreport: %s/index.html (and report.json)\n", fs::absolute(out).c_str());
  // Non-zero when Warden itself is at fault, so CI can gate on it.
  return counts.value("warden-bug", 0) > 0 ? 1 : 0;
}

void setup(CLI::App& sub, int& exit_code) {
  auto o = std::make_shared<AuditOptions>();
  sub.add_option("--time", o->time, "the whole audit's budget: 5m (default), 90s, 1h");
  sub.add_option("--out", o->out, "the report's folder (default ./report): index.html, report.json, logs");
  sub.add_option("--testsuite", o->testsuite, "the testsuite's .wast folder (default ../shared/testsuite/wasm-2.0)");
  sub.add_option("--only", o->only, "testsuite files to run (default all), e.g. --only i32.wast br.wast");
  sub.add_option("--engines", o->engines, "engines (default warden,wabt,binaryen,v8; missing ones are skipped)");
  sub.add_option("--engine", o->protocol,
                 "NAME=COMMAND: audit an engine that speaks the engine protocol too (docs/engine-protocol.md): "
                 "its conformance column, the campaign, the verdicts; repeatable");
  sub.add_option("--seed", o->seed, "campaign seed (default: a new one every day)");
  sub.add_flag("--build-fuzz", o->build_fuzz, "build the fuzz preset if it is not built, and fuzz");
  sub.add_flag("--no-fuzz", o->no_fuzz, "skip the fuzz smoke");
  sub.add_flag("--no-conformance", o->no_conformance, "skip the conformance matrix");
  sub.add_option("--fuzz-seconds", o->fuzz_seconds, "seconds per fuzz target (default: a quarter of the budget)");
  sub.footer(
      "Writes DIR/index.html (one self-contained page), DIR/report.json and the logs, and prints a "
      "Markdown summary.\nExit status: 0 no Warden bug found, 1 at least one finding is a Warden bug, 64 usage.");
  sub.callback([o, &exit_code] { exit_code = run(*o); });
}

const Registrar reg{{"audit", "audit Warden and its peers: conformance, fuzzing, differential; an HTML report", setup}};

}  // namespace
}  // namespace warden::cli
