// Fuzz target "wasi": the sandbox-escape oracle. Bytes -> a module whose
// export `run` calls WASI preview1 functions with hostile arguments ->
// run it in a fresh scratch preopen beside a canary tree it must not touch.
//
// Input: a sequence of calls; each is one byte choosing the function, then
// one byte per parameter choosing its value from a palette (pointers at and
// past the end of memory, lengths whose sum wraps 32 bits, iovec arrays that
// point into themselves or out of bounds, paths with "..", "/", NUL, long
// names and symlinks that point out, closed and never-opened fds, fds of the
// other preopen) or, for palette index 0xFF, four raw bytes.
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
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "harness.hpp"
#include "warden/binary.hpp"
#include "warden/host.hpp"
#include "warden/syntax.hpp"
#include "warden/wasi.hpp"

using namespace warden;
namespace fs = std::filesystem;

namespace {

using VT = ValType;

/// The functions the target calls: every preview1 function Warden defines,
/// in the engine's table order, with the engine's types (the ABI itself is
/// checked independently by tests/wasi_test.cpp). proc_exit has no result
/// and is called only near the end.
struct WasiFn {
  std::string name;
  FuncType type;
};
const std::vector<WasiFn>& functions() {
  static const std::vector<WasiFn> f = [] {
    std::vector<WasiFn> out;
    for (std::string_view n : wasi::function_names()) out.push_back({std::string(n), *wasi::type_of(n)});
    return out;
  }();
  return f;
}

// ---- guest memory layout (one page, may grow to two) ----
constexpr uint32_t kPaths = 0;      // the path strings, packed
constexpr uint32_t kIovecs = 2048;  // iovec arrays
constexpr uint32_t kBuffer = 4096;  // output buffers
constexpr uint32_t kMaxCalls = 64;
constexpr uint32_t kPage = 65536;

const std::vector<std::string>& paths() {
  static const std::vector<std::string> p = {
      "f",
      "d",
      "d/f",
      "new",
      "d/new",
      "../escape",
      "/etc/passwd",
      "a/../../x",
      "d/../f",
      "d/../../f",
      "link_out",
      "link_out/secret",
      "link_root/etc/passwd",
      "loop",
      "link_dir/f",
      "link_dir/../../canary/secret",
      std::string("f\0g", 3),
      ".",
      "..",
      "",
      std::string(300, 'a'),
      "d/",
      "//f",
      "link_out/../scratch/f",
  };
  return p;
}
uint32_t path_offset(size_t i) {
  uint32_t off = kPaths;
  for (size_t k = 0; k < i; ++k) off += static_cast<uint32_t>(paths()[k].size());
  return off;
}

/// The data segment: paths at kPaths, iovecs at kIovecs.
std::vector<uint8_t> arena() {
  std::vector<uint8_t> a(kBuffer, 0);
  size_t off = kPaths;
  for (const std::string& s : paths()) {
    std::copy(s.begin(), s.end(), a.begin() + static_cast<long>(off));
    off += s.size();
  }
  auto put32 = [&](uint32_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) a[at + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  // iovec arrays of 2 entries each: {buf, len} pairs.
  const uint32_t iov[][4] = {
      {kBuffer, 64, kBuffer + 64, 64},               // ordinary
      {kBuffer, 0xFFFFFFFFu, kBuffer, 0xFFFFFFFFu},  // lengths summing past 4 GiB
      {kIovecs, 16, kIovecs + 8, 16},                // pointing into themselves
      {kPage - 10, 100, kPage, 1},                   // across and past the end
      {0xFFFFFFF0u, 32, 0, 0},                       // wrapping pointer
      {kBuffer, 0, kBuffer, 0},                      // empty
  };
  for (size_t i = 0; i < std::size(iov); ++i)
    for (int k = 0; k < 4; ++k) put32(kIovecs + static_cast<uint32_t>(16 * i + 4 * k), iov[i][k]);
  return a;
}

/// Parameter values: index -> i32 (i64 parameters are zero-extended except
/// where noted). The path pairs are handled by path_pair below.
uint32_t palette(uint8_t b, std::span<const uint8_t>& in) {
  static const uint32_t v[] = {0,
                               1,
                               2,
                               3,
                               4,
                               5,
                               6,
                               8,
                               100,
                               kBuffer,
                               kIovecs,
                               kIovecs + 16,
                               kIovecs + 32,
                               kIovecs + 48,
                               kIovecs + 64,
                               kIovecs + 80,
                               kPage - 4,
                               kPage - 1,
                               kPage,
                               kPage + 4,
                               0x7FFFFFFFu,
                               0x80000000u,
                               0xFFFFFFFFu,
                               0xFFFFFFFCu,
                               2,
                               16,
                               64,
                               256,
                               4096,
                               kPage,
                               0x1FFFFFFFu,
                               9};
  if (b == 0xFF && in.size() >= 4) {
    uint32_t r = uint32_t{in[0]} | uint32_t{in[1]} << 8 | uint32_t{in[2]} << 16 | uint32_t{in[3]} << 24;
    in = in.subspan(4);
    return r;
  }
  return v[b % std::size(v)];
}

void push_i32(ast::Expr& e, uint32_t v) {
  ast::Instr in;
  in.op = Op::I32Const;
  in.lo = v;
  e.push_back(in);
}
void push_i64(ast::Expr& e, uint64_t v) {
  ast::Instr in;
  in.op = Op::I64Const;
  in.lo = v;
  e.push_back(in);
}
void push_op(ast::Expr& e, Op op, uint32_t a = 0, uint32_t b = 0) {
  ast::Instr in;
  in.op = op;
  in.a = a;
  in.b = b;
  e.push_back(in);
}

/// The module for `input`.
ast::Module build(std::span<const uint8_t> input) {
  ast::Module m;
  m.memories.push_back({{1, 2}});
  std::map<std::string, uint32_t> func_index;  // import name -> function index
  ast::Expr body;
  uint32_t calls = 0;
  while (!input.empty() && calls < kMaxCalls) {
    const WasiFn& f = functions()[input[0] % functions().size()];
    input = input.subspan(1);
    const std::string& name = f.name;
    if (name == "proc_exit" && calls + 1 < kMaxCalls && input.size() > 8) continue;  // only near the end
    auto [it, added] = func_index.try_emplace(name, static_cast<uint32_t>(m.imports.size()));
    if (added) {
      uint32_t ti = 0;
      while (ti < m.types.size() && !(m.types[ti] == f.type)) ++ti;
      if (ti == m.types.size()) m.types.push_back(f.type);
      ast::Import im;
      im.module = std::string(wasi::kModuleName);
      im.name = name;
      im.kind = ExternKind::Func;
      im.func_type = ti;
      m.imports.push_back(im);
    }
    for (size_t p = 0; p < f.type.params.size(); ++p) {
      uint8_t b = input.empty() ? 0 : input[0];
      if (!input.empty()) input = input.subspan(1);
      // A byte >= 0xC0 (except 0xFF) makes this and the next parameter a
      // path (ptr, len) when the next one is an i32 too.
      if (b >= 0xC0 && b != 0xFF && p + 1 < f.type.params.size() && f.type.params[p] == VT::I32 &&
          f.type.params[p + 1] == VT::I32) {
        size_t k = (b - 0xC0) % paths().size();
        push_i32(body, path_offset(k));
        push_i32(body, static_cast<uint32_t>(paths()[k].size()));
        ++p;
        continue;
      }
      uint32_t v = palette(b, input);
      if (f.type.params[p] == VT::I64) {
        // rights and offsets: sometimes all ones, sometimes negative.
        push_i64(body, b % 7 == 0 ? ~uint64_t{0} : b % 11 == 0 ? uint64_t{1} << 63 : v);
      } else {
        push_i32(body, v);
      }
    }
    // Oracle 1, in the guest: errno > 76 traps with `unreachable`.
    push_op(body, Op::Call, it->second);
    ++calls;
    if (f.type.results.empty()) continue;  // proc_exit returns nothing (and does not return)
    push_i32(body, 76);
    push_op(body, Op::I32GtU);
    ast::Instr if_;
    if_.op = Op::If;
    if_.lo = static_cast<uint64_t>(ast::kBlockEmpty);
    body.push_back(if_);
    push_op(body, Op::Unreachable);
    push_op(body, Op::End);
  }
  push_op(body, Op::End);

  const uint32_t nimports = static_cast<uint32_t>(m.imports.size());
  FuncType run_type{{}, {}};
  uint32_t rt = 0;
  while (rt < m.types.size() && !(m.types[rt] == run_type)) ++rt;
  if (rt == m.types.size()) m.types.push_back(run_type);
  ast::Function fn;
  fn.type = rt;
  fn.body = std::move(body);
  m.funcs.push_back(std::move(fn));
  m.exports.push_back({"run", ExternKind::Func, nimports, 0});
  m.exports.push_back({"memory", ExternKind::Memory, 0, 0});
  ast::DataSegment d;
  ast::Instr off;
  off.op = Op::I32Const;
  d.offset = {off, ast::Instr{}};
  d.offset.back().op = Op::End;
  d.bytes = arena();
  m.datas.push_back(std::move(d));
  return m;
}

// ---- the file-system fixture ----

/// A canonical description of a tree: every entry's relative path, type,
/// mode, and content or link target.
std::string snapshot(const fs::path& root) {
  std::ostringstream out;
  std::vector<fs::path> entries;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::none, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    entries.push_back(it->path());
  }
  std::sort(entries.begin(), entries.end());
  for (const fs::path& p : entries) {
    struct stat st {};
    if (lstat(p.c_str(), &st) != 0) continue;
    out << fs::relative(p, root).string() << " " << std::oct << (st.st_mode & 07777) << std::dec << " ";
    if (S_ISLNK(st.st_mode)) {
      out << "-> " << fs::read_symlink(p, ec).string();
    } else if (S_ISREG(st.st_mode)) {
      std::ifstream f(p, std::ios::binary);
      out << "file " << std::string(std::istreambuf_iterator<char>(f), {});
    } else if (S_ISDIR(st.st_mode)) {
      out << "dir";
    }
    out << "\n";
  }
  return out.str();
}

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

void write_file(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

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
    fs::create_directories(canary / "sub");
    write_file(canary / "secret", "canary secret\n");
    write_file(canary / "sub" / "deep", "deep canary\n");
    fs::permissions(canary / "secret", fs::perms::owner_read | fs::perms::owner_write);
    fs::create_directories(ro / "d");
    write_file(ro / "f", "read-only file\n");
    write_file(ro / "d" / "f", "read-only nested\n");
    fs::create_directory_symlink("../canary", ro / "link_out");
    canary_snapshot = snapshot(canary);
    ro_snapshot = snapshot(ro);
    devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  }
  ~Fixture() {
    std::error_code ec;
    fs::remove_all(work, ec);
    if (devnull >= 0) close(devnull);
  }

  /// A fresh scratch preopen: a file, a directory, and symlinks pointing
  /// out of it (to the canary and to /), into it, and at themselves.
  void reset_scratch() {
    std::error_code ec;
    fs::permissions(scratch, fs::perms::all, ec);  // a guest may have made it unreadable
    fs::remove_all(scratch, ec);
    fs::create_directories(scratch / "d");
    write_file(scratch / "f", "scratch file\n");
    write_file(scratch / "d" / "f", "nested\n");
    fs::create_directory_symlink("../canary", scratch / "link_out");
    fs::create_directory_symlink("/", scratch / "link_root");
    fs::create_symlink("loop", scratch / "loop");
    fs::create_directory_symlink("d", scratch / "link_dir");
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Fixture& fx = fixture();
  fx.reset_scratch();
  const size_t fds_before = open_fds();

  const ast::Module tree = build(std::span<const uint8_t>(data, size));
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
  if (std::string s = snapshot(fx.canary); s != fx.canary_snapshot)
    fuzz::fail("the canary changed:\n--- before\n" + fx.canary_snapshot + "--- after\n" + s);
  if (std::string s = snapshot(fx.ro); s != fx.ro_snapshot)
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
