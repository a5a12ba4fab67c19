#include "cpus.hpp"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <thread>

namespace warden::cli {

namespace {

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::optional<int64_t> integer(std::string_view s) {
  s = trim(s);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<unsigned> cpus_of(int64_t quota, int64_t period) {
  if (quota <= 0 || period <= 0) return std::nullopt;
  const int64_t cpus = quota / period + (quota % period != 0);  // a CPU and a half keeps two threads busy
  return static_cast<unsigned>(std::min<int64_t>(cpus, 1 << 16));
}

std::optional<std::string> first_line(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  return line;
}

std::optional<unsigned> tighter(std::optional<unsigned> a, std::optional<unsigned> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

// The limit read by `limit_in` from the cgroup directory of `path` below
// `base`, and from each of its ancestors up to `base`: a child cannot use
// more than its parents allow.
template <typename Read>
std::optional<unsigned> walk_up(const std::filesystem::path& base, std::string_view path, Read limit_in) {
  const std::filesystem::path rel = std::filesystem::path(std::string(trim(path))).relative_path().lexically_normal();
  if (!rel.empty() && *rel.begin() == "..") return std::nullopt;
  std::optional<unsigned> best;
  for (std::filesystem::path dir = rel;; dir = dir.parent_path()) {
    best = tighter(best, limit_in(base / dir));
    if (dir.empty() || dir == dir.parent_path()) break;
  }
  return best;
}

}  // namespace

std::optional<unsigned> cpus_of_cpu_max(std::string_view cpu_max) {
  cpu_max = trim(cpu_max);
  const size_t space = cpu_max.find(' ');
  const std::string_view quota = cpu_max.substr(0, space);
  if (quota == "max") return std::nullopt;
  const std::optional<int64_t> q = integer(quota);
  const std::optional<int64_t> p = space == std::string_view::npos ? 100000 : integer(cpu_max.substr(space + 1));
  if (!q || !p) return std::nullopt;
  return cpus_of(*q, *p);
}

std::optional<unsigned> cpus_of_cfs(std::string_view quota_us, std::string_view period_us) {
  const std::optional<int64_t> q = integer(quota_us), p = integer(period_us);
  if (!q || !p) return std::nullopt;
  return cpus_of(*q, *p);
}

std::optional<unsigned> cgroup_cpu_limit(std::string_view proc_self_cgroup, const std::filesystem::path& root) {
  std::optional<unsigned> best;
  while (!proc_self_cgroup.empty()) {
    const size_t eol = proc_self_cgroup.find('\n');
    const std::string_view line = proc_self_cgroup.substr(0, eol);
    proc_self_cgroup.remove_prefix(eol == std::string_view::npos ? proc_self_cgroup.size() : eol + 1);
    // "ID:CONTROLLERS:PATH"; the path may itself hold colons.
    const size_t a = line.find(':'), b = a == std::string_view::npos ? a : line.find(':', a + 1);
    if (b == std::string_view::npos) continue;
    const std::string_view id = line.substr(0, a), controllers = line.substr(a + 1, b - a - 1),
                           path = line.substr(b + 1);
    if (id == "0" && controllers.empty()) {  // cgroup v2, the unified hierarchy
      best = tighter(best, walk_up(root, path, [](const std::filesystem::path& dir) {
                       const std::optional<std::string> max = first_line(dir / "cpu.max");
                       return max ? cpus_of_cpu_max(*max) : std::nullopt;
                     }));
      continue;
    }
    bool cpu = false;  // cgroup v1: the hierarchy that has the "cpu" controller
    for (std::string_view rest = controllers; !cpu && !rest.empty();) {
      const size_t comma = rest.find(',');
      cpu = rest.substr(0, comma) == "cpu";
      rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
    }
    if (!cpu) continue;
    best = tighter(best, walk_up(root / std::string(controllers), path, [](const std::filesystem::path& dir) {
                     const std::optional<std::string> q = first_line(dir / "cpu.cfs_quota_us"),
                                                      p = first_line(dir / "cpu.cfs_period_us");
                     return q && p ? cpus_of_cfs(*q, *p) : std::nullopt;
                   }));
  }
  return best;
}

unsigned usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  const unsigned mask = sched_getaffinity(0, sizeof set, &set) == 0 ? static_cast<unsigned>(CPU_COUNT(&set))
                                                                    : std::thread::hardware_concurrency();
  std::ifstream in("/proc/self/cgroup");
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const std::optional<unsigned> limit = cgroup_cpu_limit(text, "/sys/fs/cgroup");
  return std::max(1u, limit ? std::min(mask, *limit) : mask);
}

}  // namespace warden::cli
