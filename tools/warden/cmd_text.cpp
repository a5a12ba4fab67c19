// `warden wat2wasm FILE.wat` and `warden wasm2wat FILE.wasm`: convert between
// the text format (spec 6) and the binary format (spec 5).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>

#include "cli.hpp"
#include "warden/text.hpp"

namespace warden::cli {
namespace {

struct TextOptions {
  std::string file;
  std::string output;
  bool validate = false;
};

// Writes `data` to `path`, or to stdout for "-".
bool write_output(const std::string& path, const void* data, size_t size) {
  const bool to_stdout = path == "-";
  std::FILE* f = to_stdout ? stdout : std::fopen(path.c_str(), "wb");
  if (!f) {
    std::fprintf(stderr, "%s: cannot write: %s\n", path.c_str(), std::strerror(errno));
    return false;
  }
  bool ok = std::fwrite(data, 1, size, f) == size;
  ok = (to_stdout ? std::fflush(f) : std::fclose(f)) == 0 && ok;
  if (!ok) std::fprintf(stderr, "%s: cannot write: I/O error\n", path.c_str());
  return ok;
}

// FILE.wat -> FILE.wasm (the extension replaced or appended).
std::string default_output(const std::string& in, std::string_view ext) {
  size_t slash = in.find_last_of('/');
  size_t dot = in.find_last_of('.');
  std::string base = (dot != std::string::npos && (slash == std::string::npos || dot > slash)) ? in.substr(0, dot) : in;
  return base + std::string(ext);
}

int wat2wasm(const TextOptions& o) {
  Limits limits;
  std::vector<uint8_t> text;
  bool exhausted = false;
  if (!read_file(o.file, limits.max_module_bytes, text, &exhausted)) {
    return exhausted ? kExitExhausted : kExitUsage;
  }
  auto bytes = wat_to_wasm(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()));
  if (!bytes.ok()) {
    // Text errors carry (line << 32) | column in the offset.
    const Error& e = bytes.error();
    std::fprintf(stderr, "%s:%u:%u: malformed: %s\n", o.file.c_str(), static_cast<unsigned>(e.offset >> 32),
                 static_cast<unsigned>(e.offset & 0xFFFFFFFFu), e.message.c_str());
    return kExitRejected;
  }
  if (o.validate) {  // nothing runs: validating without compiling gives load's outcome
    if (Result<void> r = Module::validate(*bytes, limits); !r) return report_load_error(o.file, r.error());
  }
  const std::string out = o.output.empty() ? default_output(o.file, ".wasm") : o.output;
  return write_output(out, bytes->data(), bytes->size()) ? kExitOk : kExitUsage;
}

int wasm2wat(const TextOptions& o) {
  Limits limits;
  std::vector<uint8_t> bytes;
  bool exhausted = false;
  if (!read_file(o.file, limits.max_module_bytes, bytes, &exhausted)) {
    return exhausted ? kExitExhausted : kExitUsage;
  }
  auto text = wasm_to_wat(bytes);
  if (!text.ok()) return report_load_error(o.file, text.error());
  const std::string out = o.output.empty() ? "-" : o.output;
  return write_output(out, text->data(), text->size()) ? kExitOk : kExitUsage;
}

void setup_wat2wasm(CLI::App& sub, int& exit_code) {
  auto o = std::make_shared<TextOptions>();
  sub.add_option("file", o->file, "the text module (.wat)")->required();
  sub.add_option("-o,--output", o->output, "output file (default: FILE with .wasm; - for stdout)");
  sub.add_flag("--validate", o->validate, "also validate the module");
  sub.footer(
      "Exit status: 0 written; 1 malformed text, printed as\n"
      "FILE:LINE:COLUMN: malformed: message, or with --validate an invalid\n"
      "module, printed as FILE:0xOFFSET: invalid: message where OFFSET is in\n"
      "the encoded binary; 64 usage or I/O error.");
  sub.callback([o, &exit_code] { exit_code = wat2wasm(*o); });
}

void setup_wasm2wat(CLI::App& sub, int& exit_code) {
  auto o = std::make_shared<TextOptions>();
  sub.add_option("file", o->file, "the binary module (.wasm)")->required();
  sub.add_option("-o,--output", o->output, "output file (default: stdout)");
  sub.footer(
      "Exit status: 0 written; 1 malformed binary (FILE:0xOFFSET: malformed:\n"
      "message); 3 a load limit was hit; 64 usage or I/O error. The module is\n"
      "decoded, not validated.");
  sub.callback([o, &exit_code] { exit_code = wasm2wat(*o); });
}

const Registrar reg_wat2wasm{{"wat2wasm", "Convert a text module to a binary module", setup_wat2wasm}};
const Registrar reg_wasm2wat{{"wasm2wat", "Print a binary module in the text format", setup_wasm2wat}};

}  // namespace
}  // namespace warden::cli
