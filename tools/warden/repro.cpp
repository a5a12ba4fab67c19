// `warden repro` (repro.hpp, docs/repro.md): classify the artifact, replay it
// on Warden (the fuzz target's own oracles, sanitized when that build
// exists) and on every available peer (the differential campaign's replay,
// whose rules name catalogued peer bugs), then give one verdict.
#include "repro.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "campaign.hpp"
#include "cli.hpp"
#include "engine_args.hpp"
#include "process.hpp"
#include "runner.hpp"
#include "warden/binary.hpp"
#include "warden/script.hpp"
#include "warden/syntax.hpp"
#include "warden/text.hpp"

#ifndef WARDEN_SOURCE_DIR
#define WARDEN_SOURCE_DIR "."
#endif

namespace warden::cli::repro {
namespace fs = std::filesystem;
using json = nlohmann::json;

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::NotReproducible: return "not-reproducible";
    case Verdict::SpecAllowed: return "spec-allowed";
    case Verdict::PeerBug: return "peer-bug";
    case Verdict::NewPeerBug: return "new-peer-bug";
    case Verdict::WardenBug: return "warden-bug";
  }
  return "?";
}

int exit_code(Verdict v) {
  switch (v) {
    case Verdict::NotReproducible: return 0;
    case Verdict::WardenBug: return 10;
    case Verdict::PeerBug: return 11;
    case Verdict::NewPeerBug: return 12;
    case Verdict::SpecAllowed: return 13;
  }
  return 0;
}

const char* to_string(Kind k) {
  switch (k) {
    case Kind::FuzzInput: return "fuzz input";
    case Kind::Module: return "module";
    case Kind::Text: return "text module";
    case Kind::Script: return "script";
    case Kind::Bundle: return "diff bundle";
    case Kind::WasiBundle: return "WASI diff bundle";
  }
  return "?";
}

std::string source_dir() { return WARDEN_SOURCE_DIR; }

namespace {

constexpr std::array<const char*, 7> kTargets = {"decode_validate", "execute", "text",     "instantiate_link",
                                                 "binary_mutate",   "wasi",    "signature"};
constexpr uint64_t kMaxArtifact = 64u << 20;

bool is_target(const std::string& s) {
  return std::find_if(kTargets.begin(), kTargets.end(), [&](const char* t) { return s == t; }) != kTargets.end();
}

/// The target a path names: triage/<target>/..., an AFL++ output dir
/// .../afl/<target>/..., or any folder named after a target.
std::string target_of_path(const fs::path& p) {
  std::vector<std::string> parts;
  for (const fs::path& c : fs::absolute(p).parent_path()) parts.push_back(c.string());
  for (size_t i = parts.size(); i-- > 0;)
    if (is_target(parts[i])) return parts[i];
  return "";
}

bool read_bytes(const std::string& path, std::vector<uint8_t>& out, std::string& error) {
  std::error_code ec;
  uint64_t size = fs::file_size(path, ec);
  if (ec) return error = "cannot read " + path + ": " + ec.message(), false;
  if (size > kMaxArtifact) return error = path + " is larger than 64 MiB", false;
  std::ifstream f(path, std::ios::binary);
  out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  if (!f && out.size() != size) return error = "cannot read " + path, false;
  return true;
}

void write_bytes(const fs::path& path, std::span<const uint8_t> b) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

uint64_t fnv(std::span<const uint8_t> b) {
  uint64_t h = 1469598103934665603ull;
  for (uint8_t c : b) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::string hex8(uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%08" PRIx64, v & 0xFFFFFFFFu);
  return buf;
}

// ------------------------------------------------------- fuzz targets --

std::string self_dir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? "." : exe.parent_path().string();
}

struct FuzzBinary {
  std::string path, build;
  bool libfuzzer = false;
};

FuzzBinary find_fuzzer(const std::string& target, const Options& o) {
  std::error_code ec;
  if (!o.fuzzer.empty()) {
    bool lf = fs::path(o.fuzzer).filename().string().rfind("fuzz_", 0) == 0;
    return {o.fuzzer, "the given binary " + o.fuzzer, lf};
  }
  fs::path sanitized =
      fs::path(o.fuzz_build.empty() ? source_dir() + "/build/fuzz" : o.fuzz_build) / "fuzzers" / ("fuzz_" + target);
  if (fs::exists(sanitized, ec))
    return {sanitized.string(), "sanitized (libFuzzer, ASan + UBSan): " + sanitized.string(), true};
  fs::path release = fs::path(self_dir()) / "fuzzers" / ("replay_" + target);
  if (fs::exists(release, ec))
    return {release.string(), "release (no sanitizer; build the fuzz preset for one): " + release.string(), false};
  return {};
}

struct FuzzRun {
  std::string crash, log;
  std::vector<std::string> frames;
};

/// Frames of the first stack in a sanitizer or libFuzzer report, without
/// the sanitizer's, libFuzzer's and libc's own.
std::vector<std::string> first_frames(const std::string& report) {
  static const std::regex frame(R"(^\s*#(\d+) 0x[0-9a-f]+ in (.+)$)");
  static const char* const kSkip[] = {"__sanitizer", "__asan", "__ubsan", "__interceptor", "__lsan",      "fuzzer::",
                                      "__libc_",     "_start", "abort",   "raise",         "pthread_kill"};
  std::vector<std::string> out;
  bool started = false;
  for (const std::string& line : diff::split_lines(report)) {
    std::smatch m;
    if (!std::regex_match(line, m, frame)) {
      if (started && line.find_first_not_of(" \t") == std::string::npos) break;  // the stack ended
      continue;
    }
    if (m[1] == "0" && started && !out.empty()) break;  // a second stack
    started = true;
    std::string what = m[2];
    if (std::any_of(std::begin(kSkip), std::end(kSkip),
                    [&](const char* s) { return what.find(s) != std::string::npos; }))
      continue;
    if (out.size() < 8) out.push_back(what);
  }
  return out;
}

/// One line: what went wrong in a fuzz target's run, or "" when nothing did.
std::string crash_line(const diff::ProcessResult& p, double timeout) {
  const std::string all = p.err + "\n" + p.out;
  auto after = [&](const std::string& key) {
    size_t at = all.find(key);
    if (at == std::string::npos) return std::string();
    size_t end = all.find('\n', at);
    return all.substr(at + key.size(), end == std::string::npos ? std::string::npos : end - at - key.size());
  };
  if (size_t at = all.find("=== warden fuzz oracle failed ==="); at != std::string::npos) {
    std::istringstream in(all.substr(at));
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line) && line.empty()) {}
    return "oracle failed: " + line;
  }
  if (std::string s = after("ERROR: AddressSanitizer: "); !s.empty())
    return "AddressSanitizer: " + s.substr(0, s.find(" on address"));
  if (all.find("ERROR: LeakSanitizer: detected memory leaks") != std::string::npos) return "LeakSanitizer: memory leak";
  if (std::string s = after("runtime error: "); !s.empty()) return "UBSan: " + s;
  if (p.timed_out || all.find("ERROR: libFuzzer: timeout") != std::string::npos) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "timeout (over %.0f s)", timeout);
    return buf;
  }
  if (all.find("ERROR: libFuzzer: out-of-memory") != std::string::npos) return "out of memory (libFuzzer's rss limit)";
  if (p.signal) return std::string("killed by signal ") + std::to_string(p.signal) + " (" + strsignal(p.signal) + ")";
  if (all.find("ERROR: libFuzzer: deadly signal") != std::string::npos) return "deadly signal";
  if (p.exit_code != 0) return "exit status " + std::to_string(p.exit_code);
  return "";
}

FuzzRun run_fuzzer(const FuzzBinary& bin, const std::string& input, const Options& o, const fs::path& log) {
  std::vector<std::string> argv{bin.path};
  if (bin.libfuzzer) {
    argv.push_back("-timeout=" + std::to_string(static_cast<int>(o.timeout)));
    argv.push_back("-rss_limit_mb=2560");
    argv.push_back("-artifact_prefix=" + (fs::path(o.out) / "").string());
  }
  argv.push_back(input);
  // libFuzzer reports its own -timeout; a replay binary is killed at it.
  auto ms = static_cast<uint32_t>((bin.libfuzzer ? o.timeout + 15 : o.timeout) * 1000);
  diff::ProcessResult p = diff::run_process(argv, "", ms, 0);
  FuzzRun r;
  if (!p.started) {
    r.crash = "cannot start " + bin.path + ": " + p.out;
    return r;
  }
  r.crash = crash_line(p, o.timeout);
  r.frames = first_frames(p.err);
  std::ofstream(log) << p.err << p.out;
  r.log = log.string();
  return r;
}

// ------------------------------------------------- the differential --

/// Whether a rule names a bug: it has an entry ("### rule") in the peer-bug
/// catalogue. Rules documented elsewhere (node's WASI conventions, Warden's
/// deliberate differences, two readings of the spec: docs/sandbox.md) and
/// "feature:" rules explain a difference the spec allows.
bool catalogued_bug(const std::string& rule) {
  static const std::string catalogue = [] {
    std::ifstream in(source_dir() + "/differential/peer-bugs.md");
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }();
  if (catalogue.empty()) return rule.rfind("feature:", 0) != 0;  // no catalogue to ask: a rule is a bug
  std::stringstream parts(rule);
  std::string part;
  while (std::getline(parts, part, '+')) {
    for (size_t at = catalogue.find("### " + part); at != std::string::npos;
         at = catalogue.find("### " + part, at + 1)) {
      size_t end = at + 4 + part.size();
      bool line_start = at == 0 || catalogue[at - 1] == '\n';
      bool whole = end == catalogue.size() || catalogue[end] == '\n' || catalogue[end] == ' ';
      if (line_start && whole) return true;
    }
  }
  return false;
}

Verdict finding_verdict(const diff::Finding& f, const std::string& rule, size_t peers) {
  if (!rule.empty()) return catalogued_bug(rule) ? Verdict::PeerBug : Verdict::SpecAllowed;
  // A twin (Warden's sanitized build) runs Warden's code: its findings are Warden's.
  bool warden_side =
      f.reference != "warden" || std::any_of(f.engines.begin(), f.engines.end(),
                                             [](const std::string& e) { return e == "warden" || diff::is_twin(e); });
  if (f.kind == diff::FindingKind::Nondeterminism) return warden_side ? Verdict::WardenBug : Verdict::NewPeerBug;
  // Warden is the reference: the engines listed disagree with it. All of
  // them (two at least) against Warden: Warden is the odd one out.
  if (warden_side || (peers >= 2 && f.engines.size() >= peers)) return Verdict::WardenBug;
  return Verdict::NewPeerBug;
}

bool allowed_ignore(const std::string& rule) {
  return rule.rfind("feature", 0) == 0 || rule.rfind("limit", 0) == 0 || rule.rfind("exhaustion", 0) == 0;
}

std::string describe_load(const diff::LoadResult& l) {
  std::string s(diff::to_string(l.verdict));
  if (!l.message.empty()) s += " (" + l.message.substr(0, 120) + ")";
  return s;
}

std::string describe_run(const diff::RunResult& r, const std::vector<std::string>& calls) {
  std::string s = "instantiate " + diff::describe(r.instantiate);
  for (size_t i = 0; i < r.calls.size(); ++i) {
    s += "; " + (i < calls.size() ? calls[i] : "c" + std::to_string(i + 1)) + " " + diff::describe(r.calls[i]);
    if (s.size() > 600) {
      s += "; ...";
      break;
    }
  }
  return s;
}

/// Runs `files` through the campaign's replay on every engine asked for,
/// adding engine results (prefixed by `labels`, when there are several
/// files: only files with findings), findings and ignored comparisons.
void compare_on_engines(const std::vector<std::string>& files, const std::vector<std::string>& labels, uint64_t seed,
                        const Options& o, Report& r) {
  diff::CampaignOptions c;
  c.engines = split_list(o.engines);
  if (!add_protocol_engines(o.protocol, c, "repro")) {
    r.missing.push_back("a bad --engine (see above): no peer compared it");
    return;
  }
  c.generators = {};
  c.replay = files;
  c.replay_seed = seed;
  c.findings_dir = (fs::path(o.out) / "findings").string();
  c.minimize = o.minimize;
  c.reduce_seconds = 20;
  std::vector<diff::ReplayRecord> records;
  c.replay_records = &records;
  fs::path log = fs::path(o.out) / "diff.log";
  std::FILE* out = o.verbose ? stdout : std::fopen(log.c_str(), "a");
  if (!out) out = stdout;
  diff::CampaignTotals totals;
  int rc = diff::run_campaign(c, out, &totals);
  if (out != stdout) std::fclose(out);
  if (rc < 0) {
    r.missing.push_back("the differential could not start (fewer than two engines available; see " + log.string() +
                        ")");
    return;
  }
  r.missing.insert(r.missing.end(), totals.missing.begin(), totals.missing.end());
  for (size_t k = 0; k < records.size(); ++k) {
    const diff::ReplayRecord& rec = records[k];
    std::string prefix = files.size() > 1 ? labels[k] + ": " : "";
    size_t peers = rec.loads.empty() ? 0 : rec.loads.size() - 1;
    if (files.size() == 1 || !rec.findings.empty()) {
      for (const diff::EngineLoad& l : rec.loads) {
        EngineResult e{prefix + l.engine, describe_load(l.load), ""};
        for (const diff::EngineRun& run : rec.runs)
          if (run.engine == l.engine) e.run = describe_run(run.run, rec.calls);
        r.engines.push_back(e);
      }
    }
    for (const diff::ReplayFinding& f : rec.findings) {
      FindingLine line{prefix + f.finding.signature,
                       f.rule,
                       f.bundle,
                       {},
                       finding_verdict(f.finding, f.rule, peers),
                       f.finding.outcomes};
      std::vector<uint8_t> meta;
      std::string unread;
      if (!f.bundle.empty() && read_bytes((fs::path(f.bundle) / "repro.json").string(), meta, unread)) {
        json j = json::parse(meta.begin(), meta.end(), nullptr, false);
        if (!j.is_discarded() && j.contains("suspects") && j["suspects"].is_array())
          for (const json& s : j["suspects"])
            if (s.is_string()) line.suspects.push_back(s.get<std::string>());
      }
      r.findings.push_back(line);
    }
    for (const auto& [rule, n] : rec.ignored) r.ignored[rule] += n;
  }
}

// ------------------------------------------------------------- kinds --

Kind classify(const std::string& artifact, const Options& o, std::string& target) {
  std::error_code ec;
  fs::path p(artifact);
  if (fs::is_directory(p, ec)) {
    if (fs::exists(p / "program.wasm", ec)) return Kind::WasiBundle;
    return Kind::Bundle;
  }
  // Fuzzers name their inputs without an extension (crash-<sha1>, id:...);
  // a named .wasm, .wat or .wast is taken for what it says it is.
  std::string ext = p.extension().string();
  bool named = ext == ".wasm" || ext == ".wat" || ext == ".wast";
  target = !o.target.empty() ? o.target : named ? "" : target_of_path(p);
  if (!target.empty()) return Kind::FuzzInput;
  if (ext == ".wast") return Kind::Script;
  if (ext == ".wat") return Kind::Text;
  return Kind::Module;
}

/// The module a fuzz input stands for, when its target reads modules.
std::optional<std::vector<uint8_t>> module_of_input(const std::string& target, const std::vector<uint8_t>& bytes) {
  if (target == "decode_validate" || target == "binary_mutate") return bytes;
  if (target == "text") {
    std::string_view src(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    Result<std::vector<uint8_t>> b = wat_to_wasm(src);
    if (b) return *b;
  }
  return std::nullopt;
}

void replay_fuzz_input(const std::string& artifact, const std::string& target, const Options& o, Report& r) {
  r.target = target;
  if (!is_target(target)) {
    r.error = "unknown fuzz target '" + target +
              "' (decode_validate, execute, text, instantiate_link, binary_mutate, wasi, signature)";
    return;
  }
  std::vector<uint8_t> bytes;
  if (!read_bytes(artifact, bytes, r.error)) return;
  FuzzBinary bin = find_fuzzer(target, o);
  if (bin.path.empty()) {
    r.error = "no build of fuzz target " + target +
              " (cmake --preset fuzz && cmake --build --preset fuzz, or the release preset's replay_" + target + ")";
    return;
  }
  r.build = bin.build;
  std::string stem = fs::path(artifact).filename().string();
  FuzzRun run = run_fuzzer(bin, artifact, o, fs::path(o.out) / (stem + ".log"));
  r.crash = run.crash;
  r.frames = run.frames;
  r.crash_log = run.log;
  if (!run.crash.empty() && o.minimize) {
    if (!bin.libfuzzer) {
      r.why += " (--minimize needs the libFuzzer build)";
    } else {
      fs::path min = fs::path(o.out) / (stem + ".min");
      std::vector<std::string> argv{bin.path,
                                    "-minimize_crash=1",
                                    "-max_total_time=60",
                                    "-timeout=" + std::to_string(static_cast<int>(o.timeout)),
                                    "-exact_artifact_path=" + min.string(),
                                    artifact};
      diff::run_process(argv, "", 120000, 0);
      std::error_code ec;
      if (fs::exists(min, ec)) {
        FuzzRun again = run_fuzzer(bin, min.string(), o, fs::path(o.out) / (stem + ".min.log"));
        // The report's signature: the same kind of failure.
        if (again.crash.substr(0, again.crash.find(':')) == run.crash.substr(0, run.crash.find(':')))
          r.minimized = min.string();
      }
    }
  }
  if (std::optional<std::vector<uint8_t>> m = module_of_input(target, bytes)) {
    fs::path mod = fs::path(o.out) / (stem + ".wasm");
    write_bytes(mod, *m);
    compare_on_engines({mod.string()}, {stem}, 0, o, r);
  }
  if (o.add_regression) {
    std::vector<uint8_t> keep = bytes;
    if (!r.minimized.empty()) read_bytes(r.minimized, keep, r.error);
    fs::path dir = fs::path(o.corpora.empty() ? source_dir() + "/corpora" : o.corpora) / "regressions" / target;
    std::error_code ec;
    fs::create_directories(dir, ec);
    fs::path dst = dir / ("repro-" + hex8(fnv(keep)));
    write_bytes(dst, keep);
    r.regressions.push_back(dst.string());
  }
}

void replay_script(const std::string& artifact, const Options& o, Report& r) {
  std::vector<uint8_t> bytes;
  if (!read_bytes(artifact, bytes, r.error)) return;
  std::string source(bytes.begin(), bytes.end());
  spec::RunnerOptions ro;
  spec::run_source(source, ro, [&](const spec::Outcome& out) {
    if (out.status == spec::Outcome::Status::Passed) ++r.script_passed;
    if (out.status != spec::Outcome::Status::Failed) return;
    ++r.script_failed;
    if (r.expected.size() < 20)
      r.expected.push_back("line " + std::to_string(out.line) + ": " + out.command + " expects " + out.expected +
                           "; Warden: " + out.actual);
  });
  // Every module of the script through the peers too.
  Result<text::Script> script = text::parse_script(source);
  if (!script) return;
  std::vector<std::string> files, labels;
  std::string stem = fs::path(artifact).stem().string();
  size_t n = 0;
  for (const text::Command& c : script->commands) {
    if (!c.module) continue;
    const text::ScriptModule& m = *c.module;
    std::vector<uint8_t> b;
    if (m.form == text::ScriptModule::Form::Binary) {
      b = m.bytes;
    } else if (m.form == text::ScriptModule::Form::Text) {
      b = encode(m.module);
    } else {
      Result<std::vector<uint8_t>> q = wat_to_wasm(m.quote);
      if (!q) continue;
      b = std::move(*q);
    }
    fs::path f = fs::path(o.out) / (stem + "." + std::to_string(n++) + ".wasm");
    write_bytes(f, b);
    files.push_back(f.string());
    labels.push_back("module at line " + std::to_string(m.pos.line));
  }
  if (!files.empty()) compare_on_engines(files, labels, 0, o, r);
  if (o.add_regression && r.script_failed == 0) {
    fs::path dir = fs::path(o.corpora.empty() ? source_dir() + "/corpora" : o.corpora) / "regressions" / "differential";
    std::error_code ec;
    fs::create_directories(dir, ec);
    fs::path dst = dir / ("repro-" + stem + ".wast");
    fs::copy_file(artifact, dst, fs::copy_options::overwrite_existing, ec);
    if (!ec) r.regressions.push_back(dst.string());
  }
}

void replay_bundle(const std::string& dir, const Options& o, Report& r) {
  std::vector<uint8_t> meta;
  if (!read_bytes((fs::path(dir) / "repro.json").string(), meta, r.error)) return;
  json j = json::parse(meta.begin(), meta.end(), nullptr, false);
  if (j.is_discarded()) {
    r.error = dir + "/repro.json is not JSON";
    return;
  }
  std::string module = (fs::path(dir) / "min.wasm").string();
  compare_on_engines({module}, {"min.wasm"}, j.value("module_seed", uint64_t{0}), o, r);
  std::string was = j.value("signature", "");
  bool again =
      std::any_of(r.findings.begin(), r.findings.end(), [&](const FindingLine& f) { return f.signature == was; });
  r.expected.push_back("the bundle's finding " + was + (again ? ": reproduced" : ": not reproduced"));
  if (o.add_regression) {
    std::error_code ec;
    fs::path src = fs::path(dir) / "regression.wast";
    fs::path dst = fs::path(o.corpora.empty() ? source_dir() + "/corpora" : o.corpora) / "regressions" /
                   "differential" / ("repro-" + fs::path(dir).filename().string() + ".wast");
    if (fs::exists(src, ec) && fs::copy_file(src, dst, fs::copy_options::overwrite_existing, ec))
      r.regressions.push_back(dst.string());
  }
}

/// A WASI bundle's program, again under Warden and node:wasi.
void replay_wasi_bundle(const std::string& dir, const Options& o, Report& r) {
  diff::CampaignOptions c;
  c.engines = {"warden", "v8"};
  c.generators = {"wasi"};
  c.wasi_replay = {(fs::path(dir) / "regression.json").string()};
  c.findings_dir = (fs::path(o.out) / "findings").string();
  c.minimize = o.minimize;
  std::error_code ec;
  fs::create_directories(c.findings_dir, ec);
  std::vector<diff::ReplayRecord> records;
  c.replay_records = &records;
  fs::path log = fs::path(o.out) / "diff.log";
  std::FILE* out = o.verbose ? stdout : std::fopen(log.c_str(), "a");
  if (!out) out = stdout;
  int rc = diff::run_campaign(c, out, nullptr);
  if (out != stdout) std::fclose(out);
  if (rc < 0 || records.empty()) {
    r.missing.push_back("node:wasi (the WASI replay could not start; see " + log.string() + ")");
    return;
  }
  for (const auto& [who, what] : records[0].wasi) r.engines.push_back({who, "", "the WASI program: " + what});
  for (const diff::ReplayFinding& f : records[0].findings)
    r.findings.push_back(
        {f.finding.signature, f.rule, f.bundle, {}, finding_verdict(f.finding, f.rule, 1), f.finding.outcomes});
  std::vector<uint8_t> meta;
  std::string unread;
  if (read_bytes((fs::path(dir) / "repro.json").string(), meta, unread)) {
    json j = json::parse(meta.begin(), meta.end(), nullptr, false);
    std::string was = j.is_discarded() ? "" : j.value("signature", "");
    bool again =
        std::any_of(r.findings.begin(), r.findings.end(), [&](const FindingLine& f) { return f.signature == was; });
    r.expected.push_back("the bundle's finding " + was + (again ? ": reproduced" : ": not reproduced"));
  }
}

void decide(Report& r) {
  if (!r.crash.empty()) {
    r.verdict = Verdict::WardenBug;
    r.why = "Warden's fuzz target " + r.target + ": " + r.crash + r.why;
    return;
  }
  if (r.script_failed) {
    r.verdict = Verdict::WardenBug;
    r.why = "Warden fails " + std::to_string(r.script_failed) +
            " of the script's commands, where the script says what the spec expects";
    return;
  }
  Verdict v = Verdict::NotReproducible;
  const FindingLine* worst = nullptr;
  for (const FindingLine& f : r.findings)
    if (!worst || f.verdict > v) {
      v = f.verdict;
      worst = &f;
    }
  std::string allowed;
  for (const auto& [rule, n] : r.ignored)
    if (allowed_ignore(rule)) allowed += (allowed.empty() ? "" : ", ") + rule;
  if (v == Verdict::NotReproducible && !allowed.empty()) {
    r.verdict = Verdict::SpecAllowed;
    r.why = "the engines differ only where the spec allows it: " + allowed;
    return;
  }
  r.verdict = v;
  switch (v) {
    case Verdict::NotReproducible:
      r.why =
          r.engines.empty() ? "nothing went wrong (no peer compared it)" : "every engine agrees and nothing crashed";
      break;
    case Verdict::PeerBug: r.why = "catalogued peer bug " + worst->rule + " (differential/peer-bugs.md)"; break;
    case Verdict::SpecAllowed: r.why = "a difference the spec allows: " + worst->rule; break;
    case Verdict::NewPeerBug:
      r.why =
          "no rule explains " + worst->signature + ": a peer disagrees with Warden; check the spec and catalogue it";
      if (!worst->suspects.empty()) r.why += " (suspect " + worst->suspects.front() + ")";
      break;
    case Verdict::WardenBug:
      r.why = "Warden is the odd one out: " + worst->signature;
      if (!worst->suspects.empty()) r.why += " (suspect " + worst->suspects.front() + ")";
      break;
  }
}

}  // namespace

Report reproduce(const std::string& artifact, const Options& o) {
  Report r;
  r.artifact = artifact;
  std::error_code ec;
  if (!fs::exists(artifact, ec)) {
    r.error = "no such file or directory: " + artifact;
    return r;
  }
  fs::create_directories(o.out, ec);
  std::string target;
  r.kind = classify(artifact, o, target);
  switch (r.kind) {
    case Kind::FuzzInput: replay_fuzz_input(artifact, target, o, r); break;
    case Kind::Script: replay_script(artifact, o, r); break;
    case Kind::Bundle: replay_bundle(artifact, o, r); break;
    case Kind::WasiBundle: replay_wasi_bundle(artifact, o, r); break;
    case Kind::Text:
    case Kind::Module: {
      int code = 0;
      std::optional<std::vector<uint8_t>> bytes = read_module(artifact, Limits{}, code);
      if (!bytes) {
        r.error = "cannot read it as a module (see above)";
        break;
      }
      fs::path mod = fs::path(o.out) / (fs::path(artifact).stem().string() + ".wasm");
      write_bytes(mod, *bytes);
      compare_on_engines({mod.string()}, {mod.filename().string()}, 0, o, r);
      break;
    }
  }
  if (r.error.empty()) decide(r);
  // A module's finding: the campaign's bundle holds the minimized module and
  // the regression script.
  const bool module_kind = r.kind == Kind::Module || r.kind == Kind::Text;
  for (const FindingLine& f : r.findings) {
    if (f.bundle.empty()) continue;
    if (o.minimize && r.minimized.empty() && fs::exists(fs::path(f.bundle) / "min.wasm", ec))
      r.minimized = (fs::path(f.bundle) / "min.wasm").string();
    if (o.add_regression && module_kind && r.regressions.empty() &&
        fs::exists(fs::path(f.bundle) / "regression.wast", ec)) {
      fs::path dir =
          fs::path(o.corpora.empty() ? source_dir() + "/corpora" : o.corpora) / "regressions" / "differential";
      fs::create_directories(dir, ec);
      fs::path dst = dir / ("repro-" + fs::path(f.bundle).filename().string() + ".wast");
      if (fs::copy_file(fs::path(f.bundle) / "regression.wast", dst, fs::copy_options::overwrite_existing, ec))
        r.regressions.push_back(dst.string());
    }
  }
  return r;
}

std::string render_text(const Report& r) {
  std::string s =
      "== " + r.artifact + " (" + to_string(r.kind) + (r.target.empty() ? "" : ", target " + r.target) + ")\n";
  if (!r.error.empty()) return s + "error: " + r.error + "\n";
  if (!r.build.empty()) s += "replayed on: " + r.build + "\n";
  if (r.kind == Kind::FuzzInput) {
    s += "warden (fuzz target): " + (r.crash.empty() ? std::string("clean: every oracle held") : r.crash) + "\n";
    for (const std::string& f : r.frames) s += "    in " + f + "\n";
    if (!r.crash_log.empty() && !r.crash.empty()) s += "    whole report: " + r.crash_log + "\n";
  }
  if (r.kind == Kind::Script)
    s += "script: " + std::to_string(r.script_passed) + " passed, " + std::to_string(r.script_failed) +
         " failed on Warden\n";
  for (const std::string& e : r.expected) s += "expected: " + e + "\n";
  for (const EngineResult& e : r.engines) {
    if (e.load.empty()) {  // a WASI program: no load verdict, one run
      s += "  " + e.engine + ": " + e.run + "\n";
      continue;
    }
    s += "  " + e.engine + ": load " + e.load + "\n";
    if (!e.run.empty()) s += "      " + e.run + "\n";
  }
  for (const std::string& m : r.missing) s += "  unavailable: " + m + "\n";
  for (const FindingLine& f : r.findings) {
    s += "finding " + f.signature + " -> " + to_string(f.verdict) + (f.rule.empty() ? "" : " [rule " + f.rule + "]") +
         "\n";
    for (const auto& [who, what] : f.outcomes) s += "    " + who + ": " + what.substr(0, 200) + "\n";
    for (const std::string& op : f.suspects)
      s += "    suspect: " + op + " (its results differ from Warden's on the same operands)\n";
    if (!f.bundle.empty()) s += "    bundle: " + f.bundle + "\n";
  }
  for (const auto& [rule, n] : r.ignored) s += "set aside: " + std::to_string(n) + " x " + rule + "\n";
  if (!r.minimized.empty()) s += "minimized: " + r.minimized + "\n";
  for (const std::string& g : r.regressions) s += "regression written: " + g + "\n";
  s += std::string("verdict: ") + to_string(r.verdict) + ": " + r.why + "\n";
  return s;
}

std::string render_json(const std::vector<Report>& reports) {
  json all = json::array();
  for (const Report& r : reports) {
    json j;
    j["artifact"] = r.artifact;
    j["kind"] = to_string(r.kind);
    if (!r.error.empty()) {
      j["error"] = r.error;
      all.push_back(j);
      continue;
    }
    j["verdict"] = to_string(r.verdict);
    j["exit_code"] = exit_code(r.verdict);
    j["why"] = r.why;
    if (!r.target.empty()) j["target"] = r.target;
    if (!r.build.empty()) j["build"] = r.build;
    if (r.kind == Kind::FuzzInput) j["warden"] = {{"crash", r.crash}, {"frames", r.frames}, {"log", r.crash_log}};
    if (r.kind == Kind::Script) j["script"] = {{"passed", r.script_passed}, {"failed", r.script_failed}};
    j["expected"] = r.expected;
    json engines = json::array();
    for (const EngineResult& e : r.engines) engines.push_back({{"engine", e.engine}, {"load", e.load}, {"run", e.run}});
    j["engines"] = engines;
    j["unavailable"] = r.missing;
    json findings = json::array();
    for (const FindingLine& f : r.findings)
      findings.push_back({{"signature", f.signature},
                          {"rule", f.rule},
                          {"verdict", to_string(f.verdict)},
                          {"bundle", f.bundle},
                          {"suspects", f.suspects},
                          {"outcomes", f.outcomes}});
    j["findings"] = findings;
    j["set_aside"] = r.ignored;
    if (!r.minimized.empty()) j["minimized"] = r.minimized;
    j["regressions"] = r.regressions;
    all.push_back(j);
  }
  return all.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace warden::cli::repro
