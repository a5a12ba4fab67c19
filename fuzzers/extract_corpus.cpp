// Seeds from the official testsuite, made at build/run time (nothing from the
// testsuite is checked in): every module of every script, as a binary
// (text modules encoded, `module binary` as written) and every quote
// module as text.
//
//   extract_corpus OUT_DIR FILE.wast...
//
// Writes OUT_DIR/<script>.<n>.wasm and OUT_DIR/<script>.<n>.wat; prints
// how many of each.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "warden/binary.hpp"
#include "warden/script.hpp"

using namespace warden;

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  if (argc < 3) {
    std::fprintf(stderr, "usage: extract_corpus OUT_DIR FILE.wast...\n");
    return 2;
  }
  fs::path out(argv[1]);
  std::error_code ec;
  fs::create_directories(out, ec);
  size_t binaries = 0, texts = 0, failed = 0;
  for (int i = 2; i < argc; ++i) {
    fs::path in(argv[i]);
    std::ifstream f(in, std::ios::binary);
    std::string src{std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
    Result<text::Script> script = text::parse_script(src);
    if (!script) {
      std::fprintf(stderr, "%s: %s\n", in.c_str(), script.error().message.c_str());
      ++failed;
      continue;
    }
    std::string stem = in.stem().string();
    size_t n = 0;
    for (const text::Command& c : script->commands) {
      if (!c.module) continue;
      const text::ScriptModule& m = *c.module;
      std::string base = (out / (stem + "." + std::to_string(n++))).string();
      if (m.form == text::ScriptModule::Form::Quote) {
        std::ofstream(base + ".wat", std::ios::binary) << m.quote;
        ++texts;
        continue;
      }
      std::vector<uint8_t> bytes = m.form == text::ScriptModule::Form::Binary ? m.bytes : encode(m.module);
      std::ofstream(base + ".wasm", std::ios::binary)
          .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
      ++binaries;
    }
  }
  std::printf("extracted %zu binary and %zu text modules (%zu scripts failed to parse)\n", binaries, texts, failed);
  return failed ? 1 : 0;
}
