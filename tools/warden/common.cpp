// Helpers shared by the subcommands: file reading and error reporting.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "cli.hpp"
#include "cpus.hpp"
#include "warden/signature.hpp"
#include "warden/text.hpp"

namespace warden::cli {

bool read_file(const std::string& path, uint64_t max_bytes, std::vector<uint8_t>& out, bool* exhausted) {
  if (exhausted) *exhausted = false;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    std::fprintf(stderr, "%s: cannot read: %s\n", path.c_str(), std::strerror(errno));
    return false;
  }
  out.clear();
  // Read in chunks rather than trusting the file's claimed size, so a pipe or
  // a growing file cannot make us allocate more than we actually receive.
  // A regular file's size, within the limit, is only a hint of the
  // capacity to reserve: growing a 10 MB module's vector by doubling took
  // 0.1 s (the copies and the fresh pages of every step).
  struct stat st {};
  if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
    out.reserve(static_cast<size_t>(std::min<uint64_t>(static_cast<uint64_t>(st.st_size), max_bytes)));
  uint8_t chunk[1 << 16];
  for (;;) {
    size_t n = std::fread(chunk, 1, sizeof chunk, f);
    if (n > 0) {
      if (out.size() + n > max_bytes) {
        std::fclose(f);
        // The decoder's wording for the same limit (Limits::max_module_bytes).
        std::fprintf(stderr, "%s: exhausted: module too large\n", path.c_str());
        if (exhausted) *exhausted = true;
        return false;
      }
      out.insert(out.end(), chunk, chunk + n);
    }
    if (n < sizeof chunk) break;
  }
  bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) {
    std::fprintf(stderr, "%s: cannot read: I/O error\n", path.c_str());
    return false;
  }
  return true;
}

bool check_signature(const std::string& file, std::span<const uint8_t> bytes, const std::vector<std::string>& key_files,
                     const std::string& detached_file, int& exit_code, size_t* signer, std::string* refusal) {
  std::vector<sig::PublicKey> keys;
  for (const std::string& k : key_files) {
    std::vector<uint8_t> raw;
    std::string error;
    if (!read_file(k, 4096, raw, nullptr)) return exit_code = kExitUsage, false;
    std::optional<sig::PublicKey> key = sig::parse_public_key(raw, error);
    if (!key) {
      std::fprintf(stderr, "%s: %s\n", k.c_str(), error.c_str());
      return exit_code = kExitUsage, false;
    }
    keys.push_back(*key);
  }
  std::vector<uint8_t> detached;
  if (!detached_file.empty() && !read_file(detached_file, 1u << 20, detached, nullptr))
    return exit_code = kExitUsage, false;
  sig::Verification v = sig::verify(
      bytes, keys, detached_file.empty() ? std::nullopt : std::optional<std::span<const uint8_t>>(detached));
  if (!v.ok) {
    std::fprintf(stderr, "%s: signature refused: %s\n", file.c_str(), v.error.c_str());
    if (refusal) *refusal = v.error;
    return exit_code = kExitUnsigned, false;
  }
  if (signer) *signer = v.key;
  return true;
}

uint32_t load_threads(size_t module_bytes, uint32_t flag) {
  if (flag != 0) return flag;
  if (module_bytes < (size_t{1} << 20)) return 1;
  // The CPUs this process may keep busy (taskset, cpusets, a container's
  // CPU quota), not all the machine's: threads beyond them only take turns.
  return std::min(usable_cpus(), 8u);
}

void add_load_threads_option(CLI::App& sub, uint32_t& flag) {
  sub.add_option("--load-threads", flag,
                 "validate and compile function bodies on N threads (1.." + std::to_string(Limits::kMaxLoadThreads) +
                     "; default: the CPUs this process may use (affinity mask and cgroup CPU quota), at most 8, for a "
                     "module of 1 MiB or more, else 1); "
                     "the outcome is the same for any N")
      ->check(CLI::Range(uint32_t{1}, Limits::kMaxLoadThreads));
}

std::optional<std::vector<uint8_t>> read_module(const std::string& path, const Limits& limits, int& exit_code) {
  std::vector<uint8_t> bytes;
  bool exhausted = false;
  if (!read_file(path, limits.max_module_bytes, bytes, &exhausted)) {
    exit_code = exhausted ? kExitExhausted : kExitUsage;
    return std::nullopt;
  }
  if (!path.ends_with(".wat")) return bytes;
  auto encoded = wat_to_wasm(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  if (!encoded.ok()) {
    // Text errors carry (line << 32) | column in the offset.
    const Error& e = encoded.error();
    std::fprintf(stderr, "%s:%u:%u: %s: %s\n", path.c_str(), static_cast<unsigned>(e.offset >> 32),
                 static_cast<unsigned>(e.offset & 0xFFFFFFFFu), std::string(to_string(e.kind)).c_str(),
                 e.message.c_str());
    exit_code = e.kind == ErrorKind::Exhaustion ? kExitExhausted : kExitRejected;
    return std::nullopt;
  }
  return std::move(encoded.value());
}

static int exit_code_for(ErrorKind k) {
  switch (k) {
    case ErrorKind::Malformed:
    case ErrorKind::Invalid:
    case ErrorKind::Unlinkable: return kExitRejected;
    case ErrorKind::Uninstantiable:
    case ErrorKind::Trap: return kExitTrap;
    case ErrorKind::Exhaustion: return kExitExhausted;
  }
  return kExitRejected;
}

int report_load_error(const std::string& file, const Error& e) {
  std::string kind{to_string(e.kind)};
  if (e.offset != kNoOffset) {
    std::fprintf(stderr, "%s:0x%llx: %s: %s\n", file.c_str(), static_cast<unsigned long long>(e.offset), kind.c_str(),
                 e.message.c_str());
  } else {
    std::fprintf(stderr, "%s: %s: %s\n", file.c_str(), kind.c_str(), e.message.c_str());
  }
  return exit_code_for(e.kind);
}

int report_run_error(const Error& e) {
  if (e.kind == ErrorKind::Uninstantiable) {
    // A trap in a segment initialiser or the start function: the message is
    // the trap's (docs/design.md, "Errors").
    std::fprintf(stderr, "trap: %s (during instantiation)\n", e.message.c_str());
  } else {
    std::string kind{to_string(e.kind)};
    std::fprintf(stderr, "%s: %s\n", kind.c_str(), e.message.c_str());
  }
  return exit_code_for(e.kind);
}

std::string grant_flags(std::span<const std::string> streams, std::span<const Capability> caps) {
  std::string allow, dir;
  auto add = [&allow](std::string_view what) { allow += (allow.empty() ? "" : ",") + std::string(what); };
  for (const std::string& s : streams) add(s);
  for (Capability c : caps) {
    if (c == Capability::None) continue;
    if (c == Capability::Fs)
      dir = "--dir HOST[::GUEST]";
    else
      add(to_string(c));
  }
  if (allow.empty()) return dir;
  return "--allow " + allow + (dir.empty() ? "" : " " + dir);
}

double parse_duration(const std::string& s) {
  if (s.empty()) return -1;
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(s, &used);
  } catch (...) {
    return -1;
  }
  std::string unit = s.substr(used);
  if (unit.empty() || unit == "s") return v;
  if (unit == "m") return v * 60;
  if (unit == "h") return v * 3600;
  return -1;
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace warden::cli
