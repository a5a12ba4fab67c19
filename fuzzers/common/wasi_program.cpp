#include "wasi_program.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "warden/wasi.hpp"

namespace warden::fuzz {
namespace {

namespace fs = std::filesystem;
using VT = ValType;

/// Every preview1 function Warden defines, in the engine's table order,
/// with the engine's types (the ABI itself is checked independently by
/// tests/wasi_test.cpp).
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
constexpr uint32_t kBuffer = 4096;  // output buffers; the arena ends here
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
      "link_abs/secret",
      "link_abs",
  };
  return p;
}
uint32_t path_offset(size_t i) {
  uint32_t off = kPaths;
  for (size_t k = 0; k < i; ++k) off += static_cast<uint32_t>(paths()[k].size());
  return off;
}

/// The arena: paths at kPaths, iovecs at kIovecs, kBuffer bytes.
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

/// Parameter values: index -> i32. 0xFF takes four raw bytes instead.
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

ast::Instr instr(Op op, uint64_t lo = 0, uint32_t a = 0) {
  ast::Instr in;
  in.op = op;
  in.lo = lo;
  in.a = a;
  return in;
}

uint32_t type_index(ast::Module& m, const FuncType& t) {
  uint32_t i = 0;
  while (i < m.types.size() && !(m.types[i] == t)) ++i;
  if (i == m.types.size()) m.types.push_back(t);
  return i;
}

}  // namespace

std::vector<WasiCall> wasi_calls(std::span<const uint8_t> input) {
  std::vector<WasiCall> calls;
  while (!input.empty() && calls.size() < kWasiMaxCalls) {
    WasiCall c;
    c.fn = static_cast<uint32_t>(input[0] % functions().size());
    input = input.subspan(1);
    const WasiFn& f = functions()[c.fn];
    if (f.type.results.empty() && calls.size() + 1 < kWasiMaxCalls && input.size() > 8) continue;  // proc_exit
    for (size_t p = 0; p < f.type.params.size(); ++p) {
      uint8_t b = input.empty() ? 0 : input[0];
      if (!input.empty()) input = input.subspan(1);
      if (b >= 0xC0 && b != 0xFF && p + 1 < f.type.params.size() && f.type.params[p] == VT::I32 &&
          f.type.params[p + 1] == VT::I32) {
        size_t k = (b - 0xC0) % paths().size();
        c.path_args |= 1u << c.args.size();
        c.args.push_back(path_offset(k));
        c.args.push_back(paths()[k].size());
        ++p;
        continue;
      }
      uint32_t v = palette(b, input);
      // rights and offsets: sometimes all ones, sometimes negative.
      if (f.type.params[p] == VT::I64)
        c.args.push_back(b % 7 == 0 ? ~uint64_t{0} : b % 11 == 0 ? uint64_t{1} << 63 : v);
      else
        c.args.push_back(v);
    }
    calls.push_back(std::move(c));
  }
  return calls;
}

ast::Module wasi_module(std::span<const WasiCall> calls, WasiShape shape) {
  const bool record = shape == WasiShape::Record;
  ast::Module m;
  m.memories.push_back({{1, 2}});
  std::map<uint32_t, uint32_t> func_index;  // function -> import index
  for (const WasiCall& c : calls) {
    auto [it, added] = func_index.try_emplace(c.fn, static_cast<uint32_t>(m.imports.size()));
    if (!added) continue;
    ast::Import im;
    im.module = std::string(wasi::kModuleName);
    im.name = functions()[c.fn].name;
    im.kind = ExternKind::Func;
    im.func_type = type_index(m, functions()[c.fn].type);
    m.imports.push_back(im);
  }
  ast::Expr body;
  for (size_t i = 0; i < calls.size(); ++i) {
    const WasiCall& c = calls[i];
    const FuncType& t = functions()[c.fn].type;
    if (record) {  // restore the page: memory.init 0 (dest 0, src 0, n kBuffer), zeros after it
      body.push_back(instr(Op::I32Const, 0));
      body.push_back(instr(Op::I32Const, 0));
      body.push_back(instr(Op::I32Const, kBuffer));
      body.push_back(instr(Op::MemoryInit, 0, 0));
      body.push_back(instr(Op::I32Const, kBuffer));
      body.push_back(instr(Op::I32Const, 0));
      body.push_back(instr(Op::I32Const, kPage - kBuffer));
      body.push_back(instr(Op::MemoryFill, 0, 0));
    }
    for (size_t p = 0; p < t.params.size(); ++p) {
      uint64_t v = p < c.args.size() ? c.args[p] : 0;
      body.push_back(t.params[p] == VT::I64 ? instr(Op::I64Const, v) : instr(Op::I32Const, v & 0xFFFFFFFFu));
    }
    body.push_back(instr(Op::Call, 0, func_index.at(c.fn)));
    if (t.results.empty()) continue;  // proc_exit does not return
    if (record) {
      body.push_back(instr(Op::GlobalSet, 0, static_cast<uint32_t>(i)));
      continue;
    }
    // errno > 76 traps with `unreachable`.
    body.push_back(instr(Op::I32Const, 76));
    body.push_back(instr(Op::I32GtU));
    ast::Instr if_ = instr(Op::If, static_cast<uint64_t>(ast::kBlockEmpty));
    body.push_back(if_);
    body.push_back(instr(Op::Unreachable));
    body.push_back(instr(Op::End));
  }
  if (record) {  // done = 1: _start returned (rather than proc_exit)
    body.push_back(instr(Op::I32Const, 1));
    body.push_back(instr(Op::GlobalSet, 0, static_cast<uint32_t>(calls.size())));
  }
  body.push_back(instr(Op::End));

  const uint32_t nimports = static_cast<uint32_t>(m.imports.size());
  ast::Function fn;
  fn.type = type_index(m, FuncType{{}, {}});
  fn.body = std::move(body);
  m.funcs.push_back(std::move(fn));
  m.exports.push_back({record ? "_start" : "run", ExternKind::Func, nimports, 0});
  m.exports.push_back({"memory", ExternKind::Memory, 0, 0});
  ast::DataSegment d;
  d.bytes = arena();
  if (record) {
    d.mode = ast::SegmentMode::Passive;
    m.data_count = 1;
    for (size_t i = 0; i < calls.size(); ++i) {
      ast::Global g;
      g.type = {VT::I32, true};
      g.init = {instr(Op::I32Const, 0xFFFFFFFFu), instr(Op::End)};
      m.globals.push_back(std::move(g));
      m.exports.push_back({"errno" + std::to_string(i), ExternKind::Global, static_cast<uint32_t>(i), 0});
    }
    ast::Global done;
    done.type = {VT::I32, true};
    done.init = {instr(Op::I32Const, 0), instr(Op::End)};
    m.globals.push_back(std::move(done));
    m.exports.push_back({"done", ExternKind::Global, static_cast<uint32_t>(calls.size()), 0});
  } else {
    d.offset = {instr(Op::I32Const, 0), instr(Op::End)};
  }
  m.datas.push_back(std::move(d));
  return m;
}

std::vector<uint8_t> wasi_memory_image() {
  std::vector<uint8_t> m = arena();
  m.resize(kPage, 0);
  return m;
}

std::string wasi_call_name(const WasiCall& c) { return functions()[c.fn % functions().size()].name; }

std::string describe(const WasiCall& c) {
  const WasiFn& f = functions()[c.fn % functions().size()];
  std::string s = f.name + "(";
  for (size_t i = 0; i < c.args.size(); ++i) {
    if (i) s += ", ";
    bool shown = false;
    if ((c.path_args >> i & 1) && i + 1 < c.args.size()) {
      for (size_t k = 0; k < paths().size() && !shown; ++k) {
        if (c.args[i] != path_offset(k) || c.args[i + 1] != paths()[k].size()) continue;
        std::string q;
        for (char ch : paths()[k].substr(0, 40)) q += ch == '\0' ? std::string("\\0") : std::string(1, ch);
        s += "\"" + q + (paths()[k].size() > 40 ? "...\"" : "\"");
        ++i;
        shown = true;
      }
    }
    if (shown) continue;
    std::ostringstream o;
    if (c.args[i] > 0xFFFF) o << "0x" << std::hex;
    o << c.args[i];
    s += o.str();
  }
  return s + ")";
}

// ---- the tree ----

namespace {
void write_file(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }
}  // namespace

void reset_wasi_scratch(const std::string& root, bool link_to_root) {
  const fs::path scratch = fs::path(root) / "scratch";
  std::error_code ec;
  fs::permissions(scratch, fs::perms::all, ec);  // a guest may have made it unreadable
  fs::remove_all(scratch, ec);
  fs::create_directories(scratch / "d");
  write_file(scratch / "f", "scratch file\n");
  write_file(scratch / "d" / "f", "nested\n");
  fs::create_directory_symlink("../canary", scratch / "link_out");
  fs::create_directory_symlink(fs::absolute(fs::path(root) / "canary"), scratch / "link_abs");
  if (link_to_root) fs::create_directory_symlink("/", scratch / "link_root");
  fs::create_symlink("loop", scratch / "loop");
  fs::create_directory_symlink("d", scratch / "link_dir");
}

void make_wasi_tree(const std::string& root, bool link_to_root) {
  const fs::path r(root), canary = r / "canary", ro = r / "ro";
  fs::create_directories(canary / "sub");
  write_file(canary / "secret", "canary secret\n");
  write_file(canary / "sub" / "deep", "deep canary\n");
  fs::permissions(canary / "secret", fs::perms::owner_read | fs::perms::owner_write);
  fs::create_directories(ro / "d");
  write_file(ro / "f", "read-only file\n");
  write_file(ro / "d" / "f", "read-only nested\n");
  fs::create_directory_symlink("../canary", ro / "link_out");
  reset_wasi_scratch(root, link_to_root);
}

std::string tree_snapshot(const std::string& root, bool modes) {
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
    // The path below root, as text: fs::relative would follow symlinks.
    out << p.string().substr(std::min(p.string().size(), fs::path(root).string().size() + 1)) << " ";
    if (modes) out << std::oct << (st.st_mode & 07777) << std::dec << " ";
    if (S_ISLNK(st.st_mode)) {
      out << "-> " << fs::read_symlink(p, ec).string();
    } else if (S_ISREG(st.st_mode)) {
      // Its size, and its bytes up to 4 KiB: a guest may have written at
      // an offset near 2^63 (a sparse file too large to read).
      std::ifstream f(p, std::ios::binary);
      std::string head(static_cast<size_t>(std::min<off_t>(st.st_size, 4096)), '\0');
      f.read(head.data(), static_cast<std::streamsize>(head.size()));
      out << "file " << st.st_size << " " << head;
    } else if (S_ISDIR(st.st_mode)) {
      out << "dir";
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace warden::fuzz
