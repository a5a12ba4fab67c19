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
  /// When set: the log_path prefix the engine's sanitizers write their
  /// reports to; the report of a process that died becomes the crash's
  /// message (sanitizer.hpp).
  std::string sanitizer_log;
};

std::unique_ptr<Engine> make_protocol_engine(ProtocolConfig config);

/// Lowercase or uppercase hex of at most `digits` digits into hi:lo.
bool parse_hex(const std::string& s, size_t digits, uint64_t& hi, uint64_t& lo);

/// The protocol's HEX of a value: raw bits; v128 as 32 digits, high half
/// first; a non-null reference (opaque outside its engine) as "1".
std::string value_hex(const Value& v);

/// `s` quoted for /bin/sh: 'it'\''s'.
std::string shell_quote(const std::string& s);

/// The config of an engine that is `node HARNESS` (v8, binaryen-npm,
/// wabt-npm), with `setup`'s node, limits and scratch folder.
ProtocolConfig node_harness_config(const EngineSetup& setup, std::string name, const std::string& harness);

}  // namespace warden::diff
