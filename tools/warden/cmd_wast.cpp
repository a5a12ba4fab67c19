// `warden wast FILE|DIR...`: run spec-test scripts (spec-tests/wast_main.hpp).
#include <memory>

#include "cli.hpp"
#include "observe.hpp"
#include "wast_main.hpp"

namespace warden::cli {
namespace {

std::string wast_metrics(const std::vector<spec::FileReport>& reports, double seconds) {
  Exposition e;
  e.family("warden_wast_commands_total", "counter", "Script commands, by file and result (passed, failed, skipped).");
  for (const spec::FileReport& r : reports)
    for (const auto& [result, n] :
         {std::pair<const char*, uint32_t>{"passed", r.passed}, {"failed", r.failed}, {"skipped", r.skipped}})
      e.sample("warden_wast_commands_total", n, "file=\"" + label(r.name) + "\",result=\"" + result + "\"");
  e.family("warden_wast_files_total", "counter",
           "Script files, by status (ok; fatal: unreadable, crashed, timed out).");
  size_t fatal = 0;
  for (const spec::FileReport& r : reports) fatal += !r.fatal.empty();
  e.sample("warden_wast_files_total", static_cast<double>(reports.size() - fatal), "status=\"ok\"");
  e.sample("warden_wast_files_total", static_cast<double>(fatal), "status=\"fatal\"");
  e.family("warden_wast_duration_seconds", "gauge", "Wall-clock time of the whole run.");
  e.sample("warden_wast_duration_seconds", seconds);
  return e.take();
}

void setup(CLI::App& sub, int& exit_code) {
  auto o = std::make_shared<spec::WastOptions>();
  auto no_isolate = std::make_shared<bool>(false);
  auto metrics = std::make_shared<std::string>();
  sub.add_option("inputs", o->inputs, ".wast files, or directories (every *.wast in them, sorted)")->required();
  sub.add_option("--json", o->json_path, "write a machine-readable report to this file");
  sub.add_flag("-v,--verbose", o->verbose, "print each failure as FILE:LINE: COMMAND: expected ..., got ...");
  sub.add_option("--skips", o->skips_path, "skip list: one \"FILE.wast:LINE reason\" per line (# comments)");
  sub.add_option("--expect", o->expect_path,
                 "pinned \"FILE.wast COMMANDS PASSED\" lines; exit 0 iff the run matches exactly");
  sub.add_option("--write-expect", o->write_expect_path, "write the pin for this run");
  sub.add_option("--timeout", o->timeout_seconds, "seconds per file (0 = none)")->capture_default_str();
  sub.add_flag("--no-isolate", *no_isolate, "run every file in this process (for debuggers; a crash ends the run)");
  sub.add_flag("--print", o->print, "let spectest's print functions write to stdout");
  sub.add_option("--metrics", *metrics,
                 "write commands passed, failed and skipped per file, and the run's time, in the Prometheus text "
                 "format");
  sub.footer(
      "Prints \"FILE: N passed, N failed\" per file, then \"N passed, N failed\".\n"
      "Exit status: 0 all passed (with --expect: results equal the pin); 1 otherwise;\n"
      "64 usage error or unreadable input.");
  sub.callback([o, no_isolate, metrics, &exit_code] {
    o->isolate = !*no_isolate;
    Stopwatch clock;
    std::vector<spec::FileReport> reports;
    exit_code = spec::run_wast(*o, &reports);
    if (!metrics->empty()) write_metrics(*metrics, wast_metrics(reports, clock.lap()), "wast");
  });
}

const Registrar reg{{"wast", "Run WebAssembly spec-test scripts (.wast)", setup}};

}  // namespace
}  // namespace warden::cli
