// `warden wast FILE|DIR...`: run spec-test scripts (spec-tests/wast_main.hpp).
#include <memory>

#include "cli.hpp"
#include "wast_main.hpp"

namespace warden::cli {
namespace {

void setup(CLI::App& sub, int& exit_code) {
  auto o = std::make_shared<spec::WastOptions>();
  auto no_isolate = std::make_shared<bool>(false);
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
  sub.footer(
      "Prints \"FILE: N passed, N failed\" per file, then \"N passed, N failed\".\n"
      "Exit status: 0 all passed (with --expect: results equal the pin); 1 otherwise;\n"
      "64 usage error or unreadable input.");
  sub.callback([o, no_isolate, &exit_code] {
    o->isolate = !*no_isolate;
    exit_code = spec::run_wast(*o);
  });
}

const Registrar reg{{"wast", "Run WebAssembly spec-test scripts (.wast)", setup}};

}  // namespace
}  // namespace warden::cli
