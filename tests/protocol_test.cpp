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
#include "harness.hpp"
#include "messages.hpp"
#include "process.hpp"
#include "protocol_server.hpp"
#include "sanitizer.hpp"
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
  EXPECT_EQ(builtin_engines().size(), 7u);  // warden wabt binaryen v8 binaryen-npm wabt-npm warden-asan
  EXPECT_EQ(builtin_engines().back(), "warden-asan");
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

// ------------------------------------------- warden engine-server ----

namespace {

// Values, a trap, a missing export, a v128 and the state a call leaves.
constexpr std::string_view kServed = R"((module
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  (func (export "add") (param i32 i32) (result i32) (global.set $g (i32.const 7)) (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func (export "v") (result v128 i64) (v128.const i64x2 0x1122 0xaabb) (i64.const -2))
  (func (export "g") (result i32) (global.get $g))
  (func (export "oob") (result i32) (i32.load (i32.const 65536))))
)";

std::vector<Call> served_calls() {
  return {call("add", {Value::i32(40), Value::i32(2)}, {ValType::I32}),
          call("div", {Value::i32(0)}, {ValType::I32}),
          call("v", {}, {ValType::V128, ValType::I64}),
          call("g", {}, {ValType::I32}),
          call("oob", {}, {ValType::I32}),
          call("nosuch")};
}

std::string described(const RunResult& r) {
  std::string s = std::string(to_string(r.load.verdict)) + "; " + describe(r.instantiate);
  for (const Outcome& o : r.calls) s += "; " + describe(o);
  return s;
}

}  // namespace

// The server side answers what the in-process engine gives, exactly.
TEST(ProtocolServer, AnswersWhatTheEngineBehindItGives) {
  ProtocolServer server("warden", "warden (test)", [](const EngineLimits& limits) {
    EngineSetup setup;
    setup.limits = limits;
    return make_engine("warden", setup);
  });
  EXPECT_EQ(server.handle(R"({"op":"hello","protocol":1})"),
            R"j({"arguments":true,"name":"warden","protocol":1,"run":true,"three_way":true,"validate":true,)j"
            R"j("version":"warden (test)"})j");
  EXPECT_EQ(server.handle(R"({"op":"reset"})"), R"({"ok":true})");
  EXPECT_EQ(server.handle(R"({"op":"validate","wasm":"AGFzbQEAAAA="})"), R"({"v":"valid"})");
  EXPECT_EQ(server.handle(R"({"op":"validate","wasm":"AGFzbQEAAAAFAwEAAQ=="})"), R"({"v":"valid"})");
  EXPECT_EQ(server.handle(R"({"op":"validate","wasm":"AGFzbQEAAAAB"})"),
            R"({"msg":"unexpected end of section or function","offset":9,"v":"malformed"})");
  EXPECT_EQ(server.handle(R"({"op":"validate","wasm":"*"})"), R"({"error":"wasm is not base64"})");
  EXPECT_EQ(server.handle(R"({"op":"fly"})"), R"({"error":"cannot do {\"op\":\"fly\"}"})");
  EXPECT_EQ(server.handle("[1]"), R"({"error":"not a JSON object"})");
  EXPECT_EQ(server.handle(R"({"op":"run","wasm":"AGFzbQEAAAA=","limits":{"timeout_ms":"x"}})")
                .rfind(R"({"error":"bad request: )", 0),
            0u);
  // A run: values as raw bits by the result types, trap kinds named; a call
  // whose argument cannot cross (a non-null reference) is unsupported and
  // the rest not run.
  std::vector<uint8_t> bytes = test_harness::wat_bytes(kServed);
  std::string req = R"({"op":"run","wasm":")" + base64(bytes) + R"(","calls":[)" +
                    R"({"name":"add","args":[["i32","28"],["i32","2"]],"results":["i32"]},)" +
                    R"({"name":"div","args":[["i32","0"]],"results":["i32"]},)" +
                    R"({"name":"v","args":[],"results":["v128","i64"]},)" +
                    R"({"name":"g","args":[["externref","1"]],"results":["i32"]},)" +
                    R"({"name":"g","args":[],"results":["i32"]}]})";
  EXPECT_EQ(server.handle(req),
            R"({"calls":[{"s":"ok","vals":["2a"]},{"msg":"integer divide by zero","s":"trap","trap":"divzero"},)"
            R"({"s":"ok","vals":["000000000000aabb0000000000001122","fffffffffffffffe"]},)"
            R"({"msg":"an argument that cannot cross","s":"unsupported"},{"s":"notrun"}],)"
            R"("inst":{"s":"ok"},"load":{"v":"valid"}})");
}

#ifdef WARDEN_CLI
// `warden engine-server` through the adapter: what the campaign's in-process
// Warden gives, outcome for outcome, message for message.
TEST_F(Protocol, TheEngineServerIsTheInProcessWarden) {
  std::unique_ptr<Engine> served = engine("served", quoted(WARDEN_CLI) + " engine-server");
  std::string why;
  ASSERT_TRUE(served->available(why)) << why;
  EXPECT_EQ(served->version(), "warden (this tree)");
  EXPECT_TRUE(served->three_way());
  EXPECT_TRUE(served->passes_arguments());
  EngineSetup setup;
  std::unique_ptr<Engine> in_process = make_engine("warden", setup);
  std::vector<uint8_t> bytes = test_harness::wat_bytes(kServed);
  RunJob job{bytes, served_calls()};
  RunResult r = served->run_one(job);
  EXPECT_EQ(described(r),
            "valid; ok; ok 0x2a; trap divzero (integer divide by zero); ok 0x1122 0xaabb 0xfffffffffffffffe; ok 0x7; "
            "trap memory (out of bounds memory access); unsupported (no function export nosuch)");
  EXPECT_EQ(described(r), described(in_process->run_one(job)));
  std::vector<uint8_t> truncated(bytes.begin(), bytes.begin() + 20),
      invalid = test_harness::wat_bytes("(module (func (result i32) (i64.const 1)))");
  std::vector<LoadResult> l = validate(*served, {bytes, truncated, invalid});
  std::vector<std::span<const uint8_t>> spans = {bytes, truncated, invalid};
  std::vector<LoadResult> want = in_process->validate(spans);
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0].verdict, Verdict::Valid);
  EXPECT_EQ(l[1].verdict, Verdict::Malformed);
  EXPECT_EQ(l[2].verdict, Verdict::Invalid);
  EXPECT_EQ(l[2].message, "type mismatch");
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(l[i].verdict, want[i].verdict) << i;
    EXPECT_EQ(l[i].message, want[i].message) << i;
    EXPECT_EQ(l[i].offset, want[i].offset) << i;
  }
}

// --sanitized without the sanitized build is a usage error that says how
// to build it, never a campaign without it.
TEST_F(Protocol, SanitizedWithoutTheBuildIsAUsageError) {
  std::string missing = (dir_ / "no-such-warden").string();
  ProcessResult p =
      run_process({WARDEN_CLI, "diff", "--engines", "warden", "--sanitized=" + missing, "--cycles", "1"}, "", 60000, 0);
  EXPECT_EQ(p.exit_code, 64) << p.out << p.err;
  EXPECT_EQ(p.err, "warden diff: --sanitized: no sanitized build at " + missing +
                       " (give --sanitized=PATH or set WARDEN_SANITIZED); build it with:\n"
                       "  cmake --preset asan-ubsan && cmake --build --preset asan-ubsan --target warden_cli\n");
  EXPECT_EQ(p.out, "");
  // The default is the environment's, then the asan-ubsan build beside this one.
  p = run_process({"/usr/bin/env", "WARDEN_SANITIZED=" + missing, WARDEN_CLI, "diff", "--sanitized", "--cycles", "1"},
                  "", 60000, 0);
  EXPECT_EQ(p.exit_code, 64);
  EXPECT_NE(p.err.find("no sanitized build at " + missing + " "), std::string::npos) << p.err;
  p = run_process({WARDEN_CLI, "diff", "--engines", "wabt,v8", "--sanitized=" + missing, "--cycles", "1"}, "", 60000,
                  0);
  EXPECT_EQ(p.exit_code, 64);
  EXPECT_EQ(p.err, "warden diff: --sanitized compares with the warden engine; keep warden in --engines\n");
}
#endif

// ------------------------------------------------ sanitized twin ----

namespace {

// The shape of the reports clang 14's runtimes write (addresses and the
// tree's path made up).
constexpr std::string_view kAsanReport =
    "=================================================================\n"
    "==4242==ERROR: AddressSanitizer: stack-buffer-overflow on address 0x7ffc1 at pc 0x55 bp 0x7ff sp 0x7ff\n"
    "WRITE of size 1 at 0x7ffc1 thread T0\n"
    "    #0 0x55d1 in __asan_memcpy (/tmp/warden+0x4a1)\n"
    "    #1 0x55d2 in warden::exec::lanes<int8_t>(V128) /src/tree/engine/src/execute/simd.hpp:48:51\n"
    "    #2 0x55d3 in warden::exec::run(Frame&) /src/tree/engine/src/execute/interpreter.cpp:900:7\n"
    "\n"
    "Address 0x7ffc1 is located in stack of thread T0 at offset 48 in frame\n"
    "    #0 0x55e0 in warden::exec::lanes<int8_t>(V128) /src/tree/engine/src/execute/simd.hpp:40\n"
    "SUMMARY: AddressSanitizer: stack-buffer-overflow /src/tree/engine/src/execute/simd.hpp:48:51 in lanes\n"
    "==4242==ABORTING\n";

constexpr std::string_view kUbsanReport =
    "/src/tree/engine/src/execute/numeric.hpp:12:20: runtime error: shift exponent 40 is too large for 32-bit type "
    "'uint32_t'\n"
    "    #0 0x55d1 in warden::exec::shl(unsigned int, unsigned int) /src/tree/engine/src/execute/numeric.hpp:12:20\n"
    "SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior /src/tree/engine/src/execute/numeric.hpp:12:20 in\n";

}  // namespace

TEST(Sanitizer, ReportsBecomeOneLineWithTheFirstFrameInTheTree) {
  std::string m = sanitizer_message(kAsanReport, "/src/tree");
  EXPECT_EQ(m.substr(0, m.find('\n')),
            "sanitizer: stack-buffer-overflow (WRITE of size 1) at engine/src/execute/simd.hpp:48:51 in "
            "warden::exec::lanes<int8_t>(V128)");
  EXPECT_NE(m.find("\nframes: #0 __asan_memcpy ?(/tmp/warden+0x4a1) #1 warden::exec::lanes<int8_t>(V128) "
                   "engine/src/execute/simd.hpp:48:51 #2 warden::exec::run(Frame&) "
                   "engine/src/execute/interpreter.cpp:900:7\n"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find(kAsanReport), std::string::npos);  // the whole report follows
  EXPECT_EQ(sanitizer_key(m), "stack-buffer-overflow (WRITE of size 1) at engine/src/execute/simd.hpp:48");
  std::string u = sanitizer_message(kUbsanReport, "/src/tree");
  EXPECT_EQ(u.substr(0, u.find('\n')),
            "sanitizer: runtime error: shift exponent 40 is too large for 32-bit type 'uint32_t' at "
            "engine/src/execute/numeric.hpp:12:20 in warden::exec::shl(unsigned int, unsigned int)");
  EXPECT_EQ(
      sanitizer_key(u),
      "runtime error: shift exponent 40 is too large for 32-bit type 'uint32_t' at engine/src/execute/numeric.hpp:12");
  // A build directory's "../" goes; another checkout's tree is recognised by its folders.
  std::string b = sanitizer_message(
      "==1==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x1\nREAD of size 8 at 0x1 thread T0\n"
      "    #0 0x1 in f() /else/where/build/asan-ubsan/../../engine/src/decode/reader.hpp:7:9\n",
      "/src/tree");
  EXPECT_EQ(b.substr(0, b.find('\n')),
            "sanitizer: heap-buffer-overflow (READ of size 8) at engine/src/decode/reader.hpp:7:9 in f()");
  EXPECT_EQ(sanitizer_message("harness exited\nSegmentation fault\n", "/src/tree"), "");
  EXPECT_EQ(sanitizer_key("harness exited"), "");
}

TEST(Sanitizer, TheTwinIsComparedWithWardenAloneAndExactly) {
  auto ok = [](uint64_t v) { return Outcome{Outcome::Status::Ok, {v}, 0, ""}; };
  RunResult w;
  w.load.verdict = Verdict::Valid;
  w.instantiate.status = Outcome::Status::Ok;
  w.calls = {ok(1), ok(2)};
  RunResult peer = w;
  peer.calls[1] = ok(3);  // a peer that differs: the usual finding, no twin's
  std::vector<std::string> targets = {"f", "state"};
  Ignored ignored;
  // A twin that agrees adds nothing.
  std::vector<EngineRun> runs = {{"warden", w}, {"wabt", peer}, {"warden-asan", w}};
  std::vector<Finding> f = compare_runs(runs, targets, {}, ignored);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].engines, std::vector<std::string>{"wabt"});
  // A sanitizer report, though every value was right up to it.
  RunResult died = w;
  died.instantiate = {Outcome::Status::Crash, {}, 0, sanitizer_message(kAsanReport, "/src/tree")};
  died.calls = {{}, {}};
  runs = {{"warden", w}, {"warden-asan", died}};
  f = compare_runs(runs, targets, {}, ignored);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, FindingKind::Sanitizer);
  EXPECT_EQ(f[0].signature,
            "sanitizer|stack-buffer-overflow (WRITE of size 1) at engine/src/execute/simd.hpp:48|warden-asan");
  EXPECT_EQ(f[0].reference, "warden");
  EXPECT_EQ(f[0].where, "run");
  // Any other difference is a finding no peer rule can explain; only a
  // deadline is set aside.
  RunResult other = w;
  other.calls[0] = {Outcome::Status::Trap, {}, kTrapMemory, "out of bounds memory access"};
  runs = {{"warden", w}, {"warden-asan", other}};
  f = compare_runs(runs, targets, {}, ignored);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].signature, "trap|twin call|warden-asan");
  RunResult slow = w;
  slow.calls[1] = {Outcome::Status::Exhausted, {}, 0, "deadline of 100000 ms exceeded"};
  runs = {{"warden", w}, {"warden-asan", slow}};
  EXPECT_TRUE(compare_runs(runs, targets, {}, ignored).empty());
  EXPECT_EQ(ignored["twin: warden-asan reached a deadline"], 1u);
  // Loads: verdict, message and offset exactly.
  std::vector<EngineLoad> loads = {{"warden", true, {Verdict::Malformed, "unexpected end", 9}},
                                   {"warden-asan", true, {Verdict::Malformed, "unexpected end", 10}}};
  f = compare_loads(loads, ignored);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].signature, "validation|twin load malformed unexpected end|warden-asan");
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
