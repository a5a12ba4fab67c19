// `warden validate FILE.wasm`: decode and validate a binary module.
#include <memory>

#include "cli.hpp"

namespace warden::cli {
namespace {

struct ValidateOptions {
  std::string file;
  uint32_t load_threads = 0;
};

int validate(const ValidateOptions& o) {
  Limits limits;
  int exit_code = kExitOk;
  auto bytes = read_module(o.file, limits, exit_code);
  if (!bytes) return exit_code;
  limits.load_threads = load_threads(bytes->size(), o.load_threads);
  // Nothing runs, so nothing is compiled: the outcome is Module::load's.
  if (Result<void> r = Module::validate(*bytes, limits); !r) return report_load_error(o.file, r.error());
  return kExitOk;
}

void setup(CLI::App& sub, int& exit_code) {
  auto o = std::make_shared<ValidateOptions>();
  sub.add_option("file", o->file, "the module (.wasm; a name ending in .wat is read as text)")->required();
  add_load_threads_option(sub, o->load_threads);
  sub.footer(
      "Exit status: 0 valid; 1 malformed or invalid, printed as\n"
      "FILE:0xOFFSET: malformed|invalid: message (for .wat text that does not\n"
      "parse, FILE:LINE:COLUMN: malformed: message); 3 a load limit was hit\n"
      "(FILE: exhausted: message); 64 usage error or unreadable file.");
  sub.callback([o, &exit_code] { exit_code = validate(*o); });
}

const Registrar reg{{"validate", "Decode and validate a module", setup}};

}  // namespace
}  // namespace warden::cli
