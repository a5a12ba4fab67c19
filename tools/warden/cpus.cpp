// The CPUs this process can keep busy (cpus.hpp): the affinity mask, and
// the cgroup bandwidth limits read where /proc/self/mountinfo says the
// hierarchies are, for the process's group and each ancestor.
#include "cpus.hpp"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

namespace warden::cli {

namespace fs = std::filesystem;

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

std::optional<std::string> first_line(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  return line;
}

std::string slurp(const char* file) {
  std::ifstream in(file);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Splits `text` at `sep`, calling f on each piece, empty ones included.
template <typename F>
void split(std::string_view text, char sep, F f) {
  for (;;) {
    const size_t at = text.find(sep);
    f(text.substr(0, at));
    if (at == std::string_view::npos) return;
    text.remove_prefix(at + 1);
  }
}

bool has_item(std::string_view list, std::string_view item) {
  bool found = false;
  split(list, ',', [&](std::string_view s) { found = found || s == item; });
  return found;
}

// mountinfo writes a space, tab, newline or backslash in a path as \ooo.
std::string unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto octal = [&](size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '7'; };
    if (s[i] == '\\' && octal(i + 1) && octal(i + 2) && octal(i + 3) && s[i + 1] <= '3') {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

struct Mount {
  std::string root, point;  // what part of the hierarchy is mounted where
};

// The first mount of the cgroup v2 hierarchy (v2) or of the v1 one that
// has the "cpu" controller.
std::optional<Mount> find_mount(std::string_view mountinfo, bool v2) {
  std::optional<Mount> found;
  split(mountinfo, '\n', [&](std::string_view line) {
    if (found) return;
    // ID PARENT MAJ:MIN ROOT MOUNT-POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER-OPTIONS
    std::vector<std::string_view> f;
    split(line, ' ', [&](std::string_view s) { f.push_back(s); });
    const auto dash = std::find(f.begin(), f.end(), std::string_view("-"));
    if (f.size() < 6 || dash == f.end() || f.end() - dash < 4) return;
    const std::string_view type = dash[1], super = dash[3];
    if (v2 ? type == "cgroup2" : type == "cgroup" && has_item(super, "cpu"))
      found = Mount{unescape(f[3]), unescape(f[4])};
  });
  return found;
}

// The limit read by `limit_in` from `dir` and each of its ancestors up to
// `mount`.
template <typename Read>
std::optional<unsigned> walk_up(const CgroupDir& d, Read limit_in) {
  std::optional<unsigned> best;
  for (fs::path dir = d.dir;; dir = dir.parent_path()) {
    const std::optional<unsigned> here = limit_in(dir);
    if (here && (!best || *here < *best)) best = here;
    if (dir == d.mount || dir == dir.parent_path()) break;
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

namespace {

std::optional<unsigned> v2_limit(const fs::path& dir) {
  const std::optional<std::string> max = first_line(dir / "cpu.max");
  return max ? cpus_of_cpu_max(*max) : std::nullopt;
}

std::optional<unsigned> v1_limit(const fs::path& dir) {
  const std::optional<std::string> q = first_line(dir / "cpu.cfs_quota_us"), p = first_line(dir / "cpu.cfs_period_us");
  return q && p ? cpus_of_cfs(*q, *p) : std::nullopt;
}

}  // namespace

std::vector<CgroupDir> cpu_cgroup_dirs(std::string_view proc_self_cgroup, std::string_view mountinfo,
                                       const fs::path& prefix) {
  std::vector<CgroupDir> out;
  split(proc_self_cgroup, '\n', [&](std::string_view line) {
    // "ID:CONTROLLERS:PATH"; the path may itself hold colons.
    const size_t a = line.find(':'), b = a == std::string_view::npos ? a : line.find(':', a + 1);
    if (b == std::string_view::npos) return;
    const std::string_view id = line.substr(0, a), controllers = line.substr(a + 1, b - a - 1);
    const std::string_view path = line.substr(b + 1);
    const bool v2 = id == "0" && controllers.empty();
    if (!v2 && !has_item(controllers, "cpu")) return;
    const std::optional<Mount> m = find_mount(mountinfo, v2);
    if (!m || path.empty() || path.front() != '/') return;
    // The group's path is from the hierarchy's root; the mount shows the
    // part below m->root (a container's own group, say).
    std::string_view rel = path;
    if (m->root != "/") {
      if (!rel.starts_with(m->root) || (rel.size() > m->root.size() && rel[m->root.size()] != '/')) return;
      rel.remove_prefix(m->root.size());
    }
    const fs::path r = fs::path(std::string(rel)).relative_path().lexically_normal();
    if (!r.empty() && *r.begin() == "..") return;
    const fs::path mount = prefix.empty() ? fs::path(m->point) : prefix / fs::path(m->point).relative_path();
    out.push_back(CgroupDir{v2, r.empty() || r == "." ? mount : mount / r, mount});
  });
  return out;
}

std::optional<unsigned> cgroup_cpu_limit(std::string_view proc_self_cgroup, std::string_view mountinfo,
                                         const fs::path& prefix) {
  std::optional<unsigned> best;
  for (const CgroupDir& d : cpu_cgroup_dirs(proc_self_cgroup, mountinfo, prefix)) {
    const std::optional<unsigned> limit = d.v2 ? walk_up(d, v2_limit) : walk_up(d, v1_limit);
    if (limit && (!best || *limit < *best)) best = limit;
  }
  return best;
}

unsigned usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  const unsigned mask = sched_getaffinity(0, sizeof set, &set) == 0 ? static_cast<unsigned>(CPU_COUNT(&set))
                                                                    : std::thread::hardware_concurrency();
  const std::optional<unsigned> limit = cgroup_cpu_limit(slurp("/proc/self/cgroup"), slurp("/proc/self/mountinfo"));
  return std::max(1u, limit ? std::min(mask, *limit) : mask);
}

}  // namespace warden::cli
