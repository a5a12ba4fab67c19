// A deliberately wrong engine, for tests/protocol_test.cpp: Warden itself
// behind the engine protocol, version 1 (docs/engine-protocol.md), except
// that it executes every FROM instruction of a module as TO (both of one
// type, so the module stays valid). A differential campaign against Warden
// must find it and name FROM.
//
//   faulty_engine FROM TO     e.g. faulty_engine i32.rotl i32.rotr
//
// With FROM equal to TO it is a correct engine, which a campaign must not
// fault. It is `warden engine-server` (tools/warden/cmd_engine_server.cpp)
// with the fault in front: Warden's in-process engine behind
// differential/protocol_server.cpp, given each module to run with the
// instruction replaced.
#include <cstdio>
#include <iostream>
#include <optional>

#include "engine.hpp"
#include "protocol_server.hpp"
#include "warden/binary.hpp"
#include "warden/syntax.hpp"

namespace {

using namespace warden;

class Faulty final : public diff::Engine {
 public:
  Faulty(Op from, Op to, const diff::EngineLimits& limits) : from_(from), to_(to) {
    diff::EngineSetup setup;
    setup.limits = limits;
    warden_ = diff::make_engine("warden", setup);
  }
  std::string_view name() const override { return "faulty"; }
  std::string version() const override { return warden_->version(); }
  bool available(std::string&) override { return true; }
  bool three_way() const override { return true; }

  std::vector<diff::LoadResult> validate(std::span<const std::span<const uint8_t>> modules) override {
    return warden_->validate(modules);
  }

  diff::RunResult run_one(const diff::RunJob& job) override {
    Result<ast::Module> tree = decode(job.bytes, Limits{});
    if (!tree) return warden_->run_one(job);  // Warden says why it does not load
    // The fault.
    for (ast::Function& f : tree->funcs)
      for (ast::Instr& i : f.body)
        if (i.op == from_) i.op = to_;
    std::vector<uint8_t> wrong = encode(*tree);
    return warden_->run_one({wrong, job.calls});
  }

 private:
  Op from_, to_;
  std::unique_ptr<diff::Engine> warden_;
};

}  // namespace

int main(int argc, char** argv) {
  std::optional<Op> from = argc == 3 ? lookup_opcode(argv[1]) : std::nullopt;
  std::optional<Op> to = argc == 3 ? lookup_opcode(argv[2]) : std::nullopt;
  if (!from || !to) {
    std::fprintf(stderr, "usage: faulty_engine FROM TO (instruction names, e.g. i32.rotl i32.rotr)\n");
    return 64;
  }
  diff::ProtocolServer server(
      "faulty", "warden, executing " + std::string(name(*from)) + " as " + std::string(name(*to)),
      [&](const diff::EngineLimits& limits) { return std::make_unique<Faulty>(*from, *to, limits); });
  return server.serve(std::cin, std::cout);
}
