#include "inputs.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "engine.hpp"
#include "generator.hpp"
#include "mutate.hpp"
#include "process.hpp"
#include "warden/binary.hpp"
#include "warden/script.hpp"

namespace warden::diff {
namespace {

namespace fs = std::filesystem;

uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

struct Rng {
  uint64_t s;
  uint64_t next() { return splitmix(s); }
  uint32_t below(size_t n) { return n <= 1 ? 0 : static_cast<uint32_t>(next() % n); }
};

}  // namespace

uint64_t mix_seed(uint64_t seed, uint64_t stream, uint64_t index) {
  uint64_t s = seed ^ (stream * 0xD1B54A32D192ED03ull);
  splitmix(s);
  s ^= index * 0x9E3779B97F4A7C15ull;
  return splitmix(s);
}

std::vector<uint8_t> seed_bytes(uint64_t seed, size_t n) {
  std::vector<uint8_t> out(n);
  uint64_t s = seed;
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = splitmix(s);
    for (size_t k = 0; k < 8 && i + k < n; ++k) out[i + k] = static_cast<uint8_t>(v >> (8 * k));
  }
  return out;
}

ast::Module own_module(uint64_t seed) {
  Rng r{seed};
  std::vector<uint8_t> bytes = seed_bytes(r.next(), 512 + r.below(6 * 1024));
  size_t used = 0;
  gen::GenConfig cfg = gen::config_from_bytes(bytes, &used);
  return gen::generate_ast(std::span<const uint8_t>(bytes).subspan(used), cfg);
}

std::vector<std::string> ttf_features() {
  std::vector<std::string> f;
  for (const std::string& x : kBinaryenFeatures)
    if (x != "--enable-reference-types") f.push_back(x);
  return f;
}

bool ttf_module(const std::string& tool_dir, const std::string& work_dir, uint64_t seed, std::vector<uint8_t>& out,
                std::string& error, ToolServer* server) {
  Rng r{seed};
  fs::path dir = fs::path(work_dir) / "ttf";
  std::error_code ec;
  fs::create_directories(dir, ec);
  fs::path in = dir / "seed.bin", wasm = dir / "out.wasm";
  std::vector<uint8_t> bytes = seed_bytes(r.next(), 256 + r.below(4096));
  std::ofstream(in, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  std::vector<std::string> args = ttf_features();
  args.insert(args.end(), {"-ttf", in.string(), "-o", wasm.string()});
  fs::remove(wasm, ec);
  std::vector<std::string> argv{(fs::path(tool_dir) / "wasm-opt").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult p = server ? server->run(args, 20000, 4ull << 30) : run_process(argv, "", 20000, 4ull << 30);
  if (!p.started || p.exit_code != 0) {
    error = "wasm-opt -ttf failed: " + p.err.substr(0, 200);
    return false;
  }
  std::ifstream f(wasm, std::ios::binary);
  out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return !out.empty() || (error = "wasm-opt -ttf wrote nothing", false);
}

std::vector<std::vector<uint8_t>> testsuite_modules(const std::string& dir) {
  std::vector<std::vector<uint8_t>> out;
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".wast") files.push_back(e.path());
  std::sort(files.begin(), files.end());  // directory order is not reproducible
  for (const fs::path& p : files) {
    std::ifstream f(p, std::ios::binary);
    std::string src{std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
    Result<text::Script> s = text::parse_script(src);
    if (!s) continue;
    for (const text::Command& c : s->commands) {
      if (!c.module) continue;
      if (c.module->form == text::ScriptModule::Form::Binary)
        out.push_back(c.module->bytes);
      else if (c.module->form == text::ScriptModule::Form::Text)
        out.push_back(encode(c.module->module));
    }
  }
  return out;
}

std::vector<uint8_t> mutate(std::span<const uint8_t> in, uint64_t seed) {
  Rng r{seed};
  std::vector<uint8_t> b(in.begin(), in.end());
  uint32_t rounds = 1 + r.below(3);
  for (uint32_t k = 0; k < rounds; ++k) {
    if (r.below(2) == 0) {
      std::vector<uint8_t> m = fuzz::mutate_module(b, static_cast<uint32_t>(r.next()));
      if (!m.empty()) {
        b = std::move(m);
        continue;
      }
    }
    if (b.empty()) b.push_back(0);
    // Mostly past the 8-byte header: a broken header is one finding, once.
    size_t lo = b.size() > 8 && r.below(16) ? 8 : 0;
    auto pos = [&] { return lo + r.below(b.size() - lo); };
    static const uint8_t interesting[] = {0x00, 0x01, 0x40, 0x41, 0x60, 0x6F, 0x70, 0x7B, 0x7C,
                                          0x7D, 0x7E, 0x7F, 0x80, 0xFF, 0x0B, 0xFC, 0xFD};
    switch (r.below(7)) {
      case 0: b[pos()] ^= static_cast<uint8_t>(1u << r.below(8)); break;
      case 1: b[pos()] = interesting[r.below(std::size(interesting))]; break;
      case 2: b.insert(b.begin() + static_cast<std::ptrdiff_t>(pos()), static_cast<uint8_t>(r.next())); break;
      case 3: {
        size_t p = pos(), n = std::min<size_t>(1 + r.below(8), b.size() - p);
        b.erase(b.begin() + static_cast<std::ptrdiff_t>(p), b.begin() + static_cast<std::ptrdiff_t>(p + n));
        break;
      }
      case 4: {
        size_t p = pos(), n = std::min<size_t>(1 + r.below(16), b.size() - p);
        std::vector<uint8_t> chunk(b.begin() + static_cast<std::ptrdiff_t>(p),
                                   b.begin() + static_cast<std::ptrdiff_t>(p + n));
        b.insert(b.begin() + static_cast<std::ptrdiff_t>(pos()), chunk.begin(), chunk.end());
        break;
      }
      case 5: b.resize(pos()); break;
      default: {  // a LEB128 grown by a redundant continuation byte
        size_t p = pos();
        b[p] |= 0x80;
        b.insert(b.begin() + static_cast<std::ptrdiff_t>(p + 1), 0x00);
        break;
      }
    }
  }
  return b;
}

}  // namespace warden::diff
