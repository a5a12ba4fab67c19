// `warden validate FILE.wasm`: decode and validate a binary module.
#include <memory>

#include "cli.hpp"

namespace warden::cli {
namespace {

struct ValidateOptions {
  std::string file;
};

int validate(const ValidateOptions& o) {
  Limits limits;
  std::vector<uint8_t> bytes;
  bool exhausted = false;
  if (!read_file(o.file, limits.max_module_bytes, bytes, &exhausted)) {
    return exhausted ? kExitExhausted : kExitUsage;
  }
  auto module = Module::load(bytes, limits);
  if (!module.ok()) return report_load_error(o.file, module.error());
  return kExitOk;
}

void setup(CLI::App& sub, int& exit_code) {
  auto o = std::make_shared<ValidateOptions>();
  sub.add_option("file", o->file, "the binary module (.wasm)")->required();
  sub.footer(
      "Exit status: 0 valid; 1 malformed or invalid, printed as\n"
      "FILE:0xOFFSET: malformed|invalid: message; 3 a load limit was hit\n"
      "(FILE: exhausted: message); 64 usage error or unreadable file.");
  sub.callback([o, &exit_code] { exit_code = validate(*o); });
}

const Registrar reg{{"validate", "Decode and validate a binary module", setup}};

}  // namespace
}  // namespace warden::cli
