// Fuzz target "wasi": the sandbox-escape oracle. Bytes -> a module whose
// export `run` calls WASI preview1 functions with hostile arguments ->
// run it in a fresh scratch preopen beside a canary tree it must not touch.
//
// The program comes from common/wasi_program.hpp (wasi_calls, in the Check
// shape): hostile pointers, lengths, iovecs, paths and fds from a palette.
//
// Oracles:
//  1. every call returns a preview1 errno (0..76: the guest checks each and
//     traps otherwise), or the run ends by proc_exit or fuel; no other
//     trap, no crash, no sanitizer report;
//  2. the canary tree beside the preopens (names, types, modes, contents,
//     link targets) is byte-identical afterwards, and so is the read-only
//     preopen;
//  3. nothing is created in the work directory outside the scratch preopen;
//  4. every host descriptor the context opened is closed when it is gone.
// Host writes outside guest memory would land in the PROT_NONE tail of the
// memory's reservation or in host data, and fault or trip ASan: oracle 1.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "harness.hpp"
#include "warden/binary.hpp"
#include "warden/host.hpp"
#include "warden/syntax.hpp"
#include "warden/wasi.hpp"
#include "wasi_program.hpp"

using namespace warden;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> n;
  for (const auto& e : fs::directory_iterator(dir)) n.push_back(e.path().filename().string());
  std::sort(n.begin(), n.end());
  return n;
}

size_t open_fds() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

struct Fixture {
  fs::path work, canary, scratch, ro;
  std::string canary_snapshot, ro_snapshot;
  int devnull = -1;

  Fixture() {
    char tmpl[] = "/tmp/warden-fuzz-wasi-XXXXXX";
    const char* w = mkdtemp(tmpl);
    if (!w) fuzz::fail("mkdtemp failed");
    work = w;
    canary = work / "canary";
    scratch = work / "scratch";
    ro = work / "ro";
    fuzz::make_wasi_tree(work, true);
    canary_snapshot = fuzz::tree_snapshot(canary);
    ro_snapshot = fuzz::tree_snapshot(ro);
    devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  }
  ~Fixture() {
    std::error_code ec;
    fs::remove_all(work, ec);
    if (devnull >= 0) close(devnull);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Fixture& fx = fixture();
  fuzz::reset_wasi_scratch(fx.work, true);
  const size_t fds_before = open_fds();

  const ast::Module tree =
      fuzz::wasi_module(fuzz::wasi_calls(std::span<const uint8_t>(data, size)), fuzz::WasiShape::Check);
  Result<std::shared_ptr<const Module>> m = Module::load(encode(tree));
  if (!m) fuzz::fail("generated module does not load: " + fuzz::describe(m.error()));

  {
    wasi::Config cfg;
    cfg.args = {"fuzz", "--flag", std::string(100, 'x')};
    cfg.env = {{"HOME", "/sandbox"}, {"EMPTY", ""}};
    cfg.dirs = {{fx.scratch.string(), "/sandbox", true}, {fx.ro.string(), "/ro", false}};
    cfg.stdin_granted = cfg.stdout_granted = cfg.stderr_granted = true;
    cfg.stdin_fd = cfg.stdout_fd = cfg.stderr_fd = fx.devnull;
    cfg.grants = Grants::all();
    cfg.deterministic = true;
    cfg.seed = 1;
    cfg.max_open_files = 12;
    cfg.max_io_bytes = 1 << 20;
    Result<std::unique_ptr<wasi::Context>> ctx = wasi::Context::create(cfg);
    if (!ctx) fuzz::fail("wasi context: " + fuzz::describe(ctx.error()));
    Limits limits;
    limits.fuel = 100'000;
    Store store(limits);
    Linker linker;
    (*ctx)->link(store, linker);
    Result<std::vector<Extern>> imports = linker.resolve(**m);
    if (!imports) fuzz::fail("wasi imports do not link: " + fuzz::describe(imports.error()));
    Result<Instance*> inst = store.instantiate(*m, *imports);
    if (!inst) fuzz::fail("instantiate: " + fuzz::describe(inst.error()));
    Result<std::vector<Value>> r = store.invoke((*inst)->find_export("run")->func, {});
    // Oracle 1: only proc_exit or fuel may end the run early ("unreachable"
    // is a call that returned no preview1 errno).
    if (!r && !wasi::is_exit(r.error()) &&
        !(r.error().kind == ErrorKind::Exhaustion && r.error().message == "fuel exhausted"))
      fuzz::fail("run ended with " + fuzz::describe(r.error()));
  }

  // Oracles 2-4, with the context and its descriptors gone.
  if (std::string s = fuzz::tree_snapshot(fx.canary); s != fx.canary_snapshot)
    fuzz::fail("the canary changed:\n--- before\n" + fx.canary_snapshot + "--- after\n" + s);
  if (std::string s = fuzz::tree_snapshot(fx.ro); s != fx.ro_snapshot)
    fuzz::fail("the read-only preopen changed:\n--- before\n" + fx.ro_snapshot + "--- after\n" + s);
  const std::vector<std::string> want = {"canary", "ro", "scratch"};
  if (names_in(fx.work) != want) {
    std::string got;
    for (const std::string& n : names_in(fx.work)) got += " " + n;
    fuzz::fail("something was created beside the preopens:" + got);
  }
  if (size_t n = open_fds(); n != fds_before)
    fuzz::fail("descriptors leaked: " + std::to_string(fds_before) + " before, " + std::to_string(n) + " after");
  return 0;
}
