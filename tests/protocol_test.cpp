// The engine protocol (docs/engine-protocol.md, differential/protocol_engine.cpp):
// the adapter against a scripted engine (tests/protocol/fake_engine.py) for
// every kind of reply, V8's harness as the reference implementation, the
// `--engine NAME=COMMAND` specs, and a campaign against a deliberately wrong
// engine (tests/protocol/faulty_engine.cpp) whose finding must name the
// instruction it gets wrong.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "compare.hpp"
#include "engine.hpp"
#include "messages.hpp"
#include "process.hpp"
#include "warden/text.hpp"

namespace fs = std::filesystem;
using namespace warden;
using namespace warden::diff;

namespace {

std::string quoted(const std::string& s) { return "'" + s + "'"; }

class Protocol : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("warden_protocol_test_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The scripted engine with these command-line flags, started.
  std::unique_ptr<Engine> fake(const std::string& flags, uint32_t timeout_ms = 5000) {
    std::unique_ptr<Engine> e = engine("fake", "python3 " + quoted(WARDEN_FAKE_ENGINE) + " " + flags, timeout_ms);
    std::string why;
    EXPECT_TRUE(e->available(why)) << why;
    return e;
  }

  std::unique_ptr<Engine> engine(const std::string& name, const std::string& command, uint32_t timeout_ms = 5000) {
    EngineSetup setup;
    setup.work_dir = dir_.string();
    setup.limits.timeout_ms = timeout_ms;
    setup.protocol.push_back({name, command});
    std::unique_ptr<Engine> e = make_engine(name, setup);
    EXPECT_TRUE(e);
    return e;
  }

  std::vector<LoadResult> validate(Engine& e, std::vector<std::vector<uint8_t>> modules) {
    std::vector<std::span<const uint8_t>> spans(modules.begin(), modules.end());
    return e.validate(spans);
  }

  fs::path dir_;
};

Call call(std::string name, std::vector<Value> args = {}, std::vector<ValType> results = {}) {
  return {std::move(name), std::move(args), std::move(results)};
}

}  // namespace

// ------------------------------------------------------------- hello ----

TEST_F(Protocol, HelloSetsTheCapabilities) {
  std::unique_ptr<Engine> two = fake("");
  EXPECT_EQ(two->name(), "fake");
  EXPECT_EQ(two->version(), "fake 1.0");
  EXPECT_FALSE(two->three_way());
  EXPECT_TRUE(two->passes_arguments());
  std::unique_ptr<Engine> three = fake("--three-way --no-args");
  EXPECT_TRUE(three->three_way());
  EXPECT_FALSE(three->passes_arguments());
}

TEST_F(Protocol, AnEngineThatDoesNotGreetIsUnavailable) {
  std::string why;
  EXPECT_FALSE(engine("p2", "python3 " + quoted(WARDEN_FAKE_ENGINE) + " --protocol 2")->available(why));
  EXPECT_NE(why.find("not protocol 1"), std::string::npos) << why;
  EXPECT_NE(why.find(R"("protocol":2)"), std::string::npos) << why;
  EXPECT_FALSE(engine("nohello", "python3 " + quoted(WARDEN_FAKE_ENGINE) + " --no-hello")->available(why));
  EXPECT_NE(why.find("what is hello"), std::string::npos) << why;
  EXPECT_FALSE(engine("missing", "/nonexistent/engine --flag")->available(why));
  EXPECT_NE(why.find("did not answer hello: harness exited; stderr: "), std::string::npos) << why;
  EXPECT_NE(why.find("/nonexistent/engine"), std::string::npos) << why;  // the shell says what is missing
}

// ---------------------------------------------------------- validate ----

TEST_F(Protocol, VerdictsAreTheEnginesAndTwoWayEnginesOnlyReject) {
  std::unique_ptr<Engine> e = fake("--three-way");
  std::vector<LoadResult> r = validate(*e, {{0}, {1}, {2}, {3}, {4}, {5}, {8}, {9}});
  ASSERT_EQ(r.size(), 8u);
  EXPECT_EQ(r[0].verdict, Verdict::Valid);
  EXPECT_EQ(r[1].verdict, Verdict::Malformed);
  EXPECT_EQ(r[1].message, "scripted malformed");
  EXPECT_EQ(r[1].offset, 5u);
  EXPECT_EQ(r[2].verdict, Verdict::Invalid);
  EXPECT_EQ(r[2].offset, kNoOffset);
  EXPECT_EQ(r[3].verdict, Verdict::Rejected);
  EXPECT_EQ(r[4].verdict, Verdict::Limit);
  EXPECT_EQ(r[5].verdict, Verdict::Unsupported);
  // An {"error"} reply: the engine does not do that request, which is no crash.
  EXPECT_EQ(r[6].verdict, Verdict::Unsupported);
  EXPECT_EQ(r[6].message, "fake does not validate: scripted refusal");
  EXPECT_EQ(r[7].verdict, Verdict::Crash);
  EXPECT_EQ(r[7].message, "bad reply: this is not JSON");
  // Without three_way, malformed and invalid are held to "rejected".
  std::unique_ptr<Engine> two = fake("");
  r = validate(*two, {{1}, {2}, {0}});
  EXPECT_EQ(r[0].verdict, Verdict::Rejected);
  EXPECT_EQ(r[1].verdict, Verdict::Rejected);
  EXPECT_EQ(r[2].verdict, Verdict::Valid);
}

TEST_F(Protocol, ACrashIsThatModulesAndTheEngineRestarts) {
  std::unique_ptr<Engine> e = fake("");
  std::vector<LoadResult> r = validate(*e, {{0}, {6}, {3}, {6}, {0}});
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0].verdict, Verdict::Valid);
  EXPECT_EQ(r[1].verdict, Verdict::Crash);
  EXPECT_EQ(r[1].message, "harness exited; stderr: fake engine: dying as scripted");
  EXPECT_EQ(r[2].verdict, Verdict::Rejected);
  EXPECT_EQ(r[3].verdict, Verdict::Crash);
  EXPECT_EQ(r[4].verdict, Verdict::Valid);
}

TEST_F(Protocol, AHangIsThatModulesAndTheEngineRestarts) {
  std::unique_ptr<Engine> e = fake("", 300);
  std::vector<LoadResult> r = validate(*e, {{7}, {0}});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].verdict, Verdict::Hang);
  EXPECT_EQ(r[0].message, "timed out");
  EXPECT_EQ(r[1].verdict, Verdict::Valid);
}

// --------------------------------------------------------------- run ----

TEST_F(Protocol, RunOutcomesTrapKindsAndValues) {
  std::unique_ptr<Engine> e = fake("");
  std::vector<uint8_t> bytes = {0};
  RunJob job{bytes,
             {call("echo", {Value::i32(0xfffffffe), Value::i64(0x8000000000000001), Value::v128({0x1122, 0xaabb})},
                   {ValType::I32, ValType::I64, ValType::V128}),
              call("named"), call("worded"), call("odd"), call("badname"), call("exhausted"),
              call("badvals", {}, {ValType::I32}), call("nosuch")}};
  RunResult r = e->run_one(job);
  EXPECT_EQ(r.load.verdict, Verdict::Valid);
  EXPECT_EQ(r.instantiate.status, Outcome::Status::Ok);
  ASSERT_EQ(r.calls.size(), 8u);
  // Values as the comparison holds them: a v128 low half first.
  EXPECT_EQ(describe(r.calls[0]), "ok 0xfffffffe 0x8000000000000001 0x1122 0xaabb");
  // Kinds the engine names, else its words read as the spec's.
  EXPECT_EQ(describe(r.calls[1]), "trap divzero|overflow (whatever it says)");
  EXPECT_EQ(describe(r.calls[2]), "trap divzero (integer divide by zero)");
  EXPECT_EQ(describe(r.calls[3]), "trap unknown (the flux capacitor overheated)");
  EXPECT_EQ(describe(r.calls[4]), "trap unknown (x)");
  EXPECT_EQ(describe(r.calls[5]), "exhausted (scripted fuel)");
  EXPECT_EQ(describe(r.calls[6]), "crash (bad reply: value 0 is not i32 bits)");
  EXPECT_EQ(describe(r.calls[7]), "unsupported (no such call nosuch)");
  // A load the engine refuses leaves the rest not run.
  std::vector<uint8_t> limit = {4};
  r = e->run_one({limit, {call("echo")}});
  EXPECT_EQ(r.load.verdict, Verdict::Limit);
  EXPECT_EQ(r.instantiate.status, Outcome::Status::NotRun);
  EXPECT_EQ(r.calls[0].status, Outcome::Status::NotRun);
  // A run the engine refuses ({"error"}) is unsupported there.
  std::vector<uint8_t> refused = {8};
  r = e->run_one({refused, {call("echo")}});
  EXPECT_EQ(r.load.verdict, Verdict::Unsupported);
  EXPECT_EQ(r.load.message, "fake does not run: scripted refusal");
}

TEST_F(Protocol, CrashAndHangInARun) {
  std::unique_ptr<Engine> e = fake("", 300);
  std::vector<uint8_t> bytes = {0};
  RunResult r = e->run_one({bytes, {call("echo"), call("die"), call("echo")}});
  EXPECT_EQ(r.instantiate.status, Outcome::Status::Crash);
  EXPECT_EQ(r.instantiate.message, "harness exited");
  r = e->run_one({bytes, {call("hang")}});
  EXPECT_EQ(r.instantiate.status, Outcome::Status::Hang);
  r = e->run_one({bytes, {call("echo", {}, {ValType::I32})}});
  EXPECT_EQ(describe(r.calls[0]), "ok 0x0");
}

TEST_F(Protocol, EveryBatchBeginsWithAReset) {
  std::unique_ptr<Engine> e = fake("");
  std::vector<uint8_t> bytes = {0};
  std::vector<RunJob> jobs = {{bytes, {call("resets", {}, {ValType::I32})}},
                              {bytes, {call("resets", {}, {ValType::I32})}}};
  std::vector<RunResult> r = e->run(jobs);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(describe(r[0].calls[0]), "ok 0x1");
  EXPECT_EQ(describe(r[1].calls[0]), "ok 0x1");
  r = e->run(jobs);
  EXPECT_EQ(describe(r[1].calls[0]), "ok 0x2");
}

TEST_F(Protocol, WithoutArgumentsTheCallsStopAtTheFirstThatTakesSome) {
  std::unique_ptr<Engine> e = fake("--no-args");
  std::vector<uint8_t> bytes = {0};
  RunResult r = e->run_one(
      {bytes, {call("echo", {}, {ValType::I32}), call("echo", {Value::i32(1)}, {ValType::I32}), call("echo")}});
  EXPECT_EQ(describe(r.calls[0]), "ok 0x0");
  EXPECT_EQ(describe(r.calls[1]), "unsupported (fake takes no arguments)");
  EXPECT_EQ(describe(r.calls[2]), "not-run");
}

TEST_F(Protocol, AValidatorOnlyEngineIsNoDisagreement) {
  std::unique_ptr<Engine> e = fake("--no-run");
  std::vector<uint8_t> bytes = {0};
  RunResult r = e->run_one({bytes, {call("echo", {}, {ValType::I32})}});
  EXPECT_EQ(r.load.verdict, Verdict::NotRun);
  EXPECT_EQ(r.calls[0].status, Outcome::Status::NotRun);
  RunResult warden;
  warden.load.verdict = Verdict::Valid;
  warden.instantiate.status = Outcome::Status::Ok;
  warden.calls = {{Outcome::Status::Ok, {7}, 0, ""}};
  std::vector<EngineRun> runs = {{"warden", warden}, {"fake", r}};
  Ignored ignored;
  EXPECT_TRUE(compare_runs(runs, {"echo"}, {}, ignored).empty());
  EXPECT_TRUE(ignored.empty());
}

// ------------------------------------------------------------- specs ----

TEST(ProtocolSpec, NamesAndCommands) {
  std::string error;
  std::optional<ProtocolSpec> s = parse_engine_spec("my-engine.2=./run --fast x=y", error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->name, "my-engine.2");
  EXPECT_EQ(s->command, "./run --fast x=y");
  EXPECT_FALSE(parse_engine_spec("noequals", error));
  EXPECT_EQ(error, "expected NAME=COMMAND, got 'noequals'");
  for (std::string_view builtin : builtin_engines()) {
    EXPECT_FALSE(parse_engine_spec(std::string(builtin) + "=cmd", error));
    EXPECT_EQ(error, "engine name '" + std::string(builtin) + "' is a built-in engine's; choose another");
  }
  EXPECT_EQ(builtin_engines().size(), 6u);
  EXPECT_FALSE(parse_engine_spec("a|b=cmd", error));
  EXPECT_EQ(error, "engine name 'a|b': 1 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit");
  EXPECT_FALSE(parse_engine_spec("-x=cmd", error));
  EXPECT_FALSE(parse_engine_spec("=cmd", error));
  EXPECT_FALSE(parse_engine_spec(std::string(33, 'a') + "=cmd", error));
  EXPECT_FALSE(parse_engine_spec("e=  ", error));
  EXPECT_EQ(error, "engine 'e': empty command");
}

TEST(ProtocolSpec, NpmEnginesSayWhatIsMissing) {
  EngineSetup setup;
  setup.repo_dir = "/nonexistent-tree";
  for (const char* name : {"binaryen-npm", "wabt-npm"}) {
    std::unique_ptr<Engine> e = make_engine(name, setup);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->name(), name);
    std::string why;
    EXPECT_FALSE(e->available(why));
    std::string package = std::string(name).substr(0, std::string(name).find('-'));
    EXPECT_EQ(why, "/nonexistent-tree/differential/" + package + "_npm_harness.js not found");
  }
  EXPECT_FALSE(make_engine("mine", setup));  // not in setup.protocol
}

// -------------------------------------------------------------- V8 ----

TEST(ProtocolV8, HarnessReadsV8sWords) {
  if (access("/usr/bin/node", X_OK) != 0) GTEST_SKIP() << "node is not installed";
  // The table that moved from messages.cpp into the harness, read by node.
  std::string script = "const h = require(" + nlohmann::json(WARDEN_V8_HARNESS).dump() +
                       ");"
                       "const m = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
                       "console.log(JSON.stringify([m.traps.map(h.trapKinds), m.loads.map(h.rejection)]));";
  nlohmann::json input = {
      {"traps",
       {"RuntimeError: WebAssembly.Instance(): data segment is out of bounds",
        "RuntimeError: null function or function signature mismatch",
        "RuntimeError: float unrepresentable in integer range", "RuntimeError: something new",
        "RuntimeError: unreachable", "RuntimeError: table index is out of bounds",
        "RangeError: Maximum call stack size exceeded"}},
      {"loads",
       {"CompileError: WebAssembly.Module(): initial table size (4294967295 elements) is larger than implementation "
        "limit (10000000 elements) @+14",
        "CompileError: WebAssembly.Module(): expected section length @+48"}}};
  ProcessResult p = run_process({"/usr/bin/node", "-e", script}, input.dump(), 20000, 0);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  nlohmann::json got = nlohmann::json::parse(p.out);
  EXPECT_EQ(got[0], nlohmann::json({"memory", "uninitialized|indirect-type", "conversion|overflow", "unknown",
                                    "unreachable", "table|undefined-element", "stack"}));
  EXPECT_EQ(got[1], nlohmann::json({"limit", "rejected"}));
  EXPECT_EQ(trap_kinds_named("uninitialized|indirect-type"), kTrapUninitialized | kTrapIndirectType);
  EXPECT_EQ(trap_kinds_named("conversion|overflow"), kTrapConversion | kTrapIntOverflow);
}

TEST(ProtocolV8, TheReferenceImplementationRunsThroughTheAdapter) {
  EngineSetup setup;
  std::unique_ptr<Engine> v8 = make_engine("v8", setup);
  std::string why;
  if (!v8->available(why)) GTEST_SKIP() << "v8: " << why;
  EXPECT_EQ(v8->version().rfind("node v", 0), 0u) << v8->version();
  EXPECT_FALSE(v8->three_way());
  Result<std::vector<uint8_t>> bytes = wat_to_wasm(R"((module
    (type $v (func))
    (table 1 funcref)
    (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_u)
    (func (export "rotl") (param i32 i32) (result i32) local.get 0 local.get 1 i32.rotl)
    (func (export "wide") (result i64) i64.const -2)
    (func (export "null") (call_indirect (type $v) (i32.const 0)))
    (func $deep (export "deep") call $deep)
    (func (export "nope") unreachable)))");
  ASSERT_TRUE(bytes.ok());
  RunResult r = v8->run_one({*bytes,
                             {call("div", {Value::i32(7), Value::i32(2)}, {ValType::I32}),
                              call("div", {Value::i32(7), Value::i32(0)}, {ValType::I32}),
                              call("rotl", {Value::i32(0x80000001), Value::i32(1)}, {ValType::I32}),
                              call("wide", {}, {ValType::I64}), call("null"), call("deep"), call("nope")}});
  EXPECT_EQ(r.load.verdict, Verdict::Valid) << r.load.message;
  ASSERT_EQ(r.calls.size(), 7u);
  EXPECT_EQ(describe(r.calls[0]), "ok 0x3");
  EXPECT_EQ(r.calls[1].trap, kTrapDivZero);
  EXPECT_EQ(describe(r.calls[2]), "ok 0x3");
  EXPECT_EQ(describe(r.calls[3]), "ok 0xfffffffffffffffe");
  EXPECT_EQ(r.calls[4].trap, kTrapUninitialized | kTrapIndirectType);
  EXPECT_EQ(r.calls[5].trap, kTrapStack);
  EXPECT_EQ(describe(r.calls[6]), "trap unreachable (RuntimeError: unreachable)");
  std::vector<uint8_t> junk = {0, 'a', 's', 'm', 1, 0, 0, 0, 99};
  std::span<const uint8_t> one[] = {junk};
  LoadResult l = v8->validate(one).front();
  EXPECT_EQ(l.verdict, Verdict::Rejected);
  EXPECT_EQ(l.message.rfind("CompileError: WebAssembly.Module(): ", 0), 0u) << l.message;
}

// ------------------------------------------------ the wrong engine ----

#ifdef WARDEN_CLI
namespace {

struct Campaign {
  int exit_code = -1;
  std::string out;
};

// `warden diff` against Warden and the faulty engine executing FROM as TO.
Campaign campaign(const fs::path& findings, const std::string& from, const std::string& to) {
  std::string faulty = std::string(WARDEN_FAULTY_ENGINE) + " " + from + " " + to;
  ProcessResult p =
      run_process({WARDEN_CLI, "diff", "--engines", "warden", "--engine", "faulty=" + faulty, "--generator", "own",
                   "--seed", "7", "--cycles", "40", "--findings", findings.string()},
                  "", 300000, 0);
  return {p.exit_code, p.out + p.err};
}

}  // namespace

TEST_F(Protocol, AWrongInstructionIsFoundAndNamed) {
  Campaign c = campaign(dir_ / "rotl", "i32.rotl", "i32.rotr");
  ASSERT_EQ(c.exit_code, 1) << c.out;
  EXPECT_NE(c.out.find("engine faulty: warden, executing i32.rotl as i32.rotr"), std::string::npos) << c.out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(c.out, m, std::regex("unexplained: (\\d+)\n$"))) << c.out;
  EXPECT_GE(std::stoi(m[1]), 1);
  // Each unexplained bucket is the faulty engine's, and its minimized
  // module holds the instruction it gets wrong.
  size_t buckets = 0;
  for (const fs::directory_entry& d : fs::directory_iterator(dir_ / "rotl")) {
    if (!fs::exists(d.path() / "repro.json")) continue;
    ++buckets;
    std::ifstream in(d.path() / "repro.json");
    nlohmann::json r = nlohmann::json::parse(in);
    EXPECT_EQ(r["engines"], nlohmann::json({"faulty"})) << d.path();
    EXPECT_TRUE(r["explained_by"].is_null()) << d.path();
    std::vector<std::string> ops = r["opcodes"];
    EXPECT_NE(std::find(ops.begin(), ops.end(), "i32.rotl"), ops.end()) << r.dump(2);
    EXPECT_EQ(r["suspects"], nlohmann::json({"i32.rotl"})) << r.dump(2);
  }
  EXPECT_EQ(buckets, static_cast<size_t>(std::stoi(m[1])));
  // The summary names it too.
  EXPECT_NE(c.out.find("suspect i32.rotl"), std::string::npos) << c.out;
}

// The conformance matrix's column for a protocol engine (scripts/conformance).
TEST_F(Protocol, ConformanceColumnFailsTheWrongInstructionOnly) {
  if (access("/usr/bin/wast2json", X_OK) != 0) GTEST_SKIP() << "wabt's wast2json is not installed";
  std::string suite = WARDEN_TESTSUITE_DIR;
  if (!fs::exists(fs::path(suite) / "i32.wast")) GTEST_SKIP() << "no testsuite at " << suite;
  auto column = [&](const std::string& name, const std::string& fault) {
    fs::path json = dir_ / (name + ".json");
    ProcessResult p = run_process(
        {"/usr/bin/env", "python3", std::string(WARDEN_SOURCE_DIR) + "/scripts/conformance", "--suite", suite, "--only",
         "i32.wast", "--no-peers", "--warden", WARDEN_CLI, "--engine", name + "=" + WARDEN_FAULTY_ENGINE + " " + fault,
         "--md", (dir_ / (name + ".md")).string(), "--json", json.string()},
        "", 120000, 0);
    EXPECT_EQ(p.exit_code, 0) << p.out << p.err;
    std::ifstream in(json);
    return nlohmann::json::parse(in)["files"]["i32.wast"]["engines"][name];
  };
  nlohmann::json faulty = column("faulty", "i32.rotl i32.rotr");
  EXPECT_EQ(faulty["failed"], 10);
  EXPECT_EQ(faulty["passed"], 448);
  for (const nlohmann::json& f : faulty["failures"])
    EXPECT_EQ(f["message"].get<std::string>().rfind("rotl: expected ", 0), 0u) << f.dump();
  nlohmann::json fixed = column("fixed", "i32.rotl i32.rotl");
  EXPECT_EQ(fixed["failed"], 0);
  EXPECT_EQ(fixed["passed"], 458);
  EXPECT_EQ(fixed["not_run"], 2);  // the text-format assert_malformed commands
}

TEST_F(Protocol, TheSameEngineWithoutItsFaultAgrees) {
  Campaign c = campaign(dir_ / "none", "i32.rotl", "i32.rotl");
  EXPECT_EQ(c.exit_code, 0) << c.out;
  EXPECT_NE(c.out.find("\nunexplained: 0\n"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("generated modules: 640 "), std::string::npos) << c.out;
}
#endif
