// `warden engine-server`: Warden behind the engine protocol
// (docs/engine-protocol.md) on stdin/stdout, as `warden diff --sanitized`
// runs it from the ASan+UBSan build ("warden-asan", docs/differential.md,
// "The sanitized differential"). What it answers is what `warden diff`'s
// in-process engine gives (differential/warden_engine.cpp): the server is
// that engine, behind differential/protocol_server.cpp.
#include <iostream>
#include <memory>

#include "cli.hpp"
#include "engine.hpp"
#include "protocol_server.hpp"

namespace warden::cli {
namespace {

// Which build answers: the differential's summary and every bundle show it.
std::string build_name() {
  std::string s = "warden (this tree";
#if defined(__SANITIZE_ADDRESS__)
  s += ", ASan+UBSan";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  s += ", ASan+UBSan";
#endif
#endif
  return s + ")";
}

int serve() {
  diff::ProtocolServer server("warden", build_name(), [](const diff::EngineLimits& limits) {
    diff::EngineSetup setup;
    setup.limits = limits;
    return diff::make_engine("warden", setup);
  });
  return server.serve(std::cin, std::cout);
}

void setup(CLI::App& sub, int& exit_code) {
  sub.footer(
      "Reads engine-protocol requests (docs/engine-protocol.md) on stdin, one JSON\n"
      "object a line, and answers each on stdout, until stdin ends. For\n"
      "`warden diff --sanitized`, which starts it from the ASan+UBSan build.");
  sub.callback([&exit_code] { exit_code = serve(); });
}

const Registrar reg{{"engine-server", "Serve Warden over the engine protocol (for warden diff --sanitized)", setup}};

}  // namespace
}  // namespace warden::cli
