// How many CPUs this process can keep busy: the affinity mask, lowered by
// a cgroup's CPU bandwidth limit (a container's --cpus, systemd's
// CPUQuota=), which the mask does not show. Used for the default of
// --load-threads (docs/design.md, "Loading on several threads").
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace warden::cli {

/// The CPUs a bandwidth limit allows, rounded up: cgroup v2's cpu.max
/// ("max 100000" or "QUOTA PERIOD"), or cgroup v1's cpu.cfs_quota_us and
/// cpu.cfs_period_us (quota -1: none). nullopt when there is no limit or
/// the text is not one.
std::optional<unsigned> cpus_of_cpu_max(std::string_view cpu_max);
std::optional<unsigned> cpus_of_cfs(std::string_view quota_us, std::string_view period_us);

/// The tightest bandwidth limit on the cgroup that `proc_self_cgroup` (the
/// text of /proc/self/cgroup) names and on its ancestors, read below
/// `root` (/sys/fs/cgroup): cgroup v2's "0::PATH" line, or the v1 line of
/// the "cpu" controller. nullopt when none applies or none can be read.
std::optional<unsigned> cgroup_cpu_limit(std::string_view proc_self_cgroup, const std::filesystem::path& root);

/// The CPUs in this process's affinity mask, lowered by its cgroup's limit;
/// at least 1.
unsigned usable_cpus();

}  // namespace warden::cli
