// `warden serve` in the `warden` executable: hands the command line, as it
// was given, to `warden-serve`, built beside `warden` from cmd_serve.cpp.
// The HTTP stack then loads only into the server's process, not into every
// `warden run` (docs/design.md, "Start-up"). Its options and --help are
// warden-serve's own.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "cli.hpp"

namespace warden::cli {
namespace {

int exec_server(const std::vector<std::string>& args) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) {
    std::fprintf(stderr, "warden serve: cannot find this executable: %s\n", ec.message().c_str());
    return kExitUsage;
  }
  const std::string server = (self.parent_path() / "warden-serve").string();
  std::vector<std::string> words{server, "serve"};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  ::execv(server.c_str(), argv.data());
  std::fprintf(stderr, "warden serve: cannot run %s: %s\n", server.c_str(), std::strerror(errno));
  return kExitUsage;
}

void setup(CLI::App& sub, int& exit_code) {
  sub.prefix_command();  // everything after `serve` goes to warden-serve untouched
  sub.set_help_flag();   // so does --help
  sub.callback([&sub, &exit_code] { exit_code = exec_server(sub.remaining()); });
}

const Registrar reg{{"serve", "Serve modules over HTTP, a fresh sandboxed instance per request (WAGI)", setup}};

}  // namespace
}  // namespace warden::cli
