// The adapter for engines that speak the engine protocol
// (docs/engine-protocol.md): the V8 harness, the npm peers and every
// `--engine NAME=COMMAND`. Internal to differential/; the way in from
// outside is make_engine (engine.hpp).
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine.hpp"

namespace warden::diff {

/// The protocol version this adapter speaks (hello's "protocol").
inline constexpr int kProtocolVersion = 1;

struct ProtocolConfig {
  std::string name;     ///< Engine::name()
  std::string command;  ///< run as /bin/sh -c COMMAND
  std::string cwd;      ///< its working directory (created when missing)
  EngineLimits limits;
  /// Paths that must exist before the engine is started, each with what
  /// available() says when it does not.
  std::vector<std::pair<std::string, std::string>> needs;
};

std::unique_ptr<Engine> make_protocol_engine(ProtocolConfig config);

/// `s` quoted for /bin/sh: 'it'\''s'.
std::string shell_quote(const std::string& s);

/// The config of an engine that is `node HARNESS` (v8, binaryen-npm,
/// wabt-npm), with `setup`'s node, limits and scratch folder.
ProtocolConfig node_harness_config(const EngineSetup& setup, std::string name, const std::string& harness);

}  // namespace warden::diff
