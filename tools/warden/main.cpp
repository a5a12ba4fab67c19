// `warden`: builds a CLI11 app from the subcommand registry (cli.hpp).
#include <algorithm>
#include <cstring>
#include <string>

#include "cli.hpp"
#include "warden/host.hpp"
#include "warden/wasi.hpp"

namespace warden::cli {
std::vector<Command>& registry() {
  static std::vector<Command> commands;  // constructed on first registration
  return commands;
}
}  // namespace warden::cli

int main(int argc, char** argv) {
  using namespace warden::cli;
  CLI::App app{"Warden: a compact, security-hardened WebAssembly 2.0 runtime", "warden"};
  app.require_subcommand(1);
  // The host API version is what an embedder's host functions are written
  // against (warden/host.hpp).
  app.set_version_flag("--version", "warden (WebAssembly 2.0, WASI " + std::string(warden::wasi::kModuleName) +
                                        ")\nhost API version " + std::to_string(warden::kHostApiVersion));
  int exit_code = kExitOk;
  auto& commands = registry();
  std::sort(commands.begin(), commands.end(),
            [](const Command& a, const Command& b) { return std::strcmp(a.name, b.name) < 0; });
  // `warden NAME ...` builds only NAME's options: about 0.2 ms of a whole
  // `warden run`'s 1.4 (docs/design.md, "Start-up"). Anything else
  // (--help, --version, a misspelt name) gets the whole app.
  const char* first = argc > 1 ? argv[1] : "";
  const auto named =
      std::find_if(commands.begin(), commands.end(), [&](const Command& c) { return std::strcmp(first, c.name) == 0; });
  for (const Command& c : commands) {
    if (named != commands.end() && &c != &*named) continue;
    CLI::App* sub = app.add_subcommand(c.name, c.description);
    c.setup(*sub, exit_code);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are reported as "errors" with exit code 0.
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  return exit_code;
}
