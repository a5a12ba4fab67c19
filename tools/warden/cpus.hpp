// How many CPUs this process can keep busy: the affinity mask, lowered by
// a cgroup's CPU bandwidth limit (a container's --cpus, systemd's
// CPUQuota=), which the mask does not show. Used for the default of
// --load-threads (docs/design.md, "Loading on several threads").
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

namespace warden::cli {

/// The CPUs a bandwidth limit allows, rounded up: cgroup v2's cpu.max
/// ("max 100000" or "QUOTA PERIOD"), or cgroup v1's cpu.cfs_quota_us and
/// cpu.cfs_period_us (quota -1: none). nullopt when there is no limit or
/// the text is not one.
std::optional<unsigned> cpus_of_cpu_max(std::string_view cpu_max);
std::optional<unsigned> cpus_of_cfs(std::string_view quota_us, std::string_view period_us);

/// Where this process's CPU limits live: the directory of its cgroup in a
/// hierarchy that can hold one (cgroup v2's, or v1's with the "cpu"
/// controller), found from /proc/self/cgroup (`proc_self_cgroup`) and
/// where /proc/self/mountinfo (`mountinfo`) says that hierarchy is mounted,
/// and the mount point, above which the walk to its ancestors stops.
/// `prefix` goes before every mount point (a test's fake tree; "" for the
/// real one).
struct CgroupDir {
  bool v2;
  std::filesystem::path dir, mount;
};
std::vector<CgroupDir> cpu_cgroup_dirs(std::string_view proc_self_cgroup, std::string_view mountinfo,
                                       const std::filesystem::path& prefix = {});

/// The tightest bandwidth limit on those cgroups and their ancestors up to
/// their mount points (a child cannot use more than its parents allow).
/// nullopt when none applies or none can be read.
std::optional<unsigned> cgroup_cpu_limit(std::string_view proc_self_cgroup, std::string_view mountinfo,
                                         const std::filesystem::path& prefix = {});

/// The CPUs in this process's affinity mask, lowered by its cgroups'
/// limits; at least 1.
unsigned usable_cpus();

}  // namespace warden::cli
