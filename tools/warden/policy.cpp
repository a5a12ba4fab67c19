// Policy files (TOML, read with toml++) and the command line's grant syntax
// (docs/policy.md). Every key is checked: a misspelt grant must fail loudly,
// not leave a door silently shut (or open).
#include "policy.hpp"

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#if WARDEN_HAVE_TOML
#include <toml++/toml.h>
#endif

namespace warden::cli {

bool Policy::allow(std::string_view name, std::string& error) {
  if (name == "stdin") {
    std_in = true;
  } else if (name == "stdout") {
    std_out = true;
  } else if (name == "stderr") {
    std_err = true;
  } else if (name == "stdio") {
    std_in = std_out = std_err = true;
  } else if (auto c = capability_named(name); c && *c != Capability::None) {
    caps.grant(*c);
  } else {
    error = "unknown capability '" + std::string(name) + "' (expected " + std::string(kAllowNames) + ")";
    return false;
  }
  return true;
}

void Policy::set_env(std::string name, std::string value) {
  for (auto& [n, v] : env) {
    if (n == name) {
      v = std::move(value);
      return;
    }
  }
  env.emplace_back(std::move(name), std::move(value));
}

Policy merge(Policy base, const Policy& over) {
  base.std_in |= over.std_in;
  base.std_out |= over.std_out;
  base.std_err |= over.std_err;
  for (size_t c = 0; c < static_cast<size_t>(Capability::Count_); ++c) {
    auto cap = static_cast<Capability>(c);
    if (over.caps.has(cap)) base.caps.grant(cap);
  }
  for (const auto& [n, v] : over.env) base.set_env(n, v);
  base.dirs.insert(base.dirs.end(), over.dirs.begin(), over.dirs.end());
  if (over.memory) base.memory = over.memory;
  if (over.fuel) base.fuel = over.fuel;
  if (over.timeout_ms) base.timeout_ms = over.timeout_ms;
  if (over.call_depth) base.call_depth = over.call_depth;
  if (over.open_files) base.open_files = over.open_files;
  if (over.deterministic) base.deterministic = over.deterministic;
  if (over.seed) base.seed = over.seed;
  base.signature_keys.insert(base.signature_keys.end(), over.signature_keys.begin(), over.signature_keys.end());
  return base;
}

std::optional<uint64_t> parse_size(std::string_view text) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  if (unit.starts_with(' ')) unit.remove_prefix(1);
  unsigned shift;
  if (unit.empty() || unit == "B") {
    shift = 0;
  } else if (unit == "KiB") {
    shift = 10;
  } else if (unit == "MiB") {
    shift = 20;
  } else if (unit == "GiB") {
    shift = 30;
  } else if (unit == "TiB") {
    shift = 40;
  } else {
    return std::nullopt;
  }
  if (shift && n > (std::numeric_limits<uint64_t>::max() >> shift)) return std::nullopt;
  return n << shift;
}

bool parse_dir(std::string_view spec, bool writable, DirGrant& out, std::string& error) {
  size_t sep = spec.find("::");
  std::string_view host = spec.substr(0, sep);
  std::string_view guest = sep == std::string_view::npos ? host : spec.substr(sep + 2);
  if (host.empty() || guest.empty()) {
    error = "bad directory '" + std::string(spec) + "' (expected HOST or HOST::GUEST)";
    return false;
  }
  out = DirGrant{std::string(host), std::string(guest), writable};
  return true;
}

bool parse_env(std::string_view spec, std::pair<std::string, std::string>& out, std::string& error) {
  size_t eq = spec.find('=');
  std::string name(spec.substr(0, eq));
  if (name.empty()) {
    error = "bad variable '" + std::string(spec) + "' (expected NAME=VALUE or NAME)";
    return false;
  }
  if (eq != std::string_view::npos) {
    out = {std::move(name), std::string(spec.substr(eq + 1))};
    return true;
  }
  const char* host = std::getenv(name.c_str());
  if (!host) {
    error = "--env " + name + ": the variable is not set here (give NAME=VALUE)";
    return false;
  }
  out = {std::move(name), host};
  return true;
}

#if WARDEN_HAVE_TOML
namespace {

/// Errors carry the file and the position of the node they are about.
class Reader {
 public:
  Reader(const std::string& path, std::string& error) : path_(path), error_(error) {}

  bool fail(const toml::source_region& where, const std::string& message) {
    if (where.begin.line) {
      error_ =
          path_ + ":" + std::to_string(where.begin.line) + ":" + std::to_string(where.begin.column) + ": " + message;
    } else {
      error_ = path_ + ": " + message;
    }
    return false;
  }

  /// Every key of `t` must be one of `known` (named "PREFIX.KEY" if not).
  bool only_keys(const toml::table& t, const std::string& prefix, std::initializer_list<std::string_view> known) {
    for (auto&& [key, node] : t) {
      bool ok = false;
      for (std::string_view k : known) ok |= key.str() == k;
      if (!ok) {
        std::string expected;
        for (std::string_view k : known) expected += (expected.empty() ? "" : ", ") + std::string(k);
        return fail(key.source(), "unknown key '" + prefix + std::string(key.str()) + "' (expected " + expected + ")");
      }
    }
    return true;
  }

  bool boolean(const toml::node& n, const std::string& name, bool& out) {
    if (!n.is_boolean()) return fail(n.source(), "'" + name + "' must be true or false");
    out = n.as_boolean()->get();
    return true;
  }

  bool string(const toml::node& n, const std::string& name, std::string& out) {
    if (!n.is_string()) return fail(n.source(), "'" + name + "' must be a string");
    out = n.as_string()->get();
    return true;
  }

  bool integer(const toml::node& n, const std::string& name, uint64_t min, uint64_t max, uint64_t& out) {
    if (!n.is_integer()) return fail(n.source(), "'" + name + "' must be an integer");
    int64_t v = n.as_integer()->get();
    if (v < 0 || static_cast<uint64_t>(v) < min || static_cast<uint64_t>(v) > max) {
      return fail(n.source(), "'" + name + "' must be from " + std::to_string(min) + " to " + std::to_string(max));
    }
    out = static_cast<uint64_t>(v);
    return true;
  }

  const std::string& path() const { return path_; }

 private:
  const std::string& path_;
  std::string& error_;
};

bool read_grants(Reader& r, const toml::table& t, Policy& p) {
  if (!r.only_keys(t, "grants.", {"allow", "args"})) return false;
  if (const toml::node* allow = t.get("allow")) {
    const toml::array* list = allow->as_array();
    if (!list) return r.fail(allow->source(), "'grants.allow' must be a list of capability names");
    for (const toml::node& item : *list) {
      std::string name, error;
      if (!r.string(item, "grants.allow", name)) return false;
      if (!p.allow(name, error)) return r.fail(item.source(), "grants.allow: " + error);
    }
  }
  if (const toml::node* args = t.get("args")) {
    bool on = false;
    if (!r.boolean(*args, "grants.args", on)) return false;
    if (on) p.caps.grant(Capability::Args);
  }
  return true;
}

bool read_env(Reader& r, const toml::table& t, Policy& p) {
  for (auto&& [key, node] : t) {
    std::string name(key.str()), value;
    if (name.empty() || name.find('=') != std::string::npos) {
      return r.fail(key.source(), "bad variable name '" + name + "' in [env]");
    }
    if (!r.string(node, "env." + name, value)) return false;
    p.set_env(name, value);
  }
  return true;
}

bool read_dirs(Reader& r, const toml::node& n, Policy& p) {
  const toml::array* list = n.as_array();
  if (!list) return r.fail(n.source(), "'dirs' must be an array of tables: [[dirs]]");
  std::filesystem::path base = std::filesystem::path(r.path()).parent_path();
  for (const toml::node& item : *list) {
    const toml::table* t = item.as_table();
    if (!t) return r.fail(item.source(), "'dirs' must be an array of tables: [[dirs]]");
    if (!r.only_keys(*t, "dirs.", {"host", "guest", "write"})) return false;
    DirGrant d;
    const toml::node* host = t->get("host");
    if (!host) return r.fail(item.source(), "[[dirs]] needs 'host'");
    if (!r.string(*host, "dirs.host", d.host)) return false;
    if (d.host.empty()) return r.fail(host->source(), "'dirs.host' is empty");
    d.guest = d.host;  // as --dir HOST: the guest sees the name given
    if (const toml::node* guest = t->get("guest")) {
      if (!r.string(*guest, "dirs.guest", d.guest)) return false;
      if (d.guest.empty()) return r.fail(guest->source(), "'dirs.guest' is empty");
    }
    if (const toml::node* write = t->get("write")) {
      if (!r.boolean(*write, "dirs.write", d.writable)) return false;
    }
    // Relative to the policy file, so a policy means the same from any
    // working directory.
    if (std::filesystem::path(d.host).is_relative() && !base.empty()) {
      d.host = (base / d.host).lexically_normal().string();
    }
    p.dirs.push_back(std::move(d));
  }
  return true;
}

bool read_limits(Reader& r, const toml::table& t, Policy& p) {
  if (!r.only_keys(t, "limits.", {"memory", "fuel", "timeout_ms", "call_depth", "open_files"})) {
    return false;
  }
  constexpr uint64_t kMax64 = std::numeric_limits<int64_t>::max();
  constexpr uint64_t kMax32 = std::numeric_limits<uint32_t>::max();
  uint64_t v = 0;
  if (const toml::node* n = t.get("memory")) {
    if (n->is_string()) {
      auto size = parse_size(n->as_string()->get());
      if (!size) {
        return r.fail(n->source(),
                      "'limits.memory' must be bytes or a size such as \"64MiB\" "
                      "(units B, KiB, MiB, GiB)");
      }
      p.memory = *size;
    } else {
      if (!r.integer(*n, "limits.memory", 0, kMax64, v)) return false;
      p.memory = v;
    }
  }
  if (const toml::node* n = t.get("fuel")) {
    if (!r.integer(*n, "limits.fuel", 0, kMax64, v)) return false;
    p.fuel = v;
  }
  if (const toml::node* n = t.get("timeout_ms")) {
    if (!r.integer(*n, "limits.timeout_ms", 0, kMax64, v)) return false;
    p.timeout_ms = v;
  }
  if (const toml::node* n = t.get("call_depth")) {
    if (!r.integer(*n, "limits.call_depth", 1, kMax32, v)) return false;
    p.call_depth = static_cast<uint32_t>(v);
  }
  if (const toml::node* n = t.get("open_files")) {
    if (!r.integer(*n, "limits.open_files", 1, kMax32, v)) return false;
    p.open_files = static_cast<uint32_t>(v);
  }
  return true;
}

bool read_determinism(Reader& r, const toml::table& t, Policy& p) {
  if (!r.only_keys(t, "determinism.", {"enabled", "seed"})) return false;
  if (const toml::node* n = t.get("enabled")) {
    bool on = false;
    if (!r.boolean(*n, "determinism.enabled", on)) return false;
    p.deterministic = on;
  }
  if (const toml::node* n = t.get("seed")) {
    uint64_t v = 0;
    if (!r.integer(*n, "determinism.seed", 0, std::numeric_limits<int64_t>::max(), v)) return false;
    p.seed = v;
  }
  return true;
}

bool read_trust(Reader& r, const toml::table& t, Policy& p) {
  if (!r.only_keys(t, "trust.", {"require_signature"})) return false;
  const toml::node* n = t.get("require_signature");
  if (!n) return true;
  const toml::array* list = n->as_array();
  if (!list) return r.fail(n->source(), "'trust.require_signature' must be an array of public key files");
  std::filesystem::path base = std::filesystem::path(r.path()).parent_path();
  for (const toml::node& item : *list) {
    std::string file;
    if (!r.string(item, "trust.require_signature", file)) return false;
    if (file.empty()) return r.fail(item.source(), "'trust.require_signature' names an empty file");
    if (std::filesystem::path(file).is_relative() && !base.empty()) file = (base / file).lexically_normal().string();
    p.signature_keys.push_back(file);
  }
  return true;
}

}  // namespace

bool load_policy(const std::string& path, Policy& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot read policy file";
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  toml::table root;
  try {
    root = toml::parse(text.str(), path);
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    error =
        path + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) + ": " + std::string(e.description());
    return false;
  }
  Reader r(path, error);
  if (!r.only_keys(root, "", {"grants", "env", "dirs", "limits", "determinism", "trust"})) return false;
  Policy p;
  auto table = [&](std::string_view key, auto read) {
    const toml::node* n = root.get(key);
    if (!n) return true;
    const toml::table* t = n->as_table();
    if (!t) return r.fail(n->source(), "'" + std::string(key) + "' must be a table: [" + std::string(key) + "]");
    return read(r, *t, p);
  };
  if (!table("grants", read_grants) || !table("env", read_env) || !table("limits", read_limits) ||
      !table("determinism", read_determinism) || !table("trust", read_trust)) {
    return false;
  }
  if (const toml::node* dirs = root.get("dirs"); dirs && !read_dirs(r, *dirs, p)) return false;
  out = std::move(p);
  return true;
}
#else
bool load_policy(const std::string& path, Policy&, std::string& error) {
  error = path + ": this warden was built without toml++ (libtomlplusplus-dev), so it cannot read policy files";
  return false;
}
#endif

}  // namespace warden::cli
