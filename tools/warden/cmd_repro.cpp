// `warden repro ARTIFACT...`: one explained verdict per artifact
// (repro.hpp, docs/repro.md). The exit status is the most serious verdict.
#include <cstdio>
#include <memory>

#include "cli.hpp"
#include "repro.hpp"

namespace warden::cli {
namespace {

int run(const repro::Options& o) {
  std::vector<repro::Report> reports;
  int status = 0;
  repro::Verdict worst = repro::Verdict::NotReproducible;
  for (const std::string& a : o.artifacts) {
    repro::Report r = repro::reproduce(a, o);
    if (!r.error.empty()) status = kExitUsage;
    if (r.error.empty() && r.verdict > worst) worst = r.verdict;
    if (!o.json) std::fputs(repro::render_text(r).c_str(), stdout);
    reports.push_back(std::move(r));
  }
  if (o.json) std::fputs(repro::render_json(reports).c_str(), stdout);
  return status ? status : repro::exit_code(worst);
}

void setup(CLI::App& sub, int& exit_code) {
  auto o = std::make_shared<repro::Options>();
  sub.add_option("artifact", o->artifacts,
                 "a fuzzer's crash/timeout/leak file, a .wasm, .wat or .wast, or a warden diff bundle directory")
      ->required();
  sub.add_option("--target", o->target,
                 "fuzz target of the inputs (default: named by the path, e.g. triage/<target>/ or afl/<target>/)");
  sub.add_option("--engines", o->engines,
                 "engines to compare on (default warden,wabt,binaryen,v8; missing ones are skipped)");
  sub.add_option("--engine", o->protocol,
                 "NAME=COMMAND: also compare on an engine that speaks the engine protocol (docs/engine-protocol.md); "
                 "repeatable");
  sub.add_option("--fuzz-build", o->fuzz_build, "the libFuzzer + ASan/UBSan build (default <source>/build/fuzz)");
  sub.add_option("--fuzzer", o->fuzzer, "replay fuzz inputs with this fuzz-target binary instead");
  sub.add_option("--out", o->out, "where converted modules, bundles, logs and minimized inputs go (default repro-out)");
  sub.add_option("--corpora", o->corpora, "--add-regression's corpora folder (default <source>/corpora)");
  sub.add_option("--timeout", o->timeout, "seconds per fuzz-target run (default 25)");
  sub.add_flag("--minimize", o->minimize, "shrink the input while the report keeps its signature");
  sub.add_flag("--add-regression", o->add_regression,
               "write the (minimized) input under corpora/regressions/ so ctest replays it");
  sub.add_flag("--json", o->json, "one JSON array of reports on stdout instead of text");
  sub.add_flag("-v,--verbose", o->verbose, "show the differential replay's own output");
  sub.footer(
      "Verdicts, most serious first, and the exit status (the most serious over all artifacts):\n"
      "  warden-bug        10  Warden crashed, failed an oracle or a script assertion, or every peer disagrees\n"
      "  new-peer-bug      12  a peer disagrees with Warden and the others; no catalogued rule explains it\n"
      "  peer-bug          11  a catalogued peer bug (differential/peer-bugs.md), named\n"
      "  spec-allowed      13  engines differ only where the spec allows (features, implementation limits)\n"
      "  not-reproducible   0  every engine agrees and nothing crashed\n"
      "Exit status 64: an artifact could not be read or replayed, or a usage error.");
  sub.callback([o, &exit_code] { exit_code = run(*o); });
}

const Registrar reg{{"repro", "replay a crash report, module, script or diff bundle and explain it", setup}};

}  // namespace
}  // namespace warden::cli
