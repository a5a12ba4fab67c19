// The differential campaign's throughput machinery (docs/differential.md,
// "Throughput"): the tool server gives what an exec gives, and a cycle run
// with every engine at once gives what each engine gives alone.
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "cycle.hpp"
#include "engine.hpp"
#include "inputs.hpp"
#include "probe.hpp"
#include "process.hpp"
#include "warden/binary.hpp"

namespace fs = std::filesystem;
using namespace warden;
using namespace warden::diff;

namespace {

bool have(const char* tool) { return access(tool, X_OK) == 0; }

std::string scratch(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("warden-throughput-" + std::to_string(getpid())) / name;
  fs::create_directories(d);
  return d.string();
}

// A campaign probe, written to a file.
std::string probe_file(uint64_t seed, const std::string& dir, Probe& p) {
  ast::Module m = own_module(mix_seed(7, 1, seed));
  std::string err;
  EXPECT_TRUE(make_probe(m, seed, ProbeConfig{}, p, err)) << err;
  std::string path = dir + "/p" + std::to_string(seed) + ".wasm";
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(p.bytes.data()), static_cast<std::streamsize>(p.bytes.size()));
  return path;
}

// What run_process says about `tool args...`, field by field.
void expect_same(const ProcessResult& server, const ProcessResult& exec) {
  EXPECT_TRUE(server.started);
  EXPECT_EQ(server.started, exec.started);
  EXPECT_EQ(server.exit_code, exec.exit_code);
  EXPECT_EQ(server.signal, exec.signal);
  EXPECT_EQ(server.timed_out, exec.timed_out);
  EXPECT_EQ(server.out, exec.out);
  EXPECT_EQ(server.err, exec.err);
}

}  // namespace

TEST(DiffToolServer, TheLibraryIsBuilt) {
  EXPECT_FALSE(tool_server_library("").empty());
  EXPECT_EQ(tool_server_library("none"), "");
  EXPECT_EQ(tool_server_library("/x/y.so"), "/x/y.so");
}

TEST(DiffToolServer, WasmOptRunsGiveWhatAnExecGives) {
  if (!have("/usr/bin/wasm-opt")) GTEST_SKIP() << "no /usr/bin/wasm-opt";
  std::string dir = scratch("wasm-opt");
  ToolServer server("/usr/bin/wasm-opt", tool_server_library(""), dir);
  int ran = 0;
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    Probe p;
    std::string file = probe_file(seed, dir, p);
    std::vector<std::string> args(kBinaryenFeatures.begin(), kBinaryenFeatures.end());
    args.insert(args.end(), {file, "--fuzz-exec-before", "-q", "-o", "/dev/null"});
    ProcessResult s = server.run(args, 5000, 4ull << 30);
    std::vector<std::string> argv{"/usr/bin/wasm-opt"};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessResult e = run_process(argv, "", 5000, 4ull << 30);
    expect_same(s, e);
    // Binaryen 108 rejects some probes (its catalogued bugs); the others run.
    if (s.exit_code == 0) {
      ++ran;
      EXPECT_NE(s.out.find("[fuzz-exec] calling c0"), std::string::npos) << s.out;
    } else {
      EXPECT_NE(s.err.find("[parse exception"), std::string::npos) << s.err;
    }
  }
  EXPECT_GE(ran, 3);
  // A refusal: its exit status and its words.
  ProcessResult s = server.run({"--no-such-flag"}, 5000, 0);
  ProcessResult e = run_process({"/usr/bin/wasm-opt", "--no-such-flag"}, "", 5000, 0);
  expect_same(s, e);
  EXPECT_EQ(s.exit_code, 1);
  EXPECT_EQ(server.served(), 7u);
  EXPECT_EQ(server.execed(), 0u);
  EXPECT_TRUE(server.serving());
}

TEST(DiffToolServer, WasmValidateVerdictsAreTheExecs) {
  if (!have("/usr/bin/wasm-validate")) GTEST_SKIP() << "no /usr/bin/wasm-validate";
  std::string dir = scratch("wasm-validate");
  ToolServer server("/usr/bin/wasm-validate", tool_server_library(""), dir);
  const std::vector<std::vector<uint8_t>> modules = {
      {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00},                    // empty: valid
      {0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00},                    // bad version
      {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01},  // truncated section
  };
  int expected_status[] = {0, 1, 1};
  for (size_t i = 0; i < modules.size(); ++i) {
    std::string f = dir + "/m" + std::to_string(i) + ".wasm";
    std::ofstream(f, std::ios::binary)
        .write(reinterpret_cast<const char*>(modules[i].data()), static_cast<std::streamsize>(modules[i].size()));
    ProcessResult s = server.run({f}, 5000, 0);
    expect_same(s, run_process({"/usr/bin/wasm-validate", f}, "", 5000, 0));
    EXPECT_EQ(s.exit_code, expected_status[i]) << s.err;
  }
  EXPECT_EQ(server.served(), 3u);
}

// The child's limits and ends, through a shell (dynamically linked like the
// tools): the memory cap, a deadline, a signal.
TEST(DiffToolServer, LimitsDeadlinesAndSignalsAreTheExecs) {
  std::string dir = scratch("sh");
  ToolServer server("/bin/sh", tool_server_library(""), dir);
  ProcessResult cap = server.run({"-c", "ulimit -v; echo to stderr >&2"}, 5000, 1ull << 30);
  expect_same(cap, run_process({"/bin/sh", "-c", "ulimit -v; echo to stderr >&2"}, "", 5000, 1ull << 30));
  EXPECT_EQ(cap.out, "1048576\n");
  EXPECT_EQ(cap.err, "to stderr\n");
  ProcessResult hung = server.run({"-c", "exec sleep 10"}, 300, 0);
  EXPECT_TRUE(hung.timed_out);
  EXPECT_EQ(hung.signal, SIGKILL);
  EXPECT_LT(hung.seconds, 3.0);
  ProcessResult killed = server.run({"-c", "kill -SEGV $$"}, 5000, 0);
  expect_same(killed, run_process({"/bin/sh", "-c", "kill -SEGV $$"}, "", 5000, 0));
  EXPECT_EQ(killed.signal, SIGSEGV);
  // The server outlives what its children do, and what runs in them sees
  // neither of its variables.
  ProcessResult env = server.run({"-c", "echo \"[$LD_PRELOAD][$WARDEN_TOOL_SERVER][$LD_BIND_NOW]\""}, 5000, 0);
  EXPECT_EQ(env.out, "[][][]\n");
  EXPECT_EQ(server.served(), 4u);
  EXPECT_EQ(server.execed(), 0u);
}

TEST(DiffToolServer, FallsBackToExecWhenItCannotServe) {
  std::string dir = scratch("fallback");
  // No such library: the tool runs its own main() on an empty command line
  // (echo prints an empty line and exits).
  ToolServer missing("/bin/echo", "/nonexistent/warden-tool-server.so", dir);
  ProcessResult r = missing.run({"hi"}, 5000, 0);
  EXPECT_EQ(r.out, "hi\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(missing.served(), 0u);
  EXPECT_EQ(missing.execed(), 1u);
  EXPECT_FALSE(missing.serving());
  // An argument the line protocol cannot carry.
  ToolServer server("/bin/sh", tool_server_library(""), dir);
  ProcessResult tab = server.run({"-c", "printf '%s\\n' 'a\tb'"}, 5000, 0);
  EXPECT_EQ(tab.out, "a\tb\n");
  EXPECT_EQ(server.execed(), 1u);
  EXPECT_EQ(server.served(), 0u);
  // Switched off.
  ToolServer off("/bin/sh", tool_server_library("none"), dir);
  EXPECT_EQ(off.run({"-c", "echo off"}, 5000, 0).out, "off\n");
  EXPECT_EQ(off.execed(), 1u);
}

// Every engine at once answers what each engine answers alone.
TEST(DiffCycle, ConcurrentAnswersAreTheSequentialOnes) {
  EngineSetup setup;
  setup.work_dir = scratch("cycle");
  std::vector<std::unique_ptr<Engine>> owned;
  for (const char* name : {"warden", "wabt", "binaryen", "v8"}) {
    std::unique_ptr<Engine> e = make_engine(name, setup);
    std::string why;
    if (e->available(why)) owned.push_back(std::move(e));
  }
  EngineSetup second = setup;
  second.work_dir = setup.work_dir + "/b1";
  // Second instances where the campaign has them.
  std::vector<std::unique_ptr<Engine>> owned2;
  std::vector<Engine*> seconds;
  for (auto& e : owned) {
    bool halved = e->name() != "warden";
    std::unique_ptr<Engine> s = halved ? make_engine(e->name(), second) : nullptr;
    std::string why;
    if (s && !s->available(why)) s.reset();
    seconds.push_back(s.get());
    owned2.push_back(std::move(s));
  }
  if (owned.size() < 2) GTEST_SKIP() << "fewer than two engines";
  std::vector<Probe> probes(5);
  std::vector<RunJob> jobs;
  for (uint64_t i = 0; i < probes.size(); ++i) {
    ast::Module m = own_module(mix_seed(11, 1, i));
    std::string err;
    ASSERT_TRUE(make_probe(m, i, ProbeConfig{}, probes[i], err)) << err;
    jobs.push_back({probes[i].bytes, probes[i].calls});
  }
  std::vector<std::vector<uint8_t>> mutants;
  for (uint64_t i = 0; i < 12; ++i) mutants.push_back(mutate(probes[i % probes.size()].bytes, mix_seed(11, 2, i)));
  std::vector<std::span<const uint8_t>> spans(mutants.begin(), mutants.end());
  std::vector<std::span<const uint8_t>> sampled(spans.begin(), spans.begin() + 4);
  std::vector<Engine*> engines;
  for (auto& e : owned) engines.push_back(e.get());
  bool side_ran = false;
  CycleAnswers a = run_cycle(engines, seconds, {jobs, spans, sampled, true}, [&] { side_ran = true; });
  EXPECT_TRUE(side_ran);
  auto text = [](const RunResult& r) {
    std::string s = std::string(to_string(r.load.verdict)) + " " + describe(r.instantiate);
    for (const Outcome& o : r.calls) s += "; " + describe(o);
    return s;
  };
  for (size_t e = 0; e < engines.size(); ++e) {
    bool binaryen = engines[e]->name() == "binaryen";
    std::vector<RunResult> alone = engines[e]->run(jobs);
    ASSERT_EQ(a.runs[e].size(), jobs.size()) << engines[e]->name();
    for (size_t i = 0; i < jobs.size(); ++i) EXPECT_EQ(text(a.runs[e][i]), text(alone[i])) << engines[e]->name();
    std::vector<LoadResult> loads = engines[e]->validate(binaryen ? sampled : spans);
    ASSERT_EQ(a.loads[e].size(), loads.size()) << engines[e]->name();
    for (size_t i = 0; i < loads.size(); ++i) {
      EXPECT_EQ(a.loads[e][i].verdict, loads[i].verdict) << engines[e]->name() << " mutant " << i;
      EXPECT_EQ(a.loads[e][i].message, loads[i].message) << engines[e]->name() << " mutant " << i;
    }
  }
  ASSERT_EQ(a.warden_again.size(), jobs.size());
  for (size_t i = 0; i < jobs.size(); ++i) EXPECT_EQ(text(a.warden_again[i]), text(a.runs[0][i]));
}
