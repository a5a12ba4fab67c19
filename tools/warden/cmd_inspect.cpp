// `warden inspect FILE.wasm [--json]`: what a module is made of and what it
// would need from its host: the review an operator does before granting
// anything to `warden run` (docs/policy.md, "Before granting").
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "cli.hpp"

#include "warden/binary.hpp"
#include "warden/host.hpp"
#include "warden/syntax.hpp"
#include "warden/wasi.hpp"

namespace warden::cli {
namespace {

using json = nlohmann::ordered_json;  // keys in the order written

struct InspectOptions {
  std::string file;
  bool json = false;
};

std::string func_type_text(const ast::Module& m, uint32_t type_index) {
  if (type_index >= m.types.size()) return "<bad type index " + std::to_string(type_index) + ">";
  const FuncType& t = m.types[type_index];
  auto list = [](const std::vector<ValType>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? " " : "") + std::string(to_string(v[i]));
    return s + "]";
  };
  return list(t.params) + " -> " + list(t.results);
}

std::string bounds_text(const ast::Bounds& b, const char* unit) {
  std::string s = "min " + std::to_string(b.min) + unit;
  s += b.max ? ", max " + std::to_string(*b.max) + unit : ", no max";
  return s;
}

std::string global_text(const ast::GlobalType& g) { return (g.mut ? "mut " : "") + std::string(to_string(g.type)); }

json bounds_json(const ast::Bounds& b) {
  json j;
  j["min"] = b.min;
  j["max"] = b.max ? json(*b.max) : json(nullptr);
  return j;
}

/// The spectest module `warden run` links (warden/spectest.hpp).
bool spectest_provides(const ast::Import& i) {
  static const std::set<std::string> funcs = {"print",     "print_i32",     "print_i64",    "print_f32",
                                              "print_f64", "print_i32_f32", "print_f64_f64"};
  static const std::set<std::string> globals = {"global_i32", "global_i64", "global_f32", "global_f64"};
  switch (i.kind) {
    case ExternKind::Func: return funcs.count(i.name) > 0;
    case ExternKind::Global: return globals.count(i.name) > 0;
    case ExternKind::Table: return i.name == "table";
    case ExternKind::Memory: return i.name == "memory";
  }
  return false;
}

/// What `warden run` makes of one import.
struct ImportVerdict {
  std::optional<Capability> needs;  ///< WASI functions Warden defines
  std::string provider;             ///< "wasi", "spectest" or "" (none)
  std::string note;                 ///< why it will not link, or ENOSYS
};

ImportVerdict verdict(const ast::Import& i) {
  ImportVerdict v;
  if (i.module == wasi::kModuleName) {
    v.needs = i.kind == ExternKind::Func ? wasi::capability_of(i.name) : std::nullopt;
    if (!v.needs) {
      v.note = "unknown: will not link";
    } else {
      v.provider = "wasi";
      if (!wasi::supported(i.name)) v.note = "links, but returns ENOSYS (not implemented)";
    }
  } else if (i.module == "spectest" && spectest_provides(i)) {
    v.provider = "spectest";
  } else {
    v.note = i.kind == ExternKind::Func ? "host function not provided by warden run: will not link"
                                        : "not provided by warden run: will not link";
  }
  return v;
}

/// Everything `warden run` needs granted for this module.
struct Requirements {
  std::map<Capability, std::vector<std::string>> caps;  ///< capability -> WASI functions
  std::vector<std::string> streams;                     ///< guessed from fd_read/fd_write
  std::vector<std::string> unlinkable;                  ///< "M.N: reason"
  std::string command;                                  ///< a `warden run` line
};

Requirements requirements(const ast::Module& m, const std::string& file) {
  Requirements r;
  bool reads = false, writes = false;
  for (const ast::Import& i : m.imports) {
    ImportVerdict v = verdict(i);
    if (v.provider.empty()) r.unlinkable.push_back(i.module + "." + i.name + ": " + v.note);
    if (v.needs) r.caps[*v.needs].push_back(i.name);
    if (v.provider == "wasi") {
      reads |= i.name == "fd_read" || i.name == "fd_pread";
      writes |= i.name == "fd_write" || i.name == "fd_pwrite";
    }
  }
  if (reads) r.streams.push_back("stdin");
  if (writes) {
    r.streams.push_back("stdout");
    r.streams.push_back("stderr");
  }
  std::vector<Capability> caps;
  for (const auto& [cap, names] : r.caps) caps.push_back(cap);
  const std::string flags = grant_flags(r.streams, caps);
  r.command = "warden run" + (flags.empty() ? "" : " " + flags) + " " + file;
  return r;
}

std::string cap_note(Capability c) {
  switch (c) {
    case Capability::None: return "fd_* reach only granted streams and opened files";
    case Capability::Args: return "arguments after -- grant it; --allow args alone gives argv = [FILE]";
    case Capability::Env: return "--env NAME=VALUE per variable; --allow env alone gives an empty environment";
    case Capability::Fs:
      return "--dir HOST[::GUEST] per directory (--dir-rw to write); --allow fs alone links with none";
    case Capability::Clock: return "--allow clock (virtual under --deterministic)";
    case Capability::Random: return "--allow random (seeded under --deterministic)";
    case Capability::Exit: return "--allow exit";
    default: return "";
  }
}

int inspect(const InspectOptions& o) {
  Limits limits;
  int exit_code = kExitOk;
  auto bytes = read_module(o.file, limits, exit_code);
  if (!bytes) return exit_code;
  auto decoded = decode(*bytes, limits);
  if (!decoded.ok()) return report_load_error(o.file, decoded.error());
  const ast::Module& m = decoded.value();
  auto loaded = Module::load(*bytes, limits);
  std::optional<Error> invalid;
  if (!loaded.ok()) invalid = loaded.error();

  // Index spaces: imports first (spec 2.5.1).
  std::vector<uint32_t> func_types;
  for (const ast::Import& i : m.imports) {
    if (i.kind == ExternKind::Func) func_types.push_back(i.func_type);
  }
  const size_t imported_funcs = func_types.size();
  for (const ast::Function& f : m.funcs) func_types.push_back(f.type);
  auto func_text = [&](uint32_t index) {
    return index < func_types.size() ? func_type_text(m, func_types[index]) : "<bad function index>";
  };
  std::map<std::pair<ExternKind, uint32_t>, std::string> export_names;
  for (const ast::Export& e : m.exports) export_names.emplace(std::pair{e.kind, e.index}, e.name);

  struct Entity {
    bool imported;
    std::string origin;  // "module.name" when imported
    json j;
    std::string text;
  };
  std::vector<Entity> memories, tables, globals;
  auto add = [](std::vector<Entity>& v, bool imported, std::string origin, json j, std::string text) {
    j["index"] = v.size();
    j["imported"] = imported;
    if (imported) j["import"] = origin;
    v.push_back({imported, std::move(origin), std::move(j), std::move(text)});
  };
  auto memory_json = [](const ast::MemoryType& t) {
    json j = bounds_json(t.limits);
    j["min_bytes"] = uint64_t{t.limits.min} * 65536;
    return j;
  };
  auto table_json = [](const ast::TableType& t) {
    json j = bounds_json(t.limits);
    j["elem"] = to_string(t.elem);
    return j;
  };
  auto global_json = [](const ast::GlobalType& g) { return json{{"type", to_string(g.type)}, {"mutable", g.mut}}; };
  for (const ast::Import& i : m.imports) {
    std::string origin = i.module + "." + i.name;
    if (i.kind == ExternKind::Memory)
      add(memories, true, origin, memory_json(i.memory), bounds_text(i.memory.limits, " pages"));
    if (i.kind == ExternKind::Table)
      add(tables, true, origin, table_json(i.table),
          std::string(to_string(i.table.elem)) + " " + bounds_text(i.table.limits, ""));
    if (i.kind == ExternKind::Global) add(globals, true, origin, global_json(i.global), global_text(i.global));
  }
  for (const ast::MemoryType& t : m.memories) add(memories, false, "", memory_json(t), bounds_text(t.limits, " pages"));
  for (const ast::TableType& t : m.tables)
    add(tables, false, "", table_json(t), std::string(to_string(t.elem)) + " " + bounds_text(t.limits, ""));
  for (const ast::Global& g : m.globals) add(globals, false, "", global_json(g.type), global_text(g.type));

  Requirements req = requirements(m, o.file);
  bool has_start = false, has_initialize = false;
  for (const ast::Export& e : m.exports) {
    has_start |= e.name == "_start" && e.kind == ExternKind::Func;
    has_initialize |= e.name == "_initialize" && e.kind == ExternKind::Func;
  }

  if (o.json) {
    json j;
    j["file"] = o.file;
    j["valid"] = !invalid;
    j["error"] = invalid ? json(std::string(to_string(invalid->kind)) + ": " + invalid->message) : json(nullptr);
    j["imports"] = json::array();
    for (const ast::Import& i : m.imports) {
      json x{{"module", i.module}, {"name", i.name}, {"kind", to_string(i.kind)}};
      switch (i.kind) {
        case ExternKind::Func: x["type"] = func_type_text(m, i.func_type); break;
        case ExternKind::Memory: x["type"] = memory_json(i.memory); break;
        case ExternKind::Table: x["type"] = table_json(i.table); break;
        case ExternKind::Global: x["type"] = global_json(i.global); break;
      }
      ImportVerdict v = verdict(i);
      x["needs"] = v.needs ? json(to_string(*v.needs)) : json(nullptr);
      x["provided_by"] = v.provider.empty() ? json(nullptr) : json(v.provider);
      if (!v.note.empty()) x["note"] = v.note;
      j["imports"].push_back(x);
    }
    j["exports"] = json::array();
    for (const ast::Export& e : m.exports) {
      json x{{"name", e.name}, {"kind", to_string(e.kind)}, {"index", e.index}};
      if (e.kind == ExternKind::Func) x["type"] = func_text(e.index);
      j["exports"].push_back(x);
    }
    j["functions"] = {{"imported", imported_funcs}, {"defined", m.funcs.size()}};
    for (auto [key, list] : {std::pair{"memories", &memories}, {"tables", &tables}, {"globals", &globals}}) {
      j[key] = json::array();
      for (const Entity& e : *list) j[key].push_back(e.j);
    }
    if (m.start) {
      json s{{"index", *m.start}, {"type", func_text(*m.start)}};
      auto name = export_names.find({ExternKind::Func, *m.start});
      if (name != export_names.end()) s["export"] = name->second;
      j["start"] = s;
    } else {
      j["start"] = nullptr;
    }
    j["custom_sections"] = json::array();
    for (const ast::CustomSection& c : m.customs) {
      j["custom_sections"].push_back({{"name", c.name}, {"bytes", c.bytes.size()}});
    }
    json r;
    r["wasi_command"] = has_start;
    r["wasi_reactor"] = has_initialize;
    r["capabilities"] = json::object();
    for (const auto& [cap, names] : req.caps) r["capabilities"][std::string(to_string(cap))] = names;
    r["streams"] = req.streams;
    r["unlinkable"] = req.unlinkable;
    r["run"] = req.unlinkable.empty() ? json(req.command) : json(nullptr);
    j["requires"] = r;
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("%s: %s; %zu imports, %zu functions (%zu imported), %zu exports\n", o.file.c_str(),
                invalid
                    ? ("not valid (" + std::string(to_string(invalid->kind)) + ": " + invalid->message + ")").c_str()
                    : "valid",
                m.imports.size(), func_types.size(), imported_funcs, m.exports.size());
    std::printf("imports:\n");
    if (m.imports.empty()) std::printf("  none\n");
    struct Row {
      std::string name, kind, type, what;
    };
    std::vector<Row> rows;
    size_t name_w = 0, type_w = 0;
    for (const ast::Import& i : m.imports) {
      Row row{i.module + "." + i.name, std::string(to_string(i.kind)), "", ""};
      switch (i.kind) {
        case ExternKind::Func: row.type = func_type_text(m, i.func_type); break;
        case ExternKind::Memory: row.type = bounds_text(i.memory.limits, " pages"); break;
        case ExternKind::Table:
          row.type = std::string(to_string(i.table.elem)) + " " + bounds_text(i.table.limits, "");
          break;
        case ExternKind::Global: row.type = global_text(i.global); break;
      }
      ImportVerdict v = verdict(i);
      row.what = v.needs ? "needs " + std::string(to_string(*v.needs)) : "";
      if (v.provider == "spectest") row.what = "spectest";
      if (!v.note.empty()) row.what += (row.what.empty() ? "" : "; ") + v.note;
      name_w = std::max(name_w, row.name.size());
      type_w = std::max(type_w, row.type.size());
      rows.push_back(std::move(row));
    }
    for (const Row& r : rows) {
      std::printf("  %-*s  %-6s  %-*s  %s\n", static_cast<int>(name_w), r.name.c_str(), r.kind.c_str(),
                  static_cast<int>(type_w), r.type.c_str(), r.what.c_str());
    }
    std::printf("exports:\n");
    if (m.exports.empty()) std::printf("  none\n");
    for (const ast::Export& e : m.exports) {
      std::string type = e.kind == ExternKind::Func ? func_text(e.index) : "";
      std::printf("  %-24s %-6s %-5u %s\n", e.name.c_str(), std::string(to_string(e.kind)).c_str(), e.index,
                  type.c_str());
    }
    for (auto [title, list] : {std::pair{"memories", &memories}, {"tables", &tables}, {"globals", &globals}}) {
      std::printf("%s:%s\n", title, list->empty() ? " none" : "");
      for (size_t k = 0; k < list->size(); ++k) {
        const Entity& e = (*list)[k];
        std::printf("  %-3zu %-32s %s\n", k, e.imported ? ("imported " + e.origin).c_str() : "defined", e.text.c_str());
      }
    }
    if (m.start) {
      auto name = export_names.find({ExternKind::Func, *m.start});
      std::printf("start: function %u%s\n", *m.start,
                  name != export_names.end() ? (" (export \"" + name->second + "\")").c_str() : "");
    } else {
      std::printf("start: none\n");
    }
    std::printf("custom sections:%s\n", m.customs.empty() ? " none" : "");
    for (const ast::CustomSection& c : m.customs) {
      std::printf("  %-24s %zu bytes\n", c.name.c_str(), c.bytes.size());
    }
    std::printf("requires (%s):\n", has_start        ? "a WASI command: warden run calls _start"
                                    : has_initialize ? "a WASI reactor: use --invoke"
                                                     : "no _start export");
    if (req.caps.empty() && req.unlinkable.empty()) std::printf("  nothing from the host\n");
    for (const auto& [cap, names] : req.caps) {
      std::string list;
      for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
      std::printf("  %-8s %s\n           (%s)\n", std::string(to_string(cap)).c_str(), list.c_str(),
                  cap_note(cap).c_str());
    }
    if (!req.streams.empty()) {
      std::string list;
      for (const std::string& s : req.streams) list += (list.empty() ? "" : ", ") + s;
      std::printf("  streams  %s (guessed from fd_read/fd_write; grant only what it should use)\n", list.c_str());
    }
    for (const std::string& u : req.unlinkable) std::printf("  cannot   %s\n", u.c_str());
    if (req.unlinkable.empty()) {
      std::printf("run with:\n  %s\n", req.command.c_str());
    } else {
      std::printf("warden run cannot link this module (see 'cannot' above)\n");
    }
  }
  return invalid ? kExitRejected : kExitOk;
}

void setup(CLI::App& sub, int& exit_code) {
  auto o = std::make_shared<InspectOptions>();
  sub.add_option("file", o->file, "the module (.wasm; a name ending in .wat is read as text)")->required();
  sub.add_flag("--json", o->json, "print a JSON document instead of text");
  sub.footer(
      "Lists imports (with the WASI capability each needs), exports, memories,\n"
      "tables, globals, the start function and custom sections, then what\n"
      "`warden run` must be granted and the flags that grant it.\n"
      "Exit status: 0 inspected a valid module; 1 malformed (nothing printed) or\n"
      "invalid (printed, marked not valid); 3 a load limit was hit; 64 usage\n"
      "error or unreadable file.");
  sub.callback([o, &exit_code] { exit_code = inspect(*o); });
}

const Registrar reg{{"inspect", "List a module's imports, exports and the grants it needs", setup}};

}  // namespace
}  // namespace warden::cli
