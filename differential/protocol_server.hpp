// The server side of the engine protocol (docs/engine-protocol.md): any
// Engine behind stdin/stdout, one JSON request a line in, one reply a line
// out. `warden engine-server` serves Warden's in-process engine this way
// (the sanitized differential runs it from the ASan+UBSan build as
// "warden-asan"); tests/protocol/faulty_engine.cpp serves a Warden made
// wrong on purpose. The replies carry everything the adapter
// (protocol_engine.hpp) reads back into a RunResult: verdicts with their
// message and offset, outcomes with trap kinds named, values as raw bits.
#pragma once
#include <functional>
#include <iosfwd>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "engine.hpp"

namespace warden::diff {

class ProtocolServer {
 public:
  /// The engine for a run's limits: the server asks again whenever a run
  /// names other limits than the last (validations use the last, at first
  /// EngineLimits{}).
  using Factory = std::function<std::unique_ptr<Engine>(const EngineLimits&)>;

  /// `name` and `version` are what hello answers.
  ProtocolServer(std::string name, std::string version, Factory make);

  /// One request line's reply line (without the newline). Whatever the
  /// line holds, the reply is one JSON object: {"error": ...} for a request
  /// it does not do.
  std::string handle(const std::string& line);

  /// Answers every line of `in` on `out`, flushing after each, until `in`
  /// ends. Returns 0.
  int serve(std::istream& in, std::ostream& out);

 private:
  std::string answer(const std::string& line);
  Engine& engine_for(const EngineLimits& limits);
  std::string run(const nlohmann::json& request);

  std::string name_, version_;
  Factory make_;
  EngineLimits limits_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace warden::diff
